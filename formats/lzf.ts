// LZF (liblzf 3.x format, as Redis bundles it in src/lzf_c.c / src/lzf_d.c): the compression of
// RDB strings (RDB_ENC_LZF) and of quicklist nodes. This module owns the byte format only; the
// decision to compress (length > 20, output at most length - 4) belongs to the RDB writer.
//
// Stream of chunks, each starting with a control byte:
//
//   000LLLLL  <L+1 literal bytes>                       literal run, 1..32 bytes
//   LLLooooo  oooooooo                                  back reference, L in 1..6: length L+2
//   111ooooo  LLLLLLLL  oooooooo                        back reference, length 7+L+2 (9..264)
//
// A back reference copies `length` bytes starting `offset + 1` bytes behind the output cursor
// (offset = 13 bits, so up to 8192 back); source and target may overlap (run-length copies).

/** Why a decompression failed. Decompression never throws; callers turn this into their error. */
export type LzfError = 'output-overflow' | 'input-truncated' | 'back-reference-out-of-range';

export interface LzfDecompressResult {
  /** Bytes written to `out`, or -1 on error. */
  written: number;
  error: LzfError | null;
  /** Offset in the input where the error was detected (relative to `inStart`). */
  errorOffset: number;
}

const MAX_LITERAL = 32;
const MAX_OFFSET = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const HASH_LOG = 16;
const HASH_SIZE = 1 << HASH_LOG;
const HASH_MASK = HASH_SIZE - 1;

/**
 * Decompresses input[inStart, inEnd) into out[outStart, outEnd). Every read and write is
 * bounds-checked; the result says how many bytes were written or why it stopped.
 */
export function lzfDecompressInto(
  input: Uint8Array,
  inStart: number,
  inEnd: number,
  out: Uint8Array,
  outStart: number,
  outEnd: number,
): LzfDecompressResult {
  let ip = inStart;
  let op = outStart;
  while (ip < inEnd) {
    const ctrl = input[ip++] as number;
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outEnd) return fail('output-overflow', ip - 1 - inStart);
      if (ip + run > inEnd) return fail('input-truncated', ip - 1 - inStart);
      if (run < 16) {
        for (let k = 0; k < run; k++) out[op + k] = input[ip + k] as number;
      } else {
        out.set(input.subarray(ip, ip + run), op);
      }
      op += run;
      ip += run;
      continue;
    }
    const at = ip - 1;
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= inEnd) return fail('input-truncated', at - inStart);
      len += input[ip++] as number;
    }
    if (ip >= inEnd) return fail('input-truncated', at - inStart);
    const ref = op - ((ctrl & 0x1f) << 8) - 1 - (input[ip++] as number);
    len += 2;
    if (op + len > outEnd) return fail('output-overflow', at - inStart);
    if (ref < outStart) return fail('back-reference-out-of-range', at - inStart);
    if (ref + len <= op && len >= 32) {
      out.copyWithin(op, ref, ref + len);
      op += len;
    } else {
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k] as number;
      op += len;
    }
  }
  return { written: op - outStart, error: null, errorOffset: -1 };
}

function fail(error: LzfError, errorOffset: number): LzfDecompressResult {
  return { written: -1, error, errorOffset };
}

/**
 * Decompresses to a new buffer of exactly `expectedBytes`. Returns null when the data is
 * malformed or does not expand to exactly that size (Redis treats both as corruption).
 */
export function lzfDecompress(input: Uint8Array, expectedBytes: number): Buffer | null {
  const out = Buffer.allocUnsafe(expectedBytes);
  const result = lzfDecompressInto(input, 0, input.length, out, 0, expectedBytes);
  if (result.error !== null || result.written !== expectedBytes) return null;
  return out;
}

// The compressor reproduces liblzf 3.6's lzf_compress exactly as Redis 7.0 builds it (src/lzfP.h: HLOG 16,
// VERY_FAST 1, ULTRA_FAST 0, CHECK_INPUT 1, no state argument), so DUMP payloads and RDB strings
// match Redis byte for byte. Every choice below is part of the output, not a tuning knob:
//
//   hash      h = the 3 bytes at ip as a 24-bit big-endian number; slot = ((h >> 8) - h*5) & 0xffff
//             (liblzf's FRST/NEXT/IDX with HLOG 16; NEXT rolls h by one byte per position)
//   table     one position per slot, the latest one written wins; no chains
//   match     candidate ref from the slot of ip, accepted when start < ref < ip (a match at the
//             very first input byte is never taken: liblzf tests ref > in_data), ip - ref - 1 <
//             MAX_OFFSET and the 3 bytes are equal
//   length    grown byte by byte up to min(end - ip - 2, MAX_REF); when that limit exceeds 16,
//             liblzf first compares 16 bytes unrolled without looking at the limit (so a match
//             near the end can reach 19 bytes although the limit says 17 or 18)
//   indexing  positions inside a match are not hashed except its last two (VERY_FAST)
//   tail      the last two input bytes are always literals
//   output    "would not fit" follows liblzf's tests: a literal needs op < outEnd, a reference
//             op + 4 < outEnd (or op - 1 + 4 < outEnd when it replaces an empty literal run),
//             and the last two literals op + 3 <= outEnd whatever they need. That last test
//             decides (the others only stop early): liblzf refuses some outputs that would fit,
//             and Redis, which calls it with outBytesMax = length - 4, then stores the raw string.
//
// Every call starts from an empty table. Redis's table is an uninitialised stack array
// (INIT_HTAB 0) that still holds pointers from earlier calls; the ref tests reject such a stale
// pointer unless it lands inside the current input, before ip, on a position this call skipped
// inside a match and whose 3 bytes equal those at ip. Compressing a fresh buffer, or the same bytes
// again, therefore gives liblzf's fresh-table output, which is ours; a string rewritten in place
// at the same address (APPEND, SETRANGE) could in principle compress differently in Redis.
//
// Entries are stored as position + hashBase and hashBase grows by each input's length, so entries
// from earlier calls read as positions before `start` (stale) without clearing 256 KiB per call,
// which dominated the cost of compressing many short strings.
const hashTable = new Int32Array(HASH_SIZE).fill(-1);
let hashBase = 0;

/**
 * Compresses input[start, end) into out[0, outBytesMax) (outBytesMax is clamped to out.length).
 * Returns the compressed length, or 0 when the input is empty or the output would not fit by
 * liblzf's tests (the caller then stores the string raw). Same bytes and same 0 as liblzf 3.6's
 * lzf_compress(input + start, end - start, out, outBytesMax) in Redis 7.0.
 */
export function lzfCompressInto(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outBytesMax: number,
): number {
  const inLen = end - start;
  const outEnd = Math.min(outBytesMax, out.length);
  if (inLen <= 0 || outEnd <= 0) return 0;
  const htab = hashTable;
  if (hashBase + inLen + 1 > 0x3fffffff) {
    htab.fill(-1);
    hashBase = 0;
  }
  const base = hashBase - start; // stored value = position + base
  hashBase += inLen + 1;
  let op = 1; // out[0] is the control byte of the first literal run
  let lit = 0; // literal bytes in the current run
  let ip = start;
  const matchEnd = end - 2;
  let hval = ((input[ip] as number) << 8) | (input[ip + 1] ?? 0);
  while (ip < matchEnd) {
    hval = ((hval << 8) | (input[ip + 2] as number)) & 0xffffff;
    const slot = ((hval >>> 8) - hval * 5) & HASH_MASK;
    const ref = (htab[slot] as number) - base;
    htab[slot] = ip + base;
    const off = ip - ref - 1;
    if (
      ref > start &&
      off >= 0 &&
      off < MAX_OFFSET &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      if (op + 4 >= outEnd && op - (lit === 0 ? 1 : 0) + 4 >= outEnd) return 0;
      const len = matchLength(input, ref, ip, end);
      // Close the literal run; an empty one gives its control byte to the reference. Written
      // without a branch, as liblzf does: a rarely taken `op--` cost a deoptimisation per call.
      out[op - lit - 1] = lit - 1;
      op -= lit === 0 ? 1 : 0;
      const code = len - 2; // 1..262: 1..6 fit the control byte, 7.. take one more byte
      if (code < 7) {
        out[op++] = (off >>> 8) + (code << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = code - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len;
      if (ip >= matchEnd) break;
      // Hash the last two positions of the match (VERY_FAST).
      ip -= 2;
      hval = ((input[ip] as number) << 8) | (input[ip + 1] as number);
      hval = ((hval << 8) | (input[ip + 2] as number)) & 0xffffff;
      htab[((hval >>> 8) - hval * 5) & HASH_MASK] = ip + base;
      ip++;
      hval = ((hval << 8) | (input[ip + 2] as number)) & 0xffffff;
      htab[((hval >>> 8) - hval * 5) & HASH_MASK] = ip + base;
      ip++;
      continue;
    }
    if (op >= outEnd) return 0;
    lit++;
    out[op++] = input[ip++] as number;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (op + 3 > outEnd) return 0; // at most 3 more bytes: two literals and a control byte
  while (ip < end) {
    lit++;
    out[op++] = input[ip++] as number;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // close the last run (an empty one is dropped: 255 lands past the end)
  return op - (lit === 0 ? 1 : 0);
}

/**
 * Length of the match at ip against ref (their first 3 bytes are equal), as liblzf measures it:
 * up to min(end - ip - 2, MAX_REF), except that with a limit above 16 the first 16 further bytes
 * are compared before the limit is looked at, so the result can be 19 where the limit is 17 or 18.
 */
function matchLength(input: Uint8Array, ref: number, ip: number, end: number): number {
  let limit = end - ip - 2;
  if (limit > MAX_REF) limit = MAX_REF;
  let len = 3;
  if (limit > 16) {
    while (len < 19 && input[ref + len] === input[ip + len]) len++;
    if (len < 19) return len;
  }
  while (len < limit && input[ref + len] === input[ip + len]) len++;
  return len;
}

/**
 * Compresses a whole buffer; returns null unless the result is strictly smaller than
 * `outBytesMax` permits (default: input length - 1).
 */
export function lzfCompress(input: Uint8Array, outBytesMax: number = input.length - 1): Buffer | null {
  if (outBytesMax <= 0) return null;
  const out = Buffer.allocUnsafe(outBytesMax + 1);
  const written = lzfCompressInto(input, 0, input.length, out, outBytesMax);
  if (written === 0) return null;
  return out.subarray(0, written);
}
