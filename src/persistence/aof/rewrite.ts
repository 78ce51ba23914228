/**
 * The keyspace as commands: what a `.base.aof` holds when `aof-use-rdb-preamble no` (Redis 7.0
 * `rewriteAppendOnlyFileRio`). Each database starts with SELECT; collections go out in commands of at most
 * AOF_REWRITE_ITEMS_PER_CMD items (RPUSH, SADD, ZADD, HMSET); streams as XADD + XSETID + XGROUP CREATE +
 * XCLAIM / XGROUP CREATECONSUMER; a volatile key is followed by PEXPIREAT. Keys already expired at `nowMs` are
 * skipped, as Redis does.
 */
import type { Keyspace, RedisValue } from '../../keyspace/index.js';
import { formatDouble17g, stringBytes } from '../../keyspace/index.js';
import type { Bytes, StreamId } from '../../../formats/index.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

/** Calls `emit` with each command that rebuilds the keyspace, in Redis's order. */
export function rewriteKeyspaceCommands(keyspace: Keyspace, nowMs: number, emit: (args: Bytes[]) => void): void {
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    emit(['SELECT', String(db.id)]);
    for (const entry of db.dict.values()) {
      const expireAtMs = db.expires.get(entry.key);
      if (expireAtMs !== undefined && expireAtMs < nowMs) continue;
      rewriteValue(entry.key, entry.value, emit);
      if (expireAtMs !== undefined) emit(['PEXPIREAT', entry.key, String(expireAtMs)]);
    }
  }
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
