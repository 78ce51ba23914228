// Proves the server answers over a real socket like Redis 7.0: the same commands go to real redis-server and to
// Strongbox, and the raw reply bytes must be equal.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

describe.runIf(enabled)('server smoke, byte for byte against real Redis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis();
    ours = await startStrongbox();
  });
  afterAll(async () => {
    await redis.stop();
    await ours.stop();
  });

  const cases: string[][] = [
    ['PING'],
    ['PING', 'hello'],
    ['PING', 'a', 'b'],
    ['ECHO', 'x\r\ny'],
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['GET', 'missing'],
    ['GET'],
    ['NOSUCH', 'a', 'b'],
    ['SELECT', '16'],
    ['SELECT', 'x'],
    ['SELECT', '1'],
    ['GET', 'k'],
    ['SELECT', '0'],
    ['MULTI'],
    ['SET', 'a', '1'],
    ['GET', 'a'],
    ['EXEC'],
    ['EXEC'],
    ['DISCARD'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'NOPE'],
    ['CLIENT', 'SETNAME', 'bad name'],
    ['HELLO', '4'],
    ['DEL', 'a', 'k', 'zz'],
    ['DBSIZE'],
  ];

  test('each reply is byte-identical', async () => {
    for (const args of cases) {
      const expected = (await redis.call(...args)).toString('latin1');
      const actual = (await ours.call(...args)).toString('latin1');
      expect(actual, args.join(' ')).toBe(expected);
    }
  });

  test('a pipeline of 5000 commands in one write gets 5000 replies in order', async () => {
    const client = await ours.connect();
    const replies = await Promise.all(Array.from({ length: 5000 }, (_, i) => client.call('ECHO', String(i))));
    expect(replies.map((r) => r.toString('latin1'))).toEqual(
      Array.from({ length: 5000 }, (_, i) => `$${String(i).length}\r\n${i}\r\n`),
    );
    client.socket.destroy();
  });
});
