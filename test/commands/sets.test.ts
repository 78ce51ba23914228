// Proves the set commands match Redis 7.0.15 byte for byte: fixed cases and seeded random sequences go to a real
// redis-server and to Strongbox in RESP2 and RESP3; intset replies (sorted integers) are compared exactly,
// hashtable replies canonically sorted, SPOP/SRANDMEMBER by count and membership (our side is then re-synced to
// Redis's set), OBJECT ENCODING after each write; propagation (Redis's AOF vs our hook) and notifications too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseResp, requireRealRedis, type RespValue } from '../helpers/real-redis.js';
import {
  both, canonical, drawSequence, expectSameNotifications, readRedisAof, runSeed, same, sameCanonical, startPair,
  withAofPair, type Pair,
} from './collections-harness.js';

const enabled = requireRealRedis();

const CASES: string[][] = [
  ['FLUSHALL'],
  ['SADD', 'i', '5', '-3', '100', '0', '-9223372036854775808', '9223372036854775807', '5'],
  ['OBJECT', 'ENCODING', 'i'],
  ['SMEMBERS', 'i'],
  ['SSCAN', 'i', '0'],
  ['SSCAN', 'i', '0', 'MATCH', '1*'],
  ['SSCAN', 'i', '7', 'COUNT', '1'],
  ['SSCAN', 'i', '0', 'COUNT', '0'],
  ['SSCAN', 'i', 'x'],
  ['SSCAN', 'nope', '0'],
  ['SCARD', 'i'],
  ['SCARD', 'nope'],
  ['SISMEMBER', 'i', '5'],
  ['SISMEMBER', 'i', '05'],
  ['SISMEMBER', 'i', 'x'],
  ['SISMEMBER', 'nope', 'x'],
  ['SMISMEMBER', 'i', '5', '6', '-3'],
  ['SMISMEMBER', 'nope', '5', '6'],
  ['SADD', 'i', '9223372036854775808'],
  ['OBJECT', 'ENCODING', 'i'],
  ['SADD', 'j', '1', '2', '3'],
  ['SADD', 'j', '01'],
  ['OBJECT', 'ENCODING', 'j'],
  ['SADD', 'k', 'a'],
  ['OBJECT', 'ENCODING', 'k'],
  ['SADD', 'n', '3', '1', '2', '10', '-1'],
  ['SMEMBERS', 'n'],
  ['SREM', 'n', '2', 'x', '2'],
  ['SREM', 'nope', '1'],
  ['SMEMBERS', 'n'],
  ['SREM', 'n', '3', '1', '10', '-1'],
  ['EXISTS', 'n'],
  ['SADD', 'a', '1', '2', '3', '4', '5'],
  ['SADD', 'b', '4', '5', '6'],
  ['SADD', 'c', '5', '7'],
  ['SINTER', 'a', 'b'],
  ['SINTER', 'a', 'b', 'c'],
  ['SINTER', 'a', 'nope'],
  ['SINTER', 'nope', 'a'],
  ['SINTER', 'a', 'a'],
  ['SINTERCARD', '2', 'a', 'b'],
  ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
  ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '0'],
  ['SINTERCARD', '1', 'nope'],
  ['SINTERCARD', '0', 'a'],
  ['SINTERCARD', '-1', 'a'],
  ['SINTERCARD', 'x', 'a'],
  ['SINTERCARD', '3', 'a', 'b'],
  ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'],
  ['SINTERCARD', '2', 'a', 'b', 'LIMIT'],
  ['SINTERCARD', '2', 'a', 'b', 'FOO', '1'],
  ['SINTERSTORE', 'dst', 'a', 'b'],
  ['SMEMBERS', 'dst'],
  ['OBJECT', 'ENCODING', 'dst'],
  ['SINTERSTORE', 'dst', 'a', 'nope'],
  ['EXISTS', 'dst'],
  ['SINTERSTORE', 'dst', 'a', 'nope'],
  ['SUNION', 'a', 'b', 'c', 'nope'],
  ['SUNION', 'nope'],
  ['SUNIONSTORE', 'u', 'c', 'a'],
  ['SMEMBERS', 'u'],
  ['SUNIONSTORE', 'u', 'nope'],
  ['EXISTS', 'u'],
  ['SDIFF', 'a', 'b', 'c'],
  ['SDIFF', 'a', 'nope'],
  ['SDIFF', 'nope', 'a'],
  ['SDIFF', 'a', 'a'],
  ['SDIFF', 'a', 'b', 'a'],
  ['SDIFFSTORE', 'd', 'a', 'b'],
  ['SMEMBERS', 'd'],
  ['SDIFFSTORE', 'd', 'a', 'a'],
  ['EXISTS', 'd'],
  // SDIFF algorithm 2 builds the whole first set before subtracting: a non-integer leaves a hashtable.
  ['SADD', 'mix', '1', '2', 'x'],
  ['SADD', 'big', 'x', 'y', 'z', 'w', 'v', 'u', 't', 's'],
  ['SDIFFSTORE', 'd2', 'mix', 'big'],
  ['OBJECT', 'ENCODING', 'd2'],
  ['SDIFFSTORE', 'd3', 'mix', 'nope'],
  ['OBJECT', 'ENCODING', 'd3'],
  ['SADD', 'small', 'x'],
  ['SDIFFSTORE', 'd4', 'mix', 'small'],
  ['OBJECT', 'ENCODING', 'd4'],
  ['SMEMBERS', 'd4'],
  ['SMOVE', 'a', 'b', '1'],
  ['SMOVE', 'a', 'b', '1'],
  ['SMOVE', 'a', 'a', '2'],
  ['SMOVE', 'a', 'a', '99'],
  ['SMOVE', 'nope', 'b', '1'],
  ['SMOVE', 'a', 'newset', '2'],
  ['OBJECT', 'ENCODING', 'newset'],
  ['SMOVE', 'a', 'newset2', '3'],
  ['SMOVE', 'k', 'newset3', 'a'],
  ['EXISTS', 'k'],
  ['OBJECT', 'ENCODING', 'newset3'],
  ['SMEMBERS', 'b'],
  ['SRANDMEMBER', 'nope'],
  ['SRANDMEMBER', 'nope', '3'],
  ['SRANDMEMBER', 'b', '0'],
  ['SRANDMEMBER', 'b', '100'],
  ['SRANDMEMBER', 'b', 'x'],
  ['SRANDMEMBER', 'b', '1', '2'],
  ['SRANDMEMBER', 'b', '-9223372036854775808'],
  ['SPOP', 'nope'],
  ['SPOP', 'nope', '3'],
  ['SPOP', 'b', '0'],
  ['SPOP', 'b', '-1'],
  ['SPOP', 'b', 'x'],
  ['SPOP', 'b', '1', '2'],
  ['SPOP', 'b', '100'],
  ['EXISTS', 'b'],
  ['SADD', 'one', 'only'],
  ['SPOP', 'one'],
  ['EXISTS', 'one'],
  ['SET', 's', 'x'],
  ['SADD', 's', '1'],
  ['SREM', 's', '1'],
  ['SCARD', 's'],
  ['SISMEMBER', 's', '1'],
  ['SMISMEMBER', 's', '1'],
  ['SMEMBERS', 's'],
  ['SINTER', 'nope', 's'],
  ['SINTER', 's', 'nope'],
  ['SUNION', 'a', 's'],
  ['SDIFF', 'nope', 's'],
  ['SINTERCARD', '2', 'a', 's'],
  ['SMOVE', 's', 'a', '1'],
  ['SMOVE', 'a', 's', '4'],
  ['SMOVE', 'nope', 's', '4'],
  ['SPOP', 's'],
  ['SPOP', 's', '2'],
  ['SRANDMEMBER', 's'],
  ['SRANDMEMBER', 's', '2'],
  ['SSCAN', 's', '0'],
  ['SINTERSTORE', 's', 'a', 'c'],
  ['SMEMBERS', 's'],
  // Intset size limit.
  ['SADD', 'many', ...Array.from({ length: 512 }, (_, i) => String(i * 3 - 700))],
  ['OBJECT', 'ENCODING', 'many'],
  ['SMEMBERS', 'many'],
  ['SADD', 'many', '100000'],
  ['OBJECT', 'ENCODING', 'many'],
];

describe.runIf(enabled)('set commands, byte for byte against Redis 7.0', () => {
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

  test('hashtable sets agree canonically; SSCAN iterates every member once; random picks are members', async () => {
    await same(pair.resp2, ['DEL', 'h']);
    await same(pair.resp2, ['SADD', 'h', ...Array.from({ length: 700 }, (_, i) => `m${i}`)]);
    for (const clients of [pair.resp2, pair.resp3]) {
      for (const args of [['SMEMBERS', 'h'], ['SUNION', 'h', 'nope'], ['SINTER', 'h', 'h'], ['SDIFF', 'h', 'nope'], ['SRANDMEMBER', 'h', '1000']]) {
        await sameCanonical(clients, args);
      }
    }
    const members = new Set(parseResp(await pair.resp2[1].call('SMEMBERS', 'h')) as string[]);
    const seen: string[] = [];
    let cursor = '0';
    do {
      const reply = parseResp(await pair.resp2[1].call('SSCAN', 'h', cursor, 'COUNT', '13')) as [string, string[]];
      cursor = reply[0];
      seen.push(...reply[1]);
    } while (cursor !== '0');
    expect(seen.length).toBe(700);
    expect(new Set(seen).size).toBe(700);
    for (const count of ['5', '-5', '300', '650']) {
      const reply = parseResp(await pair.resp2[1].call('SRANDMEMBER', 'h', count)) as string[];
      expect(reply.length).toBe(Math.abs(Number(count)));
      for (const m of reply) expect(members.has(m)).toBe(true);
      if (!count.startsWith('-')) expect(new Set(reply).size).toBe(reply.length);
    }
  });

  test('seeded random sequences (fast-check, 3500 commands), small intset limit', async () => {
    const seed = runSeed('sets random');
    const small = await startPair(['--set-max-intset-entries', '8']);
    try {
      const key = fc.constantFrom('s1', 's2', 's3', 'str');
      const member = fc.oneof(
        fc.integer({ min: -20, max: 20 }).map(String),
        fc.integer({ min: -20, max: 20 }).map(String),
        fc.constantFrom('a', 'b', '007', '-0', '9223372036854775807', '-9223372036854775808', '9223372036854775808'),
        fc.string({ maxLength: 4 }),
      );
      const command = fc.oneof(
        fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 4 })).map(([k, m]) => ['SADD', k, ...m]),
        fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['SREM', k, ...m]),
        fc.tuple(key, member).map(([k, m]) => ['SISMEMBER', k, m]),
        fc.tuple(key, member, member).map(([k, m, n]) => ['SMISMEMBER', k, m, n]),
        fc.tuple(key).map(([k]) => ['SCARD', k]),
        fc.tuple(key).map(([k]) => ['SMEMBERS', k]),
        fc.tuple(key, key, member).map(([a, b, m]) => ['SMOVE', a, b, m]),
        fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), key, key).map(([c, a, b]) => [c, a, b]),
        fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, key, key).map(([c, d, a, b]) => [c, d, a, b]),
        fc.tuple(key, key, fc.integer({ min: 0, max: 3 })).map(([a, b, n]) => ['SINTERCARD', '2', a, b, 'LIMIT', String(n)]),
        fc.tuple(key, fc.integer({ min: -6, max: 6 })).map(([k, n]) => ['SRANDMEMBER', k, String(n)]),
        fc.tuple(key).map(([k]) => ['SPOP', k]),
        fc.tuple(key, fc.integer({ min: 0, max: 12 })).map(([k, n]) => ['SPOP', k, String(n)]),
        fc.tuple(key).map(([k]) => ['SSCAN', k, '0', 'COUNT', '100']),
        fc.constant<string[]>(['SET', 'str', 'x']),
        fc.tuple(key).map(([k]) => ['DEL', k]),
      );
      const sequence = drawSequence(command, seed, 3500);
      let step = 0;
      for (const args of sequence) {
        step++;
        const clients = step % 2 === 0 ? small.resp2 : small.resp3;
        const label = `SEED=${seed} step ${step}: ${JSON.stringify(args)}`;
        const target = args[0] === 'SINTERSTORE' || args[0] === 'SUNIONSTORE' || args[0] === 'SDIFFSTORE' || args[0] === 'SMOVE' ? args[2]! : args[1]!;
        const [encoding] = await both(small.resp2, ['OBJECT', 'ENCODING', target]);
        const [expected, actual] = await both(clients, args);
        if (args[0] === 'SPOP' || args[0] === 'SRANDMEMBER') {
          checkRandomReply(expected, actual, label);
          if (args[0] === 'SPOP') await resync(small, args[1]!);
        } else if (encoding.includes('hashtable') || (args.length > 2 && ['SINTER', 'SUNION', 'SDIFF', 'SSCAN'].includes(args[0]!))) {
          expect(actual[0], label).toBe(expected[0]);
          expect(canonicalScan(parseResp(Buffer.from(actual, 'latin1'))), label).toEqual(canonicalScan(parseResp(Buffer.from(expected, 'latin1'))));
        } else {
          expect(actual, label).toBe(expected);
        }
        for (const k of new Set([args[1]!, target])) {
          const [e, a] = await both(small.resp2, ['OBJECT', 'ENCODING', k]);
          expect(a, `${label} encoding of ${k}`).toBe(e);
        }
      }
    } finally {
      await small.stop();
    }
  }, 180_000);
});

function canonicalScan(v: RespValue): RespValue {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Array.isArray(v[1])) return [v[0], canonical(v[1])];
  return canonical(v);
}

/** SPOP/SRANDMEMBER: same reply type and element count (members differ by chance). */
function checkRandomReply(expected: string, actual: string, label: string): void {
  expect(actual[0], label).toBe(expected[0]);
  if (expected[0] === '-' || expected[0] === ':') return expect(actual, label).toBe(expected);
  const e = parseResp(Buffer.from(expected, 'latin1'));
  const a = parseResp(Buffer.from(actual, 'latin1'));
  if (Array.isArray(e)) expect((a as RespValue[]).length, label).toBe(e.length);
  else expect(a === null, label).toBe(e === null);
}

/** Makes our set at `key` equal to Redis's, in the same encoding (SPOP picked different members). */
async function resync(pair: Pair, key: string): Promise<void> {
  const [redisClient, ours] = pair.resp2;
  const members = parseResp(await redisClient.call('SMEMBERS', key));
  const encoding = (await redisClient.call('OBJECT', 'ENCODING', key)).toString('latin1');
  if (!Array.isArray(members)) return;
  await ours.call('DEL', key);
  if (members.length === 0) return;
  if (encoding.includes('intset')) {
    await ours.call('SADD', key, ...(members as string[]));
  } else {
    await ours.call('SADD', key, '\u0000resync', ...(members as string[]));
    await ours.call('SREM', key, '\u0000resync');
  }
}

describe.runIf(enabled)('set propagation and notifications like Redis 7.0', () => {
  const SEQUENCE: string[][] = [
    ['SADD', 'a', '1', '2', '3'],
    ['SADD', 'a', '1'],
    ['SADD', 'b', 'x', '2'],
    ['SREM', 'a', '9'],
    ['SREM', 'a', '1'],
    ['SMOVE', 'a', 'b', '2'],
    ['SMOVE', 'a', 'c', '3'],
    ['SINTERSTORE', 'i', 'b', 'c'],
    ['SINTERSTORE', 'i', 'b', 'nope'],
    ['SUNIONSTORE', 'u', 'b', 'c'],
    ['SDIFFSTORE', 'd', 'u', 'c'],
    ['SDIFFSTORE', 'd', 'u', 'u'],
    ['SADD', 'one', 'm'],
    ['SPOP', 'one'],
    ['SADD', 'ints', '3', '1', '2'],
    ['SPOP', 'ints', '10'],
    ['SPOP', 'c', '0'],
    ['SPOP', 'nope', '1'],
    ['SADD', 'two', '5', '6'],
    ['SPOP', 'two', '2'],
  ];

  test('AOF of real Redis equals our propagation (SPOP as SREM / DEL)', async () => {
    await withAofPair(async ({ redis, r, o, captured, run }) => {
      for (const args of SEQUENCE) await run(args);
      // SPOP with a count below the size: one SREM per popped member inside MULTI/EXEC (members differ by chance).
      for (const [client, label] of [[r, 'redis'], [o, 'ours']] as const) {
        await client.call('SADD', `p-${label}`, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l');
        await client.call('SPOP', `p-${label}`, '2');
        await client.call('SPOP', `p-${label}`, '9');
      }
      const expected = await readRedisAof(redis);
      const shape = (commands: string[][]): string[] =>
        commands.map((c) => (c[0] === 'SREM' && c[1]!.startsWith('p-') ? 'SREM p' : c[0] === 'SADD' && c[1]!.startsWith('p-') ? 'SADD p' : c.join(' ')));
      expect(shape(captured.commands)).toEqual(shape(expected));
      expect(captured.commands.slice(0, -16)).toEqual(expected.slice(0, -16));
    });
  });

  test('keyspace notifications are the same messages in the same order', async () => {
    await expectSameNotifications(SEQUENCE, 'sdiffstore');
  });
});
