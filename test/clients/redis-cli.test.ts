// Proves Redis's own tools work against Strongbox: redis-cli (commands, `--pipe` mass insert, INFO) prints what
// it prints for real Redis, redis-benchmark runs without errors with and without pipelining, and a MONITOR
// connection sees other clients' commands in Redis's line format.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { connectRaw, requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

/** Runs a tool asynchronously (the Strongbox under test shares this process's event loop). */
async function run(command: string, args: string[], input?: string | Buffer): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
  child.stdin.on('error', () => {}); // a tool may exit before reading its stdin (EPIPE)
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  return { code, out, err };
}

const cli = (port: number, args: string[], input?: string | Buffer) => run('redis-cli', ['-p', String(port), ...args], input);

describe.runIf(enabled)('redis-cli, redis-benchmark and MONITOR', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    [redis, ours] = await Promise.all([startRealRedis(), startStrongbox()]);
  });
  afterAll(async () => {
    await redis?.stop();
    await ours?.stop();
  });

  test('redis-cli prints the same for the same commands', async () => {
    const commands = [
      ['SET', 'k', 'hello world'],
      ['GET', 'k'],
      ['GET', 'missing'],
      ['INCR', 'n'],
      ['INCR', 'k'],
      ['MSET', 'a', '1', 'b', '2'],
      ['MGET', 'a', 'b', 'c'],
      ['EXISTS', 'a', 'b'],
      ['NOSUCH', 'x'],
      ['DEL', 'a', 'b', 'k', 'n'],
      ['DBSIZE'],
    ];
    for (const args of commands) {
      const [expected, actual] = await Promise.all([cli(redis.port, args), cli(ours.port, args)]);
      expect(actual, args.join(' ')).toEqual(expected);
    }
    const script = 'SET x 1\nINCRBY x 41\nGET x\nDEL x\n';
    const [expected, actual] = await Promise.all([cli(redis.port, [], script), cli(ours.port, [], script)]);
    expect(actual).toEqual(expected);
  });

  test('redis-cli --pipe mass insert', async () => {
    await cli(ours.port, ['FLUSHALL']);
    const n = 20_000;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(`*3\r\n$3\r\nSET\r\n$${`key:${i}`.length}\r\nkey:${i}\r\n$${String(i).length}\r\n${i}\r\n`);
    const result = await cli(ours.port, ['--pipe'], parts.join(''));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`errors: 0, replies: ${n}`);
    expect((await cli(ours.port, ['DBSIZE'])).out).toBe(`${n}\n`);
    expect((await cli(ours.port, ['GET', 'key:12345'])).out).toBe('12345\n');
    await cli(ours.port, ['FLUSHALL']);
  });

  test('redis-cli INFO', async () => {
    await cli(ours.port, ['FLUSHALL']);
    await cli(ours.port, ['SET', 'info-key', 'v']);
    const info = await cli(ours.port, ['INFO']);
    expect(info.code).toBe(0);
    for (const section of ['# Server', '# Clients', '# Memory', '# Stats', '# Keyspace']) expect(info.out).toContain(section);
    expect(info.out).toMatch(/redis_version:7\.0\.15/);
    expect(info.out).toMatch(/db0:keys=1,expires=0,avg_ttl=0/);
    await cli(ours.port, ['DEL', 'info-key']);
  });

  for (const pipeline of ['1', '16']) {
    test(`redis-benchmark -P ${pipeline} runs clean`, async () => {
      const result = await run('redis-benchmark', ['-p', String(ours.port), '-q', '-n', '20000', '-t', 'set,get,incr,mset', '-P', pipeline]);
      expect(result.code).toBe(0);
      expect(result.out + result.err).not.toMatch(/error|ERR/i);
      const rates = new Map<string, number>();
      for (const line of result.out.split(/[\r\n]/)) {
        const m = /^([^:]+): ([\d.]+) requests per second/.exec(line.trim());
        if (m !== null) rates.set(m[1]!.trim(), Number(m[2]));
      }
      expect([...rates.keys()].sort()).toEqual(['GET', 'INCR', 'MSET (10 keys)', 'SET']);
      for (const rate of rates.values()) expect(rate).toBeGreaterThan(0);
    }, 120_000);
  }

  test('MONITOR shows other clients\' commands in Redis\'s format', async () => {
    const lines = async (port: number): Promise<string[]> => {
      const monitor = await connectRaw(port);
      const other = await connectRaw(port);
      expect((await monitor.call('MONITOR')).toString('latin1')).toBe('+OK\r\n');
      const seen: string[] = [];
      let buffered = '';
      const got = new Promise<void>((resolve) => {
        monitor.socket.on('data', (d: Buffer) => {
          buffered += d.toString('latin1');
          if (buffered.split('\r\n').length > 3) resolve();
        });
      });
      await other.call('SELECT', '2');
      await other.call('SET', 'k', 'a "quoted"\n\x01 value');
      await other.call('GET', 'k');
      await got;
      for (const line of buffered.split('\r\n').filter((l) => l !== '')) seen.push(line);
      const port2 = other.socket.localPort;
      monitor.socket.destroy();
      other.socket.destroy();
      // The timestamp and the client's port differ between runs; everything else must match.
      return seen.map((l) => l.replace(/^\+\d+\.\d{6} /, '+<time> ').replace(`:${port2}]`, ':<port>]'));
    };
    const expected = await lines(redis.port);
    const actual = await lines(ours.port);
    expect(actual).toEqual(expected);
    expect(actual[1]).toBe('+<time> [2 127.0.0.1:<port>] "SET" "k" "a \\"quoted\\"\\n\\x01 value"');
  });
});
