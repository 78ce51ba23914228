/**
 * The keyspace as commands: what a `.base.aof` holds when `aof-use-rdb-preamble no` (Redis 7.0
 * `rewriteAppendOnlyFileRio`). Each database starts with SELECT; collections go out in commands of at most
 * AOF_REWRITE_ITEMS_PER_CMD items (RPUSH, SADD, ZADD, HMSET); streams as XADD + XSETID + XGROUP CREATE +
 * XCLAIM / XGROUP CREATECONSUMER; a volatile key is followed by PEXPIREAT. Keys already expired at `nowMs` are
 * skipped, as Redis does.
 *
 * Two drivers: `rewriteKeyspaceCommands` walks the keyspace at once (tools); `CommandSnapshotSerializer` is the
 * serializer of a point-in-time snapshot (../snapshot.ts), so BGREWRITEAOF writes the same commands a slice
 * at a time while the server keeps serving. Both go through `rewriteKey`.
 */
import type { Db, Keyspace, RedisValue } from '../../keyspace/index.js';
import { formatDouble17g, stringBytes } from '../../keyspace/index.js';
import { encodeAofCommand, encodeTimestampAnnotation } from '../../../formats/index.js';
import type { Bytes, StreamId } from '../../../formats/index.js';
import { PointInTimeSnapshot, type SnapshotSerializer } from '../snapshot.js';
import { ForklessSnapshot, type RdbSaveOptions } from '../rdb/index.js';
import type { BaseSnapshotFactory } from './append-only-file.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

/** Output handed to the sink in chunks of about this size (Redis's rio buffers likewise). */
const CHUNK_BYTES = 64 * 1024;

/** Calls `emit` with each command that rebuilds the keyspace, in Redis's order. */
export function rewriteKeyspaceCommands(keyspace: Keyspace, nowMs: number, emit: (args: Bytes[]) => void): void {
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    emit(['SELECT', String(db.id)]);
    for (const entry of db.dict.values()) rewriteKey(db, entry.key, entry.value, nowMs, emit);
  }
}

/** The commands of one key (none when its TTL passed before `nowMs`): the value, then PEXPIREAT if volatile. */
export function rewriteKey(db: Db, key: Bytes, value: RedisValue, nowMs: number, emit: (args: Bytes[]) => void): boolean {
  const expireAtMs = db.expires.get(key);
  if (expireAtMs !== undefined && expireAtMs < nowMs) return false;
  rewriteValue(key, value, emit);
  if (expireAtMs !== undefined) emit(['PEXPIREAT', key, String(expireAtMs)]);
  return true;
}

/**
 * A snapshot's keys as AOF commands, for a plain `.base.aof`: `#TS:` first when timestamps are on, SELECT
 * whenever the db changes (a copied key of another db may come between two scanned ones), expiry judged at the
 * snapshot's instant `nowMs`. Output is buffered up to CHUNK_BYTES and then written to `sink`.
 */
export class CommandSnapshotSerializer implements SnapshotSerializer {
  private pending = '';
  private selectedDb = -1;
  private written = 0;

  constructor(
    private readonly sink: (chunk: Uint8Array) => void,
    private readonly options: { nowMs: number; timestampSec: number | null },
  ) {}

  get bytesWritten(): number {
    return this.written + this.pending.length;
  }

  begin(): void {
    if (this.options.timestampSec !== null) this.pending += encodeTimestampAnnotation(this.options.timestampSec);
  }

  beginDb(): void {
    // SELECT goes out with the db's first key that is not expired (key), as the db may hold none.
  }

  key(db: Db, key: string, value: RedisValue): void {
    rewriteKey(db, key, value, this.options.nowMs, (args) => {
      if (db.id !== this.selectedDb) {
        this.selectedDb = db.id;
        this.pending += encodeAofCommand(['SELECT', String(db.id)]);
      }
      this.pending += encodeAofCommand(args);
    });
    if (this.pending.length >= CHUNK_BYTES) this.flush();
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending, 'latin1');
    this.pending = '';
    this.written += chunk.length;
    this.sink(chunk);
  }
}

/**
 * The BASE factory a server gives its AppendOnlyFile: an RDB preamble (`aof-base` aux field set) or plain
 * commands, both point-in-time snapshots of `keyspace` as of the call. `rdbOptions` is read at each call
 * (rdbcompression, rdbchecksum and the clock may change).
 */
export function keyspaceBaseSnapshots(keyspace: Keyspace, rdbOptions: () => RdbSaveOptions): BaseSnapshotFactory {
  return (format, sink, options) => {
    const save = rdbOptions();
    const snapshotOptions = { observe: options.observe };
    if (format === 'rdb') return new ForklessSnapshot(keyspace, { write: sink }, { ...save, aofBase: true }, snapshotOptions);
    const serializer = new CommandSnapshotSerializer(sink, { nowMs: save.nowMs, timestampSec: options.timestampSec });
    return new PointInTimeSnapshot(keyspace, serializer, snapshotOptions);
  };
}

function rewriteValue(key: Bytes, v: RedisValue, emit: (args: Bytes[]) => void): void {
  if (typeof v === 'string' || v.kind === 'string') {
    emit(['SET', key, stringBytes(v)]);
    return;
  }
  switch (v.kind) {
    case 'list':
      batched(['RPUSH', key], v.items(), (item) => [item], emit);
      return;
    case 'set':
      batched(['SADD', key], v.members(), (member) => [member], emit);
      return;
    case 'zset':
      batched(['ZADD', key], v.entries(), ([member, score]) => [formatDouble17g(score), member], emit);
      return;
    case 'hash':
      batched(['HMSET', key], v.entries(), ([field, value]) => [field, value], emit);
      return;
    case 'stream':
      rewriteStream(key, v.toModel(), emit);
      return;
    default: {
      const never: never = v;
      throw new Error(`assertion failed: unknown value ${String(never)}`);
    }
  }
}

function batched<T>(head: Bytes[], items: Iterable<T>, toArgs: (item: T) => Bytes[], emit: (args: Bytes[]) => void): void {
  let args: Bytes[] = [...head];
  let count = 0;
  for (const item of items) {
    for (const a of toArgs(item)) args.push(a);
    if (++count === AOF_REWRITE_ITEMS_PER_CMD) {
      emit(args);
      args = [...head];
      count = 0;
    }
  }
  if (count > 0) emit(args);
}

function id(i: StreamId): Bytes {
  return `${i.ms}-${i.seq}`;
}

type StreamModel = ReturnType<Extract<RedisValue, { kind: 'stream' }>['toModel']>;

/** Redis 7.0 `rewriteStreamObject`. */
function rewriteStream(key: Bytes, s: StreamModel, emit: (args: Bytes[]) => void): void {
  if (s.entries.length > 0) {
    for (const entry of s.entries) {
      const args = ['XADD', key, id(entry.id)];
      for (const [field, value] of entry.fields) args.push(field, value);
      emit(args);
    }
  } else {
    // The XADD MAXLEN 0 trick creates an empty stream.
    emit(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  emit(['XSETID', key, id(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', id(s.maxDeletedId)]);
  for (const group of s.groups) {
    emit(['XGROUP', 'CREATE', key, group.name, id(group.lastDeliveredId), 'ENTRIESREAD', String(group.entriesRead)]);
    const pendingById = new Map(group.pending.map((p) => [id(p.id), p]));
    for (const consumer of group.consumers) {
      if (consumer.pending.length === 0) {
        emit(['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]);
        continue;
      }
      for (const pendingId of consumer.pending) {
        const nack = pendingById.get(id(pendingId));
        if (nack === undefined) continue;
        // rioWriteStreamPendingEntry: XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> JUSTID FORCE
        emit([
          'XCLAIM', key, group.name, consumer.name, '0', id(pendingId),
          'TIME', String(nack.deliveryTimeMs), 'RETRYCOUNT', String(nack.deliveryCount), 'JUSTID', 'FORCE',
        ]);
      }
    }
  }
}
