/**
 * Wires persistence into the server: one PersistenceHub is the server's `persistence` hooks and the admin's
 * `persistenceInfo`, and combines the parts that plug into it — the RDB side (RdbPersistence, wired here) and
 * the AOF (which registers a `PersistencePart` through `persistenceHub(server)`).
 *
 * INFO persistence is assembled in Redis 7.0's order: `loading:` (admin.ts), the RDB fields, the AOF fields
 * (from the AOF part, or Redis's "AOF off" defaults), the module-fork fields, then `loading_*` while loading.
 */
import { memoryUsage } from 'node:process';
import type { PropagatedCommand } from '../commands/index.js';
import { NodeFileSystem, RdbPersistence, RdbLoadError, realPersistenceClock } from '../persistence/index.js';
import type { PersistenceHooks, Server } from './server.js';
import type { PersistenceInfo } from './admin.js';

/** What another persistence layer (the AOF) adds to the hub. Every member is optional. */
export interface PersistencePart {
  propagate?(commands: readonly PropagatedCommand[]): void;
  beforeSleep?(): void;
  cron?(): void;
  /** Runs before the RDB's final save; an error line refuses the shutdown. */
  shutdown?(save: boolean | null): string | null;
  broken?(): boolean;
  /** The MISCONF text this part wants writes refused with, or null. */
  refusal?(): string | null;
  /** The aof_* INFO lines. */
  infoLines?(): string[];
  bgrewriteaof?(): string;
  /** This part's background job (an AOF rewrite) while it runs: it excludes a BGSAVE. */
  backgroundJob?(): { cowBytes: number; keysSaved: number } | null;
}

const AOF_OFF_LINES = [
  'aof_enabled:0',
  'aof_rewrite_in_progress:0',
  'aof_rewrite_scheduled:0',
  'aof_last_rewrite_time_sec:-1',
  'aof_current_rewrite_time_sec:-1',
  'aof_last_bgrewrite_status:ok',
  'aof_rewrites:0',
  'aof_rewrites_consecutive_failures:0',
  'aof_last_write_status:ok',
  'aof_last_cow_size:0',
];

export class PersistenceHub implements PersistenceHooks, PersistenceInfo {
  readonly parts: PersistencePart[] = [];

  constructor(readonly rdb: RdbPersistence) {}

  propagate(commands: readonly PropagatedCommand[]): void {
    for (const p of this.parts) p.propagate?.(commands);
  }
  beforeSleep(): void {
    for (const p of this.parts) p.beforeSleep?.();
  }
  cron(): void {
    for (const p of this.parts) p.cron?.();
    this.rdb.cron();
  }
  shutdown(save: boolean | null): string | null {
    for (const p of this.parts) {
      const err = p.shutdown?.(save) ?? null;
      if (err !== null) return err;
    }
    return this.rdb.shutdown(save);
  }
  broken(): boolean {
    return this.rdb.broken() || this.parts.some((p) => p.broken?.() === true);
  }
  /** Redis checks the RDB error first (its text comes from `broken`), then the AOF's. */
  refusal(): string | null {
    if (this.rdb.broken()) return null;
    for (const p of this.parts) {
      const text = p.refusal?.() ?? null;
      if (text !== null) return text;
    }
    return null;
  }
  lines(): string[] {
    const aof = this.parts.flatMap((p) => p.infoLines?.() ?? []);
    return [
      ...this.rdb.infoLines(),
      ...(aof.length > 0 ? aof : AOF_OFF_LINES),
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
      ...this.rdb.loadingLines(),
    ];
  }
  lastSaveSec(): number {
    return Math.floor(this.rdb.lastSaveMs / 1000);
  }
  save(): string | null {
    return this.rdb.save();
  }
  flushAll(empty: () => void): void {
    this.rdb.flushAll(empty);
  }
  bgsave(schedule: boolean): string {
    return this.rdb.bgsaveCommand(schedule);
  }
  bgrewriteaof(): string {
    for (const p of this.parts) if (p.bgrewriteaof !== undefined) return p.bgrewriteaof();
    return '-ERR persistence is not configured';
  }
  debugReload(): string | null {
    return this.rdb.debugReload();
  }
}

const hubs = new WeakMap<Server, PersistenceHub>();

/** The server's hub (created, with its RDB side, on first use). */
export function persistenceHub(server: Server): PersistenceHub {
  let hub = hubs.get(server);
  if (hub !== undefined) return hub;
  const rdb = new RdbPersistence({
    keyspace: server.engine.keyspace,
    fs: new NodeFileSystem(),
    clock: realPersistenceClock,
    dir: () => server.dataDir,
    setting: (name) => server.config.get(name),
    getDirty: () => server.engine.dirty,
    setDirty: (n) => {
      server.engine.dirty = n;
    },
    log: server.logger,
    schedule: (work) => void setImmediate(work),
    usedMemBytes: () => memoryUsage().heapUsed,
    pid: process.pid,
    setLoading: (loading) => {
      server.loading = loading;
    },
    otherChild: () => {
      for (const part of hub?.parts ?? []) {
        const job = part.backgroundJob?.() ?? null;
        if (job !== null) return job;
      }
      return null;
    },
  });
  hub = new PersistenceHub(rdb);
  hubs.set(server, hub);
  server.persistence = hub;
  if (server.engine.admin !== null && 'persistenceInfo' in server.engine.admin) {
    (server.engine.admin as { persistenceInfo: PersistenceInfo | null }).persistenceInfo = hub;
  }
  return hub;
}

/**
 * Server plugin: attaches the hub and, when `appendonly no`, loads dir/dbfilename (with `appendonly yes` the AOF
 * part loads at start-up instead). A corrupt file stops start-up with the load error, as Redis exits.
 */
export function rdbPlugin(server: Server): void {
  const hub = persistenceHub(server);
  if (server.config.get('appendonly') === 'yes') return;
  try {
    hub.rdb.loadAtStartup();
  } catch (err) {
    if (err instanceof RdbLoadError) {
      server.logger.warning(`Fatal error loading the DB: ${err.message}. Exiting.`);
    }
    throw err;
  }
}
