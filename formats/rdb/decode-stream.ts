// Stream values (RDB_TYPE_STREAM_LISTPACKS 1..5): the listpack nodes (redis src/t_stream.c
// streamAppendItem layout), stream metadata, consumer groups with their PELs and consumers.
//
// Node = <master ID: 16-byte string, ms + seq big endian> <listpack>; listpack =
//   master entry:  count | deleted | num-fields | field-1 ... field-N | 0
//   each entry:    flags | ms-delta | seq-delta | [num-fields | field-1 | value-1 ... ] | lp-count
//                  with flags & SAMEFIELDS (2) only the values follow (the master's fields);
//                  flags & DELETED (1) marks a tombstone (skipped here).
//
// Versions: 1 = Redis 5/6; 2 (7.0) adds first ID, max deleted ID, entries added and per-group
// entries-read; 3 (7.2) adds consumer active time; 4/5 (Redis 8.6/8.8) add idempotent-producer
// state and a per-group NACK list. The v4/v5 layouts come from third-party readers (no Redis
// source or sample file was available): treat them as best effort.

import { type Bytes } from '../bytes.js';
import { RdbError } from '../errors.js';
import type { ListpackValue } from '../listpack.js';
import { type RdbDecoder, lpText, signed64 } from './decoder.js';
import type { RdbStream, RdbStreamNode, StreamConsumer, StreamEntry, StreamGroup, StreamId, StreamIdmp, StreamPendingEntry } from './types.js';

export const STREAM_ITEM_FLAG_DELETED = 1;
export const STREAM_ITEM_FLAG_SAMEFIELDS = 2;

const ZERO_ID: StreamId = { ms: 0n, seq: 0n };

export function compareStreamId(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function decodeStreamValue(d: RdbDecoder, version: number): RdbStream {
  const entries: StreamEntry[] = [];
  const nodes: RdbStreamNode[] = [];
  const nodeCount = d.len();
  for (let i = 0; i < nodeCount; i++) {
    const keyAt = d.pos;
    const key = d.blob();
    if (key.length !== 16) throw d.fail('BAD_VALUE', 'stream node key is not a 16-byte stream ID', keyAt);
    const master: StreamId = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    const { values, offset } = d.listpackRaw();
    if (values.length === 0) throw new RdbError('BAD_VALUE', offset, 'empty listpack inside stream');
    nodes.push(decodeStreamNode(values, master, offset, entries));
  }
  const length = d.lenBig();
  const lastId = { ms: d.lenBig(), seq: d.lenBig() };
  let firstId: StreamId;
  let maxDeletedId: StreamId;
  let entriesAdded: bigint;
  if (version >= 2) {
    firstId = { ms: d.lenBig(), seq: d.lenBig() };
    maxDeletedId = { ms: d.lenBig(), seq: d.lenBig() };
    entriesAdded = d.lenBig();
  } else {
    // What rdbLoadObject derives for v1 streams.
    firstId = entries.length > 0 ? (entries[0] as StreamEntry).id : ZERO_ID;
    maxDeletedId = ZERO_ID;
    entriesAdded = length;
  }
  const meta = { length, lastId, firstId, maxDeletedId, entriesAdded };
  const groups = decodeGroups(d, version, meta);
  const stream: RdbStream = { entries, length: Number(length), lastId, firstId, maxDeletedId, entriesAdded, groups, nodes };
  if (version >= 4) stream.idmp = decodeIdmp(d);
  return stream;
}

function int(v: ListpackValue | undefined, offset: number, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new RdbError('CORRUPT_LISTPACK', offset, `stream listpack: ${what} is not an integer`);
}

function delta(v: ListpackValue | undefined, offset: number, what: string): bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  throw new RdbError('CORRUPT_LISTPACK', offset, `stream listpack: ${what} is not an integer`);
}

/** One node, tombstones included; appends its live entries to `out`. */
function decodeStreamNode(values: ListpackValue[], master: StreamId, offset: number, out: StreamEntry[]): RdbStreamNode {
  const n = values.length;
  const count = int(values[0], offset, 'master count');
  const deleted = int(values[1], offset, 'master deleted count');
  const masterFieldCount = int(values[2], offset, 'master field count');
  if (count < 0 || deleted < 0 || masterFieldCount < 0 || 3 + masterFieldCount + 1 > n) {
    throw new RdbError('CORRUPT_LISTPACK', offset, 'stream master entry is inconsistent');
  }
  const masterFields: Bytes[] = [];
  for (let i = 0; i < masterFieldCount; i++) masterFields.push(lpText(values[3 + i] as ListpackValue));
  let p = 3 + masterFieldCount;
  if (values[p] !== 0) throw new RdbError('CORRUPT_LISTPACK', offset, 'stream master entry terminator missing');
  p++;
  const node: RdbStreamNode = { master, masterFields, entries: [] };
  let seen = 0;
  while (p < n) {
    if (p + 3 > n) throw new RdbError('CORRUPT_LISTPACK', offset, 'stream entry truncated');
    const flags = int(values[p], offset, 'entry flags');
    const id: StreamId = {
      ms: BigInt.asUintN(64, master.ms + delta(values[p + 1], offset, 'ms delta')),
      seq: BigInt.asUintN(64, master.seq + delta(values[p + 2], offset, 'seq delta')),
    };
    p += 3;
    let fieldCount = masterFieldCount;
    const same = (flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0;
    if (!same) {
      fieldCount = int(values[p], offset, 'entry field count');
      p++;
    }
    const used = same ? fieldCount : fieldCount * 2;
    if (fieldCount < 0 || p + used + 1 > n) throw new RdbError('CORRUPT_LISTPACK', offset, 'stream entry overruns its listpack');
    const fields: [Bytes, Bytes][] = [];
    for (let i = 0; i < fieldCount; i++) {
      if (same) fields.push([masterFields[i] as Bytes, lpText(values[p + i] as ListpackValue)]);
      else fields.push([lpText(values[p + 2 * i] as ListpackValue), lpText(values[p + 2 * i + 1] as ListpackValue)]);
    }
    const previous = node.entries[node.entries.length - 1];
    if (previous !== undefined && compareStreamId(previous.id, id) >= 0) {
      throw new RdbError('CORRUPT_LISTPACK', offset, 'stream entry IDs are not ascending');
    }
    const deleted = (flags & STREAM_ITEM_FLAG_DELETED) !== 0;
    node.entries.push({ id, fields, deleted });
    if (!deleted) {
      const prev = out[out.length - 1];
      if (prev !== undefined && compareStreamId(prev.id, id) >= 0) {
        throw new RdbError('CORRUPT_LISTPACK', offset, 'stream entry IDs are not ascending');
      }
      out.push({ id, fields });
    }
    p += used;
    const lpCount = int(values[p], offset, 'entry lp-count');
    if (lpCount !== used + (same ? 3 : 4)) throw new RdbError('CORRUPT_LISTPACK', offset, 'stream entry lp-count mismatch');
    p++;
    seen++;
  }
  if (seen !== count + deleted) {
    throw new RdbError('CORRUPT_LISTPACK', offset, `stream node holds ${seen} entries, master says ${count}+${deleted}`);
  }
  return node;
}

interface StreamMeta {
  length: bigint;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
}

/** redis t_stream.c streamEstimateDistanceFromFirstEverEntry (used for v1 groups). */
function estimateEntriesRead(s: StreamMeta, id: StreamId): bigint {
  if (s.entriesAdded === 0n) return 0n;
  if (s.length === 0n && compareStreamId(id, s.lastId) < 1) return s.entriesAdded;
  const isZero = (x: StreamId): boolean => x.ms === 0n && x.seq === 0n;
  if (!isZero(id) && compareStreamId(id, s.maxDeletedId) < 0) return -1n;
  const cmpLast = compareStreamId(id, s.lastId);
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return -1n;
  const cmpFirst = compareStreamId(id, s.firstId);
  if (isZero(s.maxDeletedId) || compareStreamId(s.maxDeletedId, s.firstId) < 0) {
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1n;
  }
  return -1n;
}

function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

function decodeGroups(d: RdbDecoder, version: number, meta: StreamMeta): StreamGroup[] {
  const groupCount = d.len();
  const groups: StreamGroup[] = [];
  for (let g = 0; g < groupCount; g++) {
    const name = d.str();
    const lastDeliveredId = { ms: d.lenBig(), seq: d.lenBig() };
    const entriesRead = version >= 2 ? signed64(d.lenBig()) : estimateEntriesRead(meta, lastDeliveredId);
    const pending: StreamPendingEntry[] = [];
    const byId = new Map<string, StreamPendingEntry>();
    const pelCount = d.len();
    for (let i = 0; i < pelCount; i++) {
      const at = d.pos;
      const id = d.rawStreamId();
      const entry: StreamPendingEntry = { id, consumer: null, deliveryTimeMs: d.millis(), deliveryCount: Number(d.lenBig()) };
      const k = idKey(id);
      if (byId.has(k)) throw d.fail('BAD_VALUE', 'duplicated global PEL entry in stream consumer group', at);
      byId.set(k, entry);
      pending.push(entry);
    }
    const consumers: StreamConsumer[] = [];
    const consumerCount = d.len();
    for (let c = 0; c < consumerCount; c++) {
      const cname = d.str();
      const seenTimeMs = d.millis();
      const activeTimeMs = version >= 3 ? d.millis() : seenTimeMs;
      const own: StreamId[] = [];
      const ownCount = d.len();
      for (let i = 0; i < ownCount; i++) {
        const at = d.pos;
        const id = d.rawStreamId();
        const entry = byId.get(idKey(id));
        if (entry === undefined) throw d.fail('BAD_VALUE', 'consumer PEL entry not found in the group PEL', at);
        if (entry.consumer !== null) throw d.fail('BAD_VALUE', 'stream PEL entry owned by two consumers', at);
        entry.consumer = cname;
        own.push(id);
      }
      consumers.push({ name: cname, seenTimeMs, activeTimeMs, pending: own });
    }
    if (version >= 5) {
      const nackCount = d.len();
      for (let i = 0; i < nackCount; i++) {
        const at = d.pos;
        const entry = byId.get(idKey(d.rawStreamId()));
        if (entry === undefined || entry.consumer !== null) throw d.fail('BAD_VALUE', 'NACK entry missing from the PEL or owned by a consumer', at);
      }
    }
    groups.push({ name, lastDeliveredId, entriesRead, pending, consumers });
  }
  return groups;
}

function decodeIdmp(d: RdbDecoder): StreamIdmp {
  const durationSeconds = d.len();
  const entriesMax = d.len();
  const count = d.len();
  const entries: { iid: Bytes; id: StreamId }[] = [];
  for (let i = 0; i < count; i++) entries.push({ iid: d.str(), id: d.rawStreamId() });
  return { durationSeconds, entriesMax, entries, iidsAdded: d.lenBig(), iidsDuplicates: d.lenBig() };
}
