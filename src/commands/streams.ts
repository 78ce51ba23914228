/**
 * Stream commands (redis `src/t_stream.c`, stream parts of `src/blocked.c`), matching Redis 7.0.15 replies,
 * errors, keyspace notifications and propagation. The stream state and its rules live in
 * `keyspace/stream.ts`; this module parses arguments, replies, notifies and propagates.
 *
 * Propagation follows Redis 7.0:
 *   - XADD propagates its own argv with the generated ID written in (`*` and `ms-*` become the actual ID) and,
 *     for `~` trimming, `~` rewritten to `=` and the count/ID rewritten to the exact result (the length, or
 *     the first remaining ID tombstones included), so replicas and the AOF trim identically. XTRIM likewise.
 *   - XREADGROUP, XCLAIM and XAUTOCLAIM never propagate themselves: every PEL change goes out as
 *     `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last-id`, a NOACK read's new
 *     last ID as `XGROUP SETID key group id ENTRIESREAD n`, and a consumer a NOACK read creates as
 *     `XGROUP CREATECONSUMER` (streamPropagateXCLAIM / streamPropagateGroupID / streamPropagateConsumerCreation).
 *
 * Argument texts are read the way Redis's C code reads them: keywords and IDs through C strings (so bytes after
 * a NUL are ignored), numbers through string2ll on the whole argument.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import {
  ERR,
  arityError,
  streamError,
  noGroupXreadgroupError,
  noGroupError,
  noGroupForKeyError,
  subcommandSyntaxError,
  xclaimOptionError,
} from './errors.js';
import { parseInt64 } from './args.js';
import {
  StreamValue,
  ConsumerGroup,
  ENTRIES_READ_INVALID,
  STREAM_ID_MAX,
  STREAM_ID_MIN,
  UINT64_MAX,
  compareIds,
  formatId,
  idIsMax,
  idIsZero,
  nextId,
  previousId,
  type Consumer,
  type PendingEntry,
  type StreamEntryView,
  type StreamId,
  type TrimSpec,
  type Db,
} from '../keyspace/index.js';

type Bytes = string;

// ---------------------------------------------------------------------------------------------------------
// Argument helpers

/** The argument as C code sees it through `char *`: up to the first NUL. */
function cstr(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul < 0 ? arg : arg.slice(0, nul);
}

/** strcasecmp(arg, keyword) == 0 for a lowercase ASCII keyword. */
function keyword(arg: string | undefined, word: string): boolean {
  if (arg === undefined) return false;
  const c = cstr(arg);
  return c.length === word.length && c.toLowerCase() === word;
}

/** getLongLongFromObjectOrReply: the int64 value (as a number, exact below 2^53) or null after replying. */
function longLongOrReply(s: Session, arg: string, message: string = ERR.notInteger): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    s.engine.replyError(s, message);
    return null;
  }
  return Number(v);
}

/** getLongLongFromObjectOrReply for values kept exactly (64-bit counters). */
function bigLongLongOrReply(s: Session, arg: string): bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    s.engine.replyError(s, ERR.notInteger);
    return null;
  }
  return BigInt(v);
}

const C_SPACES = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** string2ull (redis util.c): string2ll when canonical, else glibc strtoull with every byte consumed. */
function string2ull(s: string): bigint | null {
  const ll = parseInt64(s);
  if (ll !== null) return BigInt(ll) < 0n ? null : BigInt(ll);
  let i = 0;
  while (i < s.length && C_SPACES.has(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  const digitsStart = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === digitsStart || i !== s.length) return null;
  const magnitude = BigInt(s.slice(digitsStart, i));
  if (magnitude > UINT64_MAX) return null;
  return negative ? (UINT64_MAX + 1n - magnitude) & UINT64_MAX : magnitude;
}

interface ParsedId {
  id: StreamId;
  /** False for the `<ms>-*` form (XADD only). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply without the reply: `-` and `+` (unless strict), `<ms>`, `<ms>-<seq>`, and with
 * `allowSeqStar` `<ms>-*`. `missingSeq` completes a bare `<ms>`.
 */
function parseId(arg: string, missingSeq: bigint, strict: boolean, allowSeqStar = false): ParsedId | null {
  if (arg.length > 127) return null;
  const buf = cstr(arg);
  if (buf === '-') return strict ? null : { id: STREAM_ID_MIN, seqGiven: true };
  if (buf === '+') return strict ? null : { id: STREAM_ID_MAX, seqGiven: true };
  const dash = buf.indexOf('-');
  const ms = string2ull(dash < 0 ? buf : buf.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const seqText = buf.slice(dash + 1);
  if (allowSeqStar && seqText === '*') return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = string2ull(seqText);
  return seq === null ? null : { id: { ms, seq }, seqGiven: true };
}

function idOrReply(s: Session, arg: string, missingSeq: bigint, strict: boolean): StreamId | null {
  const parsed = parseId(arg, missingSeq, strict);
  if (parsed === null) {
    s.engine.replyError(s, streamError.invalidId);
    return null;
  }
  return parsed.id;
}

/** Strict IDs from args[from] on, all parsed before anything changes; null after replying. */
function idsOrReply(s: Session, args: Bytes[], from: number): StreamId[] | null {
  const ids: StreamId[] = [];
  for (let j = from; j < args.length; j++) {
    const id = idOrReply(s, args[j]!, 0n, true);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

/** streamParseIntervalIDOrReply + the `(` adjustment: the inclusive bound, or null after replying. */
function intervalOrReply(s: Session, arg: string, isStart: boolean): StreamId | null {
  const exclusive = arg.length > 1 && arg[0] === '(';
  const id = idOrReply(s, exclusive ? arg.slice(1) : arg, isStart ? 0n : UINT64_MAX, exclusive);
  if (id === null || !exclusive) return id;
  if (isStart) {
    if (idIsMax(id)) {
      s.engine.replyError(s, streamError.invalidStartInterval);
      return null;
    }
    return nextId(id);
  }
  if (idIsZero(id)) {
    s.engine.replyError(s, streamError.invalidEndInterval);
    return null;
  }
  return previousId(id);
}

/** The stream at `key` for a command that may change it (lookupKeyWrite + checkType). */
function streamForWrite(s: Session, key: Bytes): StreamValue | null | undefined {
  const v = s.db.getWrite(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.kind !== 'stream') {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return v;
}

/** The stream at `key` for reading (lookupKeyRead + checkType): undefined when missing, null after WRONGTYPE. */
function streamForRead(s: Session, key: Bytes): StreamValue | null | undefined {
  const v = s.db.getRead(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.kind !== 'stream') {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return v;
}

/**
 * Redis reads these commands' keys with lookupKeyRead (counting hits) yet changes them: the write lookup that
 * follows only tells the snapshot hook the key is about to change.
 */
function aboutToChange(s: Session, key: Bytes): void {
  s.db.getWrite(key);
}

function notify(s: Session, event: string, key: Bytes, dbIndex = s.db.id): void {
  s.engine.notify(NOTIFY.stream, event, key, dbIndex);
}

// ---------------------------------------------------------------------------------------------------------
// Replies

function replyEntry(s: Session, e: StreamEntryView): void {
  s.reply.array(2);
  s.reply.bulk(formatId(e.id));
  s.reply.array(e.fieldValues.length);
  for (const v of e.fieldValues) s.reply.bulk(v);
}

function collect(stream: StreamValue, start: StreamId, end: StreamId, count: number, rev: boolean): StreamEntryView[] {
  const out: StreamEntryView[] = [];
  for (const e of stream.range(start, end, rev)) {
    out.push(e);
    if (count !== 0 && out.length === count) break;
  }
  return out;
}

function replyEntries(s: Session, entries: readonly StreamEntryView[]): void {
  s.reply.array(entries.length);
  for (const e of entries) replyEntry(s, e);
}

// ---------------------------------------------------------------------------------------------------------
// Propagation (streamPropagateXCLAIM, streamPropagateGroupID, streamPropagateConsumerCreation)

function propagateClaim(s: Session, dbIndex: number, key: Bytes, group: ConsumerGroup, idArg: Bytes, nack: PendingEntry): void {
  const consumer = nack.consumer;
  if (consumer === null) throw new Error('assertion failed: propagating a pending entry without a consumer');
  s.engine.also(dbIndex, [
    'XCLAIM', key, group.name, consumer.name, '0', idArg,
    'TIME', String(nack.deliveryTimeMs), 'RETRYCOUNT', String(nack.deliveryCount),
    'FORCE', 'JUSTID', 'LASTID', formatId(group.lastId),
  ]);
}

function propagateGroupId(s: Session, dbIndex: number, key: Bytes, group: ConsumerGroup): void {
  s.engine.also(dbIndex, ['XGROUP', 'SETID', key, group.name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

function propagateConsumerCreation(s: Session, dbIndex: number, key: Bytes, group: ConsumerGroup, name: Bytes): void {
  s.engine.also(dbIndex, ['XGROUP', 'CREATECONSUMER', key, group.name, name]);
}

/** streamLookupConsumer (seen-time refreshed) or streamCreateConsumer (dirty, notification). */
function lookupOrCreateConsumer(s: Session, dbIndex: number, key: Bytes, group: ConsumerGroup, name: Bytes): { consumer: Consumer; created: boolean } {
  const now = s.engine.keyspace.nowMs;
  const existing = group.consumers.get(name);
  if (existing !== undefined) {
    existing.touch(now);
    return { consumer: existing, created: false };
  }
  const consumer = group.createConsumer(name, now)!;
  s.engine.addDirty();
  notify(s, 'xgroup-createconsumer', key, dbIndex);
  return { consumer, created: true };
}

// ---------------------------------------------------------------------------------------------------------
// XADD, XTRIM

interface AddTrimArgs {
  /** XADD: index of the ID argument (argc when missing). */
  idIndex: number;
  id: StreamId | null;
  seqGiven: boolean;
  noMkStream: boolean;
  trim: TrimSpec | null;
  /** Index of the MAXLEN count / MINID id, for the `~` rewrite. */
  trimArgIndex: number;
}

/** streamParseAddOrTrimArgsOrReply: null after replying with an error. */
function parseAddTrimArgs(s: Session, args: Bytes[], xadd: boolean): AddTrimArgs | null {
  const out: AddTrimArgs = { idIndex: args.length, id: null, seqGiven: true, noMkStream: false, trim: null, trimArgIndex: 0 };
  let strategy: 'none' | 'maxlen' | 'minid' = 'none';
  let approx = false;
  let maxlen = 0;
  let minid: StreamId = STREAM_ID_MIN;
  let limit = 0;
  let limitGiven = false;
  let i = 2;
  for (; i < args.length; i++) {
    const moreArgs = args.length - 1 - i;
    const opt = args[i]!;
    if (xadd && cstr(opt) === '*') break;
    if ((keyword(opt, 'maxlen') || keyword(opt, 'minid')) && moreArgs > 0) {
      if (strategy !== 'none') {
        s.engine.replyError(s, streamError.maxlenAndMinid);
        return null;
      }
      const isMaxlen = keyword(opt, 'maxlen');
      approx = false;
      const next = cstr(args[i + 1]!);
      if (moreArgs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreArgs >= 2 && next === '=') {
        i++;
      }
      if (isMaxlen) {
        const v = longLongOrReply(s, args[i + 1]!);
        if (v === null) return null;
        if (v < 0) {
          s.engine.replyError(s, streamError.maxlenNegative);
          return null;
        }
        maxlen = v;
      } else {
        const id = idOrReply(s, args[i + 1]!, 0n, true);
        if (id === null) return null;
        minid = id;
      }
      i++;
      strategy = isMaxlen ? 'maxlen' : 'minid';
      out.trimArgIndex = i;
    } else if (keyword(opt, 'limit') && moreArgs > 0) {
      const v = longLongOrReply(s, args[i + 1]!);
      if (v === null) return null;
      if (v < 0) {
        s.engine.replyError(s, streamError.limitNegative);
        return null;
      }
      limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && keyword(opt, 'nomkstream')) {
      out.noMkStream = true;
    } else if (xadd) {
      const parsed = parseId(opt, 0n, true, true);
      if (parsed === null) {
        s.engine.replyError(s, streamError.invalidId);
        return null;
      }
      out.id = parsed.id;
      out.seqGiven = parsed.seqGiven;
      break;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  out.idIndex = i;
  if (limit !== 0 && strategy === 'none') {
    s.engine.replyError(s, streamError.limitWithoutStrategy);
    return null;
  }
  if (!xadd && strategy === 'none') {
    s.engine.replyError(s, streamError.xtrimWithoutStrategy);
    return null;
  }
  if (s.isPrimaryLink) {
    // The primary (or AOF) already rewrote `~` into an exact argument: never limit the work.
    limit = 0;
  } else if (limitGiven) {
    if (!approx) {
      s.engine.replyError(s, streamError.limitWithoutApprox);
      return null;
    }
  } else if (approx) {
    limit = 100 * s.engine.keyspace.config.streamNodeMaxEntries;
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  if (strategy !== 'none') out.trim = { strategy, maxlen, minid, approx, limit };
  return out;
}

/** streamRewriteApproxSpecifier + streamRewriteTrimArgument into `argv`. */
function rewriteApproxTrim(argv: Bytes[], stream: StreamValue, parsed: AddTrimArgs): void {
  const trim = parsed.trim!;
  argv[parsed.trimArgIndex - 1] = '=';
  argv[parsed.trimArgIndex] = trim.strategy === 'maxlen' ? String(stream.length) : formatId(stream.firstEdgeId(false));
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
function xadd(s: Session, args: Bytes[]): void {
  const parsed = parseAddTrimArgs(s, args, true);
  if (parsed === null) return;
  const fieldPos = parsed.idIndex + 1;
  const fieldArgs = args.length - fieldPos;
  if (fieldArgs < 2 || fieldArgs % 2 === 1) {
    s.engine.replyError(s, arityError('xadd'));
    return;
  }
  if (parsed.id !== null && parsed.seqGiven && idIsZero(parsed.id)) {
    s.engine.replyError(s, streamError.xaddZeroId);
    return;
  }
  const key = args[1]!;
  let stream = streamForWrite(s, key);
  if (stream === null) return;
  if (stream === undefined) {
    if (parsed.noMkStream) {
      s.reply.nullBulk();
      return;
    }
    stream = StreamValue.empty();
    s.db.add(key, stream);
  }
  if (idIsMax(stream.lastId)) {
    s.engine.replyError(s, streamError.exhausted);
    return;
  }
  const id = stream.nextAddId(parsed.id, parsed.seqGiven, s.engine.keyspace.nowMs);
  if (id === 'not-greater') {
    s.engine.replyError(s, streamError.xaddNotGreater);
    return;
  }
  const fieldValues = args.slice(fieldPos);
  let valueBytes = 0;
  for (const v of fieldValues) valueBytes += v.length;
  if (id === 'sequence-exhausted' || valueBytes > 1 << 30) {
    s.engine.replyError(s, streamError.tooLarge);
    return;
  }
  stream.append(id, fieldValues, s.engine.keyspace.config);
  const idText = formatId(id);
  s.reply.bulk(idText);
  s.engine.keyModified(s.db, key);
  notify(s, 'xadd', key);
  s.engine.addDirty();

  let argv: Bytes[] | null = null;
  if (parsed.trim !== null) {
    if (stream.trim(parsed.trim) > 0) notify(s, 'xtrim', key);
    if (parsed.trim.approx) {
      argv = [...args];
      rewriteApproxTrim(argv, stream, parsed);
    }
  }
  if (parsed.id === null || !parsed.seqGiven) {
    argv ??= [...args];
    argv[parsed.idIndex] = idText;
  }
  if (argv !== null) s.engine.rewrite(argv);
  s.engine.keyReady(s.db, key);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrim(s: Session, args: Bytes[]): void {
  const parsed = parseAddTrimArgs(s, args, false);
  if (parsed === null) return;
  const key = args[1]!;
  const stream = streamForWrite(s, key);
  if (stream === null) return;
  if (stream === undefined) {
    s.reply.integer(0);
    return;
  }
  const removed = stream.trim(parsed.trim!);
  if (removed > 0) {
    notify(s, 'xtrim', key);
    if (parsed.trim!.approx) {
      const argv = [...args];
      rewriteApproxTrim(argv, stream, parsed);
      s.engine.rewrite(argv);
    }
    s.engine.keyModified(s.db, key);
    s.engine.addDirty(removed);
  }
  s.reply.integer(removed);
}

// ---------------------------------------------------------------------------------------------------------
// XRANGE, XREVRANGE, XLEN, XDEL

function xrangeGeneric(s: Session, args: Bytes[], rev: boolean): void {
  const start = intervalOrReply(s, rev ? args[3]! : args[2]!, true);
  if (start === null) return;
  const end = intervalOrReply(s, rev ? args[2]! : args[3]!, false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < args.length; j++) {
    if (keyword(args[j], 'count') && args.length - j - 1 >= 1) {
      const v = longLongOrReply(s, args[j + 1]!);
      if (v === null) return;
      count = v < 0 ? 0 : v;
      j++;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  const stream = streamForRead(s, args[1]!);
  if (stream === null) return;
  if (stream === undefined) {
    s.reply.array(0);
    return;
  }
  if (count === 0) {
    s.reply.nullArray();
    return;
  }
  replyEntries(s, collect(stream, start, end, count === -1 ? 0 : count, rev));
}

function xlen(s: Session, args: Bytes[]): void {
  const stream = streamForRead(s, args[1]!);
  if (stream === null) return;
  s.reply.integer(stream === undefined ? 0 : stream.length);
}

/** XDEL key id [id ...] */
function xdel(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const stream = streamForWrite(s, key);
  if (stream === null) return;
  if (stream === undefined) {
    s.reply.integer(0);
    return;
  }
  const ids = idsOrReply(s, args, 2);
  if (ids === null) return;
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!stream.deleteEntry(id)) continue;
    if (compareIds(id, stream.firstId) === 0) firstDeleted = true;
    if (compareIds(id, stream.maxDeletedId) > 0) stream.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    if (stream.length === 0 || firstDeleted) stream.refreshFirstId();
    s.engine.keyModified(s.db, key);
    notify(s, 'xdel', key);
    s.engine.addDirty(deleted);
  }
  s.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------------------------
// Group reads (streamReplyWithRange with a group, streamReplyWithRangeFromConsumerPEL)

/** What a read emits for one stream: entries, or for history reads `[id, null]` of entries deleted since. */
type ReadItem = StreamEntryView | { id: StreamId; missing: true };

interface GroupRead {
  dbIndex: number;
  key: Bytes;
  group: ConsumerGroup;
  consumer: Consumer;
  noack: boolean;
}

/**
 * New entries after `start` for a group: advances the group's last ID and read counter, creates or reassigns
 * pending entries (unless NOACK) and propagates each as XCLAIM, and a NOACK read's new last ID as SETID.
 */
function readNewForGroup(s: Session, stream: StreamValue, start: StreamId, count: number, read: GroupRead): StreamEntryView[] {
  const now = s.engine.keyspace.nowMs;
  const { group, consumer } = read;
  let propagateLastId = false;
  const out: StreamEntryView[] = [];
  for (const e of stream.range(start, STREAM_ID_MAX, false)) {
    if (compareIds(e.id, group.lastId) > 0) {
      stream.advanceGroup(group, e.id);
      if (read.noack) propagateLastId = true;
    }
    out.push(e);
    if (!read.noack) {
      let nack = group.pel.get(e.id);
      if (nack === undefined) {
        nack = { id: e.id, consumer, deliveryTimeMs: now, deliveryCount: 1 };
        group.pel.insert(nack);
        consumer.pel.insert(nack);
      } else {
        group.assign(nack, consumer);
        nack.deliveryTimeMs = now;
        nack.deliveryCount = 1;
      }
      propagateClaim(s, read.dbIndex, read.key, group, formatId(e.id), nack);
    }
    if (count !== 0 && out.length === count) break;
  }
  if (propagateLastId) propagateGroupId(s, read.dbIndex, read.key, group);
  return out;
}

/** The consumer's own pending entries from `start` (history read): delivery time and count updated. */
function readHistory(s: Session, stream: StreamValue, start: StreamId, count: number, consumer: Consumer): ReadItem[] {
  const now = s.engine.keyspace.nowMs;
  const out: ReadItem[] = [];
  for (const nack of consumer.pel.from(start)) {
    if (count !== 0 && out.length >= count) break;
    const e = stream.get(nack.id);
    if (e === undefined) {
      out.push({ id: nack.id, missing: true });
    } else {
      out.push(e);
      nack.deliveryTimeMs = now;
      nack.deliveryCount++;
    }
  }
  return out;
}

function replyReadItems(s: Session, items: readonly ReadItem[]): void {
  s.reply.array(items.length);
  for (const item of items) {
    if ('missing' in item) {
      s.reply.array(2);
      s.reply.bulk(formatId(item.id));
      s.reply.nullArray();
    } else {
      replyEntry(s, item);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// XREAD, XREADGROUP

const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

interface XreadArgs {
  timeoutMs: number;
  count: number;
  streamsIndex: number;
  streamCount: number;
  noack: boolean;
  group: Bytes | null;
  consumer: Bytes;
}

function parseXreadArgs(s: Session, args: Bytes[], xreadgroup: boolean): XreadArgs | null {
  const out: XreadArgs = { timeoutMs: -1, count: 0, streamsIndex: 0, streamCount: 0, noack: false, group: null, consumer: '' };
  for (let i = 1; i < args.length; i++) {
    const moreArgs = args.length - i - 1;
    const opt = args[i]!;
    if (keyword(opt, 'block') && moreArgs > 0) {
      i++;
      const t = longLongOrReply(s, args[i]!, streamError.timeoutNotInteger);
      if (t === null) return null;
      if (t < 0) {
        s.engine.replyError(s, streamError.timeoutNegative);
        return null;
      }
      out.timeoutMs = t > 0 ? t + s.engine.keyspace.nowMs : 0;
    } else if (keyword(opt, 'count') && moreArgs > 0) {
      i++;
      const c = longLongOrReply(s, args[i]!);
      if (c === null) return null;
      out.count = c < 0 ? 0 : c;
    } else if (keyword(opt, 'streams') && moreArgs > 0) {
      out.streamsIndex = i + 1;
      const n = args.length - out.streamsIndex;
      if (n % 2 !== 0) {
        s.engine.replyError(s, streamError.unbalancedXread);
        return null;
      }
      out.streamCount = n / 2;
      break;
    } else if (keyword(opt, 'group') && moreArgs >= 2) {
      if (!xreadgroup) {
        s.engine.replyError(s, streamError.groupOnlyXreadgroup);
        return null;
      }
      out.group = args[i + 1]!;
      out.consumer = args[i + 2]!;
      i += 2;
    } else if (keyword(opt, 'noack')) {
      if (!xreadgroup) {
        s.engine.replyError(s, streamError.noackOnlyXreadgroup);
        return null;
      }
      out.noack = true;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  if (out.streamsIndex === 0) {
    s.engine.replyError(s, ERR.syntax);
    return null;
  }
  if (xreadgroup && out.group === null) {
    s.engine.replyError(s, streamError.missingGroup);
    return null;
  }
  return out;
}

interface ServedRead {
  key: Bytes;
  items: readonly ReadItem[];
}

/**
 * The synchronous part of XREAD/XREADGROUP: every stream that can be served now (new entries, or a consumer's
 * history for XREADGROUP with an ID), with the group side effects done and propagated.
 */
function serveReads(s: Session, args: Bytes[], parsed: XreadArgs, ids: StreamId[], groups: ConsumerGroup[]): ServedRead[] {
  const { streamsIndex, streamCount } = parsed;
  const served: ServedRead[] = [];
  for (let k = 0; k < streamCount; k++) {
    const key = args[streamsIndex + k]!;
    const stream = s.db.getRead(key);
    if (stream === undefined || typeof stream === 'string' || stream.kind !== 'stream') continue;
    let gt = ids[k]!;
    let history = false;
    let serve = false;
    const group = groups[k];
    if (group !== undefined) {
      if (!idIsMax(gt)) {
        serve = true;
        history = true;
      } else if (stream.length > 0 && compareIds(stream.lastValidId(), group.lastId) > 0) {
        serve = true;
        gt = group.lastId;
      }
    } else if (stream.length > 0 && compareIds(stream.lastValidId(), gt) > 0) {
      serve = true;
    }
    if (!serve) continue;
    const start = nextId(gt);
    if (group === undefined) {
      served.push({ key, items: collect(stream, start, STREAM_ID_MAX, parsed.count, false) });
      continue;
    }
    aboutToChange(s, key);
    const { consumer, created } = lookupOrCreateConsumer(s, s.db.id, key, group, parsed.consumer);
    if (created && parsed.noack) propagateConsumerCreation(s, s.db.id, key, group, consumer.name);
    const items = history
      ? readHistory(s, stream, start, parsed.count, consumer)
      : readNewForGroup(s, stream, start, parsed.count, { dbIndex: s.db.id, key, group, consumer, noack: parsed.noack });
    served.push({ key, items });
    s.engine.addDirty();
  }
  return served;
}

/** XREAD / XREADGROUP (xreadCommand). */
function xreadGeneric(s: Session, args: Bytes[], xreadgroup: boolean): void {
  if (xreadgroup) s.engine.suppressPropagation();
  const parsed = parseXreadArgs(s, args, xreadgroup);
  if (parsed === null) return;
  const { streamsIndex, streamCount } = parsed;
  const ids: StreamId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let k = 0; k < streamCount; k++) {
    const key = args[streamsIndex + k]!;
    const idArg = args[streamsIndex + streamCount + k]!;
    const stream = streamForRead(s, key);
    if (stream === null) return;
    if (parsed.group !== null) {
      const group = stream?.groups.get(parsed.group);
      if (group === undefined) {
        s.engine.replyError(s, noGroupXreadgroupError(key, parsed.group));
        return;
      }
      groups.push(group);
    }
    if (cstr(idArg) === '$') {
      if (xreadgroup) {
        s.engine.replyError(s, streamError.dollarInXreadgroup);
        return;
      }
      ids.push(stream === undefined ? STREAM_ID_MIN : stream.lastId);
      continue;
    }
    if (cstr(idArg) === '>') {
      if (!xreadgroup) {
        s.engine.replyError(s, streamError.greaterOnlyXreadgroup);
        return;
      }
      ids.push(STREAM_ID_MAX);
      continue;
    }
    const id = idOrReply(s, idArg, 0n, true);
    if (id === null) return;
    ids.push(id);
  }

  const served = serveReads(s, args, parsed, ids, groups);
  if (served.length > 0) {
    if (s.protocol === 2) s.reply.array(served.length);
    else s.reply.map(served.length);
    for (const { key, items } of served) {
      if (s.protocol === 2) s.reply.array(2);
      s.reply.bulk(key);
      replyReadItems(s, items);
    }
    return;
  }
  if (parsed.timeoutMs === -1 || s.engine.blockingDenied()) {
    s.reply.nullArray();
    return;
  }
  blockForStreams(s, args, parsed, ids);
}

/** blockForKeys for streams, and serveClientsBlockedOnStreamKey as the retry. */
function blockForStreams(s: Session, args: Bytes[], parsed: XreadArgs, ids: StreamId[]): void {
  const dbIndex = s.db.id;
  const idsByKey = new Map<Bytes, StreamId>();
  for (let k = 0; k < parsed.streamCount; k++) {
    const key = args[parsed.streamsIndex + k]!;
    if (!idsByKey.has(key)) idsByKey.set(key, ids[k]!);
  }
  const count = parsed.count !== 0 ? parsed.count : XREAD_BLOCKED_DEFAULT_COUNT;
  const groupName = parsed.group;
  const consumerName = parsed.consumer;
  const noack = parsed.noack;
  s.engine.block(s, {
    dbIndex,
    keys: [...idsByKey.keys()],
    timeoutAtMs: parsed.timeoutMs,
    command: groupName === null ? 'xread' : 'xreadgroup',
    onTimeout: () => s.reply.nullArray(),
    retry: (key: Bytes): boolean => {
      const db: Db = s.engine.keyspace.db(dbIndex);
      const value = db.lookup(key)?.value;
      if (value === undefined || typeof value === 'string' || value.kind !== 'stream') {
        if (groupName === null) return false;
        s.engine.replyError(s, streamError.keyDeleted);
        return true;
      }
      let gt = idsByKey.get(key)!;
      let group: ConsumerGroup | undefined;
      if (groupName !== null) {
        group = value.groups.get(groupName);
        if (group === undefined) {
          s.engine.replyError(s, streamError.groupDeleted);
          return true;
        }
        gt = group.lastId;
      }
      if (compareIds(value.lastId, gt) <= 0) return false;
      const start = nextId(gt);
      let items: readonly ReadItem[];
      if (group === undefined) {
        items = collect(value, start, STREAM_ID_MAX, count, false);
      } else {
        db.getWrite(key);
        const { consumer, created } = lookupOrCreateConsumer(s, dbIndex, key, group, consumerName);
        if (created && noack) propagateConsumerCreation(s, dbIndex, key, group, consumer.name);
        items = readNewForGroup(s, value, start, count, { dbIndex, key, group, consumer, noack });
      }
      if (s.protocol === 2) {
        s.reply.array(1);
        s.reply.array(2);
      } else {
        s.reply.map(1);
      }
      s.reply.bulk(key);
      replyReadItems(s, items);
      return true;
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// XGROUP

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/** addReplyHelp. */
function replyHelp(s: Session, command: Bytes, lines: readonly string[]): void {
  s.reply.array(lines.length + 3);
  s.reply.simple(`${cstr(command).toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) s.reply.simple(line);
  s.reply.simple('HELP');
  s.reply.simple('    Prints this help.');
}

/** XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP (xgroupCommand). */
function xgroup(s: Session, args: Bytes[]): void {
  const sub = cstr(args[1]!).toLowerCase();
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  let stream: StreamValue | undefined;
  let group: ConsumerGroup | undefined;
  if (args.length >= 4) {
    for (let i = 5; i < args.length; ) {
      if (sub === 'create' && keyword(args[i], 'mkstream')) {
        mkstream = true;
        i++;
      } else if ((sub === 'create' || sub === 'setid') && keyword(args[i], 'entriesread') && i + 1 < args.length) {
        const v = bigLongLongOrReply(s, args[i + 1]!);
        if (v === null) return;
        if (v < 0n && v !== ENTRIES_READ_INVALID) {
          s.engine.replyError(s, streamError.entriesReadRange);
          return;
        }
        entriesRead = v;
        i += 2;
      } else {
        s.engine.replyError(s, subcommandSyntaxError(args[0]!, args[1]!));
        return;
      }
    }
    const found = streamForWrite(s, args[2]!);
    if (found === null) return;
    stream = found;
    if (!mkstream) {
      if (stream === undefined) {
        s.engine.replyError(s, streamError.xgroupNeedsKey);
        return;
      }
      group = stream.groups.get(args[3]!);
      if (group === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
        s.engine.replyError(s, noGroupForKeyError(args[3]!, args[2]!));
        return;
      }
    }
  }
  const key = args[2]!;
  if (args.length === 2 && sub === 'help') {
    replyHelp(s, args[0]!, XGROUP_HELP);
  } else if (sub === 'create' && args.length >= 5 && args.length <= 8) {
    xgroupCreate(s, args, stream, entriesRead);
  } else if (sub === 'setid' && (args.length === 5 || args.length === 7)) {
    const target = cstr(args[4]!) === '$' ? stream!.lastId : idOrReply(s, args[4]!, 0n, false);
    if (target === null) return;
    group!.lastId = target;
    group!.entriesRead = entriesRead;
    s.reply.ok();
    s.engine.addDirty();
    notify(s, 'xgroup-setid', key);
  } else if (sub === 'destroy' && args.length === 4) {
    if (group === undefined) {
      s.reply.integer(0);
      return;
    }
    stream!.groups.delete(group.name);
    s.reply.integer(1);
    s.engine.addDirty();
    notify(s, 'xgroup-destroy', key);
    s.engine.keyReady(s.db, key);
  } else if (sub === 'createconsumer' && args.length === 5) {
    const created = group!.createConsumer(args[4]!, s.engine.keyspace.nowMs);
    if (created !== undefined) {
      s.engine.addDirty();
      notify(s, 'xgroup-createconsumer', key);
    }
    s.reply.integer(created !== undefined ? 1 : 0);
  } else if (sub === 'delconsumer' && args.length === 5) {
    const consumer = group!.consumers.get(args[4]!);
    let pending = 0;
    if (consumer !== undefined) {
      pending = group!.deleteConsumer(consumer);
      s.engine.addDirty();
      notify(s, 'xgroup-delconsumer', key);
    }
    s.reply.integer(pending);
  } else {
    s.engine.replyError(s, subcommandSyntaxError(args[0]!, args[1]!));
  }
}

function xgroupCreate(s: Session, args: Bytes[], existing: StreamValue | undefined, entriesRead: bigint): void {
  let id: StreamId | null;
  if (cstr(args[4]!) === '$') id = existing === undefined ? STREAM_ID_MIN : existing.lastId;
  else id = idOrReply(s, args[4]!, 0n, true);
  if (id === null) return;
  const key = args[2]!;
  let stream = existing;
  if (stream === undefined) {
    stream = StreamValue.empty();
    s.db.add(key, stream);
  }
  if (stream.createGroup(args[3]!, id, entriesRead) === undefined) {
    s.engine.replyError(s, streamError.busyGroup);
    return;
  }
  s.reply.ok();
  s.engine.addDirty();
  notify(s, 'xgroup-create', key);
}

// ---------------------------------------------------------------------------------------------------------
// XSETID

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(s: Session, args: Bytes[]): void {
  const id = idOrReply(s, args[2]!, 0n, true);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxDeleted = STREAM_ID_MIN;
  for (let i = 3; i < args.length; i += 2) {
    const moreArgs = args.length - 1 - i;
    if (keyword(args[i], 'entriesadded') && moreArgs > 0) {
      const v = bigLongLongOrReply(s, args[i + 1]!);
      if (v === null) return;
      if (v < 0n) {
        s.engine.replyError(s, streamError.entriesAddedNegative);
        return;
      }
      entriesAdded = v;
    } else if (keyword(args[i], 'maxdeletedid') && moreArgs > 0) {
      const v = idOrReply(s, args[i + 1]!, 0n, true);
      if (v === null) return;
      if (compareIds(id, v) < 0) {
        s.engine.replyError(s, streamError.xsetidBelowMaxDeleted);
        return;
      }
      maxDeleted = v;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  const key = args[1]!;
  const stream = streamForWrite(s, key);
  if (stream === null) return;
  if (stream === undefined) {
    s.engine.replyError(s, ERR.noSuchKey);
    return;
  }
  if (stream.length > 0) {
    if (compareIds(id, stream.lastValidId()) < 0) {
      s.engine.replyError(s, streamError.xsetidBelowTop);
      return;
    }
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) {
      s.engine.replyError(s, streamError.xsetidEntriesAdded);
      return;
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded;
  if (!idIsZero(maxDeleted)) stream.maxDeletedId = maxDeleted;
  s.reply.ok();
  s.engine.addDirty();
  notify(s, 'xsetid', key);
}

// ---------------------------------------------------------------------------------------------------------
// XACK, XPENDING

/** XACK key group id [id ...] */
function xack(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const stream = streamForRead(s, key);
  if (stream === null) return;
  const group = stream?.groups.get(args[2]!);
  if (group === undefined) {
    s.reply.integer(0);
    return;
  }
  const ids = idsOrReply(s, args, 3);
  if (ids === null) return;
  aboutToChange(s, key);
  let acknowledged = 0;
  for (const id of ids) {
    if (group.acknowledge(id) === undefined) continue;
    acknowledged++;
    s.engine.addDirty();
  }
  s.reply.integer(acknowledged);
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(s: Session, args: Bytes[]): void {
  const summary = args.length === 3;
  if (args.length !== 3 && (args.length < 6 || args.length > 9)) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  let minIdle = 0;
  let count = 0;
  let start = STREAM_ID_MIN;
  let end = STREAM_ID_MAX;
  let consumerName: Bytes | null = null;
  if (args.length >= 6) {
    let startIndex = 3;
    if (keyword(args[3], 'idle')) {
      const v = longLongOrReply(s, args[4]!);
      if (v === null) return;
      minIdle = v;
      if (args.length < 8) {
        s.engine.replyError(s, ERR.syntax);
        return;
      }
      startIndex += 2;
    }
    const c = longLongOrReply(s, args[startIndex + 2]!);
    if (c === null) return;
    count = c < 0 ? 0 : c;
    const from = intervalOrReply(s, args[startIndex]!, true);
    if (from === null) return;
    const to = intervalOrReply(s, args[startIndex + 1]!, false);
    if (to === null) return;
    start = from;
    end = to;
    if (startIndex + 3 < args.length) consumerName = args[startIndex + 3]!;
  }
  const stream = streamForRead(s, args[1]!);
  if (stream === null) return;
  const group = stream?.groups.get(args[2]!);
  if (group === undefined) {
    s.engine.replyError(s, noGroupError(args[1]!, args[2]!));
    return;
  }
  if (summary) {
    replyPendingSummary(s, group);
    return;
  }
  let pel = group.pel;
  if (consumerName !== null) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      s.reply.array(0);
      return;
    }
    pel = consumer.pel;
  }
  const now = s.engine.keyspace.nowMs;
  const rows: PendingEntry[] = [];
  if (count > 0) {
    for (const nack of pel.from(start)) {
      if (compareIds(nack.id, end) > 0) break;
      if (minIdle !== 0 && now - nack.deliveryTimeMs < minIdle) continue;
      rows.push(nack);
      if (rows.length === count) break;
    }
  }
  s.reply.array(rows.length);
  for (const nack of rows) {
    s.reply.array(4);
    s.reply.bulk(formatId(nack.id));
    s.reply.bulk(nack.consumer!.name);
    s.reply.integer(Math.max(0, now - nack.deliveryTimeMs));
    s.reply.integer(nack.deliveryCount);
  }
}

function replyPendingSummary(s: Session, group: ConsumerGroup): void {
  s.reply.array(4);
  s.reply.integer(group.pel.size);
  const first = group.pel.first();
  const last = group.pel.last();
  if (first === undefined || last === undefined) {
    s.reply.nullBulk();
    s.reply.nullBulk();
    s.reply.nullArray();
    return;
  }
  s.reply.bulk(formatId(first.id));
  s.reply.bulk(formatId(last.id));
  const owners = group.sortedConsumers().filter((c) => c.pel.size > 0);
  s.reply.array(owners.length);
  for (const c of owners) {
    s.reply.array(2);
    s.reply.bulk(c.name);
    s.reply.bulk(String(c.pel.size));
  }
}

// ---------------------------------------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM

interface XclaimOptions {
  /** Absolute ms from IDLE or TIME; -1 when neither was given. */
  deliveryTime: number;
  /** -1 when RETRYCOUNT was not given. */
  retryCount: number;
  force: boolean;
  justId: boolean;
  lastId: StreamId;
}

/** The options after XCLAIM's IDs (from args[from]); null after replying with an error. */
function parseXclaimOptions(s: Session, args: Bytes[], from: number): XclaimOptions | null {
  const now = s.engine.keyspace.nowMs;
  const out: XclaimOptions = { deliveryTime: -1, retryCount: -1, force: false, justId: false, lastId: STREAM_ID_MIN };
  for (let j = from; j < args.length; j++) {
    const moreArgs = args.length - 1 - j;
    const opt = args[j]!;
    if (keyword(opt, 'force')) {
      out.force = true;
    } else if (keyword(opt, 'justid')) {
      out.justId = true;
    } else if (keyword(opt, 'idle') && moreArgs > 0) {
      const v = longLongOrReply(s, args[++j]!, streamError.xclaimIdle);
      if (v === null) return null;
      out.deliveryTime = now - v;
    } else if (keyword(opt, 'time') && moreArgs > 0) {
      const v = longLongOrReply(s, args[++j]!, streamError.xclaimTime);
      if (v === null) return null;
      out.deliveryTime = v;
    } else if (keyword(opt, 'retrycount') && moreArgs > 0) {
      const v = longLongOrReply(s, args[++j]!, streamError.xclaimRetryCount);
      if (v === null) return null;
      out.retryCount = v;
    } else if (keyword(opt, 'lastid') && moreArgs > 0) {
      const v = idOrReply(s, args[++j]!, 0n, true);
      if (v === null) return null;
      out.lastId = v;
    } else {
      s.engine.replyError(s, xclaimOptionError(opt));
      return null;
    }
  }
  return out;
}

/** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
function xclaim(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const stream = streamForRead(s, key);
  if (stream === null) return;
  const group = stream?.groups.get(args[2]!);
  if (stream === undefined || group === undefined) {
    s.engine.replyError(s, noGroupError(key, args[2]!));
    return;
  }
  let minIdle = longLongOrReply(s, args[4]!, streamError.xclaimMinIdle);
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < args.length; j++) {
    const parsed = parseId(args[j]!, 0n, true);
    if (parsed === null) break;
    ids.push(parsed.id);
  }
  const options = parseXclaimOptions(s, args, j);
  if (options === null) return;
  const now = s.engine.keyspace.nowMs;
  const { retryCount, force, justId, lastId } = options;
  let deliveryTime = options.deliveryTime;
  aboutToChange(s, key);
  const dbIndex = s.db.id;
  let propagateLastId = false;
  if (compareIds(lastId, group.lastId) > 0) {
    group.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;

  let consumer: Consumer | null = null;
  const claimed: (StreamEntryView | StreamId)[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    const idArg = args[5 + k]!;
    let nack = group.pel.get(id);
    const entry = stream.get(id);
    if (entry === undefined) {
      if (nack !== undefined) {
        propagateClaim(s, dbIndex, key, group, idArg, nack);
        propagateLastId = false;
        s.engine.addDirty();
        group.acknowledge(id);
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { id, consumer: null, deliveryTimeMs: now, deliveryCount: 1 };
      group.pel.insert(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTimeMs < minIdle) continue;
    consumer ??= lookupOrCreateConsumer(s, dbIndex, key, group, args[3]!).consumer;
    nack.deliveryTimeMs = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    group.assign(nack, consumer);
    claimed.push(justId ? id : entry);
    propagateClaim(s, dbIndex, key, group, idArg, nack);
    propagateLastId = false;
    s.engine.addDirty();
  }
  if (propagateLastId) {
    propagateGroupId(s, dbIndex, key, group);
    s.engine.addDirty();
  }
  s.reply.array(claimed.length);
  for (const c of claimed) {
    if ('fieldValues' in c) replyEntry(s, c);
    else s.reply.bulk(formatId(c));
  }
  s.engine.suppressPropagation();
}

/** COUNT above this makes Redis's transient allocation (16 bytes per ID) fail on a 64-bit Linux host. */
const XAUTOCLAIM_COUNT_ALLOCATABLE_MAX = 2 ** 42;

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const value = s.db.getRead(key);
  let minIdle = longLongOrReply(s, args[4]!, streamError.xautoclaimMinIdle);
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const start = intervalOrReply(s, args[5]!, true);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < args.length; j++) {
    const moreArgs = args.length - 1 - j;
    if (keyword(args[j], 'count') && moreArgs > 0) {
      const v = parseInt64(args[j + 1]!);
      // LONG_MAX / max(sizeof(streamID), attempts factor 10)
      if (v === null || BigInt(v) < 1n || BigInt(v) > 576460752303423487n) {
        s.engine.replyError(s, streamError.xautoclaimCount);
        return;
      }
      count = Number(v);
      j++;
    } else if (keyword(args[j], 'justid')) {
      justId = true;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  if (value !== undefined && (typeof value === 'string' || value.kind !== 'stream')) {
    s.engine.replyError(s, ERR.wrongType);
    return;
  }
  const stream = value;
  const group = stream?.groups.get(args[2]!);
  if (stream === undefined || group === undefined) {
    s.engine.replyError(s, noGroupError(key, args[2]!));
    return;
  }
  if (count > XAUTOCLAIM_COUNT_ALLOCATABLE_MAX) {
    s.engine.replyError(s, streamError.xautoclaimMemory);
    return;
  }
  aboutToChange(s, key);
  const dbIndex = s.db.id;
  const now = s.engine.keyspace.nowMs;
  let attempts = count * 10;
  let consumer: Consumer | null = null;
  const claimed: (StreamEntryView | StreamId)[] = [];
  const deleted: StreamId[] = [];
  // `cursor` is always the entry the next raxNext would return: after the loop, the entry after the last one
  // examined (the reply's next start), or none (0-0).
  let cursor: PendingEntry | undefined = group.pel.ceiling(start);
  while (attempts-- > 0 && count > 0 && cursor !== undefined) {
    const nack: PendingEntry = cursor;
    cursor = group.pel.higher(nack.id);
    const entry = stream.get(nack.id);
    if (entry === undefined) {
      propagateClaim(s, dbIndex, key, group, formatId(nack.id), nack);
      s.engine.addDirty();
      group.acknowledge(nack.id);
      deleted.push(nack.id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - nack.deliveryTimeMs < minIdle) continue;
    consumer ??= lookupOrCreateConsumer(s, dbIndex, key, group, args[3]!).consumer;
    group.assign(nack, consumer);
    nack.deliveryTimeMs = now;
    if (!justId) nack.deliveryCount++;
    claimed.push(justId ? nack.id : entry);
    count--;
    propagateClaim(s, dbIndex, key, group, formatId(nack.id), nack);
    s.engine.addDirty();
  }
  s.reply.array(3);
  s.reply.bulk(formatId(cursor?.id ?? STREAM_ID_MIN));
  s.reply.array(claimed.length);
  for (const c of claimed) {
    if ('fieldValues' in c) replyEntry(s, c);
    else s.reply.bulk(formatId(c));
  }
  s.reply.array(deleted.length);
  for (const id of deleted) s.reply.bulk(formatId(id));
  s.engine.suppressPropagation();
}

// ---------------------------------------------------------------------------------------------------------
// XINFO

function xinfoHelp(s: Session, args: Bytes[]): void {
  replyHelp(s, args[0]!, XINFO_HELP);
}

/** The stream for XINFO (lookupKeyReadOrReply with "no such key"). */
function xinfoStreamOrReply(s: Session, key: Bytes): StreamValue | null {
  const stream = streamForRead(s, key);
  if (stream === undefined) {
    s.engine.replyError(s, ERR.noSuchKey);
    return null;
  }
  return stream;
}

function replyLag(s: Session, stream: StreamValue, group: ConsumerGroup): void {
  const lag = stream.groupLag(group);
  if (lag === null) s.reply.nullBulk();
  else s.reply.integer(lag);
}

function replyEntriesRead(s: Session, group: ConsumerGroup): void {
  if (group.entriesRead === ENTRIES_READ_INVALID) s.reply.nullBulk();
  else s.reply.integer(group.entriesRead);
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStream(s: Session, args: Bytes[]): void {
  const stream = xinfoStreamOrReply(s, args[2]!);
  if (stream === null) return;
  const options = args.length - 3;
  let full = false;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !keyword(args[3], 'full') || (options === 3 && !keyword(args[4], 'count'))) {
      s.engine.replyError(s, subcommandSyntaxError(args[0]!, args[1]!));
      return;
    }
    full = true;
    if (options === 3) {
      const v = longLongOrReply(s, args[5]!);
      if (v === null) return;
      count = v < 0 ? 10 : v;
    }
  }
  const r = s.reply;
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.integer(stream.length);
  r.bulk('radix-tree-keys');
  r.integer(stream.nodeCount);
  r.bulk('radix-tree-nodes');
  r.integer(stream.radixTreeNodes());
  r.bulk('last-generated-id');
  r.bulk(formatId(stream.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatId(stream.maxDeletedId));
  r.bulk('entries-added');
  r.integer(BigInt.asIntN(64, stream.entriesAdded));
  r.bulk('recorded-first-entry-id');
  r.bulk(formatId(stream.firstId));
  if (!full) {
    r.bulk('groups');
    r.integer(stream.groups.size);
    for (const [label, rev] of [['first-entry', false], ['last-entry', true]] as const) {
      r.bulk(label);
      const edge = collect(stream, STREAM_ID_MIN, STREAM_ID_MAX, 1, rev)[0];
      if (edge === undefined) r.nullBulk();
      else replyEntry(s, edge);
    }
    return;
  }
  r.bulk('entries');
  replyEntries(s, collect(stream, STREAM_ID_MIN, STREAM_ID_MAX, count, false));
  r.bulk('groups');
  const groups = stream.sortedGroups();
  r.array(groups.length);
  for (const g of groups) replyGroupFull(s, stream, g, count);
}

function replyGroupFull(s: Session, stream: StreamValue, g: ConsumerGroup, count: number): void {
  const r = s.reply;
  r.map(7);
  r.bulk('name');
  r.bulk(g.name);
  r.bulk('last-delivered-id');
  r.bulk(formatId(g.lastId));
  r.bulk('entries-read');
  replyEntriesRead(s, g);
  r.bulk('lag');
  replyLag(s, stream, g);
  r.bulk('pel-count');
  r.integer(g.pel.size);
  r.bulk('pending');
  const pending = take(g.pel.from(), count);
  r.array(pending.length);
  for (const n of pending) {
    r.array(4);
    r.bulk(formatId(n.id));
    r.bulk(n.consumer!.name);
    r.integer(n.deliveryTimeMs);
    r.integer(n.deliveryCount);
  }
  r.bulk('consumers');
  const consumers = g.sortedConsumers();
  r.array(consumers.length);
  for (const c of consumers) {
    r.map(4);
    r.bulk('name');
    r.bulk(c.name);
    r.bulk('seen-time');
    r.integer(c.seenTimeMs);
    r.bulk('pel-count');
    r.integer(c.pel.size);
    r.bulk('pending');
    const own = take(c.pel.from(), count);
    r.array(own.length);
    for (const n of own) {
      r.array(3);
      r.bulk(formatId(n.id));
      r.integer(n.deliveryTimeMs);
      r.integer(n.deliveryCount);
    }
  }
}

/** The first `count` items (all when count is 0). */
function take<T>(items: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  for (const item of items) {
    if (count !== 0 && out.length >= count) break;
    out.push(item);
  }
  return out;
}

/** XINFO GROUPS key */
function xinfoGroups(s: Session, args: Bytes[]): void {
  const stream = xinfoStreamOrReply(s, args[2]!);
  if (stream === null) return;
  const groups = stream.sortedGroups();
  s.reply.array(groups.length);
  for (const g of groups) {
    s.reply.map(6);
    s.reply.bulk('name');
    s.reply.bulk(g.name);
    s.reply.bulk('consumers');
    s.reply.integer(g.consumers.size);
    s.reply.bulk('pending');
    s.reply.integer(g.pel.size);
    s.reply.bulk('last-delivered-id');
    s.reply.bulk(formatId(g.lastId));
    s.reply.bulk('entries-read');
    replyEntriesRead(s, g);
    s.reply.bulk('lag');
    replyLag(s, stream, g);
  }
}

/** XINFO CONSUMERS key group */
function xinfoConsumers(s: Session, args: Bytes[]): void {
  const stream = xinfoStreamOrReply(s, args[2]!);
  if (stream === null) return;
  const group = stream.groups.get(args[3]!);
  if (group === undefined) {
    s.engine.replyError(s, noGroupForKeyError(args[3]!, args[2]!));
    return;
  }
  const now = s.engine.keyspace.nowMs;
  const consumers = group.sortedConsumers();
  s.reply.array(consumers.length);
  for (const c of consumers) {
    s.reply.map(3);
    s.reply.bulk('name');
    s.reply.bulk(c.name);
    s.reply.bulk('pending');
    s.reply.integer(c.pel.size);
    s.reply.bulk('idle');
    s.reply.integer(Math.max(0, now - c.seenTimeMs));
  }
}

export const streamsCommands: CommandDef[] = [
  { name: 'xadd', handler: xadd },
  { name: 'xtrim', handler: xtrim },
  { name: 'xrange', handler: (s, args) => xrangeGeneric(s, args, false) },
  { name: 'xrevrange', handler: (s, args) => xrangeGeneric(s, args, true) },
  { name: 'xlen', handler: xlen },
  { name: 'xdel', handler: xdel },
  { name: 'xread', handler: (s, args) => xreadGeneric(s, args, false) },
  { name: 'xreadgroup', handler: (s, args) => xreadGeneric(s, args, true) },
  { name: 'xgroup|create', handler: xgroup },
  { name: 'xgroup|setid', handler: xgroup },
  { name: 'xgroup|destroy', handler: xgroup },
  { name: 'xgroup|createconsumer', handler: xgroup },
  { name: 'xgroup|delconsumer', handler: xgroup },
  { name: 'xgroup|help', handler: xgroup },
  { name: 'xsetid', handler: xsetid },
  { name: 'xack', handler: xack },
  { name: 'xpending', handler: xpending },
  { name: 'xclaim', handler: xclaim },
  { name: 'xautoclaim', handler: xautoclaim },
  { name: 'xinfo|stream', handler: xinfoStream },
  { name: 'xinfo|groups', handler: xinfoGroups },
  { name: 'xinfo|consumers', handler: xinfoConsumers },
  { name: 'xinfo|help', handler: xinfoHelp },
];
