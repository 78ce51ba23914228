// Starts Strongbox in-process on a free loopback port (port 0) with a temporary data directory, and offers the
// same raw RESP client as the real-Redis helper, so tests can send one sequence to both and compare bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/main.js';
import { Logger } from '../../src/server/log.js';
import type { Server } from '../../src/server/server.js';
import { connectRaw, type RawClient } from './real-redis.js';

export interface Strongbox {
  port: number;
  server: Server;
  dir: string;
  call(...args: (string | Buffer)[]): Promise<Buffer>;
  /** Opens another client connection. */
  connect(): Promise<RawClient>;
  stop(): Promise<void>;
}

/** Starts Strongbox with `args` (redis-server syntax) after a memory-only, quiet configuration. */
export async function startStrongbox(args: string[] = [], options: { dir?: string } = {}): Promise<Strongbox> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strongbox-test-'));
  const logger = new Logger();
  logger.file = join(dir, 'strongbox.log');
  const cwd = process.cwd();
  const server = await startServer({
    argv: ['--port', '0', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'strongbox.log'), ...args],
    logger,
  });
  process.chdir(cwd);
  const client = await connectRaw(server.port);
  return {
    port: server.port,
    server,
    dir,
    call: client.call,
    connect: () => connectRaw(server.port),
    async stop() {
      client.socket.destroy();
      server.close();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
