// Proves no acknowledged write is lost to a process crash under `appendfsync always`: a real strongbox-server
// process takes pipelined writes (and now and then a BGREWRITEAOF), is killed with SIGKILL at a random moment,
// restarts on the same folder, and must hold every write it acknowledged (and never more INCRs than were sent).
// Rounds and moments come from a printed seed (SEED=... replays the schedule; timing still varies).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { rawClient, parseResp, type RawClient } from '../helpers/real-redis.js';
import { removeDir, tempDir } from './aof-helpers.js';
import { testSeed } from '../helpers/seed.js';

const ROOT = join(import.meta.dirname, '../..');
const ROUNDS = Number(process.env['AOF_CRASH_ROUNDS'] ?? 50);
const SEED = testSeed('aof-crash');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Newest modification time under a folder (.ts files). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (name.name.endsWith('.ts') || name.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than the sources (the test runs the compiled server). */
function ensureBuilt(): void {
  const target = join(ROOT, 'dist/src/server/main.js');
  let builtMs = 0;
  try {
    builtMs = statSync(target).mtimeMs;
  } catch {
    builtMs = 0;
  }
  if (builtMs > Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'formats')))) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  // tsc still emits when another module has a type error; what matters here is that the server was emitted.
  if (result.status !== 0) {
    spawnSync('sh', ['-c', 'cp src/commands/*.json dist/src/commands/ && cp src/server/*.json dist/src/server/'], { cwd: ROOT });
    if (statSync(target).mtimeMs <= builtMs) throw new Error('npm run build failed');
    console.warn('aof-crash: npm run build reported errors; running the emitted server anyway');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      server.close(() => resolve(address.port));
    });
  });
}

async function startProcess(dir: string, port: number): Promise<{ child: ChildProcess; client: RawClient }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/strongbox-server'), '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--logfile', join(dir, 'server.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('latin1');
  });
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) break;
    const socket = await new Promise<ReturnType<typeof connect> | null>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    if (socket !== null) return { child, client: rawClient(socket) };
    await new Promise((r) => setTimeout(r, 20));
  }
  let log = '';
  try {
    log = readFileSync(join(dir, 'server.log'), 'latin1').split('\n').slice(-15).join('\n');
  } catch {
    log = '(no log)';
  }
  child.kill('SIGKILL');
  throw new Error(`strongbox-server did not start (exit ${child.exitCode}):\n${log}\nstderr:\n${stderr}`);
}

describe('SIGKILL at random moments under appendfsync always', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it(`keeps every acknowledged write (${ROUNDS} rounds, SEED=${SEED})`, async () => {
    console.log(`aof-crash: SEED=${SEED} rounds=${ROUNDS}`);
    const startedMs = Date.now();
    const random = rng(SEED);
    const dir = tempDir('strongbox-aof-crash-');
    const acked = new Map<string, string>();
    let incrAcked = 0;
    let incrSent = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const port = await freePort();
        const roundStartMs = Date.now();
        const { child, client } = await startProcess(dir, port);
        if (process.env['AOF_CRASH_VERBOSE'] !== undefined) console.log(`round ${round}: started in ${Date.now() - roundStartMs} ms, ${acked.size} acked`);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // Verify what earlier rounds were promised.
        const keys = [...acked.keys()];
        for (let i = 0; i < keys.length; i += 500) {
          const batch = keys.slice(i, i + 500);
          const values = parseResp(await client.call('MGET', ...batch));
          expect(Array.isArray(values)).toBe(true);
          batch.forEach((k, j) => {
            expect((values as (string | null)[])[j], `round ${round}: acknowledged ${k} lost (SEED=${SEED})`).toBe(acked.get(k));
          });
        }
        const counter = Number(parseResp(await client.call('GET', 'counter')) ?? 0);
        expect(counter, `round ${round}: counter (SEED=${SEED})`).toBeGreaterThanOrEqual(incrAcked);
        expect(counter, `round ${round}: counter (SEED=${SEED})`).toBeLessThanOrEqual(incrSent);
        incrAcked = counter;
        incrSent = counter;
        // Write until killed.
        let stop = false;
        const writer = (async () => {
          for (let i = 0; !stop; i++) {
            const key = `k${round}-${i}`;
            const value = `v${round}-${i}-${'x'.repeat(Math.floor(random() * 64))}`;
            const batch: Promise<void>[] = [];
            batch.push(client.call('SET', key, value).then((r) => {
              if (r.toString() === '+OK\r\n') acked.set(key, value);
            }));
            incrSent++;
            batch.push(client.call('INCR', 'counter').then((r) => {
              if (r.toString().startsWith(':')) incrAcked = Math.max(incrAcked, Number(r.toString().slice(1)));
            }));
            if (random() < 0.01) batch.push(client.call('BGREWRITEAOF').then(() => undefined));
            await Promise.all(batch).catch(() => {
              stop = true;
            });
          }
        })();
        await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 150)));
        child.kill('SIGKILL');
        await exited;
        stop = true;
        client.socket.destroy();
        await Promise.race([writer, new Promise((r) => setTimeout(r, 200))]);
      }
      expect(acked.size).toBeGreaterThan(ROUNDS);
      console.log(`aof-crash: ${ROUNDS} rounds, ${acked.size} acknowledged writes, ${Date.now() - startedMs} ms`);
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});
