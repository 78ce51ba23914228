// Proves the server's RDB persistence end to end against real Redis 7.0: a Redis-made RDB loads at start-up;
// Strongbox's SAVE loads in redis-server with the same keyspace (DEBUG DIGEST and key by key); Redis's SAVE of
// more data loads back in Strongbox; BGSAVE replies and INFO fields follow Redis; a failing disk turns
// rdb_last_bgsave_status to err and writes into MISCONF until a save succeeds; cron save points, DEBUG RELOAD and
// the shutdown save work.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyspace, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { NodeFileSystem, loadRdbFile } from '../../src/persistence/index.js';
import { persistenceHub } from '../../src/server/persistence.js';
import { CORPUS_DIR } from '../formats/rdb-expected.js';
import { requireRealRedis, startRealRedis, arrayOf, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { canonical, keyDigestHex, keyspaceDigestHex } from './keyspace-digest.js';
import { testSeed } from '../helpers/seed.js';

const run = requireRealRedis();
const CORPUS_RDB = join(CORPUS_DIR, 'redis-7.0', 'rdb', 'dump.rdb');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strongbox-rdb-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function info(sb: Strongbox): Promise<Map<string, string>> {
  const text = (await sb.call('INFO', 'persistence')).toString('latin1');
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

/** Redis listens before it loads, and DEBUG is allowed while loading: wait for `loading:0`. */
async function redisLoaded(redis: RealRedis): Promise<RealRedis> {
  for (let i = 0; i < 1000; i++) {
    if (/(^|\n)loading:0\r/.test((await redis.call('INFO', 'persistence')).toString('latin1'))) return redis;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('redis-server did not finish loading');
}

/** Every key of a real Redis, compared with the Strongbox keyspace (digest per key and absolute expire). */
async function compareKeyByKey(redis: RealRedis, ks: Keyspace): Promise<void> {
  let total = 0;
  for (const db of ks.dbs) {
    await redis.call('SELECT', String(db.id));
    const keys = arrayOf(await redis.call('KEYS', '*')) as string[];
    expect(keys.length, `db ${db.id}`).toBe(db.size);
    for (const key of keys) {
      const digest = (await redis.call('DEBUG', 'DIGEST-VALUE', Buffer.from(key, 'latin1'))).toString('latin1');
      expect(digest, key).toContain(keyDigestHex(db, key));
      const pexpiretime = (await redis.call('PEXPIRETIME', Buffer.from(key, 'latin1'))).toString('latin1');
      expect(Number(pexpiretime.slice(1)), key).toBe(db.getExpire(key));
      total++;
    }
  }
  await redis.call('SELECT', '0');
  expect(total).toBe(ks.size);
}

describe.runIf(run)('RDB persistence in the server', () => {
  it('loads a Redis RDB at start-up, SAVEs a file Redis loads identically, and loads Redis SAVE output back', async () => {
    const dir = tempDir();
    copyFileSync(CORPUS_RDB, join(dir, 'dump.rdb'));
    const sb = await startStrongbox([], { dir });
    const reference = new Keyspace(defaultKeyspaceConfig());
    const loaded = loadRdbFile(new NodeFileSystem(), CORPUS_RDB, reference, { config: reference.config, nowMs: Date.now() });
    const ks = sb.server.engine.keyspace;
    expect(keyspaceDigestHex(ks)).toBe(keyspaceDigestHex(reference));
    expect((await info(sb)).get('rdb_last_load_keys_loaded')).toBe(String(loaded.keysLoaded));

    await sb.call('SET', 'added-by-strongbox', 'x'.repeat(100));
    await sb.call('SET', 'volatile', '1', 'PX', '100000000');
    expect((await info(sb)).get('rdb_changes_since_last_save')).toBe('2');
    expect((await sb.call('SAVE')).toString()).toBe('+OK\r\n');
    expect((await info(sb)).get('rdb_changes_since_last_save')).toBe('0');
    const lastsave = Number((await sb.call('LASTSAVE')).toString().slice(1));
    expect(Math.abs(lastsave - Date.now() / 1000)).toBeLessThan(5);
    const ourDigest = keyspaceDigestHex(ks);
    await sb.stop();

    const redisDir = tempDir();
    copyFileSync(join(dir, 'dump.rdb'), join(redisDir, 'dump.rdb'));
    const redis = await redisLoaded(await startRealRedis(['--enable-debug-command', 'yes', '--dir', redisDir]));
    try {
      expect((await redis.call('DEBUG', 'DIGEST')).toString()).toBe(`+${ourDigest}\r\n`);
      await compareKeyByKey(redis, ks);
      // The reverse: Redis changes the data and saves; Strongbox loads Redis's file.
      await redis.call('RPUSH', 'redis-list', 'a', 'b', 'c');
      await redis.call('HSET', 'redis-hash', 'f', 'v');
      await redis.call('SADD', 'redis-set', '1', '2', 'x');
      await redis.call('DEL', 'added-by-strongbox');
      expect((await redis.call('SAVE')).toString()).toBe('+OK\r\n');
      const redisDigest = (await redis.call('DEBUG', 'DIGEST')).toString().slice(1, -2);
      const sb2 = await startStrongbox([], { dir: redisDir });
      expect(keyspaceDigestHex(sb2.server.engine.keyspace)).toBe(redisDigest);
      await compareKeyByKey(redis, sb2.server.engine.keyspace);
      await sb2.stop();
    } finally {
      await redis.stop();
    }
  });

  it('BGSAVE replies like Redis, reports progress in INFO and produces a loadable file', async () => {
    const dir = tempDir();
    const sb = await startStrongbox([], { dir });
    const db = sb.server.engine.keyspace.db(0);
    for (let i = 0; i < 30000; i++) db.add(`key:${i}`, `value:${i}`);
    expect((await sb.call('BGSAVE')).toString()).toBe('+Background saving started\r\n');
    expect((await sb.call('BGSAVE')).toString()).toBe('-ERR Background save already in progress\r\n');
    expect((await sb.call('BGSAVE', 'SCHEDULE')).toString()).toBe('-ERR Background save already in progress\r\n');
    expect((await sb.call('SAVE')).toString()).toBe('-ERR Background save already in progress\r\n');
    expect((await info(sb)).get('rdb_bgsave_in_progress')).toBe('1');
    await sb.call('SET', 'key:29999', 'changed during the save');
    await waitFor(async () => (await info(sb)).get('rdb_bgsave_in_progress') === '0');
    const fields = await info(sb);
    expect(fields.get('rdb_last_bgsave_status')).toBe('ok');
    expect(fields.get('rdb_saves')).toBe('1');
    expect(Number(fields.get('rdb_last_cow_size'))).toBeGreaterThan(0);
    const reloaded = new Keyspace(defaultKeyspaceConfig());
    loadRdbFile(new NodeFileSystem(), join(dir, 'dump.rdb'), reloaded, { config: reloaded.config, nowMs: Date.now() });
    expect(reloaded.db(0).peek('key:29999')).toBe('value:29999');
    expect(reloaded.size).toBe(30000);
    await sb.stop();
  });

  it('a BGSAVE under concurrent client writes is the keyspace of the BGSAVE instant (loaded by real Redis)', async () => {
    const seed = testSeed('bgsave point-in-time');
    console.log(`bgsave point-in-time SEED=${seed}`);
    let state = seed >>> 0;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const dir = tempDir();
    const sb = await startStrongbox([], { dir });
    const ks = sb.server.engine.keyspace;
    for (let i = 0; i < 50_000; i++) ks.db(i % 3).add(`key:${i}`, `value:${i}`);
    for (let i = 0; i < 1000; i++) ks.db(0).setExpire(`key:${i * 3}`, Date.now() + 10_000_000 + i);
    const atStart = keyspaceDigestHex(ks);
    persistenceHub(sb.server).rdb.keysPerStep = 100;
    expect(persistenceHub(sb.server).bgsave(false)).toBe('+Background saving started');
    let writes = 0;
    while (writes % 10 !== 0 || (await info(sb)).get('rdb_bgsave_in_progress') === '1') {
      const key = `key:${rand(60_000)}`;
      const op = rand(6);
      await sb.call('SELECT', String(rand(3)));
      if (op === 0) await sb.call('SET', key, `new:${writes}`);
      else if (op === 1) await sb.call('DEL', key);
      else if (op === 2) await sb.call('APPEND', key, '+');
      else if (op === 3) await sb.call('EXPIRE', key, '100000');
      else if (op === 4) await sb.call('PERSIST', key);
      else await sb.call('INCR', `counter:${rand(10)}`);
      writes++;
    }
    expect(writes).toBeGreaterThan(100);
    expect(keyspaceDigestHex(ks)).not.toBe(atStart);
    expect(Number((await info(sb)).get('rdb_last_cow_size'))).toBeGreaterThan(0);
    await sb.stop();
    const inProcess = new Keyspace(defaultKeyspaceConfig());
    loadRdbFile(new NodeFileSystem(), join(dir, 'dump.rdb'), inProcess, { config: inProcess.config, nowMs: Date.now() });
    expect(keyspaceDigestHex(inProcess)).toBe(atStart);
    const redisDir = tempDir();
    copyFileSync(join(dir, 'dump.rdb'), join(redisDir, 'dump.rdb'));
    const redis = await redisLoaded(await startRealRedis(['--enable-debug-command', 'yes', '--dir', redisDir]));
    try {
      expect((await redis.call('DEBUG', 'DIGEST')).toString()).toBe(`+${atStart}\r\n`);
    } finally {
      await redis.stop();
    }
  });

  it('a BGSAVE under concurrent in-place collection writes (lists, hashes, zsets, streams) is point-in-time', async () => {
    const seed = testSeed('bgsave collections point-in-time');
    console.log(`bgsave collections point-in-time SEED=${seed}`);
    let state = seed >>> 0;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const dir = tempDir();
    const sb = await startStrongbox([], { dir });
    for (let i = 0; i < 200; i++) {
      await sb.call('RPUSH', `list:${i}`, 'a', 'b', String(i));
      await sb.call('HSET', `hash:${i}`, 'f', String(i), 'g', 'x');
      await sb.call('ZADD', `zset:${i}`, '1', 'a', String(i), 'b');
      await sb.call('XADD', `stream:${i}`, `${i + 1}-0`, 'f', 'v');
      await sb.call('XGROUP', 'CREATE', `stream:${i}`, 'g', '0');
    }
    const ks = sb.server.engine.keyspace;
    const atStart = keyspaceDigestHex(ks);
    const canonicalAtStart = canonical(ks);
    persistenceHub(sb.server).rdb.keysPerStep = 2;
    expect(persistenceHub(sb.server).bgsave(false)).toBe('+Background saving started');
    let writes = 0;
    while (writes % 10 !== 0 || persistenceHub(sb.server).rdb.bgsaveInProgress) {
      const i = rand(220);
      const op = rand(8);
      if (op === 0) await sb.call('LPUSH', `list:${i}`, `new${writes}`);
      else if (op === 1) await sb.call('RPOP', `list:${i}`);
      else if (op === 2) await sb.call('HSET', `hash:${i}`, 'f', `new${writes}`);
      else if (op === 3) await sb.call('HDEL', `hash:${i}`, 'g');
      else if (op === 4) await sb.call('ZINCRBY', `zset:${i}`, '5', 'a');
      else if (op === 5) await sb.call('XADD', `stream:${i}`, '*', 'n', String(writes));
      else if (op === 6) await sb.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', `stream:${i}`, '>');
      else await sb.call('DEL', `list:${i}`);
      writes++;
    }
    expect(writes).toBeGreaterThan(100);
    expect(keyspaceDigestHex(ks)).not.toBe(atStart);
    await sb.stop();
    const inProcess = new Keyspace(defaultKeyspaceConfig());
    loadRdbFile(new NodeFileSystem(), join(dir, 'dump.rdb'), inProcess, { config: inProcess.config, nowMs: Date.now() });
    expect(canonical(inProcess)).toEqual(canonicalAtStart);
    const redisDir = tempDir();
    copyFileSync(join(dir, 'dump.rdb'), join(redisDir, 'dump.rdb'));
    const redis = await redisLoaded(await startRealRedis(['--enable-debug-command', 'yes', '--dir', redisDir]));
    try {
      expect((await redis.call('DEBUG', 'DIGEST')).toString()).toBe(`+${atStart}\r\n`);
    } finally {
      await redis.stop();
    }
  });

  it('a failing disk sets rdb_last_bgsave_status:err and MISCONF until a save succeeds', async () => {
    const dir = tempDir();
    const sb = await startStrongbox(['--save', '900 1'], { dir });
    const hub = persistenceHub(sb.server);
    const real = hub.rdb.host.fs;
    const failing = Object.create(real) as NodeFileSystem;
    failing.write = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    hub.rdb.host.fs = failing;
    await sb.call('SET', 'a', '1');
    expect((await sb.call('BGSAVE')).toString()).toBe('+Background saving started\r\n');
    await waitFor(async () => (await info(sb)).get('rdb_bgsave_in_progress') === '0');
    expect((await info(sb)).get('rdb_last_bgsave_status')).toBe('err');
    expect((await sb.call('SET', 'b', '2')).toString()).toMatch(/^-MISCONF /);
    expect((await sb.call('GET', 'a')).toString()).toBe('$1\r\n1\r\n');
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);
    expect((await sb.call('SAVE')).toString()).toMatch(/^-ERR/);
    hub.rdb.host.fs = real;
    expect((await sb.call('SAVE')).toString()).toBe('+OK\r\n');
    expect((await sb.call('SET', 'b', '2')).toString()).toBe('+OK\r\n');
    expect((await info(sb)).get('rdb_last_bgsave_status')).toBe('ok');
    await sb.stop();
  });

  it('cron save points, DEBUG RELOAD and the shutdown save', async () => {
    const dir = tempDir();
    const sb = await startStrongbox(['--save', '1 2'], { dir });
    const hub = persistenceHub(sb.server);
    await sb.call('SET', 'a', '1');
    hub.rdb.lastSaveMs -= 5000;
    hub.cron();
    expect(hub.rdb.bgsaveInProgress).toBe(false); // 1 change < 2
    await sb.call('SET', 'b', '2');
    hub.cron();
    expect(hub.rdb.bgsaveInProgress).toBe(true);
    await waitFor(async () => (await info(sb)).get('rdb_bgsave_in_progress') === '0');
    expect((await info(sb)).get('rdb_changes_since_last_save')).toBe('0');

    await sb.call('SET', 'c', '3');
    const before = keyspaceDigestHex(sb.server.engine.keyspace);
    expect(hub.debugReload()).toBeNull();
    expect(keyspaceDigestHex(sb.server.engine.keyspace)).toBe(before);

    await sb.call('SET', 'd', '4');
    expect(sb.server.shutdown(null)).toBeNull();
    const after = new Keyspace(defaultKeyspaceConfig());
    loadRdbFile(new NodeFileSystem(), join(dir, 'dump.rdb'), after, { config: after.config, nowMs: Date.now() });
    expect(after.db(0).peek('d')).toBe('4');
    await sb.stop();
  });

  it('FLUSHALL with save points saves the empty dataset at once and drops a running BGSAVE, as Redis 7.0', async () => {
    const fields = ['rdb_changes_since_last_save', 'rdb_saves', 'rdb_bgsave_in_progress'];
    const pick = (text: string): string[] => fields.map((f) => text.split('\r\n').find((l) => l.startsWith(`${f}:`)) ?? `${f}?`);
    const script = async (call: (...args: string[]) => Promise<Buffer>): Promise<string[][]> => {
      const seen: string[][] = [];
      await call('SET', 'a', '1');
      await call('SET', 'b', '2');
      seen.push(pick((await call('INFO', 'persistence')).toString('latin1')));
      expect((await call('FLUSHALL')).toString()).toBe('+OK\r\n');
      seen.push(pick((await call('INFO', 'persistence')).toString('latin1')));
      await call('CONFIG', 'SET', 'save', '');
      await call('SET', 'a', '1');
      await call('FLUSHALL');
      seen.push(pick((await call('INFO', 'persistence')).toString('latin1')));
      return seen;
    };
    const redis = await startRealRedis(['--save', '3600 1']);
    const theirs = await script(redis.call);
    await redis.stop();
    const dir = tempDir();
    const sb = await startStrongbox(['--save', '3600 1'], { dir });
    expect(await script(sb.call)).toEqual(theirs);
    expect(theirs[1]).toEqual(['rdb_changes_since_last_save:0', 'rdb_saves:0', 'rdb_bgsave_in_progress:0']);

    // A BGSAVE running at FLUSHALL is dropped and the empty dataset is what dump.rdb holds afterwards.
    await sb.call('CONFIG', 'SET', 'save', '3600 1');
    const db = sb.server.engine.keyspace.db(0);
    for (let i = 0; i < 30000; i++) db.add(`key:${i}`, `value:${i}`);
    expect((await sb.call('BGSAVE')).toString()).toBe('+Background saving started\r\n');
    expect((await info(sb)).get('rdb_bgsave_in_progress')).toBe('1');
    await sb.call('FLUSHALL');
    expect((await info(sb)).get('rdb_bgsave_in_progress')).toBe('0');
    const reloaded = new Keyspace(defaultKeyspaceConfig());
    loadRdbFile(new NodeFileSystem(), join(dir, 'dump.rdb'), reloaded, { config: reloaded.config, nowMs: Date.now() });
    expect(reloaded.size).toBe(0);
    await sb.stop();
  });
});
