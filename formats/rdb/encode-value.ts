// Value serialization for the writer and DUMP: picks the RDB type for a decoded value, a target
// version and the encoding hint Redis would report (rdbSaveObjectType), then writes the body
// like rdbSaveObject. Compact containers are built with the same layouts Redis uses: listpack
// (v10+), ziplist (v9), intset, quicklist nodes of list-max-listpack-size -2 (8 KiB), stream
// listpacks (t_stream.c streamAppendItem).

import { type Bytes, canonicalInt } from '../bytes.js';
import { encodeIntset } from '../intset.js';
import { ListpackBuilder } from '../listpack.js';
import { encodeZiplist } from '../ziplist.js';
import * as C from './constants.js';
import type { RdbOutput } from './output.js';
import type { RdbEncodingHint, RdbStream, RdbStreamNode, RdbValue, StreamEntry, StreamId } from './types.js';
import { STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS } from './decode-stream.js';

/** Redis defaults used when no encoding hint is given (redis.conf). */
export const COMPACT_ENTRIES_MAX = 128; // hash/zset/set-max-listpack-entries
export const COMPACT_VALUE_BYTES_MAX = 64; // hash/zset/set-max-listpack-value
export const INTSET_ENTRIES_MAX = 512; // set-max-intset-entries
/** list-max-listpack-size -2: 8 KiB per quicklist node. */
export const QUICKLIST_NODE_BYTES_MAX = 8192;
const QUICKLIST_SIZE_ESTIMATE_OVERHEAD = 8;
export const STREAM_NODE_BYTES_MAX = 4096; // stream-node-max-bytes
export const STREAM_NODE_ENTRIES_MAX = 100; // stream-node-max-entries

export interface EncodeWarning {
  code: 'HASH_FIELD_TTL_DROPPED' | 'STREAM_METADATA_DROPPED' | 'CONSUMER_ACTIVE_TIME_DROPPED' | 'RECORD_DROPPED' | 'ENCODING_CHANGED';
  message: string;
}

export interface EncodePlan {
  type: number;
  warnings: EncodeWarning[];
}

function allShort(items: Iterable<Bytes>): boolean {
  for (const s of items) if (s.length > COMPACT_VALUE_BYTES_MAX) return false;
  return true;
}

function hasFieldTtls(v: RdbValue): boolean {
  return v.type === 'hash' && v.fieldExpireAtMs !== undefined && v.fieldExpireAtMs.some((ms) => ms !== -1);
}

/** Chooses the RDB type for `value` written as RDB `version` (9..12), and what gets lost. */
export function planValue(value: RdbValue, hint: RdbEncodingHint | undefined, version: number): EncodePlan {
  const warnings: EncodeWarning[] = [];
  switch (value.type) {
    case 'string':
      return { type: C.RDB_TYPE_STRING, warnings };
    case 'list':
      return { type: version >= 10 ? C.RDB_TYPE_LIST_QUICKLIST_2 : C.RDB_TYPE_LIST_QUICKLIST, warnings };
    case 'set': {
      const n = value.value.length;
      const intsetWanted = hint === 'intset' || (hint === undefined && n <= INTSET_ENTRIES_MAX);
      if (intsetWanted && value.value.every((m) => canonicalInt(m) !== null)) return { type: C.RDB_TYPE_SET_INTSET, warnings };
      if (hint === 'intset') warnings.push({ code: 'ENCODING_CHANGED', message: 'intset hint on a set with non-integer members: written as a hashtable set' });
      const listpackWanted = hint === 'listpack' || (hint === undefined && n <= COMPACT_ENTRIES_MAX && allShort(value.value));
      if (hint === 'listpack' && version < 11) warnings.push({ code: 'ENCODING_CHANGED', message: `set listpack needs RDB 11, target is ${version}: written as a hashtable set` });
      return { type: listpackWanted && version >= 11 ? C.RDB_TYPE_SET_LISTPACK : C.RDB_TYPE_SET, warnings };
    }
    case 'zset': {
      const compact =
        hint === 'listpack' || hint === 'ziplist' ||
        (hint === undefined && value.value.length <= COMPACT_ENTRIES_MAX && allShort(value.value.map(([m]) => m)));
      if (!compact) return { type: C.RDB_TYPE_ZSET_2, warnings };
      return { type: version >= 10 ? C.RDB_TYPE_ZSET_LISTPACK : C.RDB_TYPE_ZSET_ZIPLIST, warnings };
    }
    case 'hash': {
      const ttls = hasFieldTtls(value);
      if (ttls && version < 12) {
        warnings.push({ code: 'HASH_FIELD_TTL_DROPPED', message: `hash field TTLs need RDB 12, target is ${version}` });
      }
      const small = value.value.length <= COMPACT_ENTRIES_MAX && value.value.every(([f, v]) => f.length <= COMPACT_VALUE_BYTES_MAX && v.length <= COMPACT_VALUE_BYTES_MAX);
      const compact = hint === 'listpack' || hint === 'listpackex' || hint === 'ziplist' || hint === 'zipmap' || (hint === undefined && small);
      if (ttls && version >= 12) return { type: compact ? C.RDB_TYPE_HASH_LISTPACK_EX : C.RDB_TYPE_HASH_METADATA, warnings };
      if (!compact) return { type: C.RDB_TYPE_HASH, warnings };
      return { type: version >= 10 ? C.RDB_TYPE_HASH_LISTPACK : C.RDB_TYPE_HASH_ZIPLIST, warnings };
    }
    case 'stream':
      return { type: streamType(value.value, version, warnings), warnings };
    default: {
      const never: never = value;
      return never;
    }
  }
}

function streamType(s: RdbStream, version: number, warnings: EncodeWarning[]): number {
  if (version >= 11) return C.RDB_TYPE_STREAM_LISTPACKS_3;
  if (s.groups.some((g) => g.consumers.some((c) => c.activeTimeMs !== c.seenTimeMs))) {
    warnings.push({ code: 'CONSUMER_ACTIVE_TIME_DROPPED', message: `consumer active-time needs RDB 11, target is ${version}` });
  }
  if (version >= 10) return C.RDB_TYPE_STREAM_LISTPACKS_2;
  if (s.maxDeletedId.ms !== 0n || s.maxDeletedId.seq !== 0n || s.groups.length > 0) {
    warnings.push({ code: 'STREAM_METADATA_DROPPED', message: `stream max-deleted-id / entries-read need RDB 10, target is ${version}` });
  }
  return C.RDB_TYPE_STREAM_LISTPACKS;
}

function compareBytes(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Zset order: score, then member bytes (zslInsert / zzlInsert). */
function sortedZset(pairs: [Bytes, number][]): [Bytes, number][] {
  return [...pairs].sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : compareBytes(a[0], b[0])));
}

/**
 * Score text as Redis 7.0's d2string stores it in a listpack: integral values within +-LLONG_MAX/2 (2^62 as a
 * double, double2ll) as integers, everything else as printf("%.17g"); so 975088078060439808 is stored as an
 * integer, not as "9.7508807806043981e+17" (Redis 6.2 printed integers only within +-2^52).
 */
export function scoreToBytes(x: number): Bytes {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (Number.isInteger(x) && x >= -LLONG_HALF && x <= LLONG_HALF) {
    return Math.abs(x) <= Number.MAX_SAFE_INTEGER ? String(x) : BigInt(x).toString();
  }
  return formatG17(x);
}

/** (double)(LLONG_MAX / 2): 2^62. */
const LLONG_HALF = 4611686018427387904;

/** C printf("%.17g", x) for finite non-zero x. */
export function formatG17(x: number): string {
  const [mantissa, expText] = x.toExponential(16).split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', ''); // 17 significant digits
  let text: string;
  if (exp < -4 || exp >= 17) {
    const frac = digits.slice(1).replace(/0+$/, '');
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    text = `${digits[0] as string}${frac.length > 0 ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e}`;
  } else if (exp >= 0) {
    const int = digits.slice(0, exp + 1);
    const frac = digits.slice(exp + 1).replace(/0+$/, '');
    text = frac.length > 0 ? `${int}.${frac}` : int;
  } else {
    const frac = `${'0'.repeat(-exp - 1)}${digits}`.replace(/0+$/, '');
    text = `0.${frac}`;
  }
  return negative ? `-${text}` : text;
}

/** Writes the body of `value` as RDB type `type` (chosen by planValue). */
export function writeValue(out: RdbOutput, value: RdbValue, type: number): void {
  switch (value.type) {
    case 'string':
      out.str(value.value);
      return;
    case 'list':
      writeList(out, value.value, type, value.nodeCounts, value.compressDepth ?? 0);
      return;
    case 'set':
      writeSet(out, value.value, type);
      return;
    case 'zset':
      writeZset(out, value.value, type);
      return;
    case 'hash':
      writeHash(out, value, type);
      return;
    case 'stream':
      writeStream(out, value.value, type);
      return;
    default: {
      const never: never = value;
      return never;
    }
  }
}

function writeList(out: RdbOutput, items: Bytes[], type: number, nodeCounts: number[] | undefined, compressDepth: number): void {
  if (type === C.RDB_TYPE_LIST_QUICKLIST_2 && nodeCounts !== undefined && sumOf(nodeCounts) === items.length) {
    // The value's own nodes (a keyspace list keeps Redis's layout); empty nodes are skipped, as Redis skips them.
    const nonEmpty = nodeCounts.filter((n) => n > 0);
    out.len(nonEmpty.length);
    // __quicklistCompress: with more than 2 x depth nodes, those at least `depth` from both ends are compressed.
    const nodes = nonEmpty.length;
    const compresses = compressDepth > 0 && nodes > compressDepth * 2;
    let at = 0;
    for (let node = 0; node < nodes; node++) {
      const n = nonEmpty[node]!;
      const lp = new ListpackBuilder(256);
      for (let i = at; i < at + n; i++) lp.append(items[i]!);
      at += n;
      out.len(C.QUICKLIST_NODE_CONTAINER_PACKED);
      out.quicklistNode(lp.finish(), compresses && node >= compressDepth && node < nodes - compressDepth);
    }
    return;
  }
  if (type === C.RDB_TYPE_LIST_QUICKLIST) {
    const nodes = splitNodes(items, (node) => encodeZiplist(node).length);
    out.len(nodes.length);
    for (const node of nodes) out.blob(encodeZiplist(node));
    return;
  }
  // Quicklist of listpacks, split like _quicklistNodeAllowInsert with fill -2: a new node when
  // node bytes + element bytes + 8 would exceed 8 KiB.
  const blobs: Buffer[] = [];
  let lp: ListpackBuilder | null = null;
  for (const item of items) {
    if (lp !== null && lp.bytes + item.length + QUICKLIST_SIZE_ESTIMATE_OVERHEAD > QUICKLIST_NODE_BYTES_MAX) {
      blobs.push(lp.finish());
      lp = null;
    }
    if (lp === null) lp = new ListpackBuilder(256);
    lp.append(item);
  }
  if (lp !== null) blobs.push(lp.finish());
  out.len(blobs.length);
  for (const blob of blobs) {
    out.len(C.QUICKLIST_NODE_CONTAINER_PACKED);
    out.blob(blob);
  }
}

function sumOf(counts: number[]): number {
  let sum = 0;
  for (const n of counts) sum += n;
  return sum;
}

/** Ziplist quicklist nodes (RDB 9): same 8 KiB rule on the encoded size. */
function splitNodes(items: Bytes[], sizeOf: (node: Bytes[]) => number): Bytes[][] {
  const nodes: Bytes[][] = [];
  let current: Bytes[] = [];
  let bytes = 11;
  for (const item of items) {
    if (current.length > 0 && bytes + item.length + QUICKLIST_SIZE_ESTIMATE_OVERHEAD > QUICKLIST_NODE_BYTES_MAX) {
      nodes.push(current);
      current = [];
      bytes = 11;
    }
    current.push(item);
    bytes = current.length % 64 === 0 ? sizeOf(current) : bytes + item.length + 2;
  }
  if (current.length > 0) nodes.push(current);
  return nodes;
}

function writeSet(out: RdbOutput, members: Bytes[], type: number): void {
  if (type === C.RDB_TYPE_SET_INTSET) {
    out.blob(encodeIntset(members) as Buffer);
    return;
  }
  if (type === C.RDB_TYPE_SET_LISTPACK) {
    const lp = new ListpackBuilder(256);
    for (const m of members) lp.append(m);
    out.blob(lp.finish());
    return;
  }
  out.len(members.length);
  for (const m of members) out.str(m);
}

function writeZset(out: RdbOutput, pairs: [Bytes, number][], type: number): void {
  const sorted = sortedZset(pairs);
  if (type === C.RDB_TYPE_ZSET_2) {
    // Greatest first, like rdbSaveObject walking the skiplist from the tail.
    out.len(sorted.length);
    for (let i = sorted.length - 1; i >= 0; i--) {
      const [member, score] = sorted[i] as [Bytes, number];
      out.str(member);
      out.binaryDouble(score);
    }
    return;
  }
  const flat: Bytes[] = [];
  for (const [member, score] of sorted) flat.push(member, scoreToBytes(score));
  if (type === C.RDB_TYPE_ZSET_ZIPLIST) {
    out.blob(encodeZiplist(flat));
    return;
  }
  const lp = new ListpackBuilder(256);
  for (const s of flat) lp.append(s);
  out.blob(lp.finish());
}

function writeHash(out: RdbOutput, value: Extract<RdbValue, { type: 'hash' }>, type: number): void {
  const pairs = value.value;
  const expires = value.fieldExpireAtMs;
  switch (type) {
    case C.RDB_TYPE_HASH: {
      out.len(pairs.length);
      for (const [f, v] of pairs) {
        out.str(f);
        out.str(v);
      }
      return;
    }
    case C.RDB_TYPE_HASH_ZIPLIST: {
      const flat: Bytes[] = [];
      for (const [f, v] of pairs) flat.push(f, v);
      out.blob(encodeZiplist(flat));
      return;
    }
    case C.RDB_TYPE_HASH_LISTPACK: {
      const lp = new ListpackBuilder(256);
      for (const [f, v] of pairs) {
        lp.append(f);
        lp.append(v);
      }
      out.blob(lp.finish());
      return;
    }
    case C.RDB_TYPE_HASH_LISTPACK_EX: {
      // Fields with a TTL first, by TTL (listpackEx keeps that order), then the others.
      const order = pairs.map((_, i) => i);
      const ttl = (i: number): number => expires?.[i] ?? -1;
      order.sort((a, b) => {
        const ta = ttl(a);
        const tb = ttl(b);
        if (ta === -1 || tb === -1) return ta === tb ? a - b : ta === -1 ? 1 : -1;
        return ta !== tb ? ta - tb : a - b;
      });
      const first = order.length > 0 ? ttl(order[0] as number) : -1;
      out.millis(first === -1 ? 0 : first);
      const lp = new ListpackBuilder(256);
      for (const i of order) {
        const [f, v] = pairs[i] as [Bytes, Bytes];
        lp.append(f);
        lp.append(v);
        lp.appendInt(ttl(i) === -1 ? 0 : ttl(i));
      }
      out.blob(lp.finish());
      return;
    }
    case C.RDB_TYPE_HASH_METADATA: {
      let min = Infinity;
      for (const ms of expires ?? []) if (ms !== -1 && ms < min) min = ms;
      out.millis(min);
      out.len(pairs.length);
      pairs.forEach(([f, v], i) => {
        const ms = expires?.[i] ?? -1;
        out.len(ms === -1 ? 0 : ms - min + 1);
        out.str(f);
        out.str(v);
      });
      return;
    }
    default:
      throw new Error(`writeHash: unexpected type ${type}`);
  }
}

function sameFields(fields: [Bytes, Bytes][], master: Bytes[]): boolean {
  if (fields.length !== master.length) return false;
  for (let i = 0; i < master.length; i++) if ((fields[i] as [Bytes, Bytes])[0] !== master[i]) return false;
  return true;
}

/** One entry of a node's listpack (streamAppendItem): flags | ms-delta | seq-delta | [num-fields] fields/values | lp-count. */
function appendStreamEntry(lp: ListpackBuilder, entry: StreamEntry, deleted: boolean, master: StreamId, masterFields: Bytes[]): void {
  const same = sameFields(entry.fields, masterFields);
  lp.appendInt((same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0) | (deleted ? STREAM_ITEM_FLAG_DELETED : 0));
  lp.appendInt(BigInt.asIntN(64, entry.id.ms - master.ms));
  lp.appendInt(BigInt.asIntN(64, entry.id.seq - master.seq));
  if (!same) lp.appendInt(entry.fields.length);
  for (const [f, v] of entry.fields) {
    if (!same) lp.append(f);
    lp.append(v);
  }
  lp.appendInt(entry.fields.length * (same ? 1 : 2) + (same ? 3 : 4));
}

/** The master entry: count | deleted | num-fields | fields... | 0. */
function streamNodeHead(live: number, deleted: number, masterFields: Bytes[]): ListpackBuilder {
  const h = new ListpackBuilder(64);
  h.appendInt(live);
  h.appendInt(deleted);
  h.appendInt(masterFields.length);
  for (const f of masterFields) h.append(f);
  h.appendInt(0);
  return h;
}

/** A node as the stream holds it, tombstones included. */
function encodeStreamNode(node: RdbStreamNode): { master: StreamId; lp: Buffer } {
  const body = new ListpackBuilder(512);
  let live = 0;
  for (const e of node.entries) {
    appendStreamEntry(body, e, e.deleted, node.master, node.masterFields);
    if (!e.deleted) live++;
  }
  const lp = streamNodeHead(live, node.entries.length - live, node.masterFields);
  lp.appendEntriesOf(body);
  return { master: node.master, lp: lp.finish() };
}

/** The stream's listpack nodes: its own when it has them, else cut like streamAppendItem (new node on entry or byte limit). */
function streamNodes(s: RdbStream): { master: StreamId; lp: Buffer }[] {
  if (s.nodes !== undefined) return s.nodes.filter((node) => node.entries.length > 0).map(encodeStreamNode);
  const nodes: { master: StreamId; lp: Buffer }[] = [];
  let body: ListpackBuilder | null = null;
  let master: StreamId = { ms: 0n, seq: 0n };
  let masterFields: Bytes[] = [];
  let count = 0;
  let headBytes = 0;
  const close = (): void => {
    if (body === null) return;
    const lp = streamNodeHead(count, 0, masterFields);
    lp.appendEntriesOf(body);
    nodes.push({ master, lp: lp.finish() });
    body = null;
  };
  for (const entry of s.entries) {
    let elementBytes = 0;
    for (const [f, v] of entry.fields) elementBytes += f.length + v.length;
    if (body !== null && (headBytes + body.bytes + elementBytes >= STREAM_NODE_BYTES_MAX || count >= STREAM_NODE_ENTRIES_MAX)) close();
    if (body === null) {
      master = entry.id;
      masterFields = entry.fields.map(([f]) => f);
      headBytes = streamNodeHead(1, 0, masterFields).bytes;
      body = new ListpackBuilder(512);
      count = 0;
    }
    appendStreamEntry(body, entry, false, master, masterFields);
    count++;
  }
  close();
  return nodes;
}

function writeStream(out: RdbOutput, s: RdbStream, type: number): void {
  const version = type === C.RDB_TYPE_STREAM_LISTPACKS ? 1 : type === C.RDB_TYPE_STREAM_LISTPACKS_2 ? 2 : 3;
  const nodes = streamNodes(s);
  out.len(nodes.length);
  const key = Buffer.allocUnsafe(16);
  for (const node of nodes) {
    key.writeBigUInt64BE(node.master.ms, 0);
    key.writeBigUInt64BE(node.master.seq, 8);
    out.blob(Buffer.from(key));
    out.blob(node.lp);
  }
  out.len(s.length ?? s.entries.length);
  out.lenBig(s.lastId.ms);
  out.lenBig(s.lastId.seq);
  if (version >= 2) {
    out.lenBig(s.firstId.ms);
    out.lenBig(s.firstId.seq);
    out.lenBig(s.maxDeletedId.ms);
    out.lenBig(s.maxDeletedId.seq);
    out.lenBig(s.entriesAdded);
  }
  out.len(s.groups.length);
  for (const g of s.groups) {
    out.str(g.name);
    out.lenBig(g.lastDeliveredId.ms);
    out.lenBig(g.lastDeliveredId.seq);
    if (version >= 2) out.lenBig(g.entriesRead);
    out.len(g.pending.length);
    for (const p of g.pending) {
      out.rawStreamId(p.id.ms, p.id.seq);
      out.millis(p.deliveryTimeMs);
      out.len(p.deliveryCount);
    }
    out.len(g.consumers.length);
    for (const c of g.consumers) {
      out.str(c.name);
      out.millis(c.seenTimeMs);
      if (version >= 3) out.millis(c.activeTimeMs);
      out.len(c.pending.length);
      for (const id of c.pending) out.rawStreamId(id.ms, id.seq);
    }
  }
}
