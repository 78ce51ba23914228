// Proves the RDB reader against real files: every corpus .rdb either decodes to exactly what the
// producing (or loading) Redis reported in its JSON sidecar, or is one of the files Redis itself
// refuses and is rejected with a clear RdbError.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RdbError, type RdbErrorCode } from '../../formats/errors.js';
import { RdbParser, readRdbBuffer } from '../../formats/rdb/reader.js';
import type { RdbKeyRecord, RdbRecord } from '../../formats/rdb/types.js';
import { CORPUS_DIR, type Json, bytesJson, corpusFiles, fieldExpiresJson, keyId, valueJson } from './rdb-expected.js';

/** Files real Redis refuses to load (corpus public/load-results.txt), with the error we give. */
const REJECTED: Record<string, RdbErrorCode> = {
  'public/redis/corrupt_ziplist.rdb': 'CORRUPT_ZIPLIST',
  'public/hdt3213-rdb/zipmap_big_len.rdb': 'CORRUPT_ZIPMAP',
  'public/redis-replicator/module.rdb': 'UNSUPPORTED_TYPE',
  'public/redis-replicator/function.rdb': 'UNSUPPORTED_TYPE',
  'public/redis-rdb-cli/rdt-filter1.rdb': 'UNSUPPORTED_TYPE',
  // Redis stops earlier on a duplicated key; both also hold pre-release function data.
  'public/redis-rdb-cli/rct-all.rdb': 'UNSUPPORTED_TYPE',
  'public/redis-rdb-cli/rdt-34.rdb': 'UNSUPPORTED_TYPE',
};

/** Module values in files without a JSON sidecar: the module names we must report. */
const MODULE_NAMES: Record<string, string[]> = {
  'public/redis-replicator/dump-module-2.rdb': ['hellotype'],
  'public/redis-rdb-cli/rdt-89.rdb': ['hellotype'],
  'public/redis-rdb-tools/redis_40_with_module.rdb': ['ReJSON-RL'],
  'public/redis-rdb-tools/redis_60_with_module_aux.rdb': ['test__rdb'],
};

interface ExpectedKey {
  key: Json;
  type: string;
  expire_at_ms: number;
  value: Json;
  field_expire_at_ms?: [Json, number][];
  db?: number;
}
interface ExpectedFile {
  format: string;
  functions: { library_code: string }[];
  databases: { db: number; keys: ExpectedKey[] }[];
  expired_at_save?: (ExpectedKey & { db: number })[];
}

function load(rel: string): RdbRecord[] {
  return readRdbBuffer(readFileSync(join(CORPUS_DIR, rel)));
}

function sidecarOf(rel: string): string | null {
  const loaded = rel.replace(/\.rdb$/, '.redis-loaded.json');
  if (existsSync(join(CORPUS_DIR, loaded))) return loaded;
  if (/\/rdb\/[^/]+\.rdb$/.test(rel)) return join(dirname(rel), 'expected.json');
  return null;
}

/** Our rendering of one key, adjusted to what the sidecar can know. */
function ourKeyJson(record: RdbKeyRecord, expected: ExpectedKey): Json {
  const value = valueJson(record) as Json;
  if (record.value.type === 'hash' && record.value.fieldExpireAtMs !== undefined) {
    // Fields whose TTL passed before the sidecar was taken are gone there.
    const present = new Set((expected.value as Json[]).map((pair) => JSON.stringify((pair as Json[])[0])));
    return (value as Json[]).filter((pair) => present.has(JSON.stringify((pair as Json[])[0])));
  }
  if (record.value.type === 'stream') {
    const ev = expected.value as { groups: { consumers: Record<string, Json>[] }[] };
    const ov = value as { groups: { consumers: Record<string, Json>[] }[] };
    ov.groups.forEach((g, gi) =>
      g.consumers.forEach((c, ci) => {
        if (!('active-time' in (ev.groups[gi]?.consumers[ci] ?? {}))) delete c['active-time'];
      }),
    );
  }
  return value;
}

function stripLag(value: Json): Json {
  const v = structuredClone(value) as { groups?: Record<string, Json>[] };
  for (const g of v.groups ?? []) delete g.lag;
  return v as Json;
}

function compareWithSidecar(records: RdbRecord[], sidecar: ExpectedFile): void {
  const ours = new Map<string, RdbKeyRecord>();
  for (const r of records) if (r.kind === 'key') ours.set(keyId(r.db, r.key), r);
  const expectedKeys: ExpectedKey[] = [];
  for (const db of sidecar.databases) for (const k of db.keys) expectedKeys.push({ ...k, db: db.db });
  for (const k of sidecar.expired_at_save ?? []) expectedKeys.push(k);
  const matched = new Set<string>();
  for (const k of expectedKeys) {
    const id = `${k.db as number}:${JSON.stringify(k.key)}`;
    const record = ours.get(id);
    expect(record, `key ${id} missing`).toBeDefined();
    if (record === undefined) continue;
    matched.add(id);
    expect(record.value.type, id).toBe(k.type);
    // *.redis-loaded.json report OBJECT ENCODING after a load, which is what the reader predicts.
    if (k.type === 'string' && 'encoding' in k && 'note' in sidecar) {
      expect(record.encoding, `${id} encoding`).toBe((k as { encoding: string }).encoding);
    }
    expect(record.expireAtMs, `${id} expire`).toBe(k.expire_at_ms);
    const expectedValue = k.type === 'stream' ? stripLag(k.value) : k.value;
    expect(ourKeyJson(record, k), `${id} value`).toEqual(expectedValue);
    if (k.field_expire_at_ms !== undefined) {
      const present = new Set((k.value as Json[]).map((pair) => JSON.stringify((pair as Json[])[0])));
      const ourTtls = (fieldExpiresJson(record) as [Json, number][]).filter(([f]) => present.has(JSON.stringify(f)));
      expect(ourTtls, `${id} field TTLs`).toEqual(k.field_expire_at_ms);
    }
  }
  // Keys Redis dropped on load must have been expired or empty.
  for (const [id, r] of ours) {
    if (matched.has(id)) continue;
    const v = r.value;
    const empty = v.type === 'string' ? false : v.type === 'stream' ? false : v.value.length === 0;
    expect(empty || (r.expireAtMs !== -1 && r.expireAtMs < Date.now()), `unexpected key ${id}`).toBe(true);
  }
  const functions = records.filter((r) => r.kind === 'function').map((r) => (r.kind === 'function' ? r.code : ''));
  expect(functions.sort()).toEqual(sidecar.functions.map((f) => f.library_code).sort());
}

describe('RDB corpus', () => {
  const files = corpusFiles('.rdb');

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(80);
  });

  for (const rel of files) {
    const refusal = REJECTED[rel];
    if (refusal !== undefined) {
      it(`rejects ${rel} with ${refusal}`, () => {
        let caught: unknown = null;
        try {
          load(rel);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(RdbError);
        expect((caught as RdbError).code).toBe(refusal);
        expect((caught as RdbError).offset).toBeGreaterThan(0);
      });
      continue;
    }
    it(`loads ${rel}`, () => {
      const records = load(rel);
      expect(records[0]?.kind).toBe('header');
      const eof = records[records.length - 1];
      expect(eof?.kind).toBe('eof');
      if (eof?.kind === 'eof') expect(eof.checksumOk).not.toBe(false);
      const sidecar = sidecarOf(rel);
      if (sidecar !== null) {
        compareWithSidecar(records, JSON.parse(readFileSync(join(CORPUS_DIR, sidecar), 'utf8')) as ExpectedFile);
      }
      const modules = MODULE_NAMES[rel];
      if (modules !== undefined) {
        const names = records.flatMap((r) => (r.kind === 'module-key' || r.kind === 'module-aux' ? [r.moduleName] : []));
        expect([...new Set(names)].sort()).toEqual(modules);
      }
    });
  }

  it('decodes the Valkey 9 HASH_2 file like its source repository expects', () => {
    const records = load('public/hdt3213-rdb/valkey_hash2_with_hfe.rdb');
    expect(records[0]).toEqual({ kind: 'header', magic: 'VALKEY', version: 80 });
    const key = records.find((r): r is RdbKeyRecord => r.kind === 'key');
    const expected = JSON.parse(readFileSync(join(CORPUS_DIR, 'public/hdt3213-rdb/valkey_hash2_with_hfe.expected.json'), 'utf8')) as {
      key: string;
      hash: Record<string, string>;
      expire: Record<string, number>;
    }[];
    const want = expected[0];
    expect(key?.key).toBe(want?.key);
    if (key?.value.type !== 'hash' || want === undefined) throw new Error('not a hash');
    expect(Object.fromEntries(key.value.value)).toEqual(want.hash);
    const ttls = Object.fromEntries(key.value.value.map(([f], i) => [f, Math.max(0, key.value.type === 'hash' ? (key.value.fieldExpireAtMs?.[i] ?? -1) : -1)]));
    expect(ttls).toEqual(want.expire);
  });

  it('decodes the LZF strings real Redis wrote: dump.rdb equals dump-nocompress.rdb for every producer', () => {
    for (const producer of ['redis-7.0', 'redis-7.4', 'redis-8', 'valkey-8']) {
      const compressed = readFileSync(join(CORPUS_DIR, producer, 'rdb/dump.rdb'));
      const plain = readFileSync(join(CORPUS_DIR, producer, 'rdb/dump-nocompress.rdb'));
      expect(compressed.length).toBeLessThan(plain.length * 0.6);
      const keys = (b: Buffer): RdbRecord[] => readRdbBuffer(b).filter((r) => r.kind === 'key');
      expect(keys(compressed)).toEqual(keys(plain));
    }
  });

  it('reports module data as an error when asked (onModule: "error")', () => {
    const bytes = readFileSync(join(CORPUS_DIR, 'public/redis-replicator/dump-module-2.rdb'));
    expect(() => readRdbBuffer(bytes, { onModule: 'error' })).toThrow(expect.objectContaining({ code: 'MODULE_VALUE' }));
    const kept = readRdbBuffer(bytes, { keepModuleRaw: true }).find((r) => r.kind === 'module-key');
    expect(kept?.kind === 'module-key' && kept.raw !== undefined && kept.raw.length > 8).toBe(true);
    const parser = new RdbParser();
    parser.feed(readFileSync(join(CORPUS_DIR, 'public/redis-rdb-tools/redis_60_with_module_aux.rdb')));
    parser.end();
    expect(parser.skipped).toEqual({ moduleKeys: 0, moduleAux: 1, keyMeta: 0 });
  });

  it('keeps the AOF tail of an RDB-preamble AOF apart (redis tests/assets/rdb-preamble.aof)', () => {
    const bytes = readFileSync(join(CORPUS_DIR, 'public/redis/rdb-preamble.aof'));
    const records = readRdbBuffer(bytes);
    const eof = records[records.length - 1];
    expect(eof?.kind).toBe('eof');
    const tail = bytes.subarray(eof?.kind === 'eof' ? eof.endOffset : 0).toString('latin1');
    expect(tail.startsWith('*')).toBe(true);
    expect(tail).toContain('k3');
    expect(records.filter((r) => r.kind === 'key').map((r) => (r.kind === 'key' ? bytesJson(r.key) : null)).sort()).toEqual(['k1', 'k2']);
  });
});
