/**
 * RedisValue <-> RDB codec value (`RdbValue` of formats/rdb) with the OBJECT ENCODING hint the writer uses to
 * pick Redis's compact RDB type. Used by RDB save/load, DUMP/RESTORE, the AOF preamble and full sync.
 *
 * Only the public contract of the value classes is used (fromItems/items, fromEntries/entries,
 * fromMembers/members, fromModel/toModel, strings and MutableString), so their internals may change freely.
 *
 * Loading what Redis 7.0 cannot hold: hash field TTLs (RDB 12, Redis 7.4+) are dropped and the hash is kept
 * with its fields (minus those whose TTL already passed, when `nowMs` is given: Redis 7.4 drops them on load);
 * the result says so (`fieldTtlsDropped`), and the loader counts and logs it.
 * Empty collections convert to null: Redis drops such keys on load ("empty keys skipped").
 */
import type { RdbEncodingHint, RdbValue } from '../../formats/rdb/types.js';
import type { KeyspaceConfig } from './config.js';
import type { RedisValue } from './types.js';
import { stringBytes, stringEncoding } from './string.js';
import { ListValue } from './list.js';
import { HashValue } from './hash.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';
import { StreamValue } from './stream.js';

export interface RdbValueWithEncoding {
  value: RdbValue;
  encoding: RdbEncodingHint;
}

const ENCODING_HINTS: ReadonlySet<string> = new Set<RdbEncodingHint>([
  'int',
  'embstr',
  'raw',
  'listpack',
  'listpackex',
  'quicklist',
  'ziplist',
  'linkedlist',
  'intset',
  'hashtable',
  'skiplist',
  'zipmap',
  'stream',
]);

function hint(encoding: string): RdbEncodingHint {
  if (!ENCODING_HINTS.has(encoding)) throw new Error(`assertion failed: unknown OBJECT ENCODING ${encoding}`);
  return encoding as RdbEncodingHint;
}

/** The codec form of a keyspace value (RDB save, DUMP). */
export function toRdbValue(v: RedisValue): RdbValueWithEncoding {
  if (typeof v === 'string' || v.kind === 'string') {
    return { value: { type: 'string', value: stringBytes(v) }, encoding: stringEncoding(v) };
  }
  switch (v.kind) {
    case 'list': {
      const value: RdbValue = { type: 'list', value: [...v.items()], nodeCounts: v.nodeCounts() };
      if (v.compressDepth > 0) value.compressDepth = v.compressDepth;
      return { value, encoding: hint(v.encoding) };
    }
    case 'hash':
      return { value: { type: 'hash', value: [...v.entries()] }, encoding: hint(v.encoding) };
    case 'set':
      return { value: { type: 'set', value: [...v.members()] }, encoding: hint(v.encoding) };
    case 'zset':
      return { value: { type: 'zset', value: [...v.entries()] }, encoding: hint(v.encoding) };
    case 'stream':
      return { value: { type: 'stream', value: v.toModel() }, encoding: 'stream' };
    default: {
      const never: never = v;
      return never;
    }
  }
}

export interface FromRdbResult {
  /** Null for an empty collection (Redis skips such keys). */
  value: RedisValue | null;
  /** The hash had field TTLs, which Redis 7.0 cannot represent: they were dropped. */
  fieldTtlsDropped: boolean;
}

/**
 * The keyspace form of a decoded codec value, encoded as Redis would after loading it. `encoding` is what the
 * RDB type said (the reader's hint): Redis 7.0 keeps a hash or zset stored as a listpack/ziplist a listpack
 * unless it has too many entries (it does not scan for long values, rdbLoadObject), while one stored as a hash
 * table/skiplist (or a zipmap) becomes a listpack only within both thresholds.
 */
export function fromRdbValue(v: RdbValue, config: KeyspaceConfig, options: { nowMs?: number; encoding?: RdbEncodingHint } = {}): FromRdbResult {
  const compact = options.encoding === 'listpack' || options.encoding === 'ziplist' || options.encoding === 'listpackex';
  switch (v.type) {
    case 'string':
      return { value: v.value, fieldTtlsDropped: false };
    case 'list':
      return { value: v.value.length === 0 ? null : ListValue.fromItems(v.value, config, v.nodeCounts), fieldTtlsDropped: false };
    case 'set':
      return { value: v.value.length === 0 ? null : SetValue.fromMembers(v.value, config), fieldTtlsDropped: false };
    case 'zset':
      return { value: v.value.length === 0 ? null : ZSetValue.fromEntries(v.value, config, compact), fieldTtlsDropped: false };
    case 'hash': {
      const ttls = v.fieldExpireAtMs;
      if (ttls === undefined || !ttls.some((t) => t !== -1)) {
        return { value: v.value.length === 0 ? null : HashValue.fromEntries(v.value, config, compact), fieldTtlsDropped: false };
      }
      // Fields whose TTL already passed are gone (Redis 7.4 drops them on load as a primary); the rest stay,
      // without TTL.
      const nowMs = options.nowMs;
      const kept = nowMs === undefined ? v.value : v.value.filter((_, i) => !((ttls[i] ?? -1) !== -1 && (ttls[i] ?? -1) <= nowMs));
      return { value: kept.length === 0 ? null : HashValue.fromEntries(kept, config, compact), fieldTtlsDropped: true };
    }
    case 'stream':
      // An empty stream is a valid key (consumer groups may hang on it); Redis keeps it.
      return { value: StreamValue.fromModel(v.value), fieldTtlsDropped: false };
    default: {
      const never: never = v;
      return never;
    }
  }
}
