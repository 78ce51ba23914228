// Runs real redis-server 7.0 on a given data folder (appendonly yes), reporting whether it started or refused,
// with its log; and reads a dataset's digests (DEBUG DIGEST, DEBUG DIGEST-VALUE per key) from any server.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connectRaw, parseResp, type RawClient, type RespValue } from '../helpers/real-redis.js';

export interface RedisOnFolder {
  started: boolean;
  log: string;
  client: RawClient | null;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      server.close(() => resolve(address.port));
    });
  });
}

/** Starts redis-server on `dir` (appendonly yes + `args`); resolves once it accepts connections or has exited. */
export async function redisOnFolder(dir: string, args: string[] = []): Promise<RedisOnFolder> {
  const port = await freePort();
  const logPath = join(dir, 'redis.log');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--logfile', logPath, ...args],
    { stdio: 'ignore' },
  );
  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'latin1');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (readLog().includes('Ready to accept connections')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (child.exitCode !== null || !readLog().includes('Ready to accept connections')) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    return { started: false, log: readLog(), client: null, child, stop: async () => {} };
  }
  const client = await connectRaw(port);
  return {
    started: true,
    log: readLog(),
    client,
    child,
    async stop() {
      client.socket.destroy();
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Copies a corpus folder into `dir`. */
export function copyInto(source: string, dir: string): void {
  cpSync(source, dir, { recursive: true });
}

export interface DatasetDigest {
  digest: string;
  /** `db/key` -> DEBUG DIGEST-VALUE, plus PTTL presence. */
  keys: Map<string, string>;
}

/** A status, integer or bulk reply as text (the helper keeps '+' and ':' prefixes; errors throw). */
function text(v: RespValue): string {
  if (typeof v !== 'string') throw new Error(`expected a string reply, got ${JSON.stringify(v)}`);
  if (v.startsWith('-')) throw new Error(`error reply: ${v}`);
  return v.startsWith('+') || v.startsWith(':') ? v.slice(1) : v;
}

/** DEBUG DIGEST of the whole dataset and, key by key, DEBUG DIGEST-VALUE and whether the key is volatile. */
export async function readDigests(call: (...args: string[]) => Promise<Buffer>, databases = 16): Promise<DatasetDigest> {
  const digest = text(parseResp(await call('DEBUG', 'DIGEST')));
  const keys = new Map<string, string>();
  for (let db = 0; db < databases; db++) {
    await call('SELECT', String(db));
    const names = parseResp(await call('KEYS', '*'));
    if (!Array.isArray(names)) throw new Error('KEYS did not return an array');
    for (const name of names) {
      const key = text(name);
      const value = parseResp(await call('DEBUG', 'DIGEST-VALUE', key));
      const pttl = parseResp(await call('PTTL', key));
      const volatile = Number(text(pttl)) >= 0 ? ' volatile' : '';
      keys.set(`${db}/${key}`, `${Array.isArray(value) ? text(value[0] ?? null) : text(value)}${volatile}`);
    }
  }
  await call('SELECT', '0');
  return { digest, keys };
}
