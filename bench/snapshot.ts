/**
 * Snapshots of a large dataset, side by side: RDB load time at start-up, then BGSAVE and BGREWRITEAOF while a
 * steady client load runs.
 *
 * The dataset is written once by redis-server itself (DEBUG POPULATE <keys>, SAVE: strings `key:N` = `value:N`).
 * Each round starts Redis, then Strongbox, from a copy of that file (`appendonly no`, `save ""`) and reads the
 * load time from the server's own "DB loaded from disk: X seconds" log line. Then, for BGSAVE and for
 * BGREWRITEAOF in turn, a latency probe sends GET and SET of random existing keys at a fixed rate over a few
 * connections; the command is sent, and the snapshot window runs from sending it to the first INFO persistence
 * (polled every 20 ms, asked after the command's reply) that shows `rdb_bgsave_in_progress:0` /
 * `aof_rewrite_in_progress:0` and a completed snapshot (`rdb_saves` / `aof_rewrites` advanced). The window so includes Redis's fork and, for an implementation that does the
 * work inside the command, the whole blocking command: the time the flag is 1 plus what came before it.
 *
 * Latency is measured from each request's scheduled send time (open loop), so a stalled server is charged for
 * every request it delays, not just one per connection (no coordinated omission). Extra memory: the peak,
 * sampled every 20 ms during the window, of the server's PSS plus its children's (Redis's BGSAVE child shares
 * pages with its parent; PSS counts each shared page once), minus the value just before the command; next to it
 * the server's own INFO rdb_last_cow_size / aof_last_cow_size.
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { decodeReply, type ReplyValue } from '../formats/index.js';
import {
  KINDS,
  RespClient,
  Samples,
  formatBytes,
  formatMs,
  infoNumber,
  isMain,
  newDir,
  progress,
  runAlone,
  sleep,
  startServer,
  treePssBytes,
  type BenchOptions,
  type Row,
  type Server,
} from './harness.js';

/** Connections the probe's requests (`--probe-rate` a second, half GET, half SET) are spread over. */
const PROBE_CONNECTIONS = 8;
/** Probe time before the command, to settle and to measure the latency without a snapshot. */
const BASELINE_MS = 1500;
/** INFO persistence and memory are read this often during the window. */
const INFO_POLL_MS = 20;

/** The INFO persistence fields that follow one kind of snapshot. */
interface SnapshotKind {
  command: 'BGSAVE' | 'BGREWRITEAOF';
  /** 1 while it runs. */
  progressField: string;
  /** Counts completed snapshots: the window also waits for it to move, in case the flag is never raised. */
  countField: string;
  statusField: string;
  cowField: string;
}

const SNAPSHOTS: SnapshotKind[] = [
  { command: 'BGSAVE', progressField: 'rdb_bgsave_in_progress', countField: 'rdb_saves', statusField: 'rdb_last_bgsave_status', cowField: 'rdb_last_cow_size' },
  { command: 'BGREWRITEAOF', progressField: 'aof_rewrite_in_progress', countField: 'aof_rewrites', statusField: 'aof_last_bgrewrite_status', cowField: 'aof_last_cow_size' },
];

/** A snapshot that has not finished after this long is a failure. */
const SNAPSHOT_TIMEOUT_MS = 10 * 60 * 1000;

/** RDB load time only (bench/rdb-load.ts). */
export function rdbLoadRows(options: BenchOptions): Promise<Row[]> {
  return snapshotRows(options, false);
}

/** RDB load time, and with `snapshots` BGSAVE and BGREWRITEAOF under load. */
export async function snapshotRows(options: BenchOptions, snapshots = true): Promise<Row[]> {
  const dumpDir = newDir('dump');
  const samples = new Samples();
  const keysLabel = options.keys.toLocaleString('en-US');
  try {
    progress(`snapshot: writing a ${keysLabel}-key RDB with redis-server DEBUG POPULATE`);
    const dump = await writeDump(options.keys, dumpDir);
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of KINDS) {
        const dir = newDir(kind);
        copyFileSync(dump, join(dir, 'dump.rdb'));
        const server = await startServer(kind, { dbfilename: 'dump.rdb' }, dir);
        try {
          samples.add(`RDB load at start-up, ${keysLabel} keys (log)`, kind, (await loadSecondsFromLog(server)) * 1000, formatMs);
          const admin = await RespClient.connect(server.port);
          const size = Number(await admin.text('DBSIZE'));
          admin.close();
          if (size !== options.keys) throw new Error(`${kind} loaded ${size} keys, not ${options.keys}`);
          if (snapshots) {
            for (const snapshot of SNAPSHOTS) {
              const m = await measureSnapshot(server, snapshot, options);
              const label = `${snapshot.command}, ${keysLabel} keys`;
              if (snapshot.command === 'BGSAVE') {
                samples.add(`probe (${options.probeRate} GET+SET/s) p50 latency, no snapshot`, kind, m.baselineP50Ms, formatMs);
                samples.add(`probe (${options.probeRate} GET+SET/s) p99 latency, no snapshot`, kind, m.baselineP99Ms, formatMs);
              }
              samples.add(`${label}: duration`, kind, m.durationMs, formatMs);
              samples.add(`${label}: probe p50 latency`, kind, m.p50Ms, formatMs);
              samples.add(`${label}: probe p99 latency`, kind, m.p99Ms, formatMs);
              samples.add(`${label}: extra memory (peak PSS growth)`, kind, m.extraBytes, formatBytes);
              samples.add(`${label}: INFO ${snapshot.cowField}`, kind, m.cowBytes, formatBytes);
              samples.add(`${label}: in the background (${snapshot.progressField}:1 seen)`, kind, m.flagSeen ? 1 : 0, yesNo, false);
              progress(`  ${kind} ${snapshot.command}: ${formatMs(m.durationMs)}, p99 ${formatMs(m.p99Ms)}, +${formatBytes(m.extraBytes)}, flag seen: ${m.flagSeen}`);
            }
          }
        } finally {
          await server.stop();
        }
        process.stderr.write('.');
      }
    }
    process.stderr.write('\n');
  } finally {
    rmSync(dumpDir, { recursive: true, force: true });
  }
  return samples.rows();
}

/** The RDB both servers load: written by redis-server, the reference. */
async function writeDump(keys: number, target: string): Promise<string> {
  const server = await startServer('redis', { 'enable-debug-command': 'yes' });
  try {
    const admin = await RespClient.connect(server.port);
    await admin.text('DEBUG', 'POPULATE', String(keys));
    await admin.text('SAVE');
    admin.close();
    copyFileSync(join(server.dir, 'dump.rdb'), join(target, 'dump.rdb'));
  } finally {
    await server.stop();
  }
  return join(target, 'dump.rdb');
}

/** The server's own load time; its log may reach the file a little after it answers PING. */
async function loadSecondsFromLog(server: Server): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const m = /DB loaded from disk: ([0-9.]+) seconds/.exec(readFileSync(server.logFile, 'latin1'));
    if (m !== null) return Number(m[1]);
    await sleep(25);
  }
  throw new Error(`${server.kind} logged no "DB loaded from disk" line in ${server.logFile}`);
}

interface SnapshotMeasure {
  durationMs: number;
  p50Ms: number;
  p99Ms: number;
  baselineP50Ms: number;
  baselineP99Ms: number;
  extraBytes: number;
  cowBytes: number;
  /** Whether any poll saw the in-progress flag at 1 (false: the command did the work before replying). */
  flagSeen: boolean;
}

async function measureSnapshot(server: Server, snapshot: SnapshotKind, options: BenchOptions): Promise<SnapshotMeasure> {
  const probe = await LatencyProbe.start(server.port, options.keys, options.probeRate);
  const admin = await RespClient.connect(server.port);
  const poller = await RespClient.connect(server.port);
  try {
    await sleep(BASELINE_MS);
    const baseline = probe.latenciesBetween(probe.startedAt + BASELINE_MS / 3, performance.now());
    const countBefore = infoNumber(await poller.info('persistence'), snapshot.countField);
    const memoryBefore = treePssBytes(server.pid);
    let memoryPeak = memoryBefore;
    const sentAt = performance.now();
    const command: { answer: ReplyValue | null } = { answer: null };
    const reply = admin.call(snapshot.command).then((r) => (command.answer = r));
    let flagSeen = false;
    let endedAt = 0;
    while (endedAt === 0) {
      await sleep(INFO_POLL_MS);
      memoryPeak = Math.max(memoryPeak, treePssBytes(server.pid));
      if (performance.now() - sentAt > SNAPSHOT_TIMEOUT_MS) throw new Error(`${server.kind} ${snapshot.command} still running`);
      const answer = command.answer;
      if (answer === null) continue;
      if (answer.t === 'error') throw new Error(`${server.kind} ${snapshot.command}: ${answer.v}`);
      const info = await poller.info('persistence');
      if (info.get(snapshot.progressField) === '1') flagSeen = true;
      else if (info.get(snapshot.statusField) === 'err') throw new Error(`${server.kind} ${snapshot.command} failed (${snapshot.statusField}:err)`);
      else if (infoNumber(info, snapshot.countField) > countBefore) endedAt = performance.now();
    }
    memoryPeak = Math.max(memoryPeak, treePssBytes(server.pid));
    await reply;
    await probe.stop();
    const during = probe.latenciesBetween(sentAt, endedAt);
    const info = await poller.info('persistence');
    return {
      durationMs: endedAt - sentAt,
      p50Ms: percentile(during, 0.5),
      p99Ms: percentile(during, 0.99),
      baselineP50Ms: percentile(baseline, 0.5),
      baselineP99Ms: percentile(baseline, 0.99),
      extraBytes: memoryPeak - memoryBefore,
      cowBytes: infoNumber(info, snapshot.cowField),
      flagSeen,
    };
  } finally {
    await probe.stop();
    admin.close();
    poller.close();
  }
}

function yesNo(n: number): string {
  return n >= 0.5 ? 'yes' : 'no';
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Open-loop load: requests are scheduled at `rate` per second, round-robin over PROBE_CONNECTIONS, each
 * sent as soon as the timer lets the probe catch up; a request's latency is its reply time minus its scheduled
 * time. Alternates `GET key:<n>` and `SET key:<n> value:<n>` (the same bytes DEBUG POPULATE wrote, so the
 * dataset's size does not drift) on random existing keys.
 */
class LatencyProbe {
  /** Scheduled time and latency of every answered request. */
  private readonly scheduled: number[] = [];
  private readonly latencies: number[] = [];
  private sent = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped: Promise<void> | null = null;
  readonly startedAt = performance.now();

  private constructor(
    private readonly connections: ProbeConnection[],
    private readonly keys: number,
    private readonly rate: number,
  ) {
    this.timer = setInterval(() => this.tick(), 1);
  }

  static async start(port: number, keys: number, rate: number): Promise<LatencyProbe> {
    const connections = await Promise.all(Array.from({ length: PROBE_CONNECTIONS }, () => ProbeConnection.open(port)));
    const probe = new LatencyProbe(connections, keys, rate);
    for (const c of connections) c.onReply = (scheduledAt, repliedAt) => probe.record(scheduledAt, repliedAt);
    return probe;
  }

  /** Latencies (ms) of the requests scheduled in [fromMs, toMs). */
  latenciesBetween(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.scheduled.length; i++) {
      const at = this.scheduled[i]!;
      if (at >= fromMs && at < toMs) out.push(this.latencies[i]!);
    }
    return out;
  }

  /** Stops scheduling, waits for every reply, closes the connections. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      await Promise.all(this.connections.map((c) => c.drain()));
      for (const c of this.connections) c.close();
    })();
    return this.stopped;
  }

  private record(scheduledAt: number, repliedAt: number): void {
    this.scheduled.push(scheduledAt);
    this.latencies.push(repliedAt - scheduledAt);
  }

  private tick(): void {
    const now = performance.now();
    const due = Math.floor(((now - this.startedAt) * this.rate) / 1000);
    for (; this.sent < due; this.sent++) {
      const n = Math.floor(Math.random() * this.keys);
      const args = this.sent % 2 === 0 ? ['GET', `key:${n}`] : ['SET', `key:${n}`, `value:${n}`];
      this.connections[this.sent % this.connections.length]!.queue(args, this.startedAt + (this.sent * 1000) / this.rate);
    }
    for (const c of this.connections) c.flush();
  }
}

/** One probe socket: a FIFO of scheduled times, matched to replies in order. */
class ProbeConnection {
  onReply: (scheduledAt: number, repliedAt: number) => void = () => {};
  private readonly waiting: number[] = [];
  private outgoing: string[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private drained: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.drained?.());
  }

  static open(port: number): Promise<ProbeConnection> {
    return new Promise((done, fail) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => done(new ProbeConnection(socket)));
      socket.once('error', fail);
    });
  }

  queue(args: string[], scheduledAt: number): void {
    this.outgoing.push(`*${args.length}\r\n`);
    for (const a of args) this.outgoing.push(`$${a.length}\r\n${a}\r\n`);
    this.waiting.push(scheduledAt);
  }

  flush(): void {
    if (this.outgoing.length === 0) return;
    this.socket.write(this.outgoing.join(''), 'latin1');
    this.outgoing = [];
  }

  drain(): Promise<void> {
    if (this.waiting.length === 0 || this.socket.destroyed) return Promise.resolve();
    return new Promise((done) => (this.drained = done));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const now = performance.now();
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let start = 0;
    for (;;) {
      const decoded = decodeReply(this.buffered, start, this.buffered.length);
      if (decoded === null) break;
      if ('kind' in decoded) throw new Error(`probe: bad reply: ${decoded.message}`);
      if (decoded.value.t === 'error') throw new Error(`probe: ${decoded.value.v}`);
      start = decoded.next;
      const scheduledAt = this.waiting.shift();
      if (scheduledAt !== undefined) this.onReply(scheduledAt, now);
    }
    this.buffered = this.buffered.subarray(start);
    if (this.waiting.length === 0) this.drained?.();
  }
}

if (isMain(import.meta.url)) await runAlone(snapshotRows);
