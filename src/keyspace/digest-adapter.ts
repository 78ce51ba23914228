/**
 * Feeds keyspace values to the DEBUG DIGEST algorithm (`algorithms/digest.ts`), which works over plain data so it
 * does not depend on how each type stores itself. Only the public contract of the value classes is used here:
 * list `items()`, hash `entries()`, set `members()`, zset `entries()` in rank order, stream `toModel()`; their
 * internals may change freely.
 */
import { datasetDigest, valueDigest, type Digest, type DigestDatabase, type DigestKey, type DigestValue } from './algorithms/index.js';
import { stringBytes } from './string.js';
import type { RedisValue } from './types.js';
import type { Db } from './db.js';

/** The digest algorithm's view of one value. */
export function digestValueOf(value: RedisValue): DigestValue {
  if (typeof value === 'string' || value.kind === 'string') return { type: 'string', value: stringBytes(value) };
  switch (value.kind) {
    case 'list':
      return { type: 'list', items: value.items() };
    case 'set':
      return { type: 'set', members: value.members() };
    case 'zset':
      return { type: 'zset', entries: value.entries() };
    case 'hash':
      return { type: 'hash', entries: value.entries() };
    case 'stream':
      return {
        type: 'stream',
        entries: value.toModel().entries.map((entry) => ({ ms: entry.id.ms, seq: entry.id.seq, fields: entry.fields })),
      };
    default: {
      const never: never = value;
      throw new Error(`assertion failed: unknown value ${String(never)}`);
    }
  }
}

/** DEBUG DIGEST-VALUE of one key of `db`: logically expired keys count too (Redis reads the dict directly). */
export function keyDigest(db: Db, key: string): Digest {
  const value = db.peek(key);
  return valueDigest(value === undefined ? null : digestValueOf(value), db.expires.has(key));
}

function* digestKeys(db: Db): Iterable<DigestKey> {
  for (const entry of db.dict.values()) {
    yield { key: entry.key, value: digestValueOf(entry.value), hasExpire: db.expires.has(entry.key) };
  }
}

/** DEBUG DIGEST of a whole keyspace, databases in id order. */
export function keyspaceDigest(dbs: readonly Db[]): Digest {
  const databases: DigestDatabase[] = dbs.map((db) => ({ id: db.id, keys: digestKeys(db) }));
  return datasetDigest(databases);
}
