// LZF (liblzf 3.x format, as Redis bundles it in src/lzf_c.c / src/lzf_d.c): the compression of
// RDB strings (RDB_ENC_LZF) and of quicklist nodes. This module owns the byte format only; the
// decision to compress (length > 20, output smaller than input) belongs to the RDB writer.
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
const HASH_LOG = 14;
const HASH_SIZE = 1 << HASH_LOG;

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

// Positions of recent 3-byte sequences, keyed by a multiplicative hash of the bytes. Entries are
// stored as position + hashBase and hashBase grows by each input's length, so entries from
// earlier calls read as positions before `start` (stale) without clearing the table per call:
// clearing 64 KiB per string dominated the cost of compressing many short strings.
const hashTable = new Int32Array(HASH_SIZE).fill(-1);
let hashBase = 0;

/**
 * Compresses input[start, end) into out, writing at most `outBytesMax` bytes. Returns the
 * compressed length, or 0 when the output would not fit (the caller then stores the string raw;
 * same contract as liblzf's lzf_compress). Output decodes with liblzf's lzf_decompress.
 */
export function lzfCompressInto(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outBytesMax: number,
): number {
  const inLen = end - start;
  if (inLen === 0) return 0;
  const htab = hashTable;
  if (hashBase + inLen + 1 > 0x3fffffff) {
    htab.fill(-1);
    hashBase = 0;
  }
  const base = hashBase - start; // stored value = position + base
  hashBase += inLen + 1;
  const outEnd = Math.min(outBytesMax, out.length);
  let op = 0;
  let lit = 0; // literal bytes in the current run
  // Reserve the control byte of the first literal run.
  if (op >= outEnd) return 0;
  op++;
  let ip = start;
  const matchLimit = end - 2;
  while (ip < end) {
    // A match needs 3 bytes; near the end only literals remain.
    if (ip < matchLimit) {
      const v = ((input[ip] as number) << 16) | ((input[ip + 1] as number) << 8) | (input[ip + 2] as number);
      const slot = Math.imul(v, 0x9e3779b1) >>> (32 - HASH_LOG);
      const ref = (htab[slot] as number) - base;
      htab[slot] = ip + base;
      const off = ip - ref - 1;
      if (
        ref >= start &&
        off < MAX_OFFSET &&
        input[ref] === input[ip] &&
        input[ref + 1] === input[ip + 1] &&
        input[ref + 2] === input[ip + 2]
      ) {
        // Match of at least 3 bytes.
        let len = 3;
        let maxLen = end - ip;
        if (maxLen > MAX_REF) maxLen = MAX_REF;
        while (len < maxLen && input[ref + len] === input[ip + len]) len++;
        // len = match length, 3..MAX_REF
        // Close the literal run (drop its control byte if empty).
        if (op + 3 + 1 > outEnd) return 0;
        if (lit === 0) {
          op--;
        } else {
          out[op - lit - 1] = lit - 1;
        }
        const encodedLen = len - 2;
        if (encodedLen < 7) {
          out[op++] = (off >>> 8) + (encodedLen << 5);
        } else {
          out[op++] = (off >>> 8) + (7 << 5);
          out[op++] = encodedLen - 7;
        }
        out[op++] = off & 0xff;
        // Start a new literal run.
        lit = 0;
        op++;
        ip += len;
        if (ip >= matchLimit) continue;
        // Index the positions inside the match (cheap: only the last two, as liblzf does).
        for (let p = ip - 2; p < ip; p++) {
          const w = ((input[p] as number) << 16) | ((input[p + 1] as number) << 8) | (input[p + 2] as number);
          htab[Math.imul(w, 0x9e3779b1) >>> (32 - HASH_LOG)] = p + base;
        }
        continue;
      }
    }
    // Literal byte.
    if (op + 1 >= outEnd) return 0;
    out[op++] = input[ip++] as number;
    lit++;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = MAX_LITERAL - 1;
      lit = 0;
      op++;
    }
  }
  if (lit === 0) {
    op--; // drop the unused control byte
  } else {
    out[op - lit - 1] = lit - 1;
  }
  if (op > outEnd) return 0;
  return op;
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
