// Proves CONFIG SET checks names and values as Redis 7.0 does: for every parameter real Redis lists in CONFIG GET *,
// bad and edge values get byte-identical replies from real redis-server and Strongbox (and the same CONFIG GET
// afterwards), several parameters at once are checked names first and set all or nothing, and a bad directive at
// start-up stops the server with the same fatal message.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { arrayOf, requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { loadConfig } from '../../src/server/main.js';
import { ConfigError } from '../../src/server/config.js';

const enabled = requireRealRedis();

/** Parameters left out, because a successful change would break the test's servers or connection. */
const SKIPPED: Record<string, string> = {
  port: 'a new port moves the listener away from the test client',
  bind: 'a new address moves the listener away from the test client',
  requirepass: 'the test client would have to authenticate',
  maxclients: 'Redis adjusts it to the file-descriptor limit of the machine',
  'tls-port': 'Strongbox has no TLS: real Redis binds the port',
};
/**
 * TLS parameters are checked like the others, but a value that passes the checks makes real Redis reload its
 * OpenSSL context, which fails on these certificate-less servers; Strongbox has no TLS context to reload, so that
 * one reply is not compared.
 */
const TLS_RELOAD_FAILURE = 'Unable to update TLS configuration';

const VALUES = [
  '-5', 'abc', '', '0', '1', '99999999999999999999', 'yes', 'no', '1kb', '5%', '101%', '+5', '010', '1 2',
  'YES', ' 5', '-1', '-0', '1GB', '3m', '2g', '7b', '1.5', '100%', '0%', '-5%', '0777', '0x10',
  '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '2147483648',
  '-2147483649', '4294967296', 'save nosave', 'now force', 'DEFAULT', 'relative', 'local', 'allkeys-lru',
  'normal 1 2 3', 'pubsub 1mb 1mb 0 replica 0 0 0', '1 2 3', '-2000 0 2000', '50 99.9', '101', 'KEA', 'Ax',
  'a b', 'a/b', '{title} {port}', '{nope}', 'host-1.example', '{title}', '{title}{server-mode}', ' ', '}', '{{',
  '{', 'x{title', '{listen-addr}',
];

describe.runIf(enabled)('CONFIG SET against real Redis, byte for byte', () => {
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

  const both = async (...args: string[]): Promise<[string, string]> => [
    (await redis.call(...args)).toString('latin1'),
    (await ours.call(...args)).toString('latin1'),
  ];

  test('every parameter of CONFIG GET *, bad and edge values', async () => {
    const listed = arrayOf(await redis.call('CONFIG', 'GET', '*'));
    const names: string[] = [];
    for (let i = 0; i < listed.length; i += 2) names.push(listed[i]!);
    expect(names.length).toBeGreaterThan(150);
    const mismatches: string[] = [];
    for (const name of names.sort()) {
      if (SKIPPED[name] !== undefined) continue;
      const redisOriginal = arrayOf(await redis.call('CONFIG', 'GET', name))[1] ?? '';
      const oursOriginal = arrayOf(await ours.call('CONFIG', 'GET', name))[1] ?? '';
      for (const value of VALUES) {
        const [expected, actual] = await both('CONFIG', 'SET', name, value);
        if (actual !== expected && !expected.includes(TLS_RELOAD_FAILURE)) {
          mismatches.push(`SET ${name} ${JSON.stringify(value)}: redis ${expected} ours ${actual}`);
        }
        if (expected.startsWith('+')) {
          const [expectedGet, actualGet] = await both('CONFIG', 'GET', name);
          if (actualGet !== expectedGet) {
            mismatches.push(`GET ${name} after ${JSON.stringify(value)}: redis ${expectedGet} ours ${actualGet}`);
          }
        }
        await redis.call('CONFIG', 'SET', name, redisOriginal);
        await ours.call('CONFIG', 'SET', name, oursOriginal);
      }
    }
    expect(mismatches.join('\n')).toBe('');
  }, 60_000);

  test('several parameters: names checked first in order, values all or nothing', async () => {
    const cases: string[][] = [
      ['CONFIG', 'SET', 'hz', '5', 'nosuch', '1'],
      ['CONFIG', 'SET', 'daemonize', 'no', 'nosuch', '1'],
      ['CONFIG', 'SET', 'nosuch', '1', 'daemonize', 'no'],
      ['CONFIG', 'SET', 'hz', '5', 'HZ', '6'],
      ['CONFIG', 'SET', 'maxmemory', 'abc', 'dbfilename', 'x'],
      ['CONFIG', 'SET', 'HZ', 'abc'],
      ['CONFIG', 'SET', 'lua-time-limit', 'abc'],
      ['CONFIG', 'SET', 'slave-priority', '7', 'replica-priority', '8'],
      ['CONFIG', 'GET', 'replica-priority'],
      ['CONFIG', 'SET', 'replica-priority', '100'],
      ['CONFIG', 'SET', 'hz', '7', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', 'abc'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'hz', '0'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '100000'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '10'],
      ['CONFIG', 'SET', 'oom-score-adj', 'relative'],
      ['CONFIG', 'GET', 'oom-score-adj'],
      ['CONFIG', 'SET', 'oom-score-adj', 'no'],
      ['CONFIG', 'SET', 'shutdown-on-sigterm', 'NOW force save'],
      ['CONFIG', 'GET', 'shutdown-on-sigterm'],
      ['CONFIG', 'SET', 'shutdown-on-sigterm', 'default'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 2k 3'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'slave 268435456 67108864 60 master 1 1 1'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'slave 268435456 67108864 60'],
      ['CONFIG', 'SET', 'save', '100 10  5 1'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'lsE$xg'],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    ];
    for (const args of cases) {
      const [expected, actual] = await both(...args);
      expect(actual, args.join(' ')).toBe(expected);
    }
  });

  test('an old name and its current name are one parameter (CONFIG GET * shows both with one value)', async () => {
    const sortedPairs = (reply: (string | null)[]): string[] => {
      const pairs: string[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) pairs.push(`${reply[i]!}=${reply[i + 1]!}`);
      return pairs.sort();
    };
    for (const [name, value, restore] of [
      ['slave-read-only', 'no', 'yes'],
      ['lua-time-limit', '777', '5000'],
      ['hash-max-ziplist-entries', '7', '512'],
    ] as const) {
      const [expected, actual] = await both('CONFIG', 'SET', name, value);
      expect(actual, name).toBe(expected);
      for (const pattern of ['*read-only*', '*time-limit*', '*reply-threshold*', 'hash-max-*']) {
        const expectedPairs = sortedPairs(arrayOf(await redis.call('CONFIG', 'GET', pattern)));
        const actualPairs = sortedPairs(arrayOf(await ours.call('CONFIG', 'GET', pattern)));
        expect(actualPairs, `${name} then GET ${pattern}`).toEqual(expectedPairs);
      }
      await both('CONFIG', 'SET', name, restore);
    }
  });
});

describe.runIf(enabled)('bad directives at start-up, as redis-server reports them', () => {
  const cases: string[][] = [
    ['--hz', 'abc'],
    ['--hz', '1', '2'],
    ['--activedefrag', 'yes'],
    ['--maxmemory', '-5'],
    ['--maxmemory-clients', '101%'],
    ['--save', '1 2 3'],
    ['--appendfilename', 'a/b'],
    ['--acl-pubsub-default', 'abc'],
    ['--active-expire-effort', '0'],
    ['--shutdown-on-sigint', 'save nosave'],
    ['--client-output-buffer-limit', 'foo 1 2 3'],
    ['--loglevel', 'notice', '--active-defrag-ignore-bytes', '0'],
    ['--repl-backlog-size', 'abc'],
    ['--list-max-ziplist-entries', '1', '2'],
    ['--unixsocketperm', '999'],
    ['--oom-score-adj-values', '1 2'],
    ['--latency-tracking-info-percentiles', '101'],
    ['--notify-keyspace-events', 'Z'],
    ['--slaveof', 'no'],
    ['--replicaof', 'localhost', '70000'],
    ['--bind', '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'],
    ['--maxmemory-policy', 'lru'],
  ];
  test('good directives are stored in the form CONFIG GET shows', async () => {
    const args = [
      '--hz', '0', '--maxmemory', '1gb', '--save', '10 1', '--save', '20 2', '--client-output-buffer-limit',
      'pubsub 1mb 2mb 3', '--shutdown-on-sigint', 'nosave now', '--oom-score-adj', 'relative',
      '--notify-keyspace-events', 'KEA', '--repl-backlog-size', '1', '--maxmemory-clients', '5%',
      '--latency-tracking-info-percentiles', '50 99.90', '--slave-priority', '7', '--list-max-ziplist-entries', '5',
      '--activerehashing', 'NO', '--unixsocketperm', '0700', '--oom-score-adj-values', '0 +200 0800',
    ];
    const real = await startRealRedis(args);
    try {
      const config = loadConfig(['--port', '0', ...args]);
      const names = ['hz', 'maxmemory', 'save', 'client-output-buffer-limit', 'shutdown-on-sigint', 'oom-score-adj',
        'notify-keyspace-events', 'repl-backlog-size', 'maxmemory-clients', 'latency-tracking-info-percentiles',
        'replica-priority', 'activerehashing', 'unixsocketperm', 'oom-score-adj-values'];
      for (const name of names) {
        expect(config.get(name), name).toBe(arrayOf(await real.call('CONFIG', 'GET', name))[1]);
      }
    } finally {
      await real.stop();
    }
  });

  test.each(cases.map((args) => [args.join(' '), args] as const))('%s', (_, args) => {
    const real = spawnSync('redis-server', ['--port', '0', ...args], { encoding: 'latin1', timeout: 10_000 });
    expect(real.status).toBe(1);
    let message = '';
    try {
      loadConfig(['--port', '0', ...args]);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      message = err.message;
    }
    expect(message).toBe(real.stderr);
  });
});
