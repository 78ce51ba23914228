/**
 * Sorted set commands (redis `src/t_zset.c`, ZSCAN from `src/db.c`, blocking pops as `src/blocked.c`).
 *
 * Replies, errors, keyspace notifications and propagation follow Redis 7.0 exactly: blocking pops and ZMPOP
 * propagate as ZPOPMIN/ZPOPMAX with the count actually popped; emptied sorted sets are deleted. The value type
 * (order structure, encodings) lives in `src/keyspace/zset.ts`. GEO commands reuse `zaddCommand` and the range
 * helpers exported here.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR, zsetError, atLeastOneKeyError } from './errors.js';
import { intOrReply, is, parseInt64 } from './args.js';
import {
  ZSetValue, type SetValue, LEX_MAX, LEX_MIN, scoreAboveMin, scoreBelowMax, lexAboveMin, lexBelowMax,
  formatDouble, d2string, string2d, string2ld, stringMatch, typeName,
  type ZNode, type ScoreRange, type LexRange, type KeyspaceConfig, type Db, type Bytes,
} from '../keyspace/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** The zset at `key`; undefined when absent; null after replying WRONGTYPE. */
export function zsetAt(s: Session, key: Bytes, write: boolean): ZSetValue | undefined | null {
  const value = write ? s.db.getWrite(key) : s.db.getRead(key);
  if (value === undefined) return undefined;
  if (typeName(value) !== 'zset') {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return value as ZSetValue;
}

/**
 * A score reply (addReplyDouble, "%.17g"). Safe integers (|n| < 2^53) print as their exact decimal digits under
 * "%.17g", which String() produces much faster (bench/leaderboard.ts: ZREVRANGE 0 9 WITHSCORES). Above 2^53
 * String() gives the shortest round-trip form, not the exact value, so those, -0 and fractions go through
 * formatDouble.
 */
export function replyScore(s: Session, score: number): void {
  const integral = Number.isSafeInteger(score) && score !== 0;
  s.reply.double(integral ? String(score) : formatDouble(score));
}

/**
 * C strtod over a NUL-terminated argument (zslParseRange): leading white space allowed, the whole rest must be
 * consumed (an empty string is 0). Returns null when bytes are left over or the value is NaN.
 */
export function strtodWhole(arg: Bytes): number | null {
  const nul = arg.indexOf('\0');
  const text = nul >= 0 ? arg.slice(0, nul) : arg;
  if (text === '') return 0;
  const body = text.replace(/^[ \t\n\v\f\r]+/, '');
  if (body === '') return null;
  if (/^[+-]?(inf|infinity)$/i.test(body)) return body.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?0x/i.test(body)) {
    const value = string2d(body);
    if (value !== null) return value;
    const long = string2ld(body);
    if (/^[+-]?0x([0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(p[+-]?\d+)?$/i.test(body) && long === null) {
      // Hex overflow or underflow: strtod returns ±HUGE_VAL or 0, both accepted here.
      return /p\+?\d{4,}/i.test(body) ? (body.startsWith('-') ? -Infinity : Infinity) : 0;
    }
    return null;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(body)) return null;
  return Number(body);
}

/** zslParseRange: "(" opens an end. Null when either is not a float. */
export function parseScoreRange(min: Bytes, max: Bytes): ScoreRange | null {
  const minExclusive = min.startsWith('(');
  const maxExclusive = max.startsWith('(');
  const lo = strtodWhole(minExclusive ? min.slice(1) : min);
  const hi = strtodWhole(maxExclusive ? max.slice(1) : max);
  if (lo === null || hi === null) return null;
  return { min: lo, max: hi, minExclusive, maxExclusive };
}

function parseLexItem(item: Bytes): { value: Bytes | typeof LEX_MIN | typeof LEX_MAX; exclusive: boolean } | null {
  const first = item[0];
  const end = item.length === 1 || item[1] === '\0';
  if (first === '+') return end ? { value: LEX_MAX, exclusive: true } : null;
  if (first === '-') return end ? { value: LEX_MIN, exclusive: true } : null;
  if (first === '(') return { value: item.slice(1), exclusive: true };
  if (first === '[') return { value: item.slice(1), exclusive: false };
  return null;
}

/** zslParseLexRange. */
export function parseLexRange(min: Bytes, max: Bytes): LexRange | null {
  const lo = parseLexItem(min);
  const hi = parseLexItem(max);
  if (lo === null || hi === null) return null;
  return { min: lo.value, max: hi.value, minExclusive: lo.exclusive, maxExclusive: hi.exclusive };
}

/** Stores a computed zset at `dst` or deletes `dst` when the result is empty (setKey / dbDelete with events). */
function storeOrDelete(s: Session, dst: Bytes, result: ZSetValue, event: string): void {
  if (result.size > 0) {
    s.db.set(dst, result);
    s.reply.integer(result.size);
    s.engine.notify(NOTIFY.zset, event, dst, s.db.id);
    s.engine.addDirty();
    return;
  }
  s.reply.integer(0);
  if (s.db.getWrite(dst) !== undefined && s.db.delete(dst)) {
    s.engine.notify(NOTIFY.generic, 'del', dst, s.db.id);
    s.engine.addDirty();
  }
}

/** Deletes `key` when its zset became empty, with the `del` event. */
function deleteIfEmpty(s: Session, key: Bytes, zset: ZSetValue): boolean {
  if (zset.size > 0) return false;
  s.db.delete(key);
  return true;
}

/** Member/score pairs as a flat array (RESP2) or an array of pairs (RESP3). */
function replyPairs(s: Session, pairs: readonly ZNodeLike[], withScores: boolean): void {
  const nested = withScores && s.protocol === 3;
  s.reply.array(withScores && !nested ? pairs.length * 2 : pairs.length);
  for (const p of pairs) {
    if (nested) s.reply.array(2);
    s.reply.bulk(p.member);
    if (withScores) replyScore(s, p.score);
  }
}

interface ZNodeLike {
  readonly member: Bytes;
  readonly score: number;
}

// ---------------------------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

const NAN_ERROR = 'ERR resulting score is not a number (NaN)';

interface AddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  incr: boolean;
}

const NO_FLAGS: AddFlags = { nx: false, xx: false, gt: false, lt: false, incr: false };

/** What zsetAdd did: 'unchanged' was processed (e.g. same score) but changed nothing. */
type AddOutcome = 'added' | 'updated' | 'unchanged' | 'nop' | 'nan';

/** zsetAdd: one member under the flags' rules; `result.score` receives the new score unless 'nop'/'nan'. */
export function zsetAdd(
  zset: ZSetValue, score: number, member: Bytes, flags: AddFlags, config: KeyspaceConfig, result: { score: number },
): AddOutcome {
  if (Number.isNaN(score)) return 'nan';
  const node = zset.node(member);
  if (node !== undefined) {
    if (flags.nx) return 'nop';
    const current = node.score;
    let next = score;
    if (flags.incr) {
      next += current;
      if (Number.isNaN(next)) return 'nan';
    }
    if ((flags.lt && next >= current) || (flags.gt && next <= current)) return 'nop';
    result.score = next;
    if (next === current) return 'unchanged';
    zset.update(node, next);
    return 'updated';
  }
  if (flags.xx) return 'nop';
  zset.growCheck(config, member.length);
  zset.insert(member, score);
  result.score = score;
  return 'added';
}

/** ZADD with `args` as its argv (ZINCRBY and GEOADD come through here too, as in Redis). */
export function zaddGeneric(s: Session, args: Bytes[], incrCommand: boolean): void {
  const flags: AddFlags = { ...NO_FLAGS, incr: incrCommand };
  let ch = false;
  let scoreIndex = 2;
  for (; scoreIndex < args.length; scoreIndex++) {
    const opt = args[scoreIndex]!.toLowerCase();
    if (opt === 'nx') flags.nx = true;
    else if (opt === 'xx') flags.xx = true;
    else if (opt === 'ch') ch = true;
    else if (opt === 'incr') flags.incr = true;
    else if (opt === 'gt') flags.gt = true;
    else if (opt === 'lt') flags.lt = true;
    else break;
  }
  const elements = args.length - scoreIndex;
  if (elements % 2 !== 0 || elements === 0) return s.engine.replyError(s, ERR.syntax);
  const pairs = elements / 2;
  if (flags.nx && flags.xx) return s.engine.replyError(s, zsetError.nxAndXx);
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    return s.engine.replyError(s, zsetError.gtLtNx);
  }
  if (flags.incr && pairs > 1) return s.engine.replyError(s, zsetError.incrPair);
  const scores: number[] = [];
  for (let j = 0; j < pairs; j++) {
    const score = string2d(args[scoreIndex + j * 2]!);
    if (score === null) return s.engine.replyError(s, ERR.notFloat);
    scores.push(score);
  }
  const key = args[1]!;
  let zset = zsetAt(s, key, true);
  if (zset === null) return;
  const config = s.engine.keyspace.config;
  let added = 0;
  let updated = 0;
  let processed = 0;
  const result = { score: 0 };
  if (zset === undefined) {
    if (flags.xx) return replyAdd(s, flags.incr, ch, processed, result.score, added, updated);
    const first = args[scoreIndex + 1]!;
    zset = ZSetValue.empty(config.zsetMaxListpackEntries !== 0 && config.zsetMaxListpackValue >= first.length);
    s.db.add(key, zset);
  }
  for (let j = 0; j < pairs; j++) {
    const outcome = zsetAdd(zset, scores[j]!, args[scoreIndex + 1 + j * 2]!, flags, config, result);
    if (outcome === 'nan') {
      s.engine.replyError(s, NAN_ERROR);
      return afterAdd(s, key, flags.incr, added, updated);
    }
    if (outcome === 'added') added++;
    else if (outcome === 'updated') updated++;
    if (outcome !== 'nop') processed++;
  }
  s.engine.addDirty(added + updated);
  replyAdd(s, flags.incr, ch, processed, result.score, added, updated);
  afterAdd(s, key, flags.incr, added, updated);
}

function replyAdd(s: Session, incr: boolean, ch: boolean, processed: number, score: number, added: number, updated: number): void {
  if (!incr) s.reply.integer(ch ? added + updated : added);
  else if (processed > 0) replyScore(s, score);
  else s.reply.nullBulk();
}

function afterAdd(s: Session, key: Bytes, incr: boolean, added: number, updated: number): void {
  if (added === 0 && updated === 0) return;
  s.engine.keyModified(s.db, key);
  s.engine.notify(NOTIFY.zset, incr ? 'zincr' : 'zadd', key, s.db.id);
}

export function zaddCommand(s: Session, args: Bytes[]): void {
  zaddGeneric(s, args, false);
}

function zincrby(s: Session, args: Bytes[]): void {
  zaddGeneric(s, args, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Point reads and removal

function zrem(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const zset = zsetAt(s, key, true);
  if (zset === null) return;
  if (zset === undefined) return s.reply.integer(0);
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < args.length; j++) {
    if (zset.remove(args[j]!)) deleted++;
    if (zset.size === 0) {
      s.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    s.engine.notify(NOTIFY.zset, 'zrem', key, s.db.id);
    if (keyRemoved) s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
    s.engine.keyModified(s.db, key);
    s.engine.addDirty(deleted);
  }
  s.reply.integer(deleted);
}

function zcard(s: Session, args: Bytes[]): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  s.reply.integer(zset === undefined ? 0 : zset.size);
}

function zscore(s: Session, args: Bytes[]): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  const score = zset?.score(args[2]!);
  if (score === undefined) s.reply.nullBulk();
  else replyScore(s, score);
}

function zmscore(s: Session, args: Bytes[]): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  s.reply.array(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const score = zset?.score(args[j]!);
    if (score === undefined) s.reply.nullBulk();
    else replyScore(s, score);
  }
}

function zrankGeneric(s: Session, args: Bytes[], reverse: boolean): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  if (zset === undefined) return s.reply.nullBulk();
  const rank = zset.rank(args[2]!, reverse);
  if (rank < 0) s.reply.nullBulk();
  else s.reply.integer(rank);
}

function zcount(s: Session, args: Bytes[]): void {
  const range = parseScoreRange(args[2]!, args[3]!);
  if (range === null) return s.engine.replyError(s, zsetError.notFloatRange);
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  if (zset === undefined) return s.reply.integer(0);
  const first = zset.firstInScoreRange(range);
  if (first === null) return s.reply.integer(0);
  const last = zset.lastInScoreRange(range)!;
  s.reply.integer(zset.rankOf(last) - zset.rankOf(first) + 1);
}

function zlexcount(s: Session, args: Bytes[]): void {
  const range = parseLexRange(args[2]!, args[3]!);
  if (range === null) return s.engine.replyError(s, zsetError.notLexRange);
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  if (zset === undefined) return s.reply.integer(0);
  s.reply.integer(zset.lexCount(range));
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges (zrangeGenericCommand)

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** Elements by rank (genericZrangebyrankCommand), after index sanitising. Null: an empty range. */
function rankSlice(zset: ZSetValue, startArg: number, endArg: number, reverse: boolean): ZNode[] {
  const length = zset.size;
  let start = startArg < 0 ? length + startArg : startArg;
  let end = endArg < 0 ? length + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= length) return [];
  if (end >= length) end = length - 1;
  const out: ZNode[] = [];
  let node: ZNode | null = zset.at(reverse ? length - 1 - start : start);
  for (let i = start; i <= end && node !== null; i++) {
    out.push(node);
    node = zset.step(node, reverse);
  }
  return out;
}

/** Walks from `node` skipping `offset` elements, then takes up to `limit` (negative: all) while `inRange`. */
function walkLimited(zset: ZSetValue, start: ZNode | null, offset: number, limit: number, reverse: boolean, inRange: (n: ZNode) => boolean): ZNode[] {
  let node = start;
  let skip = offset;
  while (node !== null && skip !== 0) {
    skip--;
    node = zset.step(node, reverse);
  }
  const out: ZNode[] = [];
  let left = limit;
  while (node !== null && left !== 0) {
    left--;
    if (!inRange(node)) break;
    out.push(node);
    node = zset.step(node, reverse);
  }
  return out;
}

function scoreSlice(zset: ZSetValue, range: ScoreRange, offset: number, limit: number, reverse: boolean): ZNode[] {
  if (offset > 0 && offset >= zset.size) return [];
  const start = reverse ? zset.lastInScoreRange(range) : zset.firstInScoreRange(range);
  return walkLimited(zset, start, offset, limit, reverse,
    reverse ? (n) => scoreAboveMin(n.score, range) : (n) => scoreBelowMax(n.score, range));
}

function lexSlice(zset: ZSetValue, range: LexRange, offset: number, limit: number, reverse: boolean): ZNode[] {
  if (offset > 0 && offset >= zset.size) return [];
  const start = reverse ? zset.lastInLexRange(range) : zset.firstInLexRange(range);
  return walkLimited(zset, start, offset, limit, reverse,
    reverse ? (n) => lexAboveMin(n.member, range) : (n) => lexBelowMax(n.member, range));
}

/**
 * ZRANGE, ZRANGESTORE and the Z[REV]RANGE[BYSCORE|BYLEX] forms. `keyIndex` is the source key's index; `store`
 * is the destination for ZRANGESTORE.
 */
function zrangeGeneric(s: Session, args: Bytes[], keyIndex: number, store: Bytes | null, fixedType: RangeType, fixedDirection: Direction): void {
  let rangeType = fixedType;
  let direction = fixedDirection;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIndex + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const opt = args[j]!;
    if (store === null && is(opt, 'withscores')) withScores = true;
    else if (is(opt, 'limit') && left >= 2) {
      const o = intOrReply(s, args[j + 1]!);
      if (o === null) return;
      const c = intOrReply(s, args[j + 2]!);
      if (c === null) return;
      offset = o;
      limit = c;
      j += 2;
    } else if (direction === 'auto' && is(opt, 'rev')) direction = 'reverse';
    else if (rangeType === 'auto' && is(opt, 'bylex')) rangeType = 'lex';
    else if (rangeType === 'auto' && is(opt, 'byscore')) rangeType = 'score';
    else return s.engine.replyError(s, ERR.syntax);
  }
  const reverse = direction === 'reverse';
  if (rangeType === 'auto') rangeType = 'rank';
  if (limit !== -1 && rangeType === 'rank') return s.engine.replyError(s, zsetError.limitNeedsBy);
  if (withScores && rangeType === 'lex') return s.engine.replyError(s, zsetError.withscoresBylex);
  let minArg = args[keyIndex + 1]!;
  let maxArg = args[keyIndex + 2]!;
  if (reverse && rangeType !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let select: (zset: ZSetValue) => ZNode[];
  if (rangeType === 'rank') {
    const start = intOrReply(s, minArg);
    if (start === null) return;
    const end = intOrReply(s, maxArg);
    if (end === null) return;
    select = (z) => rankSlice(z, start, end, reverse);
  } else if (rangeType === 'score') {
    const range = parseScoreRange(minArg, maxArg);
    if (range === null) return s.engine.replyError(s, zsetError.notFloatRange);
    select = (z) => scoreSlice(z, range, offset, limit, reverse);
  } else {
    const range = parseLexRange(minArg, maxArg);
    if (range === null) return s.engine.replyError(s, zsetError.notLexRange);
    select = (z) => lexSlice(z, range, offset, limit, reverse);
  }
  const zset = zsetAt(s, args[keyIndex]!, false);
  if (zset === null) return;
  const nodes = zset === undefined ? [] : select(zset);
  if (store === null) return replyPairs(s, nodes, withScores);
  // zrangeResultBeginStore: a listpack unless a rank range is known to be longer than the threshold.
  const config = s.engine.keyspace.config;
  const result = ZSetValue.empty(!(rangeType === 'rank' && nodes.length > config.zsetMaxListpackEntries));
  const scratch = { score: 0 };
  for (const n of nodes) zsetAdd(result, n.score, n.member, NO_FLAGS, config, scratch);
  storeOrDelete(s, store, result, 'zrangestore');
}

function zrange(s: Session, args: Bytes[]): void {
  zrangeGeneric(s, args, 1, null, 'auto', 'auto');
}

function zrangestore(s: Session, args: Bytes[]): void {
  zrangeGeneric(s, args, 2, args[1]!, 'auto', 'auto');
}

// ---------------------------------------------------------------------------------------------------------------
// ZREMRANGEBY*

function zremrangeGeneric(s: Session, args: Bytes[], type: 'rank' | 'score' | 'lex'): void {
  const key = args[1]!;
  let select: (zset: ZSetValue) => ZNode[];
  if (type === 'rank') {
    const start = intOrReply(s, args[2]!);
    if (start === null) return;
    const end = intOrReply(s, args[3]!);
    if (end === null) return;
    select = (z) => rankSlice(z, start, end, false);
  } else if (type === 'score') {
    const range = parseScoreRange(args[2]!, args[3]!);
    if (range === null) return s.engine.replyError(s, zsetError.notFloatRange);
    select = (z) => scoreSlice(z, range, 0, -1, false);
  } else {
    const range = parseLexRange(args[2]!, args[3]!);
    if (range === null) return s.engine.replyError(s, zsetError.notLexRange);
    select = (z) => lexSlice(z, range, 0, -1, false);
  }
  const zset = zsetAt(s, key, true);
  if (zset === null) return;
  if (zset === undefined) return s.reply.integer(0);
  const members = select(zset).map((n) => n.member);
  for (const m of members) zset.remove(m);
  const keyRemoved = deleteIfEmpty(s, key, zset);
  if (members.length > 0) {
    s.engine.keyModified(s.db, key);
    s.engine.notify(NOTIFY.zset, `zremrangeby${type}`, key, s.db.id);
    if (keyRemoved) s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
  }
  s.engine.addDirty(members.length);
  s.reply.integer(members.length);
}

// ---------------------------------------------------------------------------------------------------------------
// Pops (genericZpopCommand) and their blocking forms

type Where = 'min' | 'max';

interface PopShape {
  /** Emit the key name (BZPOP*, ZMPOP, BZMPOP). */
  emitKey: boolean;
  /** Pairs as nested arrays (ZPOP* with COUNT in RESP3, ZMPOP, BZMPOP). */
  nested: boolean;
  /** Reply a null array instead of an empty one when nothing is popped (ZMPOP, BZMPOP). */
  nilWhenEmpty: boolean;
}

/**
 * genericZpopCommand: pops from the first existing key of `keys` (a non-zset key before it replies WRONGTYPE).
 * `count` -1 is the single-element form. Returns the key popped from and the count popped (for propagation),
 * or null when nothing was popped.
 */
function zpopGeneric(s: Session, db: Db, keys: readonly Bytes[], where: Where, count: number, shape: PopShape): { key: Bytes; popped: number } | null {
  let zset: ZSetValue | undefined;
  let key = '';
  for (const k of keys) {
    const value = db.getWrite(k);
    if (value === undefined) continue;
    if (typeName(value) !== 'zset') {
      s.engine.replyError(s, ERR.wrongType);
      return null;
    }
    zset = value as ZSetValue;
    key = k;
    break;
  }
  if (zset === undefined) {
    if (shape.nilWhenEmpty) s.reply.nullArray();
    else s.reply.array(0);
    return null;
  }
  if (count === 0) {
    s.reply.array(0);
    return null;
  }
  const wanted = count === -1 ? 1 : count;
  const length = zset.size;
  const n = Math.min(wanted, length);
  if (!shape.nested && !shape.emitKey) s.reply.array(n * 2);
  else if (shape.nested && !shape.emitKey) s.reply.array(n);
  else if (!shape.nested && shape.emitKey) {
    s.reply.array(n * 2 + 1);
    s.reply.bulk(key);
  } else {
    s.reply.array(2);
    s.reply.bulk(key);
    s.reply.array(n);
  }
  for (let i = 0; i < n; i++) {
    const node = where === 'max' ? zset.last()! : zset.first()!;
    const { member, score } = node;
    zset.remove(member);
    s.engine.addDirty();
    if (i === 0) {
      s.engine.notify(NOTIFY.zset, where === 'max' ? 'zpopmax' : 'zpopmin', key, db.id);
      s.engine.keyModified(db, key);
    }
    if (shape.nested) s.reply.array(2);
    s.reply.bulk(member);
    replyScore(s, score);
  }
  if (zset.size === 0) {
    db.delete(key);
    s.engine.notify(NOTIFY.generic, 'del', key, db.id);
  }
  return { key, popped: n };
}

function popPropagation(where: Where, key: Bytes, count: number, popped: number): Bytes[] {
  const name = where === 'max' ? 'ZPOPMAX' : 'ZPOPMIN';
  return count === -1 ? [name, key] : [name, key, String(popped)];
}

function zpopMinMax(s: Session, args: Bytes[], where: Where): void {
  if (args.length > 3) return s.engine.replyError(s, ERR.syntax);
  let count = -1;
  if (args.length === 3) {
    const v = parseInt64(args[2]!);
    if (v === null || v < 0) return s.engine.replyError(s, zsetError.mustBePositive);
    count = Number(v);
  }
  const nested = s.protocol === 3 && count !== -1;
  zpopGeneric(s, s.db, [args[1]!], where, count, { emitKey: false, nested, nilWhenEmpty: false });
}

/** getTimeoutFromObjectOrReply (seconds): absolute ms, 0 for none; null after replying. */
function timeoutOrReply(s: Session, arg: Bytes): number | null {
  const value = string2ld(arg);
  if (value === null) {
    s.engine.replyError(s, zsetError.timeoutNotFloat);
    return null;
  }
  const seconds = string2d(arg) ?? (value.kind !== 'nan' && value.negative ? -Infinity : Infinity);
  const ms = Math.ceil(seconds * 1000);
  // (long long) of an out-of-range value is LLONG_MIN on x86: Redis reports it as negative.
  if (ms < 0 || !(ms < 2 ** 63)) {
    s.engine.replyError(s, zsetError.timeoutNegative);
    return null;
  }
  return ms > 0 ? ms + s.engine.keyspace.nowMs : 0;
}

/** blockingGenericZpopCommand: pops now when a key has elements, else blocks. */
function blockingZpop(s: Session, keys: Bytes[], where: Where, timeoutArg: Bytes, count: number, nested: boolean): void {
  const timeoutAtMs = timeoutOrReply(s, timeoutArg);
  if (timeoutAtMs === null) return;
  const shape: PopShape = { emitKey: true, nested, nilWhenEmpty: nested };
  for (const key of keys) {
    const value = s.db.getWrite(key);
    if (value === undefined) continue;
    if (typeName(value) !== 'zset') return s.engine.replyError(s, ERR.wrongType);
    const popped = zpopGeneric(s, s.db, [key], where, count, shape);
    if (popped !== null) s.engine.rewrite(popPropagation(where, key, count, popped.popped));
    return;
  }
  // Inside MULTI/EXEC (a nested call) a client cannot block: Redis treats it as an immediate timeout.
  if (s.engine.blockingDenied()) return s.reply.nullArray();
  const dbIndex = s.db.id;
  s.engine.block(s, {
    dbIndex,
    keys: [...new Set(keys)],
    timeoutAtMs,
    command: nested ? 'bzmpop' : where === 'max' ? 'bzpopmax' : 'bzpopmin',
    retry: (key) => {
      const db = s.engine.keyspace.db(dbIndex);
      const value = db.peek(key);
      if (value === undefined || typeName(value) !== 'zset' || (value as ZSetValue).size === 0) return false;
      const popped = zpopGeneric(s, db, [key], where, count, shape);
      if (popped !== null) s.engine.also(dbIndex, popPropagation(where, key, count, popped.popped));
      return true;
    },
    onTimeout: () => s.reply.nullArray(),
  });
}

function bzpopMinMax(s: Session, args: Bytes[], where: Where): void {
  blockingZpop(s, args.slice(1, -1), where, args[args.length - 1]!, -1, false);
}

/** ZMPOP / BZMPOP argument parsing (zmpopGenericCommand). */
function zmpopGeneric(s: Session, args: Bytes[], numkeysIndex: number, blocking: boolean): void {
  const numkeys = parseInt64(args[numkeysIndex]!);
  if (numkeys === null || numkeys < 1) {
    return s.engine.replyError(s, zsetError.numkeysPositive);
  }
  const whereIndex = numkeysIndex + Number(numkeys) + 1;
  if (whereIndex >= args.length) return s.engine.replyError(s, ERR.syntax);
  let where: Where;
  if (is(args[whereIndex], 'min')) where = 'min';
  else if (is(args[whereIndex], 'max')) where = 'max';
  else return s.engine.replyError(s, ERR.syntax);
  let count = -1;
  for (let j = whereIndex + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && is(args[j], 'count') && more > 0) {
      j++;
      const v = parseInt64(args[j]!);
      if (v === null || v < 1) return s.engine.replyError(s, zsetError.countPositive);
      count = Number(v);
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  if (count === -1) count = 1;
  const keys = args.slice(numkeysIndex + 1, whereIndex);
  if (blocking) return blockingZpop(s, keys, where, args[1]!, count, true);
  const popped = zpopGeneric(s, s.db, keys, where, count, { emitKey: true, nested: true, nilWhenEmpty: true });
  if (popped !== null) s.engine.rewrite(popPropagation(where, popped.key, count, popped.popped));
}

// ---------------------------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (zunionInterDiffGenericCommand) and ZINTERCARD

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

interface OpSource {
  value: ZSetValue | SetValue | undefined;
  weight: number;
  /** Members of a set source, for membership tests (sets answer score 1). */
  members?: Set<Bytes>;
}

function sourceSize(src: OpSource): number {
  return src.value === undefined ? 0 : src.value.size;
}

function* sourceEntries(src: OpSource): Iterable<[Bytes, number]> {
  if (src.value === undefined) return;
  if (src.value.kind === 'zset') yield* src.value.entries();
  else for (const m of src.value.members()) yield [m, 1];
}

function scoreIn(src: OpSource, member: Bytes): number | undefined {
  if (src.value === undefined) return undefined;
  if (src.value.kind === 'zset') return src.value.score(member);
  src.members ??= new Set(src.value.members());
  return src.members.has(member) ? 1 : undefined;
}

/** zunionInterAggregate: a SUM of +inf and -inf is 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

function computeOp(op: SetOp, sources: OpSource[], how: Aggregate, cardinalityLimit: number | null): Map<Bytes, number> | number {
  const out = new Map<Bytes, number>();
  if (op === 'diff') {
    const [first, ...rest] = sources;
    if (first === undefined) return out;
    for (const [member, score] of sourceEntries(first)) {
      if (rest.some((src) => scoreIn(src, member) !== undefined)) continue;
      out.set(member, score);
    }
    return out;
  }
  const ordered = sources.map((src, i) => ({ src, i })).sort((a, b) => sourceSize(a.src) - sourceSize(b.src) || a.i - b.i).map((x) => x.src);
  if (op === 'union') {
    for (const src of ordered) {
      for (const [member, raw] of sourceEntries(src)) {
        let score = src.weight * raw;
        if (Number.isNaN(score)) score = 0;
        const existing = out.get(member);
        out.set(member, existing === undefined ? score : aggregate(existing, score, how));
      }
    }
    return out;
  }
  let cardinality = 0;
  const [first, ...rest] = ordered;
  if (first === undefined || sourceSize(first) === 0) return cardinalityLimit === null ? out : 0;
  for (const [member, raw] of sourceEntries(first)) {
    let score = first.weight * raw;
    if (Number.isNaN(score)) score = 0;
    let all = true;
    for (const src of rest) {
      const value = src.value === first.value ? raw : scoreIn(src, member);
      if (value === undefined) {
        all = false;
        break;
      }
      score = aggregate(score, value * src.weight, how);
    }
    if (!all) continue;
    if (cardinalityLimit !== null) {
      cardinality++;
      if (cardinalityLimit > 0 && cardinality >= cardinalityLimit) break;
    } else {
      out.set(member, score);
    }
  }
  return cardinalityLimit === null ? out : cardinality;
}

function zsetOpGeneric(s: Session, args: Bytes[], numkeysIndex: number, dst: Bytes | null, op: SetOp, cardinalityOnly: boolean): void {
  const setnum = intOrReply(s, args[numkeysIndex]!);
  if (setnum === null) return;
  if (setnum < 1) return s.engine.replyError(s, atLeastOneKeyError(args[0]!.toLowerCase()));
  if (setnum > args.length - (numkeysIndex + 1)) return s.engine.replyError(s, ERR.syntax);
  const sources: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const value = s.db.getRead(args[j]!);
    if (value !== undefined && typeName(value) !== 'zset' && typeName(value) !== 'set') {
      return s.engine.replyError(s, ERR.wrongType);
    }
    sources.push({ value: value as ZSetValue | SetValue | undefined, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  while (j < args.length) {
    const remaining = args.length - j;
    const opt = args[j]!;
    if (op !== 'diff' && !cardinalityOnly && remaining >= setnum + 1 && is(opt, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = string2d(args[j]!);
        if (w === null) return s.engine.replyError(s, zsetError.weightNotFloat);
        sources[i]!.weight = w;
      }
    } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && is(opt, 'aggregate')) {
      const a = args[j + 1]!.toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') return s.engine.replyError(s, ERR.syntax);
      how = a;
      j += 2;
    } else if (remaining >= 1 && dst === null && !cardinalityOnly && is(opt, 'withscores')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && is(opt, 'limit')) {
      const v = parseInt64(args[j + 1]!);
      if (v === null || v < 0) return s.engine.replyError(s, zsetError.limitNegative);
      limit = Number(v);
      j += 2;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  const computed = computeOp(op, sources, how, cardinalityOnly ? limit : null);
  if (typeof computed === 'number') return s.reply.integer(computed);
  const result = ZSetValue.empty(false);
  let maxLength = 0;
  for (const [member, score] of computed) {
    result.insert(member, score);
    if (member.length > maxLength) maxLength = member.length;
  }
  if (dst === null) return replyPairs(s, [...nodesOf(result)], withScores);
  if (result.size > 0) result.convertToListpackIfFits(s.engine.keyspace.config, maxLength);
  storeOrDelete(s, dst, result, `z${op}store`);
}

function* nodesOf(zset: ZSetValue): Iterable<ZNodeLike> {
  for (const [member, score] of zset.entries()) yield { member, score };
}

// ---------------------------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

const LONG_MAX = 9223372036854775807n;
/** Largest ZRANDMEMBER negative count served (2^24 picks, far beyond Redis's default output buffer limits). */
const REPLY_ELEMENTS_MAX = 1 << 24;

function zrandmember(s: Session, args: Bytes[]): void {
  if (args.length >= 3) {
    const l = parseInt64(args[2]!);
    if (l === null) return s.engine.replyError(s, ERR.notInteger);
    if (BigInt(l) < -LONG_MAX) return s.engine.replyError(s, zsetError.outOfRangeLong);
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withscores'))) return s.engine.replyError(s, ERR.syntax);
    const withScores = args.length === 4;
    if (withScores && (BigInt(l) < -LONG_MAX / 2n || BigInt(l) > LONG_MAX / 2n)) {
      return s.engine.replyError(s, zsetError.outOfRange);
    }
    return zrandmemberWithCount(s, args[1]!, l, withScores);
  }
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  if (zset === undefined) return s.reply.nullBulk();
  s.reply.bulk(randomNode(s, zset).member);
}

function randomNode(s: Session, zset: ZSetValue): ZNode {
  const entry = zset.dict.random(s.engine.random);
  if (entry === undefined) throw new Error('assertion failed: random pick from an empty zset');
  return entry.value;
}

function zrandmemberWithCount(s: Session, key: Bytes, countArg: number | bigint, withScores: boolean): void {
  const zset = zsetAt(s, key, false);
  if (zset === null) return;
  if (zset === undefined || countArg === 0 || countArg === 0n) return s.reply.array(0);
  const size = zset.size;
  const pairs: ZNodeLike[] = [];
  if (countArg < 0) {
    // Negative count: that many picks, repetitions allowed. Redis streams them until the client's output buffer
    // limit closes the connection; a reply beyond REPLY_ELEMENTS_MAX is refused the same way, by closing.
    const count = Number(-BigInt(countArg));
    if (count > REPLY_ELEMENTS_MAX) {
      s.closeAfterReply = true;
      return;
    }
    for (let i = 0; i < count; i++) pairs.push(randomNode(s, zset));
  } else if (countArg >= size) {
    // The whole set, as zuiNext walks it: from the highest rank down.
    for (let n = zset.last(); n !== null; n = zset.step(n, true)) pairs.push(n);
  } else {
    const count = Number(countArg);
    const picked = new Set<ZNode>();
    while (picked.size < count) picked.add(randomNode(s, zset));
    for (const n of picked) pairs.push(n);
  }
  replyPairs(s, pairs, withScores);
}

/** parseScanCursorOrReply: strtoul rules (sign allowed, no leading space, range-checked). */
export function parseScanCursor(arg: Bytes): number | null {
  const m = /^([+-]?)(\d*)$/.exec(arg.split('\0')[0] ?? '');
  if (m === null || arg.startsWith(' ')) return null;
  const digits = m[2] ?? '';
  if (digits === '') return m[1] === '' ? 0 : null;
  const v = BigInt(digits);
  if (v > 18446744073709551615n) return null;
  return m[1] === '-' ? Number(18446744073709551616n - v) : Number(v);
}

function zscan(s: Session, args: Bytes[]): void {
  const cursor = parseScanCursor(args[2]!);
  if (cursor === null) return s.engine.replyError(s, zsetError.invalidCursor);
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  if (zset === undefined) {
    s.reply.array(2);
    s.reply.bulk('0');
    return s.reply.array(0);
  }
  let count = 10;
  let pattern: Bytes | null = null;
  for (let i = 3; i < args.length;) {
    const left = args.length - i;
    if (is(args[i], 'count') && left >= 2) {
      const c = intOrReply(s, args[i + 1]!);
      if (c === null) return;
      if (c < 1) return s.engine.replyError(s, ERR.syntax);
      count = c;
      i += 2;
    } else if (is(args[i], 'match') && left >= 2) {
      const p = args[i + 1]!;
      pattern = p === '*' ? null : p;
      i += 2;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  const out: Bytes[] = [];
  let next = 0;
  if (zset.isListpack) {
    for (const [member, score] of zset.entries()) {
      if (pattern !== null && !stringMatch(pattern, member)) continue;
      out.push(member, d2string(score));
    }
  } else {
    next = cursor;
    do {
      next = zset.dict.scan(next, 1, (entry) => {
        if (pattern === null || stringMatch(pattern, entry.key)) out.push(entry.key, formatDouble(entry.value.score));
      });
    } while (next !== 0 && out.length < count * 2);
  }
  s.reply.array(2);
  s.reply.bulk(String(next));
  s.reply.bulkArray(out);
}

export const zsetsCommands: CommandDef[] = [
  { name: 'zadd', handler: zaddCommand },
  { name: 'zincrby', handler: zincrby },
  { name: 'zrem', handler: zrem },
  { name: 'zcard', handler: zcard },
  { name: 'zscore', handler: zscore },
  { name: 'zmscore', handler: zmscore },
  { name: 'zrank', handler: (s, a) => zrankGeneric(s, a, false) },
  { name: 'zrevrank', handler: (s, a) => zrankGeneric(s, a, true) },
  { name: 'zcount', handler: zcount },
  { name: 'zlexcount', handler: zlexcount },
  { name: 'zrange', handler: zrange },
  { name: 'zrangestore', handler: zrangestore },
  { name: 'zrevrange', handler: (s, a) => zrangeGeneric(s, a, 1, null, 'rank', 'reverse') },
  { name: 'zrangebyscore', handler: (s, a) => zrangeGeneric(s, a, 1, null, 'score', 'forward') },
  { name: 'zrevrangebyscore', handler: (s, a) => zrangeGeneric(s, a, 1, null, 'score', 'reverse') },
  { name: 'zrangebylex', handler: (s, a) => zrangeGeneric(s, a, 1, null, 'lex', 'forward') },
  { name: 'zrevrangebylex', handler: (s, a) => zrangeGeneric(s, a, 1, null, 'lex', 'reverse') },
  { name: 'zremrangebyrank', handler: (s, a) => zremrangeGeneric(s, a, 'rank') },
  { name: 'zremrangebyscore', handler: (s, a) => zremrangeGeneric(s, a, 'score') },
  { name: 'zremrangebylex', handler: (s, a) => zremrangeGeneric(s, a, 'lex') },
  { name: 'zpopmin', handler: (s, a) => zpopMinMax(s, a, 'min') },
  { name: 'zpopmax', handler: (s, a) => zpopMinMax(s, a, 'max') },
  { name: 'bzpopmin', handler: (s, a) => bzpopMinMax(s, a, 'min') },
  { name: 'bzpopmax', handler: (s, a) => bzpopMinMax(s, a, 'max') },
  { name: 'zmpop', handler: (s, a) => zmpopGeneric(s, a, 1, false) },
  { name: 'bzmpop', handler: (s, a) => zmpopGeneric(s, a, 2, true) },
  { name: 'zunion', handler: (s, a) => zsetOpGeneric(s, a, 1, null, 'union', false) },
  { name: 'zinter', handler: (s, a) => zsetOpGeneric(s, a, 1, null, 'inter', false) },
  { name: 'zdiff', handler: (s, a) => zsetOpGeneric(s, a, 1, null, 'diff', false) },
  { name: 'zunionstore', handler: (s, a) => zsetOpGeneric(s, a, 2, a[1]!, 'union', false) },
  { name: 'zinterstore', handler: (s, a) => zsetOpGeneric(s, a, 2, a[1]!, 'inter', false) },
  { name: 'zdiffstore', handler: (s, a) => zsetOpGeneric(s, a, 2, a[1]!, 'diff', false) },
  { name: 'zintercard', handler: (s, a) => zsetOpGeneric(s, a, 1, null, 'inter', true) },
  { name: 'zrandmember', handler: zrandmember },
  { name: 'zscan', handler: zscan },
];
