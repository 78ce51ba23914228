// Intset codec (redis src/intset.c): the RDB SET_INTSET value. Decoding validates like
// intsetValidateIntegrity(deep=1): known width, exact blob size, strictly ascending members.
//
//   <encoding u32 LE: 2 | 4 | 8 bytes per member> <length u32 LE> <members, signed LE, ascending>

import { type Bytes, canonicalInt } from './bytes.js';
import { RdbError } from './errors.js';

const INTSET_HEADER_BYTES = 8;

function corrupt(baseOffset: number, at: number, reason: string): RdbError {
  return new RdbError('CORRUPT_INTSET', baseOffset + at, reason);
}

/** Decodes an intset blob to its members in decimal form (ascending numeric order). */
export function decodeIntset(buf: Buffer, baseOffset = 0): Bytes[] {
  if (buf.length < INTSET_HEADER_BYTES) throw corrupt(baseOffset, 0, `intset of ${buf.length} bytes is shorter than its header`);
  const width = buf.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw corrupt(baseOffset, 0, `invalid intset encoding ${width}`);
  const count = buf.readUInt32LE(4);
  if (INTSET_HEADER_BYTES + count * width !== buf.length) {
    throw corrupt(baseOffset, 4, `intset of ${count} x ${width}-byte members needs ${INTSET_HEADER_BYTES + count * width} bytes, blob has ${buf.length}`);
  }
  const out: Bytes[] = [];
  let p = INTSET_HEADER_BYTES;
  if (width === 8) {
    let prev: bigint | null = null;
    for (let i = 0; i < count; i++, p += 8) {
      const v = buf.readBigInt64LE(p);
      if (prev !== null && v <= prev) throw corrupt(baseOffset, p, 'intset members are not strictly ascending');
      prev = v;
      out.push(v.toString());
    }
    return out;
  }
  let prev = -Infinity;
  for (let i = 0; i < count; i++, p += width) {
    const v = width === 2 ? buf.readInt16LE(p) : buf.readInt32LE(p);
    if (v <= prev) throw corrupt(baseOffset, p, 'intset members are not strictly ascending');
    prev = v;
    out.push(String(v));
  }
  return out;
}

/**
 * Encodes members as an intset, or returns null when some member is not a canonical int64
 * (then the set cannot be an intset). Sorts and de-duplicates; width is the smallest that fits.
 */
export function encodeIntset(members: readonly Bytes[]): Buffer | null {
  const values: bigint[] = [];
  let width = 2;
  for (const m of members) {
    const v = canonicalInt(m);
    if (v === null) return null;
    const big = BigInt(v);
    values.push(big);
    if (big < -2147483648n || big > 2147483647n) width = 8;
    else if ((big < -32768n || big > 32767n) && width < 4) width = 4;
  }
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const unique: bigint[] = [];
  for (const v of values) if (unique.length === 0 || unique[unique.length - 1] !== v) unique.push(v);
  const out = Buffer.allocUnsafe(INTSET_HEADER_BYTES + unique.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(unique.length, 4);
  let p = INTSET_HEADER_BYTES;
  for (const v of unique) {
    if (width === 2) out.writeInt16LE(Number(v), p);
    else if (width === 4) out.writeInt32LE(Number(v), p);
    else out.writeBigInt64LE(v, p);
    p += width;
  }
  return out;
}
