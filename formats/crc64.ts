// CRC-64/Jones as Redis computes it (redis src/crc64.c): the RDB footer and the DUMP payload
// checksum. Owns only the arithmetic; callers decide what a mismatch means.
//
// Parameters (reflected form):
//   poly   0x95ac9329ac4bc9b5   (0xad93d23594c935a9 bit-reversed)
//   init   0, no final xor, refin/refout true
//   check  crc64("123456789") = 0xe9c6d914c4b8d9ca
//
// Speed: the 64-bit state is kept as two uint32 halves (hi, lo) so the hot loop never touches
// BigInt. Eight bytes are folded per step with slicing-by-8 tables (16 Uint32 lookups per step).
// Measured ~750 MB/s on a shared 2-core EPYC VM (test/formats/crc64.test.ts prints MB/s).

/** A CRC64 value or running state as two unsigned 32-bit halves. */
export interface Crc64Value {
  hi: number;
  lo: number;
}

const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

// TABLE_LO[k * 256 + i] / TABLE_HI[k * 256 + i]: slicing table k for byte value i.
const TABLE_LO = new Uint32Array(8 * 256);
const TABLE_HI = new Uint32Array(8 * 256);

function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry !== 0) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + i] as number;
      const prevHi = TABLE_HI[(k - 1) * 256 + i] as number;
      const index = prevLo & 0xff;
      // (prev >> 8) ^ T0[prev & 0xff]
      const shiftedLo = ((prevLo >>> 8) | ((prevHi & 0xff) << 24)) >>> 0;
      const shiftedHi = prevHi >>> 8;
      TABLE_LO[k * 256 + i] = (shiftedLo ^ (TABLE_LO[index] as number)) >>> 0;
      TABLE_HI[k * 256 + i] = (shiftedHi ^ (TABLE_HI[index] as number)) >>> 0;
    }
  }
}
buildTables();

// Signed views of the slicing tables: int32 loads stay in registers in V8's optimized code,
// uint32 loads above 2^31 would become doubles.
const SLICE_LO = new Int32Array(TABLE_LO.buffer);
const SLICE_HI = new Int32Array(TABLE_HI.buffer);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const MASK64 = (1n << 64n) - 1n;

export function crc64FromBigInt(value: bigint): Crc64Value {
  const v = value & MASK64;
  return { hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) };
}

export function crc64ToBigInt(value: Crc64Value): bigint {
  return (BigInt(value.hi >>> 0) << 32n) | BigInt(value.lo >>> 0);
}

/**
 * Continues a CRC64 over buf[start, end). `prev` is the CRC of everything before (0n or
 * {hi:0, lo:0} to start). Returns a new value; `prev` is not modified.
 */
export function crc64(
  prev: bigint | Crc64Value,
  buf: Uint8Array,
  start = 0,
  end: number = buf.length,
): Crc64Value {
  const state = typeof prev === 'bigint' ? crc64FromBigInt(prev) : { hi: prev.hi, lo: prev.lo };
  crc64Update(state, buf, start, end);
  return state;
}

/** In-place variant of crc64() for running checksums; mutates `state`. */
export function crc64Update(state: Crc64Value, buf: Uint8Array, start: number, end: number): void {
  let lo = state.lo >>> 0;
  let hi = state.hi >>> 0;
  let i = start;
  const L0 = SLICE_LO;
  const H0 = SLICE_HI;
  // Byte-wise until the input is 4-byte aligned, so the bulk can be read as uint32 words.
  while (i < end && ((buf.byteOffset + i) & 3) !== 0) {
    const index = (lo ^ (buf[i] as number)) & 0xff;
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ (L0[index] as number);
    hi = (hi >>> 8) ^ (H0[index] as number);
    i++;
  }
  const words = (end - i) >>> 3;
  if (words > 0 && LITTLE_ENDIAN) {
    const view = new Int32Array(buf.buffer, buf.byteOffset + i, words * 2);
    const n = words * 2;
    const L = SLICE_LO;
    const H = SLICE_HI;
    for (let w = 0; w < n; w += 2) {
      lo ^= view[w] as number;
      hi ^= view[w + 1] as number;
      const a = 1792 + (lo & 0xff);
      const b = 1536 + ((lo >>> 8) & 0xff);
      const c = 1280 + ((lo >>> 16) & 0xff);
      const d = 1024 + (lo >>> 24);
      const e = 768 + (hi & 0xff);
      const f = 512 + ((hi >>> 8) & 0xff);
      const g = 256 + ((hi >>> 16) & 0xff);
      const h = hi >>> 24;
      lo = (L[a] as number) ^ (L[b] as number) ^ (L[c] as number) ^ (L[d] as number) ^
        (L[e] as number) ^ (L[f] as number) ^ (L[g] as number) ^ (L[h] as number);
      hi = (H[a] as number) ^ (H[b] as number) ^ (H[c] as number) ^ (H[d] as number) ^
        (H[e] as number) ^ (H[f] as number) ^ (H[g] as number) ^ (H[h] as number);
    }
    i += words * 8;
  }
  while (i < end) {
    const index = (lo ^ (buf[i] as number)) & 0xff;
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ (L0[index] as number);
    hi = (hi >>> 8) ^ (H0[index] as number);
    i++;
  }
  state.lo = lo >>> 0;
  state.hi = hi >>> 0;
}

/** Writes a CRC64 value as 8 little-endian bytes (the RDB/DUMP footer layout). */
export function crc64WriteLE(value: Crc64Value, out: Uint8Array, offset: number): void {
  const lo = value.lo >>> 0;
  const hi = value.hi >>> 0;
  out[offset] = lo & 0xff;
  out[offset + 1] = (lo >>> 8) & 0xff;
  out[offset + 2] = (lo >>> 16) & 0xff;
  out[offset + 3] = lo >>> 24;
  out[offset + 4] = hi & 0xff;
  out[offset + 5] = (hi >>> 8) & 0xff;
  out[offset + 6] = (hi >>> 16) & 0xff;
  out[offset + 7] = hi >>> 24;
}

/** Reads 8 little-endian bytes as a CRC64 value. */
export function crc64ReadLE(buf: Uint8Array, offset: number): Crc64Value {
  const lo = ((buf[offset] as number) | ((buf[offset + 1] as number) << 8) | ((buf[offset + 2] as number) << 16) | ((buf[offset + 3] as number) << 24)) >>> 0;
  const hi = ((buf[offset + 4] as number) | ((buf[offset + 5] as number) << 8) | ((buf[offset + 6] as number) << 16) | ((buf[offset + 7] as number) << 24)) >>> 0;
  return { hi, lo };
}

export function crc64Equal(a: Crc64Value, b: Crc64Value): boolean {
  return a.hi >>> 0 === b.hi >>> 0 && a.lo >>> 0 === b.lo >>> 0;
}
