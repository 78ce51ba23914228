/**
 * Stream values (redis `src/t_stream.c`, `src/stream.h`): entries ordered by a 128-bit ID, consumer groups with
 * their pending entries lists (PEL) and consumers. Protocol (replies, propagation, notifications) lives in
 * `commands/streams.ts`; this module owns the state and every rule about how it changes.
 *
 * Layout. Redis stores entries in a radix tree of listpack "nodes": a node holds up to stream-node-max-entries
 * entries (live or deleted) and about stream-node-max-bytes bytes, and a deleted entry stays in its node as a
 * tombstone until the whole node is empty. That layout is observable: `~` trimming removes whole nodes only,
 * XINFO STREAM reports the node count (radix-tree-keys) and the radix tree's node count (radix-tree-nodes), and
 * the first ID propagated after an approximate MINID trim may be a tombstone. So we keep the same nodes: each
 * `StreamNode` has the master ID and fields, its entries in ID order (tombstones included) and the exact byte size
 * its listpack would have (`lpBytes`), computed from listpack encoding sizes rather than by building the bytes.
 *
 *     node listpack: count | deleted | num-fields | field_1 .. field_N | 0 | entry | entry | ...
 *     entry:         flags | ms-delta | seq-delta | [num-fields | field_1] value_1 .. [field_N] value_N | lp-count
 *                    (fields omitted when they equal the master fields: flag SAMEFIELDS)
 *
 * IDs are `{ms, seq}` bigints (both parts are uint64). Entries are found by binary search over nodes, then
 * within a node. Group PELs and consumer PELs are `PendingList`s: chunked sorted arrays of shared
 * `PendingEntry` objects (one object per pending ID, referenced from the group and from its owner).
 *
 * The full-fidelity exchange form is the RDB codec's model (`RdbStream`): `fromModel`/`toModel` are the contract
 * RDB persistence, DUMP/RESTORE and DEBUG DIGEST rely on. `toModel` exports the nodes with their tombstones, and
 * `fromModel` keeps the nodes a model brings (what Redis holds after loading the listpacks of a file); a model
 * without nodes gets those Redis would have after appending its entries in order with the default node limits.
 */
import type { RdbStream, RdbStreamNode, RdbStreamNodeEntry, StreamId, StreamEntry, StreamGroup, StreamConsumer } from '../../formats/rdb/types.js';
import type { Bytes } from './algorithms/bytes.js';
import { string2ll } from './algorithms/numbers.js';

export type { StreamId };

export const UINT64_MAX = (1n << 64n) - 1n;
export const STREAM_ID_MIN: StreamId = Object.freeze({ ms: 0n, seq: 0n });
export const STREAM_ID_MAX: StreamId = Object.freeze({ ms: UINT64_MAX, seq: UINT64_MAX });
/** Redis's SCG_INVALID_ENTRIES_READ: a group's read counter that is not known. */
export const ENTRIES_READ_INVALID = -1n;

/** Entry flags inside a node (redis STREAM_ITEM_FLAG_*). */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

/** Node limits (stream-node-max-bytes, stream-node-max-entries); 0 = unlimited, as in Redis. */
export interface StreamNodeLimits {
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

const DEFAULT_LIMITS: StreamNodeLimits = { streamNodeMaxBytes: 4096, streamNodeMaxEntries: 100 };
/** STREAM_LISTPACK_MAX_SIZE: no node grows past 1 GiB whatever the configuration says. */
const LISTPACK_BYTES_MAX = 1 << 30;
/** Listpack header (total bytes + count) and the EOF byte. */
const LISTPACK_EMPTY_BYTES = 7;

// ---------------------------------------------------------------------------------------------------------
// IDs

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idIsZero(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

export function idIsMax(id: StreamId): boolean {
  return id.ms === UINT64_MAX && id.seq === UINT64_MAX;
}

/** The successor of `id` (streamIncrID); the maximum ID wraps to 0-0 (callers check `idIsMax` first). */
export function nextId(id: StreamId): StreamId {
  if (id.seq === UINT64_MAX) {
    if (id.ms === UINT64_MAX) return STREAM_ID_MIN;
    return { ms: id.ms + 1n, seq: 0n };
  }
  return { ms: id.ms, seq: id.seq + 1n };
}

/** The predecessor of `id` (streamDecrID); 0-0 wraps to the maximum ID (callers check `idIsZero` first). */
export function previousId(id: StreamId): StreamId {
  if (id.seq === 0n) {
    if (id.ms === 0n) return STREAM_ID_MAX;
    return { ms: id.ms - 1n, seq: UINT64_MAX };
  }
  return { ms: id.ms, seq: id.seq - 1n };
}

/** `<ms>-<seq>`, as replies and propagation spell an ID. */
export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

// ---------------------------------------------------------------------------------------------------------
// Listpack sizes (redis listpack.c lpEncodeGetType / lpEncodeBacklen)

function backlenBytes(entryBytes: number): number {
  if (entryBytes <= 127) return 1;
  if (entryBytes < 16383) return 2;
  if (entryBytes < 2097151) return 3;
  if (entryBytes < 268435455) return 4;
  return 5;
}

/** Bytes of an integer element (encoding + data + backlen, the backlen is 1 byte for every integer). */
function intBytes(v: number | bigint): number {
  if (typeof v === 'bigint') {
    if (v < -2147483648n || v > 2147483647n) return 10;
    v = Number(v);
  }
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a string element: strings in canonical int64 form are stored as integers (lpStringToInt64). */
function stringBytes(s: Bytes): number {
  const length = s.length;
  if (length > 0 && length < 21) {
    const c = s.charCodeAt(0);
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
      const v = string2ll(s);
      if (v !== null) return intBytes(v);
    }
  }
  const encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
  return encoded + backlenBytes(encoded);
}

/** The signed 64-bit delta Redis stores (`lpAppendInteger(lp, id.ms - master_id.ms)` on uint64). */
function delta(a: bigint, b: bigint): bigint | number {
  const d = a - b;
  if (d >= -2147483648n && d <= 2147483647n) return Number(d);
  return BigInt.asIntN(64, d);
}

// ---------------------------------------------------------------------------------------------------------
// Nodes

export interface StreamEntryView {
  readonly id: StreamId;
  /** field, value, field, value ... */
  readonly fieldValues: readonly Bytes[];
}

interface NodeEntry extends StreamEntryView {
  deleted: boolean;
}

class StreamNode {
  readonly master: StreamId;
  /** The 16-byte big-endian radix tree key of `master`, as a latin1 string. */
  readonly key: string;
  readonly masterFields: Bytes[];
  readonly entries: NodeEntry[] = [];
  live = 0;
  deleted = 0;
  /** Bytes of everything but the count and deleted counters (and the listpack header / EOF). */
  bodyBytes: number;

  constructor(master: StreamId, masterFields: Bytes[]) {
    this.master = master;
    this.key = encodeKey(master);
    this.masterFields = masterFields;
    let bytes = intBytes(masterFields.length) + 2; // num-fields ... zero terminator
    for (const f of masterFields) bytes += stringBytes(f);
    this.bodyBytes = bytes;
  }

  /** lpBytes of the node's listpack. */
  get bytes(): number {
    return LISTPACK_EMPTY_BYTES + intBytes(this.live) + intBytes(this.deleted) + this.bodyBytes;
  }

  /** ID of the node's last entry, tombstone or not (lpGetEdgeStreamID last). */
  get lastId(): StreamId {
    return this.entries[this.entries.length - 1]!.id;
  }

  /** Index of the first entry with ID >= id (entries.length when none). */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry with ID > id (entries.length when none). */
  upperBound(id: StreamId): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!.id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends an entry (streamAppendItem's listpack part) and accounts its bytes. */
  push(id: StreamId, fieldValues: Bytes[]): void {
    const n = fieldValues.length / 2;
    let same = n === this.masterFields.length;
    for (let i = 0; same && i < n; i++) if (fieldValues[2 * i] !== this.masterFields[i]) same = false;
    let bytes = 2 + intBytes(delta(id.ms, this.master.ms)) + intBytes(delta(id.seq, this.master.seq));
    if (!same) bytes += intBytes(n);
    for (let i = 0; i < n; i++) {
      if (!same) bytes += stringBytes(fieldValues[2 * i]!);
      bytes += stringBytes(fieldValues[2 * i + 1]!);
    }
    bytes += intBytes(same ? n + 3 : 2 * n + 4);
    this.bodyBytes += bytes;
    this.entries.push({ id, fieldValues, deleted: false });
    this.live++;
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.master, this.masterFields);
    for (const e of this.entries) copy.entries.push({ id: e.id, fieldValues: e.fieldValues, deleted: e.deleted });
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.bodyBytes = this.bodyBytes;
    return copy;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pending entries

export interface PendingEntry {
  readonly id: StreamId;
  /** Null only between a FORCE claim's creation of the entry and its assignment. */
  consumer: Consumer | null;
  deliveryTimeMs: number;
  deliveryCount: number;
}

const CHUNK_SPLIT = 256;

/**
 * A PEL: pending entries ordered by ID. Chunked sorted array: O(log n) lookup, inserts and deletes move at most
 * one chunk, appending at the tail (the common case) is O(1).
 */
export class PendingList {
  private chunks: PendingEntry[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last ID >= id (chunks.length when none). */
  private chunkFor(id: StreamId): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (compareIds(chunk[chunk.length - 1]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static indexIn(chunk: PendingEntry[], id: StreamId): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(chunk[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamId): PendingEntry | undefined {
    const c = this.chunkFor(id);
    const chunk = this.chunks[c];
    if (chunk === undefined) return undefined;
    const entry = chunk[PendingList.indexIn(chunk, id)];
    return entry !== undefined && compareIds(entry.id, id) === 0 ? entry : undefined;
  }

  /** Inserts `entry`; false (and nothing changes) when its ID is already present (raxTryInsert). */
  insert(entry: PendingEntry): boolean {
    const chunks = this.chunks;
    const lastChunk = chunks[chunks.length - 1];
    if (lastChunk === undefined || compareIds(lastChunk[lastChunk.length - 1]!.id, entry.id) < 0) {
      if (lastChunk === undefined || lastChunk.length >= CHUNK_SPLIT) chunks.push([entry]);
      else lastChunk.push(entry);
      this.count++;
      return true;
    }
    const c = this.chunkFor(entry.id);
    const chunk = chunks[c]!;
    const i = PendingList.indexIn(chunk, entry.id);
    if (i < chunk.length && compareIds(chunk[i]!.id, entry.id) === 0) return false;
    chunk.splice(i, 0, entry);
    if (chunk.length > CHUNK_SPLIT) chunks.splice(c + 1, 0, chunk.splice(CHUNK_SPLIT / 2));
    this.count++;
    return true;
  }

  /** Removes and returns the entry of `id`, if present. */
  remove(id: StreamId): PendingEntry | undefined {
    const c = this.chunkFor(id);
    const chunk = this.chunks[c];
    if (chunk === undefined) return undefined;
    const i = PendingList.indexIn(chunk, id);
    const entry = chunk[i];
    if (entry === undefined || compareIds(entry.id, id) !== 0) return undefined;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    this.count--;
    return entry;
  }

  first(): PendingEntry | undefined {
    return this.chunks[0]?.[0];
  }

  last(): PendingEntry | undefined {
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk?.[chunk.length - 1];
  }

  /** The first entry with ID >= id (raxSeek ">="). */
  ceiling(id: StreamId): PendingEntry | undefined {
    const chunk = this.chunks[this.chunkFor(id)];
    return chunk?.[PendingList.indexIn(chunk, id)];
  }

  /** The first entry with ID > id. */
  higher(id: StreamId): PendingEntry | undefined {
    return idIsMax(id) ? undefined : this.ceiling(nextId(id));
  }

  /** Entries with ID >= start in order. The list must not change during the iteration. */
  *from(start: StreamId = STREAM_ID_MIN): Generator<PendingEntry> {
    const c0 = this.chunkFor(start);
    for (let c = c0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      for (let i = c === c0 ? PendingList.indexIn(chunk, start) : 0; i < chunk.length; i++) yield chunk[i]!;
    }
  }
}

export class Consumer {
  readonly name: Bytes;
  seenTimeMs: number;
  /** Kept for the model (Redis 7.2's active-time); Redis 7.0 has only seen-time, so it follows seen-time. */
  activeTimeMs: number;
  readonly pel = new PendingList();

  constructor(name: Bytes, seenTimeMs: number, activeTimeMs = seenTimeMs) {
    this.name = name;
    this.seenTimeMs = seenTimeMs;
    this.activeTimeMs = activeTimeMs;
  }

  /** Marks the consumer seen (streamLookupConsumer without SLC_NO_REFRESH). */
  touch(nowMs: number): void {
    this.seenTimeMs = nowMs;
    this.activeTimeMs = nowMs;
  }
}

export class ConsumerGroup {
  readonly name: Bytes;
  lastId: StreamId;
  /** Logical reads counter; ENTRIES_READ_INVALID when unknown. */
  entriesRead: bigint;
  readonly pel = new PendingList();
  readonly consumers = new Map<Bytes, Consumer>();

  constructor(name: Bytes, lastId: StreamId, entriesRead: bigint) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** Consumers in name order (the order of Redis's radix tree). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.keys()].sort().map((name) => this.consumers.get(name)!);
  }

  /** A new consumer (streamCreateConsumer); undefined when the name exists. */
  createConsumer(name: Bytes, nowMs: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const consumer = new Consumer(name, nowMs);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Deletes a consumer and its pending entries from the group PEL (streamDelConsumer); returns their count. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.size;
    for (const nack of consumer.pel.from()) this.pel.remove(nack.id);
    this.consumers.delete(consumer.name);
    return pending;
  }

  /** Removes a pending entry from the group and its owner (XACK, claims of deleted entries). */
  acknowledge(id: StreamId): PendingEntry | undefined {
    const nack = this.pel.remove(id);
    if (nack !== undefined) nack.consumer?.pel.remove(id);
    return nack;
  }

  /** Gives a pending entry to `consumer` (moves it between consumer PELs when the owner changes). */
  assign(nack: PendingEntry, consumer: Consumer): void {
    if (nack.consumer === consumer) return;
    nack.consumer?.pel.remove(nack.id);
    consumer.pel.insert(nack);
    nack.consumer = consumer;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Trimming

export interface TrimSpec {
  strategy: 'maxlen' | 'minid';
  /** MAXLEN target (ignored for MINID). */
  maxlen: number;
  /** MINID target (ignored for MAXLEN). */
  minid: StreamId;
  /** `~`: remove whole nodes only. */
  approx: boolean;
  /** Maximum entries to remove, 0 = no limit. */
  limit: number;
}

/** [field, value] pairs as the flat field, value, field, value ... list entries hold. */
function flatFields(fields: readonly [Bytes, Bytes][]): Bytes[] {
  const out: Bytes[] = [];
  for (const [f, v] of fields) out.push(f, v);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The stream

export class StreamValue {
  readonly kind = 'stream' as const;
  private nodes: StreamNode[] = [];
  /** radix-tree-nodes for the current node set, or -1 when nodes were added or removed since. */
  private radixNodes = -1;
  private count = 0;
  lastId: StreamId = STREAM_ID_MIN;
  /** First live entry's ID, 0-0 when empty (recorded-first-entry-id). */
  firstId: StreamId = STREAM_ID_MIN;
  maxDeletedId: StreamId = STREAM_ID_MIN;
  entriesAdded = 0n;
  readonly groups = new Map<Bytes, ConsumerGroup>();

  /** An empty stream (XADD on a missing key, XGROUP CREATE MKSTREAM). */
  static empty(): StreamValue {
    return new StreamValue();
  }

  /**
   * A stream holding everything `model` describes (RDB load, RESTORE): in the model's own nodes, tombstones
   * included, when it has them (Redis keeps the loaded listpacks as they are), else cut as appends would.
   */
  static fromModel(model: RdbStream): StreamValue {
    const s = new StreamValue();
    if (model.nodes !== undefined) {
      for (const n of model.nodes) {
        if (n.entries.length === 0) continue;
        const node = new StreamNode(n.master, n.masterFields);
        for (const e of n.entries) {
          node.push(e.id, flatFields(e.fields));
          if (!e.deleted) continue;
          node.entries[node.entries.length - 1]!.deleted = true;
          node.live--;
          node.deleted++;
        }
        s.nodes.push(node);
      }
    } else {
      for (const entry of model.entries) s.appendToNodes(entry.id, flatFields(entry.fields), DEFAULT_LIMITS);
    }
    s.count = model.length ?? model.entries.length;
    s.lastId = model.lastId;
    s.firstId = model.firstId;
    s.maxDeletedId = model.maxDeletedId;
    s.entriesAdded = model.entriesAdded;
    for (const g of model.groups) {
      const group = new ConsumerGroup(g.name, g.lastDeliveredId, g.entriesRead);
      const pending = new PendingList();
      for (const p of g.pending) {
        pending.insert({ id: p.id, consumer: null, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount });
      }
      for (const c of g.consumers) {
        const consumer = new Consumer(c.name, c.seenTimeMs, c.activeTimeMs);
        group.consumers.set(c.name, consumer);
        for (const id of c.pending) {
          const nack = pending.get(id);
          if (nack === undefined || nack.consumer !== null) continue;
          nack.consumer = consumer;
          consumer.pel.insert(nack);
        }
      }
      // An entry no consumer owns cannot exist in Redis 7.0 (only in corrupt files): it is dropped.
      for (const nack of pending.from()) if (nack.consumer !== null) group.pel.insert(nack);
      s.groups.set(g.name, group);
    }
    return s;
  }

  /** Everything the stream holds, in the RDB codec's model (RDB save, DUMP, digest). */
  toModel(): RdbStream {
    const entries: StreamEntry[] = [];
    const nodes: RdbStreamNode[] = [];
    for (const node of this.nodes) {
      const held: RdbStreamNodeEntry[] = [];
      for (const e of node.entries) {
        const fields: [Bytes, Bytes][] = [];
        for (let i = 0; i < e.fieldValues.length; i += 2) fields.push([e.fieldValues[i]!, e.fieldValues[i + 1]!]);
        held.push({ id: e.id, fields, deleted: e.deleted });
        if (!e.deleted) entries.push({ id: e.id, fields });
      }
      nodes.push({ master: node.master, masterFields: node.masterFields, entries: held });
    }
    const groups: StreamGroup[] = [];
    for (const g of this.sortedGroups()) {
      const consumers: StreamConsumer[] = g.sortedConsumers().map((c) => ({
        name: c.name,
        seenTimeMs: c.seenTimeMs,
        activeTimeMs: c.activeTimeMs,
        pending: [...c.pel.from()].map((n) => n.id),
      }));
      const pending = [...g.pel.from()].map((n) => ({
        id: n.id,
        consumer: n.consumer?.name ?? null,
        deliveryTimeMs: n.deliveryTimeMs,
        deliveryCount: n.deliveryCount,
      }));
      groups.push({ name: g.name, lastDeliveredId: g.lastId, entriesRead: g.entriesRead, pending, consumers });
    }
    const model: RdbStream = {
      entries,
      lastId: this.lastId,
      firstId: this.firstId,
      maxDeletedId: this.maxDeletedId,
      entriesAdded: this.entriesAdded,
      groups,
      nodes,
    };
    if (this.count !== entries.length) model.length = this.count;
    return model;
  }

  get encoding(): string {
    return 'stream';
  }

  /** XLEN. */
  get length(): number {
    return this.count;
  }

  /** A deep copy with the same nodes, tombstones and groups (COPY, redis streamDup). */
  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone());
    s.count = this.count;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const g of this.groups.values()) {
      const group = new ConsumerGroup(g.name, g.lastId, g.entriesRead);
      for (const c of g.consumers.values()) group.consumers.set(c.name, new Consumer(c.name, c.seenTimeMs, c.activeTimeMs));
      for (const n of g.pel.from()) {
        const owner = n.consumer === null ? null : group.consumers.get(n.consumer.name)!;
        const nack: PendingEntry = { id: n.id, consumer: owner, deliveryTimeMs: n.deliveryTimeMs, deliveryCount: n.deliveryCount };
        group.pel.insert(nack);
        owner?.pel.insert(nack);
      }
      s.groups.set(g.name, group);
    }
    return s;
  }

  // -------------------------------------------------------------------------------------------------------
  // Adding

  /**
   * The ID XADD would use (streamAppendItem's ID part). `requested` null means `*`; `seqGiven` false means
   * `ms-*`. Fails with 'not-greater' when the ID is not greater than the last ID (EDOM), and with
   * 'sequence-exhausted' when an `ms-*` sequence would overflow (Redis returns C_ERR without setting errno
   * there, so XADD reports it as "Elements are too large to be stored").
   */
  nextAddId(requested: StreamId | null, seqGiven: boolean, nowMs: number): StreamId | 'not-greater' | 'sequence-exhausted' {
    let id: StreamId;
    if (requested === null) {
      const ms = BigInt(nowMs);
      id = ms > this.lastId.ms ? { ms, seq: 0n } : nextId(this.lastId);
    } else if (seqGiven) {
      id = requested;
    } else if (this.lastId.ms === requested.ms) {
      if (this.lastId.seq === UINT64_MAX) return 'sequence-exhausted';
      id = { ms: requested.ms, seq: this.lastId.seq + 1n };
    } else {
      id = requested;
    }
    return compareIds(id, this.lastId) > 0 ? id : 'not-greater';
  }

  /** Appends an entry with an ID greater than `lastId` (see `nextAddId`). */
  append(id: StreamId, fieldValues: Bytes[], limits: StreamNodeLimits): void {
    this.appendToNodes(id, fieldValues, limits);
    this.count++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.count === 1) this.firstId = id;
  }

  private appendToNodes(id: StreamId, fieldValues: Bytes[], limits: StreamNodeLimits): void {
    let valueBytes = 0;
    for (const s of fieldValues) valueBytes += s.length;
    let tail = this.nodes[this.nodes.length - 1];
    if (tail !== undefined) {
      let maxBytes = limits.streamNodeMaxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_BYTES_MAX) maxBytes = LISTPACK_BYTES_MAX;
      if (tail.bytes + valueBytes >= maxBytes) tail = undefined;
      else if (limits.streamNodeMaxEntries !== 0 && tail.live + tail.deleted >= limits.streamNodeMaxEntries) tail = undefined;
    }
    if (tail === undefined) {
      const fields: Bytes[] = [];
      for (let i = 0; i < fieldValues.length; i += 2) fields.push(fieldValues[i]!);
      tail = new StreamNode(id, fields);
      this.nodes.push(tail);
      this.radixNodes = -1;
    }
    tail.push(id, fieldValues);
  }

  // -------------------------------------------------------------------------------------------------------
  // Reading

  /** Index of the node holding `id` or where it would be: the last node with master <= id, else 0. */
  private nodeFor(id: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.nodes[mid]!.master, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
  }

  /**
   * Live entries with start <= ID <= end, ascending or (rev) descending. The stream must not change during the
   * iteration.
   */
  *range(start: StreamId, end: StreamId, rev: boolean): Generator<StreamEntryView> {
    if (this.nodes.length === 0 || compareIds(start, end) > 0) return;
    if (!rev) {
      for (let n = this.nodeFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n]!;
        for (let i = node.lowerBound(start); i < node.entries.length; i++) {
          const e = node.entries[i]!;
          if (compareIds(e.id, end) > 0) return;
          if (!e.deleted) yield e;
        }
      }
    } else {
      for (let n = this.nodeFor(end); n >= 0; n--) {
        const node = this.nodes[n]!;
        for (let i = node.upperBound(end) - 1; i >= 0; i--) {
          const e = node.entries[i]!;
          if (compareIds(e.id, start) < 0) return;
          if (!e.deleted) yield e;
        }
      }
    }
  }

  /** The live entry of `id`, if any (streamEntryExists). */
  get(id: StreamId): StreamEntryView | undefined {
    if (this.nodes.length === 0) return undefined;
    const node = this.nodes[this.nodeFor(id)]!;
    const e = node.entries[node.lowerBound(id)];
    return e !== undefined && !e.deleted && compareIds(e.id, id) === 0 ? e : undefined;
  }

  /** ID of the last live entry, 0-0 when empty (streamLastValidID). */
  lastValidId(): StreamId {
    for (const e of this.range(STREAM_ID_MIN, STREAM_ID_MAX, true)) return e.id;
    return STREAM_ID_MIN;
  }

  /** ID of the first entry, tombstones included or not; MAX when there is none (streamGetEdgeID first). */
  firstEdgeId(skipTombstones: boolean): StreamId {
    for (const node of this.nodes) {
      for (const e of node.entries) if (!skipTombstones || !e.deleted) return e.id;
    }
    return STREAM_ID_MAX;
  }

  /** radix-tree-keys: the number of nodes. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * radix-tree-nodes: the node count of Redis's radix tree over the 16-byte big-endian node keys. A rax node
   * starts at the root, at every key, at every branching prefix and at every child of a branching prefix;
   * compressed runs between them are one node each (the start of the run).
   */
  radixTreeNodes(): number {
    if (this.radixNodes < 0) this.radixNodes = this.countRadixNodes();
    return this.radixNodes;
  }

  private countRadixNodes(): number {
    const keys = this.nodes.map((n) => n.key);
    if (keys.length === 0) return 1;
    // Prefix lengths where consecutive sorted keys diverge: the branching prefixes are keys[i].slice(0, lcp).
    const points = new Set<string>(['']);
    for (const k of keys) points.add(k);
    for (let i = 1; i < keys.length; i++) {
      const a = keys[i - 1]!;
      const b = keys[i]!;
      let l = 0;
      while (l < 16 && a.charCodeAt(l) === b.charCodeAt(l)) l++;
      points.add(a.slice(0, l));
      points.add(a.slice(0, l + 1));
      points.add(b.slice(0, l + 1));
    }
    return points.size;
  }

  // -------------------------------------------------------------------------------------------------------
  // Deleting

  /**
   * Deletes the live entry `id` (streamDeleteItem): it becomes a tombstone, and its node goes when no live entry
   * is left. True when it existed. The caller updates first/max-deleted IDs (XDEL does it once for all IDs).
   */
  deleteEntry(id: StreamId): boolean {
    if (this.nodes.length === 0) return false;
    const n = this.nodeFor(id);
    const node = this.nodes[n]!;
    const e = node.entries[node.lowerBound(id)];
    if (e === undefined || e.deleted || compareIds(e.id, id) !== 0) return false;
    if (node.live === 1) {
      this.nodes.splice(n, 1);
      this.radixNodes = -1;
    } else {
      e.deleted = true;
      node.live--;
      node.deleted++;
    }
    this.count--;
    return true;
  }

  /** Recomputes the first live entry's ID (after deletions). */
  refreshFirstId(): void {
    this.firstId = this.count === 0 ? STREAM_ID_MIN : this.firstEdgeId(true);
  }

  /**
   * Trims from the head (streamTrim) and returns the number of entries removed. Whole nodes go first; with
   * `approx` nothing else, otherwise entries inside the first remaining node become tombstones.
   */
  trim(spec: TrimSpec): number {
    let removed = 0;
    while (this.nodes.length > 0) {
      if (spec.strategy === 'maxlen' && this.count <= spec.maxlen) break;
      const node = this.nodes[0]!;
      const entries = node.live;
      if (spec.limit !== 0 && removed + entries > spec.limit) break;
      const removeNode =
        spec.strategy === 'maxlen' ? this.count - entries >= spec.maxlen : compareIds(node.lastId, spec.minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.radixNodes = -1;
        this.count -= entries;
        removed += entries;
        continue;
      }
      if (spec.approx) break;
      let removedHere = 0;
      for (const e of node.entries) {
        const stop = spec.strategy === 'maxlen' ? this.count <= spec.maxlen : compareIds(e.id, spec.minid) >= 0;
        if (stop) break;
        if (!e.deleted) {
          e.deleted = true;
          removedHere++;
          this.count--;
        }
      }
      node.live -= removedHere;
      node.deleted += removedHere;
      removed += removedHere;
      break;
    }
    if (this.count === 0) this.firstId = STREAM_ID_MIN;
    else if (removed > 0) this.firstId = this.firstEdgeId(true);
    return removed;
  }

  // -------------------------------------------------------------------------------------------------------
  // Consumer groups

  /** Groups in name order (the order of Redis's radix tree). */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.keys()].sort().map((name) => this.groups.get(name)!);
  }

  /** A new group (streamCreateCG); undefined when the name exists. */
  createGroup(name: Bytes, lastId: StreamId, entriesRead: bigint): ConsumerGroup | undefined {
    if (this.groups.has(name)) return undefined;
    const group = new ConsumerGroup(name, lastId, entriesRead);
    this.groups.set(name, group);
    return group;
  }

  /** True when an entry between start and end (null = no bound) may have been deleted (streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamId | null, end: StreamId | null): boolean {
    if (this.count === 0 || idIsZero(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false;
    const from = start ?? STREAM_ID_MIN;
    const to = end ?? STREAM_ID_MAX;
    return compareIds(from, this.maxDeletedId) <= 0 && compareIds(this.maxDeletedId, to) <= 0;
  }

  /**
   * The logical read counter of `id`: its distance from the first entry ever added, when it can be known
   * (streamEstimateDistanceFromFirstEverEntry); ENTRIES_READ_INVALID otherwise.
   */
  estimateDistance(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.count === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_INVALID;
    const cmpFirst = compareIds(id, this.firstId);
    if (idIsZero(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - BigInt(this.count);
      if (cmpFirst === 0) return this.entriesAdded - BigInt(this.count) + 1n;
    }
    return ENTRIES_READ_INVALID;
  }

  /** A group's lag (entries not yet delivered), or null when it cannot be known (streamReplyWithCGLag). */
  groupLag(group: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(group.lastId, null)) {
      return BigInt.asIntN(64, this.entriesAdded - group.entriesRead);
    }
    const read = this.estimateDistance(group.lastId);
    return read === ENTRIES_READ_INVALID ? null : BigInt.asIntN(64, this.entriesAdded - read);
  }

  /**
   * Records that `id` (greater than the group's last ID) was delivered to the group: advances the last ID and
   * the read counter (streamReplyWithRange's group part).
   */
  advanceGroup(group: ConsumerGroup, id: StreamId): void {
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(id, null)) {
      group.entriesRead++;
    } else if (this.entriesAdded !== 0n) {
      group.entriesRead = this.estimateDistance(id);
    }
    group.lastId = id;
  }
}

/** The 16-byte big-endian radix tree key of an ID, as a latin1 string. */
function encodeKey(id: StreamId): string {
  const key = Buffer.allocUnsafe(16);
  key.writeBigUInt64BE(id.ms, 0);
  key.writeBigUInt64BE(id.seq, 8);
  return key.toString('latin1');
}
