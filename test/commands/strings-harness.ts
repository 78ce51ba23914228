// Shared driver for the string/bit/HLL differential tests: one real redis-server and one in-process Strongbox,
// the same commands sent to both, replies compared as raw bytes (RESP2, or RESP3 after HELLO 3), plus the
// replication stream of each side (real Redis through PSYNC, Strongbox through its propagate listener).
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { connectRaw, requireRealRedis, startRealRedis, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { ListValue } from '../../src/keyspace/index.js';

export interface Pair {
  real: RealRedis;
  ours: Strongbox;
  stop(): Promise<void>;
}

export async function startPair(): Promise<Pair> {
  const real = await startRealRedis([
    '--repl-diskless-sync', 'no', '--repl-ping-replica-period', '3600', '--enable-debug-command', 'yes',
  ]);
  const ours = await startStrongbox();
  return {
    real,
    ours,
    async stop() {
      await real.stop();
      await ours.stop();
    },
  };
}

/**
 * Stops active expiry on both sides, so keys whose TTL passed are deleted only when a command touches them: the
 * DEL each side propagates then lands at the same place in both streams.
 */
export async function disableActiveExpiry(pair: Pair): Promise<void> {
  await pair.real.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  pair.ours.server.engine.keyspace.activeExpireEnabled = false;
}

/** One client per side, in RESP2 or (after HELLO 3, whose reply is not compared) RESP3. */
export interface ClientPair {
  real: RawClient;
  ours: RawClient;
  close(): void;
}

export async function clients(pair: Pair, protocol: 2 | 3): Promise<ClientPair> {
  const real = await connectRaw(pair.real.port);
  const ours = await pair.ours.connect();
  if (protocol === 3) {
    await real.call('HELLO', '3');
    await ours.call('HELLO', '3');
  }
  return {
    real,
    ours,
    close() {
      real.socket.destroy();
      ours.socket.destroy();
    },
  };
}

export interface Mismatch {
  command: string;
  expected: string;
  actual: string;
}

/** Sends each command to both sides in order; returns every reply that differs (empty when all match). */
export async function compareSequence(c: ClientPair, commands: readonly string[][]): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (const args of commands) {
    const [expected, actual] = await Promise.all([c.real.call(...args), c.ours.call(...args)]);
    if (!expected.equals(actual)) {
      mismatches.push({
        command: JSON.stringify(args).slice(0, 300),
        expected: JSON.stringify(expected.toString('latin1')).slice(0, 300),
        actual: JSON.stringify(actual.toString('latin1')).slice(0, 300),
      });
    }
  }
  return mismatches;
}

// ---------------------------------------------------------------------------------------------------------
// Replication streams

/** Commands a side propagated, as argument vectors, with SELECT inserted on db changes as Redis's stream has. */
export interface Stream {
  commands(): string[][];
  close(): void;
}

/** Attaches to real Redis as a replica (PSYNC ? -1) and collects the command stream after the RDB payload. */
export async function realStream(port: number): Promise<Stream> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  let buf = Buffer.alloc(0);
  let phase: 'header' | 'rdb' | 'stream' = 'header';
  let rdbLeft = 0;
  const out: string[][] = [];
  let ready!: () => void;
  const synced = new Promise<void>((resolve) => (ready = resolve));
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      while (phase !== 'stream' && buf[0] === 0x0a) buf = buf.subarray(1);
      if (phase === 'header') {
        const end = buf.indexOf('\r\n');
        if (end < 0) return;
        const line = buf.toString('latin1', 0, end);
        buf = buf.subarray(end + 2);
        if (line.startsWith('$')) {
          rdbLeft = Number(line.slice(1));
          phase = 'rdb';
        }
        continue;
      }
      if (phase === 'rdb') {
        const take = Math.min(rdbLeft, buf.length);
        buf = buf.subarray(take);
        rdbLeft -= take;
        if (rdbLeft > 0) return;
        phase = 'stream';
        ready();
        continue;
      }
      const parsed = parseCommand(buf);
      if (parsed === null) return;
      buf = buf.subarray(parsed.end);
      out.push(parsed.args);
    }
  });
  socket.write('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
  await synced;
  return {
    commands: () => out.filter((args) => args[0]?.toUpperCase() !== 'PING'),
    close: () => socket.destroy(),
  };
}

function parseCommand(buf: Buffer): { args: string[]; end: number } | null {
  let p = buf.indexOf('\r\n');
  if (p < 0) return null;
  const count = Number(buf.toString('latin1', 1, p));
  p += 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const lineEnd = buf.indexOf('\r\n', p);
    if (lineEnd < 0) return null;
    const length = Number(buf.toString('latin1', p + 1, lineEnd));
    if (buf.length < lineEnd + 2 + length + 2) return null;
    args.push(buf.toString('latin1', lineEnd + 2, lineEnd + 2 + length));
    p = lineEnd + 2 + length + 2;
  }
  return { args, end: p };
}

/** Strongbox's propagation, rendered like a replication stream (SELECT before the first command of each db). */
export function oursStream(ours: Strongbox): Stream {
  const out: string[][] = [];
  let db = -1;
  let open = true;
  ours.server.propagateListeners.push((batch) => {
    if (!open) return;
    for (const command of batch) {
      if (command.dbIndex !== db) {
        out.push(['SELECT', String(command.dbIndex)]);
        db = command.dbIndex;
      }
      out.push([...command.args]);
    }
  });
  return {
    commands: () => out,
    close: () => (open = false),
  };
}

/**
 * The two streams as comparable text: absolute expire times that came from relative ones differ by the few ms
 * between the two servers, so a PXAT/PEXPIREAT argument within `toleranceMs` of the other side's counts as
 * equal. Returns null when equal, else both renderings.
 */
export function diffStreams(expected: string[][], actual: string[][], toleranceMs = 3000): [string, string] | null {
  const render = (cmds: string[][]): string[] => cmds.map((c) => JSON.stringify(c));
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined || a === undefined || !sameCommand(e, a, toleranceMs)) {
      const window = (cmds: string[][]): string => render(cmds.slice(Math.max(0, i - 3), i + 4)).join('\n');
      return [`at ${i}:\n${window(expected)}`, `at ${i}:\n${window(actual)}`];
    }
  }
  return null;
}

function sameCommand(e: string[], a: string[], toleranceMs: number): boolean {
  if (e.length !== a.length) return false;
  for (let j = 0; j < e.length; j++) {
    if (e[j] === a[j]) continue;
    const previous = e[j - 1]?.toUpperCase();
    const isTime = previous === 'PXAT' || (j === 2 && e[0]?.toUpperCase() === 'PEXPIREAT');
    if (!isTime || Math.abs(Number(e[j]) - Number(a[j])) > toleranceMs) return false;
  }
  return true;
}

/** Waits until both streams stop growing (real Redis sends its stream asynchronously). */
export async function settle(...streams: Stream[]): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const total = streams.reduce((n, s) => n + s.commands().length, 0);
    if (total === last) return;
    last = total;
  }
}

/** Creates a list at `list` on both sides (for WRONGTYPE paths) without relying on list commands here. */
export async function seedList(pair: Pair): Promise<void> {
  await pair.real.call('RPUSH', 'list', 'a');
  const engine = pair.ours.server.engine;
  engine.keyspace.db(0).set('list', ListValue.fromItems(['a'], engine.keyspace.config));
}

export interface SuiteOptions {
  /** An event name the notification check must see (proves events flowed at all). */
  event: string;
  /** A command name the replication stream must contain. */
  propagated: string;
}

/**
 * Registers the standard differential suite for `groups` (each group from an empty db holding only `list`):
 * each group's replies in RESP2 and RESP3, then all groups once more with keyspace notifications (KEA, every
 * event byte compared) and both replication streams compared. Active expiry is off on both sides, so expired keys
 * go only when a command touches them, at the same point of both streams.
 */
export function differentialSuite(title: string, groups: Record<string, string[][]>, options: SuiteOptions): void {
  describe.runIf(requireRealRedis())(title, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await startPair();
      await disableActiveExpiry(pair);
    });
    afterAll(async () => {
      await pair.stop();
    });
    beforeEach(async () => {
      await pair.real.call('FLUSHALL');
      await pair.ours.call('FLUSHALL');
      await seedList(pair);
    });

    for (const protocol of [2, 3] as const) {
      for (const [name, commands] of Object.entries(groups)) {
        test(`${name} (RESP${protocol})`, async () => {
          const c = await clients(pair, protocol);
          try {
            expect(await compareSequence(c, commands)).toEqual([]);
          } finally {
            c.close();
          }
        });
      }
    }

    test('keyspace notifications and replication streams match', async () => {
      for (const side of [pair.real, pair.ours]) await side.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
      const real = await realStream(pair.real.port);
      const ours = oursStream(pair.ours);
      const c = await clients(pair, 2);
      const sub = await clients(pair, 2);
      try {
        const events: [string[], string[]] = [[], []];
        for (const [i, side] of [sub.real, sub.ours].entries()) {
          side.socket.on('data', (chunk: Buffer) => events[i]!.push(chunk.toString('latin1')));
        }
        await Promise.all([sub.real.call('PSUBSCRIBE', '*'), sub.ours.call('PSUBSCRIBE', '*')]);
        for (const commands of Object.values(groups)) await compareSequence(c, [['FLUSHALL'], ...commands]);
        await settle(real, ours);
        await Promise.all([sub.real.call('PING'), sub.ours.call('PING')]);
        expect(events[0].join('')).toContain(options.event);
        expect(events[1].join('')).toBe(events[0].join(''));
        expect(real.commands().some((args) => args[0]?.toUpperCase() === options.propagated)).toBe(true);
        expect(diffStreams(real.commands(), ours.commands())).toBeNull();
      } finally {
        sub.close();
        c.close();
        real.close();
        ours.close();
        for (const side of [pair.real, pair.ours]) await side.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      }
    });
  });
}
