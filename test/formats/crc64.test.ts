// Proves crc64 matches CRC-64/Jones as Redis defines it (check vector, incremental = one-shot,
// bigint and {hi,lo} forms agree) and reports its throughput.
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import {
  crc64,
  crc64FromBigInt,
  crc64ReadLE,
  crc64ToBigInt,
  crc64Update,
  crc64WriteLE,
} from '../../formats/crc64.js';

// Bit-at-a-time reference with BigInt, written from the polynomial definition.
function referenceCrc64(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = 0n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = (crc & 1n) !== 0n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

describe('crc64', () => {
  it('gives the CRC-64/Jones check value for "123456789" (redis src/crc64.c)', () => {
    expect(crc64ToBigInt(crc64(0n, Buffer.from('123456789')))).toBe(0xe9c6d914c4b8d9can);
  });

  it('is 0 for empty input', () => {
    expect(crc64ToBigInt(crc64(0n, new Uint8Array(0)))).toBe(0n);
  });

  propTest.prop([fc.uint8Array({ maxLength: 300 }), fc.nat(64)])(
    'matches the bit-wise reference at any alignment',
    (bytes, shift) => {
      const padded = new Uint8Array(bytes.length + shift);
      padded.set(bytes, shift);
      expect(crc64ToBigInt(crc64(0n, padded, shift, padded.length))).toBe(referenceCrc64(bytes));
    },
  );

  propTest.prop([fc.uint8Array({ maxLength: 500 }), fc.nat(500)])(
    'streaming over two pieces equals one pass',
    (bytes, cut) => {
      const at = Math.min(cut, bytes.length);
      const first = crc64(0n, bytes, 0, at);
      const both = crc64(crc64ToBigInt(first), bytes, at, bytes.length);
      const state = { hi: 0, lo: 0 };
      crc64Update(state, bytes, 0, at);
      crc64Update(state, bytes, at, bytes.length);
      expect(crc64ToBigInt(both)).toBe(crc64ToBigInt(crc64(0n, bytes)));
      expect(crc64ToBigInt(state)).toBe(crc64ToBigInt(both));
    },
  );

  it('round-trips through the little-endian footer layout and bigint', () => {
    const v = crc64FromBigInt(0xe9c6d914c4b8d9can);
    const out = new Uint8Array(8);
    crc64WriteLE(v, out, 0);
    expect(Buffer.from(out).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    expect(crc64ToBigInt(crc64ReadLE(out, 0))).toBe(0xe9c6d914c4b8d9can);
  });

  it('reports throughput on 32 MiB', () => {
    const big = Buffer.alloc(32 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    let best = 0;
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      crc64(0n, big);
      const mbPerSecond = 32 / ((performance.now() - t) / 1000);
      best = Math.max(best, mbPerSecond);
    }
    console.log(`crc64 throughput: ${best.toFixed(0)} MB/s (best of 5, 32 MiB)`);
    expect(best).toBeGreaterThan(50);
  });
});
