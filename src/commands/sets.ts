/**
 * Set commands (redis `src/t_set.c`, SSCAN from `src/db.c`).
 *
 * Replies, errors, keyspace notifications and propagation follow Redis 7.0: SPOP propagates as SREM (one per
 * popped member, or DEL when the whole set goes), a set emptied by a command is deleted (`del` notified), and
 * result sets of SINTER/SUNION/SDIFF(STORE) are built the way Redis builds them (an intset filled member by
 * member, SDIFF's two algorithms chosen by Redis's cost rule), so their encoding and, for intsets, their order
 * are Redis's.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR, collectionError } from './errors.js';
import { is } from './args.js';
import { LONG_MAX, deleteIfEmpty, longOrReply, positiveLongOrReply } from './lists.js';
import { replyEmptyScan, scanCollection } from './hashes.js';
import { parseScanCursor } from './zsets.js';
import { SetValue, type Bytes, type RedisValue } from '../keyspace/index.js';

function isSet(v: RedisValue): v is SetValue {
  return typeof v !== 'string' && v.kind === 'set';
}

/** The set at `key`: undefined when absent, null after replying WRONGTYPE. */
function setAt(s: Session, key: Bytes, write: boolean): SetValue | undefined | null {
  const value = write ? s.db.getWrite(key) : s.db.getRead(key);
  if (value === undefined) return undefined;
  if (!isSet(value)) {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  return value;
}

function modified(s: Session, key: Bytes): void {
  s.engine.keyModified(s.db, key);
}

function replyMembers(s: Session, set: SetValue): void {
  s.reply.set(set.size);
  for (const m of set.members()) s.reply.bulk(m);
}

// ---------------------------------------------------------------------------------------------------------------
// Single-set commands

function sadd(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  let set = setAt(s, key, true);
  if (set === null) return;
  if (set === undefined) {
    set = SetValue.forMember(args[2]!);
    s.db.add(key, set);
  }
  const config = s.engine.keyspace.config;
  let added = 0;
  for (let j = 2; j < args.length; j++) if (set.add(args[j]!, config)) added++;
  if (added > 0) {
    modified(s, key);
    s.engine.notify(NOTIFY.set, 'sadd', key, s.db.id);
  }
  s.engine.addDirty(added);
  s.reply.integer(added);
}

function srem(s: Session, args: Bytes[]): void {
  const key = args[1]!;
  const set = setAt(s, key, true);
  if (set === null) return;
  if (set === undefined) return s.reply.integer(0);
  let deleted = 0;
  for (let j = 2; j < args.length; j++) {
    if (!set.remove(args[j]!)) continue;
    deleted++;
    if (set.size === 0) break;
  }
  if (deleted > 0) {
    modified(s, key);
    s.engine.notify(NOTIFY.set, 'srem', key, s.db.id);
    deleteIfEmpty(s, s.db, key, set.size);
    s.engine.addDirty(deleted);
  }
  s.reply.integer(deleted);
}

function smove(s: Session, args: Bytes[]): void {
  const sourceKey = args[1]!;
  const destinationKey = args[2]!;
  const member = args[3]!;
  const sourceValue = s.db.getWrite(sourceKey);
  const destinationValue = s.db.getWrite(destinationKey);
  if (sourceValue === undefined) return s.reply.integer(0);
  if (!isSet(sourceValue) || (destinationValue !== undefined && !isSet(destinationValue))) {
    return s.engine.replyError(s, ERR.wrongType);
  }
  const source = sourceValue;
  if (source === destinationValue) return s.reply.integer(source.has(member) ? 1 : 0);
  if (!source.remove(member)) return s.reply.integer(0);
  s.engine.notify(NOTIFY.set, 'srem', sourceKey, s.db.id);
  deleteIfEmpty(s, s.db, sourceKey, source.size);
  let destination = destinationValue;
  if (destination === undefined) {
    destination = SetValue.forMember(member);
    s.db.add(destinationKey, destination);
  }
  modified(s, sourceKey);
  s.engine.addDirty();
  if (destination.add(member, s.engine.keyspace.config)) {
    s.engine.addDirty();
    modified(s, destinationKey);
    s.engine.notify(NOTIFY.set, 'sadd', destinationKey, s.db.id);
  }
  s.reply.integer(1);
}

function sismember(s: Session, args: Bytes[]): void {
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  s.reply.integer(set?.has(args[2]!) === true ? 1 : 0);
}

function smismember(s: Session, args: Bytes[]): void {
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  s.reply.array(args.length - 2);
  for (let j = 2; j < args.length; j++) s.reply.integer(set?.has(args[j]!) === true ? 1 : 0);
}

function scard(s: Session, args: Bytes[]): void {
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  s.reply.integer(set?.size ?? 0);
}

function sscan(s: Session, args: Bytes[]): void {
  const cursor = parseScanCursor(args[2]!);
  if (cursor === null) return s.engine.replyError(s, collectionError.invalidCursor);
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  if (set === undefined) return replyEmptyScan(s);
  const dict = set.dict;
  if (dict === null) return scanCollection(s, args, cursor, { kind: 'flat', items: [...set.members()], pairs: false });
  scanCollection(s, args, cursor, { kind: 'dict', dict, valueOf: null });
}

// ---------------------------------------------------------------------------------------------------------------
// SPOP / SRANDMEMBER

function spop(s: Session, args: Bytes[]): void {
  if (args.length === 3) return spopWithCount(s, args);
  if (args.length > 3) return s.engine.replyError(s, ERR.syntax);
  const key = args[1]!;
  const set = setAt(s, key, true);
  if (set === null) return;
  if (set === undefined) return s.reply.nullBulk();
  const member = set.random(s.engine.random)!;
  set.remove(member);
  s.engine.notify(NOTIFY.set, 'spop', key, s.db.id);
  s.engine.rewrite(['SREM', key, member]);
  s.reply.bulk(member);
  if (!deleteIfEmpty(s, s.db, key, set.size)) modified(s, key);
  s.engine.addDirty();
}

/** Over this many times the requested count, SPOP draws the members to keep instead (SPOP_MOVE_STRATEGY_MUL). */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spopWithCount(s: Session, args: Bytes[]): void {
  const count = positiveLongOrReply(s, args[2]!);
  if (count === null) return;
  const key = args[1]!;
  const set = setAt(s, key, true);
  if (set === null) return;
  if (set === undefined || count === 0) return s.reply.set(0);
  const size = set.size;
  s.engine.notify(NOTIFY.set, 'spop', key, s.db.id);
  s.engine.addDirty(Math.min(count, size));
  if (count >= size) {
    // Redis replies through SUNION of the key: an intset-built copy, so integers come sorted.
    replyMembers(s, union(s, [set]));
    s.db.delete(key);
    s.engine.notify(NOTIFY.generic, 'del', key, s.db.id);
    s.engine.rewrite(['DEL', key]);
    return;
  }
  const dbIndex = s.db.id;
  const remaining = size - count;
  s.reply.set(count);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const member = set.random(s.engine.random)!;
      set.remove(member);
      s.reply.bulk(member);
      s.engine.also(dbIndex, ['SREM', key, member]);
    }
  } else {
    // Draw the members that stay into a new set (created for the first one drawn), return the rest.
    const config = s.engine.keyspace.config;
    let kept: SetValue | null = null;
    for (let i = 0; i < remaining; i++) {
      const member = set.random(s.engine.random)!;
      kept ??= SetValue.forMember(member);
      kept.add(member, config);
      set.remove(member);
    }
    for (const member of set.members()) {
      s.reply.bulk(member);
      s.engine.also(dbIndex, ['SREM', key, member]);
    }
    s.db.set(key, kept!, true);
  }
  s.engine.suppressPropagation();
  modified(s, key);
}

/** Below this many times the requested count, SRANDMEMBER removes members from a copy (SRANDMEMBER_SUB_STRATEGY_MUL). */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function srandmember(s: Session, args: Bytes[]): void {
  if (args.length === 3) return srandmemberWithCount(s, args);
  if (args.length > 3) return s.engine.replyError(s, ERR.syntax);
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  if (set === undefined) return s.reply.nullBulk();
  s.reply.bulk(set.random(s.engine.random)!);
}

function srandmemberWithCount(s: Session, args: Bytes[]): void {
  const requested = longOrReply(s, args[2]!, -LONG_MAX, LONG_MAX);
  if (requested === null) return;
  const set = setAt(s, args[1]!, false);
  if (set === null) return;
  const count = Math.abs(requested);
  if (set === undefined || count === 0) return s.reply.array(0);
  if (requested < 0 || count === 1) {
    s.reply.array(count);
    for (let i = 0; i < count; i++) s.reply.bulk(set.random(s.engine.random)!);
    return;
  }
  const size = set.size;
  if (count >= size) {
    s.reply.array(size);
    for (const m of set.members()) s.reply.bulk(m);
    return;
  }
  const members = [...set.members()];
  s.reply.array(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Remove random members until `count` are left.
    let left = members.length;
    while (left > count) {
      const j = Math.floor(s.engine.random() * left);
      members[j] = members[--left]!;
    }
    for (let i = 0; i < count; i++) s.reply.bulk(members[i]!);
    return;
  }
  const picked = new Set<Bytes>();
  while (picked.size < count) picked.add(set.random(s.engine.random)!);
  for (const m of picked) s.reply.bulk(m);
}

// ---------------------------------------------------------------------------------------------------------------
// SINTER / SUNION / SDIFF and their STORE forms

/** The sets at `keys` (undefined for missing keys); null after replying WRONGTYPE. */
function setsAt(s: Session, keys: readonly Bytes[]): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (const key of keys) {
    const set = setAt(s, key, false);
    if (set === null) return null;
    sets.push(set);
  }
  return sets;
}

/** Stores `result` at `destination` (or deletes it when empty) and replies the size, as the STORE forms do. */
function storeResult(s: Session, destination: Bytes, result: SetValue, event: string): void {
  if (result.size > 0) {
    s.db.set(destination, result);
    s.reply.integer(result.size);
    s.engine.notify(NOTIFY.set, event, destination, s.db.id);
    s.engine.addDirty();
    return;
  }
  s.reply.integer(0);
  if (s.db.delete(destination)) {
    s.engine.addDirty();
    s.engine.notify(NOTIFY.generic, 'del', destination, s.db.id);
  }
}

type InterMode = { kind: 'reply' } | { kind: 'store'; destination: Bytes } | { kind: 'card'; limit: number };

/** sinterGenericCommand: SINTER, SMEMBERS, SINTERSTORE and SINTERCARD. */
function sinterGeneric(s: Session, keys: readonly Bytes[], mode: InterMode): void {
  const found = setsAt(s, keys);
  if (found === null) return;
  if (found.some((set) => set === undefined)) {
    if (mode.kind === 'store') storeResult(s, mode.destination, SetValue.empty(true), 'sinterstore');
    else if (mode.kind === 'card') s.reply.integer(0);
    else s.reply.set(0);
    return;
  }
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const smallest = sets[0]!;
  const config = s.engine.keyspace.config;
  const result = SetValue.empty(true);
  const replied: Bytes[] = [];
  let cardinality = 0;
  for (const member of smallest.members()) {
    let inAll = true;
    for (let j = 1; j < sets.length; j++) {
      if (sets[j] === smallest) continue;
      if (!sets[j]!.has(member)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    if (mode.kind === 'card') {
      cardinality++;
      if (mode.limit !== 0 && cardinality >= mode.limit) break;
    } else if (mode.kind === 'reply') {
      replied.push(member);
    } else {
      result.add(member, config);
    }
  }
  if (mode.kind === 'card') return s.reply.integer(cardinality);
  if (mode.kind === 'store') return storeResult(s, mode.destination, result, 'sinterstore');
  s.reply.set(replied.length);
  for (const m of replied) s.reply.bulk(m);
}

/** sunionDiffGenericCommand: SUNION, SDIFF and their STORE forms. */
function sunionDiffGeneric(s: Session, keys: readonly Bytes[], destination: Bytes | null, op: 'union' | 'diff'): void {
  const sets = setsAt(s, keys);
  if (sets === null) return;
  const result = op === 'union' ? union(s, sets) : difference(s, sets);
  if (destination === null) return replyMembers(s, result);
  storeResult(s, destination, result, op === 'union' ? 'sunionstore' : 'sdiffstore');
}

function union(s: Session, sets: readonly (SetValue | undefined)[]): SetValue {
  const config = s.engine.keyspace.config;
  const result = SetValue.empty(true);
  for (const set of sets) if (set !== undefined) for (const m of set.members()) result.add(m, config);
  return result;
}

/** SDIFF with Redis's choice between its two algorithms (they can leave the result in different encodings). */
function difference(s: Session, sets: (SetValue | undefined)[]): SetValue {
  const config = s.engine.keyspace.config;
  const result = SetValue.empty(true);
  const first = sets[0];
  // The same key later in the list empties the result (Redis compares the looked-up objects).
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;
  if (first === undefined) return result;
  let algorithmOneWork = 0;
  let algorithmTwoWork = 0;
  for (const set of sets) {
    if (set === undefined) continue;
    algorithmOneWork += first.size;
    algorithmTwoWork += set.size;
  }
  algorithmOneWork = Math.floor(algorithmOneWork / 2);
  if (algorithmOneWork <= algorithmTwoWork) {
    const others = sets.slice(1).filter((set): set is SetValue => set !== undefined).sort((a, b) => b.size - a.size);
    for (const m of first.members()) if (!others.some((set) => set.has(m))) result.add(m, config);
    return result;
  }
  for (let j = 0; j < sets.length; j++) {
    const set = sets[j];
    if (set === undefined) continue;
    for (const m of set.members()) {
      if (j === 0) result.add(m, config);
      else result.remove(m);
    }
    if (result.size === 0) break;
  }
  return result;
}

function sintercard(s: Session, args: Bytes[]): void {
  const numkeys = longOrReply(s, args[1]!, 1n, LONG_MAX, collectionError.numkeysPositive);
  if (numkeys === null) return;
  if (numkeys > args.length - 2) return s.engine.replyError(s, collectionError.keysMoreThanArgs);
  let limit = 0;
  for (let j = 2 + numkeys; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (is(args[j], 'limit') && more > 0) {
      const v = positiveLongOrReply(s, args[++j]!, collectionError.limitNegative);
      if (v === null) return;
      limit = v;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  sinterGeneric(s, args.slice(2, 2 + numkeys), { kind: 'card', limit });
}

export const setsCommands: CommandDef[] = [
  { name: 'sadd', handler: sadd },
  { name: 'srem', handler: srem },
  { name: 'smove', handler: smove },
  { name: 'sismember', handler: sismember },
  { name: 'smismember', handler: smismember },
  { name: 'scard', handler: scard },
  { name: 'smembers', handler: (s, args) => sinterGeneric(s, [args[1]!], { kind: 'reply' }) },
  { name: 'sscan', handler: sscan },
  { name: 'spop', handler: spop },
  { name: 'srandmember', handler: srandmember },
  { name: 'sinter', handler: (s, args) => sinterGeneric(s, args.slice(1), { kind: 'reply' }) },
  { name: 'sintercard', handler: sintercard },
  { name: 'sinterstore', handler: (s, args) => sinterGeneric(s, args.slice(2), { kind: 'store', destination: args[1]! }) },
  { name: 'sunion', handler: (s, args) => sunionDiffGeneric(s, args.slice(1), null, 'union') },
  { name: 'sunionstore', handler: (s, args) => sunionDiffGeneric(s, args.slice(2), args[1]!, 'union') },
  { name: 'sdiff', handler: (s, args) => sunionDiffGeneric(s, args.slice(1), null, 'diff') },
  { name: 'sdiffstore', handler: (s, args) => sunionDiffGeneric(s, args.slice(2), args[1]!, 'diff') },
];
