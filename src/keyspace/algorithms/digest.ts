// DEBUG DIGEST and DEBUG DIGEST-VALUE exactly as Redis 7.0 computes them (redis src/debug.c
// xorDigest/mixDigest/xorObjectDigest/computeDatasetDigest), over plain data so any keyspace
// representation can feed it. Used to compare datasets across replicas, AOF/RDB reloads and
// real Redis.
//
//   xor(D, x):  D ^= SHA1(x)                  order-insensitive "add" (sets, hashes, keys)
//   mix(D, x):  D = SHA1(D ^ SHA1(x))          order-sensitive chaining (lists, streams)
//
//   value digest V (from 20 zero bytes):
//     mix(V, uint32_be(type))    type: string 0, list 1, set 2, zset 3, hash 4, stream 6
//     string: mix(V, value)      list: mix(V, item) per item in order
//     set:    xor(V, member)     zset: xor(V, E) with E = mix(mix(0, member), "%.17g" score)
//     hash:   xor(V, E) with E = mix(mix(0, field), value)
//     stream: per entry mix(V, "<ms>.<seq>"), then mix(V, field), mix(V, value) per pair
//             (consumer groups are not included in 7.0)
//     if the key has a TTL: xor(V, "!!expire!!")
//   DEBUG DIGEST-VALUE key = hex(V), or 40 zeros for a missing key.
//   DEBUG DIGEST: F = 0; for each non-empty db in id order: mix(F, uint32_be(db id)); then for
//     each key xor(F, K) with K = mix(0, key) followed by the value digest steps continuing on K.
//     An empty dataset gives 40 zeros.
//
// SHA-1 is computed in JS for short inputs (node:crypto's per-call setup costs more than the
// hash of a short member) and by node:crypto for long ones: the only non-pure import here, with
// no I/O and no global state. Both paths are checked against each other in the tests.
import { createHash } from 'node:crypto';
import type { Bytes } from './bytes.js';
import { formatDouble17g } from './numbers.js';

export type DigestValue =
  | { type: 'string'; value: Bytes }
  | { type: 'list'; items: Iterable<Bytes> }
  | { type: 'set'; members: Iterable<Bytes> }
  | { type: 'zset'; entries: Iterable<readonly [member: Bytes, score: number]> }
  | { type: 'hash'; entries: Iterable<readonly [field: Bytes, value: Bytes]> }
  | { type: 'stream'; entries: Iterable<DigestStreamEntry> };

export interface DigestStreamEntry {
  ms: bigint;
  seq: bigint;
  fields: Iterable<readonly [field: Bytes, value: Bytes]>;
}

export interface DigestKey {
  key: Bytes;
  value: DigestValue;
  /** True when the key has a TTL (its value does not matter to the digest). */
  hasExpire: boolean;
}

export interface DigestDatabase {
  id: number;
  keys: Iterable<DigestKey>;
}

/** OBJ_* type codes as mixed into the digest. */
const OBJ_TYPE = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

/** A 20-byte digest accumulator. */
export type Digest = Buffer;

export function emptyDigest(): Digest {
  return Buffer.alloc(20);
}

/** Inputs at least this long go to node:crypto; shorter ones use the JS SHA-1 below. */
const NATIVE_SHA1_BYTES_MIN = 512;
const words = new Int32Array(80);
const block = new Uint8Array(64);
const sha1Out = Buffer.alloc(20);

/** One SHA-1 compression of `block` into state h (FIPS 180-4, section 6.1.2). */
function compress(h: Int32Array): void {
  for (let t = 0; t < 16; t++) {
    words[t] = ((block[4 * t] ?? 0) << 24) | ((block[4 * t + 1] ?? 0) << 16) | ((block[4 * t + 2] ?? 0) << 8) | (block[4 * t + 3] ?? 0);
  }
  for (let t = 16; t < 80; t++) {
    const x = (words[t - 3] ?? 0) ^ (words[t - 8] ?? 0) ^ (words[t - 14] ?? 0) ^ (words[t - 16] ?? 0);
    words[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0] ?? 0; let b = h[1] ?? 0; let c = h[2] ?? 0; let d = h[3] ?? 0; let e = h[4] ?? 0;
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
    else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + (words[t] ?? 0)) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
  }
  h[0] = ((h[0] ?? 0) + a) | 0; h[1] = ((h[1] ?? 0) + b) | 0; h[2] = ((h[2] ?? 0) + c) | 0;
  h[3] = ((h[3] ?? 0) + d) | 0; h[4] = ((h[4] ?? 0) + e) | 0;
}

const byteAt = (data: Bytes | Uint8Array, i: number): number =>
  typeof data === 'string' ? data.charCodeAt(i) : (data[i] ?? 0);

/** SHA-1 of a byte string or bytes. The returned buffer is reused by the next call. */
function sha1(data: Bytes | Uint8Array): Buffer {
  const length = data.length;
  if (length >= NATIVE_SHA1_BYTES_MIN) {
    const hash = createHash('sha1');
    if (typeof data === 'string') hash.update(data, 'latin1');
    else hash.update(data);
    hash.digest().copy(sha1Out);
    return sha1Out;
  }
  const h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);
  let i = 0;
  for (; i + 64 <= length; i += 64) {
    for (let j = 0; j < 64; j++) block[j] = byteAt(data, i + j);
    compress(h);
  }
  const rest = length - i;
  block.fill(0);
  for (let j = 0; j < rest; j++) block[j] = byteAt(data, i + j);
  block[rest] = 0x80;
  if (rest >= 56) {
    compress(h);
    block.fill(0);
  }
  const bits = length * 8;
  block[59] = Math.floor(bits / 2 ** 32) & 0xff;
  block[60] = (bits >>> 24) & 0xff; block[61] = (bits >>> 16) & 0xff; block[62] = (bits >>> 8) & 0xff; block[63] = bits & 0xff;
  compress(h);
  for (let j = 0; j < 5; j++) sha1Out.writeInt32BE(h[j] ?? 0, 4 * j);
  return sha1Out;
}

/** xorDigest: digest ^= SHA1(data). */
export function xorDigest(digest: Digest, data: Bytes | Uint8Array): void {
  const hash = sha1(data);
  for (let j = 0; j < 20; j++) digest[j] = (digest[j] ?? 0) ^ (hash[j] ?? 0);
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)). */
export function mixDigest(digest: Digest, data: Bytes | Uint8Array): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** SHA-1 of `data` as a fresh 20-byte buffer (exported for tests). */
export function sha1Digest(data: Bytes | Uint8Array): Buffer {
  return Buffer.from(sha1(data));
}

function uint32BigEndian(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

const TYPE_BYTES = {
  string: uint32BigEndian(OBJ_TYPE.string), list: uint32BigEndian(OBJ_TYPE.list), set: uint32BigEndian(OBJ_TYPE.set),
  zset: uint32BigEndian(OBJ_TYPE.zset), hash: uint32BigEndian(OBJ_TYPE.hash), stream: uint32BigEndian(OBJ_TYPE.stream),
} as const;

function pairDigest(first: Bytes, second: Bytes): Digest {
  const element = emptyDigest();
  mixDigest(element, first);
  mixDigest(element, second);
  return element;
}

/** xorObjectDigest: continues `digest` with one value (and its TTL flag). */
export function addValueDigest(digest: Digest, value: DigestValue, hasExpire: boolean): void {
  mixDigest(digest, TYPE_BYTES[value.type]);
  switch (value.type) {
    case 'string':
      mixDigest(digest, value.value);
      break;
    case 'list':
      for (const item of value.items) mixDigest(digest, item);
      break;
    case 'set':
      for (const member of value.members) xorDigest(digest, member);
      break;
    case 'zset':
      for (const [member, score] of value.entries) xorDigest(digest, pairDigest(member, formatDouble17g(score)));
      break;
    case 'hash':
      for (const [field, fieldValue] of value.entries) xorDigest(digest, pairDigest(field, fieldValue));
      break;
    case 'stream':
      for (const entry of value.entries) {
        mixDigest(digest, `${entry.ms}.${entry.seq}`);
        for (const [field, fieldValue] of entry.fields) {
          mixDigest(digest, field);
          mixDigest(digest, fieldValue);
        }
      }
      break;
    default: {
      const never: never = value;
      throw new Error(`unknown digest value ${JSON.stringify(never)}`);
    }
  }
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** DEBUG DIGEST-VALUE of one key (null = missing key: all zeros). */
export function valueDigest(value: DigestValue | null, hasExpire: boolean): Digest {
  const digest = emptyDigest();
  if (value !== null) addValueDigest(digest, value, hasExpire);
  return digest;
}

/** DEBUG DIGEST: databases in ascending id order; empty databases are skipped like Redis. */
export function datasetDigest(databases: Iterable<DigestDatabase>): Digest {
  const final = emptyDigest();
  for (const database of databases) {
    let announced = false;
    for (const { key, value, hasExpire } of database.keys) {
      if (!announced) {
        mixDigest(final, uint32BigEndian(database.id));
        announced = true;
      }
      const digest = emptyDigest();
      mixDigest(digest, key);
      addValueDigest(digest, value, hasExpire);
      xorDigest(final, digest);
    }
  }
  return final;
}

/** The 40 lowercase hex chars DEBUG DIGEST / DIGEST-VALUE reply with. */
export function digestHex(digest: Digest): string {
  return digest.toString('hex');
}
