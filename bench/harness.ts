/**
 * What every side-by-side benchmark shares: starting real redis-server and Strongbox (`bin/strongbox-server`,
 * built JavaScript) on free loopback ports with the same directives, running Redis's tools to completion, a
 * small RESP client for INFO and admin commands, memory readings from /proc, medians, options and the one
 * result table (metric | Redis | Strongbox | ratio).
 *
 * The groups (bench/server.ts, bench/aof.ts, bench/snapshot.ts, bench/leaderboard.ts) only decide what to
 * measure. Each returns rows; bench/server.ts runs them all, and each group can also run alone through
 * `runAlone`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeReply, type ReplyValue } from '../formats/index.js';

/** The repository root: this file runs as dist/bench/harness.js. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServerKind = 'redis' | 'strongbox';
export const KINDS: readonly ServerKind[] = ['redis', 'strongbox'];
export const LABELS: Record<ServerKind, string> = { redis: 'Redis', strongbox: 'Strongbox' };

/** One result line: a metric, its Redis and Strongbox cells, and the ratio Strongbox / Redis. */
export type Row = [metric: string, redis: string, strongbox: string, ratio: string];

export interface BenchOptions {
  /** Groups to run; empty = all. */
  only: string[];
  rounds: number;
  /** Dataset size of the snapshot, RDB-load and leaderboard groups. */
  keys: number;
  /** redis-benchmark -n for the throughput groups. */
  requests: number;
  clients: number;
  /** Requests per second of the snapshot group's latency probe. */
  probeRate: number;
}

/**
 * `--only a,b --keys N --rounds N --requests N --clients N --probe-rate N`; the BENCH_* environment variables
 * (BENCH_ROUNDS, BENCH_KEYS, BENCH_REQUESTS, BENCH_CLIENTS, BENCH_PROBE_RATE) set the defaults.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  const options: BenchOptions = {
    only: [],
    rounds: env('BENCH_ROUNDS', 3),
    keys: env('BENCH_KEYS', 1_000_000),
    requests: env('BENCH_REQUESTS', 20_000),
    clients: env('BENCH_CLIENTS', 50),
    probeRate: env('BENCH_PROBE_RATE', 2000),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--only') options.only.push(...value.split(','));
    else if (flag in NUMERIC_FLAGS) {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} wants a positive integer, got ${value}`);
      options[NUMERIC_FLAGS[flag]!] = n;
    } else throw new Error(`unknown option ${flag} (known: --only ${Object.keys(NUMERIC_FLAGS).join(' ')})`);
  }
  return options;
}

const NUMERIC_FLAGS: Record<string, Exclude<keyof BenchOptions, 'only'>> = {
  '--rounds': 'rounds',
  '--keys': 'keys',
  '--requests': 'requests',
  '--clients': 'clients',
  '--probe-rate': 'probeRate',
};

export function wants(options: BenchOptions, group: string): boolean {
  return options.only.length === 0 || options.only.includes(group);
}

// ---------------------------------------------------------------------------------------------------------
// Servers

export interface Server {
  kind: ServerKind;
  port: number;
  pid: number;
  child: ChildProcess;
  dir: string;
  logFile: string;
  /** SIGKILL, wait for 'close', remove the directory. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export function newDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `strongbox-bench-${prefix}-`));
}

/**
 * Starts `kind` with `directives` (redis.conf names and values: both servers take the same ones) in `dir`
 * (a new temporary directory unless given; removed by stop()), logging to a file there. Resolves once the
 * server answers PING (loading a dataset first can take a while: no deadline but the process's exit).
 */
export async function startServer(kind: ServerKind, directives: Record<string, string>, dir = newDir(kind)): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const logFile = join(dir, `${kind}-${port}.log`);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', logFile];
    for (const [name, value] of Object.entries({ save: '', appendonly: 'no', ...directives })) args.push(`--${name}`, value);
    const child = kind === 'redis' ? spawn('redis-server', args, { stdio: 'ignore' }) : spawn(process.execPath, [join(ROOT, 'bin', 'strongbox-server'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const stop = async (): Promise<void> => {
      child.kill('SIGKILL');
      await closed;
      rmSync(dir, { recursive: true, force: true });
    };
    const ready = await waitReady(port, child);
    if (ready) return { kind, port, pid: child.pid!, child, dir, logFile, stop };
    await closed;
    const log = existsSync(logFile) ? readFileSync(logFile, 'latin1') : '(no log)';
    // Another process may have taken the port between freePort and listen: then try another one.
    if (!/in use/i.test(log) || attempt === 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${kind} did not start; log:\n${log}`);
    }
  }
}

async function waitReady(port: number, child: ChildProcess): Promise<boolean> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const client = await RespClient.connect(port).catch(() => null);
    if (client !== null) {
      const reply = await client.call('PING').catch(() => null);
      client.close();
      if (reply !== null && reply.t === 'simple') return true; // -LOADING while the dataset loads
    }
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

// ---------------------------------------------------------------------------------------------------------
// Tools

/** Runs a tool to completion (its 'close': stdout fully read) and returns its stdout; non-zero exit throws. */
export async function runTool(command: string, args: string[], input?: Buffer): Promise<string> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stdin.on('error', () => {}); // a tool may exit before reading its stdin (EPIPE)
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((done) => child.once('close', (c) => done(c)));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return out;
}

/** One redis-benchmark --csv line: requests/second and latency percentiles (ms). */
export interface BenchmarkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** redis-benchmark against `port` with `args` (-n/-c/-t/... or a command); results by test name. */
export async function redisBenchmark(port: number, args: string[]): Promise<Map<string, BenchmarkResult>> {
  const out = await runTool('redis-benchmark', ['-p', String(port), '--csv', ...args]);
  const results = new Map<string, BenchmarkResult>();
  let header: string[] = [];
  for (const line of out.split('\n')) {
    const fields = line.trim().split(',').map((f) => f.replace(/"/g, ''));
    if (fields.length < 2) continue;
    if (fields[0] === 'test') {
      header = fields;
      continue;
    }
    const field = (name: string): number => Number(fields[header.indexOf(name)] ?? NaN);
    results.set(fields[0]!, { rps: Number(fields[1]), p50Ms: field('p50_latency_ms'), p99Ms: field('p99_latency_ms') });
  }
  return results;
}

/** Sends a RESP stream through `redis-cli --pipe` (the fastest way to load a dataset into either server). */
export async function pipe(port: number, data: Buffer): Promise<void> {
  const out = await runTool('redis-cli', ['-p', String(port), '--pipe'], data);
  if (!/errors: 0,/.test(out)) throw new Error(`redis-cli --pipe reported errors: ${out.trim()}`);
}

/** Appends one command as RESP to `parts` (for building --pipe input). */
export function pushCommand(parts: string[], args: readonly string[]): void {
  parts.push(`*${args.length}\r\n`);
  for (const a of args) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`);
}

// ---------------------------------------------------------------------------------------------------------
// A minimal RESP client: replies come back in order, so one FIFO of pending promises is enough.

export class RespClient {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: { resolve: (v: ReplyValue) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error): void => {
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((done, fail) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => done(new RespClient(socket)));
      socket.once('error', fail);
    });
  }

  /** Sends `args` now; resolves with the reply (an error reply is a value, not a rejection). */
  call(...args: string[]): Promise<ReplyValue> {
    const parts: string[] = [];
    pushCommand(parts, args);
    return new Promise((done, fail) => {
      this.pending.push({ resolve: done, reject: fail });
      this.socket.write(Buffer.from(parts.join(''), 'latin1'));
    });
  }

  /** `call` that wants a bulk or simple string and throws on an error reply. */
  async text(...args: string[]): Promise<string> {
    const reply = await this.call(...args);
    if (reply.t === 'bulk' || reply.t === 'simple' || reply.t === 'verbatim') return reply.v;
    if (reply.t === 'int') return String(reply.v);
    throw new Error(`${args.join(' ')}: ${reply.t === 'error' ? reply.v : reply.t}`);
  }

  async info(section: string): Promise<Map<string, string>> {
    return parseInfo(await this.text('INFO', section));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let start = 0;
    for (;;) {
      const decoded = decodeReply(this.buffered, start, this.buffered.length);
      if (decoded === null) break;
      if ('kind' in decoded) throw new Error(`bad reply: ${decoded.message}`);
      start = decoded.next;
      this.pending.shift()?.resolve(decoded.value);
    }
    this.buffered = this.buffered.subarray(start);
  }
}

/** INFO text -> field: value. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export function infoNumber(info: Map<string, string>, field: string): number {
  return Number(info.get(field) ?? NaN);
}

// ---------------------------------------------------------------------------------------------------------
// Memory (Linux /proc)

export function rssBytes(pid: number): number {
  return procKb(`/proc/${pid}/status`, /VmRSS:\s+(\d+) kB/);
}

/**
 * Proportional set size of `pid` and its children (a forked BGSAVE child shares its parent's pages; PSS splits
 * shared pages between them, so the sum is the memory both really use). Falls back to RSS without smaps_rollup.
 */
export function treePssBytes(pid: number): number {
  let total = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      total += existsSync(`/proc/${p}/smaps_rollup`) ? procKb(`/proc/${p}/smaps_rollup`, /^Pss:\s+(\d+) kB/m) : rssBytes(p);
    } catch {
      // the child exited between listing and reading
    }
  }
  return total;
}

function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').trim();
      if (text !== '') pids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // no such process, or a kernel without task/children
  }
  return pids;
}

function procKb(file: string, pattern: RegExp): number {
  const m = pattern.exec(readFileSync(file, 'latin1'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers and the table

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per-metric samples of both servers, collected round by round, in first-seen metric order. */
export class Samples {
  private readonly byMetric = new Map<string, { redis: number[]; strongbox: number[]; format: (n: number) => string; compare: boolean }>();

  /** `compare` false: a fact, not a measure (the ratio cell stays empty). */
  add(metric: string, kind: ServerKind, value: number, format: (n: number) => string, compare = true): void {
    let entry = this.byMetric.get(metric);
    if (entry === undefined) {
      entry = { redis: [], strongbox: [], format, compare };
      this.byMetric.set(metric, entry);
    }
    entry[kind].push(value);
  }

  /** One row per metric: the medians and their ratio. */
  rows(): Row[] {
    const rows: Row[] = [];
    for (const [metric, { redis, strongbox, format, compare }] of this.byMetric) {
      const a = median(redis);
      const b = median(strongbox);
      rows.push([metric, Number.isFinite(a) ? format(a) : '-', Number.isFinite(b) ? format(b) : '-', compare ? ratio(a, b) : '']);
    }
    return rows;
  }
}

export function ratio(redis: number, strongbox: number): string {
  return Number.isFinite(redis) && Number.isFinite(strongbox) && redis > 0 ? `${(strongbox / redis).toFixed(2)}x` : '-';
}

export function formatRate(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

export function formatBytes(n: number): string {
  return Math.abs(n) < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n < 10 ? 2 : 0)} ms`;
}

export function printTable(rows: readonly Row[]): void {
  const header: Row = ['metric', 'Redis', 'Strongbox', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

export async function machineLine(): Promise<string> {
  const cpu = cpus();
  const redis = await runTool('redis-server', ['--version']).then((s) => s.trim()).catch(() => 'redis-server ?');
  return `CPU: ${cpu[0]?.model ?? '?'} x ${cpu.length}; Node ${process.version}; ${redis}`;
}

/** Progress on stderr, so stdout holds only the report. */
export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(moduleUrl) === resolve(script);
}

/** Runs one group as a script of its own: machine line, the group's rows, the table. */
export async function runAlone(group: (options: BenchOptions) => Promise<Row[]>): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(await machineLine());
  const rows = await group(options);
  console.log('');
  printTable(rows);
}
