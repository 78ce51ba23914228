/**
 * HyperLogLog commands (redis `src/hyperloglog.c`): PFADD, PFCOUNT, PFMERGE. The byte-level work (sparse and
 * dense edits, promotion, estimation, cache) is `hllAdd/hllCount/hllMerge` in keyspace/algorithms; this module
 * does lookups, replies, notifications and propagation.
 *
 * Every HLL value the commands touch is left as a `MutableString` (`raw`), like Redis, which creates HLLs raw and
 * unshares them before use. PFCOUNT of one key whose cached cardinality is stale writes the cache back: Redis
 * counts that as a change and propagates the PFCOUNT itself, although the command is not flagged `write`, so
 * the propagation goes out explicitly through `engine.also`.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';
import { NOTIFY } from './engine.js';
import {
  HLL_NOT_A_STRING,
  MutableString,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  hllAdd,
  hllCount,
  hllMerge,
  hllRegisters,
  murmurHash64ABig,
  isString,
  isValidHll,
  stringBytes,
  type HllError,
  type HllInput,
  type RedisValue,
} from '../keyspace/index.js';
import { cstr, unshareString } from './strings.js';

function hllInput(value: RedisValue | undefined): HllInput {
  if (value === undefined) return null;
  if (!isString(value)) return HLL_NOT_A_STRING;
  return stringBytes(value);
}

function replyHllError(s: Session, error: HllError): void {
  const message = error === 'wrongtype' ? ERR.wrongType : error === 'invalid' ? ERR.hllInvalid : ERR.hllCorrupt;
  s.engine.replyError(s, message);
}

/** Replaces a key's string with `bytes` without signalling a change (an in-place edit in Redis). */
function replaceInPlace(s: Session, key: string, bytes: string): void {
  const entry = s.db.dict.get(key);
  if (entry === undefined) throw new Error('assertion failed: HLL key vanished');
  entry.value = new MutableString(bytes);
}

/**
 * How many of `elements` raise a register, one after the other, starting from `current`'s registers (Redis adds
 * one to server.dirty for each, which save points count).
 */
function registerRaises(current: string | null, elements: readonly string[], sparseMaxBytes: number): number {
  const registers = current === null ? new Uint8Array(1 << 14) : hllRegisters(current);
  let raises = 0;
  if (registers === null) {
    // A sparse stream that does not cover all registers can still take edits where it is readable: replay the
    // adds one by one (slow, but only for such damaged values).
    let value = current ?? '';
    for (const element of elements) {
      const step = hllAdd(value, [element], sparseMaxBytes);
      if (!step.ok) break;
      if (step.updated) raises++;
      value = step.value;
    }
    return raises;
  }
  for (const element of elements) {
    const hash = murmurHash64ABig(element);
    const index = Number(hash & 0x3fffn);
    let rest = (hash >> 14n) | (1n << 50n);
    let count = 1;
    while ((rest & 1n) === 0n) {
      count++;
      rest >>= 1n;
    }
    if (count > registers[index]!) {
      registers[index] = count;
      raises++;
    }
  }
  return raises;
}

/** PFADD key [element ...]: 1 when some register changed (or the key was created), else 0. */
function pfadd(s: Session, args: string[]): void {
  const key = args[1]!;
  const current = hllInput(s.db.getWrite(key));
  const result = hllAdd(current, args.slice(2), s.engine.keyspace.config.hllSparseMaxBytes);
  if (!result.ok) {
    // A corrupt sparse stream fails mid-way: Redis keeps the edits made before the failure.
    if (result.error === 'corrupt' && result.value !== null) replaceInPlace(s, key, result.value);
    replyHllError(s, result.error);
    return;
  }
  if (current === null) {
    s.db.add(key, new MutableString(result.value));
  } else if (result.updated) {
    s.db.set(key, new MutableString(result.value), true);
  } else {
    unshareString(s.db, key);
  }
  if (result.updated) {
    s.engine.notify(NOTIFY.string, 'pfadd', key, s.db.id);
    const before = current === HLL_NOT_A_STRING ? null : current;
    s.engine.addDirty((before === null ? 1 : 0) + registerRaises(before, args.slice(2), s.engine.keyspace.config.hllSparseMaxBytes));
  }
  s.reply.integer(result.updated ? 1 : 0);
}

/**
 * The inputs of argv[1..] read in order, stopping after the first one that fails (a non-string, an invalid or a
 * corrupt HLL): Redis checks each key as it reads it, so later keys are not even looked up (no lazy expiry, no
 * hit/miss count). With one key the check is left to the caller.
 */
function readInputs(s: Session, args: string[]): HllInput[] {
  const values: HllInput[] = [];
  for (let j = 1; j < args.length; j++) {
    const input = hllInput(s.db.getRead(args[j]!));
    values.push(input);
    if (input === HLL_NOT_A_STRING) break;
    if (input !== null && args.length > 2 && (!isValidHll(input) || hllRegisters(input) === null)) break;
  }
  return values;
}

/** PFCOUNT key [key ...]: cardinality of one HLL (refreshing its cache) or of the union of several. */
function pfcount(s: Session, args: string[]): void {
  const values = readInputs(s, args);
  // A multi-key PFCOUNT whose first key failed still takes the union path (never the single key's cache).
  if (args.length > 2 && values.length === 1) values.push(null);
  const result = hllCount(values);
  if (!result.ok) {
    if (args.length === 2 && result.error === 'corrupt') unshareString(s.db, args[1]!);
    replyHllError(s, result.error);
    return;
  }
  if (args.length === 2 && values[0] !== null) {
    const key = args[1]!;
    if (result.updatedValue !== null) {
      s.db.set(key, new MutableString(result.updatedValue), true);
      s.engine.addDirty();
      s.engine.also(s.db.id, args);
    } else {
      unshareString(s.db, key);
    }
  }
  s.reply.integer(result.count);
}

/** PFMERGE destkey [sourcekey ...]: the union of all, destination included, stored at destkey. */
function pfmerge(s: Session, args: string[]): void {
  const values = readInputs(s, args);
  const result = hllMerge(values, s.engine.keyspace.config.hllSparseMaxBytes);
  if (!result.ok) {
    replyHllError(s, result.error);
    return;
  }
  const key = args[1]!;
  if (s.db.getWrite(key) === undefined) s.db.add(key, new MutableString(result.value));
  else s.db.set(key, new MutableString(result.value), true);
  s.engine.keyModified(s.db, key);
  s.engine.notify(NOTIFY.string, 'pfadd', key, s.db.id);
  s.engine.addDirty();
  s.reply.ok();
}

// ---------------------------------------------------------------------------------------------------------
// PFDEBUG

/** A dense HLL with every register zero: merged into a sparse one, it yields the sparse one's dense form. */
const EMPTY_DENSE = 'HYLL' + '\0'.repeat(HLL_DENSE_SIZE - 4);

/**
 * redis hllSparseToDense: the dense form of a sparse HLL, its header (cache included) kept as is; null when the
 * sparse stream is corrupt.
 */
function toDense(value: string): string | null {
  const merged = hllMerge([value, EMPTY_DENSE], Number.MAX_SAFE_INTEGER);
  if (!merged.ok) return null;
  return value.slice(0, 4) + '\0' + value.slice(5, HLL_HDR_SIZE) + merged.value.slice(HLL_HDR_SIZE);
}

/** PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len" and "v:value,len" words. */
function decodeSparse(value: string): string {
  const words: string[] = [];
  for (let p = HLL_HDR_SIZE; p < value.length; ) {
    const op = value.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      words.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      words.push(`Z:${(((op & 0x3f) << 8) | (value.charCodeAt(p + 1) || 0)) + 1}`);
      p += 2;
    } else {
      words.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 0x3) + 1}`);
      p++;
    }
  }
  return words.join(' ');
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: HLL internals (redis pfdebugCommand). */
function pfdebug(s: Session, args: string[]): void {
  const sub = args[1]!;
  const key = args[2]!;
  const stored = s.db.getWrite(key);
  if (stored === undefined) {
    s.engine.replyError(s, 'ERR The specified key does not exist');
    return;
  }
  const input = hllInput(stored);
  if (input === HLL_NOT_A_STRING || input === null || !isValidHll(input)) {
    replyHllError(s, input === HLL_NOT_A_STRING ? 'wrongtype' : 'invalid');
    return;
  }
  unshareString(s.db, key);
  const name = cstr(sub).toLowerCase();
  const shown = cstr(sub).replace(/[\r\n]/g, ' ');
  if (!['getreg', 'decode', 'encoding', 'todense'].includes(name)) {
    s.engine.replyError(s, `ERR Unknown PFDEBUG subcommand '${shown}'`);
    return;
  }
  if (args.length !== 3) {
    s.engine.replyError(s, `ERR Wrong number of arguments for the '${shown}' subcommand`);
    return;
  }
  const sparse = input.charCodeAt(4) === 1;
  if (name === 'encoding') {
    s.reply.simple(sparse ? 'sparse' : 'dense');
  } else if (name === 'decode') {
    if (sparse) s.reply.bulk(decodeSparse(input));
    else s.engine.replyError(s, 'ERR HLL encoding is not sparse');
  } else if (sparse) {
    const dense = toDense(input);
    if (dense === null) {
      replyHllError(s, 'corrupt');
      return;
    }
    replaceInPlace(s, key, dense);
    s.engine.addDirty();
    replyDebug(s, name, dense, true);
  } else {
    replyDebug(s, name, input, false);
  }
}

function replyDebug(s: Session, name: string, dense: string, converted: boolean): void {
  if (name === 'todense') {
    s.reply.integer(converted ? 1 : 0);
    return;
  }
  const registers = hllRegisters(dense);
  s.reply.array(registers?.length ?? 0);
  for (const register of registers ?? []) s.reply.integer(register);
}

export const hyperloglogCommands: CommandDef[] = [
  { name: 'pfadd', handler: pfadd },
  { name: 'pfcount', handler: pfcount },
  { name: 'pfmerge', handler: pfmerge },
  { name: 'pfdebug', handler: pfdebug },
];
