// Proves the sorted-set commands answer like Redis 7.0.15 byte for byte (RESP2 and RESP3): a fixed list covering
// every option and error, then a seeded random command sequence (with encodings checked along the way), plus a
// complexity check that a 1,000,000-member zset answers ZADD/ZRANK/ZREVRANGE in O(log N) node visits.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { requireRealRedis } from '../helpers/real-redis.js';
import { ZSetValue, SetValue, zsetWork, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { parseResp, type RawClient } from '../helpers/real-redis.js';
import { startPair, both, runSeed, type Pair } from './zset-harness.js';

const enabled = requireRealRedis();

const FIXED: string[][] = [
  ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
  ['ZADD', 'z', 'NX', 'XX', '1', 'a'],
  ['ZADD', 'z', 'GT', 'LT', '1', 'a'],
  ['ZADD', 'z', 'GT', 'NX', '1', 'a'],
  ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'],
  ['ZADD', 'z', '1'],
  ['ZADD', 'z', 'CH'],
  ['ZADD', 'z', 'x', 'a'],
  ['ZADD', 'z', 'nan', 'a'],
  ['ZADD', 'z', ' 1', 'a'],
  ['ZADD', 'z', '1e400', 'a'],
  ['ZADD', 'z', 'CH', 'GT', '5', 'a', '0', 'b', '9', 'new'],
  ['ZADD', 'z', 'XX', 'CH', 'LT', '-1', 'a', '7', 'c', '1', 'nope'],
  ['ZADD', 'z', 'INCR', 'inf', 'a'],
  ['ZADD', 'z', 'INCR', '-inf', 'a'],
  ['ZADD', 'z', 'NX', 'INCR', '1', 'a'],
  ['ZADD', 'z', 'XX', 'INCR', '1', 'missing'],
  ['ZADD', 'none', 'XX', '1', 'a'],
  ['ZADD', 'none', 'XX', 'INCR', '1', 'a'],
  ['ZINCRBY', 'z', '2.5', 'b'],
  ['ZINCRBY', 'z', 'nx', 'b'],
  ['ZINCRBY', 'z', 'abc', 'b'],
  ['ZADD', 'z', '-0', 'negzero', '0x10', 'hex', '1.5e3', 'e', '0.1', 'tenth', '-1e-310', 'tiny'],
  ['ZSCORE', 'z', 'negzero'],
  ['ZSCORE', 'z', 'hex'],
  ['ZSCORE', 'z', 'tiny'],
  ['ZSCORE', 'z', 'nope'],
  ['ZSCORE', 'nokey', 'a'],
  ['ZMSCORE', 'z', 'a', 'nope', 'b'],
  ['ZMSCORE', 'nokey', 'a', 'b'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['ZRANGE', 'z', '0', '-1', 'REV', 'WITHSCORES'],
  ['ZRANGE', 'z', '-3', '100'],
  ['ZRANGE', 'z', '5', '2'],
  ['ZRANGE', 'z', 'a', '2'],
  ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'],
  ['ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'WITHSCORES', 'LIMIT', '1', '2'],
  ['ZRANGE', 'z', '+inf', '(1', 'BYSCORE', 'REV', 'WITHSCORES'],
  ['ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'],
  ['ZRANGE', 'z', '-', '+', 'BYLEX', 'BYSCORE'],
  ['ZRANGE', 'z', '0', '1', 'FOO'],
  ['ZRANGE', 'z', 'x', '1', 'BYSCORE'],
  ['ZRANGE', 'z', '', '(', 'BYSCORE'],
  ['ZRANGE', 'z', ' 1', '  3 ', 'BYSCORE'],
  ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'LIMIT', '-1', '5'],
  ['ZRANGE', 'z', '-inf', 'inf', 'BYSCORE', 'LIMIT', '2', '-1'],
  ['ZRANGE', 'z', '-inf', 'inf', 'BYSCORE', 'LIMIT', '99', '1'],
  ['ZRANGE', 'z', '-inf', 'inf', 'BYSCORE', 'LIMIT', 'x', '1'],
  ['ZRANGE', 'z', '[a', 'x', 'BYLEX'],
  ['ZRANGE', 'nokey', '0', '-1'],
  ['ZREVRANGE', 'z', '0', '2', 'WITHSCORES'],
  ['ZREVRANGE', 'z', '0', '2', 'REV'],
  ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'WITHSCORES', 'LIMIT', '1', '3'],
  ['ZRANGEBYSCORE', 'z', '(0', '(3'],
  ['ZRANGEBYSCORE', 'z', '0', '3', 'BYSCORE'],
  ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'WITHSCORES'],
  ['ZREVRANGEBYSCORE', 'z', '3', '(1', 'LIMIT', '0', '1'],
  ['ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'bb'],
  ['ZRANGEBYLEX', 'lex', '-', '+'],
  ['ZRANGEBYLEX', 'lex', '[b', '(d'],
  ['ZRANGEBYLEX', 'lex', '(b', '[d', 'LIMIT', '1', '1'],
  ['ZRANGEBYLEX', 'lex', 'b', 'd'],
  ['ZRANGEBYLEX', 'lex', '+', '-'],
  ['ZRANGEBYLEX', 'lex', '-x', '+'],
  ['ZREVRANGEBYLEX', 'lex', '+', '[bb'],
  ['ZREVRANGEBYLEX', 'lex', '(e', '-', 'LIMIT', '0', '2'],
  ['ZLEXCOUNT', 'lex', '[b', '[d'],
  ['ZLEXCOUNT', 'lex', '-', '+'],
  ['ZLEXCOUNT', 'lex', 'x', '+'],
  ['ZLEXCOUNT', 'nokey', '-', '+'],
  ['ZCOUNT', 'z', '-inf', '+inf'],
  ['ZCOUNT', 'z', '(1', '3'],
  ['ZCOUNT', 'z', 'x', '3'],
  ['ZCOUNT', 'z', '5', '1'],
  ['ZCARD', 'z'],
  ['ZCARD', 'nokey'],
  ['ZRANK', 'z', 'b'],
  ['ZREVRANK', 'z', 'b'],
  ['ZRANK', 'z', 'nope'],
  ['ZRANK', 'nokey', 'a'],
  ['ZRANGESTORE', 'dst', 'z', '0', '-1'],
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 'z', '1', '2', 'BYSCORE', 'REV'],
  ['ZRANGESTORE', 'dst', 'z', '2', '1', 'BYSCORE', 'REV', 'LIMIT', '0', '1'],
  ['ZRANGESTORE', 'dst', 'z', '0', '1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 'lex', '[b', '[c', 'BYLEX'],
  ['ZRANGESTORE', 'dst', 'nokey', '0', '-1'],
  ['EXISTS', 'dst'],
  ['ZREM', 'z', 'a', 'nope', 'b'],
  ['ZREM', 'nokey', 'a'],
  ['ZREMRANGEBYRANK', 'lex', '0', '1'],
  ['ZREMRANGEBYRANK', 'lex', 'x', '1'],
  ['ZREMRANGEBYLEX', 'lex', '[c', '+'],
  ['ZREMRANGEBYLEX', 'lex', 'c', '+'],
  ['ZREMRANGEBYSCORE', 'z', '(0', '2'],
  ['ZREMRANGEBYSCORE', 'z', 'a', '2'],
  ['ZREMRANGEBYSCORE', 'nokey', '0', '2'],
  ['SET', 'str', 'x'],
  ['ZADD', 'str', '1', 'a'],
  ['ZRANGE', 'str', '0', '-1'],
  ['ZSCORE', 'str', 'a'],
  ['ZCARD', 'str'],
  ['ZUNION', '2', 'z', 'str'],
  ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
  ['ZPOPMIN', 'p'],
  ['ZPOPMAX', 'p', '2'],
  ['ZPOPMIN', 'p', '0'],
  ['ZPOPMIN', 'p', '-1'],
  ['ZPOPMIN', 'p', 'x'],
  ['ZPOPMIN', 'p', '1', '2'],
  ['ZPOPMIN', 'p', '10'],
  ['ZPOPMIN', 'p'],
  ['ZPOPMIN', 'str'],
  ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'],
  ['ZMPOP', '2', 'nokey', 'p', 'MIN'],
  ['ZMPOP', '2', 'nokey', 'p', 'MAX', 'COUNT', '5'],
  ['ZMPOP', '1', 'nokey', 'MIN'],
  ['ZMPOP', '0', 'p', 'MIN'],
  ['ZMPOP', '1', 'p', 'MID'],
  ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '0'],
  ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '1', 'COUNT', '1'],
  ['ZMPOP', '5', 'p', 'MIN'],
  ['ZMPOP', 'x', 'p', 'MIN'],
  ['ZADD', 'p', '1', 'a'],
  ['BZPOPMIN', 'nokey', 'p', '0'],
  ['BZMPOP', '0', '1', 'str', 'MIN'],
  ['BZPOPMAX', 'p', '-1'],
  ['BZPOPMAX', 'p', 'abc'],
  ['ZADD', 'u1', '1', 'a', '2', 'b', '3', 'c'],
  ['ZADD', 'u2', '10', 'b', '20', 'c', '30', 'd', 'inf', 'e'],
  ['ZADD', 'u3', '-inf', 'e', '5', 'a'],
  ['__SET', 's1', 'a', 'd', 'x'],
  ['ZUNION', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZUNION', '3', 'u1', 'u2', 'u3', 'WEIGHTS', '1', '2', '3', 'WITHSCORES'],
  ['ZUNION', '3', 'u1', 'u2', 'u3', 'AGGREGATE', 'MIN', 'WITHSCORES'],
  ['ZUNION', '3', 'u1', 'u2', 'u3', 'AGGREGATE', 'max', 'WITHSCORES'],
  ['ZUNION', '3', 'u1', 'u2', 's1', 'WITHSCORES'],
  ['ZUNION', '2', 'u2', 'u3', 'WITHSCORES'],
  ['ZUNION', '2', 'u2', 'u3', 'WEIGHTS', '0', '0', 'WITHSCORES'],
  ['ZUNION', '2', 'u1', 'u2', 'WEIGHTS', '1', 'x'],
  ['ZUNION', '2', 'u1', 'u2', 'WEIGHTS', '1'],
  ['ZUNION', '2', 'u1', 'u2', 'AGGREGATE', 'avg'],
  ['ZUNION', '0', 'u1'],
  ['ZUNION', '3', 'u1'],
  ['ZUNION', '-1', 'u1'],
  ['ZINTER', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZINTER', '2', 'u1', 'u1', 'WITHSCORES'],
  ['ZINTER', '2', 'u1', 's1', 'WITHSCORES'],
  ['ZINTER', '2', 'u1', 'nokey'],
  ['ZINTER', '2', 'u2', 'u3', 'AGGREGATE', 'SUM', 'WITHSCORES'],
  ['ZDIFF', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZDIFF', '2', 'u1', 's1'],
  ['ZDIFF', '2', 'u1', 'u2', 'WEIGHTS', '1', '1'],
  ['ZDIFF', '1', 'nokey'],
  ['ZUNIONSTORE', 'out', '2', 'u1', 'u2'],
  ['ZRANGE', 'out', '0', '-1', 'WITHSCORES'],
  ['ZINTERSTORE', 'out', '2', 'u1', 'u2', 'WEIGHTS', '2', '0.5'],
  ['ZRANGE', 'out', '0', '-1', 'WITHSCORES'],
  ['ZDIFFSTORE', 'out', '2', 'u1', 'u1'],
  ['EXISTS', 'out'],
  ['ZUNIONSTORE', 'out', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZINTERSTORE', 'out', '0', 'u1'],
  ['ZINTERCARD', '2', 'u1', 'u2'],
  ['ZINTERCARD', '2', 'u1', 'u2', 'LIMIT', '1'],
  ['ZINTERCARD', '2', 'u1', 'u2', 'LIMIT', '-1'],
  ['ZINTERCARD', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZINTERCARD', '0', 'u1'],
  ['ZRANDMEMBER', 'nokey'],
  ['ZRANDMEMBER', 'nokey', '5'],
  ['ZRANDMEMBER', 'u1', '0'],
  ['ZRANDMEMBER', 'u1', '10', 'WITHSCORES'],
  ['ZRANDMEMBER', 'u1', '-9223372036854775808'],
  ['ZRANDMEMBER', 'u1', '9223372036854775807', 'WITHSCORES'],
  ['ZRANDMEMBER', 'u1', '1', 'WITHSCORE'],
  ['ZRANDMEMBER', 'u1', 'x'],
  ['ZSCAN', 'u1', '0'],
  ['ZSCAN', 'u1', '0', 'MATCH', 'b*'],
  ['ZSCAN', 'u1', '0', 'COUNT', '0'],
  ['ZSCAN', 'u1', 'x'],
  ['ZSCAN', 'u1', '0', 'TYPE', 'zset'],
  ['ZSCAN', 'nokey', '0'],
  ['ZSCAN', 'str', '0'],
  ['ZADD', 'big', '100000000000000000', 'a', '1.5', 'b', '-0', 'c'],
  ['ZSCAN', 'big', '0'],
  ['ZADD', 'huge', '-50735868578384944', 'a', '9007199254740993', 'b', '9007199254740992', 'c', '1e16', 'd', '99999999999999999', 'e'],
  ['ZRANGE', 'huge', '0', '-1', 'WITHSCORES'],
  ['ZSCORE', 'big', 'c'],
];

describe.runIf(enabled)('sorted sets against real Redis', () => {
  let pair: Pair;

  /** A set source on both sides: SADD on Redis, injected into our keyspace if our SADD is not there yet. */
  async function makeSet(clients: [RawClient, RawClient], key: string, members: string[]): Promise<void> {
    await clients[0].call('SADD', key, ...members);
    const reply = (await clients[1].call('SADD', key, ...members)).toString('latin1');
    if (reply.startsWith('-ERR unknown command')) {
      pair.ours.server.engine.keyspace.db(0).set(key, SetValue.fromMembers(members, defaultKeyspaceConfig()));
    }
  }

  /** Every member/score pair a full ZSCAN returns, sorted (hash-table order is Redis's own). */
  async function fullScan(client: RawClient, key: string): Promise<string> {
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const reply = parseResp(await client.call('ZSCAN', key, cursor));
      if (!Array.isArray(reply)) return String(reply);
      cursor = String(reply[0]);
      const items = reply[1] as string[];
      for (let i = 0; i < items.length; i += 2) seen.add(`${items[i]}=${items[i + 1]}`);
    } while (cursor !== '0');
    return [...seen].sort().join(',');
  }
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  test('fixed cases, RESP2 and RESP3', async () => {
    for (const [protocol, clients] of [[2, pair.resp2], [3, pair.resp3]] as const) {
      await both(clients, ['FLUSHALL']);
      for (const args of FIXED) {
        if (args[0] === '__SET') {
          await makeSet(clients, args[1]!, args.slice(2));
          continue;
        }
        const [expected, actual] = await both(clients, args);
        expect(actual, `RESP${protocol}: ${args.join(' ')}`).toBe(expected);
      }
    }
  });

  test('blocking pops are served by a later ZADD and time out with a null array', async () => {
    const { resp2 } = pair;
    await both(resp2, ['FLUSHALL']);
    const [rb, ob] = [await pair.redis.call('PING'), null];
    void rb; void ob;
    const waiters = await Promise.all([
      (await import('../helpers/real-redis.js')).connectRaw(pair.redis.port), pair.ours.connect(),
    ]);
    const pending = waiters.map((c) => c.call('BZMPOP', '0', '2', 'k1', 'k2', 'MAX', 'COUNT', '2'));
    await new Promise((r) => setTimeout(r, 50));
    await both(resp2, ['ZADD', 'k2', '1', 'a', '2', 'b', '3', 'c']);
    const [a, b] = await Promise.all(pending);
    expect(b?.toString('latin1')).toBe(a?.toString('latin1'));
    const timeouts = await Promise.all(waiters.map((c) => c.call('BZPOPMIN', 'k9', '0.05')));
    expect(timeouts[1]!.toString('latin1')).toBe(timeouts[0]!.toString('latin1'));
    for (const c of waiters) c.socket.destroy();
    const [x, y] = await both(resp2, ['ZRANGE', 'k2', '0', '-1', 'WITHSCORES']);
    expect(y).toBe(x);
  });

  test('inside MULTI a blocking pop on empty keys replies a null array at once', async () => {
    for (const clients of [pair.resp2, pair.resp3]) {
      await both(clients, ['FLUSHALL']);
      for (const args of [['MULTI'], ['BZPOPMIN', 'none', '0'], ['BZMPOP', '0', '1', 'none', 'MIN'], ['ZADD', 'k', '1', 'a'], ['BZPOPMAX', 'k', '0'], ['EXEC']]) {
        const [expected, actual] = await both(clients, args);
        expect(actual, args.join(' ')).toBe(expected);
      }
    }
  });

  test('ZRANDMEMBER picks members of the set: distinct for a positive count, repeated for a negative one', async () => {
    const c = pair.resp2[1];
    await c.call('DEL', 'rm');
    for (const listpack of [true, false]) {
      const n = listpack ? 20 : 300;
      await c.call('ZADD', 'rm', ...Array.from({ length: n }, (_, i) => [String(i), `m${i}`]).flat());
      for (const count of [1, 5, n - 1, n, n + 5, -1, -7, -(3 * n)]) {
        const reply = parseResp(await c.call('ZRANDMEMBER', 'rm', String(count), 'WITHSCORES')) as string[];
        const members = reply.filter((_, i) => i % 2 === 0);
        expect(members.length, `count ${count}`).toBe(count > 0 ? Math.min(count, n) : -count);
        for (let i = 0; i < reply.length; i += 2) expect(reply[i + 1]).toBe(reply[i]!.slice(1));
        if (count > 0) expect(new Set(members).size).toBe(members.length);
      }
      await c.call('DEL', 'rm');
    }
  });

  test('keyspace notifications: the same events, in the same order, as Redis', async () => {
    const { createConnection } = await import('node:net');
    const clients = pair.resp2;
    await both(clients, ['FLUSHALL']);
    await both(clients, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']);
    const streams = await Promise.all([pair.redis.port, pair.ours.port].map((port) => new Promise<{ data: Buffer[]; close: () => void }>((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => {
        socket.write('PSUBSCRIBE __key*__:*\r\n');
        setTimeout(() => resolve({ data, close: () => socket.destroy() }), 50);
      });
      const data: Buffer[] = [];
      socket.on('data', (chunk) => data.push(chunk));
    })));
    const sequence: string[][] = [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZADD', 'z', 'NX', '9', 'a'], ['ZINCRBY', 'z', '1', 'a'],
      ['ZREM', 'z', 'nope'], ['ZREM', 'z', 'b'], ['ZREMRANGEBYSCORE', 'z', '100', '200'], ['ZREMRANGEBYRANK', 'z', '0', '0'],
      ['ZADD', 'y', '0', 'p', '0', 'q'], ['ZREMRANGEBYLEX', 'y', '-', '+'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '5'],
      ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZUNIONSTORE', 'u', '1', 'z'], ['ZINTERSTORE', 'u', '2', 'z', 'none'],
      ['ZDIFFSTORE', 'u', '1', 'z'], ['ZRANGESTORE', 'r', 'z', '0', '-1'], ['ZRANGESTORE', 'r', 'z', '5', '6'],
      ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '9'], ['GEOADD', 'g', '13.36', '38.11', 'P', '15.08', '37.50', 'C'],
      ['GEOSEARCHSTORE', 'gs', 'g', 'FROMMEMBER', 'P', 'BYRADIUS', '500', 'km'],
      ['GEORADIUS', 'g', '15', '37', '500', 'km', 'STOREDIST', 'gs'], ['GEOSEARCHSTORE', 'gs', 'g', 'FROMMEMBER', 'P', 'BYRADIUS', '0', 'm'],
      ['SORT', 'g', 'ALPHA', 'STORE', 'sorted'], ['SORT', 'none', 'STORE', 'sorted'],
    ];
    for (const args of sequence) {
      const [expected, actual] = await both(clients, args);
      expect(actual, args.join(' ')).toBe(expected);
    }
    await new Promise((r) => setTimeout(r, 200));
    const [theirs, ours] = streams.map((st) => Buffer.concat(st.data).toString('latin1'));
    for (const st of streams) st.close();
    await both(clients, ['CONFIG', 'SET', 'notify-keyspace-events', '']);
    expect(ours).toBe(theirs);
    expect(theirs).toContain('zrangestore');
  });

  test('seeded random sequence (>= 3000 commands, small listpack limits, OBJECT ENCODING)', async () => {
    const seed = runSeed('zsets random');
    const clients = pair.resp2;
    await both(clients, ['FLUSHALL']);
    await both(clients, ['CONFIG', 'SET', 'zset-max-listpack-entries', '6']);
    await both(clients, ['CONFIG', 'SET', 'zset-max-listpack-value', '4']);
    const objectWorks = (await pair.ours.call('OBJECT', 'ENCODING', 'nokey')).toString('latin1').startsWith('$-1') ||
      (await pair.ours.call('OBJECT', 'ENCODING', 'nokey')).toString('latin1').startsWith('-ERR no such');
    const key = fc.constantFrom('k1', 'k2', 'k3');
    const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'longmember', '1', '-0');
    const score = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.constantFrom('1.5', '-0', '0', 'inf', '-inf', '1e300', '0.1', 'x'));
    const bound = fc.oneof(score, score.map((s) => `(${s}`));
    const lex = fc.oneof(fc.constantFrom('-', '+'), member.map((m) => `[${m}`), member.map((m) => `(${m}`));
    const idx = fc.integer({ min: -8, max: 8 }).map(String);
    const pairs = fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }).map((ps) => ps.flat());
    const flags = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']);
    const command = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(key, flags, pairs).map(([k, f, p]) => ['ZADD', k, ...f, ...p]) },
      fc.tuple(key, score, member).map(([k, s, m]) => ['ZINCRBY', k, s, m]),
      fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['ZREM', k, ...ms]),
      fc.tuple(key, member).map(([k, m]) => ['ZSCORE', k, m]),
      fc.tuple(key, member).map(([k, m]) => ['ZRANK', k, m]),
      fc.tuple(key, member).map(([k, m]) => ['ZREVRANK', k, m]),
      fc.tuple(key, idx, idx, fc.boolean()).map(([k, a, b, w]) => ['ZRANGE', k, a, b, ...(w ? ['WITHSCORES'] : [])]),
      fc.tuple(key, idx, idx).map(([k, a, b]) => ['ZREVRANGE', k, a, b, 'WITHSCORES']),
      fc.tuple(key, bound, bound, fc.boolean(), idx, idx).map(([k, a, b, rev, o, c]) =>
        ['ZRANGE', k, a, b, 'BYSCORE', ...(rev ? ['REV'] : []), 'WITHSCORES', 'LIMIT', o, c]),
      // Lex ranges are defined only over equal scores: they run on 'lx', which only ever gets score 0.
      fc.tuple(fc.array(member, { minLength: 1, maxLength: 3 })).map(([ms]) => ['ZADD', 'lx', ...ms.flatMap((m) => ['0', m])]),
      fc.tuple(member).map(([m]) => ['ZREM', 'lx', m]),
      fc.tuple(lex, lex, fc.boolean(), idx, idx).map(([a, b, rev, o, c]) => ['ZRANGE', 'lx', a, b, 'BYLEX', ...(rev ? ['REV'] : []), 'LIMIT', o, c]),
      fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZCOUNT', k, a, b]),
      fc.tuple(lex, lex).map(([a, b]) => ['ZLEXCOUNT', 'lx', a, b]),
      fc.tuple(key, idx, idx).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b]),
      fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, b]),
      fc.tuple(lex, lex).map(([a, b]) => ['ZREMRANGEBYLEX', 'lx', a, b]),
      fc.tuple(key, fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), fc.integer({ min: 0, max: 3 })).map(([k, c, n]) => [c, k, String(n)]),
      fc.tuple(key, key, fc.constantFrom('MIN', 'MAX')).map(([a, b, w]) => ['ZMPOP', '2', a, b, w, 'COUNT', '2']),
      fc.tuple(key, key, key, fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE')).map(([d, a, b, c]) => [c, d, '2', a, b]),
      fc.tuple(key, key, fc.constantFrom('ZUNION', 'ZINTER', 'ZDIFF'), fc.constantFrom('SUM', 'MIN', 'MAX')).map(([a, b, c, agg]) =>
        c === 'ZDIFF' ? [c, '2', a, b, 'WITHSCORES'] : [c, '2', a, b, 'WEIGHTS', '2', '-1', 'AGGREGATE', agg, 'WITHSCORES']),
      fc.tuple(key, key, bound, bound).map(([d, k, a, b]) => ['ZRANGESTORE', d, k, a, b, 'BYSCORE']),
      fc.tuple(key, key).map(([a, b]) => ['ZINTERCARD', '2', a, b]),
      key.map((k) => ['ZCARD', k]),
      key.map((k) => ['ZSCAN', k, '0']),
    );
    const commands = fc.sample(command, { seed, numRuns: 3200 });
    let encodingChecks = 0;
    for (const args of commands) {
      if (args[0] === 'ZSCAN') {
        const [expected, actual] = await Promise.all([fullScan(clients[0], args[1]!), fullScan(clients[1], args[1]!)]);
        expect(actual, `SEED=${seed}: full ZSCAN ${args[1]}`).toBe(expected);
        continue;
      }
      // Alternate RESP2 and RESP3 connections (one shared keyspace), so random replies are checked in both.
      const protocolClients = encodingChecks % 2 === 0 ? clients : pair.resp3;
      const [expected, actual] = await both(protocolClients, args);
      expect(actual, `SEED=${seed} RESP${encodingChecks % 2 === 0 ? 2 : 3}: ${args.join(' ')}`).toBe(expected);
      const target = args[0] === 'ZRANGESTORE' || args[0]!.endsWith('STORE') ? args[1]! : args[1]!;
      const [redisEncoding] = await both(clients, ['OBJECT', 'ENCODING', target]);
      let ours: string;
      if (objectWorks) {
        ours = (await clients[1].call('OBJECT', 'ENCODING', target)).toString('latin1');
      } else {
        const value = pair.ours.server.engine.keyspace.db(0).peek(target);
        ours = value === undefined ? '' : `$${(value as ZSetValue).encoding.length}\r\n${(value as ZSetValue).encoding}\r\n`;
        if (!redisEncoding.startsWith('$')) ours = redisEncoding;
      }
      expect(ours, `SEED=${seed}: encoding of ${target} after ${args.join(' ')}`).toBe(redisEncoding);
      encodingChecks++;
    }
    expect(commands.length).toBeGreaterThanOrEqual(3000);
    expect(encodingChecks).toBeGreaterThan(2500);
    await both(clients, ['CONFIG', 'SET', 'zset-max-listpack-entries', '128']);
    await both(clients, ['CONFIG', 'SET', 'zset-max-listpack-value', '64']);
  }, 120_000);
});

describe('sorted set order structure', () => {
  test('a 1,000,000-member zset answers ZADD, ZRANK and ZREVRANGE 0 9 in O(log N) node visits', () => {
    const config = defaultKeyspaceConfig();
    const zset = ZSetValue.fromEntries([], config);
    const n = 1_000_000;
    // Appending in score order keeps the build cheap; the operations below then run on the full structure.
    for (let i = 0; i < n; i++) zset.insert(`p${i}`, i);
    expect(zset.size).toBe(n);
    const ops: [string, () => void][] = [
      ['insert', () => zset.insert('newcomer', 123456.5)],
      ['rank', () => { expect(zset.rank('p500000')).toBeGreaterThanOrEqual(0); }],
      ['revrange', () => {
        let node = zset.at(zset.size - 1);
        for (let i = 0; i < 9; i++) node = zset.step(node, true)!;
      }],
      ['update', () => zset.update(zset.node('p42')!, 1e9)],
      ['remove', () => { expect(zset.remove('p43')).toBe(true); }],
    ];
    for (const [name, op] of ops) {
      zsetWork.steps = 0;
      op();
      // log2(1e6) ~ 20; a p=1/4 skip list visits about 4*log4(N) ~ 40 nodes on average.
      expect(zsetWork.steps, name).toBeLessThan(400);
    }
    const entries = [...zset.entries()];
    for (let i = 1; i < 1000; i++) expect(entries[i - 1]![1] <= entries[i]![1]).toBe(true);
  }, 180_000);
});
