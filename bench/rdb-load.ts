/**
 * RDB load time, Strongbox vs real Redis 7.0, on the same 1,000,000-key RDB (written by redis-server itself:
 * DEBUG POPULATE 1000000, then SAVE).
 *
 *   npm run build && node dist/bench/rdb-load.js [runs]
 *
 * Strongbox: `loadRdbFile` into an empty keyspace, in-process (the start-up path without the socket).
 * Redis: `redis-server --dir <dir>` start-up, timed by its own "DB loaded from disk: X seconds" log line.
 * Each side runs `runs` times (default 3); the median is reported with the machine it ran on.
 *
 * Recorded: AMD EPYC, 2 vCPUs shared with other jobs, Node 20.20, redis-server 7.0.15, 24.8 MB file:
 * Strongbox 11.1 s, Redis 5.0 s (medians of 3; the same machine unloaded parsed 1M keys in 0.9 s, see
 * formats commit history, so absolute numbers vary with load — compare the two columns of one run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyspace, defaultKeyspaceConfig } from '../src/keyspace/index.js';
import { NodeFileSystem, loadRdbFile } from '../src/persistence/index.js';

const KEYS = 1_000_000;
const runs = Number(process.argv[2] ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Starts redis-server in `dir`, waits until it logs readiness, returns the log text, stops it. */
async function redisStartup(dir: string, port: number, extra: string[] = []): Promise<string> {
  const log = join(dir, `redis-${Date.now()}.log`);
  const child = spawn('redis-server', ['--port', String(port), '--dir', dir, '--logfile', log, '--save', '', '--appendonly', 'no', ...extra], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 6000; i++) {
    if (existsSync(log) && readFileSync(log, 'utf8').includes('Ready to accept connections')) break;
    await sleep(10);
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve(readFileSync(log, 'utf8')));
    child.kill('SIGKILL');
  });
}

async function makeRdb(dir: string, port: number): Promise<string> {
  const child = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 500; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'PING']).stdout?.toString().includes('PONG')) break;
    await sleep(10);
  }
  spawnSync('redis-cli', ['-p', String(port), 'DEBUG', 'POPULATE', String(KEYS)]);
  spawnSync('redis-cli', ['-p', String(port), 'SAVE']);
  spawnSync('redis-cli', ['-p', String(port), 'SHUTDOWN', 'NOSAVE']);
  await new Promise((r) => child.once('exit', r));
  return join(dir, 'dump.rdb');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strongbox-bench-rdb-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  try {
    const file = await makeRdb(dir, port);
    const fs = new NodeFileSystem();
    const strongbox: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ks = new Keyspace(defaultKeyspaceConfig());
      const t0 = process.hrtime.bigint();
      const result = loadRdbFile(fs, file, ks, { config: ks.config, nowMs: Date.now() });
      strongbox.push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (result.keysLoaded !== KEYS) throw new Error(`loaded ${result.keysLoaded} keys`);
    }
    const redis: number[] = [];
    for (let i = 0; i < runs; i++) {
      const text = await redisStartup(dir, port);
      const m = /DB loaded from disk: ([0-9.]+) seconds/.exec(text);
      if (m === null) throw new Error(`redis did not report a load:\n${text}`);
      redis.push(Number(m[1]));
    }
    const cpu = cpus()[0]?.model ?? 'unknown cpu';
    console.log(`machine: ${cpu} x${cpus().length}, node ${process.version}`);
    console.log(`file: ${statSync(file).size} bytes, ${KEYS} keys (redis-server DEBUG POPULATE)`);
    console.log(`strongbox load: median ${median(strongbox).toFixed(3)} s  (runs: ${strongbox.map((x) => x.toFixed(3)).join(', ')})`);
    console.log(`redis 7.0 load: median ${median(redis).toFixed(3)} s  (runs: ${redis.map((x) => x.toFixed(3)).join(', ')})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
