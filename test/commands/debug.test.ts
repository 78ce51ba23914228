// Proves DEBUG behaves like Redis 7.0.15's: the same access rules under enable-debug-command, byte-identical
// replies (HELP, PROTOCOL in RESP2/RESP3, DIGEST, DIGEST-VALUE, OBJECT's fields, errors) against a real
// redis-server, and the effects of SLEEP, SET-ACTIVE-EXPIRE and RELOAD observed from outside.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRaw, requireRealRedis, startRealRedis, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

async function same(r: RawClient, o: RawClient, args: string[]): Promise<string> {
  const expected = (await r.call(...args)).toString('latin1');
  expect((await o.call(...args)).toString('latin1'), args.join(' ')).toBe(expected);
  return expected;
}

describe.runIf(enabled)('DEBUG access follows enable-debug-command', () => {
  for (const setting of ['no', 'local', 'yes']) {
    test(`enable-debug-command ${setting}`, async () => {
      const redis = await startRealRedis(['--enable-debug-command', setting]);
      const ours = await startStrongbox(['--enable-debug-command', setting]);
      const r = await connectRaw(redis.port);
      const o = await ours.connect();
      const reply = await same(r, o, ['DEBUG', 'PROTOCOL', 'integer']);
      expect(reply.startsWith('-') ? 'refused' : 'allowed').toBe(setting === 'no' ? 'refused' : 'allowed');
      await same(r, o, ['DEBUG', 'DIGEST']);
      // Refused before queuing, like Redis: the transaction is aborted.
      for (const args of [['MULTI'], ['DEBUG', 'DIGEST'], ['SET', 'a', '1'], ['EXEC'], ['INFO', 'errorstats']]) await same(r, o, args);
      r.socket.destroy();
      o.socket.destroy();
      await redis.stop();
      await ours.stop();
    });
  }
});

describe.runIf(enabled)('DEBUG replies, byte for byte', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis(['--enable-debug-command', 'yes']);
    ours = await startStrongbox(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await redis.stop();
    await ours.stop();
  });

  const protocolTypes = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nope'];

  for (const protocol of ['2', '3']) {
    test(`HELP, PROTOCOL, ERROR, DIGEST and errors in RESP${protocol}`, async () => {
      const r = await connectRaw(redis.port);
      const o = await ours.connect();
      await r.call('HELLO', protocol);
      await o.call('HELLO', protocol);
      const steps: string[][] = [
        ['FLUSHALL'],
        ['DEBUG', 'HELP'],
        ['debug', 'help'],
        ['DEBUG', 'HELP', 'x'],
        ['DEBUG', 'NOPE'],
        ['DEBUG', 'DIGEST', 'x'],
        ['DEBUG', 'OBJECT'],
        ['DEBUG', 'OBJECT', 'nope'],
        ['DEBUG', 'ERROR', 'MYERR some\r\ntext'],
        ['DEBUG', 'ERROR', 'plain'],
        ['DEBUG', 'DIGEST'],
        ['DEBUG', 'DIGEST-VALUE'],
        ['DEBUG', 'DIGEST-VALUE', 'nope'],
        ['SET', 'a', '1'],
        ['SET', 'b', 'hello'],
        ['SET', '', ''],
        ['PEXPIRE', 'b', '100000'],
        ['SELECT', '3'],
        ['SET', 'in3', 'x'.repeat(1000)],
        ['SELECT', '0'],
        ['DEBUG', 'DIGEST'],
        ['DEBUG', 'DIGEST-VALUE', 'a', 'b', 'nope', ''],
        ['DEBUG', 'SLEEP', '0'],
        ['DEBUG', 'SLEEP', 'abc'],
        ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'abc'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1kb'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
        ['DEBUG', 'RELOAD', 'FOO'],
        ['DEBUG', 'POPULATE', '-1'],
        ['DEBUG', 'POPULATE', 'x'],
        ['DEBUG', 'POPULATE', '20', 'pre', '12'],
        ['DEBUG', 'DIGEST'],
        ['DEBUG', 'DIGEST-VALUE', 'pre:7'],
        ...protocolTypes.map((t) => ['DEBUG', 'PROTOCOL', t]),
      ];
      // In RESP3, PROTOCOL push and attrib write two replies; the client then reads one behind, the same on both.
      for (const args of steps) await same(r, o, args);
      r.socket.destroy();
      o.socket.destroy();
    });
  }

  test('DEBUG OBJECT: the same line but for the address and LRU clock, for strings of every encoding', async () => {
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    // serializedlength counts the value as RDB writes it, so compressible values check our LZF output's length.
    let state = 12345;
    const noise = (n: number): string =>
      Array.from({ length: n }, () => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return String.fromCharCode(33 + ((state >>> 16) % 94));
      }).join('');
    const values = ['1', '-5', '12345678901', 'hello', noise(44), noise(45), noise(300), '9223372036854775808', 'a'.repeat(70), 'ab'.repeat(22), `${noise(30)}${'xyz'.repeat(40)}${noise(30)}`];
    for (const [i, v] of values.entries()) {
      await same(r, o, ['SET', `s${i}`, v]);
      // The LRU clock is in seconds: the two servers may read it either side of a second boundary.
      const mask = (line: string): string =>
        line.replace(/Value at:0x[0-9a-f]+/, 'Value at:X').replace(/ lru:\d+ lru_seconds_idle:[01]/, ' lru:L lru_seconds_idle:I');
      const expected = mask((await r.call('DEBUG', 'OBJECT', `s${i}`)).toString('latin1'));
      expect(mask((await o.call('DEBUG', 'OBJECT', `s${i}`)).toString('latin1')), v).toBe(expected);
    }
    r.socket.destroy();
    o.socket.destroy();
  });
});

describe.runIf(enabled)('DEBUG OBJECT of collections', () => {
  test('encoding, serialized length and quicklist fields equal Redis for lists, hashes, sorted sets, streams', async () => {
    const redis = await startRealRedis(['--enable-debug-command', 'yes']);
    const ours = await startStrongbox(['--enable-debug-command', 'yes']);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const big = (c: string): string => c.repeat(3000);
    const writes: string[][] = [
      ['RPUSH', 'l1', 'a', 'b', '1', '2', '-70000', '123456789012'],
      ['RPUSH', 'l2', big('y'), big('z'), big('w')],
      ['RPUSH', 'l3', ...Array.from({ length: 1000 }, (_, i) => `item:${i}`)],
      ['HSET', 'h1', 'f', 'v', 'g', '1'],
      ['ZADD', 'z1', '1', 'a', '2.5', 'b', '-inf', 'c'],
      ['XADD', 'x1', '1-1', 'f', 'v'],
      ['XADD', 'x1', '2-1', 'f', 'w', 'g', '5'],
    ];
    for (const args of writes) await same(r, o, args);
    const mask = (line: string): string =>
      line.replace(/Value at:0x[0-9a-f]+/, 'Value at:X').replace(/ lru:\d+ lru_seconds_idle:[01]/, ' lru:L lru_seconds_idle:I');
    for (const key of ['l1', 'l2', 'l3', 'h1', 'z1', 'x1']) {
      const expected = mask((await r.call('DEBUG', 'OBJECT', key)).toString('latin1'));
      expect(mask((await o.call('DEBUG', 'OBJECT', key)).toString('latin1')), key).toBe(expected);
    }
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});

describe.runIf(enabled)('DEBUG effects', () => {
  test('SLEEP stops the whole server, SET-ACTIVE-EXPIRE 0 keeps expired keys until looked up', async () => {
    const ours = await startStrongbox(['--enable-debug-command', 'yes', '--hz', '100']);
    const a = await ours.connect();
    const b = await ours.connect();
    const started = performance.now();
    const sleeping = a.call('DEBUG', 'SLEEP', '0.2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await b.call('PING');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await sleeping).toString()).toBe('+OK\r\n');

    await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    for (let i = 0; i < 50; i++) {
      await a.call('SET', `k${i}`, 'v');
      await a.call('PEXPIRE', `k${i}`, '10');
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await a.call('DBSIZE')).toString()).toBe(':50\r\n');
    expect((await a.call('GET', 'k0')).toString()).toBe('$-1\r\n');
    expect((await a.call('DBSIZE')).toString()).toBe(':49\r\n');
    await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await a.call('DBSIZE')).toString()).toBe(':0\r\n');
    a.socket.destroy();
    b.socket.destroy();
    await ours.stop();
  });

  test('RELOAD keeps the dataset digest', async () => {
    const redis = await startRealRedis(['--enable-debug-command', 'yes']);
    const ours = await startStrongbox(['--enable-debug-command', 'yes']);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (let i = 0; i < 200; i++) await same(r, o, ['SET', `key:${i}`, String(i * 7)]);
    await same(r, o, ['PEXPIREAT', 'key:3', '4000000000000']);
    const before = await same(r, o, ['DEBUG', 'DIGEST']);
    await same(r, o, ['DEBUG', 'RELOAD']);
    expect(await same(r, o, ['DEBUG', 'DIGEST'])).toBe(before);
    await same(r, o, ['PEXPIRETIME', 'key:3']);
    // RELOAD empties the dataset first (Redis signalFlushedDb): a key watched before it fails the next EXEC, a
    // watched key that does not exist does not (fuzzer SEED=61).
    for (const watched of ['key:4', 'no-such-key']) {
      for (const args of [['WATCH', watched], ['DEBUG', 'RELOAD'], ['MULTI'], ['GET', 'key:5'], ['EXEC']]) await same(r, o, args);
    }
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});
