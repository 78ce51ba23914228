// Proves the fork-less BGSAVE is point-in-time exact: random writes (new keys, overwrites, deletes, in-place
// appends through getWrite, TTL changes, FLUSHDB/SWAPDB) interleaved with snapshot steps never leak into the
// file, which loads back to exactly the keyspace as of the BGSAVE instant. Seeded; SEED=n replays a run.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferSink } from '../../formats/index.js';
import {
  Keyspace,
  defaultKeyspaceConfig,
  ListValue,
  HashValue,
  SetValue,
  ZSetValue,
  MutableString,
  type RedisValue,
} from '../../src/keyspace/index.js';
import { ForklessSnapshot, loadRdb, saveRdb } from '../../src/persistence/index.js';
import { canonical } from './keyspace-digest.js';
import { testSeed } from '../helpers/seed.js';

const NOW = 1_800_000_000_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeValue(rand: () => number, config = defaultKeyspaceConfig()): RedisValue {
  const n = 1 + Math.floor(rand() * 5);
  const items = Array.from({ length: n }, (_, i) => `m${i}-${Math.floor(rand() * 1000)}`);
  switch (Math.floor(rand() * 6)) {
    case 0:
      return `v${Math.floor(rand() * 1e6)}`;
    case 1:
      return ListValue.fromItems(items, config);
    case 2:
      return HashValue.fromEntries(items.map((m) => [m, `x${m}`]), config);
    case 3:
      return SetValue.fromMembers(items, config);
    case 4:
      return ZSetValue.fromEntries(items.map((m, i) => [m, i * 1.5]), config);
    default:
      return new MutableString(`mut${Math.floor(rand() * 100)}`);
  }
}

function populate(ks: Keyspace, rand: () => number, keys: number): void {
  for (let i = 0; i < keys; i++) {
    const db = ks.db(Math.floor(rand() * 4));
    const key = `k${i}`;
    db.add(key, makeValue(rand));
    if (rand() < 0.3) db.setExpire(key, NOW + 1_000_000 + Math.floor(rand() * 1e6));
  }
}

function randomWrite(ks: Keyspace, rand: () => number, serial: number): void {
  const db = ks.db(Math.floor(rand() * 4));
  const key = `k${Math.floor(rand() * 600)}`;
  const op = rand();
  if (op < 0.25) db.set(key, makeValue(rand));
  else if (op < 0.4) db.delete(key);
  else if (op < 0.55) {
    const v = db.getWrite(key);
    if (v instanceof MutableString) v.append(`+${serial}`);
    else if (v === undefined) db.add(key, new MutableString(`new${serial}`));
  } else if (op < 0.7) {
    if (db.dict.has(key)) db.setExpire(key, NOW + 5_000_000 + serial);
  } else if (op < 0.8) db.removeExpire(key);
  else if (op < 0.995) db.add(`new${serial}`, makeValue(rand));
  else if (op < 0.998) db.clear();
  else ks.swap(0, 1 + Math.floor(rand() * 3));
}

describe('ForklessSnapshot', () => {
  it('saves exactly the keyspace as of its start under concurrent writes', () => {
    const seed = testSeed('rdb-snapshot');
    console.log(`rdb-snapshot SEED=${seed}`);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 60 }), (runSeed, keysPerStep) => {
        const next = mulberry32(runSeed);
        const ks = new Keyspace(defaultKeyspaceConfig());
        ks.nowMs = NOW;
        populate(ks, next, 500);
        const before = canonical(ks);
        const sink = new BufferSink();
        const snapshot = new ForklessSnapshot(ks, sink, { nowMs: NOW });
        let serial = 0;
        while (!snapshot.step({ keysMax: keysPerStep })) {
          for (let i = 0; i < 1 + Math.floor(next() * 8); i++) randomWrite(ks, next, serial++);
        }
        expect(snapshot.failure).toBeNull();
        expect(ks.writeObserver).toBeNull();
        const loaded = new Keyspace(defaultKeyspaceConfig());
        loadRdb([sink.toBuffer()], loaded, { config: loaded.config, nowMs: NOW });
        expect(canonical(loaded)).toEqual(before);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('a sink failure detaches the snapshot and reports the error instead of throwing into writes', () => {
    const ks = new Keyspace(defaultKeyspaceConfig());
    for (let i = 0; i < 3000; i++) ks.db(0).add(`key:${i}`, 'x'.repeat(100));
    let written = 0;
    const snapshot = new ForklessSnapshot(
      ks,
      {
        write(chunk) {
          written += chunk.length;
          if (written > 100_000) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        },
      },
      { nowMs: NOW, compression: false },
    );
    snapshot.step({ keysMax: 100 });
    for (let i = 0; i < 3000; i++) ks.db(0).set(`key:${i}`, 'y');
    expect(snapshot.step({ keysMax: 100 })).toBe(true);
    expect((snapshot.failure as { code?: string }).code).toBe('ENOSPC');
    expect(ks.writeObserver).toBeNull();
  });

  it('saveRdb -> loadRdb round-trips every type, drops expired keys and empty collections', () => {
    const ks = new Keyspace(defaultKeyspaceConfig());
    let i = 0;
    const rand = (): number => ((i = (i * 1103515245 + 12345) % 2 ** 31), i / 2 ** 31);
    populate(ks, rand, 300);
    ks.db(2).add('gone', 'x');
    ks.db(2).setExpire('gone', NOW - 1);
    const sink = new BufferSink();
    saveRdb(ks, sink, { nowMs: NOW });
    const expected = canonical(ks);
    expected.delete('2\0gone');
    const loaded = new Keyspace(defaultKeyspaceConfig());
    const result = loadRdb([sink.toBuffer()], loaded, { config: loaded.config, nowMs: NOW });
    expect(result.keysExpired).toBe(1);
    expect(result.aux.get('redis-ver')).toBe('7.0.15');
    expect(canonical(loaded)).toEqual(expected);
  });
});
