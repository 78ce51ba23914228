/**
 * String commands (redis `src/t_string.c`): GET/SET and their variants, counters, ranges, MGET/MSET, LCS.
 *
 * Values are latin1 JS strings; a string edited in place (APPEND, SETRANGE, and the bit commands in bitops.ts)
 * becomes a `MutableString`, which is also how OBJECT ENCODING tells `raw` from `embstr`/`int`.
 *
 * Propagation follows Redis 7.0: a SET with a relative or absolute expire goes out as `SET key value PXAT <ms>`
 * (SETEX and PSETEX too), SET ... GET without expire drops the GET tokens, GETSET becomes SET, GETDEL becomes DEL,
 * GETEX becomes PEXPIREAT / PERSIST / DEL, INCRBYFLOAT becomes `SET key value KEEPTTL`.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import type { Db } from '../keyspace/index.js';
import { ERR, arityError, invalidExpireError } from './errors.js';
import { NOTIFY } from './engine.js';
import { parseInt64 } from './args.js';
import { expireTimePassed } from './keys.js';
import { MutableString, incrByFloat, isString, unencodedString, stringBytes, type RedisValue, type StringValue } from '../keyspace/index.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// ---------------------------------------------------------------------------------------------------------
// Helpers shared with bitops.ts and hyperloglog.ts

/** The argument as C's string functions see it: cut at the first NUL (Redis compares options with strcasecmp). */
export function cstr(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul < 0 ? arg : arg.slice(0, nul);
}

/** Case-insensitive option match with C string semantics. */
export function isOption(arg: string, lowercase: string): boolean {
  return cstr(arg).toLowerCase() === lowercase;
}

/**
 * redis checkStringLength: false (after replying) when a string of `size + append` bytes would pass
 * proto-max-bulk-len. The primary's link is trusted, as in Redis (mustObeyClient).
 */
export function checkStringLength(s: Session, size: number, append: number): boolean {
  if (s.isPrimaryLink) return true;
  if (size + append > s.engine.settings.protoMaxBulkLen) {
    s.engine.replyError(s, ERR.stringTooLong);
    return false;
  }
  return true;
}

/**
 * redis dbUnshareStringValue: the key's string as a `MutableString`, converting it in place (the value object is
 * replaced without signalling a modification, like dbOverwrite). The key must hold a string, and the command must
 * have looked it up already (getRead/getWrite), which is what lets a running BGSAVE copy the old value first.
 */
export function unshareString(db: Db, key: string): MutableString {
  const entry = db.dict.get(key);
  if (entry === undefined || !isString(entry.value)) throw new Error('assertion failed: unshareString on a non-string');
  if (entry.value instanceof MutableString) {
    entry.value.embstr = false;
    entry.value.unsharedInt = false;
    return entry.value;
  }
  const mutable = new MutableString(entry.value);
  entry.value = mutable;
  return mutable;
}

/**
 * redis setKey: stores `value` at `key`; Db.set looks the key up for writing first, so an expired key is deleted
 * (and its deletion propagated) before being replaced, as Redis does. Removes the TTL unless `keepTtl`.
 */
export function setKey(s: Session, key: string, value: RedisValue, keepTtl = false): void {
  s.db.set(key, value, keepTtl);
}

/** A string value's bytes, or 'wrongtype' / null (missing). */
export function stringOf(value: RedisValue | undefined): string | null | 'wrongtype' {
  if (value === undefined) return null;
  if (!isString(value)) return 'wrongtype';
  return stringBytes(value);
}

/**
 * redis lookupKeyReadOrReply + checkType: the key's string, or undefined after replying — `onMissing` for a
 * missing key, WRONGTYPE for another type.
 */
export function readStringOrReply(s: Session, key: string, onMissing: () => void): StringValue | undefined {
  const value = s.db.getRead(key);
  if (value === undefined) {
    onMissing();
    return undefined;
  }
  if (!isString(value)) {
    s.engine.replyError(s, ERR.wrongType);
    return undefined;
  }
  return value;
}

/** Parses a long long argument, replying "not an integer" on failure. */
export function int64OrReply(s: Session, arg: string, message: string = ERR.notInteger): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) s.engine.replyError(s, message);
  return v;
}

/** An index beyond ±2^53 behaves like ±2^53 against any string length; clamping keeps arithmetic in numbers. */
export function clampIndex(v: number | bigint): number {
  if (typeof v === 'number') return v;
  return v > 0n ? 2 ** 53 : -(2 ** 53);
}

// ---------------------------------------------------------------------------------------------------------
// GET / SET family

const SET_NX = 1 << 0;
const SET_XX = 1 << 1;
const SET_EX = 1 << 2;
const SET_PX = 1 << 3;
const SET_KEEPTTL = 1 << 4;
const SET_GET = 1 << 5;
const SET_EXAT = 1 << 6;
const SET_PXAT = 1 << 7;
const SET_PERSIST = 1 << 8;
const ANY_EXPIRE = SET_EX | SET_PX | SET_EXAT | SET_PXAT;

interface ExtendedArgs {
  flags: number;
  /** Index of the expire argument in argv, or -1. */
  expireIndex: number;
}

/**
 * redis parseExtendedStringArgumentsOrReply: SET options (NX XX GET KEEPTTL + expires) from argv[3], GETEX
 * options (PERSIST + expires) from argv[2]. Conflicting or unknown options are a syntax error.
 */
function parseExtendedArgs(s: Session, args: string[], forSet: boolean): ExtendedArgs | null {
  let flags = 0;
  let expireIndex = -1;
  for (let j = forSet ? 3 : 2; j < args.length; j++) {
    const opt = cstr(args[j]!).toLowerCase();
    const hasNext = j < args.length - 1;
    const conflictsWithExpire = (own: number): boolean =>
      (flags & (SET_KEEPTTL | SET_PERSIST | (ANY_EXPIRE & ~own))) !== 0;
    if (opt === 'nx' && forSet && (flags & SET_XX) === 0) flags |= SET_NX;
    else if (opt === 'xx' && forSet && (flags & SET_NX) === 0) flags |= SET_XX;
    else if (opt === 'get' && forSet) flags |= SET_GET;
    else if (opt === 'keepttl' && forSet && (flags & (SET_PERSIST | ANY_EXPIRE)) === 0) flags |= SET_KEEPTTL;
    else if (opt === 'persist' && !forSet && (flags & (ANY_EXPIRE | SET_KEEPTTL)) === 0) flags |= SET_PERSIST;
    else if (opt in EXPIRE_FLAGS && hasNext && !conflictsWithExpire(EXPIRE_FLAGS[opt]!)) {
      flags |= EXPIRE_FLAGS[opt]!;
      expireIndex = ++j;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  return { flags, expireIndex };
}

const EXPIRE_FLAGS: Record<string, number> = { ex: SET_EX, px: SET_PX, exat: SET_EXAT, pxat: SET_PXAT };

/**
 * redis getExpireMillisecondsOrReply: the absolute unix ms of an expire argument, or null after replying.
 * Non-positive values, and values that overflow int64 once scaled or made absolute, are "invalid expire time".
 */
function expireAtOrReply(s: Session, command: string, arg: string, flags: number): bigint | null {
  const parsed = int64OrReply(s, arg);
  if (parsed === null) return null;
  let ms = BigInt(parsed);
  const seconds = (flags & (SET_EX | SET_EXAT)) !== 0;
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) {
    s.engine.replyError(s, invalidExpireError(command));
    return null;
  }
  if (seconds) ms *= 1000n;
  if ((flags & (SET_EX | SET_PX)) !== 0) ms += BigInt(s.engine.keyspace.nowMs);
  if (ms > INT64_MAX) {
    s.engine.replyError(s, invalidExpireError(command));
    return null;
  }
  return ms;
}

/** redis getGenericCommand: replies the value or null; false (after WRONGTYPE) when the key is not a string. */
function getGeneric(s: Session, key: string): boolean {
  const value = stringOf(s.db.getRead(key));
  if (value === 'wrongtype') {
    s.engine.replyError(s, ERR.wrongType);
    return false;
  }
  s.reply.bulkOrNull(value);
  return true;
}

interface SetRequest {
  flags: number;
  key: string;
  value: string;
  expireArg: string | null;
  /** Replies when the write is done / refused by NX or XX; default OK / null. */
  okReply?: (s: Session) => void;
  abortReply?: (s: Session) => void;
}

/** redis setGenericCommand: SET with options, SETNX, SETEX, PSETEX. */
function setGeneric(s: Session, args: string[], req: SetRequest): void {
  const { flags, key, value } = req;
  let expireAtMs: bigint | null = null;
  if (req.expireArg !== null) {
    expireAtMs = expireAtOrReply(s, args[0]!.toLowerCase(), req.expireArg, flags);
    if (expireAtMs === null) return;
  }
  if ((flags & SET_GET) !== 0 && !getGeneric(s, key)) return;
  const found = s.db.getWrite(key) !== undefined;
  if (((flags & SET_NX) !== 0 && found) || ((flags & SET_XX) !== 0 && !found)) {
    if ((flags & SET_GET) === 0) (req.abortReply ?? ((x: Session) => x.reply.nullBulk()))(s);
    return;
  }
  setKey(s, key, value, (flags & SET_KEEPTTL) !== 0);
  s.engine.addDirty();
  s.engine.notify(NOTIFY.string, 'set', key, s.db.id);
  if (expireAtMs !== null) {
    s.db.setExpire(key, expireAtMs);
    s.engine.rewrite(['SET', key, value, 'PXAT', String(expireAtMs)]);
    s.engine.notify(NOTIFY.generic, 'expire', key, s.db.id);
  }
  if ((flags & SET_GET) === 0) (req.okReply ?? ((x: Session) => x.reply.ok()))(s);
  if ((flags & SET_GET) !== 0 && expireAtMs === null) {
    s.engine.rewrite(args.filter((a, j) => j < 3 || cstr(a).toLowerCase() !== 'get'));
  }
}

function get(s: Session, args: string[]): void {
  getGeneric(s, args[1]!);
}

function set(s: Session, args: string[]): void {
  const parsed = parseExtendedArgs(s, args, true);
  if (parsed === null) return;
  const expireArg = parsed.expireIndex < 0 ? null : args[parsed.expireIndex]!;
  setGeneric(s, args, { flags: parsed.flags, key: args[1]!, value: args[2]!, expireArg });
}

function setnx(s: Session, args: string[]): void {
  setGeneric(s, args, {
    flags: SET_NX,
    key: args[1]!,
    value: args[2]!,
    expireArg: null,
    okReply: (x) => x.reply.integer(1),
    abortReply: (x) => x.reply.integer(0),
  });
}

function setex(s: Session, args: string[]): void {
  setGeneric(s, args, { flags: SET_EX, key: args[1]!, value: args[3]!, expireArg: args[2]! });
}

function psetex(s: Session, args: string[]): void {
  setGeneric(s, args, { flags: SET_PX, key: args[1]!, value: args[3]!, expireArg: args[2]! });
}

/** GETEX key [EX|PX|EXAT|PXAT t | PERSIST]: GET that also sets or removes the TTL. */
function getex(s: Session, args: string[]): void {
  const parsed = parseExtendedArgs(s, args, false);
  if (parsed === null) return;
  const key = args[1]!;
  const stored = readStringOrReply(s, key, () => s.reply.nullBulk());
  if (stored === undefined) return;
  const value = stringBytes(stored);
  let expireAtMs: bigint | null = null;
  if (parsed.expireIndex >= 0) {
    expireAtMs = expireAtOrReply(s, 'getex', args[parsed.expireIndex]!, parsed.flags);
    if (expireAtMs === null) return;
  }
  s.reply.bulk(value);
  const absolute = (parsed.flags & (SET_EXAT | SET_PXAT)) !== 0;
  if (expireAtMs !== null && absolute && expireTimePassed(s, expireAtMs)) {
    s.db.delete(key);
    s.engine.rewrite(['DEL', key]);
    s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
    s.engine.addDirty();
  } else if (expireAtMs !== null) {
    s.db.setExpire(key, expireAtMs);
    s.engine.rewrite(['PEXPIREAT', key, String(expireAtMs)]);
    s.engine.keyModified(s.db, key);
    s.engine.notify(NOTIFY.generic, 'expire', key, s.db.id);
    s.engine.addDirty();
  } else if ((parsed.flags & SET_PERSIST) !== 0 && s.db.removeExpire(key)) {
    s.engine.keyModified(s.db, key);
    s.engine.rewrite(['PERSIST', key]);
    s.engine.notify(NOTIFY.generic, 'persist', key, s.db.id);
    s.engine.addDirty();
  }
}


function getdel(s: Session, args: string[]): void {
  const key = args[1]!;
  if (!getGeneric(s, key)) return;
  if (s.db.delete(key)) {
    s.engine.rewrite(['DEL', key]);
    s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
    s.engine.addDirty();
  }
}

function getset(s: Session, args: string[]): void {
  const key = args[1]!;
  if (!getGeneric(s, key)) return;
  setKey(s, key, args[2]!);
  s.engine.notify(NOTIFY.string, 'set', key, s.db.id);
  s.engine.addDirty();
  s.engine.rewrite(['SET', key, args[2]!]);
}

function mget(s: Session, args: string[]): void {
  s.reply.array(args.length - 1);
  for (let j = 1; j < args.length; j++) {
    const value = stringOf(s.db.getRead(args[j]!));
    s.reply.bulkOrNull(value === 'wrongtype' ? null : value);
  }
}

function msetGeneric(s: Session, args: string[], nx: boolean): void {
  if (args.length % 2 === 0) {
    s.engine.replyError(s, arityError(nx ? 'msetnx' : 'mset'));
    return;
  }
  if (nx) {
    for (let j = 1; j < args.length; j += 2) {
      if (s.db.getWrite(args[j]!) !== undefined) {
        s.reply.integer(0);
        return;
      }
    }
  }
  for (let j = 1; j < args.length; j += 2) {
    setKey(s, args[j]!, args[j + 1]!);
    s.engine.notify(NOTIFY.string, 'set', args[j]!, s.db.id);
  }
  s.engine.addDirty((args.length - 1) / 2);
  if (nx) s.reply.integer(1);
  else s.reply.ok();
}

// ---------------------------------------------------------------------------------------------------------
// Counters

/** redis incrDecrCommand: adds `increment` to the integer at `key` (missing = 0), keeping its TTL. */
function incrDecr(s: Session, key: string, increment: number | bigint): void {
  const current = stringOf(s.db.getWrite(key));
  if (current === 'wrongtype') {
    s.engine.replyError(s, ERR.wrongType);
    return;
  }
  const old = current === null ? 0 : parseInt64(current);
  if (old === null) {
    s.engine.replyError(s, ERR.notInteger);
    return;
  }
  let next: number | bigint;
  if (typeof old === 'number' && typeof increment === 'number' && Number.isSafeInteger(old + increment)) {
    next = old + increment;
  } else {
    const sum = BigInt(old) + BigInt(increment);
    if (sum > INT64_MAX || sum < INT64_MIN) {
      s.engine.replyError(s, ERR.incrOverflow);
      return;
    }
    next = sum;
  }
  if (current === null) s.db.add(key, String(next));
  else s.db.set(key, String(next), true);
  s.engine.notify(NOTIFY.string, 'incrby', key, s.db.id);
  s.engine.addDirty();
  s.reply.integer(next);
}

function incr(s: Session, args: string[]): void {
  incrDecr(s, args[1]!, 1);
}

function decr(s: Session, args: string[]): void {
  incrDecr(s, args[1]!, -1);
}

function incrby(s: Session, args: string[]): void {
  const increment = int64OrReply(s, args[2]!);
  if (increment !== null) incrDecr(s, args[1]!, increment);
}

function decrby(s: Session, args: string[]): void {
  const decrement = int64OrReply(s, args[2]!);
  if (decrement === null) return;
  if (decrement === INT64_MIN) {
    s.engine.replyError(s, ERR.decrementOverflow);
    return;
  }
  incrDecr(s, args[1]!, -decrement);
}

function incrbyfloat(s: Session, args: string[]): void {
  const key = args[1]!;
  const current = stringOf(s.db.getWrite(key));
  if (current === 'wrongtype') {
    s.engine.replyError(s, ERR.wrongType);
    return;
  }
  const result = incrByFloat(current, args[2]!);
  if (!result.ok) {
    s.engine.replyError(s, result.error === 'nan-or-infinity' ? ERR.incrNanOrInfinity : ERR.notFloat);
    return;
  }
  const stored = unencodedString(result.value);
  if (current === null) s.db.add(key, stored);
  else s.db.set(key, stored, true);
  s.engine.notify(NOTIFY.string, 'incrbyfloat', key, s.db.id);
  s.engine.addDirty();
  s.reply.bulk(result.value);
  s.engine.rewrite(['SET', key, result.value, 'KEEPTTL']);
}

// ---------------------------------------------------------------------------------------------------------
// Editing and ranges

function append(s: Session, args: string[]): void {
  const key = args[1]!;
  const suffix = args[2]!;
  const value = s.db.getWrite(key);
  let length: number;
  if (value === undefined) {
    s.db.add(key, suffix);
    length = suffix.length;
  } else {
    if (!isString(value)) {
      s.engine.replyError(s, ERR.wrongType);
      return;
    }
    if (!checkStringLength(s, value.length, suffix.length)) return;
    const mutable = unshareString(s.db, key);
    mutable.append(suffix);
    length = mutable.length;
    s.engine.keyModified(s.db, key);
  }
  s.engine.notify(NOTIFY.string, 'append', key, s.db.id);
  s.engine.addDirty();
  s.reply.integer(length);
}

function strlen(s: Session, args: string[]): void {
  const value = readStringOrReply(s, args[1]!, () => s.reply.integer(0));
  if (value !== undefined) s.reply.integer(value.length);
}

function setrange(s: Session, args: string[]): void {
  const key = args[1]!;
  const patch = args[3]!;
  const parsed = int64OrReply(s, args[2]!);
  if (parsed === null) return;
  if (parsed < 0) {
    s.engine.replyError(s, ERR.offsetOutOfRange);
    return;
  }
  const offset = clampIndex(parsed);
  const value = s.db.getWrite(key);
  let target: MutableString;
  if (value === undefined) {
    if (patch.length === 0) {
      s.reply.integer(0);
      return;
    }
    if (!checkStringLength(s, offset, patch.length)) return;
    target = new MutableString('', offset + patch.length);
    s.db.add(key, target);
  } else {
    if (!isString(value)) {
      s.engine.replyError(s, ERR.wrongType);
      return;
    }
    if (patch.length === 0) {
      s.reply.integer(value.length);
      return;
    }
    if (!checkStringLength(s, offset, patch.length)) return;
    target = unshareString(s.db, key);
  }
  target.write(offset, patch);
  s.engine.keyModified(s.db, key);
  s.engine.notify(NOTIFY.string, 'setrange', key, s.db.id);
  s.engine.addDirty();
  s.reply.integer(target.length);
}

/** GETRANGE / SUBSTR: inclusive byte range with negative indexes from the end. */
function getrange(s: Session, args: string[]): void {
  const start0 = int64OrReply(s, args[2]!);
  if (start0 === null) return;
  const end0 = int64OrReply(s, args[3]!);
  if (end0 === null) return;
  const value = stringOf(s.db.getRead(args[1]!));
  if (value === 'wrongtype') {
    s.engine.replyError(s, ERR.wrongType);
    return;
  }
  if (value === null || (start0 < 0 && end0 < 0 && start0 > end0)) {
    s.reply.bulk('');
    return;
  }
  const n = value.length;
  let start = clampIndex(start0);
  let end = clampIndex(end0);
  if (start < 0) start = n + start;
  if (end < 0) end = n + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end || n === 0) s.reply.bulk('');
  else s.reply.bulk(value.slice(start, end + 1));
}

// ---------------------------------------------------------------------------------------------------------
// LCS

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseLcsOptions(s: Session, args: string[]): LcsOptions | null {
  const options: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < args.length; j++) {
    const opt = cstr(args[j]!).toLowerCase();
    if (opt === 'idx') options.idx = true;
    else if (opt === 'len') options.len = true;
    else if (opt === 'withmatchlen') options.withMatchLen = true;
    else if (opt === 'minmatchlen' && j < args.length - 1) {
      const v = int64OrReply(s, args[j + 1]!);
      if (v === null) return null;
      options.minMatchLen = v < 0 ? 0 : clampIndex(v);
      j++;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  if (options.len && options.idx) {
    s.engine.replyError(s, ERR.lcsLenAndIdx);
    return null;
  }
  return options;
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], the dynamic-programming walk of redis lcsCommand. */
function lcs(s: Session, args: string[]): void {
  const a = stringOf(s.db.getRead(args[1]!));
  const b = stringOf(s.db.getRead(args[2]!));
  if (a === 'wrongtype' || b === 'wrongtype') {
    s.engine.replyError(s, ERR.lcsNotStrings);
    return;
  }
  const options = parseLcsOptions(s, args);
  if (options === null) return;
  const x = a ?? '';
  const y = b ?? '';
  if (x.length >= 0xfffffffe || y.length >= 0xfffffffe) {
    s.engine.replyError(s, ERR.lcsTooLong);
    return;
  }
  if ((x.length + 1) * (y.length + 1) * 4 > s.engine.settings.protoMaxBulkLen) {
    s.engine.replyError(s, ERR.lcsMemory);
    return;
  }
  const table = lcsTable(x, y);
  const total = table[x.length * (y.length + 1) + y.length]!;
  if (options.len) {
    s.reply.integer(total);
    return;
  }
  const walk = lcsWalk(x, y, table, total, options.minMatchLen);
  if (!options.idx) {
    s.reply.bulk(walk.common);
    return;
  }
  s.reply.map(2);
  s.reply.bulk('matches');
  s.reply.array(walk.ranges.length);
  for (const [aStart, aEnd, bStart, bEnd] of walk.ranges) {
    s.reply.array(options.withMatchLen ? 3 : 2);
    s.reply.array(2);
    s.reply.integer(aStart);
    s.reply.integer(aEnd);
    s.reply.array(2);
    s.reply.integer(bStart);
    s.reply.integer(bEnd);
    if (options.withMatchLen) s.reply.integer(aEnd - aStart + 1);
  }
  s.reply.bulk('len');
  s.reply.integer(total);
}

/** LCS(i, j) = length of the LCS of x[0..i) and y[0..j), stored at j + (|y|+1) * i. */
function lcsTable(x: string, y: string): Uint32Array {
  const width = y.length + 1;
  const table = new Uint32Array((x.length + 1) * width);
  for (let i = 1; i <= x.length; i++) {
    const ci = x.charCodeAt(i - 1);
    for (let j = 1; j <= y.length; j++) {
      const at = j + width * i;
      if (ci === y.charCodeAt(j - 1)) table[at] = table[at - width - 1]! + 1;
      else table[at] = Math.max(table[at - width]!, table[at - 1]!);
    }
  }
  return table;
}

/** Walks the table back from the end: the common subsequence, and its matching ranges from last to first. */
function lcsWalk(
  x: string,
  y: string,
  table: Uint32Array,
  total: number,
  minMatchLen: number,
): { common: string; ranges: [number, number, number, number][] } {
  const width = y.length + 1;
  const chars: string[] = new Array<string>(total);
  const ranges: [number, number, number, number][] = [];
  const none = x.length;
  let aStart = none;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let idx = total;
  let i = x.length;
  let j = y.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (x.charCodeAt(i - 1) === y.charCodeAt(j - 1)) {
      chars[idx - 1] = x[i - 1]!;
      if (aStart === none) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[j + width * (i - 1)]! > table[j - 1 + width * i]!) i--;
      else j--;
      if (aStart !== none) emit = true;
    }
    if (emit) {
      if (minMatchLen === 0 || aEnd - aStart + 1 >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd]);
      aStart = none;
    }
  }
  return { common: chars.join(''), ranges };
}

export const stringCommands: CommandDef[] = [
  { name: 'get', handler: get },
  { name: 'set', handler: set },
  { name: 'setnx', handler: setnx },
  { name: 'setex', handler: setex },
  { name: 'psetex', handler: psetex },
  { name: 'getex', handler: getex },
  { name: 'getdel', handler: getdel },
  { name: 'getset', handler: getset },
  { name: 'mget', handler: mget },
  { name: 'mset', handler: (s, args) => msetGeneric(s, args, false) },
  { name: 'msetnx', handler: (s, args) => msetGeneric(s, args, true) },
  { name: 'append', handler: append },
  { name: 'strlen', handler: strlen },
  { name: 'incr', handler: incr },
  { name: 'decr', handler: decr },
  { name: 'incrby', handler: incrby },
  { name: 'decrby', handler: decrby },
  { name: 'incrbyfloat', handler: incrbyfloat },
  { name: 'getrange', handler: getrange },
  { name: 'substr', handler: getrange },
  { name: 'setrange', handler: setrange },
  { name: 'lcs', handler: lcs },
];
