/**
 * List commands (redis `src/t_list.c`) and the blocking pops (redis `src/blocked.c`).
 *
 * Replies, errors, keyspace notifications and propagation follow Redis 7.0: a list emptied by a command is
 * deleted (`del` notified); LMPOP and a blocking pop served at once propagate as the non-blocking command
 * (BLPOP -> LPOP key, BLMPOP -> LPOP key count, BLMOVE -> LMOVE, BRPOPLPUSH -> RPOPLPUSH). A client blocked on
 * a key is served when a push creates the key: the retry callback pops, replies and propagates the pop through
 * `Engine.also` as Redis's serveClientBlockedOnList does (with Redis's lowercase `left`/`right` for LMOVE).
 * Inside a transaction a blocking command never blocks: it answers as if it had timed out.
 *
 * The argument helpers at the top (`longOrReply`, `timeoutOrReply`) are shared by the hash
 * and set families.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR, arityError, collectionError, rangeError } from './errors.js';
import { is, parseInt64 } from './args.js';
import { ListValue, string2ld, type Bytes, type Db, type LongDouble, type RedisValue } from '../keyspace/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Shared argument helpers

export const LONG_MAX = 9223372036854775807n;
export const LONG_MIN = -9223372036854775808n;

/**
 * getRangeLongFromObjectOrReply: the argument as a number (exact below 2^53, nearest beyond), or null after
 * replying. `message` replaces both the parse error and the range error, as in Redis; without it they are
 * "value is not an integer or out of range" and "value is out of range, value must between MIN and MAX".
 */
export function longOrReply(
  s: Session,
  arg: Bytes,
  min: bigint = LONG_MIN,
  max: bigint = LONG_MAX,
  message?: string,
): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    s.engine.replyError(s, message ?? ERR.notInteger);
    return null;
  }
  const big = BigInt(v);
  if (big < min || big > max) {
    s.engine.replyError(s, message ?? rangeError(min, max));
    return null;
  }
  return Number(v);
}

/** getPositiveLongFromObjectOrReply. */
export function positiveLongOrReply(s: Session, arg: Bytes, message: string = collectionError.mustBePositive): number | null {
  return longOrReply(s, arg, 0n, LONG_MAX, message);
}

/**
 * getTimeoutFromObjectOrReply in seconds: the absolute deadline in unix ms, 0 for "no timeout", or null after
 * replying. Redis computes `(long long) ceill(seconds * 1000.0L)` in 80-bit long double; a value the cast cannot
 * represent (inf, >= 2^63 ms) becomes LLONG_MIN on x86 and is reported as negative.
 */
export function timeoutOrReply(s: Session, arg: Bytes): number | null {
  const seconds = string2ld(arg);
  if (seconds === null || seconds.kind === 'nan') {
    s.engine.replyError(s, collectionError.timeoutNotFloat);
    return null;
  }
  const ms = millisecondsCeil(seconds);
  if (ms === null || ms < 0n) {
    s.engine.replyError(s, collectionError.timeoutNegative);
    return null;
  }
  return ms > 0n ? Number(ms) + s.engine.keyspace.nowMs : 0;
}

/** ceill(value * 1000) with the product rounded to a 64-bit significand; null when outside int64. */
function millisecondsCeil(value: LongDouble): bigint | null {
  if (value.kind !== 'finite') return null;
  let mantissa = value.mantissa * 1000n;
  let exponent = value.exponent;
  const excess = mantissa.toString(2).length - 64;
  if (excess > 0) {
    const unit = 1n << BigInt(excess);
    const quotient = mantissa >> BigInt(excess);
    const twiceRemainder = (mantissa - quotient * unit) * 2n;
    mantissa = twiceRemainder > unit || (twiceRemainder === unit && (quotient & 1n) === 1n) ? quotient + 1n : quotient;
    exponent += excess;
  }
  let magnitude: bigint;
  if (exponent >= 0) {
    if (exponent > 70) return null;
    magnitude = mantissa << BigInt(exponent);
  } else {
    const divisor = 1n << BigInt(-exponent);
    magnitude = mantissa / divisor;
    // ceil of a positive value rounds the magnitude up; of a negative value, down.
    if (!value.negative && magnitude * divisor !== mantissa) magnitude += 1n;
  }
  const signed = value.negative ? -magnitude : magnitude;
  if (signed > LONG_MAX || signed < LONG_MIN) return null;
  return signed;
}

/** Removes `key` when its collection became empty, with Redis's `del` notification. Returns true when deleted. */
export function deleteIfEmpty(s: Session, db: Db, key: Bytes, size: number): boolean {
  if (size !== 0) return false;
  db.delete(key);
  s.engine.notify(NOTIFY.generic, 'del', key, db.id);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup

type Where = 'left' | 'right';

function isList(v: RedisValue): v is ListValue {
  return typeof v !== 'string' && v.kind === 'list';
}

/** The list at `key`: undefined when absent, null after replying WRONGTYPE. */
function listAt(s: Session, key: Bytes, write: boolean): ListValue | undefined | null {
  const value = write ? s.db.getWrite(key) : s.db.getRead(key);
  if (value === undefined) return undefined;
  if (!isList(value)) {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return value;
}

function whereOrReply(s: Session, arg: Bytes): Where | null {
  if (is(arg, 'left')) return 'left';
  if (is(arg, 'right')) return 'right';
  s.engine.replyError(s, ERR.syntax);
  return null;
}

function popEvent(where: Where): string {
  return where === 'left' ? 'lpop' : 'rpop';
}

function popCommand(where: Where): string {
  return where === 'left' ? 'LPOP' : 'RPOP';
}

/** Clamps LRANGE-style inclusive indexes; null when the range is empty. */
function clampRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  if (end >= length) end = length - 1;
  return [start, end];
}

/** Pops up to `count` elements from one end, in pop order. */
function popRange(list: ListValue, where: Where, count: number): Bytes[] {
  const n = Math.min(count, list.length);
  const out = new Array<Bytes>(n);
  for (let i = 0; i < n; i++) out[i] = (where === 'left' ? list.popHead() : list.popTail())!;
  return out;
}

/** listElementsRemoved: the pop notification, deletion when empty, dirty. */
function elementsRemoved(s: Session, db: Db, key: Bytes, where: Where, list: ListValue, count: number): void {
  s.engine.notify(NOTIFY.list, popEvent(where), key, db.id);
  if (!deleteIfEmpty(s, db, key, list.length)) touch(s, key, db);
  s.engine.addDirty(count);
}

// ---------------------------------------------------------------------------------------------------------------
// Push, pop, read

function pushGeneric(s: Session, args: Bytes[], where: Where, onlyIfExists: boolean): void {
  const key = args[1]!;
  let list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) {
    if (onlyIfExists) return s.reply.integer(0);
    list = ListValue.empty(s.engine.keyspace.config);
    s.db.add(key, list);
  }
  for (let j = 2; j < args.length; j++) {
    if (where === 'left') list.pushHead(args[j]!);
    else list.pushTail(args[j]!);
  }
  s.engine.addDirty(args.length - 2);
  touch(s, key);
  s.reply.integer(list.length);
  s.engine.notify(NOTIFY.list, where === 'left' ? 'lpush' : 'rpush', key, s.db.id);
}

function popGeneric(s: Session, args: Bytes[], where: Where): void {
  if (args.length > 3) return s.engine.replyError(s, arityError(where === 'left' ? 'lpop' : 'rpop'));
  const hasCount = args.length === 3;
  let count = 0;
  if (hasCount) {
    const parsed = positiveLongOrReply(s, args[2]!);
    if (parsed === null) return;
    count = parsed;
  }
  const key = args[1]!;
  const list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) return hasCount ? s.reply.nullArray() : s.reply.nullBulk();
  if (hasCount && count === 0) return s.reply.array(0);
  if (!hasCount) {
    s.reply.bulk((where === 'left' ? list.popHead() : list.popTail())!);
    elementsRemoved(s, s.db, key, where, list, 1);
    return;
  }
  const popped = popRange(list, where, count);
  s.reply.bulkArray(popped);
  elementsRemoved(s, s.db, key, where, list, popped.length);
}

function llen(s: Session, args: Bytes[]): void {
  const list = listAt(s, args[1]!, false);
  if (list === null) return;
  s.reply.integer(list === undefined ? 0 : list.length);
}

function lrange(s: Session, args: Bytes[]): void {
  const start = longOrReply(s, args[2]!);
  if (start === null) return;
  const end = longOrReply(s, args[3]!);
  if (end === null) return;
  const list = listAt(s, args[1]!, false);
  if (list === null) return;
  const range = list === undefined ? null : clampRange(start, end, list.length);
  if (list === undefined || range === null) return s.reply.array(0);
  s.reply.bulkArray(list.range(range[0], range[1]));
}

function lindex(s: Session, args: Bytes[]): void {
  const list = listAt(s, args[1]!, false);
  if (list === null) return;
  if (list === undefined) return s.reply.nullBulk();
  let index = longOrReply(s, args[2]!);
  if (index === null) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return s.reply.nullBulk();
  s.reply.bulk(list.at(index));
}

function lset(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) return s.engine.replyError(s, ERR.noSuchKey);
  let index = longOrReply(s, args[2]!);
  if (index === null) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return s.engine.replyError(s, ERR.outOfRange);
  list.setAt(index, args[3]!);
  s.reply.ok();
  touch(s, key);
  s.engine.notify(NOTIFY.list, 'lset', key, s.db.id);
  s.engine.addDirty();
}

function linsert(s: Session, args: Bytes[]): void {
  let after: boolean;
  if (is(args[2], 'after')) after = true;
  else if (is(args[2], 'before')) after = false;
  else return s.engine.replyError(s, ERR.syntax);
  const key = args[1]!;
  const list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) return s.reply.integer(0);
  const pivot = args[3]!;
  let found = -1;
  for (let i = 0; i < list.length; i++) {
    if (list.at(i) === pivot) {
      found = i;
      break;
    }
  }
  if (found < 0) return s.reply.integer(-1);
  list.insertBeside(found, after, args[4]!);
  touch(s, key);
  s.engine.notify(NOTIFY.list, 'linsert', key, s.db.id);
  s.engine.addDirty();
  s.reply.integer(list.length);
}

/** signalModifiedKey for a change made in place (WATCH). */
function touch(s: Session, key: Bytes, db: Db = s.db): void {
  s.engine.keyModified(db, key);
}

function lrem(s: Session, args: Bytes[]): void {
  const count = longOrReply(s, args[2]!);
  if (count === null) return;
  const key = args[1]!;
  const list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) return s.reply.integer(0);
  const removed = list.removeMatching(args[3]!, Math.abs(count), count < 0);
  s.engine.addDirty(removed);
  if (removed > 0) {
    if (list.length > 0) touch(s, key);
    s.engine.notify(NOTIFY.list, 'lrem', key, s.db.id);
  }
  deleteIfEmpty(s, s.db, key, list.length);
  s.reply.integer(removed);
}

function ltrim(s: Session, args: Bytes[]): void {
  const start = longOrReply(s, args[2]!);
  if (start === null) return;
  const end = longOrReply(s, args[3]!);
  if (end === null) return;
  const key = args[1]!;
  const list = listAt(s, key, true);
  if (list === null) return;
  if (list === undefined) return s.reply.ok();
  const length = list.length;
  const range = clampRange(start, end, length);
  const removed = range === null ? length : length - (range[1] - range[0] + 1);
  if (range === null) list.trim(1, 0);
  else list.trim(range[0], range[1]);
  s.engine.notify(NOTIFY.list, 'ltrim', key, s.db.id);
  if (!deleteIfEmpty(s, s.db, key, list.length)) touch(s, key);
  s.engine.addDirty(removed);
  s.reply.ok();
}

function lpos(s: Session, args: Bytes[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (is(args[j], 'rank') && more > 0) {
      const v = longOrReply(s, args[++j]!);
      if (v === null) return;
      if (v === 0) return s.engine.replyError(s, collectionError.rankZero);
      rank = v;
    } else if (is(args[j], 'count') && more > 0) {
      const v = positiveLongOrReply(s, args[++j]!, collectionError.countNegative);
      if (v === null) return;
      count = v;
    } else if (is(args[j], 'maxlen') && more > 0) {
      const v = positiveLongOrReply(s, args[++j]!, collectionError.maxlenNegative);
      if (v === null) return;
      maxlen = v;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  let fromTail = false;
  // -LONG_MIN overflows in C and stays negative: every match passes the rank test, and `matches - rank + 1`
  // overflows to a negative number, so COUNT never stops the scan.
  const rankOverflow = rank === Number(LONG_MIN);
  if (rank < 0) {
    fromTail = true;
    if (!rankOverflow) rank = -rank;
  }
  const list = listAt(s, args[1]!, false);
  if (list === null) return;
  if (list === undefined) return count !== -1 ? s.reply.array(0) : s.reply.nullBulk();
  const element = args[2]!;
  const length = list.length;
  const found: number[] = [];
  let matches = 0;
  for (let index = 0; index < length && (maxlen === 0 || index < maxlen); index++) {
    const position = fromTail ? length - index - 1 : index;
    if (list.at(position) !== element) continue;
    matches++;
    if (matches < rank) continue;
    found.push(position);
    if (count === -1 || (count !== 0 && !rankOverflow && matches - rank + 1 >= count)) break;
  }
  if (count !== -1) {
    s.reply.array(found.length);
    for (const position of found) s.reply.integer(position);
  } else if (found.length > 0) {
    s.reply.integer(found[0]!);
  } else {
    s.reply.nullBulk();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// LMOVE / RPOPLPUSH

/**
 * lmoveGenericCommand after the source was found non-empty and the destination type-checked: pops, pushes
 * (creating the destination), replies with the element, notifies push then pop (and `del` of an emptied
 * source). Returns the element.
 */
function moveElement(s: Session, db: Db, source: ListValue, sourceKey: Bytes, destination: ListValue | undefined, destinationKey: Bytes, from: Where, to: Where): void {
  const value = (from === 'left' ? source.popHead() : source.popTail())!;
  let target = destination;
  if (target === undefined) {
    target = ListValue.empty(s.engine.keyspace.config);
    db.add(destinationKey, target);
  } else {
    touch(s, destinationKey, db);
  }
  if (to === 'left') target.pushHead(value);
  else target.pushTail(value);
  s.engine.notify(NOTIFY.list, to === 'left' ? 'lpush' : 'rpush', destinationKey, db.id);
  s.reply.bulk(value);
  s.engine.notify(NOTIFY.list, popEvent(from), sourceKey, db.id);
  if (!deleteIfEmpty(s, db, sourceKey, source.length)) touch(s, sourceKey, db);
}

/** LMOVE semantics; `propagateAs` replaces the propagated argv (for BLMOVE / BRPOPLPUSH served at once). */
function lmoveGeneric(s: Session, args: Bytes[], from: Where, to: Where, propagateAs: Bytes[] | null): void {
  const sourceKey = args[1]!;
  const destinationKey = args[2]!;
  const source = listAt(s, sourceKey, true);
  if (source === null) return;
  if (source === undefined || source.length === 0) return s.reply.nullBulk();
  const destination = listAt(s, destinationKey, true);
  if (destination === null) return;
  moveElement(s, s.db, source, sourceKey, destination, destinationKey, from, to);
  s.engine.addDirty();
  if (propagateAs !== null) s.engine.rewrite(propagateAs);
}

function lmove(s: Session, args: Bytes[]): void {
  const from = whereOrReply(s, args[3]!);
  if (from === null) return;
  const to = whereOrReply(s, args[4]!);
  if (to === null) return;
  lmoveGeneric(s, args, from, to, null);
}

function rpoplpush(s: Session, args: Bytes[]): void {
  lmoveGeneric(s, args, 'right', 'left', null);
}

// ---------------------------------------------------------------------------------------------------------------
// LMPOP and the blocking pops

interface MpopRequest {
  keys: Bytes[];
  where: Where;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys, keys, LEFT|RIGHT, [COUNT n]. Null after replying. */
function parseMpop(s: Session, args: Bytes[], numkeysIndex: number): MpopRequest | null {
  const numkeys = longOrReply(s, args[numkeysIndex]!, 1n, LONG_MAX, collectionError.numkeysPositive);
  if (numkeys === null) return null;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= args.length) {
    s.engine.replyError(s, ERR.syntax);
    return null;
  }
  const where = whereOrReply(s, args[whereIndex]!);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIndex + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && is(args[j], 'count') && more > 0) {
      const v = longOrReply(s, args[++j]!, 1n, LONG_MAX, collectionError.countPositive);
      if (v === null) return null;
      count = v;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  return { keys: args.slice(numkeysIndex + 1, whereIndex), where, count: count === -1 ? 1 : count };
}

/** listPopRangeAndReplyWithKey: [key, [elements]] and the removal bookkeeping. Returns the number popped. */
function popRangeWithKey(s: Session, db: Db, list: ListValue, key: Bytes, where: Where, count: number): number {
  s.reply.array(2);
  s.reply.bulk(key);
  const popped = popRange(list, where, count);
  s.reply.bulkArray(popped);
  elementsRemoved(s, db, key, where, list, popped.length);
  return popped.length;
}

function lmpop(s: Session, args: Bytes[]): void {
  const request = parseMpop(s, args, 1);
  if (request === null) return;
  for (const key of request.keys) {
    const list = listAt(s, key, true);
    if (list === null) return;
    if (list === undefined || list.length === 0) continue;
    const n = popRangeWithKey(s, s.db, list, key, request.where, request.count);
    s.engine.rewrite([popCommand(request.where), key, String(n)]);
    return;
  }
  s.reply.nullArray();
}

function uniqueKeys(keys: Bytes[]): Bytes[] {
  return [...new Set(keys)];
}

/**
 * blockingPopGenericCommand: BLPOP/BRPOP (`count` -1: reply [key, element]) and BLMPOP (`count` >= 1: reply
 * [key, [elements]]). Pops at once from the first non-empty key, else blocks (or answers null when blocking is
 * denied).
 */
function blockingPop(s: Session, keys: Bytes[], where: Where, timeoutArg: Bytes, count: number, command: string): void {
  const timeoutAtMs = timeoutOrReply(s, timeoutArg);
  if (timeoutAtMs === null) return;
  for (const key of keys) {
    const list = listAt(s, key, true);
    if (list === null) return;
    if (list === undefined || list.length === 0) continue;
    if (count !== -1) {
      const n = popRangeWithKey(s, s.db, list, key, where, count);
      s.engine.rewrite([popCommand(where), key, String(n)]);
      return;
    }
    const value = (where === 'left' ? list.popHead() : list.popTail())!;
    s.reply.array(2);
    s.reply.bulk(key);
    s.reply.bulk(value);
    elementsRemoved(s, s.db, key, where, list, 1);
    s.engine.rewrite([popCommand(where), key]);
    return;
  }
  if (s.engine.blockingDenied()) return s.reply.nullArray();
  const dbIndex = s.db.id;
  s.engine.block(s, {
    dbIndex,
    keys: uniqueKeys(keys),
    timeoutAtMs,
    command,
    retry: (key) => servePop(s, dbIndex, key, where, count),
    onTimeout: () => s.reply.nullArray(),
  });
}

/** serveClientBlockedOnList for a pop: false when `key` holds no list (keep waiting). */
function servePop(s: Session, dbIndex: number, key: Bytes, where: Where, count: number): boolean {
  const db = s.engine.keyspace.db(dbIndex);
  const value = db.getWrite(key);
  if (value === undefined || !isList(value) || value.length === 0) return false;
  if (count !== -1) {
    s.engine.also(dbIndex, [popCommand(where), key, String(Math.min(count, value.length))]);
    popRangeWithKey(s, db, value, key, where, count);
    return true;
  }
  s.engine.also(dbIndex, [popCommand(where), key]);
  const element = (where === 'left' ? value.popHead() : value.popTail())!;
  s.reply.array(2);
  s.reply.bulk(key);
  s.reply.bulk(element);
  s.engine.notify(NOTIFY.list, popEvent(where), key, dbIndex);
  if (!deleteIfEmpty(s, db, key, value.length)) touch(s, key, db);
  return true;
}

function blpop(s: Session, args: Bytes[]): void {
  blockingPop(s, args.slice(1, -1), 'left', args[args.length - 1]!, -1, 'blpop');
}

function brpop(s: Session, args: Bytes[]): void {
  blockingPop(s, args.slice(1, -1), 'right', args[args.length - 1]!, -1, 'brpop');
}

function blmpop(s: Session, args: Bytes[]): void {
  const request = parseMpop(s, args, 2);
  if (request === null) return;
  blockingPop(s, request.keys, request.where, args[1]!, request.count, 'blmpop');
}

/** blmoveGenericCommand: moves at once when the source exists, else blocks on the source. */
function blmoveGeneric(s: Session, args: Bytes[], from: Where, to: Where, timeoutAtMs: number, rpoplpushForm: boolean): void {
  const sourceKey = args[1]!;
  const source = listAt(s, sourceKey, true);
  if (source === null) return;
  if (source !== undefined) {
    const propagateAs = rpoplpushForm ? ['RPOPLPUSH', sourceKey, args[2]!] : ['LMOVE', sourceKey, args[2]!, args[3]!, args[4]!];
    return lmoveGeneric(s, args, from, to, propagateAs);
  }
  if (s.engine.blockingDenied()) return s.reply.nullBulk();
  const dbIndex = s.db.id;
  const destinationKey = args[2]!;
  s.engine.block(s, {
    dbIndex,
    keys: [sourceKey],
    timeoutAtMs,
    command: rpoplpushForm ? 'brpoplpush' : 'blmove',
    retry: (key) => {
      const db = s.engine.keyspace.db(dbIndex);
      const value = db.getWrite(key);
      if (value === undefined || !isList(value) || value.length === 0) return false;
      const destination = db.getWrite(destinationKey);
      if (destination !== undefined && !isList(destination)) {
        s.engine.replyError(s, ERR.wrongType);
        return true;
      }
      moveElement(s, db, value, key, destination, destinationKey, from, to);
      s.engine.also(dbIndex, rpoplpushForm ? ['RPOPLPUSH', key, destinationKey] : ['LMOVE', key, destinationKey, from, to]);
      return true;
    },
    onTimeout: () => s.reply.nullArray(),
  });
}

function blmove(s: Session, args: Bytes[]): void {
  const from = whereOrReply(s, args[3]!);
  if (from === null) return;
  const to = whereOrReply(s, args[4]!);
  if (to === null) return;
  const timeoutAtMs = timeoutOrReply(s, args[5]!);
  if (timeoutAtMs === null) return;
  blmoveGeneric(s, args, from, to, timeoutAtMs, false);
}

function brpoplpush(s: Session, args: Bytes[]): void {
  const timeoutAtMs = timeoutOrReply(s, args[3]!);
  if (timeoutAtMs === null) return;
  blmoveGeneric(s, args, 'right', 'left', timeoutAtMs, true);
}

export const listsCommands: CommandDef[] = [
  { name: 'lpush', handler: (s, args) => pushGeneric(s, args, 'left', false) },
  { name: 'rpush', handler: (s, args) => pushGeneric(s, args, 'right', false) },
  { name: 'lpushx', handler: (s, args) => pushGeneric(s, args, 'left', true) },
  { name: 'rpushx', handler: (s, args) => pushGeneric(s, args, 'right', true) },
  { name: 'lpop', handler: (s, args) => popGeneric(s, args, 'left') },
  { name: 'rpop', handler: (s, args) => popGeneric(s, args, 'right') },
  { name: 'llen', handler: llen },
  { name: 'lrange', handler: lrange },
  { name: 'lindex', handler: lindex },
  { name: 'lset', handler: lset },
  { name: 'linsert', handler: linsert },
  { name: 'lrem', handler: lrem },
  { name: 'ltrim', handler: ltrim },
  { name: 'lpos', handler: lpos },
  { name: 'lmove', handler: lmove },
  { name: 'rpoplpush', handler: rpoplpush },
  { name: 'lmpop', handler: lmpop },
  { name: 'blpop', handler: blpop },
  { name: 'brpop', handler: brpop },
  { name: 'blmpop', handler: blmpop },
  { name: 'blmove', handler: blmove },
  { name: 'brpoplpush', handler: brpoplpush },
];
