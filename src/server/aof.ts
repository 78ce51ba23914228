/**
 * Wires the AOF into a server: reads the append* / aof-* directives, loads the log at start-up when
 * `appendonly yes` (replaying commands through an engine session that propagates nothing), opens it for
 * appending, and registers it as a part of the persistence hub (propagate, beforeSleep, cron, shutdown,
 * MISCONF, INFO, BGREWRITEAOF). Real files and clock by default; tests pass a fake FileSystem.
 */
import { join } from 'node:path';
import type { Bytes } from '../../formats/index.js';
import type { EngineHost, Session } from '../commands/index.js';
import {
  AppendOnlyFile,
  NodeAofFileSystem,
  loadAppendOnlyFiles,
  loadManifestFromDisk,
  keyspaceBaseSnapshots,
  type AofFileSystem,
  type AofSettings,
  type FsyncPolicy,
} from '../persistence/aof/index.js';
import { loadRdbFile, realPersistenceClock, type PersistenceClock } from '../persistence/index.js';
import { persistenceHub } from './persistence.js';
import type { Server } from './server.js';

export interface AofWiringOptions {
  fs?: AofFileSystem;
  clock?: PersistenceClock;
  /** Called when durability was promised and cannot be kept (default: log and exit 1). */
  fatal?(message: string): void;
}

/** Host used while replaying: nothing replayed is propagated again, nothing is refused. */
const REPLAY_HOST: EngineHost = {
  propagate() {},
  persistenceBroken: () => false,
  isReplica: () => false,
  isLoading: () => false,
};

function settingsFrom(server: Server): AofSettings {
  const c = server.config;
  return {
    fsync: c.get('appendfsync') as FsyncPolicy,
    useRdbPreamble: c.getBool('aof-use-rdb-preamble'),
    timestampEnabled: c.getBool('aof-timestamp-enabled'),
    autoRewritePercentage: c.getInt('auto-aof-rewrite-percentage'),
    autoRewriteMinSizeBytes: c.getInt('auto-aof-rewrite-min-size'),
    disableAutoGc: c.getBool('aof-disable-auto-gc'),
  };
}

/** Builds the AOF for `server`, loads it when `appendonly yes`, and plugs it into the persistence hub. */
export function attachAof(server: Server, options: AofWiringOptions = {}): AppendOnlyFile {
  const fs = options.fs ?? new NodeAofFileSystem();
  const clock = options.clock ?? realPersistenceClock;
  const engine = server.engine;
  const keyspace = engine.keyspace;
  const logger = server.logger;
  const fatal =
    options.fatal ??
    ((message: string) => {
      logger.warning(message);
      process.exit(1);
    });
  const settings = settingsFrom(server);
  // The AOF folder stays where it was opened (a CONFIG SET dir later moves RDB saves only).
  const dataDir = server.dataDir;
  const aof = new AppendOnlyFile({
    fs,
    clock,
    logger,
    dirName: join(dataDir, server.config.get('appenddirname')),
    fileName: server.config.get('appendfilename'),
    settings,
    fatal,
    openBase: keyspaceBaseSnapshots(keyspace, () => ({
      nowMs: clock.nowMs(),
      compression: server.config.getBool('rdbcompression'),
      checksum: server.config.getBool('rdbchecksum'),
    })),
    schedule: (work) => void setImmediate(work),
    otherChildActive: () => persistenceHub(server).rdb.bgsaveInProgress,
    readManifest: () => loadManifestFromDisk({ fs, logger, dirName: join(dataDir, server.config.get('appenddirname')), fileName: server.config.get('appendfilename') }),
  });
  for (const name of ['appendfsync', 'aof-use-rdb-preamble', 'aof-timestamp-enabled', 'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size', 'aof-disable-auto-gc']) {
    server.config.onChange(name, () => {
      Object.assign(settings, settingsFrom(server));
    });
  }
  let enabled = server.config.getBool('appendonly');
  if (enabled) {
    const loadOptions = {
      fs,
      logger,
      dirName: aof.dirName,
      fileName: aof.fileName,
      dataDir,
      loadTruncated: server.config.getBool('aof-load-truncated'),
    };
    const manifest = loadManifestFromDisk(loadOptions);
    const startedMs = Date.now();
    const result = replay(server, (target) => loadAppendOnlyFiles(manifest, target, loadOptions), fs, clock);
    if (result.status !== 'not-exist') {
      logger.notice(`DB loaded from append only file: ${((Date.now() - startedMs) / 1000).toFixed(3)} seconds`);
    }
    aof.start(result.manifest, { baseBytes: result.baseBytes, totalBytes: result.totalBytes });
  }
  server.config.onChange('appendonly', (value) => {
    const want = value === 'yes';
    if (want === enabled) return;
    if (!want) {
      aof.close();
      enabled = false;
      return;
    }
    try {
      aof.start(loadManifestFromDisk({ fs, logger, dirName: aof.dirName, fileName: aof.fileName }), { baseBytes: 0, totalBytes: 0 });
    } catch (err) {
      return `Failed to enable AOF: ${(err as Error).message}`;
    }
    if (persistenceHub(server).rdb.bgsaveInProgress) {
      // startAppendOnly: the BASE written by start() already holds the data; the rewrite follows the BGSAVE.
      logger.notice('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
      aof.rewriteScheduled = true;
    } else if (!aof.rewrite()) {
      aof.close();
      return 'Unable to turn on AOF. Check server logs.';
    }
    enabled = true;
  });
  const hub = persistenceHub(server);
  hub.parts.push({
    propagate: (commands) => aof.propagate(commands),
    beforeSleep: () => aof.beforeSleep(),
    cron: () => aof.cron(),
    shutdown: () => aof.shutdown(),
    broken: () => aof.refusal() !== null,
    refusal: () => aof.refusal(),
    infoLines: () => aof.infoLines(enabled).filter((l) => !l.startsWith('module_fork')),
    bgrewriteaof: () => aof.bgrewriteaof(),
    backgroundJob: () => aof.rewriteProgress,
  });
  return aof;
}

type ReplayTarget = Parameters<typeof loadAppendOnlyFiles>[1];

/** Runs `load` with a replay target: one engine session per file, replies discarded, nothing propagated. */
function replay<T>(server: Server, load: (target: ReplayTarget) => T, fs: AofFileSystem, clock: PersistenceClock): T {
  const engine = server.engine;
  const savedHost = engine.host;
  engine.host = REPLAY_HOST;
  let session: Session | null = null;
  const sessionNow = (): Session => {
    if (session === null) {
      session = engine.createSession();
      session.authenticated = true;
      engine.stats.connectionsReceived--;
    }
    return session;
  };
  let functionsSkipped = 0;
  const target: ReplayTarget = {
    knows: (args: readonly Bytes[]) => (args[0] ?? '').toLowerCase() === 'function' || engine.table.lookup(args[0] ?? '') !== undefined,
    execute: (args: Bytes[]) => {
      // Strongbox has no scripting engine: function libraries are skipped, as the RDB loader skips them.
      if (args[0]!.toLowerCase() === 'function') {
        functionsSkipped++;
        return;
      }
      const s = sessionNow();
      engine.execute(s, args);
      s.reply.take();
    },
    loadRdb: (path: string) =>
      loadRdbFile(fs, path, engine.keyspace, { config: engine.keyspace.config, nowMs: clock.nowMs(), dropExpired: false }).endOffset,
    endFile: () => {
      if (session !== null) engine.closeSession(session);
      session = null;
    },
  };
  engine.keyspace.loading = true;
  try {
    return load(target);
  } finally {
    target.endFile();
    engine.keyspace.loading = false;
    engine.host = savedHost;
    if (functionsSkipped > 0) {
      server.logger.warning(`Skipped ${functionsSkipped} FUNCTION commands while loading the AOF: Strongbox has no scripting engine`);
    }
  }
}

/** Server plugin form. */
export function aofPlugin(server: Server): void {
  attachAof(server);
}
