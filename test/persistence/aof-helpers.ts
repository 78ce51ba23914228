// Starts an in-process Strongbox whose AOF runs on a given FileSystem (a counting wrapper of the real one, or the
// simulated disk), so tests can watch fsyncs and inject faults at the seam. Same raw RESP client as the other
// helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/main.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { attachAof } from '../../src/server/aof.js';
import { persistenceHub } from '../../src/server/persistence.js';
import type { AofFileSystem, AppendOnlyFile } from '../../src/persistence/aof/index.js';
import { connectRaw, type RawClient } from '../helpers/real-redis.js';

export interface AofServer {
  server: Server;
  aof: AppendOnlyFile;
  dir: string;
  port: number;
  client: RawClient;
  call(...args: (string | Buffer)[]): Promise<Buffer>;
  log(): string;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'strongbox-aof-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a server on `dir` with `appendonly yes` and `args`; `fatal` receives what would exit the process. */
export async function startAofServer(
  dir: string,
  args: string[],
  options: { fs?: AofFileSystem; fatal?: (message: string) => void } = {},
): Promise<AofServer> {
  const logPath = join(dir, 'strongbox.log');
  const config = loadConfig(['--port', '0', '--save', '', '--appendonly', 'yes', '--dir', dir, '--logfile', logPath, ...args]);
  const logger = new Logger();
  logger.file = logPath;
  const cwd = process.cwd();
  process.chdir(dir);
  let server: Server;
  let aof: AppendOnlyFile;
  try {
    server = new Server({ config, logger });
    persistenceHub(server);
    const wiring: Parameters<typeof attachAof>[1] = {};
    if (options.fs !== undefined) wiring.fs = options.fs;
    wiring.fatal = options.fatal ?? ((message: string) => {
      throw new Error(`fatal: ${message}`);
    });
    aof = attachAof(server, wiring);
    await server.listen();
  } finally {
    process.chdir(cwd);
  }
  const client = await connectRaw(server.port);
  const { readFileSync } = await import('node:fs');
  return {
    server,
    aof,
    dir,
    port: server.port,
    client,
    call: client.call,
    log: () => {
      try {
        return readFileSync(logPath, 'latin1');
      } catch {
        return '';
      }
    },
    async stop() {
      client.socket.destroy();
      aof.close();
      server.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
