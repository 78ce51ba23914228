// HyperLogLog exactly as Redis 7.0 stores and counts it (redis src/hyperloglog.c): the same hash,
// the same sparse/dense byte layouts, the same in-place sparse edits and promotion points, and
// the same estimator, so that `GET key` after any PFADD/PFMERGE/PFCOUNT sequence is byte-equal
// to real Redis. Commands own lookups, type checks of non-strings, replies and propagation;
// this module only transforms string values.
//
// Sparse validity follows the CVE-2025-32023 fix that patched 7.0.x builds carry: a stream is
// valid only if no opcode runs past register 16383 and the runs end exactly at 16384 (unpatched
// 7.0.15 tolerated a trailing overflowing VAL in PFMERGE/PFCOUNT of several keys).
//
// Value layout (all multi-byte integers little endian):
//
//   +------+---+-----+--------+---------------------------------+
//   | HYLL | E | N N N | Q Q Q Q Q Q Q Q | registers ...         |
//   +------+---+-----+--------+---------------------------------+
//    0..3   4   5..7   8..15    16..
//   E = encoding: 0 dense (exactly 16 + 12288 bytes), 1 sparse.
//   Q = cached cardinality; bit 7 of byte 15 set means "cache invalid".
//
// Dense: 16384 registers of 6 bits, packed LSB first:
//   +--------+--------+--------+------//
//   |11000000|22221111|33333322|55444444
// Sparse: a run-length opcode stream covering exactly 16384 registers:
//   00xxxxxx          ZERO:  xxxxxx+1 (1..64) registers set to 0
//   01xxxxxx yyyyyyyy XZERO: 14-bit xy+1 (1..16384) registers set to 0
//   1vvvvvxx          VAL:   xx+1 (1..4) registers set to vvvvv+1 (1..32)
import type { Bytes } from './bytes.js';

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_BITS = 6;
export const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
export const HLL_MAX_ENCODING = 1;
export const HLL_SPARSE_VAL_MAX_VALUE = 32;
export const HLL_SPARSE_VAL_MAX_LEN = 4;
export const HLL_SPARSE_ZERO_MAX_LEN = 64;
export const HLL_SPARSE_XZERO_MAX_LEN = 16384;
/** Default of the `hll-sparse-max-bytes` config. */
export const HLL_SPARSE_MAX_BYTES_DEFAULT = 3000;
const HLL_ALPHA_INF = 0.721347520444481703680;

/** A key's value as PFADD/PFCOUNT/PFMERGE see it: a string, missing, or a non-string type. */
export type HllInput = Bytes | null | typeof HLL_NOT_A_STRING;
/** Marks a key that exists but holds a non-string type (reply: the standard WRONGTYPE). */
export const HLL_NOT_A_STRING: unique symbol = Symbol('hll-not-a-string');

/**
 * Why an HLL command fails:
 * - 'wrongtype': a key holds a non-string (standard "-WRONGTYPE Operation against ...").
 * - 'invalid':   a string that is not an HLL ("-WRONGTYPE Key is not a valid HyperLogLog string value.").
 * - 'corrupt':   a sparse HLL with a broken opcode stream ("-INVALIDOBJ Corrupted HLL object detected").
 */
export type HllError = 'wrongtype' | 'invalid' | 'corrupt';

// ---------------------------------------------------------------------------------------------
// MurmurHash64A (seed 0xadc83b19), 64-bit arithmetic on two uint32 halves.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
let mulHi = 0;
let mulLo = 0;

/** (aHi:aLo) * (bHi:bLo) mod 2^64 into mulHi:mulLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const carry = Math.floor(low / 4294967296);
  mulLo = low >>> 0;
  const high = a1 * b1 + Math.floor(mid / 65536) + carry;
  mulHi = (high + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
}

let hashHi = 0;
let hashLo = 0;

/** MurmurHash64A of the latin1 string's bytes into hashHi:hashLo. */
function murmurHash64A(key: Bytes, seed: number): void {
  const length = key.length;
  mul64(0, length >>> 0, M_HI, M_LO);
  let hHi = mulHi;
  let hLo = (mulLo ^ seed) >>> 0;
  const blockEnd = length - (length & 7);
  for (let i = 0; i < blockEnd; i += 8) {
    let kLo = (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (key.charCodeAt(i + 4) | (key.charCodeAt(i + 5) << 8) | (key.charCodeAt(i + 6) << 16) |
      (key.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    kHi = mulHi;
    kLo = (mulLo ^ (kHi >>> 15)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    hHi = (hHi ^ mulHi) >>> 0;
    hLo = (hLo ^ mulLo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = mulHi;
    hLo = mulLo;
  }
  const tail = length & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = key.charCodeAt(blockEnd + j);
      if (j >= 4) hHi = (hHi ^ (byte << (8 * (j - 4)))) >>> 0;
      else hLo = (hLo ^ (byte << (8 * j))) >>> 0;
    }
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = mulHi;
    hLo = mulLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hHi = mulHi;
  hLo = (mulLo ^ (mulHi >>> 15)) >>> 0;
  hashHi = hHi;
  hashLo = hLo;
}

/** MurmurHash64A as Redis computes it, returned as an unsigned 64-bit bigint (for tests and tools). */
export function murmurHash64ABig(key: Bytes, seed: number = 0xadc83b19): bigint {
  murmurHash64A(key, seed >>> 0);
  return (BigInt(hashHi) << 32n) | BigInt(hashLo);
}

let patternIndex = 0;

/** hllPatLen: returns the run length "000..1" (1..51) and sets patternIndex to the register. */
function patternLength(element: Bytes): number {
  murmurHash64A(element, 0xadc83b19);
  patternIndex = hashLo & (HLL_REGISTERS - 1);
  // hash >> 14 with bit 50 forced on, then count trailing zeros + 1.
  const lo = ((hashLo >>> HLL_P) | (hashHi << (32 - HLL_P))) >>> 0;
  if (lo !== 0) return 32 - Math.clz32(lo & -lo);
  const hi = (hashHi >>> HLL_P) | (1 << (HLL_Q - 32));
  return 32 + 32 - Math.clz32(hi & -hi);
}

// ---------------------------------------------------------------------------------------------
// A growable byte buffer standing in for the sds string the C code edits in place.

interface HllBuffer {
  bytes: Uint8Array; // capacity >= length + 1 (the zero byte after the end that dense reads touch)
  length: number;
}

function bufferFrom(value: Bytes, extra: number): HllBuffer {
  const bytes = new Uint8Array(value.length + extra + 1);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  return { bytes, length: value.length };
}

function bufferToBytes(buffer: HllBuffer): Bytes {
  return Buffer.from(buffer.bytes.buffer, buffer.bytes.byteOffset, buffer.length).toString('latin1');
}

function makeRoomFor(buffer: HllBuffer, extra: number): void {
  if (buffer.bytes.length >= buffer.length + extra + 1) return;
  const grown = new Uint8Array((buffer.length + extra) * 2 + 1);
  grown.set(buffer.bytes.subarray(0, buffer.length));
  buffer.bytes = grown;
}

function createSparse(): HllBuffer {
  const sparseLength = HLL_HDR_SIZE +
    2 * Math.floor((HLL_REGISTERS + HLL_SPARSE_XZERO_MAX_LEN - 1) / HLL_SPARSE_XZERO_MAX_LEN);
  const buffer: HllBuffer = { bytes: new Uint8Array(sparseLength + 4), length: sparseLength };
  const b = buffer.bytes;
  b[0] = 0x48; b[1] = 0x59; b[2] = 0x4c; b[3] = 0x4c; // "HYLL"
  b[4] = HLL_SPARSE;
  let position = HLL_HDR_SIZE;
  let remaining = HLL_REGISTERS;
  while (remaining > 0) {
    const run = Math.min(remaining, HLL_SPARSE_XZERO_MAX_LEN);
    b[position] = ((run - 1) >> 8) | 0x40;
    b[position + 1] = (run - 1) & 0xff;
    position += 2;
    remaining -= run;
  }
  return buffer;
}

function invalidateCache(buffer: HllBuffer): void {
  buffer.bytes[15] = (buffer.bytes[15] ?? 0) | 0x80;
}

// ---------------------------------------------------------------------------------------------
// Dense registers.

function denseGet(b: Uint8Array, offset: number, index: number): number {
  const bit = index * HLL_BITS;
  const byte = offset + (bit >>> 3);
  const fb = bit & 7;
  return (((b[byte] ?? 0) >>> fb) | ((b[byte + 1] ?? 0) << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRaw(b: Uint8Array, offset: number, index: number, value: number): void {
  const bit = index * HLL_BITS;
  const byte = offset + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = ((b[byte] ?? 0) & ~(HLL_REGISTER_MAX << fb)) | ((value << fb) & 0xff);
  b[byte + 1] = ((b[byte + 1] ?? 0) & ~(HLL_REGISTER_MAX >>> fb8)) | (value >>> fb8);
}

/** hllDenseSet: true when the register grew. */
function denseSet(b: Uint8Array, index: number, count: number): boolean {
  if (count <= denseGet(b, HLL_HDR_SIZE, index)) return false;
  denseSetRaw(b, HLL_HDR_SIZE, index, count);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Sparse opcodes.

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXZero = (op: number): boolean => (op & 0xc0) === 0x40;
const isVal = (op: number): boolean => (op & 0x80) !== 0;
const zeroLength = (op: number): number => (op & 0x3f) + 1;
const xzeroLength = (op: number, next: number): number => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1;
const valLength = (op: number): number => (op & 0x3) + 1;
const valOpcode = (value: number, length: number): number => ((value - 1) << 2) | (length - 1) | 0x80;

/**
 * hllSparseToDense: rewrites `buffer` as dense (header copied, encoding 0). Returns false when the
 * opcode stream does not cover exactly 16384 registers (buffer left untouched).
 */
function sparseToDense(buffer: HllBuffer): boolean {
  const sparse = buffer.bytes;
  if (sparse[4] === HLL_DENSE) return true;
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  dense.set(sparse.subarray(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  let index = 0;
  let p = HLL_HDR_SIZE;
  const end = buffer.length;
  while (p < end) {
    const op = sparse[p] ?? 0;
    const run = isZero(op) ? zeroLength(op) : isXZero(op) ? xzeroLength(op, sparse[p + 1] ?? 0) : valLength(op);
    if (run + index > HLL_REGISTERS) return false;
    if (isVal(op)) {
      const value = valValue(op);
      for (let i = 0; i < run; i++) denseSetRaw(dense, HLL_HDR_SIZE, index + i, value);
    }
    index += run;
    p += isXZero(op) ? 2 : 1;
  }
  if (index !== HLL_REGISTERS) return false;
  buffer.bytes = dense;
  buffer.length = HLL_DENSE_SIZE;
  return true;
}

function writeZeroRun(seq: number[], length: number): void {
  if (length > HLL_SPARSE_ZERO_MAX_LEN) seq.push(((length - 1) >> 8) | 0x40, (length - 1) & 0xff);
  else seq.push(length - 1);
}

/**
 * hllSparseSet: raise register `index` to `count` in a sparse HLL, editing in place exactly as
 * Redis does (split the covering opcode, then merge adjacent equal VALs in a 5-opcode window).
 * Returns 1 when changed, 0 when not, -1 when the stream is corrupt. May promote `buffer` to
 * dense (count > 32, or growth past `sparseMaxBytes`).
 */
function sparseSet(buffer: HllBuffer, index: number, count: number, sparseMaxBytes: number): number {
  if (count > HLL_SPARSE_VAL_MAX_VALUE) return promote(buffer, index, count);
  makeRoomFor(buffer, 3);
  const b = buffer.bytes;
  const sparse = HLL_HDR_SIZE;
  let end = buffer.length;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p] ?? 0;
    let opLength = 1;
    if (isZero(op)) span = zeroLength(op);
    else if (isVal(op)) span = valLength(op);
    else { span = xzeroLength(op, b[p + 1] ?? 0); opLength = 2; }
    if (index <= first + span - 1) break;
    prev = p;
    p += opLength;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p] ?? 0;
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXZero(op);
  const runLength = zero ? zeroLength(op) : xzero ? xzeroLength(op, b[p + 1] ?? 0) : valLength(op);

  let done = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runLength === 1) { b[p] = valOpcode(count, 1); done = true; }
  }
  if (!done && zero && runLength === 1) { b[p] = valOpcode(count, 1); done = true; }
  if (!done) {
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) writeZeroRun(seq, index - first);
      seq.push(valOpcode(count, 1));
      if (index !== last) writeZeroRun(seq, last - index);
    } else {
      const current = valValue(op);
      if (index !== first) seq.push(valOpcode(current, index - first));
      seq.push(valOpcode(count, 1));
      if (index !== last) seq.push(valOpcode(current, last - index));
    }
    const deltaLength = seq.length - (xzero ? 2 : 1);
    if (deltaLength > 0 && buffer.length + deltaLength > sparseMaxBytes) return promote(buffer, index, count);
    if (deltaLength !== 0 && next >= 0) b.copyWithin(next + deltaLength, next, end);
    buffer.length += deltaLength;
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i] ?? 0;
    end += deltaLength;
  }
  mergeAdjacentValues(buffer, prev >= 0 ? prev : sparse, end);
  invalidateCache(buffer);
  return 1;
}

/** Step 4 of hllSparseSet: merge adjacent equal VAL opcodes, scanning up to 5 opcodes. */
function mergeAdjacentValues(buffer: HllBuffer, start: number, endIn: number): void {
  const b = buffer.bytes;
  let end = endIn;
  let p = start;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const op = b[p] ?? 0;
    if (isXZero(op)) { p += 2; continue; }
    if (isZero(op)) { p++; continue; }
    const nextOp = b[p + 1] ?? 0;
    if (p + 1 < end && isVal(nextOp)) {
      const value = valValue(op);
      if (value === valValue(nextOp)) {
        const length = valLength(op) + valLength(nextOp);
        if (length <= HLL_SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOpcode(value, length);
          b.copyWithin(p, p + 1, end);
          buffer.length--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
}

function promote(buffer: HllBuffer, index: number, count: number): number {
  if (!sparseToDense(buffer)) return -1;
  const grew = denseSet(buffer.bytes, index, count);
  if (!grew) throw new Error('hll: register did not grow after sparse->dense promotion');
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Validation and estimation.

/** isHLLObjectOrReply for a string value: header, magic, encoding, dense length. */
export function isValidHll(value: Bytes): boolean {
  if (value.length < HLL_HDR_SIZE) return false;
  if (value.charCodeAt(0) !== 0x48 || value.charCodeAt(1) !== 0x59 ||
    value.charCodeAt(2) !== 0x4c || value.charCodeAt(3) !== 0x4c) return false;
  const encoding = value.charCodeAt(4);
  if (encoding > HLL_MAX_ENCODING) return false;
  if (encoding === HLL_DENSE && value.length !== HLL_DENSE_SIZE) return false;
  return true;
}

function hllSigma(xIn: number): number {
  if (xIn === 1) return Infinity;
  let x = xIn;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(xIn: number): number {
  if (xIn === 0 || xIn === 1) return 0;
  let x = xIn;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The Ertl estimator over a register histogram (index = register value). */
function estimate(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - (histogram[HLL_Q + 1] ?? 0)) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j] ?? 0;
    z *= 0.5;
  }
  z += m * hllSigma((histogram[0] ?? 0) / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** Histogram of raw (one byte per register) registers. */
function rawHistogram(registers: Uint8Array): Int32Array {
  const histogram = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const register = registers[i] ?? 0;
    histogram[register] = (histogram[register] ?? 0) + 1;
  }
  return histogram;
}

/** Histogram of a validated value; null when its sparse stream is corrupt. */
function histogramOf(value: Bytes): Int32Array | null {
  const registers = new Uint8Array(HLL_REGISTERS);
  return mergeInto(registers, value) ? rawHistogram(registers) : null;
}

/** hllMerge into raw registers: false when a sparse stream is corrupt. */
function mergeInto(max: Uint8Array, value: Bytes): boolean {
  if (value.charCodeAt(4) === HLL_DENSE) {
    const b = Buffer.from(value, 'latin1');
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const register = denseGet(b, HLL_HDR_SIZE, i);
      if (register > (max[i] ?? 0)) max[i] = register;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < value.length) {
    const op = value.charCodeAt(p);
    const xzero = isXZero(op);
    const run = isZero(op) ? zeroLength(op)
      : xzero ? xzeroLength(op, p + 1 < value.length ? value.charCodeAt(p + 1) : 0) : valLength(op);
    if (run + i > HLL_REGISTERS) return false;
    if (isVal(op)) {
      const register = valValue(op);
      for (let j = i; j < i + run; j++) if (register > (max[j] ?? 0)) max[j] = register;
    }
    i += run;
    p += xzero ? 2 : 1;
  }
  return i === HLL_REGISTERS;
}

// ---------------------------------------------------------------------------------------------
// Command-level operations.

export type HllAddResult =
  | { ok: true; value: Bytes; updated: boolean }
  /** `value` is what the key must hold afterwards: Redis keeps edits made before the failure. */
  | { ok: false; error: HllError; value: Bytes | null };

/**
 * PFADD's effect on one key. `current` null creates a fresh sparse HLL (always `updated`).
 * Outcomes: ok with the new value (cache invalidated iff `updated`; unchanged bytes otherwise);
 * 'invalid' / 'wrongtype' before any change; 'corrupt' when an element lands on a broken sparse
 * stream, with the partially edited value (Redis does not roll back, and leaves the cache as is).
 */
export function hllAdd(current: HllInput, elements: readonly Bytes[], sparseMaxBytes: number): HllAddResult {
  if (current === HLL_NOT_A_STRING) return { ok: false, error: 'wrongtype', value: null };
  let updated = false;
  let buffer: HllBuffer;
  if (current === null) {
    buffer = createSparse();
    updated = true;
  } else {
    if (!isValidHll(current)) return { ok: false, error: 'invalid', value: current };
    buffer = bufferFrom(current, current.charCodeAt(4) === HLL_SPARSE ? 64 : 0);
  }
  for (const element of elements) {
    const count = patternLength(element);
    let result: number;
    if (buffer.bytes[4] === HLL_DENSE) result = denseSet(buffer.bytes, patternIndex, count) ? 1 : 0;
    else result = sparseSet(buffer, patternIndex, count, sparseMaxBytes);
    if (result === 1) updated = true;
    else if (result === -1) return { ok: false, error: 'corrupt', value: bufferToBytes(buffer) };
  }
  if (updated) invalidateCache(buffer);
  return { ok: true, value: bufferToBytes(buffer), updated };
}

export type HllCountResult =
  /** `updatedValue`: single-key form only, the value with the fresh cache to store back (and propagate). */
  | { ok: true; count: bigint; updatedValue: Bytes | null }
  | { ok: false; error: HllError };

/**
 * PFCOUNT. One key: the cached cardinality when valid, else the estimate plus the value with the
 * cache written. Several keys: the estimate of the union, nothing written. Keys are checked in
 * order and the first failing key decides the error, as in Redis.
 */
export function hllCount(values: readonly HllInput[]): HllCountResult {
  if (values.length === 1) {
    const value = values[0] ?? null;
    if (value === null) return { ok: true, count: 0n, updatedValue: null };
    if (value === HLL_NOT_A_STRING) return { ok: false, error: 'wrongtype' };
    if (!isValidHll(value)) return { ok: false, error: 'invalid' };
    if ((value.charCodeAt(15) & 0x80) === 0) {
      let cached = 0n;
      for (let i = 15; i >= 8; i--) cached = (cached << 8n) | BigInt(value.charCodeAt(i));
      return { ok: true, count: cached, updatedValue: null };
    }
    const histogram = histogramOf(value);
    if (histogram === null) return { ok: false, error: 'corrupt' };
    const count = estimate(histogram);
    let cache = '';
    let rest = count;
    for (let i = 0; i < 8; i++) {
      cache += String.fromCharCode(rest % 256);
      rest = Math.floor(rest / 256);
    }
    return { ok: true, count: BigInt(count), updatedValue: value.slice(0, 8) + cache + value.slice(16) };
  }
  const max = new Uint8Array(HLL_REGISTERS);
  for (const value of values) {
    if (value === null) continue;
    if (value === HLL_NOT_A_STRING) return { ok: false, error: 'wrongtype' };
    if (!isValidHll(value)) return { ok: false, error: 'invalid' };
    if (!mergeInto(max, value)) return { ok: false, error: 'corrupt' };
  }
  return { ok: true, count: BigInt(estimate(rawHistogram(max))), updatedValue: null };
}

export type HllMergeResult = { ok: true; value: Bytes } | { ok: false; error: HllError };

/**
 * PFMERGE dest src...: `values` are the values of argv[1..] in order, destination FIRST (Redis
 * merges the destination's own registers too). The result is dense iff some input was dense,
 * otherwise the destination (or a fresh sparse HLL) receives the registers one by one in index
 * order and may promote on the way. Cache always invalidated.
 */
export function hllMerge(values: readonly HllInput[], sparseMaxBytes: number): HllMergeResult {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (const value of values) {
    if (value === null) continue;
    if (value === HLL_NOT_A_STRING) return { ok: false, error: 'wrongtype' };
    if (!isValidHll(value)) return { ok: false, error: 'invalid' };
    if (value.charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!mergeInto(max, value)) return { ok: false, error: 'corrupt' };
  }
  const destination = values[0] ?? null;
  const buffer = destination === null || destination === HLL_NOT_A_STRING
    ? createSparse() : bufferFrom(destination, 64);
  if (useDense && !sparseToDense(buffer)) return { ok: false, error: 'corrupt' };
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const register = max[j] ?? 0;
    if (register === 0) continue;
    if (buffer.bytes[4] === HLL_DENSE) denseSet(buffer.bytes, j, register);
    else sparseSet(buffer, j, register, sparseMaxBytes);
  }
  invalidateCache(buffer);
  return { ok: true, value: bufferToBytes(buffer) };
}

/** Register values of a valid HLL (for tests / debugging, like PFDEBUG GETREG); null if corrupt. */
export function hllRegisters(value: Bytes): Uint8Array | null {
  if (!isValidHll(value)) return null;
  const registers = new Uint8Array(HLL_REGISTERS);
  return mergeInto(registers, value) ? registers : null;
}
