// Listpack codec (redis src/listpack.c): the compact container inside RDB types HASH_LISTPACK,
// ZSET_LISTPACK, SET_LISTPACK, QUICKLIST_2 nodes, HASH_LISTPACK_EX and stream nodes.
// Decoding validates every length against the buffer (lpValidateIntegrity with deep checks);
// encoding produces the bytes lpAppend would (integer-looking strings stored as integers).
//
//   <total-bytes u32 LE> <num-elements u16 LE, 65535 = unknown> <entry>... <0xFF>
//   entry = <encoding+data> <backlen: size of encoding+data, 1..5 bytes, 7 bits per byte>
//
//   0xxxxxxx                      7-bit uint
//   10xxxxxx <data>               string, 6-bit length
//   110xxxxx yyyyyyyy             13-bit signed int
//   1110xxxx yyyyyyyy <data>      string, 12-bit length
//   11110000 <len u32 LE> <data>  string, 32-bit length
//   0xF1 / 0xF2 / 0xF3 / 0xF4     int16 / int24 / int32 / int64, little endian
//   0xFF                          end of listpack

import { type Bytes, canonicalInt, latin1 } from './bytes.js';
import { RdbError } from './errors.js';

export const LP_HEADER_BYTES = 6;
export const LP_EOF = 0xff;
const LP_COUNT_UNKNOWN = 65535;

/** One decoded element: a byte string, or an integer (number when safe, bigint otherwise). */
export type ListpackValue = Bytes | number | bigint;

function corrupt(baseOffset: number, at: number, reason: string): RdbError {
  return new RdbError('CORRUPT_LISTPACK', baseOffset + at, reason);
}

function backlenBytes(entryBytes: number): number {
  if (entryBytes <= 127) return 1;
  if (entryBytes < 16383) return 2;
  if (entryBytes < 2097151) return 3;
  if (entryBytes < 268435455) return 4;
  return 5;
}

function readBacklen(buf: Uint8Array, lastByteIndex: number): number {
  // Reads the backlen whose last byte is at lastByteIndex, walking backwards.
  let value = 0;
  let shift = 0;
  let p = lastByteIndex;
  for (let k = 0; k < 5; k++) {
    const b = buf[p] as number;
    value += (b & 127) * 2 ** shift;
    if ((b & 128) === 0) return value;
    shift += 7;
    p--;
  }
  return -1;
}

/**
 * Decodes buf[start, end) as a listpack. `intsAsStrings` renders integers in decimal (what lpGet
 * returns); otherwise integers come back as number/bigint. Throws RdbError CORRUPT_LISTPACK with
 * offset baseOffset + position on any inconsistency.
 */
export function decodeListpackValues(
  buf: Buffer,
  start: number,
  end: number,
  baseOffset: number,
  intsAsStrings: true,
): Bytes[];
export function decodeListpackValues(
  buf: Buffer,
  start: number,
  end: number,
  baseOffset: number,
  intsAsStrings: false,
): ListpackValue[];
export function decodeListpackValues(
  buf: Buffer,
  start: number,
  end: number,
  baseOffset: number,
  intsAsStrings: boolean,
): ListpackValue[] {
  const size = end - start;
  if (size < LP_HEADER_BYTES + 1) throw corrupt(baseOffset, 0, `listpack of ${size} bytes is shorter than its header`);
  const total = ((buf[start] as number) | ((buf[start + 1] as number) << 8) | ((buf[start + 2] as number) << 16)) + (buf[start + 3] as number) * 0x1000000;
  if (total !== size) throw corrupt(baseOffset, 0, `listpack header says ${total} bytes, blob has ${size}`);
  const declared = (buf[start + 4] as number) | ((buf[start + 5] as number) << 8);
  if (buf[end - 1] !== LP_EOF) throw corrupt(baseOffset, size - 1, 'listpack does not end with 0xFF');
  const out: ListpackValue[] = [];
  let p = start + LP_HEADER_BYTES;
  const last = end - 1; // index of the EOF byte
  while (p < last) {
    const b = buf[p] as number;
    let entryBytes: number;
    let value: ListpackValue;
    if (b < 0x80) {
      entryBytes = 1;
      value = intsAsStrings ? String(b) : b;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      entryBytes = 1 + len;
      if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'string entry overruns listpack');
      value = latin1(buf, p + 1, p + 1 + len);
    } else if ((b & 0xe0) === 0xc0) {
      entryBytes = 2;
      if (p + 2 > last) throw corrupt(baseOffset, p - start, 'int13 entry overruns listpack');
      let v = ((b & 0x1f) << 8) | (buf[p + 1] as number);
      if (v >= 4096) v -= 8192;
      value = intsAsStrings ? String(v) : v;
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > last) throw corrupt(baseOffset, p - start, 'str12 header overruns listpack');
      const len = ((b & 0x0f) << 8) | (buf[p + 1] as number);
      entryBytes = 2 + len;
      if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'string entry overruns listpack');
      value = latin1(buf, p + 2, p + 2 + len);
    } else {
      switch (b) {
        case 0xf0: {
          if (p + 5 > last) throw corrupt(baseOffset, p - start, 'str32 header overruns listpack');
          const len = buf.readUInt32LE(p + 1);
          entryBytes = 5 + len;
          if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'string entry overruns listpack');
          value = latin1(buf, p + 5, p + 5 + len);
          break;
        }
        case 0xf1:
          entryBytes = 3;
          if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'int16 entry overruns listpack');
          value = buf.readInt16LE(p + 1);
          if (intsAsStrings) value = String(value);
          break;
        case 0xf2:
          entryBytes = 4;
          if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'int24 entry overruns listpack');
          value = buf.readIntLE(p + 1, 3);
          if (intsAsStrings) value = String(value);
          break;
        case 0xf3:
          entryBytes = 5;
          if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'int32 entry overruns listpack');
          value = buf.readInt32LE(p + 1);
          if (intsAsStrings) value = String(value);
          break;
        case 0xf4: {
          entryBytes = 9;
          if (p + entryBytes > last) throw corrupt(baseOffset, p - start, 'int64 entry overruns listpack');
          const lo = buf.readUInt32LE(p + 1);
          const hi = buf.readInt32LE(p + 5);
          const approx = hi * 4294967296 + lo;
          if (Number.isSafeInteger(approx)) {
            value = intsAsStrings ? String(approx) : approx;
          } else {
            const big = buf.readBigInt64LE(p + 1);
            value = intsAsStrings ? big.toString() : big;
          }
          break;
        }
        default:
          throw corrupt(baseOffset, p - start, `invalid listpack entry encoding 0x${b.toString(16)}`);
      }
    }
    const back = backlenBytes(entryBytes);
    const next = p + entryBytes + back;
    if (next > last) throw corrupt(baseOffset, p - start, 'entry backlen overruns listpack');
    if (readBacklen(buf, next - 1) !== entryBytes) throw corrupt(baseOffset, p + entryBytes - start, 'entry backlen does not match entry size');
    out.push(value);
    p = next;
  }
  if (declared !== LP_COUNT_UNKNOWN && declared !== out.length) {
    throw corrupt(baseOffset, 4, `listpack header counts ${declared} elements, found ${out.length}`);
  }
  return out;
}

/** Decodes a whole listpack blob to byte strings (integers in decimal). */
export function decodeListpack(buf: Buffer, baseOffset = 0): Bytes[] {
  return decodeListpackValues(buf, 0, buf.length, baseOffset, true);
}

function writeBacklen(out: Buffer, at: number, l: number): number {
  if (l <= 127) {
    out[at] = l;
    return 1;
  }
  if (l < 16383) {
    out[at] = l >>> 7;
    out[at + 1] = (l & 127) | 128;
    return 2;
  }
  if (l < 2097151) {
    out[at] = l >>> 14;
    out[at + 1] = ((l >>> 7) & 127) | 128;
    out[at + 2] = (l & 127) | 128;
    return 3;
  }
  if (l < 268435455) {
    out[at] = l >>> 21;
    out[at + 1] = ((l >>> 14) & 127) | 128;
    out[at + 2] = ((l >>> 7) & 127) | 128;
    out[at + 3] = (l & 127) | 128;
    return 4;
  }
  out[at] = Math.floor(l / 2 ** 28);
  out[at + 1] = ((l >>> 21) & 127) | 128;
  out[at + 2] = ((l >>> 14) & 127) | 128;
  out[at + 3] = ((l >>> 7) & 127) | 128;
  out[at + 4] = (l & 127) | 128;
  return 5;
}

/**
 * Bytes one element takes inside a listpack as lpAppend stores it (encoding + data + backlen): a string in
 * canonical integer form is stored as an integer. Used to track quicklist node sizes without encoding them.
 */
export function listpackEntryBytes(s: Bytes): number {
  const len = s.length;
  let entry: number;
  const c = len > 0 && len < 21 ? s.charCodeAt(0) : 0;
  const v = (c >= 48 && c <= 57) || c === 45 ? canonicalInt(s) : null;
  if (v === null) entry = (len < 64 ? 1 : len < 4096 ? 2 : 5) + len;
  else if (typeof v === 'bigint') entry = v >= -2147483648n && v <= 2147483647n ? 5 : 9;
  else if (v >= 0 && v <= 127) entry = 1;
  else if (v >= -4096 && v <= 4095) entry = 2;
  else if (v >= -32768 && v <= 32767) entry = 3;
  else if (v >= -8388608 && v <= 8388607) entry = 4;
  else if (v >= -2147483648 && v <= 2147483647) entry = 5;
  else entry = 9;
  return entry + backlenBytes(entry);
}

/**
 * Builds a listpack the way lpAppend / lpAppendInteger would: strings in canonical integer form
 * are stored as integers. Grows its buffer geometrically.
 */
export class ListpackBuilder {
  private buf: Buffer;
  private pos = LP_HEADER_BYTES;
  count = 0;

  constructor(initialBytes = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, 16));
  }

  /** Bytes the listpack will have once finished (header + entries + EOF). */
  get bytes(): number {
    return this.pos + 1;
  }

  private reserve(extra: number): void {
    if (this.pos + extra + 1 <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra + 1) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  appendInt(v: number | bigint): void {
    this.reserve(14);
    const buf = this.buf;
    const p = this.pos;
    let n: number;
    if (typeof v === 'bigint') {
      if (v >= -2147483648n && v <= 2147483647n) {
        this.appendInt(Number(v));
        return;
      }
      this.buf[p] = 0xf4;
      this.buf.writeBigInt64LE(v, p + 1);
      n = 9;
    } else if (v >= 0 && v <= 127) {
      buf[p] = v;
      n = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? 8192 + v : v;
      buf[p] = (u >>> 8) | 0xc0;
      buf[p + 1] = u & 0xff;
      n = 2;
    } else if (v >= -32768 && v <= 32767) {
      buf[p] = 0xf1;
      buf.writeInt16LE(v, p + 1);
      n = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      buf[p] = 0xf2;
      buf.writeIntLE(v, p + 1, 3);
      n = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      buf[p] = 0xf3;
      buf.writeInt32LE(v, p + 1);
      n = 5;
    } else {
      buf[p] = 0xf4;
      buf.writeBigInt64LE(BigInt(v), p + 1);
      n = 9;
    }
    this.pos = p + n + writeBacklen(this.buf, p + n, n);
    this.count++;
  }

  /** Appends a byte string, as an integer when it is one in canonical form (lpAppend). */
  append(s: Bytes): void {
    const len = s.length;
    if (len > 0 && len < 21) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = canonicalInt(s);
        if (v !== null) {
          this.appendInt(v);
          return;
        }
      }
    }
    this.appendString(s);
  }

  /** Appends a byte string verbatim, never as an integer. */
  appendString(s: Bytes): void {
    const len = s.length;
    this.reserve(len + 10);
    const buf = this.buf;
    const p = this.pos;
    let header: number;
    if (len < 64) {
      buf[p] = 0x80 | len;
      header = 1;
    } else if (len < 4096) {
      buf[p] = 0xe0 | (len >>> 8);
      buf[p + 1] = len & 0xff;
      header = 2;
    } else {
      buf[p] = 0xf0;
      buf.writeUInt32LE(len, p + 1);
      header = 5;
    }
    if (len < 32) {
      for (let k = 0; k < len; k++) buf[p + header + k] = s.charCodeAt(k);
    } else {
      buf.latin1Write(s, p + header, len);
    }
    const entry = header + len;
    this.pos = p + entry + writeBacklen(buf, p + entry, entry);
    this.count++;
  }

  /** Appends every entry of another builder (already encoded) after this one's. */
  appendEntriesOf(other: ListpackBuilder): void {
    const n = other.pos - LP_HEADER_BYTES;
    this.reserve(n);
    other.buf.copy(this.buf, this.pos, LP_HEADER_BYTES, other.pos);
    this.pos += n;
    this.count += other.count;
  }

  /** Returns the finished listpack (a fresh Buffer of exactly `bytes` length). */
  finish(): Buffer {
    this.reserve(0);
    const buf = this.buf;
    buf[this.pos] = LP_EOF;
    const total = this.pos + 1;
    buf.writeUInt32LE(total, 0);
    buf.writeUInt16LE(this.count < LP_COUNT_UNKNOWN ? this.count : LP_COUNT_UNKNOWN, 4);
    return Buffer.from(buf.subarray(0, total));
  }
}

/** Encodes byte strings as a listpack (integer-looking strings become integers, like lpAppend). */
export function encodeListpack(items: readonly ListpackValue[]): Buffer {
  const b = new ListpackBuilder(64 + items.length * 4);
  for (const item of items) {
    if (typeof item === 'string') b.append(item);
    else b.appendInt(item);
  }
  return b.finish();
}
