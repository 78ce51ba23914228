/**
 * Leaderboard benchmark, side by side: Redis and Strongbox load the same sorted set of `--keys` players (ZADD
 * batches of 1,000 through `redis-cli --pipe`, timed), then redis-benchmark runs the leaderboard commands on
 * random players, alternating Redis and Strongbox each round: ZADD, ZINCRBY, ZREVRANGE 0 9 WITHSCORES and
 * ZREVRANK. Part of `npm run bench:server`; alone:
 *
 *   npm run build && node dist/bench/leaderboard.js [--keys 1000000] [--rounds 3] [--requests N]
 */
import {
  KINDS,
  RespClient,
  Samples,
  formatMs,
  formatRate,
  isMain,
  pipe,
  progress,
  pushCommand,
  redisBenchmark,
  runAlone,
  startServer,
  type BenchOptions,
  type Row,
  type Server,
} from './harness.js';

const PIPELINE = 16;

const COMMANDS: [label: string, args: string[]][] = [
  ['ZADD', ['ZADD', 'lb', '__rand_int__', 'player:__rand_int__']],
  ['ZINCRBY', ['ZINCRBY', 'lb', '1', 'player:__rand_int__']],
  ['ZREVRANGE 0 9 WITHSCORES', ['ZREVRANGE', 'lb', '0', '9', 'WITHSCORES']],
  ['ZREVRANK', ['ZREVRANK', 'lb', 'player:__rand_int__']],
];

/**
 * ZADD lb <score> player:<i> in batches of 1000 pairs, as one RESP stream. The player number is written with 12
 * digits, as redis-benchmark writes `__rand_int__` (%012zu), so that ZINCRBY and ZREVRANK name loaded players.
 */
function players(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const args = ['ZADD', 'lb'];
    for (let j = i; j < Math.min(i + 1000, count); j++) args.push(String((j * 7919) % 1_000_003), `player:${String(j).padStart(12, '0')}`);
    pushCommand(parts, args);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

export async function leaderboardRows(options: BenchOptions): Promise<Row[]> {
  const load = players(options.keys);
  const samples = new Samples();
  const playersLabel = options.keys.toLocaleString('en-US');
  const servers: Server[] = [];
  try {
    for (const kind of KINDS) servers.push(await startServer(kind, {}));
    progress(`leaderboard: loading ${playersLabel} players`);
    for (const server of servers) {
      const startedAt = performance.now();
      await pipe(server.port, load);
      samples.add(`leaderboard: load ${playersLabel} players (ZADD x1000, --pipe)`, server.kind, performance.now() - startedAt, formatMs);
      const admin = await RespClient.connect(server.port);
      const card = Number(await admin.text('ZCARD', 'lb'));
      admin.close();
      if (card !== options.keys) throw new Error(`${server.kind} holds ${card} players, not ${options.keys}`);
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const [label, args] of COMMANDS) {
        for (const server of servers) {
          const results = await redisBenchmark(server.port, ['-n', String(options.requests), '-c', String(options.clients), '-P', String(PIPELINE), '-r', String(options.keys), ...args]);
          const rps = [...results.values()][0]?.rps ?? NaN;
          samples.add(`leaderboard: ${label} -P ${PIPELINE} (req/s)`, server.kind, rps, formatRate);
        }
      }
      process.stderr.write('.');
    }
    process.stderr.write('\n');
  } finally {
    for (const server of servers) await server.stop();
  }
  return samples.rows();
}

if (isMain(import.meta.url)) await runAlone(leaderboardRows);
