/**
 * RDB save: the keyspace streamed through the codec's RdbWriter into any sink (file, socket, AOF preamble),
 * as Redis 7.0's rdbSaveRio writes it: RDB 10, aux fields, then per non-empty db SELECTDB, RESIZEDB and the keys
 * (EXPIRETIME_MS before a volatile key). No functions (Strongbox has none), no LRU/LFU opcodes.
 * File saves (temp file, fsync, rename, fsync dir) are in file.ts; the fork-less BGSAVE in snapshot.ts.
 */
import type { RdbRecord, RdbKeyRecord, RdbSink, RdbWriteWarning } from '../../../formats/index.js';
import { RdbWriter } from '../../../formats/index.js';
import { toRdbValue, type Db, type Keyspace, type RedisValue } from '../../keyspace/index.js';

/** What Redis 7.0.15 writes in `redis-ver`; loaders (and redis-check-rdb) print it. */
export const RDB_REDIS_VER = '7.0.15';
/** Redis 7.0's RDB_VERSION. */
export const RDB_SAVE_VERSION = 10;

export interface RdbSaveOptions {
  /** Unix ms for the `ctime` aux field. */
  nowMs: number;
  /** rdbcompression (default true). */
  compression?: boolean;
  /** rdbchecksum (default true). */
  checksum?: boolean;
  /** `used-mem` aux field (default 0). */
  usedMemBytes?: number;
  /** repl-stream-db / repl-id / repl-offset, written when the save is for replication or has a replid. */
  replication?: { streamDb: number; replId: string; offset: number };
  /** `aof-base` aux field: 1 when this RDB is an AOF base (preamble). */
  aofBase?: boolean;
}

export interface RdbSaveResult {
  keys: number;
  bytes: number;
  warnings: RdbWriteWarning[];
}

/** The aux records Redis 7.0 writes first (rdbSaveInfoAuxFields), in its order. */
export function auxRecords(options: RdbSaveOptions): RdbRecord[] {
  const aux = (key: string, value: string | number): RdbRecord => ({ kind: 'aux', key, value: String(value) });
  const out = [
    aux('redis-ver', RDB_REDIS_VER),
    aux('redis-bits', 64),
    aux('ctime', Math.floor(options.nowMs / 1000)),
    aux('used-mem', options.usedMemBytes ?? 0),
  ];
  const r = options.replication;
  if (r !== undefined) out.push(aux('repl-stream-db', r.streamDb), aux('repl-id', r.replId), aux('repl-offset', r.offset));
  out.push(aux('aof-base', options.aofBase === true ? 1 : 0));
  return out;
}

export function newRdbWriter(sink: RdbSink, options: RdbSaveOptions): RdbWriter {
  return new RdbWriter(sink, {
    version: RDB_SAVE_VERSION,
    compression: options.compression ?? true,
    checksum: options.checksum ?? true,
  });
}

/** The key record of one key (value, TTL and the encoding hint that picks Redis's RDB type). */
export function keyRecord(db: Db, key: string, value: RedisValue): RdbKeyRecord {
  const { value: rdbValue, encoding } = toRdbValue(value);
  return { kind: 'key', db: db.id, key, value: rdbValue, expireAtMs: db.getExpire(key), encoding };
}

/** Writes SELECTDB + RESIZEDB for a db section. */
export function writeDbHeader(writer: RdbWriter, db: Db): void {
  writer.write({ kind: 'selectdb', db: db.id });
  writer.write({ kind: 'resizedb', dbSize: db.size, expiresSize: db.expires.size });
}

/**
 * Writes the whole keyspace, synchronously, then EOF and the checksum. Keys whose TTL has passed but that were
 * not yet deleted are saved too, as Redis does (the loader drops them).
 */
export function saveRdb(keyspace: Keyspace, sink: RdbSink, options: RdbSaveOptions): RdbSaveResult {
  const writer = newRdbWriter(sink, options);
  for (const r of auxRecords(options)) writer.write(r);
  let keys = 0;
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    writeDbHeader(writer, db);
    for (const entry of db.dict.values()) {
      writer.write(keyRecord(db, entry.key, entry.value));
      keys++;
    }
  }
  writer.end();
  return { keys, bytes: writer.bytesWritten, warnings: writer.warnings };
}
