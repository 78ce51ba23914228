/**
 * End-to-end benchmark, side by side: real redis-server and Strongbox (`bin/strongbox-server`, built JavaScript)
 * on free loopback ports with the same directives, one table: metric | Redis | Strongbox | ratio (Strongbox /
 * Redis: higher is better for throughput, lower for time, latency and memory).
 *
 * Groups (`--only a,b`; all by default):
 *   throughput   redis-benchmark (50 clients) SET GET INCR LPUSH LPOP SADD HSET ZADD LRANGE_100 MSET at -P 1 and
 *                -P 16, memory-only servers (`save ""`, `appendonly no`)
 *   memory       RSS and INFO used_memory after loading the same mixed dataset through `redis-cli --pipe`
 *   aof          SET -P 1 under `appendonly yes` with `appendfsync always` and `everysec`
 *   snapshot     RDB load at start-up, then BGSAVE and BGREWRITEAOF of `--keys` keys under a steady probe load
 *                (bench/snapshot.ts); `rdb-load` alone runs only the load part
 *   leaderboard  one sorted set of `--keys` players: ZADD, ZINCRBY, ZREVRANGE 0 9 WITHSCORES, ZREVRANK
 *                (bench/leaderboard.ts)
 *
 * Each group alternates Redis, Strongbox, Redis, Strongbox… for `--rounds` rounds and reports medians, so a
 * noisy neighbour hurts both alike.
 *
 *   npm run build && npm run bench:server
 *   npm run bench:server -- --only snapshot,aof --keys 200000 --rounds 1 --requests 20000
 *   BENCH_TESTS=set,get BENCH_PIPELINES=1 BENCH_DATASET_KEYS=200000 npm run bench:server -- --only throughput
 */
import {
  KINDS,
  LABELS,
  RespClient,
  Samples,
  formatBytes,
  formatRate,
  infoNumber,
  machineLine,
  parseOptions,
  pipe,
  printTable,
  progress,
  pushCommand,
  ratio,
  redisBenchmark,
  rssBytes,
  sleep,
  startServer,
  wants,
  type BenchOptions,
  type Row,
  type Server,
} from './harness.js';
import { leaderboardRows } from './leaderboard.js';
import { rdbLoadRows, snapshotRows } from './snapshot.js';

const TESTS = (process.env['BENCH_TESTS'] ?? 'set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset').split(',');
const PIPELINES = (process.env['BENCH_PIPELINES'] ?? '1,16').split(',').map(Number);
const DATASET_KEYS = Number(process.env['BENCH_DATASET_KEYS'] ?? 200_000);

async function startPair(directives: Record<string, string>): Promise<Server[]> {
  const servers: Server[] = [];
  for (const kind of KINDS) servers.push(await startServer(kind, directives));
  return servers;
}

async function stopAll(servers: readonly Server[]): Promise<void> {
  for (const server of servers) await server.stop();
}

/** redis-benchmark's tests at each pipeline depth, memory-only servers. */
async function throughputRows(options: BenchOptions, servers: readonly Server[]): Promise<Row[]> {
  const samples = new Samples();
  progress(`throughput: -n ${options.requests} -c ${options.clients}, ${TESTS.join(',')}, -P ${PIPELINES.join(',')}`);
  for (let round = 0; round < options.rounds; round++) {
    for (const pipeline of PIPELINES) {
      for (const server of servers) {
        const results = await redisBenchmark(server.port, ['-n', String(options.requests), '-c', String(options.clients), '-P', String(pipeline), '-t', TESTS.join(',')]);
        for (const [test, result] of results) samples.add(`${test.split(' ')[0]} -P ${pipeline} (req/s)`, server.kind, result.rps, formatRate);
        process.stderr.write('.');
      }
    }
  }
  process.stderr.write('\n');
  return samples.rows();
}

/** Aggregate types in the dataset: each needs its command on both servers. */
const AGGREGATES = ['RPUSH', 'HSET', 'SADD', 'ZADD'];

/** Strings, and small lists, hashes, sets and sorted sets, as one RESP stream. */
function dataset(): Buffer {
  const parts: string[] = [];
  const value = 'v'.repeat(64);
  for (let i = 0; i < DATASET_KEYS; i++) pushCommand(parts, ['SET', `string:${i}`, `${value}${i}`]);
  const twenty = (f: (j: number) => string[]): string[] => Array.from({ length: 20 }, (_, j) => f(j)).flat();
  for (let i = 0; i < DATASET_KEYS / 100; i++) {
    pushCommand(parts, ['RPUSH', `list:${i}`, ...twenty((j) => [`item${j}`])]);
    pushCommand(parts, ['HSET', `hash:${i}`, ...twenty((j) => [`field${j}`, `value${j}`])]);
    pushCommand(parts, ['SADD', `set:${i}`, ...twenty((j) => [`member${j}`])]);
    pushCommand(parts, ['ZADD', `zset:${i}`, ...twenty((j) => [String(j), `member${j}`])]);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** RSS and used_memory after both servers load the same dataset (the servers are flushed first). */
async function memoryRows(servers: readonly Server[]): Promise<Row[]> {
  const data = dataset();
  const clients = await Promise.all(servers.map((s) => RespClient.connect(s.port)));
  try {
    for (const client of clients) await client.text('FLUSHALL');
    const baseRss = servers.map((s) => rssBytes(s.pid));
    for (const server of servers) await pipe(server.port, data);
    await sleep(500);
    const rss = servers.map((s) => rssBytes(s.pid));
    const used = await Promise.all(clients.map(async (c) => infoNumber(await c.info('memory'), 'used_memory')));
    const keys = DATASET_KEYS + (DATASET_KEYS / 100) * AGGREGATES.length;
    progress(`memory: ${DATASET_KEYS} strings of ~70 bytes, and ${DATASET_KEYS / 100} each of 20-element ${AGGREGATES.join('/')} keys`);
    const growth = rss.map((r, i) => r - baseRss[i]!);
    const row = (metric: string, [a, b]: number[]): Row => [metric, formatBytes(a!), formatBytes(b!), ratio(a!, b!)];
    return [row(`RSS after loading ${keys} keys`, rss), row('RSS growth for the dataset', growth), row('INFO used_memory', used)];
  } finally {
    for (const client of clients) client.close();
  }
}

/** SET -P 1 with the append-only file on, under each fsync policy (switched by CONFIG SET on both). */
async function aofRows(options: BenchOptions): Promise<Row[]> {
  const servers = await startPair({ appendonly: 'yes', appendfsync: 'everysec' });
  const samples = new Samples();
  progress(`aof: SET -n ${options.requests} -c ${options.clients} -P 1, appendfsync always / everysec`);
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const policy of ['always', 'everysec']) {
        for (const server of servers) {
          const admin = await RespClient.connect(server.port);
          await admin.text('CONFIG', 'SET', 'appendfsync', policy);
          admin.close();
          const results = await redisBenchmark(server.port, ['-n', String(options.requests), '-c', String(options.clients), '-P', '1', '-r', '100000', '-t', 'set']);
          samples.add(`SET -P 1, appendonly yes, appendfsync ${policy} (req/s)`, server.kind, results.get('SET')?.rps ?? NaN, formatRate);
          process.stderr.write('.');
        }
      }
    }
    process.stderr.write('\n');
  } finally {
    await stopAll(servers);
  }
  return samples.rows();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = performance.now();
  console.log(await machineLine());
  console.log(`${options.rounds} rounds, ${LABELS.redis} and ${LABELS.strongbox} alternating, medians; -n ${options.requests} -c ${options.clients}; ${options.keys} keys for snapshots and the leaderboard\n`);
  const rows: Row[] = [];
  if (wants(options, 'throughput') || wants(options, 'memory')) {
    const servers = await startPair({});
    try {
      if (wants(options, 'throughput')) rows.push(...(await throughputRows(options, servers)));
      if (wants(options, 'memory')) rows.push(...(await memoryRows(servers)));
    } finally {
      await stopAll(servers);
    }
  }
  if (wants(options, 'aof')) rows.push(...(await aofRows(options)));
  if (wants(options, 'snapshot')) rows.push(...(await snapshotRows(options)));
  else if (options.only.includes('rdb-load')) rows.push(...(await rdbLoadRows(options)));
  if (wants(options, 'leaderboard')) rows.push(...(await leaderboardRows(options)));
  printTable(rows);
  console.log(`\n(${((performance.now() - startedAt) / 60_000).toFixed(1)} minutes)`);
}

await main();
