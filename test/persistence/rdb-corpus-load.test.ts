// Proves every generated corpus RDB (Redis 7.0, 7.4, 8, Valkey 8) loads through the streaming loader into the
// keyspace with Redis's own DEBUG DIGEST (corpus expected.json), key by key; keys expired at save time are
// dropped; 7.4+ hash field TTLs are dropped with a count (those keys' digests are excluded: Redis mixes the TTLs in).
// Redis 7.2+ and Valkey digest zset scores as shortest decimals where 7.0 used %.17g: there, zsets are compared
// by value (expected.json) instead of by digest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyspace, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { NodeFileSystem, loadRdbFile } from '../../src/persistence/index.js';
import { CORPUS_DIR, bytesJson, scoreJson } from '../formats/rdb-expected.js';
import type { ZSetValue } from '../../src/keyspace/index.js';
import { keyDigestHex, keyspaceDigestHex } from './keyspace-digest.js';

interface ExpectedKey {
  key: string | { base64: string };
  digest: string;
  expire_at_ms: number;
  field_expire_at_ms?: unknown;
  type: string;
  value: unknown;
}
interface Expected {
  digest: string;
  databases: { db: number; keys: ExpectedKey[] }[];
  expired_at_save: { expire_at_ms: number }[];
}

const keyBytes = (k: ExpectedKey['key']): string => (typeof k === 'string' ? Buffer.from(k, 'utf8') : Buffer.from(k.base64, 'base64')).toString('latin1');

describe.each(['redis-7.0', 'redis-7.4', 'redis-8', 'valkey-8'])('corpus %s', (version) => {
  const dir = join(CORPUS_DIR, version, 'rdb');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  // The save instant: after the keys that were already expired, before every live TTL (times are from the run).
  const nowMs = Math.max(...expected.expired_at_save.map((e) => e.expire_at_ms)) + 1;

  it.each(['dump.rdb', 'dump-nocompress.rdb', 'dump-lfu.rdb', 'dump-lru.rdb'])('%s loads with Redis digests', (file) => {
    const ks = new Keyspace(defaultKeyspaceConfig());
    const result = loadRdbFile(new NodeFileSystem(), join(dir, file), ks, { config: ks.config, nowMs });
    expect(result.keysExpired).toBe(expected.expired_at_save.length);
    let hfe = 0;
    let total = 0;
    for (const { db, keys } of expected.databases) {
      for (const k of keys) {
        total++;
        const key = keyBytes(k.key);
        expect(ks.db(db).dict.has(key), `${db}/${key}`).toBe(true);
        expect(ks.db(db).getExpire(key)).toBe(k.expire_at_ms);
        if (k.field_expire_at_ms !== undefined) {
          hfe++;
          continue;
        }
        if (k.type === 'zset' && version !== 'redis-7.0') {
          const z = ks.db(db).peek(key) as ZSetValue;
          expect([...z.entries()].map(([m, sc]) => [bytesJson(m), scoreJson(sc)]), `${db}/${key}`).toEqual(k.value);
          continue;
        }
        expect(keyDigestHex(ks.db(db), key), `${db}/${key}`).toBe(k.digest);
      }
    }
    expect(ks.size).toBe(total);
    expect(result.fieldTtlsDropped).toBe(hfe);
    if (version === 'redis-7.0') expect(keyspaceDigestHex(ks)).toBe(expected.digest);
  });
});
