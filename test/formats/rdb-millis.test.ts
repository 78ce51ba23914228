// Proves (issue #1) that RDB millisecond times round-trip exactly for every int64, as Redis stores key expiries:
// RdbOutput.millis writes the 8 little-endian bytes of the value (checked against Buffer.writeBigInt64LE), and
// RdbDecoder.millisInt64 reads them back in the Int64 form (a number when safe, else a bigint).
import { describe, expect, test } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { RdbDecoder, RdbOutput, toInt64 } from '../../formats/index.js';

function written(value: number | bigint): Buffer {
  const chunks: Uint8Array[] = [];
  const out = new RdbOutput({ write: (chunk) => chunks.push(Buffer.from(chunk)) }, { compression: false, checksum: false });
  out.millis(value);
  out.flush();
  return Buffer.concat(chunks);
}

function read(bytes: Buffer): number | bigint {
  const decoder = new RdbDecoder();
  decoder.setWindow(bytes, 0, bytes.length, 0, true);
  return decoder.millisInt64();
}

function expectedBytes(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64LE(value);
  return buf;
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const nearSafeEdge = fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }).chain((v) => fc.constantFrom(v, 2n ** 53n + v % 4n, -(2n ** 53n) - v % 4n));

describe('RDB int64 millisecond times', () => {
  propTest.prop([fc.oneof(int64, nearSafeEdge)])('write as int64 LE and read back exactly, in Int64 form', (value) => {
    const normalized = toInt64(value);
    const bytes = written(normalized);
    expect(bytes).toEqual(expectedBytes(value));
    const back = read(bytes);
    expect(back).toBe(normalized);
    expect(typeof back === 'number' ? Number.isSafeInteger(back) : back > 2n ** 53n - 1n || back < -(2n ** 53n - 1n)).toBe(true);
  });

  test('edges: INT64_MAX, INT64_MIN, ±2^53, ±(2^53 - 1), -1', () => {
    for (const value of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -(2n ** 53n), 2n ** 53n - 1n, -(2n ** 53n - 1n), -1n]) {
      expect(read(expectedBytes(value)), String(value)).toBe(toInt64(value));
      expect(written(toInt64(value)), String(value)).toEqual(expectedBytes(value));
    }
  });
});
