// Test helper (not a test): DEBUG DIGEST / DIGEST-VALUE of an in-process keyspace, through the value classes'
// public contract and the digest algorithm of src/keyspace/algorithms; and an exact picture of a keyspace.
import { digestHex, keyDigest, keyspaceDigest, toRdbValue, type Keyspace, type Db } from '../../src/keyspace/index.js';

export function keyspaceDigestHex(ks: Keyspace): string {
  return digestHex(keyspaceDigest(ks.dbs));
}

export function keyDigestHex(db: Db, key: string): string {
  return digestHex(keyDigest(db, key));
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

