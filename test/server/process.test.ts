// Proves the built `bin/strongbox-server` behaves like redis-server as a process: it reads a config file with
// quoted strings and `include`, logs in Redis's line format, writes and removes its pidfile, exits 0 on SIGTERM,
// and fails on a busy port or a bad directive with the same words and exit code as real redis-server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRaw, requireRealRedis } from '../helpers/real-redis.js';

const enabled = requireRealRedis();
const BIN = join('bin', 'strongbox-server');
const LOG_LINE = /^(\d+):([CMSX]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) \d{2}:\d{2}:\d{2}\.\d{3} ([.\-*#]) (.+)$/;

/** Newest modification time of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` unless dist/ is newer than every source file. */
function ensureBuilt(): void {
  const target = join('dist', 'src', 'server', 'main.js');
  if (existsSync(target) && statSync(target).mtimeMs > Math.max(newestSource('src'), newestSource('formats'))) return;
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'pipe', encoding: 'utf8' });
  // Type errors elsewhere still emit JavaScript; only a missing entry point is fatal here.
  if (!existsSync(target)) throw new Error(`npm run build produced no ${target}:\n${build.stdout}${build.stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a server binary to completion (it is expected to fail fast), killing it after `timeoutMs`. */
async function runToExit(command: string, args: string[], timeoutMs = 10_000): Promise<Finished> {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** Log messages without the `pid:role date time level` prefix. */
function messages(log: string): string[] {
  return log
    .split('\n')
    .map((line) => LOG_LINE.exec(line)?.[7])
    .filter((m): m is string => m !== undefined);
}

describe.runIf(enabled)('strongbox-server process', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'strongbox process '));
  }, 300_000);
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('config file with quotes and include, log format, pidfile, SIGTERM', async () => {
    const port = await freePort();
    const pidfile = join(dir, 'strongbox.pid');
    writeFileSync(join(dir, 'extra.conf'), 'loglevel verbose\nrequirepass "pass word"\n');
    writeFileSync(
      join(dir, 'main.conf'),
      `# a comment\nport ${port}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir "${dir}"\npidfile "${pidfile}"\ninclude "${join(dir, 'extra.conf')}"\nclient-output-buffer-limit normal 0 0 0\n`,
    );
    const child: ChildProcess = spawn('node', [BIN, join(dir, 'main.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr!.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    try {
      for (let i = 0; i < 200 && !stdout.includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain('Ready to accept connections');
      const lines = stdout.trim().split('\n');
      for (const line of lines) {
        const m = LOG_LINE.exec(line);
        expect(m, `log line format: ${line}`).not.toBeNull();
        expect(Number(m![1])).toBe(child.pid);
      }
      expect(readFileSync(pidfile, 'latin1').trim()).toBe(String(child.pid));

      const client = await connectRaw(port);
      expect((await client.call('PING')).toString('latin1')).toMatch(/^-NOAUTH/);
      expect((await client.call('AUTH', 'pass word')).toString('latin1')).toBe('+OK\r\n');
      expect((await client.call('CONFIG', 'GET', 'dir')).toString('latin1')).toBe(`*2\r\n$3\r\ndir\r\n$${dir.length}\r\n${dir}\r\n`);
      expect((await client.call('CONFIG', 'GET', 'loglevel')).toString('latin1')).toBe('*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n');
      client.socket.destroy();

      const signalled = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(existsSync(pidfile)).toBe(false);
      const said = messages(stdout);
      expect(said).toContain('Received SIGTERM scheduling shutdown...');
      expect(said).toContain('Redis is now ready to exit, bye bye...');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  test('a busy port: "Failed listening on port" and exit 1, as redis-server', async () => {
    const blocker: NetServer = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, () => {
      const address = blocker.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    }));
    try {
      // Explicit bind: Strongbox's default bind is loopback-only (no protected mode yet), Redis's is `* -::*`.
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
      const [redis, ours] = await Promise.all([runToExit('redis-server', args), runToExit('node', [BIN, ...args])]);
      expect(redis.code).toBe(1);
      expect(ours.code).toBe(redis.code);
      const wanted = `Failed listening on port ${port} (TCP), aborting.`;
      expect(messages(redis.stdout)).toContain(wanted);
      expect(messages(ours.stdout)).toContain(wanted);
      const bindWarning = messages(redis.stdout).find((m) => m.startsWith('Warning: Could not create server TCP listening socket'));
      expect(messages(ours.stdout)).toContain(bindWarning);
    } finally {
      blocker.close();
    }
  }, 30_000);

  test('an unknown directive, a bad value, a missing file: same fatal text and exit code as redis-server', async () => {
    writeFileSync(join(dir, 'bad.conf'), 'port 0\nsave ""\nfoo bar\n');
    writeFileSync(join(dir, 'badvalue.conf'), 'maxmemory-policy sometimes\n');
    writeFileSync(join(dir, 'quotes.conf'), 'dir "unterminated\n');
    const cases = [
      [join(dir, 'bad.conf')],
      [join(dir, 'badvalue.conf')],
      [join(dir, 'quotes.conf')],
      ['--port', '0', '--nosuchdirective', 'x'],
      ['--port', 'notanumber'],
      [join(dir, 'does-not-exist.conf')],
    ];
    for (const args of cases) {
      const [redis, ours] = await Promise.all([runToExit('redis-server', args), runToExit('node', [BIN, ...args])]);
      expect(ours.code, args.join(' ')).toBe(redis.code);
      expect(ours.stderr, args.join(' ')).toBe(redis.stderr);
      expect(messages(ours.stdout).filter((m) => m.startsWith('Fatal')), args.join(' ')).toEqual(messages(redis.stdout).filter((m) => m.startsWith('Fatal')));
    }
  }, 60_000);
});
