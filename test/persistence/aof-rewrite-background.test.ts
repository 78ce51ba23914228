// Proves BGREWRITEAOF writes its BASE from a point-in-time view while the server keeps serving: a 200k-key
// rewrite (RDB preamble and plain commands) spans many event-loop turns in which another client's PINGs are
// answered and non-idempotent writes (INCR, RPUSH, APPEND, HINCRBY) land on keys not yet scanned; the folder then
// loads, with every write, into Strongbox and into real redis-server 7.0 (same DEBUG DIGEST). FLUSHDB, SWAPDB and
// DEBUG RELOAD during a rewrite and SHUTDOWN in the middle of one leave loadable folders too, and the replies of
// BGREWRITEAOF / BGSAVE [SCHEDULE] while the other job runs are byte for byte real Redis's.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectRaw, requireRealRedis, type RawClient } from '../helpers/real-redis.js';
import { persistenceHub } from '../../src/server/persistence.js';
import { removeDir, startAofServer, tempDir, type AofServer } from './aof-helpers.js';
import { redisOnFolder, type RedisOnFolder } from './aof-redis.js';

const running: { stop(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

type Call = (...args: string[]) => Promise<Buffer>;

async function ours(dir: string, args: string[]): Promise<AofServer> {
  const s = await startAofServer(dir, ['--enable-debug-command', 'yes', ...args]);
  running.push(s);
  return s;
}

async function theirs(dir: string, args: string[]): Promise<RedisOnFolder> {
  const r = await redisOnFolder(dir, ['--enable-debug-command', 'yes', ...args]);
  running.push(r);
  return r;
}

async function stop(s: { stop(): Promise<void> }): Promise<void> {
  await s.stop();
  running.splice(running.indexOf(s), 1);
}

/** Waits (no fixed sleep as proof) until INFO persistence contains every `needle`. */
async function waitInfo(call: Call, ...needles: string[]): Promise<string> {
  for (let i = 0; ; i++) {
    const info = (await call('INFO', 'persistence')).toString('latin1');
    if (needles.every((n) => info.includes(n))) return info;
    if (i > 3000) throw new Error(`INFO persistence never showed ${needles.join(', ')}:\n${info}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function digestOf(call: Call): Promise<string> {
  await call('SELECT', '0');
  return (await call('DEBUG', 'DIGEST')).toString('latin1');
}

/** The folder loads in Strongbox and in real Redis to the dataset with DEBUG DIGEST `digest`. */
async function expectFolderDigest(dir: string, digest: string): Promise<void> {
  const again = await ours(dir, []);
  expect(await digestOf(again.call)).toBe(digest);
  await stop(again);
  const r = await theirs(dir, []);
  expect(r.started, r.log).toBe(true);
  expect(await digestOf(r.client!.call)).toBe(digest);
}

/** `keys` strings in db 0 (k:0.., DEBUG POPULATE), collections of every type, volatile keys, and a second db. */
async function populate(call: Call, keys: number): Promise<void> {
  await call('DEBUG', 'POPULATE', String(keys), 'k');
  for (let i = 0; i < 200; i++) {
    await call('RPUSH', `list${i}`, 'a', 'b', String(i));
    await call('HSET', `hash${i}`, 'f', '1', 'g', String(i));
    await call('SADD', `set${i}`, 'x', String(i));
    await call('ZADD', `zset${i}`, '1.5', 'm', String(i), 'n');
    await call('XADD', `stream${i}`, '*', 'f', String(i));
    await call('PEXPIRE', `list${i}`, '100000000');
  }
  await call('SELECT', '3');
  for (let i = 0; i < 100; i++) await call('SET', `db3:${i}`, String(i));
  await call('SELECT', '0');
}

/**
 * One write that changes a key created before the rewrite (most not scanned yet: copy-on-write), or a new key;
 * returns the key. INCR, APPEND, RPUSH, HINCRBY and ZINCRBY are not idempotent: a BASE that caught them would
 * apply them twice at load.
 */
async function writeDuringRewrite(call: Call, n: number, keys: number): Promise<string> {
  const old = `k:${(n * 7919) % keys}`;
  switch (n % 7) {
    case 0: await call('INCR', old); return old;
    case 1: await call('APPEND', old, `+${n}`); return old;
    case 2: await call('RPUSH', `list${n % 200}`, `during${n}`); return `list${n % 200}`;
    case 3: await call('HINCRBY', `hash${n % 200}`, 'f', '5'); return `hash${n % 200}`;
    case 4: await call('DEL', old); return old;
    case 5: await call('SET', `new${n}`, String(n), 'PX', '500000000'); return `new${n}`;
    default: await call('ZINCRBY', `zset${n % 200}`, '2', 'm'); return `zset${n % 200}`;
  }
}

/** DBSIZE, then per key DEBUG DIGEST-VALUE and whether it is volatile (cheap next to a 200k-key DEBUG DIGEST). */
async function keysState(call: Call, keys: Iterable<string>): Promise<string[]> {
  const out = [(await call('DBSIZE')).toString('latin1')];
  for (const key of keys) {
    const ttl = Number((await call('PTTL', key)).toString('latin1').slice(1));
    out.push(`${key} ${(await call('DEBUG', 'DIGEST-VALUE', key)).toString('latin1')} ${ttl > 0 ? 'volatile' : ttl}`);
  }
  return out;
}

describe.runIf(requireRealRedis())('AOF rewrite in the background (point-in-time BASE)', () => {
  for (const [preamble, keys] of [['yes', 200_000], ['no', 50_000]] as const) {
    it(`a ${keys}-key rewrite (aof-use-rdb-preamble ${preamble}) serves other clients between slices and keeps every write`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const args = ['--aof-use-rdb-preamble', preamble];
      const s = await ours(dir, args);
      await populate(s.call, keys);
      const other: RawClient = await connectRaw(s.port);
      expect((await s.call('BGREWRITEAOF')).toString()).toBe('+Background append only file rewriting started\r\n');
      let pongsDuring = 0;
      const touched = new Set<string>();
      for (let n = 0; ; n++) {
        expect((await other.call('PING')).toString()).toBe('+PONG\r\n');
        touched.add(await writeDuringRewrite(s.call, n, keys));
        const info = (await other.call('INFO', 'persistence')).toString('latin1');
        if (!info.includes('aof_rewrite_in_progress:1')) break;
        // The rewrite began before this PING was sent and had not ended after it was answered.
        pongsDuring++;
      }
      other.socket.destroy();
      const info = await waitInfo(s.call, 'aof_rewrite_in_progress:0');
      expect(info).toContain('aof_last_bgrewrite_status:ok');
      expect(info).toMatch(/aof_rewrites:1\r\n/);
      expect(Number(/aof_last_cow_size:(\d+)/.exec(info)?.[1])).toBeGreaterThan(0);
      expect(pongsDuring).toBeGreaterThan(5);
      const manifest = readFileSync(join(dir, 'appendonlydir/appendonly.aof.manifest'), 'latin1');
      const base = preamble === 'yes' ? 'appendonly.aof.2.base.rdb' : 'appendonly.aof.2.base.aof';
      expect(manifest).toBe(`file ${base} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
      const expected = await keysState(s.call, touched);
      await stop(s);

      const again = await ours(dir, args);
      expect(await keysState(again.call, touched)).toEqual(expected);
      await stop(again);
      const r = await theirs(dir, args);
      expect(r.started, r.log).toBe(true);
      expect(await keysState(r.client!.call, touched)).toEqual(expected);
    }, 60_000);
  }

  it('FLUSHDB, SWAPDB and DEBUG RELOAD during a rewrite: the folder loads to the final dataset', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = await ours(dir, ['--aof-use-rdb-preamble', 'no']);
    await populate(s.call, 5000);
    let n = 0;
    for (const bulk of [['FLUSHDB'], ['SWAPDB', '0', '3'], ['DEBUG', 'RELOAD']]) {
      s.aof.rewriteKeysPerStep = 0; // holds the rewrite at its start
      expect((await s.call('BGREWRITEAOF')).toString()).toBe('+Background append only file rewriting started\r\n');
      await waitInfo(s.call, 'aof_rewrite_in_progress:1');
      for (let i = 0; i < 20; i++) await writeDuringRewrite(s.call, n++, 5000);
      await s.call('SELECT', '3');
      expect((await s.call(...bulk)).toString()).toBe('+OK\r\n');
      await s.call('SELECT', '0');
      for (let i = 0; i < 20; i++) await writeDuringRewrite(s.call, n++, 5000);
      s.aof.rewriteKeysPerStep = 1000;
      expect(await waitInfo(s.call, 'aof_rewrite_in_progress:0')).toContain('aof_last_bgrewrite_status:ok');
    }
    const digest = await digestOf(s.call);
    await stop(s);
    await expectFolderDigest(dir, digest);
  }, 60_000);

  it('SHUTDOWN in the middle of a rewrite removes its temp BASE and leaves a folder with every write', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = await ours(dir, []);
    await populate(s.call, 5000);
    // DEBUG POPULATE is not logged (as in Redis): a first rewrite puts its keys in a BASE.
    await s.call('BGREWRITEAOF');
    await waitInfo(s.call, 'aof_rewrite_in_progress:0', 'aof_rewrites:1');
    s.aof.rewriteKeysPerStep = 0;
    expect((await s.call('BGREWRITEAOF')).toString()).toBe('+Background append only file rewriting started\r\n');
    await waitInfo(s.call, 'aof_rewrite_in_progress:1');
    for (let i = 0; i < 50; i++) await writeDuringRewrite(s.call, i, 5000);
    expect(readdirSync(join(dir, 'appendonlydir')).some((f) => f.startsWith('temp-'))).toBe(true);
    const digest = await digestOf(s.call);
    expect(persistenceHub(s.server).shutdown(false)).toBeNull();
    expect(s.aof.rewriteInProgress).toBe(false);
    await stop(s);
    expect(readdirSync(join(dir, 'appendonlydir')).filter((f) => f.startsWith('temp-'))).toEqual([]);
    await expectFolderDigest(dir, digest);
  }, 60_000);

  it("BGREWRITEAOF during a BGSAVE is scheduled and starts after it; BGSAVE during a rewrite gets Redis's replies", async () => {
    const keys = 300;
    // Real Redis: rdb-key-save-delay (µs per key) keeps each job running ~1 s, far longer than the commands take.
    const rdir = tempDir();
    dirs.push(rdir);
    const r = await theirs(rdir, ['--rdb-key-save-delay', '2000']);
    expect(r.started, r.log).toBe(true);
    const s = await ours(tempDir(), []);
    dirs.push(s.dir);
    const rdb = persistenceHub(s.server).rdb;
    const replies = async (call: Call, hold: (job: 'rdb' | 'aof' | null) => void): Promise<string[]> => {
      await call('DEBUG', 'POPULATE', String(keys));
      const out: string[] = [];
      const send = async (...args: string[]) => void out.push((await call(...args)).toString('latin1'));
      hold('rdb');
      await send('BGSAVE');
      await send('BGREWRITEAOF');
      await send('BGREWRITEAOF');
      await send('BGSAVE');
      const during = await waitInfo(call, 'rdb_bgsave_in_progress:1');
      out.push(/aof_rewrite_scheduled:\d/.exec(during)![0], /aof_rewrite_in_progress:\d/.exec(during)![0]);
      hold('aof');
      await waitInfo(call, 'rdb_bgsave_in_progress:0', 'aof_rewrite_in_progress:1');
      await send('BGREWRITEAOF');
      await send('BGSAVE');
      await send('BGSAVE', 'SCHEDULE');
      const after = await waitInfo(call, 'aof_rewrite_in_progress:1');
      out.push(/aof_rewrite_scheduled:\d/.exec(after)![0]);
      hold(null);
      const done = await waitInfo(call, 'aof_rewrite_in_progress:0', 'rdb_bgsave_in_progress:0', 'rdb_saves:2');
      out.push(/aof_last_bgrewrite_status:\w+/.exec(done)![0], /rdb_last_bgsave_status:\w+/.exec(done)![0]);
      return out;
    };
    const expected = await replies(r.client!.call, () => {});
    // Ours: a job is held at its start (0 keys per step) until the sequence needs it to end.
    const actual = await replies(s.call, (job) => {
      rdb.keysPerStep = job === 'rdb' ? 0 : 1000;
      s.aof.rewriteKeysPerStep = job === 'aof' ? 0 : 1000;
    });
    expect(actual).toEqual(expected);
    expect(expected).toContain('-ERR Another child process is active (AOF?): can\'t BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n');
  }, 60_000);
});
