/**
 * Input fuzzing of the decoders that read untrusted bytes: RDB files, AOF command logs and RESP request streams.
 * Each case mutates a real sample (bit flips, truncation, inflated length fields, spliced garbage) and feeds it,
 * split into random chunks, to the decoder. The only acceptable outcomes are a decoded result or the decoder's
 * own error value (RdbError, AofFormatError, a ProtocolError value); anything else — another exception, or a
 * case taking longer than `caseMsMax` — is a violation.
 */
import {
  AofFormatError,
  AofReader,
  RdbError,
  RdbParser,
  RequestParser,
  type RdbReadOptions,
} from '../../formats/index.js';
import { seededRandom } from './simulator.js';

export type InputKind = 'rdb' | 'aof' | 'resp';

export interface InputFuzzOptions {
  kind: InputKind;
  seed: number;
  runs: number;
  /** Sample inputs (corpus files, or generated streams for resp). */
  samples: readonly Uint8Array[];
  caseMsMax?: number;
  now?(): number;
}

export interface InputFuzzResult {
  runs: number;
  /** Cases that ended in the decoder's own error value. */
  rejected: number;
  violations: { run: number; seed: number; message: string }[];
}

/** One mutation of `input`, chosen by `random`. */
export function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const bytes = Buffer.from(input);
  const at = (): number => Math.floor(random() * Math.max(1, bytes.length));
  const kind = Math.floor(random() * 5);
  if (kind === 0) {
    for (let i = 0, n = 1 + Math.floor(random() * 4); i < n && bytes.length > 0; i++) bytes[at()]! ^= 1 << Math.floor(random() * 8);
    return bytes;
  }
  if (kind === 1) return bytes.subarray(0, at());
  if (kind === 2) {
    // Inflate a length: a run of 0xff or a big-endian 32-bit length prefix (RDB 0x80, RESP digits).
    const i = at();
    const patch = random() < 0.5 ? Buffer.from([0x80, 0x7f, 0xff, 0xff, 0xff]) : Buffer.from('999999999', 'latin1');
    patch.copy(bytes, i, 0, Math.min(patch.length, bytes.length - i));
    return bytes;
  }
  if (kind === 3) {
    const i = at();
    const garbage = Buffer.alloc(1 + Math.floor(random() * 16));
    for (let j = 0; j < garbage.length; j++) garbage[j] = Math.floor(random() * 256);
    return Buffer.concat([bytes.subarray(0, i), garbage, bytes.subarray(i)]);
  }
  const i = at();
  const j = at();
  return Buffer.concat([bytes.subarray(0, Math.min(i, j)), bytes.subarray(Math.max(i, j))]);
}

function chunks(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const n = 1 + Math.floor(random() * (random() < 0.2 ? 16 : 65536));
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** Decodes `bytes` with the decoder of `kind`; true when it was rejected with the decoder's own error. */
function decode(kind: InputKind, pieces: readonly Uint8Array[], totalBytes: number): boolean {
  if (kind === 'rdb') {
    const options: RdbReadOptions = { totalBytes, stringBytesMax: 64 * 1024 * 1024 };
    const parser = new RdbParser(options);
    try {
      for (const piece of pieces) parser.feed(piece);
      parser.end();
      return false;
    } catch (err) {
      if (err instanceof RdbError) return true;
      throw err;
    }
  }
  if (kind === 'aof') {
    const reader = new AofReader({ maxBulkBytes: 64 * 1024 * 1024, maxArgs: 1024 * 1024 });
    try {
      for (const piece of pieces) {
        reader.feed(piece);
        while (reader.next() !== null);
      }
      return false;
    } catch (err) {
      if (err instanceof AofFormatError) return true;
      throw err;
    }
  }
  const parser = new RequestParser({ maxBulkBytes: 64 * 1024 * 1024, maxMultibulkCount: 1024 * 1024, maxInlineBytes: 64 * 1024 });
  let buffer = Buffer.alloc(0);
  for (const piece of pieces) {
    buffer = Buffer.concat([buffer, piece]);
    const result = parser.parse(buffer, 0, buffer.length, () => true);
    if (typeof result !== 'number') return true;
    buffer = buffer.subarray(result);
  }
  return false;
}

/** Random well-formed RESP request streams (multibulk and inline), the samples of the `resp` kind. */
export function respSamples(random: () => number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let c = 0, n = 1 + Math.floor(random() * 20); c < n; c++) {
      const args = Array.from({ length: 1 + Math.floor(random() * 5) }, () => 'x'.repeat(Math.floor(random() * 40)));
      if (random() < 0.2) s += args.map((a) => `"${a}"`).join(' ') + '\r\n';
      else s += `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
    }
    out.push(Buffer.from(s, 'latin1'));
  }
  return out;
}

export function runInputFuzz(options: InputFuzzOptions): InputFuzzResult {
  const now = options.now ?? Date.now;
  const caseMsMax = options.caseMsMax ?? 5000;
  const result: InputFuzzResult = { runs: 0, rejected: 0, violations: [] };
  if (options.samples.length === 0) throw new Error(`no ${options.kind} samples to mutate`);
  for (let run = 0; run < options.runs; run++) {
    const caseSeed = (options.seed + run) >>> 0;
    const random = seededRandom(caseSeed);
    const sample = options.samples[Math.floor(random() * options.samples.length)]!;
    const input = mutate(sample, random);
    const started = now();
    try {
      if (decode(options.kind, chunks(input, random), input.length)) result.rejected++;
    } catch (err) {
      result.violations.push({ run, seed: caseSeed, message: `uncaught ${(err as Error).name}: ${(err as Error).message}` });
    }
    const elapsed = now() - started;
    if (elapsed > caseMsMax) result.violations.push({ run, seed: caseSeed, message: `took ${elapsed} ms (hang?)` });
    result.runs++;
  }
  return result;
}
