/**
 * ServerAdmin: the server's side of management commands — CONFIG GET/SET/REWRITE, INFO sections, CLIENT LIST,
 * SHUTDOWN, SAVE. INFO uses Redis 7.0's section and field names, because monitoring tools parse them.
 */
import { resolve } from 'node:path';
import { cpuUsage, memoryUsage } from 'node:process';
import { REDIS_VERSION, type AdminHost, type Session } from '../commands/index.js';
import { stringMatch } from '../keyspace/index.js';
import { Config } from './config.js';
import { hasFlag, parameterMeta } from './config-check.js';
import type { Server } from './server.js';

/** Sections in the order `INFO` prints them (redis genRedisInfoString). */
const DEFAULT_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
];

/** Persistence reports its own INFO fields through this, once it is wired. */
export interface PersistenceInfo {
  lines(): string[];
  lastSaveSec(): number;
  save(): string | null;
  bgsave(schedule: boolean): string;
  bgrewriteaof(): string;
  debugReload(): string | null;
  flushAll(empty: () => void): void;
}

export class ServerAdmin implements AdminHost {
  private readonly server: Server;
  persistenceInfo: PersistenceInfo | null = null;
  /** Replication reports INFO replication and ROLE through this, once it is wired. */
  replicationInfo: { lines(): string[]; role(): string } | null = null;

  constructor(server: Server) {
    this.server = server;
  }

  configGet(patterns: readonly string[]): [string, string][] {
    const seen = new Set<string>();
    const out: [string, string][] = [];
    for (const pattern of patterns) {
      const exact = Config.canonical(pattern);
      const matches =
        /[*?[]/.test(pattern) || exact === undefined
          ? this.server.config.matching((name) => stringMatch(pattern, name, true))
          : [[pattern.toLowerCase(), this.server.config.get(exact)] as [string, string]];
      for (const [name, value] of matches) {
        if (seen.has(name)) continue;
        seen.add(name);
        out.push([name, name === 'dir' ? this.server.dataDir : value]);
      }
    }
    return out;
  }

  /**
   * CONFIG SET as Redis's configSetCommand: every name is checked first, in order, and the first unknown,
   * immutable, protected (unless allowed) or repeated one is the error; then the values are set in order, all or
   * nothing (a refused value restores those set before it). `dir` moves the data directory first and moves it back
   * when a later value is refused.
   */
  configSet(pairs: readonly [string, string][], protectedAllowed: boolean): string | null {
    const failed = (name: string, reason: string): string =>
      `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const canonical = Config.canonical(name);
      if (canonical === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      const meta = parameterMeta(canonical);
      if (hasFlag(meta, 'immutable')) return failed(name, "can't set immutable config");
      if (hasFlag(meta, 'protected') && !protectedAllowed) return failed(name, "can't set protected config");
      // Redis compares config entries: an old name and its new name are two entries, not a repetition.
      if (seen.has(name.toLowerCase())) return failed(name, 'duplicate parameter');
      seen.add(name.toLowerCase());
    }
    const previousDir = this.server.dataDir;
    const dir = pairs.find(([name]) => Config.canonical(name) === 'dir');
    if (dir !== undefined) {
      try {
        const target = resolve(this.server.dataDir, dir[1]);
        process.chdir(target);
        this.server.dataDir = target;
      } catch (err) {
        return failed('dir', (err as Error).message);
      }
    }
    const refused = this.server.config.setAll(pairs.filter(([name]) => Config.canonical(name) !== 'dir'));
    if (refused === null) return null;
    if (this.server.dataDir !== previousDir) {
      process.chdir(previousDir);
      this.server.dataDir = previousDir;
    }
    return failed(refused.name, refused.error);
  }

  configRewrite(): string | null {
    return this.server.config.rewrite();
  }

  configResetStat(): void {
    const engine = this.server.engine;
    engine.stats.commandsProcessed = 0;
    engine.stats.errorReplies = 0;
    engine.stats.errorsByPrefix.clear();
    engine.stats.connectionsReceived = 0;
    engine.stats.rejectedConnections = 0;
    engine.keyspace.stats.keyspaceHits = 0;
    engine.keyspace.stats.keyspaceMisses = 0;
    engine.keyspace.stats.expiredKeys = 0;
    engine.keyspace.stats.evictedKeys = 0;
    for (const spec of engine.table.commands.values()) {
      for (const s of [spec, ...(spec.subcommands?.values() ?? [])]) {
        s.stats.calls = 0;
        s.stats.usec = 0;
        s.stats.failedCalls = 0;
        s.stats.rejectedCalls = 0;
      }
    }
  }

  infoSectionNames(): readonly string[] {
    return DEFAULT_SECTIONS;
  }

  infoSection(name: string): string | undefined {
    const lines = this.sectionLines(name);
    return lines === undefined ? undefined : lines.join('\r\n');
  }

  private sectionLines(name: string): string[] | undefined {
    const server = this.server;
    const engine = server.engine;
    const now = Date.now();
    switch (name) {
      case 'server': {
        const uptime = Math.floor((now - server.startedMs) / 1000);
        return [
          `redis_version:${REDIS_VERSION}`,
          'redis_git_sha1:00000000',
          'redis_git_dirty:0',
          'redis_build_id:0',
          'redis_mode:standalone',
          `os:${process.platform === 'linux' ? 'Linux' : process.platform} ${process.arch}`,
          'arch_bits:64',
          'monotonic_clock:POSIX clock_gettime',
          'multiplexing_api:epoll',
          'atomicvar_api:c11-builtin',
          `gcc_version:0.0.0`,
          `process_id:${process.pid}`,
          'process_supervised:no',
          `run_id:${server.runId}`,
          `tcp_port:${server.port}`,
          `server_time_usec:${now * 1000}`,
          `uptime_in_seconds:${uptime}`,
          `uptime_in_days:${Math.floor(uptime / 86400)}`,
          `hz:${server.config.get('hz')}`,
          `configured_hz:${server.config.get('hz')}`,
          `lru_clock:${engine.keyspace.lruClock()}`,
          `executable:${process.argv[1] ?? ''}`,
          `config_file:${server.config.file}`,
          'io_threads_active:0',
          `strongbox_version:${STRONGBOX_VERSION}`,
          `node_version:${process.version}`,
        ];
      }
      case 'clients': {
        const sessions = server.clientSessions();
        let blocked = 0;
        let pubsub = 0;
        let watching = 0;
        for (const s of sessions) {
          if (s.blocked !== null) blocked++;
          if (s.subscriptionCount > 0) pubsub++;
          if (s.watched.size > 0) watching++;
        }
        return [
          `connected_clients:${sessions.length}`,
          'cluster_connections:0',
          `maxclients:${server.config.get('maxclients')}`,
          'client_recent_max_input_buffer:0',
          'client_recent_max_output_buffer:0',
          `blocked_clients:${blocked}`,
          'tracking_clients:0',
          `clients_in_timeout_table:${blocked}`,
          `pubsub_clients:${pubsub}`,
          `watching_clients:${watching}`,
        ];
      }
      case 'memory': {
        const mem = memoryUsage();
        const used = mem.heapUsed + mem.external + mem.arrayBuffers;
        return [
          `used_memory:${used}`,
          `used_memory_human:${human(used)}`,
          `used_memory_rss:${mem.rss}`,
          `used_memory_rss_human:${human(mem.rss)}`,
          `used_memory_peak:${Math.max(used, this.peak(used))}`,
          `used_memory_peak_human:${human(this.peakBytes)}`,
          `used_memory_lua:0`,
          `maxmemory:${server.config.getInt('maxmemory')}`,
          `maxmemory_human:${human(server.config.getInt('maxmemory'))}`,
          `maxmemory_policy:${server.config.get('maxmemory-policy')}`,
          `mem_fragmentation_ratio:${(mem.rss / Math.max(1, used)).toFixed(2)}`,
          'mem_allocator:v8',
          `node_heap_total:${mem.heapTotal}`,
          `node_heap_used:${mem.heapUsed}`,
        ];
      }
      case 'persistence':
        return [
          `loading:${server.loading ? 1 : 0}`,
          ...(this.persistenceInfo?.lines() ?? [
            'async_loading:0',
            `rdb_changes_since_last_save:${engine.dirty}`,
            'rdb_bgsave_in_progress:0',
            `rdb_last_save_time:${Math.floor(server.startedMs / 1000)}`,
            'rdb_last_bgsave_status:ok',
            'aof_enabled:0',
            'aof_rewrite_in_progress:0',
            'aof_last_write_status:ok',
          ]),
        ];
      case 'stats': {
        const ks = engine.keyspace.stats;
        return [
          `total_connections_received:${engine.stats.connectionsReceived}`,
          `total_commands_processed:${engine.stats.commandsProcessed}`,
          'instantaneous_ops_per_sec:0',
          `rejected_connections:${engine.stats.rejectedConnections}`,
          `expired_keys:${ks.expiredKeys}`,
          `expired_stale_perc:${(ks.expiredStalePerc * 100).toFixed(2)}`,
          `expired_time_cap_reached_count:${ks.expiredTimeCapReachedCount}`,
          `evicted_keys:${ks.evictedKeys}`,
          `keyspace_hits:${ks.keyspaceHits}`,
          `keyspace_misses:${ks.keyspaceMisses}`,
          `pubsub_channels:${engine.channels.size}`,
          `pubsub_patterns:${engine.patterns.size}`,
          `total_error_replies:${engine.stats.errorReplies}`,
          `total_blocking_keys:${engine.blockedSessions.size}`,
        ];
      }
      case 'replication':
        return this.replicationInfo?.lines() ?? [
          'role:master',
          'connected_slaves:0',
          `master_replid:${server.runId}`,
          'master_replid2:0000000000000000000000000000000000000000',
          'master_repl_offset:0',
          'second_repl_offset:-1',
          'repl_backlog_active:0',
          'repl_backlog_size:1048576',
          'repl_backlog_first_byte_offset:0',
          'repl_backlog_histlen:0',
        ];
      case 'cpu': {
        const cpu = cpuUsage();
        return [
          `used_cpu_sys:${(cpu.system / 1e6).toFixed(6)}`,
          `used_cpu_user:${(cpu.user / 1e6).toFixed(6)}`,
          'used_cpu_sys_children:0.000000',
          'used_cpu_user_children:0.000000',
        ];
      }
      case 'modules':
        return [];
      case 'errorstats':
        return [...engine.stats.errorsByPrefix].map(([prefix, count]) => `errorstat_${prefix}:count=${count}`);
      case 'cluster':
        return ['cluster_enabled:0'];
      case 'keyspace': {
        const lines: string[] = [];
        for (const db of engine.keyspace.dbs) {
          if (db.size === 0) continue;
          lines.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${Math.round(db.avgTtlMs)}`);
        }
        return lines;
      }
      case 'commandstats': {
        const lines: string[] = [];
        for (const spec of engine.table.commands.values()) {
          for (const s of [spec, ...(spec.subcommands?.values() ?? [])]) {
            if (s.stats.calls === 0 && s.stats.rejectedCalls === 0 && s.stats.failedCalls === 0) continue;
            const perCall = s.stats.calls === 0 ? 0 : s.stats.usec / s.stats.calls;
            lines.push(
              `cmdstat_${s.name}:calls=${s.stats.calls},usec=${Math.round(s.stats.usec)},usec_per_call=${perCall.toFixed(2)},rejected_calls=${s.stats.rejectedCalls},failed_calls=${s.stats.failedCalls}`,
            );
          }
        }
        return lines;
      }
      default:
        return undefined;
    }
  }

  private peakBytes = 0;
  private peak(used: number): number {
    this.peakBytes = Math.max(this.peakBytes, used);
    return this.peakBytes;
  }

  sessions(): Session[] {
    return this.server.clientSessions();
  }

  shutdown(save: boolean | null): string | null {
    return this.server.shutdown(save);
  }

  save(): string | null {
    // null is success: `??` would turn it into the error.
    return this.persistenceInfo === null ? 'ERR persistence is not configured' : this.persistenceInfo.save();
  }

  bgsave(schedule: boolean): string {
    return this.persistenceInfo?.bgsave(schedule) ?? '-ERR persistence is not configured';
  }

  bgrewriteaof(): string {
    return this.persistenceInfo?.bgrewriteaof() ?? '-ERR persistence is not configured';
  }

  flushAll(empty: () => void): void {
    if (this.persistenceInfo === null) empty();
    else this.persistenceInfo.flushAll(empty);
  }

  lastSaveSec(): number {
    return this.persistenceInfo?.lastSaveSec() ?? Math.floor(this.server.startedMs / 1000);
  }

  debugReload(): string | null {
    return this.persistenceInfo === null ? 'ERR persistence is not configured' : this.persistenceInfo.debugReload();
  }

  role(): string {
    return this.replicationInfo?.role() ?? 'master';
  }
}

export const STRONGBOX_VERSION = '0.1.0';

/** Redis's bytesToHuman: B, K, M, G with two decimals. */
export function human(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)}M`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)}G`;
  return `${(n / 1024 ** 4).toFixed(2)}T`;
}
