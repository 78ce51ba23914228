// Test helper (not a test): starts a real redis-server in a temp dir and talks RESP2 to it over
// node:net, so codec tests can check their bytes against the reference implementation.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Reply = string | number | null | Reply[] | { error: string };

/** Whether redis-server runs here; under CI its absence is a failure, else a loud skip. */
export function redisAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const ok = probe.status === 0;
  if (!ok) {
    if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
      throw new Error('redis-server is required under CI but was not found on PATH');
    }
    console.warn('\n*** redis-server not found on PATH: real-Redis interop tests are SKIPPED ***\n');
  }
  return ok;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Minimal RESP2 client: one request at a time. */
export class RespClient {
  private buffer = Buffer.alloc(0);
  private waiting: ((r: Reply) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.pump();
    });
  }

  static async connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  private pump(): void {
    if (this.waiting === null) return;
    const parsed = parseReply(this.buffer, 0);
    if (parsed === null) return;
    this.buffer = this.buffer.subarray(parsed.next);
    const done = this.waiting;
    this.waiting = null;
    done(parsed.value);
  }

  /** Sends one command (arguments as latin1 byte strings or raw buffers). */
  async call(...args: (string | number | Buffer)[]): Promise<Reply> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(Buffer.concat(parts));
      this.pump();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseReply(buf: Buffer, at: number): { value: Reply; next: number } | null {
  const eol = buf.indexOf('\r\n', at, 'latin1');
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at] as number);
  const line = buf.toString('latin1', at + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: { error: line }, next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return null;
      return { value: buf.toString('latin1', eol + 2, eol + 2 + n), next: eol + 2 + n + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      const items: Reply[] = [];
      let next = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, next);
        if (item === null) return null;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type ${type}`);
  }
}

export interface RedisInstance {
  port: number;
  dir: string;
  client: RespClient;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port with `dir`/x.rdb (which may already hold an RDB). */
export async function startRedis(dir: string = mkdtempSync(join(tmpdir(), 'strongbox-rdb-')), extra: string[] = []): Promise<RedisInstance> {
  // A port found free can be taken (e.g. by a server on port 0) before redis-server binds it: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOnce(dir, extra);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

async function startRedisOnce(dir: string, extra: string[]): Promise<RedisInstance> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'x.rdb', '--save', '', '--appendonly', 'no', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
    try {
      // Only once redis-server said it listens (it exits when the port was taken by another server).
      if (!log.includes('Ready to accept connections')) throw new Error('not listening yet');
      const client = await RespClient.connect(port);
      const pong = await client.call('PING');
      if (pong === 'PONG') {
        return {
          port,
          dir,
          client,
          stop: async () => {
            client.close();
            await new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            });
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      client.close();
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
