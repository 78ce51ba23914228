// Proves the AOF's server-level behaviours: INFO persistence lists Redis 7.0's aof_* fields in its order (checked
// against a real redis-server, enabled and disabled), an automatic rewrite starts on growth and leaves a loadable
// folder, CONFIG SET appendonly yes at run time writes a BASE of the current data that a restart loads, and
// BGREWRITEAOF with appendonly no still writes a BASE.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireRealRedis } from '../helpers/real-redis.js';
import { removeDir, startAofServer, tempDir, type AofServer } from './aof-helpers.js';
import { redisOnFolder } from './aof-redis.js';

const running: { stop(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(args: string[], dir = tempDir()): Promise<AofServer> {
  if (!dirs.includes(dir)) dirs.push(dir);
  const s = await startAofServer(dir, args);
  running.push(s);
  return s;
}

function aofFieldNames(info: string): string[] {
  return info
    .split('\r\n')
    .filter((l) => l.startsWith('aof_'))
    .map((l) => l.split(':')[0]!);
}

describe.runIf(requireRealRedis())('AOF in a running server', () => {
  for (const appendonly of ['yes', 'no']) {
    it(`INFO persistence has Redis 7.0's aof_* fields in order (appendonly ${appendonly})`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const r = await redisOnFolder(dir, ['--appendonly', appendonly]);
      running.push(r);
      const theirs = aofFieldNames((await r.client!.call('INFO', 'persistence')).toString('latin1'));
      const s = await start(['--appendonly', appendonly]);
      const ours = aofFieldNames((await s.call('INFO', 'persistence')).toString('latin1'));
      expect(ours).toEqual(theirs);
    });
  }

  it('rewrites automatically on growth and the folder still loads', async () => {
    const s = await start(['--auto-aof-rewrite-percentage', '100', '--auto-aof-rewrite-min-size', '1024']);
    for (let i = 0; i < 200; i++) await s.call('SET', 'k', 'x'.repeat(100) + i);
    for (let i = 0; i < 30 && !(await s.call('INFO', 'persistence')).toString().includes('aof_rewrites:1'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.log()).toContain('Starting automatic rewriting of AOF on');
    expect((await s.call('INFO', 'persistence')).toString()).toMatch(/aof_rewrites:[1-9]/);
    await s.stop();
    running.splice(running.indexOf(s), 1);
    const again = await start([], s.dir);
    expect((await again.call('GET', 'k')).toString()).toBe(`$103\r\n${'x'.repeat(100)}199\r\n`);
  });

  it('CONFIG SET appendonly yes writes the current data into a BASE that a restart loads', async () => {
    const s = await start(['--appendonly', 'no']);
    await s.call('SET', 'before', '1');
    expect((await s.call('CONFIG', 'SET', 'appendonly', 'yes')).toString()).toBe('+OK\r\n');
    await s.call('SET', 'after', '2');
    const names = readdirSync(join(s.dir, 'appendonlydir')).sort();
    expect(names.some((n) => n.endsWith('.base.rdb'))).toBe(true);
    await s.stop();
    running.splice(running.indexOf(s), 1);
    const again = await start([], s.dir);
    expect((await again.call('GET', 'before')).toString()).toBe('$1\r\n1\r\n');
    expect((await again.call('GET', 'after')).toString()).toBe('$1\r\n2\r\n');
  });

  it('BGREWRITEAOF with appendonly no writes a BASE and a manifest naming only it', async () => {
    const s = await start(['--appendonly', 'no']);
    await s.call('SET', 'a', '1');
    expect((await s.call('BGREWRITEAOF')).toString()).toBe('+Background append only file rewriting started\r\n');
    // The BASE is written between event-loop turns: wait for the rewrite to end.
    while ((await s.call('INFO', 'persistence')).toString().includes('aof_rewrite_in_progress:1')) await new Promise((r) => setTimeout(r, 10));
    const manifest = readFileSync(join(s.dir, 'appendonlydir/appendonly.aof.manifest'), 'latin1');
    expect(manifest).toBe('file appendonly.aof.1.base.rdb seq 1 type b\n');
  });

  it('replays the log with nothing expiring: TTLs that passed while the server was down apply after loading, as in Redis', async () => {
    const s = await start(['--appendfsync', 'always']);
    // Logged as SET ... PXAT t then INCRBY / PERSIST: replayed after t, an expiring replay would drop the key at
    // SET and let INCRBY recreate it without its TTL, and PERSIST would find nothing to keep.
    await s.call('SET', 'counter', '1', 'PX', '300');
    await s.call('INCRBY', 'counter', '5');
    await s.call('SET', 'kept', 'v', 'PX', '300');
    await s.call('PERSIST', 'kept');
    await s.stop();
    running.splice(running.indexOf(s), 1);
    await new Promise((r) => setTimeout(r, 400));
    const probe = async (call: (...args: string[]) => Promise<Buffer>): Promise<string[]> =>
      Promise.all([call('GET', 'counter'), call('GET', 'kept'), call('TTL', 'kept'), call('DBSIZE')]).then((rs) => rs.map((r) => r.toString('latin1')));
    const again = await start([], s.dir);
    const ours = await probe(again.call);
    await again.stop();
    running.splice(running.indexOf(again), 1);
    const r = await redisOnFolder(s.dir);
    running.push(r);
    expect(r.started, r.log).toBe(true);
    const theirs = await probe(r.client!.call);
    expect(theirs).toEqual(['$-1\r\n', '$1\r\nv\r\n', ':-1\r\n', ':1\r\n']);
    expect(ours).toEqual(theirs);
  });
});
