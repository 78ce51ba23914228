/**
 * End-to-end benchmark, side by side: real redis-server and Strongbox (`bin/strongbox-server`, built JavaScript)
 * on free loopback ports, both memory-only, measured with Redis's own redis-benchmark.
 *
 * Runs alternate A B A B (rounds, default 3) so a noisy neighbour hurts both servers alike; each metric is the
 * median of its rounds. Then both load the same dataset through `redis-cli --pipe` and report RSS and INFO
 * used_memory. Prints one table: metric | Redis | Strongbox | ratio (Strongbox / Redis; higher is better for
 * throughput, lower for memory).
 *
 *   npm run build && npm run bench:server
 *   BENCH_REQUESTS=100000 BENCH_ROUNDS=3 BENCH_CLIENTS=50 BENCH_TESTS=set,get npm run bench:server
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 50);
const TESTS = (process.env['BENCH_TESTS'] ?? 'set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset').split(',');
const PIPELINES = (process.env['BENCH_PIPELINES'] ?? '1,16').split(',').map(Number);
const DATASET_KEYS = Number(process.env['BENCH_DATASET_KEYS'] ?? 200_000);

/** The repository root: this file runs as dist/bench/server.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Target {
  name: string;
  port: number;
  child: ChildProcess;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`server on port ${port} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`server on port ${port} did not start`);
}

async function start(name: string, command: string, args: string[]): Promise<Target> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const child = spawn(command, [...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await waitForPort(port, child);
  return { name, port, child };
}

async function run(command: string, args: string[], input?: Buffer): Promise<string> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stdin.on('error', () => {}); // a tool may exit before reading its stdin (EPIPE)
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return out;
}

/** requests/second per test name, from redis-benchmark --csv. */
async function benchmark(port: number, pipeline: number): Promise<Map<string, number>> {
  const out = await run('redis-benchmark', ['-p', String(port), '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(pipeline), '-t', TESTS.join(','), '--csv']);
  const rates = new Map<string, number>();
  for (const line of out.split('\n')) {
    const fields = line.split(',').map((f) => f.replace(/"/g, ''));
    if (fields.length < 2 || fields[0] === 'test') continue;
    const rate = Number(fields[1]);
    if (Number.isFinite(rate)) rates.set(fields[0]!.split(' ')[0]!, rate);
  }
  return rates;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m === null ? 0 : Number(m[1]) * 1024;
}

async function usedMemory(port: number): Promise<number> {
  const info = await run('redis-cli', ['-p', String(port), 'INFO', 'memory']);
  const m = /used_memory:(\d+)/.exec(info);
  return m === null ? 0 : Number(m[1]);
}

/** Aggregate types in the dataset: each needs its command on both servers. */
const AGGREGATES = ['RPUSH', 'HSET', 'SADD', 'ZADD'];

/**
 * The same dataset for both: strings, and small lists, hashes, sets and sorted sets (those whose write command
 * both servers have), as one RESP stream.
 */
function dataset(aggregates: readonly string[]): Buffer {
  const parts: string[] = [];
  const cmd = (...args: string[]): void => {
    parts.push(`*${args.length}\r\n`);
    for (const a of args) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`);
  };
  const value = 'v'.repeat(64);
  for (let i = 0; i < DATASET_KEYS; i++) cmd('SET', `string:${i}`, `${value}${i}`);
  const has = (name: string): boolean => aggregates.includes(name);
  for (let i = 0; i < DATASET_KEYS / 100; i++) {
    if (has('RPUSH')) cmd('RPUSH', `list:${i}`, ...Array.from({ length: 20 }, (_, j) => `item${j}`));
    if (has('HSET')) cmd('HSET', `hash:${i}`, ...Array.from({ length: 20 }, (_, j) => [`field${j}`, `value${j}`]).flat());
    if (has('SADD')) cmd('SADD', `set:${i}`, ...Array.from({ length: 20 }, (_, j) => `member${j}`));
    if (has('ZADD')) cmd('ZADD', `zset:${i}`, ...Array.from({ length: 20 }, (_, j) => [String(j), `member${j}`]).flat());
  }
  return Buffer.from(parts.join(''), 'latin1');
}

function version(command: string, args: string[]): Promise<string> {
  return run(command, args).then((s) => s.trim()).catch(() => '?');
}

function formatRate(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

function formatBytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`CPU: ${cpu[0]?.model ?? '?'} x ${cpu.length}; Node ${process.version}; ${await version('redis-server', ['--version'])}`);
  console.log(`redis-benchmark: -n ${REQUESTS} -c ${CLIENTS}, tests ${TESTS.join(',')}, pipelines ${PIPELINES.join(',')}, ${ROUNDS} rounds A B A B, medians\n`);
  const redis = await start('redis', 'redis-server', []);
  const ours = await start('strongbox', 'node', [join(ROOT, 'bin', 'strongbox-server')]);
  const targets = [redis, ours];
  const rates = new Map<string, number[][]>(); // metric -> [redis rounds, strongbox rounds]
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const pipeline of PIPELINES) {
        for (let t = 0; t < targets.length; t++) {
          const target = targets[t]!;
          const result = await benchmark(target.port, pipeline);
          for (const [test, rate] of result) {
            const metric = `${test} -P ${pipeline}`;
            if (!rates.has(metric)) rates.set(metric, [[], []]);
            rates.get(metric)![t]!.push(rate);
          }
          process.stderr.write('.');
        }
      }
    }
    process.stderr.write('\n');
    const rows: [string, string, string, string][] = [];
    for (const [metric, [a, b]] of rates) {
      if (a!.length === 0 || b!.length === 0) continue;
      const ma = median(a!);
      const mb = median(b!);
      rows.push([`${metric} (req/s)`, formatRate(ma), formatRate(mb), `${(mb / ma).toFixed(2)}x`]);
    }
    const aggregates: string[] = [];
    for (const name of AGGREGATES) {
      const reply = await run('redis-cli', ['-p', String(ours.port), 'COMMAND', 'INFO', name]);
      if (reply.trim() !== '') aggregates.push(name);
    }
    const data = dataset(aggregates);
    for (const target of targets) {
      await run('redis-cli', ['-p', String(target.port), 'FLUSHALL']);
    }
    const baseRss = targets.map((t) => rssBytes(t.child.pid!));
    for (const target of targets) await run('redis-cli', ['-p', String(target.port), '--pipe'], data);
    await new Promise((r) => setTimeout(r, 500));
    const rss = targets.map((t) => rssBytes(t.child.pid!));
    const used = await Promise.all(targets.map((t) => usedMemory(t.port)));
    const keys = DATASET_KEYS + (DATASET_KEYS / 100) * aggregates.length;
    console.log(`dataset: ${DATASET_KEYS} strings of ~70 bytes, and ${DATASET_KEYS / 100} each of 20-element ${aggregates.join('/')} keys`);
    rows.push([`RSS after loading ${keys} keys`, formatBytes(rss[0]!), formatBytes(rss[1]!), `${(rss[1]! / rss[0]!).toFixed(2)}x`]);
    rows.push([`RSS growth for the dataset`, formatBytes(rss[0]! - baseRss[0]!), formatBytes(rss[1]! - baseRss[1]!), `${((rss[1]! - baseRss[1]!) / (rss[0]! - baseRss[0]!)).toFixed(2)}x`]);
    rows.push(['INFO used_memory', formatBytes(used[0]!), formatBytes(used[1]!), `${(used[1]! / used[0]!).toFixed(2)}x`]);
    printTable(['metric', 'Redis', 'Strongbox', 'ratio'], rows);
  } finally {
    for (const target of targets) target.child.kill('SIGKILL');
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

await main();
