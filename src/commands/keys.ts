/**
 * Generic key commands (redis `src/db.c`, `src/expire.c`, the OBJECT command of `src/object.c`): existence,
 * deletion, TTLs, renaming and moving between databases, iteration (KEYS, SCAN, RANDOMKEY), flushing and
 * swapping databases.
 *
 * Each command looks keys up the way its Redis counterpart does, because the lookup flavour is observable: a
 * read lookup counts keyspace hits/misses and fires `keymiss`, a write lookup does neither, NOTOUCH lookups keep
 * the LRU clock (OBJECT IDLETIME). Propagation follows Redis 7.0: the EXPIRE family goes out as PEXPIREAT with
 * an absolute time (its NX/XX/GT/LT flags kept), an expire already in the past as DEL (UNLINK under
 * lazyfree-lazy-expire), FLUSHDB/FLUSHALL always, even on an empty dataset.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR, invalidExpireError } from './errors.js';
import { is, parseInt64 } from './args.js';
import type { Int64 } from '../../formats/index.js';
import { configValue, replyHelp } from './server.js';
import {
  MutableString,
  stringEncoding,
  stringMatch,
  typeName,
  type Db,
  type RedisValue,
} from '../keyspace/index.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// ---------------------------------------------------------------------------------------------------------
// Lookups with Redis's flags

interface ReadFlags {
  /** LOOKUP_NOTOUCH: keep the LRU clock. */
  noTouch?: boolean;
  /** LOOKUP_NONOTIFY: no `keymiss` event. */
  noNotify?: boolean;
}

/** lookupKeyReadWithFlags: expires the key if due, counts a hit or a miss, fires `keymiss` on a miss. */
export function lookupRead(s: Session, db: Db, key: string, flags: ReadFlags = {}): RedisValue | undefined {
  const entry = flags.noTouch === true ? db.dict.get(key) : undefined;
  const savedClock = entry?.meta;
  const value = db.getRead(key);
  if (entry !== undefined && savedClock !== undefined) entry.meta = savedClock;
  if (value === undefined && flags.noNotify !== true) s.engine.notify(NOTIFY.keyMiss, 'keymiss', key, db.id);
  return value;
}

/** True when `key` is in the dict but logically expired (redis keyIsExpired: no deletion). */
function keyIsExpired(s: Session, db: Db, key: string): boolean {
  const atMs = db.expires.get(key);
  return atMs !== undefined && atMs <= s.engine.keyspace.nowMs;
}

/**
 * redis getIntFromObjectOrReply: an int64 argument within C int range. Without `message`, a non-integer is
 * "not an integer" and an out-of-range one names the range; with it, both reply `message`.
 */
export function intArgOrReply(s: Session, arg: string, message?: string): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    s.engine.replyError(s, message ?? ERR.notInteger);
    return null;
  }
  if (typeof v === 'bigint' || v < INT32_MIN || v > INT32_MAX) {
    s.engine.replyError(s, message ?? `ERR value is out of range, value must between ${INT32_MIN} and ${INT32_MAX}`);
    return null;
  }
  return v;
}

/** A database index argument (getIntFromObjectOrReply + selectDb range check), or null after replying. */
function dbIndexOrReply(s: Session, arg: string): number | null {
  const id = intArgOrReply(s, arg);
  if (id === null) return null;
  if (id < 0 || id >= s.engine.keyspace.dbs.length) {
    s.engine.replyError(s, ERR.dbIndexOutOfRange);
    return null;
  }
  return id;
}

/**
 * A deep copy of a value (COPY): strings keep their representation, other types clone themselves. A small
 * integer, which Redis shares, is duplicated into an object of its own (dupStringObject): refcount 1.
 */
export function copyValue(v: RedisValue): RedisValue {
  if (typeof v === 'string') {
    if (!isSharedInteger(v)) return v;
    const copy = new MutableString(v);
    copy.unsharedInt = true;
    return copy;
  }
  if (v instanceof MutableString) {
    const copy = new MutableString(v.buf.subarray(0, v.length));
    copy.embstr = v.embstr;
    copy.unsharedInt = v.unsharedInt;
    return copy;
  }
  return v.clone();
}

// ---------------------------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH

function del(s: Session, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const key = args[i]!;
    s.db.expireIfNeeded(key);
    if (s.db.delete(key)) {
      s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
      s.engine.addDirty();
      n++;
    }
  }
  s.reply.integer(n);
}

function exists(s: Session, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (lookupRead(s, s.db, args[i]!, { noTouch: true }) !== undefined) n++;
  s.reply.integer(n);
}

function type(s: Session, args: string[]): void {
  const value = lookupRead(s, s.db, args[1]!, { noTouch: true });
  s.reply.simple(value === undefined ? 'none' : typeName(value));
}

function touch(s: Session, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (lookupRead(s, s.db, args[i]!) !== undefined) n++;
  s.reply.integer(n);
}

// ---------------------------------------------------------------------------------------------------------
// EXPIRE family, TTL family, PERSIST

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** parseExtendedExpireArgumentsOrReply: the NX/XX/GT/LT flags after the time, or null after replying. */
function expireFlagsOrReply(s: Session, args: string[]): number | null {
  let flags = 0;
  for (let i = 3; i < args.length; i++) {
    const opt = args[i]!;
    if (is(opt, 'nx')) flags |= EXPIRE_NX;
    else if (is(opt, 'xx')) flags |= EXPIRE_XX;
    else if (is(opt, 'gt')) flags |= EXPIRE_GT;
    else if (is(opt, 'lt')) flags |= EXPIRE_LT;
    else {
      s.engine.replyError(s, `ERR Unsupported option ${opt}`);
      return null;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    s.engine.replyError(s, 'ERR NX and XX, GT or LT options at the same time are not compatible');
    return null;
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) {
    s.engine.replyError(s, 'ERR GT and LT options at the same time are not compatible');
    return null;
  }
  return flags;
}

/** True when the flags veto the new expire (redis expireGenericCommand's NX/XX/GT/LT checks). */
function expireVetoed(flags: number, when: bigint, current: Int64): boolean {
  if ((flags & EXPIRE_NX) !== 0 && current !== -1) return true;
  if ((flags & EXPIRE_XX) !== 0 && current === -1) return true;
  if ((flags & EXPIRE_GT) !== 0 && (current === -1 || when <= BigInt(current))) return true;
  if ((flags & EXPIRE_LT) !== 0 && current !== -1 && when >= BigInt(current)) return true;
  return false;
}


/**
 * redis checkAlreadyExpired: a write with an absolute time already past deletes the key instead of setting the
 * TTL, except on a replica (which waits for its primary's DEL) and while loading (nothing expires then).
 */
export function expireTimePassed(s: Session, atMs: bigint): boolean {
  const ks = s.engine.keyspace;
  return atMs <= BigInt(ks.nowMs) && ks.expiryEnabled && !ks.loading && !s.engine.host.isReplica() && !s.engine.host.isLoading();
}

/**
 * EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (redis expireGenericCommand). `baseMs` is added to the argument (0 for the
 * absolute forms); `seconds` scales it. Outcomes: an error for bad flags/integer/overflow; 0 when the key is
 * missing or a flag vetoes; otherwise 1 and either (time already past, on a primary) the key is deleted and the
 * command propagates as DEL/UNLINK, or the expire is set and propagates as PEXPIREAT with the absolute time.
 */
function expireGeneric(s: Session, args: string[], baseMs: number, seconds: boolean): void {
  const key = args[1]!;
  const flags = expireFlagsOrReply(s, args);
  if (flags === null) return;
  const parsed = parseInt64(args[2]!);
  if (parsed === null) {
    s.engine.replyError(s, ERR.notInteger);
    return;
  }
  let when = BigInt(parsed);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      s.engine.replyError(s, invalidExpireError(args[0]!.toLowerCase()));
      return;
    }
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(baseMs)) {
    s.engine.replyError(s, invalidExpireError(args[0]!.toLowerCase()));
    return;
  }
  when += BigInt(baseMs);
  if (s.db.getWrite(key) === undefined) {
    s.reply.integer(0);
    return;
  }
  if (flags !== 0 && expireVetoed(flags, when, s.db.getExpire(key))) {
    s.reply.integer(0);
    return;
  }
  if (expireTimePassed(s, when)) {
    s.db.delete(key);
    s.engine.addDirty();
    const lazy = configValue(s, 'lazyfree-lazy-expire') === 'yes';
    s.engine.rewrite([lazy ? 'UNLINK' : 'DEL', key]);
    s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
    s.reply.integer(1);
    return;
  }
  s.db.setExpire(key, when);
  s.reply.integer(1);
  const out = [...args];
  if (!is(args[0], 'pexpireat')) out[0] = 'PEXPIREAT';
  if (baseMs !== 0 || seconds) out[2] = when.toString();
  s.engine.rewrite(out);
  s.engine.keyspace.keyModified(s.db, key);
  s.engine.notify(NOTIFY.generic, 'expire', key, s.db.id);
  s.engine.addDirty();
}

function ttlGeneric(s: Session, args: string[], ms: boolean, absolute: boolean): void {
  const key = args[1]!;
  if (lookupRead(s, s.db, key, { noTouch: true }) === undefined) {
    s.reply.integer(-2);
    return;
  }
  const expire = s.db.getExpire(key);
  if (expire === -1) {
    s.reply.integer(-1);
    return;
  }
  if (typeof expire === 'bigint') {
    // Beyond 2^53 ms (PEXPIREAT k 9223372036854775807): exact int64 arithmetic; ttl + 500 cannot overflow, since
    // the clock is far past 500 ms.
    let ttl = absolute ? expire : expire - BigInt(s.engine.keyspace.nowMs);
    if (ttl < 0n) ttl = 0n;
    s.reply.integer(ms ? ttl : (ttl + 500n) / 1000n);
    return;
  }
  const ttl = Math.max(0, absolute ? expire : expire - s.engine.keyspace.nowMs);
  s.reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function persist(s: Session, args: string[]): void {
  const key = args[1]!;
  if (s.db.getWrite(key) === undefined || !s.db.removeExpire(key)) {
    s.reply.integer(0);
    return;
  }
  s.engine.keyspace.keyModified(s.db, key);
  s.engine.notify(NOTIFY.generic, 'persist', key, s.db.id);
  s.engine.addDirty();
  s.reply.integer(1);
}

// ---------------------------------------------------------------------------------------------------------
// RENAME, RENAMENX, MOVE, COPY

function renameGeneric(s: Session, args: string[], nx: boolean): void {
  const source = args[1]!;
  const target = args[2]!;
  const value = s.db.getWrite(source);
  if (value === undefined) {
    s.engine.replyError(s, ERR.noSuchKey);
    return;
  }
  if (source === target) {
    if (nx) s.reply.integer(0);
    else s.reply.ok();
    return;
  }
  const expire = s.db.getExpire(source);
  if (s.db.getWrite(target) !== undefined) {
    if (nx) {
      s.reply.integer(0);
      return;
    }
    s.db.delete(target);
  }
  s.db.add(target, value);
  if (expire !== -1) s.db.setExpire(target, expire);
  s.db.delete(source);
  s.engine.notify(NOTIFY.generic, 'rename_from', source, s.db.id);
  s.engine.notify(NOTIFY.generic, 'rename_to', target, s.db.id);
  s.engine.addDirty();
  if (nx) s.reply.integer(1);
  else s.reply.ok();
}

function move(s: Session, args: string[]): void {
  const key = args[1]!;
  const id = dbIndexOrReply(s, args[2]!);
  if (id === null) return;
  const source = s.db;
  const target = s.engine.keyspace.db(id);
  if (source === target) {
    s.engine.replyError(s, ERR.sameObject);
    return;
  }
  const value = source.getWrite(key);
  if (value === undefined) {
    s.reply.integer(0);
    return;
  }
  const expire = source.getExpire(key);
  if (target.getWrite(key) !== undefined) {
    s.reply.integer(0);
    return;
  }
  target.add(key, value);
  if (expire !== -1) target.setExpire(key, expire);
  source.delete(key);
  s.engine.notify(NOTIFY.generic, 'move_from', key, source.id);
  s.engine.notify(NOTIFY.generic, 'move_to', key, target.id);
  s.engine.addDirty();
  s.reply.integer(1);
}

function copy(s: Session, args: string[]): void {
  const key = args[1]!;
  const newKey = args[2]!;
  let target = s.db;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (is(args[i], 'replace')) {
      replace = true;
    } else if (is(args[i], 'db') && i + 1 < args.length) {
      const id = dbIndexOrReply(s, args[++i]!);
      if (id === null) return;
      target = s.engine.keyspace.db(id);
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  if (target === s.db && key === newKey) {
    s.engine.replyError(s, ERR.sameObject);
    return;
  }
  const value = lookupRead(s, s.db, key);
  if (value === undefined) {
    s.reply.integer(0);
    return;
  }
  const expire = s.db.getExpire(key);
  if (target.getWrite(newKey) !== undefined) {
    if (!replace) {
      s.reply.integer(0);
      return;
    }
    target.delete(newKey);
  }
  target.add(newKey, copyValue(value));
  if (expire !== -1) target.setExpire(newKey, expire);
  s.engine.notify(NOTIFY.generic, 'copy_to', newKey, target.id);
  s.engine.addDirty();
  s.reply.integer(1);
}

// ---------------------------------------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY, DBSIZE

function keys(s: Session, args: string[]): void {
  const pattern = args[1]!;
  const all = pattern === '*';
  const out: string[] = [];
  for (const key of s.db.dict.keys()) {
    if ((all || stringMatch(pattern, key)) && !keyIsExpired(s, s.db, key)) out.push(key);
  }
  s.reply.bulkArray(out);
}

const ULONG_MAX = 18446744073709551615n;

/**
 * parseScanCursorOrReply: C strtoul semantics. "" is cursor 0, an optional sign is accepted ("-1" wraps to
 * ULONG_MAX), anything else but digits, or a value beyond 64 bits, is "invalid cursor".
 */
export function parseScanCursor(arg: string): bigint | null {
  if (arg === '') return 0n;
  if (!/^[+-]?[0-9]+$/.test(arg)) return null;
  const negative = arg[0] === '-';
  const magnitude = BigInt(arg.replace(/^[+-]/, ''));
  if (magnitude > ULONG_MAX) return null;
  return negative && magnitude !== 0n ? ULONG_MAX + 1n - magnitude : magnitude;
}

function scan(s: Session, args: string[]): void {
  const cursor = parseScanCursor(args[1]!);
  if (cursor === null) {
    s.engine.replyError(s, 'ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let typeFilter: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const more = args.length - i;
    if (is(args[i], 'count') && more >= 2) {
      const parsed = parseInt64(args[++i]!);
      if (parsed === null) {
        s.engine.replyError(s, ERR.notInteger);
        return;
      }
      const n = typeof parsed === 'bigint' ? (parsed > 0n ? Number.MAX_SAFE_INTEGER : 0) : parsed;
      if (n < 1) {
        s.engine.replyError(s, ERR.syntax);
        return;
      }
      count = n;
    } else if (is(args[i], 'match') && more >= 2) {
      const p = args[++i]!;
      pattern = p === '*' ? null : p;
    } else if (is(args[i], 'type') && more >= 2) {
      typeFilter = args[++i]!.toLowerCase();
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  const found: string[] = [];
  const start = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
  const next = s.db.dict.scan(start, count, (entry) => found.push(entry.key));
  const out: string[] = [];
  for (const key of found) {
    if (pattern !== null && !stringMatch(pattern, key)) continue;
    if (typeFilter !== null) {
      const value = lookupRead(s, s.db, key, { noTouch: true });
      if ((value === undefined ? 'none' : typeName(value)) !== typeFilter) continue;
    }
    if (s.db.expireIfNeeded(key)) continue;
    out.push(key);
  }
  s.reply.array(2);
  s.reply.bulk(String(next));
  s.reply.bulkArray(out);
}

function randomkey(s: Session): void {
  for (;;) {
    const entry = s.db.dict.random(s.engine.random);
    if (entry === undefined) {
      s.reply.nullBulk();
      return;
    }
    if (s.db.expires.has(entry.key) && s.db.expireIfNeeded(entry.key)) {
      // A replica hides expired keys without deleting them: give up after a few tries, as Redis does.
      if (!s.engine.keyspace.expiryEnabled && s.db.expires.size === s.db.size) {
        s.reply.bulk(entry.key);
        return;
      }
      continue;
    }
    s.reply.bulk(entry.key);
    return;
  }
}

function dbsize(s: Session): void {
  s.reply.integer(s.db.size);
}

// ---------------------------------------------------------------------------------------------------------
// FLUSHDB, FLUSHALL, SWAPDB

/** getFlushCommandFlags: true for a valid [ASYNC|SYNC] form; replies a syntax error otherwise. */
function flushArgsOrReply(s: Session, args: string[]): boolean {
  if (args.length === 1 || (args.length === 2 && (is(args[1], 'sync') || is(args[1], 'async')))) return true;
  s.engine.replyError(s, ERR.syntax);
  return false;
}

/** Propagates the running command even when it changed nothing (redis forceCommandPropagation). */
function forcePropagation(s: Session, args: string[]): void {
  s.engine.also(s.db.id, args);
  s.engine.suppressPropagation();
}

/**
 * Signals as ready each key of `db` that a client is blocked on and that holds a stream, before the stream goes
 * by a flush, or by a swap that puts anything but a stream (from `replacedWith`) in its place: an XREADGROUP
 * blocked on it is then answered with -UNBLOCKED (Redis 7.0 scanDatabaseForDeletedStreams). A stream replaced by
 * a stream is signalled after the swap, as any blocked key that exists then, so such a key comes later.
 */
function signalBlockedStreams(s: Session, db: Db, replacedWith: Db | null): void {
  const isStream = (value: RedisValue | undefined): boolean => value !== undefined && typeName(value) === 'stream';
  for (const blocked of s.engine.blockedSessions) {
    const state = blocked.blocked;
    if (state === null || state.dbIndex !== db.id) continue;
    for (const key of state.keys) {
      if (isStream(db.peek(key)) && !isStream(replacedWith?.peek(key))) s.engine.keyReady(db, key);
    }
  }
}

function flushdb(s: Session, args: string[]): void {
  if (!flushArgsOrReply(s, args)) return;
  s.engine.touchAllWatched(s.db);
  signalBlockedStreams(s, s.db, null);
  const removed = s.db.size;
  s.db.clear();
  s.engine.addDirty(removed);
  forcePropagation(s, args);
  s.reply.ok();
}

function flushall(s: Session, args: string[]): void {
  if (!flushArgsOrReply(s, args)) return;
  s.engine.touchAllWatched(null);
  for (const db of s.engine.keyspace.dbs) signalBlockedStreams(s, db, null);
  const removed = s.engine.keyspace.size;
  const empty = (): void => {
    s.engine.keyspace.clear();
    s.engine.addDirty(removed);
  };
  // The persistence side (a running BGSAVE dropped, the empty dataset saved when save points exist) is the host's.
  if (s.engine.admin === null) empty();
  else s.engine.admin.flushAll(empty);
  forcePropagation(s, args);
  s.reply.ok();
}

/**
 * SWAPDB (redis dbSwapDatabases): clients keep their db index and see the other data. Watchers of a key that
 * exists on either side are touched, and clients blocked on a key that now exists are woken.
 */
function swapdb(s: Session, args: string[]): void {
  const a = intArgOrReply(s, args[1]!, 'ERR invalid first DB index');
  if (a === null) return;
  const b = intArgOrReply(s, args[2]!, 'ERR invalid second DB index');
  if (b === null) return;
  const dbs = s.engine.keyspace.dbs.length;
  if (a < 0 || a >= dbs || b < 0 || b >= dbs) {
    s.engine.replyError(s, ERR.dbIndexOutOfRange);
    return;
  }
  if (a !== b) {
    const dbA = s.engine.keyspace.db(a);
    const dbB = s.engine.keyspace.db(b);
    // Before the swap, as redis dbSwapDatabases: each side's watchers see what replaces their data.
    s.engine.touchWatchedInDb(dbA, dbB);
    s.engine.touchWatchedInDb(dbB, dbA);
    // A stream that the swap takes away wakes XREADGROUP (retried after the swap, it sees what replaced it).
    signalBlockedStreams(s, dbA, dbB);
    signalBlockedStreams(s, dbB, dbA);
    s.engine.keyspace.swap(a, b);
    for (const blocked of s.engine.blockedSessions) {
      const state = blocked.blocked;
      if (state === null || (state.dbIndex !== a && state.dbIndex !== b)) continue;
      const db = state.dbIndex === a ? dbA : dbB;
      for (const key of state.keys) if (db.dict.has(key)) s.engine.keyReady(db, key);
    }
  }
  s.engine.addDirty();
  s.reply.ok();
}

// ---------------------------------------------------------------------------------------------------------
// OBJECT

const LFU_INIT_VAL = 5;
const LRU_CLOCK_MAX = 0xffffff;
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

function objectLookupOrReply(s: Session, key: string): RedisValue | undefined {
  const value = lookupRead(s, s.db, key, { noTouch: true, noNotify: true });
  if (value === undefined) s.reply.nullBulk();
  return value;
}

function lfuPolicy(s: Session): boolean {
  return (configValue(s, 'maxmemory-policy') ?? '').endsWith('-lfu');
}

/** OBJECT ENCODING as Redis names it. */
export function encodingName(v: RedisValue): string {
  if (typeof v === 'string' || v instanceof MutableString) return stringEncoding(v);
  return v.encoding;
}

/** Seconds since the key's last access, from the entry's LRU clock (redis estimateObjectIdleTime / 1000). */
export function idleSeconds(s: Session, db: Db, key: string): number {
  const entry = db.dict.get(key);
  if (entry === undefined) return 0;
  const now = s.engine.keyspace.lruClock();
  return now >= entry.meta ? now - entry.meta : LRU_CLOCK_MAX - entry.meta + now;
}

/**
 * OBJECT REFCOUNT: Redis shares the objects of small integers (0..9999) when maxmemory does not need per-key
 * LRU/LFU data; those report INT_MAX. Every other value is referenced once by the keyspace.
 */
export function refcount(s: Session, v: RedisValue): number {
  if (typeof v !== 'string' || !isSharedInteger(v)) return 1;
  const maxmemory = configValue(s, 'maxmemory') ?? '0';
  const policy = configValue(s, 'maxmemory-policy') ?? 'noeviction';
  const needsPerKeyClock = policy.endsWith('-lru') || policy.endsWith('-lfu');
  return maxmemory !== '0' && needsPerKeyClock ? 1 : SHARED_REFCOUNT;
}

/** An int-encoded string within Redis's shared integers (0..9999). */
function isSharedInteger(v: string): boolean {
  if (stringEncoding(v) !== 'int') return false;
  const n = Number(v);
  return n >= 0 && n < SHARED_INTEGERS;
}

function objectEncoding(s: Session, args: string[]): void {
  const value = objectLookupOrReply(s, args[2]!);
  if (value !== undefined) s.reply.bulk(encodingName(value));
}

function objectRefcount(s: Session, args: string[]): void {
  const value = objectLookupOrReply(s, args[2]!);
  if (value !== undefined) s.reply.integer(refcount(s, value));
}

function objectIdletime(s: Session, args: string[]): void {
  const value = objectLookupOrReply(s, args[2]!);
  if (value === undefined) return;
  if (lfuPolicy(s)) {
    s.engine.replyError(
      s,
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  s.reply.integer(idleSeconds(s, s.db, args[2]!));
}

/** OBJECT FREQ. Strongbox keeps an LRU clock per key, not an LFU counter: every key reports LFU_INIT_VAL. */
function objectFreq(s: Session, args: string[]): void {
  const value = objectLookupOrReply(s, args[2]!);
  if (value === undefined) return;
  if (!lfuPolicy(s)) {
    s.engine.replyError(
      s,
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  s.reply.integer(LFU_INIT_VAL);
}

function objectHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

export const keyCommands: CommandDef[] = [
  { name: 'del', handler: del },
  { name: 'unlink', handler: del },
  { name: 'exists', handler: exists },
  { name: 'type', handler: type },
  { name: 'touch', handler: touch },
  { name: 'expire', handler: (s, a) => expireGeneric(s, a, s.engine.keyspace.nowMs, true) },
  { name: 'pexpire', handler: (s, a) => expireGeneric(s, a, s.engine.keyspace.nowMs, false) },
  { name: 'expireat', handler: (s, a) => expireGeneric(s, a, 0, true) },
  { name: 'pexpireat', handler: (s, a) => expireGeneric(s, a, 0, false) },
  { name: 'ttl', handler: (s, a) => ttlGeneric(s, a, false, false) },
  { name: 'pttl', handler: (s, a) => ttlGeneric(s, a, true, false) },
  { name: 'expiretime', handler: (s, a) => ttlGeneric(s, a, false, true) },
  { name: 'pexpiretime', handler: (s, a) => ttlGeneric(s, a, true, true) },
  { name: 'persist', handler: persist },
  { name: 'rename', handler: (s, a) => renameGeneric(s, a, false) },
  { name: 'renamenx', handler: (s, a) => renameGeneric(s, a, true) },
  { name: 'move', handler: move },
  { name: 'copy', handler: copy },
  { name: 'keys', handler: keys },
  { name: 'scan', handler: scan },
  { name: 'randomkey', handler: randomkey },
  { name: 'dbsize', handler: dbsize },
  { name: 'flushdb', handler: flushdb },
  { name: 'flushall', handler: flushall },
  { name: 'swapdb', handler: swapdb },
  { name: 'object|encoding', handler: objectEncoding },
  { name: 'object|refcount', handler: objectRefcount },
  { name: 'object|idletime', handler: objectIdletime },
  { name: 'object|freq', handler: objectFreq },
  { name: 'object|help', handler: objectHelp },
];
