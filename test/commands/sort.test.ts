// Proves SORT and SORT_RO answer like Redis 7.0.15 byte for byte (RESP2 and RESP3) over lists, sets and sorted
// sets: BY (string keys, hash fields, no-sort), GET (#, keys, fields), LIMIT, ASC/DESC, ALPHA, STORE and the
// errors, then a seeded random run over numeric and alpha data.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { requireRealRedis, type RawClient } from '../helpers/real-redis.js';
import { ListValue, SetValue, HashValue, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { startPair, both, runSeed, type Pair } from './zset-harness.js';

const enabled = requireRealRedis();

describe.runIf(enabled)('SORT against real Redis', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  /**
   * Creates a value on both sides. Our list/set/hash commands are written in parallel by colleagues: when ours
   * does not know the command yet, the value is put into our keyspace directly.
   */
  async function make(clients: [RawClient, RawClient], args: string[]): Promise<void> {
    await clients[0].call(...args);
    const reply = (await clients[1].call(...args)).toString('latin1');
    if (!reply.startsWith('-ERR unknown command')) return;
    const db = pair.ours.server.engine.keyspace.db(0);
    const config = defaultKeyspaceConfig();
    const [name, key, ...rest] = args;
    if (name === 'RPUSH') db.set(key!, ListValue.fromItems(rest, config));
    else if (name === 'SADD') db.set(key!, SetValue.fromMembers(rest, config));
    else if (name === 'HSET') {
      const entries: [string, string][] = [];
      for (let i = 0; i < rest.length; i += 2) entries.push([rest[i]!, rest[i + 1]!]);
      db.set(key!, HashValue.fromEntries(entries, config));
    } else if (name === 'MSET') {
      for (let i = 0; i < args.length - 1; i += 2) db.set(args[i + 1]!, args[i + 2]!);
    } else throw new Error(`cannot inject ${name}`);
  }

  async function setup(clients: [RawClient, RawClient]): Promise<void> {
    await both(clients, ['FLUSHALL']);
    await make(clients, ['RPUSH', 'l', '3', '1', '2', '10', '-1.5', '2']);
    await make(clients, ['RPUSH', 'la', 'pear', 'apple', 'fig', 'Banana', 'apple2']);
    await make(clients, ['RPUSH', 'lbad', '1', 'x', '2']);
    await make(clients, ['SADD', 's', '5', '3', '9', '1']);
    await make(clients, ['SADD', 'sa', 'b', 'a', 'c']);
    await both(clients, ['ZADD', 'z', '1', 'c', '2', 'b', '3', 'a', '4', 'd']);
    await make(clients, ['MSET', 'w_3', '30', 'w_1', '10', 'w_2', '5', 'w_10', '1', 'w_-1.5', '100', 'n_1', 'one', 'n_2', 'two']);
    await make(clients, ['HSET', 'h_1', 'f', '9', 'name', 'uno']);
    await make(clients, ['HSET', 'h_2', 'f', '8', 'name', 'dos']);
    await make(clients, ['HSET', 'h_3', 'f', '7']);
    // A list with many equal BY weights: LIMIT makes Redis use its partial quicksort, whose tie order we port.
    await make(clients, ['RPUSH', 'lt', ...Array.from({ length: 80 }, (_, i) => `e${(i * 37) % 80}`)]);
    await make(clients, ['MSET', ...Array.from({ length: 80 }, (_, i) => [`tw_e${i}`, String(i % 4)]).flat()]);
    // strtod reads a C string: a value is a number up to its first NUL byte (an empty prefix is 0).
    await make(clients, ['RPUSH', 'lnul', '\x00\x0019', '7', '\x00x', '-2', '3\x00x']);
    await make(clients, ['MSET', 'nw_7', '\x00\x00-9223372036854775808', 'nw_-2', '5', 'nw_3\x00x', '1\x00e']);
  }

  const CASES: string[][] = [
    ['SORT', 'lnul'],
    ['SORT', 'lnul', 'DESC'],
    ['SORT', 'lnul', 'BY', 'nw_*'],
    ['SORT_RO', 'lnul', 'BY', 'nw_*', 'DESC'],
    ['SORT', 'l'],
    ['SORT', 'l', 'DESC'],
    ['SORT', 'l', 'LIMIT', '1', '3'],
    ['SORT', 'l', 'LIMIT', '-5', '2'],
    ['SORT', 'l', 'LIMIT', '4', '-1'],
    ['SORT', 'l', 'LIMIT', '10', '2'],
    ['SORT', 'l', 'LIMIT', '0', '0'],
    ['SORT', 'l', 'LIMIT', 'x', '0'],
    ['SORT', 'l', 'LIMIT', '0'],
    ['SORT', 'la'],
    ['SORT', 'la', 'ALPHA'],
    ['SORT', 'la', 'ALPHA', 'DESC', 'LIMIT', '1', '2'],
    ['SORT', 'lbad'],
    ['SORT', 'lbad', 'ALPHA'],
    ['SORT', 's'],
    ['SORT', 's', 'DESC'],
    ['SORT', 'sa', 'ALPHA'],
    ['SORT', 'z'],
    ['SORT', 'z', 'ALPHA'],
    ['SORT', 'z', 'BY', 'nosort'],
    ['SORT', 'z', 'BY', 'nosort', 'DESC'],
    ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'],
    ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
    ['SORT', 'l', 'BY', 'nosort'],
    ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3'],
    ['SORT', 'l', 'BY', 'w_*'],
    ['SORT', 'l', 'BY', 'w_*', 'DESC', 'LIMIT', '0', '3'],
    ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'GET', 'n_*'],
    ['SORT', 'l', 'BY', 'missing_*'],
    ['SORT', 'lt', 'BY', 'tw_*', 'LIMIT', '3', '9'],
    ['SORT', 'lt', 'BY', 'tw_*', 'DESC', 'LIMIT', '0', '20'],
    ['SORT', 'lt', 'BY', 'tw_*', 'ALPHA', 'LIMIT', '10', '30'],
    ['SORT', 'lt', 'BY', 'tw_*', 'ALPHA', 'DESC', 'LIMIT', '1', '50'],
    ['SORT', 'lt', 'BY', 'tw_*', 'ALPHA'],
    ['SORT', 'lt', 'BY', 'nokey_*', 'ALPHA', 'LIMIT', '5', '10'],
    ['SORT', 'l', 'BY', 'h_*->f'],
    ['SORT', 'l', 'BY', 'h_*->f', 'GET', 'h_*->name', 'GET', 'h_*->'],
    ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'GET', 'nostar'],
    ['SORT', 'l', 'BY', 'n_*', 'ALPHA'],
    ['SORT', 'l', 'BY', 'n_*'],
    ['SORT', 'l', 'GET', '#', 'GET', 'n_*'],
    ['SORT', 'l', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'l', 'GET', 'n_*', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'l', 'LIMIT', '0', '0', 'STORE', 'dst'],
    ['EXISTS', 'dst'],
    ['SORT', 'sa', 'BY', 'nosort', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'nokey'],
    ['SORT', 'nokey', 'STORE', 'dst'],
    ['SORT_RO', 'l', 'STORE', 'dst'],
    ['SORT_RO', 'l', 'DESC', 'GET', 'w_*'],
    ['SORT', 'l', 'FOO'],
    ['SORT', 'w_1'],
    ['SORT', 'h_1'],
  ];

  test('fixed cases, RESP2 and RESP3', async () => {
    for (const [protocol, clients] of [[2, pair.resp2], [3, pair.resp3]] as const) {
      await setup(clients);
      for (const args of CASES) {
        if (args[0] === 'LRANGE') {
          const value = pair.ours.server.engine.keyspace.db(0).peek(args[1]!);
          const [expected] = await both(clients, args);
          const items = value instanceof ListValue ? [...value.items()] : [];
          expect(`*${items.length}\r\n${items.map((i) => `$${i.length}\r\n${i}\r\n`).join('')}`, args.join(' ')).toBe(expected);
          continue;
        }
        const [expected, actual] = await both(clients, args);
        expect(actual, `RESP${protocol}: ${args.join(' ')}`).toBe(expected);
      }
    }
  });

  // Issue #4: ALPHA compares with strcoll on C strings (bytes up to the first NUL; the C/C.UTF-8 collation is
  // strcmp), ties keep the list order (glibc qsort is a stable merge sort) or follow pqsort (BY with LIMIT), and
  // SORT converts a listpack zset to a skiplist (zsetConvert), even SORT_RO.
  test('#4 ALPHA on C strings and tie order (RPUSH d "\\x00\\x01\\xff" ""; SORT d LIMIT 1 10 ASC ALPHA)', async () => {
    const seed = runSeed('sort alpha c strings');
    const alphabet = ['', '\x00', '\x00\x01\xff', 'a', 'a\x00b', 'a\x00c', '\xff', '\xe9t\xe9', 'B', 'b', '\x01', '10', '9', 'a\x00'];
    const lists = fc.sample(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 25 }), { seed, numRuns: 30 });
    for (const clients of [pair.resp2, pair.resp3]) {
      for (const list of [alphabet, ...lists]) {
        await both(clients, ['FLUSHALL']);
        await make(clients, ['RPUSH', 'd', ...list]);
        // BY weights: the key names the element, the value is one of a few strings (many ties, some NUL prefixes).
        await make(clients, ['MSET', ...list.flatMap((v, i) => [`w${v}`, ['x', 'x\x00y', 'y', '\x00', ''][i % 5]!])]);
        for (const args of [
          ['SORT', 'd', 'ALPHA'], ['SORT', 'd', 'LIMIT', '1', '10', 'ASC', 'ALPHA'], ['SORT', 'd', 'ALPHA', 'DESC'],
          ['SORT', 'd', 'ALPHA', 'DESC', 'LIMIT', '2', '5'], ['SORT_RO', 'd', 'ALPHA', 'LIMIT', '0', '3'],
          ['SORT', 'd', 'BY', 'w*', 'ALPHA'], ['SORT', 'd', 'BY', 'w*', 'ALPHA', 'LIMIT', '1', '6'],
          ['SORT', 'd', 'BY', 'w*', 'ALPHA', 'DESC', 'LIMIT', '0', '4'], ['SORT', 'd', 'BY', 'nokey*', 'ALPHA', 'LIMIT', '2', '3'],
          ['SORT', 'd', 'ALPHA', 'STORE', 'out'], ['LRANGE', 'out', '0', '-1'], ['SORT', 'd', 'BY', 'w*', 'ALPHA', 'STORE', 'out'],
          ['LRANGE', 'out', '0', '-1'], ['SORT', 'd', 'BY', 'w*', 'ALPHA', 'LIMIT', '1', '3', 'STORE', 'out'], ['LRANGE', 'out', '0', '-1'],
        ]) {
          const [expected, actual] = await both(clients, args);
          expect(actual, `SEED=${seed}: ${args.join(' ')} over ${JSON.stringify(list)}`).toBe(expected);
        }
      }
      // Sets and zsets without ties (no two members equal up to their first NUL): exact order.
      await both(clients, ['FLUSHALL']);
      await make(clients, ['SADD', 'hs', '\x00\x01', 'b\x00x', 'a', '\xff', 'c', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]);
      await both(clients, ['ZADD', 'zs', '1', 'b\x00x', '2', 'a', '3', '\xff', '4', '\x01']);
      for (const args of [
        ['SORT', 'hs', 'ALPHA'], ['SORT', 'hs', 'ALPHA', 'DESC', 'LIMIT', '2', '4'], ['OBJECT', 'ENCODING', 'zs'],
        ['SORT_RO', 'zs', 'ALPHA', 'DESC'], ['OBJECT', 'ENCODING', 'zs'], ['ZADD', 'zt', '1', 'x'], ['SORT', 'zt', 'BY', 'nosort'],
        ['OBJECT', 'ENCODING', 'zt'], ['ZADD', 'zu', '1', 'x'], ['SORT', 'zu', 'LIMIT', '0', '0'], ['OBJECT', 'ENCODING', 'zu'],
      ]) {
        const [expected, actual] = await both(clients, args);
        expect(actual, args.join(' ')).toBe(expected);
      }
    }
  }, 120_000);

  test('seeded random numeric and alpha sorts over lists and zsets', async () => {
    const seed = runSeed('sort random');
    const clients = pair.resp2;
    const values = fc.sample(fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.constantFrom('1.5', '-0', '1e3', 'inf')), { minLength: 0, maxLength: 30 }), { seed, numRuns: 40 });
    const queries = fc.sample(fc.tuple(fc.boolean(), fc.boolean(), fc.option(fc.tuple(fc.integer({ min: -3, max: 12 }), fc.integer({ min: -2, max: 12 })), { nil: null }), fc.boolean()), { seed: seed + 1, numRuns: 40 * 25 });
    let q = 0;
    for (const list of values) {
      await both(clients, ['FLUSHALL']);
      if (list.length > 0) {
        await make(clients, ['RPUSH', 'rl', ...list]);
        await both(clients, ['ZADD', 'rz', ...list.flatMap((v, i) => [v, `m${i}`])]);
        // Distinct weights: equal BY values leave the order to Redis's hash-table iteration.
        await make(clients, ['MSET', ...list.flatMap((v, i) => [`m${i}`, String((i * 7) % 101)])]);
      }
      for (let k = 0; k < 25; k++) {
        const [desc, alpha, limit, byWeight] = queries[q++]!;
        const opts = [...(desc ? ['DESC'] : []), ...(alpha ? ['ALPHA'] : []), ...(limit === null ? [] : ['LIMIT', String(limit[0]), String(limit[1])])];
        for (const args of [['SORT', 'rl', ...opts], ['SORT', 'rz', ...(byWeight ? ['BY', '*'] : []), ...opts, 'GET', '#'], ['SORT', 'rz', 'BY', 'nosort', ...opts]]) {
          const [expected, actual] = await both(clients, args);
          expect(actual, `SEED=${seed}: ${args.join(' ')} over ${list.join(',')}`).toBe(expected);
        }
      }
    }
  }, 120_000);
});
