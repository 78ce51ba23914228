/**
 * String values. A string is stored as a latin1 JS string (one char per byte) — V8 keeps such strings at one byte
 * per char with no Buffer object per value. Strings that are edited in place (APPEND, SETRANGE, SETBIT, BITFIELD)
 * become a `MutableString`, a growable byte buffer like Redis's sds, so repeated edits of a large bitmap cost
 * the edit, not a copy of the whole value. Redis reports such strings as `raw`, which is why the two forms also
 * carry the OBJECT ENCODING distinction. A `MutableString` flagged `embstr` is the one exception: a value Redis
 * holds as a plain (embstr) string object although its bytes look like an integer, which only happens to
 * INCRBYFLOAT's result (created without tryObjectEncoding); its first in-place edit makes it raw, as Redis's
 * dbUnshareStringValue does. A `MutableString` flagged `unsharedInt` is the other: a small integer (0..9999) that
 * COPY duplicated (dupStringObject), which Redis keeps int-encoded but not shared, so OBJECT REFCOUNT says 1.
 */

import type { Bytes } from './algorithms/bytes.js';

export class MutableString {
  readonly kind = 'string' as const;
  buf: Buffer;
  length: number;
  /** OBJECT ENCODING is embstr (up to 44 bytes) rather than raw: an unedited INCRBYFLOAT result. */
  embstr = false;
  /** OBJECT ENCODING is int with refcount 1: COPY's duplicate of a shared small integer. */
  unsharedInt = false;

  constructor(initial: Bytes | Buffer, capacity = 0) {
    const bytes = typeof initial === 'string' ? Buffer.from(initial, 'latin1') : initial;
    this.buf = Buffer.alloc(Math.max(capacity, bytes.length));
    bytes.copy(this.buf);
    this.length = bytes.length;
  }

  /** Makes room for `bytes` bytes, zero-filled beyond the current length (as SETRANGE/SETBIT pad). */
  ensureLength(bytes: number): void {
    if (bytes <= this.length) return;
    if (bytes > this.buf.length) {
      // Grow like sds: double below 1 MB, then by 1 MB.
      const size = bytes < 1024 * 1024 ? bytes * 2 : bytes + 1024 * 1024;
      const next = Buffer.alloc(size);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    } else {
      this.buf.fill(0, this.length, bytes);
    }
    this.length = bytes;
  }

  append(s: Bytes): void {
    const start = this.length;
    this.ensureLength(start + s.length);
    this.buf.latin1Write(s, start, s.length);
  }

  /** Writes `s` at byte `offset`, growing (zero-padded) when it reaches past the end (SETRANGE). */
  write(offset: number, s: Bytes): void {
    this.ensureLength(Math.max(this.length, offset + s.length));
    this.buf.latin1Write(s, offset, s.length);
  }

  toBytes(): Bytes {
    return this.buf.latin1Slice(0, this.length);
  }
}

export type StringValue = Bytes | MutableString;

/**
 * A string value Redis would create with createStringObject and never int-encode (INCRBYFLOAT's result): the
 * bytes themselves, unless they are a canonical integer, which only a flagged `MutableString` keeps apart.
 */
export function unencodedString(bytes: Bytes): StringValue {
  if (!isCanonicalInt64(bytes)) return bytes;
  const value = new MutableString(bytes);
  value.embstr = true;
  return value;
}

export function stringBytes(v: StringValue): Bytes {
  return typeof v === 'string' ? v : v.toBytes();
}

export function stringLength(v: StringValue): number {
  return v.length;
}

/** OBJECT ENCODING of a string value, with Redis's rules (tryObjectEncoding: int if it is a canonical long). */
export function stringEncoding(v: StringValue): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') return v.unsharedInt ? 'int' : v.embstr && v.length <= 44 ? 'embstr' : 'raw';
  if (v.length <= 20 && isCanonicalInt64(v)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Redis's string2ll: no sign but '-', no leading zeros, no spaces, "-0" rejected, within int64. */
export function isCanonicalInt64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1; // "0" only
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n < 18) return true;
  const big = BigInt(s);
  return big >= INT64_MIN && big <= INT64_MAX;
}
