// Ziplist codec (redis src/ziplist.c, pre-7.0 compact container): RDB types LIST_ZIPLIST,
// ZSET_ZIPLIST, HASH_ZIPLIST and the nodes of LIST_QUICKLIST. Decoding validates like
// ziplistValidateIntegrity(deep=1); encoding produces what ziplistPush would, for RDB v9 output.
//
//   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE, 65535 = unknown> <entry>... <0xFF>
//   entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
//
//   00pppppp                          string, 6-bit length
//   01pppppp qqqqqqqq                 string, 14-bit length (big endian)
//   10000000 <u32 BE>                 string, 32-bit length
//   0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8   (little endian)
//   0xF1..0xFD                        immediate 0..12
//   0xFF                              end (only as the last byte)

import { type Bytes, canonicalInt, latin1 } from './bytes.js';
import { RdbError } from './errors.js';

const ZL_HEADER_BYTES = 10;
const ZL_END = 0xff;
const ZL_BIG_PREVLEN = 254;

function corrupt(baseOffset: number, at: number, reason: string): RdbError {
  return new RdbError('CORRUPT_ZIPLIST', baseOffset + at, reason);
}

/** Decodes a ziplist blob to byte strings (integers rendered in decimal). */
export function decodeZiplist(buf: Buffer, baseOffset = 0): Bytes[] {
  const size = buf.length;
  if (size < ZL_HEADER_BYTES + 1) throw corrupt(baseOffset, 0, `ziplist of ${size} bytes is shorter than its header`);
  const total = buf.readUInt32LE(0);
  if (total !== size) throw corrupt(baseOffset, 0, `ziplist header says ${total} bytes, blob has ${size}`);
  if (buf[size - 1] !== ZL_END) throw corrupt(baseOffset, size - 1, 'ziplist does not end with 0xFF');
  const tail = buf.readUInt32LE(4);
  if (tail > size - 1) throw corrupt(baseOffset, 4, 'ziplist tail offset outside the blob');
  const declared = buf.readUInt16LE(8);
  const last = size - 1;
  const out: Bytes[] = [];
  let p = ZL_HEADER_BYTES;
  let prevEntryBytes = 0;
  let prevStart = -1;
  while (p < last) {
    const start = p;
    let prevlen: number;
    if ((buf[p] as number) < ZL_BIG_PREVLEN) {
      prevlen = buf[p] as number;
      p += 1;
    } else if (buf[p] === ZL_BIG_PREVLEN) {
      if (p + 5 > last) throw corrupt(baseOffset, p, 'prevlen overruns ziplist');
      prevlen = buf.readUInt32LE(p + 1);
      p += 5;
    } else {
      throw corrupt(baseOffset, p, 'ziplist entry starts with 0xFF before the end');
    }
    if (prevlen !== prevEntryBytes) throw corrupt(baseOffset, start, `prevlen ${prevlen} does not match previous entry size ${prevEntryBytes}`);
    if (p >= last) throw corrupt(baseOffset, p, 'entry encoding overruns ziplist');
    const enc = buf[p] as number;
    const kind = enc >>> 6;
    let value: Bytes;
    if (kind === 0) {
      const len = enc & 0x3f;
      if (p + 1 + len > last) throw corrupt(baseOffset, p, 'string entry overruns ziplist');
      value = latin1(buf, p + 1, p + 1 + len);
      p += 1 + len;
    } else if (kind === 1) {
      if (p + 2 > last) throw corrupt(baseOffset, p, 'string header overruns ziplist');
      const len = ((enc & 0x3f) << 8) | (buf[p + 1] as number);
      if (p + 2 + len > last) throw corrupt(baseOffset, p, 'string entry overruns ziplist');
      value = latin1(buf, p + 2, p + 2 + len);
      p += 2 + len;
    } else if (kind === 2) {
      if (enc !== 0x80) throw corrupt(baseOffset, p, `invalid ziplist string encoding 0x${enc.toString(16)}`);
      if (p + 5 > last) throw corrupt(baseOffset, p, 'string header overruns ziplist');
      const len = buf.readUInt32BE(p + 1);
      if (p + 5 + len > last) throw corrupt(baseOffset, p, 'string entry overruns ziplist');
      value = latin1(buf, p + 5, p + 5 + len);
      p += 5 + len;
    } else {
      let dataBytes: number;
      switch (enc) {
        case 0xc0: dataBytes = 2; break;
        case 0xd0: dataBytes = 4; break;
        case 0xe0: dataBytes = 8; break;
        case 0xf0: dataBytes = 3; break;
        case 0xfe: dataBytes = 1; break;
        default:
          if (enc >= 0xf1 && enc <= 0xfd) {
            dataBytes = 0;
          } else {
            throw corrupt(baseOffset, p, `invalid ziplist integer encoding 0x${enc.toString(16)}`);
          }
      }
      if (p + 1 + dataBytes > last) throw corrupt(baseOffset, p, 'integer entry overruns ziplist');
      const d = p + 1;
      switch (enc) {
        case 0xc0: value = String(buf.readInt16LE(d)); break;
        case 0xd0: value = String(buf.readInt32LE(d)); break;
        case 0xe0: value = buf.readBigInt64LE(d).toString(); break;
        case 0xf0: value = String(buf.readIntLE(d, 3)); break;
        case 0xfe: value = String(buf.readInt8(d)); break;
        default: value = String((enc & 0x0f) - 1);
      }
      p += 1 + dataBytes;
    }
    out.push(value);
    prevEntryBytes = p - start;
    prevStart = start;
  }
  if (p !== last) throw corrupt(baseOffset, p, 'ziplist entries do not end at the terminator');
  if (prevStart !== -1 && prevStart !== tail) throw corrupt(baseOffset, 4, `ziplist tail offset ${tail} does not point at the last entry (${prevStart})`);
  if (declared !== 65535 && declared !== out.length) {
    throw corrupt(baseOffset, 8, `ziplist header counts ${declared} entries, found ${out.length}`);
  }
  return out;
}

/** Encodes byte strings as a ziplist the way ziplistPush would (short integer strings as integers). */
export function encodeZiplist(items: readonly Bytes[]): Buffer {
  let bytes = ZL_HEADER_BYTES + 1;
  const ints: (number | bigint | null)[] = new Array<number | bigint | null>(items.length);
  const sizes: number[] = new Array<number>(items.length);
  let prev = 0;
  for (let i = 0; i < items.length; i++) {
    const s = items[i] as Bytes;
    const v = s.length < 32 ? canonicalInt(s) : null;
    ints[i] = v;
    let body: number;
    if (v !== null) {
      body = 1 + intDataBytes(v);
    } else {
      const len = s.length;
      body = (len <= 0x3f ? 1 : len <= 0x3fff ? 2 : 5) + len;
    }
    const size = (prev < ZL_BIG_PREVLEN ? 1 : 5) + body;
    sizes[i] = size;
    prev = size;
    bytes += size;
  }
  const out = Buffer.allocUnsafe(bytes);
  out.writeUInt32LE(bytes, 0);
  out.writeUInt16LE(items.length < 65535 ? items.length : 65535, 8);
  let p = ZL_HEADER_BYTES;
  let tail = ZL_HEADER_BYTES;
  prev = 0;
  for (let i = 0; i < items.length; i++) {
    tail = p;
    if (prev < ZL_BIG_PREVLEN) {
      out[p++] = prev;
    } else {
      out[p] = ZL_BIG_PREVLEN;
      out.writeUInt32LE(prev, p + 1);
      p += 5;
    }
    const v = ints[i];
    if (v !== null && v !== undefined) {
      p = writeZiplistInt(out, p, v);
    } else {
      const s = items[i] as Bytes;
      const len = s.length;
      if (len <= 0x3f) {
        out[p++] = len;
      } else if (len <= 0x3fff) {
        out[p++] = 0x40 | (len >>> 8);
        out[p++] = len & 0xff;
      } else {
        out[p++] = 0x80;
        out.writeUInt32BE(len, p);
        p += 4;
      }
      out.latin1Write(s, p, len);
      p += len;
    }
    prev = sizes[i] as number;
  }
  out[p] = ZL_END;
  out.writeUInt32LE(tail, 4);
  return out;
}

function intDataBytes(v: number | bigint): number {
  if (typeof v === 'bigint') return 8;
  if (v >= 0 && v <= 12) return 0;
  if (v >= -128 && v <= 127) return 1;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -8388608 && v <= 8388607) return 3;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

function writeZiplistInt(out: Buffer, p: number, v: number | bigint): number {
  if (typeof v === 'bigint') {
    out[p] = 0xe0;
    out.writeBigInt64LE(v, p + 1);
    return p + 9;
  }
  if (v >= 0 && v <= 12) {
    out[p] = 0xf1 + v;
    return p + 1;
  }
  if (v >= -128 && v <= 127) {
    out[p] = 0xfe;
    out.writeInt8(v, p + 1);
    return p + 2;
  }
  if (v >= -32768 && v <= 32767) {
    out[p] = 0xc0;
    out.writeInt16LE(v, p + 1);
    return p + 3;
  }
  if (v >= -8388608 && v <= 8388607) {
    out[p] = 0xf0;
    out.writeIntLE(v, p + 1, 3);
    return p + 4;
  }
  if (v >= -2147483648 && v <= 2147483647) {
    out[p] = 0xd0;
    out.writeInt32LE(v, p + 1);
    return p + 5;
  }
  out[p] = 0xe0;
  out.writeBigInt64LE(BigInt(v), p + 1);
  return p + 9;
}
