// Proves the hash commands match Redis 7.0.15 byte for byte: fixed cases and seeded random sequences go to a real
// redis-server and to Strongbox in RESP2 and RESP3, with OBJECT ENCODING compared at each step (listpack replies
// in exact order, hashtable replies canonically sorted), HRANDFIELD checked by count and membership, full HSCAN
// iterations, propagation (Redis's AOF vs our hook) and keyspace notifications.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseResp, requireRealRedis, type RawClient, type RespValue } from '../helpers/real-redis.js';
import {
  both, canonical, canonicalPairs, drawSequence, expectSameNotifications, readRedisAof, runSeed, same, sameCanonical,
  startPair, withAofPair, type Pair,
} from './collections-harness.js';

const enabled = requireRealRedis();

const long = 'v'.repeat(70);

const CASES: string[][] = [
  ['FLUSHALL'],
  ['HSET', 'h', 'f1', 'v1', 'f2', '2', 'f3', '-3', '', 'empty'],
  ['OBJECT', 'ENCODING', 'h'],
  ['HSET', 'h', 'f1', 'again'],
  ['HSET', 'h', 'f1'],
  ['HMSET', 'h', 'f4', 'v4', 'f5'],
  ['HMSET', 'h', 'f4', 'v4', 'f5', 'v5'],
  ['HGETALL', 'h'],
  ['HKEYS', 'h'],
  ['HVALS', 'h'],
  ['HGETALL', 'nope'],
  ['HKEYS', 'nope'],
  ['HVALS', 'nope'],
  ['HGET', 'h', 'f1'],
  ['HGET', 'h', 'nope'],
  ['HGET', 'nope', 'f1'],
  ['HMGET', 'h', 'f1', 'nope', 'f2'],
  ['HMGET', 'nope', 'a', 'b'],
  ['HLEN', 'h'],
  ['HLEN', 'nope'],
  ['HSTRLEN', 'h', 'f3'],
  ['HSTRLEN', 'h', 'nope'],
  ['HSTRLEN', 'nope', 'x'],
  ['HEXISTS', 'h', 'f1'],
  ['HEXISTS', 'h', 'zz'],
  ['HEXISTS', 'nope', 'zz'],
  ['HSETNX', 'h', 'f1', 'x'],
  ['HSETNX', 'h', 'new', 'x'],
  ['HSETNX', 'fresh', 'a', 'b'],
  ['HINCRBY', 'h', 'f2', '10'],
  ['HINCRBY', 'h', 'f2', '-20'],
  ['HINCRBY', 'h', 'f1', '1'],
  ['HINCRBY', 'h', 'f2', 'x'],
  ['HINCRBY', 'h', 'f2', '1.5'],
  ['HINCRBY', 'h', 'counter', '9223372036854775807'],
  ['HINCRBY', 'h', 'counter', '1'],
  ['HINCRBY', 'h', 'counter', '-9223372036854775808'],
  ['HINCRBY', 'h', 'counter', '-9223372036854775808'],
  ['HINCRBY', 'newkey', 'c', '5'],
  ['HINCRBYFLOAT', 'h', 'fl', '1.5'],
  ['HINCRBYFLOAT', 'h', 'fl', '0.1'],
  ['HINCRBYFLOAT', 'h', 'fl', '-1e3'],
  ['HINCRBYFLOAT', 'h', 'fl', '5.0e3'],
  ['HINCRBYFLOAT', 'h', 'f2', '0.25'],
  ['HINCRBYFLOAT', 'h', 'f1', '1'],
  ['HINCRBYFLOAT', 'h', 'fl', 'abc'],
  ['HINCRBYFLOAT', 'h', 'fl', 'inf'],
  ['HINCRBYFLOAT', 'h', 'fl', 'nan'],
  ['HINCRBYFLOAT', 'nope2', 'fl', 'inf'],
  ['HSET', 'hf', 'huge', '1e4000'],
  ['HINCRBYFLOAT', 'hf', 'huge', '1e4000'],
  ['OBJECT', 'ENCODING', 'hf'],
  ['HSET', 'h', 'inf', 'inf'],
  ['HINCRBYFLOAT', 'h', 'inf', '1'],
  ['HGETALL', 'h'],
  ['HDEL', 'h', 'f1', 'f1', 'nope'],
  ['HDEL', 'nope', 'a'],
  ['HDEL', 'fresh', 'a', 'b'],
  ['EXISTS', 'fresh'],
  ['HRANDFIELD', 'nope'],
  ['HRANDFIELD', 'nope', '5'],
  ['HRANDFIELD', 'nope', '5', 'WITHVALUES'],
  ['HRANDFIELD', 'h', '0'],
  ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
  ['HRANDFIELD', 'h', 'x'],
  ['HRANDFIELD', 'h', '1', 'WITHSCORES'],
  ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
  ['HRANDFIELD', 'h', '-9223372036854775808'],
  ['HRANDFIELD', 'h', '9223372036854775807', 'WITHVALUES'],
  ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
  ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
  ['HRANDFIELD', 'h', '100'],
  ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
  ['HSCAN', 'h', '0'],
  ['HSCAN', 'h', '0', 'MATCH', 'f*'],
  ['HSCAN', 'h', '0', 'COUNT', '1'],
  ['HSCAN', 'h', '0', 'COUNT', '0'],
  ['HSCAN', 'h', '0', 'COUNT', 'x'],
  ['HSCAN', 'h', '0', 'TYPE', 'string'],
  ['HSCAN', 'h', '0', 'MATCH'],
  ['HSCAN', 'h', 'x'],
  ['HSCAN', 'h', '-1'],
  ['HSCAN', 'h', ''],
  ['HSCAN', 'nope', '0', 'BAD'],
  ['HSCAN', 'nope', 'bad'],
  ['SET', 's', 'x'],
  ['HSET', 's', 'a', 'b'],
  ['HSETNX', 's', 'a', 'b'],
  ['HGET', 's', 'a'],
  ['HMGET', 's', 'a'],
  ['HGETALL', 's'],
  ['HDEL', 's', 'a'],
  ['HINCRBY', 's', 'a', '1'],
  ['HINCRBY', 's', 'a', 'x'],
  ['HINCRBYFLOAT', 's', 'a', 'x'],
  ['HRANDFIELD', 's'],
  ['HRANDFIELD', 's', '2'],
  ['HSCAN', 's', '0'],
  ['HLEN', 's'],
  ['HSTRLEN', 's', 'a'],
  ['HEXISTS', 's', 'a'],
  // Encoding transitions: a long value, a long field, too many fields; never back.
  ['HSET', 'e1', 'a', 'b'],
  ['OBJECT', 'ENCODING', 'e1'],
  ['HSET', 'e1', 'long', long],
  ['OBJECT', 'ENCODING', 'e1'],
  ['HDEL', 'e1', 'long'],
  ['OBJECT', 'ENCODING', 'e1'],
  ['HSETNX', 'e2', long, 'x'],
  ['OBJECT', 'ENCODING', 'e2'],
  ['HSET', 'e3', 'a', 'b'],
  ['HSETNX', 'e3', 'a', long],
  ['OBJECT', 'ENCODING', 'e3'],
  ['HINCRBYFLOAT', 'e3', 'big', '1e100'],
  ['OBJECT', 'ENCODING', 'e3'],
  ['HGET', 'e3', 'big'],
  ['HSET', 'e4', ...Array.from({ length: 256 }, (_, i) => `field${i}`)],
  ['OBJECT', 'ENCODING', 'e4'],
  ['HSET', 'e5', ...Array.from({ length: 258 }, (_, i) => `field${i}`)],
  ['OBJECT', 'ENCODING', 'e5'],
  ['HLEN', 'e5'],
];

describe.runIf(enabled)('hash commands, byte for byte against Redis 7.0', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  test('fixed cases in RESP2 and RESP3', async () => {
    for (const clients of [pair.resp2, pair.resp3]) for (const args of CASES) await same(clients, args);
  });

  test('hashtable replies and HRANDFIELD agree canonically; HSCAN iterates every field once', async () => {
    await same(pair.resp2, ['DEL', 'big']);
    for (let i = 0; i < 600; i += 50) {
      await same(pair.resp2, ['HSET', 'big', ...Array.from({ length: 100 }, (_, j) => [`f${i + j}`, `v${j}`]).flat()]);
    }
    await same(pair.resp2, ['OBJECT', 'ENCODING', 'big']);
    for (const clients of [pair.resp2, pair.resp3]) {
      await sameCanonical(clients, ['HKEYS', 'big']);
      await sameCanonical(clients, ['HVALS', 'big']);
      await sameCanonical(clients, ['HGETALL', 'big'], clients === pair.resp2 ? canonicalPairs : canonical);
      await sameCanonical(clients, ['HRANDFIELD', 'big', '1000'], clients === pair.resp2 ? canonical : canonical);
    }
    for (const [client, label] of [[pair.resp2[1], 'ours'], [pair.resp2[0], 'redis']] as [RawClient, string][]) {
      const seen: string[] = [];
      let cursor = '0';
      do {
        const reply = parseResp(await client.call('HSCAN', 'big', cursor, 'COUNT', '7')) as [string, string[]];
        cursor = reply[0];
        for (let i = 0; i < reply[1].length; i += 2) seen.push(reply[1][i]!);
      } while (cursor !== '0');
      expect(seen.length, label).toBe(650);
      expect(new Set(seen).size, label).toBe(650);
    }
    await checkRandfield(pair, 'big');
  });

  test('seeded random sequences (fast-check, 3500 commands), small thresholds', async () => {
    const seed = runSeed('hashes random');
    const config = ['--hash-max-listpack-entries', '6', '--hash-max-listpack-value', '8'];
    const small = await startPair(config);
    try {
      const key = fc.constantFrom('h1', 'h2', 'h3', 'str');
      const field = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', '1', ''), fc.string({ maxLength: 10 }));
      const value = fc.oneof(fc.constantFrom('1', '-2', '1.5', 'x', ''), fc.integer({ min: -1000, max: 1000 }).map(String), fc.string({ maxLength: 10 }));
      const command = fc.oneof(
        fc.tuple(key, fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 })).map(([k, p]) => ['HSET', k, ...p.flat()]),
        fc.tuple(key, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]),
        fc.tuple(key, field).map(([k, f]) => ['HGET', k, f]),
        fc.tuple(key, field, field).map(([k, f, g]) => ['HMGET', k, f, g]),
        fc.tuple(key, field, field).map(([k, f, g]) => ['HDEL', k, f, g]),
        fc.tuple(key).map(([k]) => ['HLEN', k]),
        fc.tuple(key, field).map(([k, f]) => ['HSTRLEN', k, f]),
        fc.tuple(key, field).map(([k, f]) => ['HEXISTS', k, f]),
        fc.tuple(key, field, fc.integer({ min: -50, max: 50 })).map(([k, f, n]) => ['HINCRBY', k, f, String(n)]),
        fc.tuple(key, field, fc.constantFrom('0.1', '-2.5', '1e2', '3')).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
        fc.tuple(fc.constantFrom('HGETALL', 'HKEYS', 'HVALS'), key).map(([c, k]) => [c, k]),
        fc.tuple(key, fc.integer({ min: -8, max: 8 }), fc.boolean()).map(([k, n, w]) => ['HRANDFIELD', k, String(n), ...(w ? ['WITHVALUES'] : [])]),
        fc.tuple(key).map(([k]) => ['HSCAN', k, '0', 'COUNT', '100']),
        fc.constant<string[]>(['SET', 'str', 'x']),
        fc.tuple(key).map(([k]) => ['DEL', k]),
      );
      const sequence = drawSequence(command, seed, 3500);
      let step = 0;
      for (const args of sequence) {
        step++;
        const clients = step % 2 === 0 ? small.resp2 : small.resp3;
        const label = `SEED=${seed} step ${step}: ${JSON.stringify(args)}`;
        const [encodingRedis, encodingOurs] = await both(small.resp2, ['OBJECT', 'ENCODING', args[1]!]);
        expect(encodingOurs, label).toBe(encodingRedis);
        const randomOrder = encodingRedis.includes('hashtable');
        if (args[0] === 'HRANDFIELD') {
          const [expected, actual] = await both(clients, args);
          if (args[2] === '0' || !expected.startsWith('*') || expected.startsWith('*0') || expected.startsWith('*-')) expect(actual, label).toBe(expected);
          else expect((parseResp(Buffer.from(actual, 'latin1')) as RespValue[]).length, label).toBe((parseResp(Buffer.from(expected, 'latin1')) as RespValue[]).length);
          continue;
        }
        if (randomOrder && (args[0] === 'HGETALL' || args[0] === 'HKEYS' || args[0] === 'HVALS' || args[0] === 'HSCAN')) {
          const normalize = args[0] === 'HGETALL' && clients === small.resp2 ? canonicalPairs : args[0] === 'HSCAN' ? scanCanonical : canonical;
          await sameCanonical(clients, args, normalize);
          continue;
        }
        const [expected, actual] = await both(clients, args);
        expect(actual, label).toBe(expected);
      }
      for (const k of ['h1', 'h2', 'h3']) await checkRandfield(small, k);
    } finally {
      await small.stop();
    }
  }, 120_000);
});

function scanCanonical(v: RespValue): RespValue {
  if (!Array.isArray(v) || !Array.isArray(v[1])) return v;
  return [v[0]!, canonicalPairs(v[1])];
}

/** HRANDFIELD on our side: right count, fields/values of the hash, distinct for positive counts. */
async function checkRandfield(pair: Pair, key: string): Promise<void> {
  const all = parseResp(await pair.resp2[1].call('HGETALL', key)) as string[];
  const map = new Map<string, string>();
  for (let i = 0; i < all.length; i += 2) map.set(all[i]!, all[i + 1]!);
  for (const count of [1, 2, 5, -5, 40]) {
    const reply = parseResp(await pair.resp2[1].call('HRANDFIELD', key, String(count), 'WITHVALUES')) as string[];
    const expectedCount = count < 0 ? -count : Math.min(count, map.size);
    expect(reply.length).toBe(map.size === 0 ? 0 : expectedCount * 2);
    const fields: string[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      expect(map.get(reply[i]!)).toBe(reply[i + 1]);
      fields.push(reply[i]!);
    }
    if (count > 0) expect(new Set(fields).size).toBe(fields.length);
  }
}

describe.runIf(enabled)('hash propagation and notifications like Redis 7.0', () => {
  const SEQUENCE: string[][] = [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HMSET', 'h', 'c', '3'],
    ['HSETNX', 'h', 'a', 'x'],
    ['HSETNX', 'h', 'd', 'x'],
    ['HINCRBY', 'h', 'a', '5'],
    ['HINCRBYFLOAT', 'h', 'b', '0.5'],
    ['HINCRBYFLOAT', 'h', 'new', '3.0e1'],
    ['HINCRBYFLOAT', 'h', 'd', '1'],
    ['HDEL', 'h', 'nope'],
    ['HDEL', 'h', 'a', 'b', 'c'],
    ['HDEL', 'h', 'd', 'new'],
    ['HINCRBY', 'k', 'f', '1'],
  ];

  test('AOF of real Redis equals our propagation', async () => {
    await withAofPair(async ({ redis, captured, run }) => {
      for (const args of SEQUENCE) await run(args);
      expect(captured.commands).toEqual(await readRedisAof(redis));
    });
  });

  test('keyspace notifications are the same messages in the same order', async () => {
    await expectSameNotifications(SEQUENCE, 'hincrbyfloat');
  });
});
