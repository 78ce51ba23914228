// Proves the list commands match Redis 7.0.15 byte for byte: fixed cases and seeded random sequences go to a real
// redis-server and to Strongbox in RESP2 and RESP3; propagation (Redis's AOF vs our hook), keyspace notifications,
// and blocking pops with several clients (FIFO service, timeouts, MULTI) are compared too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { connectRaw, requireRealRedis, type RawClient } from '../helpers/real-redis.js';
import {
  both, drawSequence, expectSameNotifications, readRedisAof, runSeed, same, sleep, startPair, withAofPair, type Pair,
} from './collections-harness.js';

const enabled = requireRealRedis();

const CASES: string[][] = [
  ['FLUSHALL'],
  ['RPUSH', 'l', 'a', 'b', 'c', '1', '2', '-3', '', 'x\r\ny'],
  ['OBJECT', 'ENCODING', 'l'],
  ['LPUSH', 'l', 'z'],
  ['LPUSHX', 'nope', 'a'],
  ['RPUSHX', 'nope', 'a'],
  ['RPUSHX', 'l', 'tail'],
  ['LLEN', 'l'],
  ['LLEN', 'nope'],
  ['LRANGE', 'l', '0', '-1'],
  ['LRANGE', 'l', '-100', '100'],
  ['LRANGE', 'l', '5', '2'],
  ['LRANGE', 'l', '-2', '-1'],
  ['LRANGE', 'l', '100', '200'],
  ['LRANGE', 'l', 'x', '1'],
  ['LRANGE', 'nope', 'x', '1'],
  ['LRANGE', 'nope', '0', '1'],
  ['LRANGE', 'l', '0', '9223372036854775807'],
  ['LRANGE', 'l', '-9223372036854775808', '2'],
  ['LRANGE', 'l', '0', '9223372036854775808'],
  ['LINDEX', 'l', '0'],
  ['LINDEX', 'l', '-1'],
  ['LINDEX', 'l', '100'],
  ['LINDEX', 'l', '-100'],
  ['LINDEX', 'l', 'abc'],
  ['LINDEX', 'nope', 'abc'],
  ['LSET', 'l', '1', 'B'],
  ['LSET', 'l', '-1', 'T'],
  ['LSET', 'l', '100', 'x'],
  ['LSET', 'l', 'x', 'x'],
  ['LSET', 'nope', '0', 'x'],
  ['LSET', 'nope', 'x', 'x'],
  ['LRANGE', 'l', '0', '-1'],
  ['LINSERT', 'l', 'BEFORE', 'c', 'bc'],
  ['LINSERT', 'l', 'after', 'c', 'cd'],
  ['LINSERT', 'l', 'after', 'missing', 'cd'],
  ['LINSERT', 'l', 'middle', 'c', 'cd'],
  ['LINSERT', 'nope', 'after', 'c', 'cd'],
  ['LINSERT', 'nope', 'sideways', 'c', 'cd'],
  ['LRANGE', 'l', '0', '-1'],
  ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'd', 'a'],
  ['LREM', 'r', '2', 'a'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '-1', 'a'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '0', 'a'],
  ['LREM', 'r', 'x', 'a'],
  ['LREM', 'nope', '0', 'a'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '0', 'b'],
  ['LREM', 'r', '0', 'c'],
  ['LREM', 'r', '0', 'd'],
  ['EXISTS', 'r'],
  ['RPUSH', 't', '0', '1', '2', '3', '4', '5', '6'],
  ['LTRIM', 't', '1', '-2'],
  ['LRANGE', 't', '0', '-1'],
  ['LTRIM', 't', '-100', '100'],
  ['LTRIM', 't', 'a', '100'],
  ['LTRIM', 'nope', '0', '1'],
  ['LTRIM', 't', '3', '1'],
  ['EXISTS', 't'],
  ['RPUSH', 'p', 'a', 'b', 'c', 'a', 'b', 'c', 'a'],
  ['LPOS', 'p', 'a'],
  ['LPOS', 'p', 'a', 'RANK', '2'],
  ['LPOS', 'p', 'a', 'RANK', '-1'],
  ['LPOS', 'p', 'a', 'RANK', '-2', 'COUNT', '0'],
  ['LPOS', 'p', 'a', 'COUNT', '0'],
  ['LPOS', 'p', 'a', 'COUNT', '2'],
  ['LPOS', 'p', 'a', 'COUNT', '0', 'MAXLEN', '4'],
  ['LPOS', 'p', 'a', 'MAXLEN', '1', 'RANK', '2'],
  ['LPOS', 'p', 'zz'],
  ['LPOS', 'p', 'zz', 'COUNT', '3'],
  ['LPOS', 'p', 'a', 'RANK', '0'],
  ['LPOS', 'p', 'a', 'RANK', 'x'],
  ['LPOS', 'p', 'a', 'COUNT', '-1'],
  ['LPOS', 'p', 'a', 'COUNT', 'x'],
  ['LPOS', 'p', 'a', 'MAXLEN', '-1'],
  ['LPOS', 'p', 'a', 'MAXLEN'],
  ['LPOS', 'p', 'a', 'FOO', '1'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775808'],
  ['LPOS', 'p', 'a', 'RANK', '-9223372036854775808', 'COUNT', '5'],
  ['LPOS', 'nope', 'a'],
  ['LPOS', 'nope', 'a', 'COUNT', '1'],
  ['LPOP', 'p'],
  ['RPOP', 'p'],
  ['LPOP', 'p', '2'],
  ['RPOP', 'p', '2'],
  ['LPOP', 'p', '0'],
  ['LPOP', 'p', '-1'],
  ['LPOP', 'p', 'x'],
  ['LPOP', 'p', '1', '2'],
  ['LPOP', 'nope'],
  ['LPOP', 'nope', '0'],
  ['LPOP', 'nope', '3'],
  ['RPOP', 'p', '100'],
  ['EXISTS', 'p'],
  ['SET', 's', 'str'],
  ['LPUSH', 's', 'a'],
  ['LPUSHX', 's', 'a'],
  ['LLEN', 's'],
  ['LRANGE', 's', '0', '1'],
  ['LINDEX', 's', '0'],
  ['LINDEX', 's', 'x'],
  ['LPOP', 's'],
  ['LPOP', 's', '-1'],
  ['LPOS', 's', 'a'],
  ['LMOVE', 's', 'x', 'LEFT', 'RIGHT'],
  ['RPUSH', 'src', 'a', 'b', 'c'],
  ['LMOVE', 'src', 's', 'LEFT', 'RIGHT'],
  ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
  ['LMOVE', 'src', 'dst', 'right', 'left'],
  ['LMOVE', 'src', 'src', 'left', 'right'],
  ['LMOVE', 'src', 'dst', 'up', 'left'],
  ['LMOVE', 'nope', 'dst', 'left', 'left'],
  ['RPOPLPUSH', 'src', 'dst'],
  ['RPOPLPUSH', 'src', 'dst'],
  ['EXISTS', 'src'],
  ['LRANGE', 'dst', '0', '-1'],
  ['RPOPLPUSH', 'dst', 'dst'],
  ['LRANGE', 'dst', '0', '-1'],
  ['LMPOP', '2', 'nope', 'dst', 'LEFT'],
  ['LMPOP', '2', 'nope', 'dst', 'RIGHT', 'COUNT', '2'],
  ['LMPOP', '1', 'dst', 'RIGHT', 'COUNT', '10'],
  ['LMPOP', '1', 'dst', 'RIGHT', 'COUNT', '0'],
  ['LMPOP', '0', 'dst', 'RIGHT'],
  ['LMPOP', '-1', 'dst', 'RIGHT'],
  ['LMPOP', 'x', 'dst', 'RIGHT'],
  ['LMPOP', '3', 'dst', 'RIGHT'],
  ['LMPOP', '1', 'dst', 'MIDDLE'],
  ['LMPOP', '1', 'dst', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
  ['LMPOP', '1', 'dst', 'LEFT', 'COUNT'],
  ['LMPOP', '2', 'nope', 's', 'LEFT'],
  ['LMPOP', '1', 'nope', 'LEFT'],
  ['BLPOP', 'nope', 'x'],
  ['BLPOP', 'nope', '-1'],
  ['BLPOP', 'nope', 'inf'],
  ['BLPOP', 'nope', 'nan'],
  ['BLPOP', 'nope', ' 1'],
  ['BLPOP', 'nope', '1e400'],
  ['BLPOP', 's', '0'],
  ['BRPOP', 'nope', '1e-400x'],
  ['BLMOVE', 'nope', 'x', 'left', 'left', '-1'],
  ['BLMOVE', 'nope', 'x', 'top', 'left', '-1'],
  ['BRPOPLPUSH', 'nope', 'x', 'abc'],
  ['BLMPOP', 'abc', '1', 'nope', 'LEFT'],
  ['BLMPOP', '-1', '1', 'nope', 'LEFT'],
  ['BLMPOP', '0', '0', 'nope', 'LEFT'],
  ['BLMPOP', '0', '1', 'nope', 'LEFT', 'COUNT', '0'],
  ['RPUSH', 'b1', 'x', 'y', 'z'],
  ['BLPOP', 'nope', 'b1', '0'],
  ['BRPOP', 'nope', 'b1', '0'],
  ['BLMPOP', '0', '2', 'nope', 'b1', 'LEFT', 'COUNT', '5'],
  ['EXISTS', 'b1'],
  ['RPUSH', 'b2', '1', '2'],
  ['BLMOVE', 'b2', 'b3', 'RIGHT', 'LEFT', '0'],
  ['BRPOPLPUSH', 'b2', 'b3', '0'],
  ['BRPOPLPUSH', 'b3', 's', '0'],
  ['LRANGE', 'b3', '0', '-1'],
  ['MULTI'],
  ['BLPOP', 'nope', '0'],
  ['BLMOVE', 'nope', 'x', 'left', 'left', '0'],
  ['BRPOPLPUSH', 'nope', 'x', '0'],
  ['BLMPOP', '0', '1', 'nope', 'LEFT'],
  ['BLPOP', 'b3', '0'],
  ['EXEC'],
  ['RPUSH', 'big', ...Array.from({ length: 300 }, (_, i) => `element-${i}`)],
  ['OBJECT', 'ENCODING', 'big'],
  ['LRANGE', 'big', '100', '110'],
  ['LINDEX', 'big', '250'],
  ['LINSERT', 'big', 'BEFORE', 'element-150', 'inserted'],
  ['LINDEX', 'big', '150'],
  ['LREM', 'big', '0', 'element-7'],
  ['LTRIM', 'big', '10', '-10'],
  ['LRANGE', 'big', '0', '3'],
  ['LLEN', 'big'],
];

describe.runIf(enabled)('list commands, byte for byte against Redis 7.0', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  test('fixed cases in RESP2', async () => {
    for (const args of CASES) await same(pair.resp2, args);
  });

  test('fixed cases in RESP3', async () => {
    for (const args of CASES) await same(pair.resp3, args);
  });

  test('seeded random sequences (fast-check, 4000 commands)', async () => {
    const seed = runSeed('lists random');
    const key = fc.constantFrom('k1', 'k2', 'k3', 'str');
    const element = fc.oneof(fc.constantFrom('a', 'b', 'c', '1', '2', '-7', ''), fc.string({ maxLength: 6 }));
    const index = fc.integer({ min: -8, max: 8 }).map(String);
    const where = fc.constantFrom('LEFT', 'RIGHT', 'left');
    // Blocking forms that find no element wait for their timeout on both servers: keep them rare.
    const blocking: fc.Arbitrary<string[]> = fc.oneof(
      fc.tuple(key, key).map(([a, b]) => ['BLPOP', a, b, '0.01']),
      fc.tuple(key, key).map(([a, b]) => ['BRPOP', a, b, '0.01']),
      fc.tuple(key, key, where, where).map(([a, b, w1, w2]) => ['BLMOVE', a, b, w1, w2, '0.01']),
      fc.tuple(key, key, where).map(([a, b, w]) => ['BLMPOP', '0.01', '2', a, b, w, 'COUNT', '2']),
    );
    const nonBlocking: fc.Arbitrary<string[]> = fc.oneof(
      fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(element, { minLength: 1, maxLength: 4 })).map(([c, k, e]) => [c, k, ...e]),
      fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key).map(([c, k]) => [c, k]),
      fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.integer({ min: -1, max: 5 })).map(([c, k, n]) => [c, k, String(n)]),
      fc.tuple(key).map(([k]) => ['LLEN', k]),
      fc.tuple(key, index, index).map(([k, a, b]) => ['LRANGE', k, a, b]),
      fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]),
      fc.tuple(key, index, element).map(([k, i, e]) => ['LSET', k, i, e]),
      fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER'), element, element).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
      fc.tuple(key, fc.integer({ min: -3, max: 3 }), element).map(([k, n, e]) => ['LREM', k, String(n), e]),
      fc.tuple(key, index, index).map(([k, a, b]) => ['LTRIM', k, a, b]),
      fc.tuple(key, element, fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 })).map(
        ([k, e, r, c, m]) => ['LPOS', k, e, 'RANK', String(r === 0 ? 1 : r), 'COUNT', String(c), 'MAXLEN', String(m)],
      ),
      fc.tuple(key, element).map(([k, e]) => ['LPOS', k, e]),
      fc.tuple(key, key, where, where).map(([a, b, w1, w2]) => ['LMOVE', a, b, w1, w2]),
      fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
      fc.tuple(key, key, where, fc.integer({ min: 1, max: 4 })).map(([a, b, w, n]) => ['LMPOP', '2', a, b, w, 'COUNT', String(n)]),
      fc.constant<string[]>(['SET', 'str', 'x']),
      fc.tuple(key).map(([k]) => ['DEL', k]),
    );
    const command = fc.oneof({ arbitrary: blocking, weight: 1 }, { arbitrary: nonBlocking, weight: 40 });
    const sequence = drawSequence(command, seed, 4000);
    await same(pair.resp2, ['FLUSHALL']);
    let i = 0;
    for (const args of sequence) {
      const clients = i++ % 2 === 0 ? pair.resp2 : pair.resp3;
      const [expected, actual] = await both(clients, args);
      expect(actual, `SEED=${seed} step ${i}: ${JSON.stringify(args)}`).toBe(expected);
    }
    for (const k of ['k1', 'k2', 'k3']) await same(pair.resp2, ['LRANGE', k, '0', '-1']);
  }, 120_000);
});

describe.runIf(enabled)('blocking list pops with several clients', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  /** Runs `scenario` against each server with fresh clients; returns each client's replies in order. */
  async function scenario(run: (port: number) => Promise<string[]>): Promise<void> {
    await pair.resp2[0].call('FLUSHALL');
    await pair.resp2[1].call('FLUSHALL');
    const expected = await run(pair.redis.port);
    const actual = await run(pair.ours.port);
    expect(actual).toEqual(expected);
  }

  test('blocked clients are served in FIFO order by a later push, each reply exact', async () => {
    await scenario(async (port) => {
      const a = await connectRaw(port);
      const b = await connectRaw(port);
      const c = await connectRaw(port);
      const pusher = await connectRaw(port);
      await b.call('HELLO', '3');
      const ra = a.call('BLPOP', 'q', 'other', '0');
      await sleep(30);
      const rb = b.call('BRPOP', 'other', 'q', '0');
      await sleep(30);
      const rc = c.call('BLMPOP', '0', '1', 'q', 'RIGHT', 'COUNT', '5');
      await sleep(30);
      const pushed = await pusher.call('RPUSH', 'q', '1', '2', '3', '4', '5');
      const replies = [pushed, await ra, await rb, await rc].map((r) => r.toString('latin1'));
      replies.push((await pusher.call('EXISTS', 'q')).toString('latin1'));
      for (const x of [a, b, c, pusher]) x.socket.destroy();
      return replies;
    });
  });

  test('BLMOVE waits for the source, pushes to the destination and chains to a client blocked there', async () => {
    await scenario(async (port) => {
      const a = await connectRaw(port);
      const b = await connectRaw(port);
      const pusher = await connectRaw(port);
      const ra = a.call('BLMOVE', 'src', 'mid', 'LEFT', 'RIGHT', '0');
      await sleep(30);
      const rb = b.call('BRPOPLPUSH', 'mid', 'dst', '0');
      await sleep(30);
      const pushed = await pusher.call('LPUSH', 'src', 'v');
      const replies = [pushed, await ra, await rb].map((r) => r.toString('latin1'));
      replies.push((await pusher.call('LRANGE', 'dst', '0', '-1')).toString('latin1'));
      replies.push((await pusher.call('EXISTS', 'src', 'mid')).toString('latin1'));
      for (const x of [a, b, pusher]) x.socket.destroy();
      return replies;
    });
  });

  test('BLMOVE to a destination of the wrong type answers WRONGTYPE when served', async () => {
    await scenario(async (port) => {
      const a = await connectRaw(port);
      const pusher = await connectRaw(port);
      await pusher.call('SET', 'dst', 'string');
      const ra = a.call('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
      await sleep(30);
      const pushed = await pusher.call('RPUSH', 'src', 'v');
      const replies = [pushed, await ra].map((r) => r.toString('latin1'));
      replies.push((await pusher.call('LLEN', 'src')).toString('latin1'));
      for (const x of [a, pusher]) x.socket.destroy();
      return replies;
    });
  });

  test('timeouts answer a null array (also for BLMOVE and BRPOPLPUSH) in both protocols', async () => {
    await scenario(async (port) => {
      const a = await connectRaw(port);
      const b = await connectRaw(port);
      await b.call('HELLO', '3');
      const replies: string[] = [];
      for (const client of [a, b]) {
        replies.push((await client.call('BLPOP', 'none', '0.05')).toString('latin1'));
        replies.push((await client.call('BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0.05')).toString('latin1'));
        replies.push((await client.call('BRPOPLPUSH', 'none', 'x', '0.05')).toString('latin1'));
        replies.push((await client.call('BLMPOP', '0.05', '1', 'none', 'LEFT')).toString('latin1'));
      }
      for (const x of [a, b]) x.socket.destroy();
      return replies;
    });
  });

  test('a key that becomes another type does not serve a blocked client; a later list does', async () => {
    await scenario(async (port) => {
      const a = await connectRaw(port);
      const other = await connectRaw(port);
      const ra = a.call('BLPOP', 'k', '0');
      await sleep(30);
      const replies = [(await other.call('SET', 'k', 'x')).toString('latin1')];
      await sleep(30);
      replies.push((await other.call('DEL', 'k')).toString('latin1'));
      replies.push((await other.call('MULTI')).toString('latin1'));
      replies.push((await other.call('RPUSH', 'k', 'a', 'b')).toString('latin1'));
      replies.push((await other.call('RPOP', 'k')).toString('latin1'));
      replies.push((await other.call('EXEC')).toString('latin1'));
      replies.push((await ra).toString('latin1'));
      replies.push((await other.call('EXISTS', 'k')).toString('latin1'));
      for (const x of [a, other]) x.socket.destroy();
      return replies;
    });
  });
});

describe.runIf(enabled)('list propagation and notifications like Redis 7.0', () => {
  const SEQUENCE: string[][] = [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
    ['LPUSH', 'l', 'z'],
    ['LPUSHX', 'nope', 'z'],
    ['LPOP', 'l'],
    ['RPOP', 'l', '2'],
    ['LPOP', 'nope'],
    ['LSET', 'l', '0', 'A'],
    ['LINSERT', 'l', 'AFTER', 'A', 'A2'],
    ['LINSERT', 'l', 'AFTER', 'missing', 'A2'],
    ['LREM', 'l', '0', 'A2'],
    ['LREM', 'l', '0', 'missing'],
    ['LTRIM', 'l', '0', '-1'],
    ['LTRIM', 'l', '1', '-1'],
    ['LMOVE', 'l', 'm', 'LEFT', 'right'],
    ['RPOPLPUSH', 'l', 'm'],
    ['LMPOP', '2', 'nope', 'l', 'LEFT', 'COUNT', '10'],
    ['BLPOP', 'm', '0'],
    ['BLMPOP', '0', '1', 'm', 'RIGHT', 'COUNT', '1'],
    ['RPUSH', 'n', '1', '2'],
    ['BLMOVE', 'n', 'm', 'Right', 'lEFT', '0'],
    ['BRPOPLPUSH', 'n', 'm', '0'],
    ['LTRIM', 'm', '5', '1'],
  ];

  test('AOF of real Redis equals our propagation, including served blocking pops', async () => {
    await withAofPair(async ({ redis, ours, r, o, captured, run }) => {
      for (const args of SEQUENCE) await run(args);
      // Served blocking pops propagate as LPOP / LPOP count / LMOVE (lowercase directions) / RPOPLPUSH.
      for (const [block, push] of [
        [['BLPOP', 'w1', '0'], ['RPUSH', 'w1', 'x', 'y']],
        [['BLMPOP', '0', '1', 'w2', 'RIGHT', 'COUNT', '5'], ['RPUSH', 'w2', 'x', 'y']],
        [['BLMOVE', 'w3', 'd3', 'RIGHT', 'LEFT', '0'], ['RPUSH', 'w3', 'x']],
        [['BRPOPLPUSH', 'w4', 'd4', '0'], ['RPUSH', 'w4', 'x']],
      ] as const) {
        const results: string[][] = [];
        for (const [port, main] of [[redis.port, r], [ours.port, o]] as [number, RawClient][]) {
          const blocker = await connectRaw(port);
          const pending = blocker.call(...block);
          await sleep(30);
          const pushed = await main.call(...push);
          results.push([pushed.toString('latin1'), (await pending).toString('latin1')]);
          blocker.socket.destroy();
        }
        expect(results[1]).toEqual(results[0]);
      }
      expect(captured.commands).toEqual(await readRedisAof(redis));
    });
  });

  test('keyspace notifications are the same messages in the same order', async () => {
    await expectSameNotifications(SEQUENCE, 'lpush', async (port, main) => {
      const blocker = await connectRaw(port);
      const pending = blocker.call('BLMOVE', 'w', 'd', 'LEFT', 'LEFT', '0');
      await sleep(30);
      await main.call('RPUSH', 'w', 'x');
      await pending;
      blocker.socket.destroy();
    });
  });
});
