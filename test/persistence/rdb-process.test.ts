// Proves the built strongbox-server process persists through RDB as redis-server does: with save points, SIGTERM
// writes the final snapshot ("Saving the final RDB snapshot before exiting.", "DB saved on disk"); the next start
// loads it with Redis's log lines and serves the data; a corrupt dump.rdb stops start-up with exit 1 and an error
// naming the file and the offset.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, freePort } from '../helpers/real-redis.js';

const BIN = join('bin', 'strongbox-server');
const dir = mkdtempSync(join(tmpdir(), 'strongbox-rdb-process-'));

/** Builds dist/ when the persistence sources are newer than their build output. */
function ensureBuilt(): void {
  const out = join('dist', 'src', 'persistence', 'rdb', 'manager.js');
  const sources = ['src/persistence/rdb/manager.ts', 'src/persistence/rdb/load.ts', 'src/server/persistence.ts', 'src/server/main.ts'];
  if (existsSync(out) && sources.every((s) => statSync(s).mtimeMs < statSync(out).mtimeMs)) return;
  spawnSync('npm', ['run', 'build'], { stdio: 'pipe' });
  if (!existsSync(out)) throw new Error('npm run build produced no persistence output');
}

interface Running {
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

async function start(port: number, extra: string[] = []): Promise<Running> {
  const child = spawn('node', [BIN, '--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'no', '--dir', dir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  let closed = false;
  void exited.then(() => (closed = true));
  for (let i = 0; i < 1200 && !text.includes('Ready to accept connections') && !closed; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!text.includes('Ready to accept connections') && !closed) throw new Error(`strongbox-server not ready after 30 s:\n${text}`);
  return { port, output: () => text, exited, kill: (s) => void child.kill(s) };
}

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('strongbox-server RDB persistence as a process', () => {
  it('saves on SIGTERM with save points and loads at the next start', async () => {
    const port = await freePort();
    const first = await start(port, ['--save', '900 1']);
    const client = await connectRaw(port);
    expect((await client.call('SET', 'persisted', 'yes')).toString()).toBe('+OK\r\n');
    expect((await client.call('SET', 'volatile', 'v', 'EX', '10000')).toString()).toBe('+OK\r\n');
    client.socket.destroy();
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Saving the final RDB snapshot before exiting.');
    expect(first.output()).toContain('DB saved on disk');
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true);

    const second = await start(port, ['--save', '']);
    try {
      const out = second.output();
      expect(out).toContain('Loading RDB produced by version 7.0.15');
      expect(out).toMatch(/RDB age \d+ seconds/);
      expect(out).toContain('Done loading RDB, keys loaded: 2, keys expired: 0.');
      expect(out).toMatch(/DB loaded from disk: \d+\.\d{3} seconds/);
      const c2 = await connectRaw(port);
      expect((await c2.call('GET', 'persisted')).toString()).toBe('$3\r\nyes\r\n');
      expect(Number((await c2.call('TTL', 'volatile')).toString().slice(1))).toBeGreaterThan(9000);
      c2.socket.destroy();
    } finally {
      second.kill('SIGKILL');
      await second.exited;
    }
  }, 60_000);

  it('refuses to start on a corrupt dump.rdb, naming the file and offset', async () => {
    const bytes = readFileSync(join(dir, 'dump.rdb'));
    writeFileSync(join(dir, 'dump.rdb'), bytes.subarray(0, bytes.length - 12));
    const port = await freePort();
    const run = await start(port, ['--save', '']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/dump\.rdb: offset \d+: TRUNCATED/);
  }, 60_000);
});
