/**
 * DUMP and RESTORE (redis `src/cluster.c` dumpCommand / restoreCommand). The payload is the RDB codec's DUMP
 * format (formats/rdb/dump.ts): one RDB value, the RDB version (10, Redis 7.0's) and a CRC64.
 *
 * RESTORE validates the whole payload before touching the keyspace, always as Redis's
 * `sanitize-dump-payload yes` would: the codec checks every listpack/ziplist/intset/stream structure, so a
 * corrupt payload gets `ERR Bad data format` and never crashes or half-restores. Payloads newer than RDB 10
 * (Redis 7.2+ listpack sets, 7.4 hash field TTLs) get "payload version or checksum are wrong", as in Redis 7.0.
 * FREQ is accepted and validated but not kept (no LFU policy); IDLETIME sets the key's LRU clock.
 */
import { RdbError, decodeDump, encodeDump } from '../../formats/index.js';
import { fromRdbValue, toRdbValue } from '../keyspace/index.js';
import { NOTIFY } from './engine.js';
import { ERR } from './errors.js';
import { parseInt64 } from './args.js';
import { expireTimePassed } from './keys.js';
import type { Session } from './session.js';
import type { CommandDef } from './table.js';

/** Redis 7.0's RDB_VERSION: what DUMP writes and the newest RESTORE accepts. */
const DUMP_RDB_VERSION = 10;

function compressionEnabled(s: Session): boolean {
  const pairs = s.engine.admin?.configGet(['rdbcompression']) ?? [];
  return pairs[0]?.[1] !== 'no';
}

function dump(s: Session, args: string[]): void {
  const value = s.db.getRead(args[1]!);
  if (value === undefined) {
    s.reply.nullBulk();
    return;
  }
  const { value: rdbValue, encoding } = toRdbValue(value);
  const { payload } = encodeDump(rdbValue, { version: DUMP_RDB_VERSION, encoding, compression: compressionEnabled(s) });
  s.reply.bulk(payload.toString('latin1'));
}

interface RestoreOptions {
  replace: boolean;
  absTtl: boolean;
  idleSeconds: number;
  freq: number;
}

/** Parses the options after the payload; null after replying with Redis's error. */
function restoreOptions(s: Session, args: string[]): RestoreOptions | null {
  const o: RestoreOptions = { replace: false, absTtl: false, idleSeconds: -1, freq: -1 };
  for (let j = 4; j < args.length; j++) {
    const a = args[j]!.toLowerCase();
    const additional = args.length - j - 1;
    if (a === 'replace') o.replace = true;
    else if (a === 'absttl') o.absTtl = true;
    else if (a === 'idletime' && additional >= 1 && o.freq === -1) {
      const v = parseInt64(args[++j]!);
      if (v === null) return replyNull(s, ERR.notInteger);
      if (v < 0) return replyNull(s, ERR.restoreIdletime);
      o.idleSeconds = Number(v);
    } else if (a === 'freq' && additional >= 1 && o.idleSeconds === -1) {
      const v = parseInt64(args[++j]!);
      if (v === null) return replyNull(s, ERR.notInteger);
      if (v < 0 || v > 255) return replyNull(s, ERR.restoreFreq);
      o.freq = Number(v);
    } else return replyNull(s, ERR.syntax);
  }
  return o;
}

function replyNull(s: Session, message: string): null {
  s.engine.replyError(s, message);
  return null;
}

function restore(s: Session, args: string[]): void {
  const key = args[1]!;
  const options = restoreOptions(s, args);
  if (options === null) return;
  const db = s.db;
  if (!options.replace && db.getWrite(key) !== undefined) return void s.engine.replyError(s, ERR.busyKey);
  const ttlArg = parseInt64(args[2]!);
  if (ttlArg === null) return void s.engine.replyError(s, ERR.notInteger);
  if (ttlArg < 0) return void s.engine.replyError(s, ERR.restoreTtl);
  let decoded;
  try {
    decoded = decodeDump(Buffer.from(args[3]!, 'latin1'), { versionMax: DUMP_RDB_VERSION, stringBytesMax: s.engine.settings.protoMaxBulkLen });
  } catch (err) {
    if (!(err instanceof RdbError)) throw err;
    return void s.engine.replyError(s, err.code === 'BAD_DUMP' ? ERR.dumpPayload : ERR.badDataFormat);
  }
  if (!('type' in decoded.value)) return void s.engine.replyError(s, ERR.badDataFormat); // module value
  const { value } = fromRdbValue(decoded.value, s.engine.keyspace.config, decoded.encoding !== undefined ? { encoding: decoded.encoding } : {});
  if (value === null) return void s.engine.replyError(s, ERR.badDataFormat); // empty collection
  const deleted = options.replace && db.delete(key);
  let ttl = BigInt(ttlArg);
  // Redis adds the clock to a relative TTL in a C long long: beyond INT64_MAX it wraps to a past time.
  if (ttl !== 0n && !options.absTtl) ttl = BigInt.asIntN(64, ttl + BigInt(s.engine.keyspace.nowMs));
  if (ttl !== 0n && expireTimePassed(s, ttl)) {
    // Already expired: the key is not created (and the old one, with REPLACE, is gone: propagate DEL).
    if (deleted) {
      s.engine.rewrite(['DEL', key]);
      s.engine.notify(NOTIFY.generic, 'del', key, db.id);
      s.engine.addDirty();
    }
    s.reply.ok();
    return;
  }
  db.add(key, value);
  if (ttl !== 0n) {
    db.setExpire(key, ttl);
    if (!options.absTtl) s.engine.rewrite([...args.slice(0, 2), String(ttl), ...args.slice(3), 'ABSTTL']);
  }
  if (options.idleSeconds >= 0) {
    const entry = db.dict.get(key);
    if (entry !== undefined) entry.meta = (s.engine.keyspace.lruClock() - options.idleSeconds) & 0xffffff;
  }
  s.engine.notify(NOTIFY.generic, 'restore', key, db.id);
  s.reply.ok();
  s.engine.addDirty();
}

export const dumpCommands: CommandDef[] = [
  { name: 'dump', handler: dump },
  { name: 'restore', handler: restore },
];
