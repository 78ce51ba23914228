/**
 * Hash commands (redis `src/t_hash.c`, HSCAN from `src/db.c`).
 *
 * Replies, errors, keyspace notifications and propagation follow Redis 7.0: HINCRBYFLOAT propagates as HSET with
 * the formatted result, a hash emptied by HDEL is deleted (`del` notified). The listpack -> hashtable conversion
 * happens exactly where Redis converts (hashTypeTryConversion before the writes, then the entry count), so OBJECT
 * ENCODING and the reply order of small hashes (insertion order) match. `scanCollection` is the HSCAN/SSCAN part
 * of scanGenericCommand and is shared with the set family.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR, arityError, collectionError, zsetError } from './errors.js';
import { is, parseInt64 } from './args.js';
import { LONG_MAX, deleteIfEmpty, longOrReply } from './lists.js';
import { parseScanCursor } from './zsets.js';
import {
  HashValue, hincrByFloat, string2ld, stringMatch, type Bytes, type Dict, type RedisValue,
} from '../keyspace/index.js';

// ---------------------------------------------------------------------------------------------------------------
// SCAN over a collection

/** What HSCAN/SSCAN iterate: a small encoding (everything at once, cursor 0) or a Dict (stable cursor). */
export type ScanTarget<V> =
  | { kind: 'flat'; items: readonly Bytes[]; pairs: boolean }
  | { kind: 'dict'; dict: Dict<V>; valueOf: ((value: V) => Bytes) | null };

/**
 * scanGenericCommand for a collection whose key exists: parses COUNT/MATCH from `args[3..]` (replying the error
 * and returning on a bad option), then replies [next cursor, elements]. For pairs (hash fields and values) the
 * pattern applies to the field and the value goes with it.
 */
export function scanCollection<V>(s: Session, args: Bytes[], cursor: number, target: ScanTarget<V>): void {
  let count = 10;
  let pattern: Bytes | null = null;
  for (let i = 3; i < args.length; i += 2) {
    const more = args.length - i;
    if (is(args[i], 'count') && more >= 2) {
      const v = longOrReply(s, args[i + 1]!);
      if (v === null) return;
      if (v < 1) return s.engine.replyError(s, ERR.syntax);
      count = v;
    } else if (is(args[i], 'match') && more >= 2) {
      pattern = args[i + 1] === '*' ? null : args[i + 1]!;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  const out: Bytes[] = [];
  let next = 0;
  if (target.kind === 'flat') {
    const step = target.pairs ? 2 : 1;
    for (let i = 0; i < target.items.length; i += step) {
      const item = target.items[i]!;
      if (pattern !== null && !stringMatch(pattern, item)) continue;
      out.push(item);
      if (target.pairs) out.push(target.items[i + 1]!);
    }
  } else {
    const valueOf = target.valueOf;
    next = target.dict.scan(cursor, count, (entry) => {
      if (pattern !== null && !stringMatch(pattern, entry.key)) return;
      out.push(entry.key);
      if (valueOf !== null) out.push(valueOf(entry.value));
    });
  }
  s.reply.array(2);
  s.reply.bulk(String(next));
  s.reply.bulkArray(out);
}

/** The reply for a scan of a missing key (shared.emptyscan). */
export function replyEmptyScan(s: Session): void {
  s.reply.array(2);
  s.reply.bulk('0');
  s.reply.array(0);
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup

function isHash(v: RedisValue): v is HashValue {
  return typeof v !== 'string' && v.kind === 'hash';
}

/** The hash at `key`: undefined when absent, null after replying WRONGTYPE. */
function hashAt(s: Session, key: Bytes, write: boolean): HashValue | undefined | null {
  const value = write ? s.db.getWrite(key) : s.db.getRead(key);
  if (value === undefined) return undefined;
  if (!isHash(value)) {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return value;
}

/** hashTypeLookupWriteOrCreate: the hash at `key`, created empty when absent; null after replying WRONGTYPE. */
function hashForWrite(s: Session, key: Bytes): HashValue | null {
  const hash = hashAt(s, key, true);
  if (hash === null) return null;
  if (hash !== undefined) return hash;
  const created = HashValue.empty();
  s.db.add(key, created);
  return created;
}

function modified(s: Session, key: Bytes): void {
  s.engine.keyModified(s.db, key);
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

function hset(s: Session, args: Bytes[]): void {
  if (args.length % 2 === 1) return s.engine.replyError(s, arityError(args[0]!.toLowerCase()));
  const key = args[1]!;
  const hash = hashForWrite(s, key);
  if (hash === null) return;
  const config = s.engine.keyspace.config;
  hash.convertForValues(args, 2, config);
  let created = 0;
  for (let i = 2; i < args.length; i += 2) if (hash.set(args[i]!, args[i + 1]!, config)) created++;
  if (args[0]![1] === 's' || args[0]![1] === 'S') s.reply.integer(created);
  else s.reply.ok();
  modified(s, key);
  s.engine.notify(NOTIFY.hash, 'hset', key, s.db.id);
  s.engine.addDirty((args.length - 2) / 2);
}

function hsetnx(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const hash = hashForWrite(s, key);
  if (hash === null) return;
  if (hash.has(args[2]!)) return s.reply.integer(0);
  const config = s.engine.keyspace.config;
  hash.convertForValues(args, 2, config);
  hash.set(args[2]!, args[3]!, config);
  s.reply.integer(1);
  modified(s, key);
  s.engine.notify(NOTIFY.hash, 'hset', key, s.db.id);
  s.engine.addDirty();
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function hincrby(s: Session, args: Bytes[]): void {
  const increment = parseInt64(args[3]!);
  if (increment === null) return s.engine.replyError(s, ERR.notInteger);
  const key = args[1]!;
  const hash = hashForWrite(s, key);
  if (hash === null) return;
  const current = hash.get(args[2]!);
  let value = 0n;
  if (current !== undefined) {
    const parsed = parseInt64(current);
    if (parsed === null) return s.engine.replyError(s, collectionError.hashNotInteger);
    value = BigInt(parsed);
  }
  const incr = BigInt(increment);
  const sum = value + incr;
  if (sum > INT64_MAX || sum < INT64_MIN) return s.engine.replyError(s, ERR.incrOverflow);
  hash.set(args[2]!, String(sum), s.engine.keyspace.config);
  s.reply.integer(sum >= -9007199254740991n && sum <= 9007199254740991n ? Number(sum) : sum);
  modified(s, key);
  s.engine.notify(NOTIFY.hash, 'hincrby', key, s.db.id);
  s.engine.addDirty();
}

function hincrbyfloat(s: Session, args: Bytes[]): void {
  const increment = string2ld(args[3]!);
  if (increment === null) return s.engine.replyError(s, ERR.notFloat);
  if (increment.kind !== 'finite') return s.engine.replyError(s, 'ERR value is NaN or Infinity');
  const key = args[1]!;
  const hash = hashForWrite(s, key);
  if (hash === null) return;
  const result = hincrByFloat(hash.get(args[2]!) ?? null, args[3]!);
  if (!result.ok) {
    if (result.error === 'current-not-a-float') return s.engine.replyError(s, collectionError.hashNotFloat);
    return s.engine.replyError(s, collectionError.incrNanOrInfinity);
  }
  hash.set(args[2]!, result.value, s.engine.keyspace.config);
  s.reply.bulk(result.value);
  modified(s, key);
  s.engine.notify(NOTIFY.hash, 'hincrbyfloat', key, s.db.id);
  s.engine.addDirty();
  s.engine.rewrite(['HSET', key, args[2]!, result.value]);
}

function hdel(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const hash = hashAt(s, key, true);
  if (hash === null) return;
  if (hash === undefined) return s.reply.integer(0);
  let deleted = 0;
  for (let j = 2; j < args.length; j++) {
    if (!hash.delete(args[j]!)) continue;
    deleted++;
    if (hash.size === 0) break;
  }
  if (deleted > 0) {
    modified(s, key);
    s.engine.notify(NOTIFY.hash, 'hdel', key, s.db.id);
    deleteIfEmpty(s, s.db, key, hash.size);
    s.engine.addDirty(deleted);
  }
  s.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

function hget(s: Session, args: Bytes[]): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  s.reply.bulkOrNull(hash?.get(args[2]!));
}

function hmget(s: Session, args: Bytes[]): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  s.reply.array(args.length - 2);
  for (let i = 2; i < args.length; i++) s.reply.bulkOrNull(hash?.get(args[i]!));
}

function hlen(s: Session, args: Bytes[]): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  s.reply.integer(hash?.size ?? 0);
}

function hstrlen(s: Session, args: Bytes[]): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  s.reply.integer(hash?.get(args[2]!)?.length ?? 0);
}

function hexists(s: Session, args: Bytes[]): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  s.reply.integer(hash?.has(args[2]!) === true ? 1 : 0);
}

/** genericHgetallCommand: HKEYS, HVALS (arrays) and HGETALL (a map). */
function hgetallGeneric(s: Session, args: Bytes[], keys: boolean, values: boolean): void {
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  const size = hash?.size ?? 0;
  if (keys && values) s.reply.map(size);
  else s.reply.array(size);
  if (hash === undefined) return;
  for (const entry of hash.dict.values()) {
    if (keys) s.reply.bulk(entry.key);
    if (values) s.reply.bulk(entry.value);
  }
}

function hscan(s: Session, args: Bytes[]): void {
  const cursor = parseScanCursor(args[2]!);
  if (cursor === null) return s.engine.replyError(s, collectionError.invalidCursor);
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  if (hash === undefined) return replyEmptyScan(s);
  if (hash.isListpack) {
    const items: Bytes[] = [];
    for (const entry of hash.dict.values()) items.push(entry.key, entry.value);
    return scanCollection(s, args, cursor, { kind: 'flat', items, pairs: true });
  }
  scanCollection(s, args, cursor, { kind: 'dict', dict: hash.dict, valueOf: (v: Bytes) => v });
}

// ---------------------------------------------------------------------------------------------------------------
// HRANDFIELD

function hrandfield(s: Session, args: Bytes[]): void {
  if (args.length >= 3) {
    const count = longOrReply(s, args[2]!, -LONG_MAX, LONG_MAX);
    if (count === null) return;
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withvalues'))) return s.engine.replyError(s, ERR.syntax);
    const withValues = args.length === 4;
    const exact = BigInt(parseInt64(args[2]!) ?? 0);
    if (withValues && (exact < -(LONG_MAX / 2n) || exact > LONG_MAX / 2n)) {
      return s.engine.replyError(s, zsetError.outOfRange);
    }
    return hrandfieldWithCount(s, args[1]!, count, withValues);
  }
  const hash = hashAt(s, args[1]!, false);
  if (hash === null) return;
  if (hash === undefined) return s.reply.nullBulk();
  s.reply.bulk(hash.random(s.engine.random)!.key);
}

function hrandfieldWithCount(s: Session, key: Bytes, requested: number, withValues: boolean): void {
  const hash = hashAt(s, key, false);
  if (hash === null) return;
  if (hash === undefined) return s.reply.array(0);
  const unique = requested >= 0;
  const count = Math.abs(requested);
  if (count === 0) return s.reply.array(0);
  const nested = withValues && s.protocol === 3;
  const emit = (field: Bytes, value: Bytes): void => {
    if (nested) s.reply.array(2);
    s.reply.bulk(field);
    if (withValues) s.reply.bulk(value);
  };
  const header = (n: number): void => s.reply.array(withValues && s.protocol === 2 ? n * 2 : n);
  if (!unique || count === 1) {
    header(count);
    for (let i = 0; i < count; i++) {
      const entry = hash.random(s.engine.random)!;
      emit(entry.key, entry.value);
    }
    return;
  }
  const size = hash.size;
  header(Math.min(count, size));
  if (count >= size) {
    for (const entry of hash.dict.values()) emit(entry.key, entry.value);
    return;
  }
  // A partial Fisher-Yates shuffle of the fields picks `count` distinct ones uniformly.
  const entries = [...hash.dict.values()];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(s.engine.random() * (entries.length - i));
    const picked = entries[j]!;
    entries[j] = entries[i]!;
    entries[i] = picked;
    emit(picked.key, picked.value);
  }
}

export const hashesCommands: CommandDef[] = [
  { name: 'hset', handler: hset },
  { name: 'hmset', handler: hset },
  { name: 'hsetnx', handler: hsetnx },
  { name: 'hget', handler: hget },
  { name: 'hmget', handler: hmget },
  { name: 'hdel', handler: hdel },
  { name: 'hlen', handler: hlen },
  { name: 'hstrlen', handler: hstrlen },
  { name: 'hexists', handler: hexists },
  { name: 'hkeys', handler: (s, args) => hgetallGeneric(s, args, true, false) },
  { name: 'hvals', handler: (s, args) => hgetallGeneric(s, args, false, true) },
  { name: 'hgetall', handler: (s, args) => hgetallGeneric(s, args, true, true) },
  { name: 'hincrby', handler: hincrby },
  { name: 'hincrbyfloat', handler: hincrbyfloat },
  { name: 'hrandfield', handler: hrandfield },
  { name: 'hscan', handler: hscan },
];
