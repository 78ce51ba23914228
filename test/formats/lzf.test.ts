// Proves the LZF codec: compress -> decompress is the identity, output Redis wrote decodes, and
// malformed input is reported (never thrown, never read or written out of bounds).
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

  propTest.prop([fc.oneof(fc.uint8Array({ maxLength: 5000 }).map((a) => Buffer.from(a)), compressible)])(
    'decompress(compress(x)) == x whenever compression succeeds',
    (input) => {
      const packed = lzfCompress(input, input.length + 64);
      if (input.length === 0) {
        expect(packed).toBeNull();
        return;
      }
      expect(packed).not.toBeNull();
      const unpacked = lzfDecompress(packed as Buffer, input.length);
      expect(unpacked?.equals(input)).toBe(true);
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
