// Byte-string helpers shared by the codecs. A `Bytes` value is a JS string holding one char per
// byte (latin1 form, char codes 0..255): keys, values, members and fields are never utf8-decoded.

export type Bytes = string;

interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

const hasLatin1Slice =
  typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function';

/** buf[start, end) as a latin1 string. Uses Buffer's internal slicer when present (no arg checks). */
export function latin1(buf: Buffer, start: number, end: number): Bytes {
  if (end - start < 1) return '';
  if (hasLatin1Slice) return (buf as unknown as Latin1Slicer).latin1Slice(start, end);
  return buf.toString('latin1', start, end);
}

/** Bytes -> Buffer (latin1: char code = byte). */
export function bytesToBuffer(s: Bytes): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Latin1 byte length of a Bytes string (its JS length). */
export function bytesLength(s: Bytes): number {
  return s.length;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The integer value of `s` if it is the canonical decimal form of an int64 in the sense of
 * redis string2ll (util.c): no sign but '-', no leading zeros, no "-0", 1..20 chars, in range.
 * Returns a number when the value is a safe integer, a bigint otherwise, null when not canonical.
 */
export function canonicalInt(s: Bytes): number | bigint | null {
  const len = s.length;
  if (len === 0 || len >= 21) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (len === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return len === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let k = i + 1; k < len; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return null;
  }
  if (len <= 15) return Number(s); // at most 15 digits: always a safe integer
  const big = BigInt(s);
  if (big < INT64_MIN || big > INT64_MAX) return null;
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/**
 * An int64 in the form `canonicalInt` returns: a number when it is a safe integer (every realistic count or
 * time), a bigint beyond ±2^53, so each int64 has exactly one representation and survives exactly.
 */
export type Int64 = number | bigint;

/** `v` in the `Int64` form: a bigint within the safe range becomes a number. */
export function toInt64(v: number | bigint): Int64 {
  if (typeof v === 'number') return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Decimal form of an int64 given as number or bigint (Redis ll2string). */
export function intToBytes(v: number | bigint): Bytes {
  return typeof v === 'number' ? String(v) : v.toString();
}
