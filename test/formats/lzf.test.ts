// Proves the LZF codec: compress -> decompress is the identity, compression depends only on the input bytes,
// output Redis wrote decodes, and malformed input is reported (never thrown, never read or written out of bounds).
// (Byte equality with Redis's compressor is proved against real Redis in lzf-redis.test.ts.)
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { lzfCompress, lzfCompressInto, lzfDecompress, lzfDecompressInto } from '../../formats/lzf.js';

const compressible = fc.array(fc.constantFrom(...'abcab\u0000\u00ff'.split('')), { minLength: 0, maxLength: 3000 }).map((a) =>
  Buffer.from(a.join(''), 'latin1'),
);

describe('lzf', () => {
  it('decodes the LZF blob Redis wrote for a 200-byte run of "a" (redis-rdb-tools easily_compressible_string_key.rdb)', () => {
    const blob = Buffer.from([0x01, 0x61, 0x61, 0xe0, 0xbb, 0x00, 0x01, 0x61, 0x61]);
    const out = lzfDecompress(blob, 200);
    expect(out?.toString('latin1')).toBe('a'.repeat(200));
  });

  const anyInput = fc.oneof(
    fc.uint8Array({ maxLength: 5000, size: 'max' }).map((a) => Buffer.from(a)),
    compressible,
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 20000 })).map(([pattern, n]) =>
      Buffer.from(Array.from({ length: n }, (_, i) => pattern[i % pattern.length] as number)),
    ),
  );

  propTest.prop([anyInput])('decompress(compress(x)) == x, and with room for the worst case it always fits', (input) => {
    // Worst case: every byte a literal, one control byte per 32, plus liblzf's 3-byte tail reserve.
    const packed = lzfCompress(input, input.length + (input.length >> 5) + 4);
    if (input.length === 0) {
      expect(packed).toBeNull();
      return;
    }
    expect(packed).not.toBeNull();
    expect(lzfDecompress(packed as Buffer, input.length)?.equals(input)).toBe(true);
  });

  propTest.prop([anyInput])('under the RDB limit (input length - 4) the output is either refused or fits and decodes', (input) => {
    const packed = lzfCompress(input, input.length - 4);
    if (packed === null) return;
    expect(packed.length).toBeLessThanOrEqual(input.length - 4);
    expect(lzfDecompress(packed, input.length)?.equals(input)).toBe(true);
  });

  propTest.prop([anyInput, anyInput, fc.nat(100)])(
    'output does not depend on earlier calls or on where the input sits in its buffer',
    (input, other, at) => {
      const alone = lzfCompress(input, input.length * 2 + 16);
      lzfCompress(other, other.length * 2 + 16);
      const placed = Buffer.concat([Buffer.alloc(at, 0x61), input, Buffer.alloc(7, 0x61)]);
      const out = Buffer.alloc(input.length * 2 + 16);
      const written = lzfCompressInto(placed, at, at + input.length, out, out.length);
      expect(written === 0 ? null : out.subarray(0, written)).toEqual(alone);
    },
  );

  it('compresses repetitive data well and honours the output limit', () => {
    const input = Buffer.from('xyz'.repeat(10000), 'latin1');
    const packed = lzfCompress(input);
    expect(packed).not.toBeNull();
    expect((packed as Buffer).length).toBeLessThan(input.length / 20);
    const out = Buffer.alloc(10);
    expect(lzfCompressInto(input, 0, input.length, out, 10)).toBe(0);
    let x = 0x12345678;
    const random = Buffer.from(Array.from({ length: 1000 }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    }));
    expect(lzfCompress(random, random.length - 4)).toBeNull();
  });

  propTest.prop([fc.uint8Array({ maxLength: 200 }), fc.nat(400)])(
    'random input never throws and never writes past the output end',
    (bytes, outBytes) => {
      const out = new Uint8Array(outBytes + 8).fill(0xaa);
      const result = lzfDecompressInto(bytes, 0, bytes.length, out, 0, outBytes);
      for (let i = outBytes; i < out.length; i++) expect(out[i]).toBe(0xaa);
      if (result.error === null) expect(result.written).toBeLessThanOrEqual(outBytes);
      else expect(result.written).toBe(-1);
    },
  );

  it('reports a back reference before the start of the output', () => {
    const result = lzfDecompressInto(Buffer.from([0x20, 0x05]), 0, 2, new Uint8Array(10), 0, 10);
    expect(result.error).toBe('back-reference-out-of-range');
    expect(lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toBeNull();
  });
});
