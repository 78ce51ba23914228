// Proves the listpack, ziplist, intset and zipmap codecs: encode -> decode returns the input,
// integer-looking strings use Redis's integer encodings, and any corruption (random bytes,
// truncation, bit flips) ends in an RdbError, never another exception.
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { ListpackBuilder, decodeListpack, decodeListpackValues, encodeListpack } from '../../formats/listpack.js';
import { decodeZiplist, encodeZiplist } from '../../formats/ziplist.js';
import { decodeIntset, encodeIntset } from '../../formats/intset.js';
import { decodeZipmap } from '../../formats/zipmap.js';
import { RdbError } from '../../formats/errors.js';

const byteString = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String),
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.constantFrom('0', '-0', '007', '+5', '', ' 1', '9223372036854775808', '-9223372036854775809'),
  fc.nat(70000).map((n) => 'x'.repeat(n % 9000)),
);

function expectOnlyRdbError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RdbError);
  }
}

/** Property: a bit flip anywhere, or a truncation, of an encoded blob decodes or fails with RdbError. */
function corruptionProperty(name: string, encode: (items: string[]) => Buffer, decode: (blob: Buffer) => unknown): void {
  propTest.prop([fc.array(byteString, { maxLength: 10 }), fc.nat(), fc.nat(7)])(name, (items, at, bit) => {
    const blob = encode(items);
    const flipped = Buffer.from(blob);
    const i = at % flipped.length;
    flipped[i] = (flipped[i] as number) ^ (1 << bit);
    expectOnlyRdbError(() => decode(flipped));
    expectOnlyRdbError(() => decode(blob.subarray(0, at % blob.length)));
  });
}

describe('listpack', () => {
  propTest.prop([fc.array(byteString, { maxLength: 40 })])('round-trips byte strings', (items) => {
    expect(decodeListpack(encodeListpack(items))).toEqual(items);
  });

  propTest.prop([fc.array(fc.oneof(byteString, fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })), { maxLength: 300 })])(
    'round-trips mixed integers and strings while its buffer grows',
    (items) => {
      const builder = new ListpackBuilder(16);
      for (const v of items) {
        if (typeof v === 'string') builder.append(v);
        else builder.appendInt(v);
      }
      const lp = builder.finish();
      expect(decodeListpackValues(lp, 0, lp.length, 0, false).map(String)).toEqual(items.map(String));
    },
  );

  it('stores canonical integers with the integer encodings (listpack.c lpEncodeIntegerGetType)', () => {
    const lp = encodeListpack(['127', '-1', '4095', '32767', '8388607', '2147483647', '9223372036854775807', '007']);
    // header 6 bytes; 127 -> 0x7f + backlen 1
    expect([...lp.subarray(6, 8)]).toEqual([0x7f, 0x01]);
    // -1 -> 13-bit: 0xDF 0xFF + backlen 2
    expect([...lp.subarray(8, 11)]).toEqual([0xdf, 0xff, 0x02]);
    expect(lp[lp.length - 1]).toBe(0xff);
    expect(lp.readUInt32LE(0)).toBe(lp.length);
    expect(lp.readUInt16LE(4)).toBe(8);
  });

  corruptionProperty('corruption gives RdbError only', encodeListpack, decodeListpack);
});

describe('ziplist', () => {
  propTest.prop([fc.array(byteString, { maxLength: 40 })])('round-trips byte strings', (items) => {
    expect(decodeZiplist(encodeZiplist(items))).toEqual(items);
  });

  it('uses immediate and int8 encodings like ziplist.c zipTryEncoding', () => {
    const zl = encodeZiplist(['12', '13', 'ab']);
    // entry 1: prevlen 0, 0xF1 + 12 = 0xFD
    expect([...zl.subarray(10, 12)]).toEqual([0x00, 0xfd]);
    // entry 2: prevlen 2, 0xFE int8 13
    expect([...zl.subarray(12, 15)]).toEqual([0x02, 0xfe, 13]);
    expect(zl.readUInt32LE(4)).toBe(15);
  });

  corruptionProperty('corruption gives RdbError only', encodeZiplist, decodeZiplist);
});

describe('intset', () => {
  propTest.prop([fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { maxLength: 50 })])(
    'round-trips to sorted unique members',
    (values) => {
      const blob = encodeIntset(values.map(String));
      const expected = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
      expect(decodeIntset(blob as Buffer)).toEqual(expected);
    },
  );

  it('picks the narrowest width and refuses non-integers', () => {
    expect((encodeIntset(['1', '-5']) as Buffer).readUInt32LE(0)).toBe(2);
    expect((encodeIntset(['70000']) as Buffer).readUInt32LE(0)).toBe(4);
    expect((encodeIntset(['4294967296']) as Buffer).readUInt32LE(0)).toBe(8);
    expect(encodeIntset(['1', 'a'])).toBeNull();
    expect(encodeIntset(['01'])).toBeNull();
  });

  it('rejects unsorted members and bad sizes', () => {
    const blob = encodeIntset(['1', '2']) as Buffer;
    const swapped = Buffer.from(blob);
    swapped.writeInt16LE(2, 8);
    swapped.writeInt16LE(1, 10);
    expect(() => decodeIntset(swapped)).toThrow(RdbError);
    expect(() => decodeIntset(blob.subarray(0, 11))).toThrow(RdbError);
  });
});

describe('zipmap', () => {
  it('decodes the zipmap from redis tests/assets/hash-zipmap.rdb', () => {
    // count 2, "f1" -> "v1", "f2" -> "v2", each value with 0 free bytes
    const zm = Buffer.from([2, 2, 0x66, 0x31, 2, 0, 0x76, 0x31, 2, 0x66, 0x32, 2, 0, 0x76, 0x32, 0xff]);
    expect(decodeZipmap(zm)).toEqual([['f1', 'v1'], ['f2', 'v2']]);
  });

  it('refuses a count byte that is neither 254 nor the entry count (Redis zipmapValidateIntegrity)', () => {
    const zm = Buffer.from([0xff, 2, 0x66, 0x31, 2, 0, 0x76, 0x31, 0xff]);
    expect(() => decodeZipmap(zm)).toThrow(RdbError);
  });

  propTest.prop([fc.uint8Array({ maxLength: 60 })])('random bytes give RdbError only', (bytes) => {
    expectOnlyRdbError(() => decodeZipmap(Buffer.from(bytes)));
  });
});
