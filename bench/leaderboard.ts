/**
 * Leaderboard benchmark, side by side: real redis-server and Strongbox (`bin/strongbox-server`, built JavaScript)
 * on free loopback ports load the same 1,000,000-player sorted set (ZADD batches through `redis-cli --pipe`),
 * then redis-benchmark runs the leaderboard commands against each: ZADD, ZINCRBY, ZREVRANGE 0 9 WITHSCORES and
 * ZREVRANK on random players. Prints requests/second and the ratio Strongbox / Redis (higher is better).
 *
 *   npm run build && node dist/bench/leaderboard.js
 *   LB_PLAYERS=1000000 LB_REQUESTS=200000 LB_CLIENTS=50 LB_PIPELINE=16 node dist/bench/leaderboard.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLAYERS = Number(process.env['LB_PLAYERS'] ?? 1_000_000);
const REQUESTS = Number(process.env['LB_REQUESTS'] ?? 200_000);
const CLIENTS = Number(process.env['LB_CLIENTS'] ?? 50);
const PIPELINE = Number(process.env['LB_PIPELINE'] ?? 16);

/** The repository root: this file runs as dist/bench/leaderboard.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const COMMANDS: [label: string, args: string[]][] = [
  ['ZADD', ['ZADD', 'lb', '__rand_int__', 'player:__rand_int__']],
  ['ZINCRBY', ['ZINCRBY', 'lb', '1', 'player:__rand_int__']],
  ['ZREVRANGE 0 9 WITHSCORES', ['ZREVRANGE', 'lb', '0', '9', 'WITHSCORES']],
  ['ZREVRANK', ['ZREVRANK', 'lb', 'player:__rand_int__']],
];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function start(name: string, command: string, args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `lb-${name}-`));
  const child = spawn(command, [...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return { port, child };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${name} did not start`);
}

async function run(command: string, args: string[], input?: Buffer): Promise<string> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stdin.on('error', () => {}); // a tool may exit before reading its stdin (EPIPE)
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
  return out;
}

/** ZADD lb <score> player:<i> in batches of 1000 pairs, as one RESP stream. */
function players(): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < PLAYERS; i += 1000) {
    const args = ['ZADD', 'lb'];
    for (let j = i; j < Math.min(i + 1000, PLAYERS); j++) args.push(String((j * 7919) % 1_000_003), `player:${j}`);
    parts.push(`*${args.length}\r\n`);
    for (const a of args) parts.push(`$${a.length}\r\n${a}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

async function rate(port: number, args: string[]): Promise<number> {
  const out = await run('redis-benchmark', ['-p', String(port), '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(PIPELINE), '-r', String(PLAYERS), '--csv', ...args]);
  const line = out.split('\n').find((l) => l.startsWith('"') && !l.startsWith('"test"'));
  return Number(line?.split(',')[1]?.replace(/"/g, '') ?? NaN);
}

async function main(): Promise<void> {
  const load = players();
  const servers = [
    { name: 'Redis', ...(await start('redis', 'redis-server', [])) },
    { name: 'Strongbox', ...(await start('strongbox', join(ROOT, 'bin', 'strongbox-server'), [])) },
  ];
  const results = new Map<string, number[]>();
  try {
    for (const server of servers) {
      const started = performance.now();
      await run('redis-cli', ['-p', String(server.port), '--pipe'], load);
      const card = (await run('redis-cli', ['-p', String(server.port), 'ZCARD', 'lb'])).trim();
      console.log(`${server.name}: loaded ${card} players in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const [label, args] of COMMANDS) {
        const list = results.get(label) ?? [];
        list.push(await rate(server.port, args));
        results.set(label, list);
      }
    }
  } finally {
    for (const server of servers) server.child.kill('SIGKILL');
  }
  console.log(`\n${cpus()[0]?.model ?? '?'} x${cpus().length}, ${PLAYERS} players, ${REQUESTS} requests, -c ${CLIENTS} -P ${PIPELINE}`);
  console.log('command                    | Redis req/s | Strongbox req/s | ratio');
  for (const [label, [redis = NaN, ours = NaN]] of results) {
    console.log(`${label.padEnd(26)} | ${redis.toFixed(0).padStart(11)} | ${ours.toFixed(0).padStart(15)} | ${(ours / redis).toFixed(2)}`);
  }
}

await main();
