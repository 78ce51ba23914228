// Proves DUMP/RESTORE interoperate with real Redis 7.0 for every type and encoding: payloads made by Redis DUMP
// restore in Strongbox, Strongbox's DUMP of them restores in Redis to the same value (DEBUG DIGEST-VALUE), the
// option/error replies are Redis's bytes, and corrupt payloads with valid checksums never crash the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64, crc64WriteLE } from '../../formats/index.js';
import { requireRealRedis, startRealRedis, bulkOf, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { testSeed } from '../helpers/seed.js';

const run = requireRealRedis();

/** Commands run on real Redis to build one key of each type/encoding. */
function dataset(): { key: string; commands: string[][] }[] {
  const many = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();
  return [
    { key: 's:int', commands: [['SET', 's:int', '-9223372036854775808']] },
    { key: 's:embstr', commands: [['SET', 's:embstr', 'hello world']] },
    { key: 's:raw', commands: [['SET', 's:raw', 'x'.repeat(5000)]] },
    { key: 's:bin', commands: [['SET', 's:bin', Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')]] },
    { key: 'l:small', commands: [['RPUSH', 'l:small', 'a', '1', '-70000', 'x'.repeat(100)]] },
    { key: 'l:big', commands: [['RPUSH', 'l:big', ...many(3000, (i) => [`item-${i}`])]] },
    { key: 'set:int', commands: [['SADD', 'set:int', '1', '2', '-3', '70000', '9223372036854775807']] },
    { key: 'set:str', commands: [['SADD', 'set:str', ...many(200, (i) => [`m${i}`])]] },
    { key: 'h:lp', commands: [['HSET', 'h:lp', 'f1', 'v1', 'f2', '22', 'f3', 'x'.repeat(60)]] },
    { key: 'h:ht', commands: [['HSET', 'h:ht', ...many(300, (i) => [`f${i}`, `v${i}`])]] },
    { key: 'z:lp', commands: [['ZADD', 'z:lp', '1.5', 'a', '-inf', 'b', 'inf', 'c', '1e-300', 'd']] },
    { key: 'z:sl', commands: [['ZADD', 'z:sl', ...many(300, (i) => [String(i / 7), `m${i}`])]] },
    {
      key: 'x:stream',
      commands: [
        ['XADD', 'x:stream', '1-1', 'a', '1'],
        ['XADD', 'x:stream', '1-2', 'a', '2', 'b', '3'],
        ['XADD', 'x:stream', '5-0', 'c', 'x'.repeat(40)],
        ['XDEL', 'x:stream', '1-2'],
        ['XGROUP', 'CREATE', 'x:stream', 'g1', '0'],
        ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'x:stream', '>'],
        ['XGROUP', 'CREATE', 'x:stream', 'g2', '$'],
      ],
    },
  ];
}

describe.runIf(run)('DUMP / RESTORE against real Redis 7.0', () => {
  let redis: RealRedis;
  let sb: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis(['--enable-debug-command', 'yes']);
    sb = await startStrongbox();
  });
  afterAll(async () => {
    await redis?.stop();
    await sb?.stop();
  });

  it('Redis payloads restore in Strongbox and Strongbox payloads restore in Redis to the same value', async () => {
    for (const { key, commands } of dataset()) {
      for (const c of commands) await redis.call(...c);
      const original = bulkOf(await redis.call('DUMP', key))!;
      expect((await sb.call('RESTORE', key, '0', Buffer.from(original, 'latin1'))).toString(), key).toBe('+OK\r\n');
      const ours = bulkOf(await sb.call('DUMP', key))!;
      expect(ours.length, key).toBeGreaterThan(10);
      expect((await redis.call('RESTORE', `copy:${key}`, '0', Buffer.from(ours, 'latin1'))).toString(), key).toBe('+OK\r\n');
      const a = (await redis.call('DEBUG', 'DIGEST-VALUE', key)).toString();
      const b = (await redis.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`)).toString();
      expect(b, key).toBe(a);
      expect((await redis.call('OBJECT', 'ENCODING', `copy:${key}`)).toString(), key).toBe((await redis.call('OBJECT', 'ENCODING', key)).toString());
      expect((await sb.call('TYPE', key)).toString(), key).toBe((await redis.call('TYPE', key)).toString());
    }
  });

  it('option and error replies match Redis byte for byte', async () => {
    await redis.call('SET', 'src', 'value');
    const payload = Buffer.from(bulkOf(await redis.call('DUMP', 'src'))!, 'latin1');
    const bad = Buffer.from(payload);
    bad[0] = bad[0]! ^ 1;
    const v11 = Buffer.from(payload);
    v11.writeUInt16LE(11, v11.length - 10);
    crc64WriteLE(crc64(0n, v11, 0, v11.length - 8), v11, v11.length - 8);
    const cases: (string | Buffer)[][] = [
      ['RESTORE', 'k1', '0', payload],
      ['RESTORE', 'k1', '0', payload],
      ['RESTORE', 'k1', '0', payload, 'REPLACE', 'IDLETIME', '10'],
      ['RESTORE', 'k2', '-1', payload],
      ['RESTORE', 'k2', 'abc', payload],
      ['RESTORE', 'k2', '0', bad],
      ['RESTORE', 'k2', '0', v11],
      ['RESTORE', 'k2', '0', 'short'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME', '-1'],
      ['RESTORE', 'k2', '0', payload, 'FREQ', '256'],
      ['RESTORE', 'k2', '0', payload, 'FREQ', '5', 'IDLETIME', '5'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME'],
      ['RESTORE', 'k2', '0', payload, 'bogus'],
      ['RESTORE', 'k3', '1000', payload, 'ABSTTL'],
      ['EXISTS', 'k3'],
      ['RESTORE', 'k1', '1', payload, 'REPLACE', 'ABSTTL'],
      ['EXISTS', 'k1'],
      ['RESTORE', 'k4', '100000', payload],
      ['PTTL', 'k4'],
      ['DUMP', 'nosuchkey'],
    ];
    for (const c of cases) {
      const expected = (await redis.call(...c)).toString('latin1');
      const actual = (await sb.call(...c)).toString('latin1');
      if (c[0] === 'PTTL') expect(Math.abs(Number(actual.slice(1)) - Number(expected.slice(1)))).toBeLessThan(2000);
      else expect(actual, c.map(String).join(' ').slice(0, 60)).toBe(expected);
    }
  });

  it('corrupt payloads with valid checksums never crash: an error or OK, and the server keeps answering', async () => {
    const seed = testSeed('dump corrupt-payload');
    console.log(`dump corrupt-payload SEED=${seed}`);
    let state = seed >>> 0;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const payloads: Buffer[] = [];
    for (const { key } of dataset()) payloads.push(Buffer.from(bulkOf(await redis.call('DUMP', key))!, 'latin1'));
    for (let i = 0; i < 400; i++) {
      const p = Buffer.from(payloads[rand(payloads.length)]!);
      const body = p.length - 10;
      for (let f = 0; f < 1 + rand(4); f++) p[rand(body)] = rand(256);
      crc64WriteLE(crc64(0n, p, 0, p.length - 8), p, p.length - 8);
      const reply = (await sb.call('RESTORE', `fuzz${i}`, '0', p)).toString('latin1');
      expect(reply === '+OK\r\n' || reply.startsWith('-ERR Bad data format')).toBe(true);
    }
    expect((await sb.call('PING')).toString()).toBe('+PONG\r\n');
  });
});
