// Starts a throwaway real redis-server (the reference implementation) on a free loopback port
// in a temporary directory, and offers a raw RESP call returning the reply bytes unparsed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RealRedis {
  port: number;
  /** Sends one command; resolves with the raw RESP bytes of its single reply. */
  call(...args: (string | Buffer)[]): Promise<Buffer>;
  stop(): Promise<void>;
}

/** True when a redis-server binary is on PATH. */
export function realRedisAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Tells a test file whether to run its real-Redis comparisons. Without the binary: skip with a
 * loud warning, unless CI is set, where a missing reference is a failure.
 */
export function requireRealRedis(): boolean {
  if (realRedisAvailable()) return true;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    throw new Error('redis-server not found on PATH, and CI is set: reference tests cannot run');
  }
  console.warn('\n!!!! redis-server not found on PATH: SKIPPING tests that compare against real Redis !!!!\n');
  return false;
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick), for a server process the test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}

/** Length of the first complete RESP reply in `buf` starting at `start`, or -1 if incomplete. */
function replyEnd(buf: Buffer, start: number): number {
  const lineEnd = buf.indexOf('\r\n', start, 'latin1');
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[start] ?? 0);
  const header = buf.toString('latin1', start + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+': case '-': case ':': case ',': case '_': case '#': case '(':
      return after;
    case '$': case '=': case '!': {
      const length = Number(header);
      if (length < 0) return after;
      return buf.length >= after + length + 2 ? after + length + 2 : -1;
    }
    case '*': case '~': case '%': case '>': case '|': {
      let count = Number(header);
      if (count < 0) return after;
      if (type === '%' || type === '|') count *= 2;
      let position = after;
      for (let i = 0; i < count; i++) {
        position = replyEnd(buf, position);
        if (position < 0) return -1;
      }
      return position;
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

async function connectWithRetry(port: number, child: ChildProcess): Promise<Socket> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error('could not connect to redis-server');
}

export interface RawClient {
  /** Sends one command; resolves with the raw RESP bytes of its single reply. */
  call(...args: (string | Buffer)[]): Promise<Buffer>;
  socket: Socket;
}

/** A pipelining RESP client over a connected socket that hands back each reply's raw bytes. */
export function rawClient(socket: Socket): RawClient {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  const waiters: { resolve: (reply: Buffer) => void; reject: (error: Error) => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length === 0 || waiters.length === 0) return;
      const end = replyEnd(pending, 0);
      if (end < 0) return;
      const reply = Buffer.from(pending.subarray(0, end));
      pending = pending.subarray(end);
      waiters.shift()?.resolve(reply);
    }
  });
  socket.on('error', (error) => { for (const waiter of waiters.splice(0)) waiter.reject(error); });
  return {
    socket,
    call(...callArgs) {
      return new Promise<Buffer>((resolve, reject) => {
        waiters.push({ resolve, reject });
        socket.write(encodeCommand(callArgs));
      });
    },
  };
}

/** Connects a raw client to a loopback port. */
export async function connectRaw(port: number): Promise<RawClient> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  return rawClient(socket);
}

/** Starts redis-server with `args` appended to a minimal no-persistence configuration. */
export async function startRealRedis(args: string[] = []): Promise<RealRedis> {
  // A port found free can be taken by someone else (another server asking for port 0) before redis-server binds
  // it; then the connection would reach the wrong server. So the server must say it is our child, or we retry.
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'strongbox-real-redis-'));
    const port = await freePort();
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', 'no', '--daemonize', 'no', '--logfile', '', '--loglevel', 'notice',
      ...args,
    ], {
      stdio: ['ignore', 'pipe', 'inherit'],
      // Redis sets LC_COLLATE from the environment (SORT ALPHA uses strcoll); Strongbox implements the C
      // collation (strcmp), so the reference must not inherit e.g. en_US.UTF-8 from a CI machine.
      env: { ...process.env, LC_ALL: 'C' },
    });
    const stop = async (socket?: Socket): Promise<void> => {
      socket?.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    };
    // Wait for redis-server's own word that it listens (it exits when the port was taken): no command is sent,
    // so the reference's stats, slowlog and latency history stay untouched.
    const ready = await new Promise<boolean>((resolve) => {
      let log = '';
      const timer = setTimeout(() => resolve(false), 10_000);
      child.stdout?.on('data', (d: Buffer) => {
        log += d.toString('latin1');
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    child.stdout?.resume();
    if (!ready) {
      await stop();
      if (attempt >= 5) throw new Error(`redis-server did not start on port ${port}`);
      continue;
    }
    const socket = await connectWithRetry(port, child);
    const client = rawClient(socket);
    return { port, call: client.call, stop: () => stop(socket) };
  }
}

/** Decodes a bulk-string reply ("$n\r\n...\r\n") to a latin1 string; null for a null bulk. */
export function bulkOf(reply: Buffer): string | null {
  const text = reply.toString('latin1');
  if (text.startsWith('$-1')) return null;
  if (!text.startsWith('$')) throw new Error(`expected bulk reply, got ${JSON.stringify(text)}`);
  const lineEnd = text.indexOf('\r\n');
  return text.slice(lineEnd + 2, text.length - 2);
}

/** Decodes a flat array reply of bulk strings / integers / statuses into latin1 strings. */
export function arrayOf(reply: Buffer): (string | null)[] {
  const text = reply.toString('latin1');
  if (!text.startsWith('*')) throw new Error(`expected array reply, got ${JSON.stringify(text.slice(0, 80))}`);
  const out: (string | null)[] = [];
  let position = text.indexOf('\r\n') + 2;
  const count = Number(text.slice(1, position - 2));
  for (let i = 0; i < count; i++) {
    const lineEnd = text.indexOf('\r\n', position);
    const type = text[position];
    const header = text.slice(position + 1, lineEnd);
    if (type === '$') {
      const length = Number(header);
      if (length < 0) { out.push(null); position = lineEnd + 2; continue; }
      out.push(text.slice(lineEnd + 2, lineEnd + 2 + length));
      position = lineEnd + 2 + length + 2;
    } else if (type === '*' && Number(header) < 0) {
      out.push(null);
      position = lineEnd + 2;
    } else if (type === ':' || type === '+') {
      out.push(header);
      position = lineEnd + 2;
    } else {
      throw new Error(`nested reply not supported by arrayOf: ${JSON.stringify(text.slice(position, position + 40))}`);
    }
  }
  return out;
}

/** A decoded RESP2 reply: strings are latin1; errors and statuses keep their prefix char. */
export type RespValue = string | null | RespValue[];

/** Decodes one complete RESP2 reply (bulk, status "+x", error "-x", integer ":n", nested arrays). */
export function parseResp(reply: Buffer): RespValue {
  const text = reply.toString('latin1');
  let position = 0;
  const read = (): RespValue => {
    const lineEnd = text.indexOf('\r\n', position);
    const type = text[position];
    const header = text.slice(position + 1, lineEnd);
    position = lineEnd + 2;
    if (type === '$') {
      const length = Number(header);
      if (length < 0) return null;
      const value = text.slice(position, position + length);
      position += length + 2;
      return value;
    }
    if (type === '*') {
      const count = Number(header);
      if (count < 0) return null;
      const items: RespValue[] = [];
      for (let i = 0; i < count; i++) items.push(read());
      return items;
    }
    return `${type ?? ''}${header}`;
  };
  return read();
}
