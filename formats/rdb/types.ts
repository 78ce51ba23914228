// The decoded RDB model: what the reader yields and the writer accepts. One record per opcode
// (plus one per key); key values are decoded into plain JS structures independent of the
// on-disk encoding, which is kept only as `rdbType` (where it came from) and `encoding` (hint
// for the writer).
//
// Conventions:
//   - Every byte string (key, member, field, value, group and consumer name, aux key/value,
//     function code) is a latin1 JS string, one char per byte (`Bytes`). Never utf8-decoded.
//   - Integer-encoded strings (RDB int8/16/32, listpack/ziplist/intset integers) decode to their
//     canonical decimal text, exactly what Redis returns for them.
//   - Times are absolute Unix milliseconds as JS numbers; -1 means "none".
//   - Stream IDs are {ms, seq} bigints (exact for the full uint64 range). Other 64-bit counters
//     of streams (entriesAdded, entriesRead) are bigints too; entriesRead -1n = unknown
//     (Redis's SCG_INVALID_ENTRIES_READ).
//   - Empty collections are yielded as they are in the file; Redis drops such keys on load
//     (rdbLoadObject "empty key"), the caller decides.

import type { Bytes, Int64 } from '../bytes.js';
import type { RdbMagic } from './constants.js';

export type { Bytes } from '../bytes.js';

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamEntry {
  id: StreamId;
  /** [field, value] pairs in insertion order (fields may repeat, as XADD allows). */
  fields: [Bytes, Bytes][];
}

/** An entry as a stream node holds it: a deleted one (XDEL, an exact trim) stays in its node until the node empties. */
export interface RdbStreamNodeEntry extends StreamEntry {
  deleted: boolean;
}

/** One listpack node of a stream as stored: its master ID and fields, its entries in ID order, tombstones included. */
export interface RdbStreamNode {
  master: StreamId;
  masterFields: Bytes[];
  entries: RdbStreamNodeEntry[];
}

export interface StreamPendingEntry {
  id: StreamId;
  /** Owning consumer name; null when no consumer PEL references it (possible only in corrupt or v5 NACK files). */
  consumer: Bytes | null;
  deliveryTimeMs: number;
  deliveryCount: number;
}

export interface StreamConsumer {
  name: Bytes;
  seenTimeMs: number;
  /** RDB STREAM_LISTPACKS_3+; older files: equal to seenTimeMs (what Redis assumes on load). */
  activeTimeMs: number;
  /** IDs of this consumer's pending entries (each is also in the group PEL). */
  pending: StreamId[];
}

export interface StreamGroup {
  name: Bytes;
  lastDeliveredId: StreamId;
  /** Logical reads counter; -1n = unknown. Files before STREAM_LISTPACKS_2 get Redis's estimate. */
  entriesRead: bigint;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

/** Idempotent-producer state of STREAM_LISTPACKS_4+ (Redis 8.6, layout not verified in source). */
export interface StreamIdmp {
  durationSeconds: number;
  entriesMax: number;
  entries: { iid: Bytes; id: StreamId }[];
  iidsAdded: bigint;
  iidsDuplicates: bigint;
}

export interface RdbStream {
  /** Live entries in ID order (deleted entries inside listpacks are not included). */
  entries: StreamEntry[];
  /**
   * The stored entry count (XLEN). Equals entries.length except in files written by Redis 5
   * after some XTRIM/XDEL sequences (Redis keeps the stored count). Writer default: entries.length.
   */
  length?: number;
  lastId: StreamId;
  /** STREAM_LISTPACKS_2+; v1 files: first entry's ID (0-0 when empty), as Redis computes on load. */
  firstId: StreamId;
  /** STREAM_LISTPACKS_2+; v1 files: 0-0. */
  maxDeletedId: StreamId;
  /** STREAM_LISTPACKS_2+; v1 files: the stream length. */
  entriesAdded: bigint;
  groups: StreamGroup[];
  idmp?: StreamIdmp;
  /**
   * The listpack nodes as stored; their live entries are `entries`. The reader always fills it in. The writer
   * writes these nodes as they are when given (so a stream keeps its layout and tombstones through DUMP/RESTORE
   * and save/load, as in Redis), else cuts `entries` into nodes as streamAppendItem would with default limits.
   */
  nodes?: RdbStreamNode[];
}

export type RdbValue =
  | { type: 'string'; value: Bytes }
  /**
   * nodeCounts: elements per quicklist node, head to tail (absent: the writer cuts nodes as tail pushes would).
   * compressDepth: the quicklist's list-compress-depth; Redis holds the nodes farther than that from both ends
   * LZF-compressed when that pays, and saves those compressed whatever rdbcompression says.
   */
  | { type: 'list'; value: Bytes[]; nodeCounts?: number[]; compressDepth?: number }
  | { type: 'set'; value: Bytes[] }
  | { type: 'zset'; value: [Bytes, number][] }
  | {
      type: 'hash';
      value: [Bytes, Bytes][];
      /** Per-field absolute expiry (ms), aligned with `value`; -1 = no TTL. Absent: no field TTLs. */
      fieldExpireAtMs?: number[];
    }
  | { type: 'stream'; value: RdbStream };

export type RdbValueType = RdbValue['type'];

/**
 * In-memory encoding as OBJECT ENCODING reports it. The writer uses it to pick the compact RDB
 * type when the target version has one (see writer.ts); the reader sets it from the RDB type.
 */
export type RdbEncodingHint =
  | 'int'
  | 'embstr'
  | 'raw'
  | 'listpack'
  | 'listpackex'
  | 'quicklist'
  | 'ziplist'
  | 'linkedlist'
  | 'intset'
  | 'hashtable'
  | 'skiplist'
  | 'zipmap'
  | 'stream';

export interface RdbHeaderRecord {
  kind: 'header';
  magic: RdbMagic;
  version: number;
}

export interface RdbAuxRecord {
  kind: 'aux';
  key: Bytes;
  value: Bytes;
}

export interface RdbSelectDbRecord {
  kind: 'selectdb';
  db: number;
}

export interface RdbResizeDbRecord {
  kind: 'resizedb';
  dbSize: number;
  expiresSize: number;
}

export interface RdbSlotInfoRecord {
  kind: 'slot-info';
  slot: number;
  slotSize: number;
  expiresSlotSize: number;
}

/** Valkey 9 RDB_OPCODE_SLOT_IMPORT (atomic slot migration in progress). */
export interface RdbSlotImportRecord {
  kind: 'slot-import';
  jobName: Bytes;
  ranges: [number, number][];
}

export interface RdbFunctionRecord {
  kind: 'function';
  /** Library source, e.g. "#!lua name=mylib\n...". */
  code: Bytes;
}

/** A module value or module aux blob, skipped by walking its sub-opcodes. */
export interface RdbModuleInfo {
  moduleId: bigint;
  /** 9-char module type name decoded from the id. */
  moduleName: string;
  /** The 10-bit encoding version in the id. */
  encodingVersion: number;
  /** The serialized value (module id + body + EOF marker), only with keepModuleRaw. */
  raw?: Uint8Array;
}

export interface RdbModuleAuxRecord extends RdbModuleInfo {
  kind: 'module-aux';
  /** REDISMODULE_AUX_BEFORE_RDB (1) or AFTER_RDB (2). */
  when: number;
}

/** A key holding a module value (RDB_TYPE_MODULE_2), not decodable without the module. */
export interface RdbModuleKeyRecord extends RdbModuleInfo {
  kind: 'module-key';
  db: number;
  key: Bytes;
  expireAtMs: Int64;
}

/** Redis 13+ RDB_OPCODE_KEY_META before a key: skipped; count of metadata classes seen. */
export interface RdbKeyMetaRecord {
  kind: 'key-meta';
  classCount: number;
}

export interface RdbKeyRecord {
  kind: 'key';
  db: number;
  key: Bytes;
  value: RdbValue;
  /** Absolute expiry in ms (any int64, RDB_OPCODE_EXPIRETIME_MS), -1 when the key has no TTL. */
  expireAtMs: Int64;
  /** RDB_OPCODE_IDLE: LRU idle time in seconds. */
  idleSeconds?: number;
  /** RDB_OPCODE_FREQ: LFU counter 0..255. */
  freq?: number;
  /** The RDB type byte the value was read from (reader) or should be considered (writer ignores). */
  rdbType?: number;
  /** OBJECT ENCODING of the value: set by the reader from rdbType, used by the writer as a hint. */
  encoding?: RdbEncodingHint;
}

export interface RdbEofRecord {
  kind: 'eof';
  /** The stored CRC64 (0n when checksums were disabled or the version has no checksum). */
  checksum: bigint;
  /** true/false when verified; 'disabled' when the stored checksum is 0 or the version < 5. */
  checksumOk: boolean | 'disabled';
  /** Absolute offset just past the RDB (after the checksum): where an AOF tail would start. */
  endOffset: number;
}

export type RdbRecord =
  | RdbHeaderRecord
  | RdbAuxRecord
  | RdbSelectDbRecord
  | RdbResizeDbRecord
  | RdbSlotInfoRecord
  | RdbSlotImportRecord
  | RdbFunctionRecord
  | RdbModuleAuxRecord
  | RdbModuleKeyRecord
  | RdbKeyMetaRecord
  | RdbKeyRecord
  | RdbEofRecord;
