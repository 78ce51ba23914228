/**
 * Server: the listener, the connections, the event-loop pacing and the wiring of real clock, filesystem and
 * network into the engine.
 *
 * Pacing follows Redis's event loop. Sockets are read as data arrives and every whole command runs at once;
 * replies are not written then. Once per loop turn `beforeSleep` runs: the persistence layer writes what the
 * turn's commands propagated (and fsyncs under `appendfsync always`), and only then are the replies flushed —
 * so a client never hears OK for a write that is not yet where its fsync policy promises (group commit).
 * `cron` runs `hz` times a second: active expiry, blocked-client timeouts, save points, stats.
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { writeFileSync, unlinkSync } from 'node:fs';
import { Engine, allCommands, type PropagatedCommand, type EngineHost, type Session } from '../commands/index.js';
import { defaultKeyspaceConfig } from '../keyspace/index.js';
import type { RequestLimits } from '../../formats/index.js';
import { Config } from './config.js';
import { Connection } from './connection.js';
import { Logger } from './log.js';
import { applyConfig } from './apply-config.js';
import { ServerAdmin } from './admin.js';

/** What the persistence layer plugs into the server. All optional: without it the server is memory-only. */
export interface PersistenceHooks {
  /** Called with each top-level command's changes. */
  propagate(commands: readonly PropagatedCommand[]): void;
  /** Once per loop turn, before replies are written: write (and, per policy, fsync) buffered changes. */
  beforeSleep(): void;
  /** hz times a second. */
  cron(): void;
  /** At shutdown: final save/fsync. Returns an error text when it must not exit (SHUTDOWN refused). */
  shutdown(save: boolean | null): string | null;
  /** True when writes must be refused with MISCONF. */
  broken(): boolean;
  /** A MISCONF text other than the RDB one (the AOF's), or null. */
  refusal?(): string | null;
}

export interface ServerOptions {
  config: Config;
  logger?: Logger;
}

export const realClock = {
  nowMs: (): number => Date.now(),
  // performance.now: no BigInt per call (the engine reads this twice per command).
  monotonicUs: (): number => Math.floor(performance.now() * 1000),
};

export class Server implements EngineHost {
  readonly config: Config;
  readonly logger: Logger;
  readonly engine: Engine;
  readonly startedMs = Date.now();
  readonly runId: string;
  private readonly listeners: NetServer[] = [];
  private readonly connections = new Set<Connection>();
  private readonly flushQueue = new Set<Connection>();
  private flushScheduled = false;
  private cronTimer: NodeJS.Timeout | null = null;
  private nextFd = 8;
  persistence: PersistenceHooks | null = null;
  /** Extra hooks (replication) that want each propagated batch. */
  readonly propagateListeners: ((commands: readonly PropagatedCommand[]) => void)[] = [];
  loading = false;
  /**
   * The data directory, absolute (`dir`): where RDB files are saved and the AOF folder lives. startServer changes
   * into it as redis-server does, but in-process servers share one cwd, so persistence reads this instead;
   * CONFIG SET dir moves it.
   */
  dataDir = process.cwd();
  /** Port actually bound (differs from the config when 0 was asked). */
  port = 0;
  readonly limits: RequestLimits = {
    maxBulkBytes: 512 * 1024 * 1024,
    maxMultibulkCount: 1024 * 1024 * 1024,
    maxInlineBytes: 64 * 1024,
  };
  private shutdownHandlers: (() => void)[] = [];

  constructor(options: ServerOptions) {
    this.config = options.config;
    this.logger = options.logger ?? new Logger();
    this.runId = randomHex(40);
    this.engine = new Engine({
      keyspace: { ...defaultKeyspaceConfig(), databases: this.config.getInt('databases') },
      clock: realClock,
      random: Math.random,
      commands: allCommands,
      host: this,
    });
    this.engine.admin = new ServerAdmin(this);
    this.config.onChange('client-query-buffer-limit', () => {
      this.queryBufferLimit = this.config.getInt('client-query-buffer-limit');
    });
    applyConfig(this);
  }

  // EngineHost
  propagate(commands: readonly PropagatedCommand[]): void {
    this.persistence?.propagate(commands);
    for (const listener of this.propagateListeners) listener(commands);
  }
  persistenceBroken(): boolean {
    return this.persistence?.broken() ?? false;
  }
  persistenceRefusal(): string | null {
    return this.persistence?.refusal?.() ?? null;
  }
  isReplica(): boolean {
    return false;
  }
  isLoading(): boolean {
    return this.loading;
  }

  /** `client-query-buffer-limit`, kept parsed (read on every socket read). */
  private queryBufferLimit = 0;

  queryBufferLimitBytes(): number {
    return this.queryBufferLimit;
  }

  /** Binds every configured address; rejects with Redis's message when the port is taken. */
  async listen(): Promise<void> {
    const port = this.config.getInt('port');
    const binds = this.config.get('bind').split(' ').filter((b) => b !== '');
    for (const bind of binds.length === 0 ? ['*'] : binds) {
      // A leading '-' marks an address that may be unavailable (redis.conf: "bind * -::*").
      const optional = bind.startsWith('-');
      const address = optional ? bind.slice(1) : bind;
      const host = address === '*' ? '0.0.0.0' : address === '::*' ? '::' : address;
      const listener = createServer({ noDelay: true }, (socket) => this.accept(socket));
      const bound = await new Promise<boolean>((resolve, reject) => {
        listener.once('error', (err: NodeJS.ErrnoException) => {
          if (optional && err.code !== 'EADDRINUSE') {
            resolve(false);
            return;
          }
          reject(
            new ListenError(
              `Warning: Could not create server TCP listening socket ${address}:${port}: bind: ${err.code === 'EADDRINUSE' ? 'Address already in use' : err.message}`,
              `Failed listening on port ${port} (TCP), aborting.`,
            ),
          );
        });
        const wanted = this.port !== 0 ? this.port : port;
        listener.listen({ port: wanted, host, exclusive: true, ipv6Only: host.includes(':') }, () => {
          const info = listener.address();
          if (info !== null && typeof info === 'object') this.port = info.port;
          resolve(true);
        });
      });
      if (bound) this.listeners.push(listener);
    }
    const hz = Math.max(1, Math.min(500, this.config.getInt('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
  }

  private accept(socket: Socket): void {
    const maxClients = this.config.getInt('maxclients');
    if (this.connections.size >= maxClients) {
      socket.end('-ERR max number of clients reached\r\n');
      this.engine.stats.rejectedConnections++;
      return;
    }
    const session = this.engine.createSession();
    const connection = new Connection(this, socket, session, this.limits, this.nextFd++);
    this.connections.add(connection);
  }

  forget(connection: Connection): void {
    this.connections.delete(connection);
    this.flushQueue.delete(connection);
    this.engine.closeSession(connection.session);
  }

  get clientCount(): number {
    return this.connections.size;
  }

  /** Sessions of connected clients, for CLIENT LIST and INFO clients. */
  clientSessions(): Session[] {
    return [...this.connections].map((c) => c.session);
  }

  /** Queues a connection for the end-of-turn flush. */
  scheduleFlush(connection: Connection): void {
    this.flushQueue.add(connection);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.beforeSleep());
  }

  /** End of a loop turn: persistence first, then replies (see the module comment). */
  beforeSleep(): void {
    this.flushScheduled = false;
    this.engine.expireBlocked();
    this.persistence?.beforeSleep();
    for (const connection of this.flushQueue) connection.flush();
    this.flushQueue.clear();
  }

  private cron(): void {
    const started = process.hrtime.bigint();
    this.engine.keyspace.nowMs = Date.now();
    const hz = Math.max(1, this.config.getInt('hz'));
    const budgetMs = 250 / hz; // Redis: ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC 25% of each cron period.
    this.engine.keyspace.activeExpireCycle(budgetMs, () => Number(process.hrtime.bigint() - started) / 1e6);
    this.engine.afterCommand();
    this.engine.expireBlocked();
    this.persistence?.cron();
    for (const connection of this.connections) {
      if (connection.session.reply.pendingBytes > 0) this.scheduleFlush(connection);
    }
  }

  onShutdown(handler: () => void): void {
    this.shutdownHandlers.push(handler);
  }

  /**
   * Stops the server (SHUTDOWN, SIGTERM). `save` true/false forces SAVE/NOSAVE; null follows the save points.
   * Returns an error text when the shutdown is refused (the final save failed).
   */
  shutdown(save: boolean | null): string | null {
    this.logger.warning('User requested shutdown...');
    const refused = this.persistence?.shutdown(save) ?? null;
    if (refused !== null) {
      this.logger.warning('Errors trying to shut down the server. Check the logs for more information.');
      return refused;
    }
    const pidfile = this.config.get('pidfile');
    if (pidfile !== '') {
      this.logger.notice('Removing the pid file.');
      try {
        unlinkSync(pidfile);
      } catch {
        // Already gone.
      }
    }
    for (const connection of this.connections) connection.flush();
    this.close();
    this.logger.warning('Redis is now ready to exit, bye bye...');
    for (const handler of this.shutdownHandlers) handler();
    return null;
  }

  /** Closes listeners and connections (tests; also the last step of shutdown). */
  close(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    for (const listener of this.listeners) listener.close();
    this.listeners.length = 0;
    for (const connection of [...this.connections]) connection.destroy();
  }

  writePidfile(): void {
    const pidfile = this.config.get('pidfile');
    if (pidfile !== '') writeFileSync(pidfile, `${process.pid}\n`);
  }
}

export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
  constructor(
    readonly warning: string,
    message: string,
  ) {
    super(message);
  }
}

function randomHex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
