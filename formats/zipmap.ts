// Zipmap decoder (redis src/zipmap.c, Redis <= 2.4 small hashes): RDB type HASH_ZIPMAP. Read
// only; nothing writes zipmaps any more. Validates like zipmapValidateIntegrity(deep=1),
// including the header count check that makes Redis refuse a count byte of 255.
//
//   <count: 1 byte, 254 = unknown> (<len><field> <len><free:1 byte><value><free bytes>)... <0xFF>
//   len = 1 byte < 253, or 253 + u32 LE; 255 ends the zipmap

import { type Bytes, latin1 } from './bytes.js';
import { RdbError } from './errors.js';

const ZIPMAP_BIGLEN = 254;
const ZIPMAP_END = 255;

function corrupt(baseOffset: number, at: number, reason: string): RdbError {
  return new RdbError('CORRUPT_ZIPMAP', baseOffset + at, reason);
}

/** Decodes a zipmap blob to [field, value] pairs in stored order. */
export function decodeZipmap(buf: Buffer, baseOffset = 0): [Bytes, Bytes][] {
  const size = buf.length;
  if (size < 2) throw corrupt(baseOffset, 0, 'zipmap shorter than 2 bytes');
  const last = size - 1;
  if (buf[last] !== ZIPMAP_END) throw corrupt(baseOffset, last, 'zipmap does not end with 0xFF');
  const out: [Bytes, Bytes][] = [];
  let p = 1;
  const readLen = (): number => {
    const b = buf[p] as number;
    if (b < 253) {
      p += 1;
      return b;
    }
    if (b === 253) {
      if (p + 5 > last) throw corrupt(baseOffset, p, 'zipmap length overruns the blob');
      const v = buf.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    throw corrupt(baseOffset, p, `invalid zipmap length byte ${b}`);
  };
  while (buf[p] !== ZIPMAP_END) {
    const fieldLen = readLen();
    if (p + fieldLen > last) throw corrupt(baseOffset, p, 'zipmap field overruns the blob');
    const field = latin1(buf, p, p + fieldLen);
    p += fieldLen;
    if (p >= last) throw corrupt(baseOffset, p, 'zipmap value missing');
    const valueLen = readLen();
    if (p >= last) throw corrupt(baseOffset, p, 'zipmap free byte missing');
    const free = buf[p] as number;
    p += 1;
    if (p + valueLen + free > last) throw corrupt(baseOffset, p, 'zipmap value overruns the blob');
    const value = latin1(buf, p, p + valueLen);
    p += valueLen + free;
    out.push([field, value]);
  }
  if (p !== last) throw corrupt(baseOffset, p, 'zipmap terminator before the end of the blob');
  if (out.length === 0) throw corrupt(baseOffset, 0, 'empty zipmap');
  const count = buf[0] as number;
  if (count !== ZIPMAP_BIGLEN && count !== out.length) {
    throw corrupt(baseOffset, 0, `zipmap header counts ${count} entries, found ${out.length}`);
  }
  return out;
}
