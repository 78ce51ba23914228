// Test helper (not a test): DEBUG DIGEST / DIGEST-VALUE of an in-process keyspace, through the value classes'
// public contract and the digest algorithm of src/keyspace/algorithms; and an exact picture of a keyspace.
import { datasetDigest, digestHex, valueDigest, stringBytes, toRdbValue, type DigestValue, type Keyspace, type RedisValue, type Db } from '../../src/keyspace/index.js';

function digestValue(value: RedisValue): DigestValue {
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
      return { type: 'stream', entries: value.toModel().entries.map((e) => ({ ms: e.id.ms, seq: e.id.seq, fields: e.fields })) };
  }
}

export function keyspaceDigestHex(ks: Keyspace): string {
  return digestHex(
    datasetDigest(
      ks.dbs.map((db) => ({
        id: db.id,
        keys: [...db.dict.values()].map((e) => ({ key: e.key, value: digestValue(e.value), hasExpire: db.expires.has(e.key) })),
      })),
    ),
  );
}

export function keyDigestHex(db: Db, key: string): string {
  const value = db.peek(key);
  return digestHex(valueDigest(value === undefined ? null : digestValue(value), db.expires.has(key)));
}

/** Every key with its codec value and TTL: an exact, order-independent picture of a keyspace. */
export function canonical(ks: Keyspace): Map<string, string> {
  const out = new Map<string, string>();
  for (const db of ks.dbs) {
    for (const entry of db.dict.values()) {
      const { value } = toRdbValue(entry.value);
      const normalized =
        value.type === 'set' ? [...value.value].sort() : value.type === 'hash' ? [...value.value].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : value.value;
      out.set(`${db.id}\0${entry.key}`, JSON.stringify({ t: value.type, v: normalized, e: db.getExpire(entry.key) }, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
    }
  }
  return out;
}

