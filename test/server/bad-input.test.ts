// Proves hostile or broken client input never hurts the server: each case goes to real Redis and to Strongbox as
// raw bytes, the replies (and whether the connection is closed) must match Redis's, nothing is allocated for a
// declared-but-unsent length, and a second client keeps getting PONG throughout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type Socket } from 'node:net';
import { requireRealRedis, startRealRedis, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

interface Exchange {
  /** Everything the server sent back. */
  reply: string;
  /** True when the server closed the connection. */
  closed: boolean;
}

async function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

interface ExchangeOptions {
  quietMs?: number;
  hangUp?: boolean;
  /** Stop as soon as this many bytes arrived. */
  replyBytes?: number;
}

/**
 * Writes `chunks` in order (waiting for each to drain), then collects the reply until the server closes the
 * connection or `quietMs` pass without new bytes. `hangUp` closes our side after sending.
 */
async function exchange(port: number, chunks: (string | Buffer)[], options: ExchangeOptions = {}): Promise<Exchange> {
  const socket = await open(port);
  const received: Buffer[] = [];
  let closed = false;
  let lastData = Date.now();
  socket.on('data', (d: Buffer) => {
    received.push(d);
    lastData = Date.now();
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    resolve();
  }));
  for (const chunk of chunks) {
    if (closed) break;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    if (!socket.write(bytes)) await new Promise<void>((resolve) => socket.once('drain', () => resolve()).once('close', () => resolve()));
  }
  if (options.hangUp === true) socket.end();
  lastData = Date.now();
  const quietMs = options.quietMs ?? 150;
  const enough = (): boolean => options.replyBytes !== undefined && received.reduce((n, b) => n + b.length, 0) >= options.replyBytes;
  while (!closed && !enough() && Date.now() - lastData < quietMs) await Promise.race([ended, new Promise((r) => setTimeout(r, 20))]);
  socket.destroy();
  return { reply: Buffer.concat(received).toString('latin1'), closed };
}

describe.runIf(enabled)('bad input, against real Redis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  let watcher: RawClient;
  beforeAll(async () => {
    redis = await startRealRedis();
    ours = await startStrongbox();
    watcher = await ours.connect();
  });
  afterAll(async () => {
    watcher?.socket.destroy();
    await redis?.stop();
    await ours?.stop();
  });

  /** Runs the same exchange against both servers and expects the same outcome; then checks the bystander. */
  async function same(chunks: (string | Buffer)[], options: { quietMs?: number; hangUp?: boolean } = {}): Promise<Exchange> {
    const [expected, actual] = await Promise.all([exchange(redis.port, chunks, options), exchange(ours.port, chunks, options)]);
    expect(actual).toEqual(expected);
    expect((await watcher.call('PING')).toString('latin1')).toBe('+PONG\r\n');
    return actual;
  }

  test('a 1 GB bulk length is refused before any allocation, and the connection closed', async () => {
    const before = process.memoryUsage().rss;
    const out = await same(['*2\r\n$3\r\nSET\r\n$1073741824\r\n', 'abc']);
    expect(out.reply).toBe('-ERR Protocol error: invalid bulk length\r\n');
    expect(out.closed).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  test('a *10000000 header followed by a hang-up costs nothing', async () => {
    const before = process.memoryUsage().rss;
    const out = await same(['*10000000\r\n$3\r\nSET\r\n'], { hangUp: true });
    expect(out.reply).toBe('');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  test('a half-sent command and a hang-up', async () => {
    await same(['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab'], { hangUp: true });
    await same(['*3\r\n$3\r\nSET\r\n$1'], { hangUp: true });
  });

  test('garbage bytes get Redis\'s replies', async () => {
    await same(['*x\r\n']);
    await same(['*1\r\nfoo\r\n']);
    await same(['*-5\r\nPING\r\n']);
    await same(['\x00\x01\x02\xff\r\n']);
    await same(['\r\n\r\nPING\r\n']);
    await same(['*1\r\n$-3\r\n']);
    await same(['*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPINGxx']);
  });

  test('random garbage never breaks the server', async () => {
    let state = 12345;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 30; i++) {
      const bytes = Buffer.alloc(1 + (next() % 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = next() % 4 === 0 ? [42, 36, 13, 10][next() % 4]! : next() & 0xff;
      await exchange(ours.port, [bytes], { quietMs: 20, hangUp: true });
    }
    expect((await watcher.call('PING')).toString('latin1')).toBe('+PONG\r\n');
  });

  test('inline commands with quotes', async () => {
    await same(['SET "a b" \'c d\'\r\nGET "a b"\r\n']);
    await same(['ECHO "x\\x41\\n\\"y"\r\n']);
    await same(['ECHO \'it\\\'s\'\r\n']);
    const out = await same(['ECHO "unbalanced\r\n']);
    expect(out.reply).toBe('-ERR Protocol error: unbalanced quotes in request\r\n');
    await same(['ECHO "a"b\r\n']);
    await same(['   \r\nPING\r\n']);
  });

  test('unknown commands and wrong arity get Redis\'s exact errors', async () => {
    await same(['*3\r\n$6\r\nNOSUCH\r\n$1\r\na\r\n$3\r\nb\nc\r\n']);
    await same([`*2\r\n$6\r\nNOSUCH\r\n$300\r\n${'x'.repeat(300)}\r\n`]);
    await same(['*1\r\n$3\r\nGET\r\n']);
    await same(['*4\r\n$3\r\nGET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n']);
    await same(['*2\r\n$6\r\nCONFIG\r\n$4\r\nNOPE\r\n']);
    await same(['*1\r\n$6\r\nCONFIG\r\n']);
  });

  test('a 100 MB argument sent in 64 KB pieces works', async () => {
    const size = 100 * 1024 * 1024;
    const header = Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`, 'latin1');
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const chunks: Buffer[] = [header];
    for (let sent = 0; sent < size; sent += piece.length) chunks.push(piece.subarray(0, Math.min(piece.length, size - sent)));
    chunks.push(Buffer.from('\r\n*2\r\n$6\r\nSTRLEN\r\n$3\r\nbig\r\n*2\r\n$3\r\nDEL\r\n$3\r\nbig\r\n', 'latin1'));
    const expected = `+OK\r\n:${size}\r\n:1\r\n`;
    const out = await exchange(ours.port, chunks, { quietMs: 10_000, replyBytes: expected.length });
    expect(out.reply).toBe(expected);
    expect((await watcher.call('PING')).toString('latin1')).toBe('+PONG\r\n');
  }, 120_000);

  test('client-query-buffer-limit closes the offending client only', async () => {
    await Promise.all([redis.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb'), ours.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')]);
    try {
      const big = 2 * 1024 * 1024;
      const out = await same([`*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$${big}\r\n`, Buffer.alloc(big, 0x62), '\r\n'], { quietMs: 300 });
      expect(out.closed).toBe(true);
      expect(out.reply).toBe('');
      // An inline request with no newline grows the buffer without a length: also cut off (Redis: 64 KB inline cap).
      await same([Buffer.alloc(200 * 1024, 0x61)], { quietMs: 300 });
    } finally {
      await Promise.all([redis.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb'), ours.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb')]);
    }
  });
});

