/**
 * Server commands: INFO, CONFIG, COMMAND, TIME, SHUTDOWN, SAVE/BGSAVE/LASTSAVE, SLOWLOG, LATENCY, MEMORY, ROLE,
 * WAIT, READONLY/READWRITE (redis `src/server.c`, `src/config.c`, `src/slowlog.c`, `src/latency.c`,
 * `src/object.c`, `src/replication.c`). Process-level answers come from the AdminHost; what the engine counts
 * itself (commandstats, errorstats, keyspace) is rendered here.
 *
 * MEMORY USAGE is an estimate: it models Redis's own accounting (jemalloc size classes, robj/dictEntry/sds
 * headers, listpack entry sizes) rather than measuring V8's heap, so tools that size keys see Redis-like numbers.
 * Strings match Redis exactly; collections are within a small factor.
 */
import type { CommandDef, CommandSpec } from './table.js';
import type { Session } from './session.js';
import type { ReplyValue } from '../../formats/index.js';
import { ERR } from './errors.js';
import { is, parseInt64 } from './args.js';
import { stringEncoding, stringMatch, type RedisValue } from '../keyspace/index.js';

/** Writes a stored reply tree (COMMAND INFO/DOCS metadata) in the session's protocol. */
export function writeReplyValue(s: Session, v: ReplyValue): void {
  const r = s.reply;
  switch (v.t) {
    case 'simple':
      r.simple(v.v);
      return;
    case 'error':
      r.error(v.v);
      return;
    case 'int':
      r.integer(v.v);
      return;
    case 'bulk':
      r.bulk(v.v);
      return;
    case 'null':
      r.nullBulk();
      return;
    case 'nullarray':
      r.nullArray();
      return;
    case 'array':
      r.array(v.v.length);
      for (const item of v.v) writeReplyValue(s, item);
      return;
    case 'set':
      r.set(v.v.length);
      for (const item of v.v) writeReplyValue(s, item);
      return;
    case 'push':
      r.push(v.v.length);
      for (const item of v.v) writeReplyValue(s, item);
      return;
    case 'map':
      r.map(v.v.length);
      for (const [k, val] of v.v) {
        writeReplyValue(s, k);
        writeReplyValue(s, val);
      }
      return;
    case 'double':
      r.double(v.v);
      return;
    case 'bool':
      r.boolean(v.v);
      return;
    case 'verbatim':
      r.verbatim(v.v, v.format);
      return;
    case 'bignum':
      r.bulk(v.v);
      return;
    case 'attribute':
      writeReplyValue(s, v.v);
      return;
    default: {
      const never: never = v;
      throw new Error(`assertion failed: unknown reply ${String(never)}`);
    }
  }
}

function commandList(s: Session): CommandSpec[] {
  return [...s.engine.table.commands.values()];
}

function command(s: Session): void {
  const specs = commandList(s);
  s.reply.array(specs.length);
  for (const spec of specs) writeReplyValue(s, spec.info);
}

function commandCount(s: Session): void {
  s.reply.integer(s.engine.table.commands.size);
}

function commandInfo(s: Session, args: string[]): void {
  if (args.length === 2) {
    command(s);
    return;
  }
  s.reply.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const spec = lookupFull(s, args[i]!);
    if (spec === undefined) s.reply.nullBulk();
    else writeReplyValue(s, spec.info);
  }
}

/** `get` or `config|get` to its spec. */
function lookupFull(s: Session, name: string): CommandSpec | undefined {
  const [head, sub] = name.toLowerCase().split('|');
  const spec = s.engine.table.lookup(head ?? '');
  if (sub === undefined) return spec;
  return spec?.subcommands?.get(sub);
}

function commandDocs(s: Session, args: string[]): void {
  const specs: CommandSpec[] = [];
  if (args.length === 2) specs.push(...commandList(s));
  else for (let i = 2; i < args.length; i++) {
    const spec = lookupFull(s, args[i]!);
    if (spec !== undefined) specs.push(spec);
  }
  const withDocs = specs.filter((x) => x.docs !== undefined);
  s.reply.map(withDocs.length);
  for (const spec of withDocs) {
    s.reply.bulk(spec.name);
    writeReplyValue(s, spec.docs!);
  }
}

function commandList_(s: Session, args: string[]): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null;
  for (let i = 2; i < args.length; i++) {
    const more = args.length - 1 - i;
    if (!is(args[i], 'filterby') || more !== 2) {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
    const kind = args[i + 1]!.toLowerCase();
    const arg = args[i + 2]!;
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (spec) => aclCategories(spec).includes('@' + arg.toLowerCase());
    else if (kind === 'pattern') filter = (spec) => stringMatch(arg, spec.name, true);
    else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
    i += 2;
  }
  const names: string[] = [];
  for (const spec of commandList(s)) {
    if (filter === null || filter(spec)) names.push(spec.name);
    for (const sub of spec.subcommands?.values() ?? []) if (filter === null || filter(sub)) names.push(sub.name);
  }
  s.reply.bulkArray(names);
}

/** A command's ACL categories (`@read`, `@string`...), from its COMMAND INFO entry. */
function aclCategories(spec: CommandSpec): string[] {
  const field = spec.info.t === 'array' ? spec.info.v[6] : undefined;
  if (field === undefined || (field.t !== 'set' && field.t !== 'array')) return [];
  return field.v.map((v) => (v.t === 'simple' || v.t === 'bulk' ? v.v.toLowerCase() : ''));
}

function commandHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS (redis getKeysSubcommandImpl). */
function getKeysSubcommand(s: Session, args: string[], withFlags: boolean): void {
  const cmdArgs = args.slice(2);
  let spec = s.engine.table.lookup(cmdArgs[0]!);
  if (spec?.subcommands !== undefined && cmdArgs.length >= 2) spec = spec.subcommands.get(cmdArgs[1]!.toLowerCase());
  if (spec === undefined) {
    s.engine.replyError(s, 'ERR Invalid command specified');
    return;
  }
  const keySpecs = keySpecsOf(spec);
  if (!keySpecs.some((k) => !k.flags.includes('not_key')) && !KEY_PROCS.has(spec.name)) {
    s.engine.replyError(s, 'ERR The command has no key arguments');
    return;
  }
  if ((spec.arity > 0 && cmdArgs.length !== spec.arity) || cmdArgs.length < -spec.arity) {
    s.engine.replyError(s, 'ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = commandKeys(spec, keySpecs, cmdArgs);
  if (keys.length === 0) {
    if ((specFlagNames(spec).includes('no_mandatory_keys'))) s.reply.array(0);
    else s.engine.replyError(s, 'ERR Invalid arguments specified for command');
    return;
  }
  s.reply.array(keys.length);
  for (const key of keys) {
    if (!withFlags) {
      s.reply.bulk(cmdArgs[key.index]!);
      continue;
    }
    s.reply.array(2);
    s.reply.bulk(cmdArgs[key.index]!);
    const flags = KEY_FLAG_ORDER.filter((f) => key.flags.includes(f));
    s.reply.set(flags.length);
    for (const f of flags) s.reply.simple(f);
  }
}

function time(s: Session): void {
  const us = s.engine.clock.nowMs() * 1000 + (s.engine.clock.monotonicUs() % 1000);
  s.reply.array(2);
  s.reply.bulk(String(Math.floor(us / 1e6)));
  s.reply.bulk(String(Math.floor(us % 1e6)));
}

function noAdmin(s: Session): void {
  s.engine.replyError(s, 'ERR this command needs a server');
}

/** CONFIG GET: an exact name comes back as typed (Redis keys its reply by the argument), a pattern by canonical names. */
function configGet(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  const seen = new Set<string>();
  const pairs: [string, string][] = [];
  for (const pattern of args.slice(2)) {
    const exact = !/[*?[]/.test(pattern);
    for (const [name, value] of admin.configGet([pattern])) {
      const key = exact ? pattern : name;
      if (seen.has(key.toLowerCase())) continue;
      seen.add(key.toLowerCase());
      pairs.push([key, value]);
    }
  }
  s.reply.map(pairs.length);
  for (const [k, v] of pairs) {
    s.reply.bulk(k);
    s.reply.bulk(v);
  }
}

function configSet(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  if (args.length % 2 !== 0) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
  const err = admin.configSet(pairs, protectedActionAllowed(s, 'enable-protected-configs'));
  if (err !== null) s.engine.replyError(s, err);
  else s.reply.ok();
}

function configRewrite(s: Session): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  const err = admin.configRewrite();
  if (err !== null) s.engine.replyError(s, err);
  else s.reply.ok();
}

function configResetstat(s: Session): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  admin.configResetStat();
  s.reply.ok();
}

function shutdown(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  let save: boolean | null = null;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!.toLowerCase();
    if (a === 'save') save = true;
    else if (a === 'nosave') save = false;
    else if (a === 'now' || a === 'force' || a === 'abort') continue;
    else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  const err = admin.shutdown(save);
  if (err !== null) s.engine.replyError(s, err);
}

const SECTION_TITLES: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

/** Every section in the order genRedisInfoString emits them. */
const INFO_ORDER = Object.keys(SECTION_TITLES);
/** What `INFO` and `INFO default` select (module_list stands for the Modules section). */
const INFO_DEFAULT = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];

/**
 * Redis 7.0's fields of the fixed-layout sections, in order, with the value an idle server reports; a field the
 * server does not supply shows that value (comma-separated `name=value` list), so parsers find every field where Redis puts it. Fields the server
 * adds beyond these follow them.
 */
const INFO_FIELDS: Record<string, string> = {
  server:
    'redis_version=,redis_git_sha1=00000000,redis_git_dirty=0,redis_build_id=0,redis_mode=standalone,os=,arch_bits=64,monotonic_clock=POSIX clock_gettime,multiplexing_api=epoll,atomicvar_api=c11-builtin,gcc_version=0.0.0,process_id=0,process_supervised=no,run_id=,tcp_port=0,server_time_usec=0,uptime_in_seconds=0,uptime_in_days=0,hz=10,configured_hz=10,lru_clock=0,executable=,config_file=,io_threads_active=0',
  clients:
    'connected_clients=0,cluster_connections=0,maxclients=10000,client_recent_max_input_buffer=0,client_recent_max_output_buffer=0,blocked_clients=0,tracking_clients=0,clients_in_timeout_table=0',
  memory:
    'used_memory=0,used_memory_human=0B,used_memory_rss=0,used_memory_rss_human=0B,used_memory_peak=0,used_memory_peak_human=0B,used_memory_peak_perc=0.00%,used_memory_overhead=0,used_memory_startup=0,used_memory_dataset=0,used_memory_dataset_perc=0.00%,allocator_allocated=0,allocator_active=0,allocator_resident=0,total_system_memory=0,total_system_memory_human=0B,used_memory_lua=0,used_memory_vm_eval=0,used_memory_lua_human=0B,used_memory_scripts_eval=0,number_of_cached_scripts=0,number_of_functions=0,number_of_libraries=0,used_memory_vm_functions=0,used_memory_vm_total=0,used_memory_vm_total_human=0B,used_memory_functions=0,used_memory_scripts=0,used_memory_scripts_human=0B,maxmemory=0,maxmemory_human=0B,maxmemory_policy=noeviction,allocator_frag_ratio=0.00,allocator_frag_bytes=0,allocator_rss_ratio=0.00,allocator_rss_bytes=0,rss_overhead_ratio=0.00,rss_overhead_bytes=0,mem_fragmentation_ratio=0.00,mem_fragmentation_bytes=0,mem_not_counted_for_evict=0,mem_replication_backlog=0,mem_total_replication_buffers=0,mem_clients_slaves=0,mem_clients_normal=0,mem_cluster_links=0,mem_aof_buffer=0,mem_allocator=libc,active_defrag_running=0,lazyfree_pending_objects=0,lazyfreed_objects=0',
  persistence:
    'loading=0,async_loading=0,current_cow_peak=0,current_cow_size=0,current_cow_size_age=0,current_fork_perc=0.00,current_save_keys_processed=0,current_save_keys_total=0,rdb_changes_since_last_save=0,rdb_bgsave_in_progress=0,rdb_last_save_time=0,rdb_last_bgsave_status=ok,rdb_last_bgsave_time_sec=-1,rdb_current_bgsave_time_sec=-1,rdb_saves=0,rdb_last_cow_size=0,rdb_last_load_keys_expired=0,rdb_last_load_keys_loaded=0,aof_enabled=0,aof_rewrite_in_progress=0,aof_rewrite_scheduled=0,aof_last_rewrite_time_sec=-1,aof_current_rewrite_time_sec=-1,aof_last_bgrewrite_status=ok,aof_rewrites=0,aof_rewrites_consecutive_failures=0,aof_last_write_status=ok,aof_last_cow_size=0,module_fork_in_progress=0,module_fork_last_cow_size=0',
  stats:
    'total_connections_received=0,total_commands_processed=0,instantaneous_ops_per_sec=0,total_net_input_bytes=0,total_net_output_bytes=0,total_net_repl_input_bytes=0,total_net_repl_output_bytes=0,instantaneous_input_kbps=0.00,instantaneous_output_kbps=0.00,instantaneous_input_repl_kbps=0.00,instantaneous_output_repl_kbps=0.00,rejected_connections=0,sync_full=0,sync_partial_ok=0,sync_partial_err=0,expired_keys=0,expired_stale_perc=0.00,expired_time_cap_reached_count=0,expire_cycle_cpu_milliseconds=0,evicted_keys=0,evicted_clients=0,total_eviction_exceeded_time=0,current_eviction_exceeded_time=0,keyspace_hits=0,keyspace_misses=0,pubsub_channels=0,pubsub_patterns=0,pubsubshard_channels=0,latest_fork_usec=0,total_forks=0,migrate_cached_sockets=0,slave_expires_tracked_keys=0,active_defrag_hits=0,active_defrag_misses=0,active_defrag_key_hits=0,active_defrag_key_misses=0,total_active_defrag_time=0,current_active_defrag_time=0,tracking_total_keys=0,tracking_total_items=0,tracking_total_prefixes=0,unexpected_error_replies=0,total_error_replies=0,dump_payload_sanitizations=0,total_reads_processed=0,total_writes_processed=0,io_threaded_reads_processed=0,io_threaded_writes_processed=0,reply_buffer_shrinks=0,reply_buffer_expands=0',
  cpu: 'used_cpu_sys=0.000000,used_cpu_user=0.000000,used_cpu_sys_children=0.000000,used_cpu_user_children=0.000000,used_cpu_sys_main_thread=0.000000,used_cpu_user_main_thread=0.000000',
};

/** The sections an INFO argument list selects (redis genInfoSectionDict): names, plus the all/everything flags. */
export function selectInfoSections(requested: readonly string[]): Set<string> {
  const chosen = new Set<string>();
  let all = false;
  if (requested.length === 0) for (const name of INFO_DEFAULT) chosen.add(name);
  for (const r of requested.map((x) => x.toLowerCase())) {
    if (r === 'default') for (const name of INFO_DEFAULT) chosen.add(name);
    else if (r === 'all' || r === 'everything') all = true;
    else chosen.add(r);
  }
  const out = new Set<string>();
  for (const name of INFO_ORDER) {
    const modules = name === 'modules' && (chosen.has('module_list') || chosen.has('modules'));
    if (all || chosen.has(name) || modules) out.add(name);
  }
  return out;
}

/** Redis prints percentile names with %f trimmed of trailing zeros: 50, 99, 99.9. */
function formatPercentile(p: number): string {
  return String(Number(p.toFixed(6)));
}

/** getSafeInfoString: INFO field names cannot hold '#', ':', CR or LF. */
function safeInfoName(name: string): string {
  return name.replace(/[#:\r\n]/g, '_');
}

/** Admin lines laid out with Redis's fields first (see INFO_FIELDS). */
function normalizedSection(name: string, lines: readonly string[]): string[] {
  const layout = INFO_FIELDS[name];
  if (layout === undefined) return [...lines];
  const given = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) given.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const out: string[] = [];
  const used = new Set<string>();
  for (const field of layout.split(',')) {
    const eq = field.indexOf('=');
    const key = field.slice(0, eq);
    used.add(key);
    out.push(`${key}:${given.get(key) ?? field.slice(eq + 1)}`);
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !used.has(line.slice(0, colon))) out.push(line);
  }
  return out;
}

/** The lines of one section: the engine's own counters here, the rest from the server. */
function sectionLines(s: Session, name: string): string[] {
  const engine = s.engine;
  switch (name) {
    case 'commandstats': {
      const lines: string[] = [];
      for (const spec of engine.table.commands.values()) {
        for (const c of [spec, ...(spec.subcommands?.values() ?? [])]) {
          const st = c.stats;
          if (st.calls === 0 && st.rejectedCalls === 0 && st.failedCalls === 0) continue;
          const perCall = st.calls === 0 ? 0 : st.usec / st.calls;
          lines.push(
            `cmdstat_${safeInfoName(c.name)}:calls=${st.calls},usec=${Math.round(st.usec)},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
          );
        }
      }
      return lines;
    }
    case 'errorstats':
      return [...engine.stats.errorsByPrefix]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([prefix, count]) => `errorstat_${safeInfoName(prefix)}:count=${count}`);
    case 'latencystats': {
      if (configValue(s, 'latency-tracking') === 'no') return [];
      const percentiles = (configValue(s, 'latency-tracking-info-percentiles') ?? '50 99 99.9').split(' ').filter((p) => p !== '');
      return [...engine.latency.commands].map(
        ([name, h]) =>
          `latency_percentiles_usec_${safeInfoName(name)}:` +
          percentiles.map((p) => `p${formatPercentile(Number(p))}=${(h.valueAt(Number(p)) / 1000).toFixed(3)}`).join(','),
      );
    }
    case 'modules':
      return [];
    case 'cluster':
      return ['cluster_enabled:0'];
    case 'keyspace':
      return engine.keyspace.dbs
        .filter((db) => db.size > 0 || db.expires.size > 0)
        .map((db) => `db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${Math.trunc(db.avgTtlMs)}`);
    default: {
      const body = engine.admin?.infoSection(name);
      const lines = body === undefined || body === '' ? [] : body.split('\r\n');
      if (name === 'stats') {
        const i = lines.findIndex((l) => l.startsWith('unexpected_error_replies:'));
        if (i < 0) lines.push(`unexpected_error_replies:${engine.stats.unexpectedErrorReplies}`);
      }
      return normalizedSection(name, lines);
    }
  }
}

/** INFO text for the requested sections (redis genRedisInfoString): `# Title` blocks separated by a blank line. */
export function infoText(s: Session, requested: readonly string[]): string {
  const blocks: string[] = [];
  for (const name of selectInfoSections(requested)) {
    const lines = sectionLines(s, name);
    blocks.push(`# ${SECTION_TITLES[name] ?? name}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return blocks.join('\r\n');
}

function info(s: Session, args: string[]): void {
  s.reply.verbatim(infoText(s, args.slice(1)));
}

function save(s: Session): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  const err = admin.save();
  if (err !== null) s.engine.replyError(s, err);
  else s.reply.ok();
}

function statusOrError(s: Session, line: string): void {
  if (line.startsWith('-')) s.engine.replyError(s, line.slice(1));
  else s.reply.simple(line.replace(/^\+/, ''));
}

function bgsave(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  if (args.length > 2 || (args.length === 2 && !is(args[1], 'schedule'))) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  statusOrError(s, admin.bgsave(args.length === 2));
}

function bgrewriteaof(s: Session): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  statusOrError(s, admin.bgrewriteaof());
}

function lastsave(s: Session): void {
  s.reply.integer(s.engine.admin?.lastSaveSec() ?? 0);
}

export const serverCommands: CommandDef[] = [
  { name: 'info', handler: info },
  { name: 'save', handler: save },
  { name: 'bgsave', handler: bgsave },
  { name: 'bgrewriteaof', handler: bgrewriteaof },
  { name: 'lastsave', handler: lastsave },
  { name: 'command', handler: command },
  { name: 'command|count', handler: commandCount },
  { name: 'command|info', handler: commandInfo },
  { name: 'command|docs', handler: commandDocs },
  { name: 'command|list', handler: commandList_ },
  { name: 'command|getkeys', handler: (s, a) => getKeysSubcommand(s, a, false) },
  { name: 'command|getkeysandflags', handler: (s, a) => getKeysSubcommand(s, a, true) },
  { name: 'command|help', handler: commandHelp },
  { name: 'time', handler: time },
  { name: 'config|get', handler: configGet },
  { name: 'config|set', handler: configSet },
  { name: 'config|rewrite', handler: configRewrite },
  { name: 'config|resetstat', handler: configResetstat },
  { name: 'config|help', handler: configHelp },
  { name: 'shutdown', handler: shutdown },
  { name: 'slowlog|get', handler: slowlogGet },
  { name: 'slowlog|len', handler: (s) => s.reply.integer(s.engine.slowlog.length) },
  { name: 'slowlog|reset', handler: (s) => (s.engine.resetSlowlog(), s.reply.ok()) },
  { name: 'slowlog|help', handler: slowlogHelp },
  { name: 'latency|latest', handler: latencyLatest },
  { name: 'latency|history', handler: latencyHistory },
  { name: 'latency|reset', handler: latencyReset },
  { name: 'latency|doctor', handler: latencyDoctor },
  { name: 'latency|graph', handler: latencyGraph },
  { name: 'latency|help', handler: latencyHelp },
  { name: 'latency|histogram', handler: latencyHistogram },
  { name: 'role', handler: role },
  { name: 'wait', handler: wait },
  { name: 'readonly', handler: clusterDisabled },
  { name: 'readwrite', handler: clusterDisabled },
  { name: 'memory|usage', handler: memoryUsageCommand },
  { name: 'memory|doctor', handler: memoryDoctor },
  { name: 'memory|purge', handler: (s) => s.reply.ok() },
  { name: 'memory|malloc-stats', handler: (s) => s.reply.verbatim('Stats not supported for the current allocator') },
  { name: 'memory|help', handler: memoryHelp },
];

const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/**
 * Redis's protected-command check (processCommand with allowProtectedAction): DEBUG runs when
 * enable-debug-command is `yes`, or `local` for a loopback or unix-socket client. Returns the rejection, or
 * null. An engine without a server (no config) allows it.
 */
export function protectedCommandRefusal(s: Session, name: string): string | null {
  if (name !== 'debug') return null;
  return protectedActionAllowed(s, 'enable-debug-command') ? null : DEBUG_NOT_ALLOWED;
}

/** redis allowProtectedAction: the setting (`enable-debug-command`, `enable-protected-configs`) is `yes`, or `local` and the client is local. */
function protectedActionAllowed(s: Session, settingName: string): boolean {
  const setting = configValue(s, settingName);
  if (setting === undefined || setting === 'yes') return true;
  if (setting !== 'local') return false;
  const addr = s.transport?.addr ?? '';
  return addr === '' || addr.startsWith('/') || addr.startsWith('127.0.0.1:') || addr.startsWith('::1:') || addr.startsWith('[::1]:');
}

/** A config parameter's current value as CONFIG GET shows it; undefined when the engine runs without a server. */
export function configValue(s: Session, name: string): string | undefined {
  return s.engine.admin?.configGet([name])[0]?.[1];
}

/** redis addReplyHelp: a header naming the command as typed (upper-cased), the lines, and the HELP entry. */
export function replyHelp(s: Session, command: string, lines: readonly string[]): void {
  s.reply.array(lines.length + 3);
  s.reply.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) s.reply.simple(line);
  s.reply.simple('HELP');
  s.reply.simple('    Prints this help.');
}

/** redis addReplySubcommandSyntaxError. */
export function subcommandSyntaxError(s: Session, args: readonly string[]): void {
  s.engine.replyError(
    s,
    `ERR unknown subcommand or wrong number of arguments for '${(args[1] ?? '').slice(0, 128)}'. Try ${(args[0] ?? '').toUpperCase()} HELP.`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Key specs (redis getKeysUsingKeySpecs / getKeysFromCommandWithSpecs in src/db.c)

interface KeySpec {
  flags: string[];
  begin: { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startFrom: number } | { type: 'unknown' };
  find:
    | { type: 'range'; lastKey: number; keyStep: number; limit: number }
    | { type: 'keynum'; keyNumIndex: number; firstKey: number; keyStep: number }
    | { type: 'unknown' };
}

interface KeyRef {
  index: number;
  flags: string[];
}

/** The order addReplyFlagsForKeyArgs lists key flags in. */
const KEY_FLAG_ORDER = ['RW', 'RO', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

function mapField(v: ReplyValue | undefined, name: string): ReplyValue | undefined {
  if (v === undefined || v.t !== 'map') return undefined;
  for (const [k, val] of v.v) if ((k.t === 'bulk' || k.t === 'simple') && k.v === name) return val;
  return undefined;
}

function intField(v: ReplyValue | undefined, name: string): number {
  const f = mapField(v, name);
  return f !== undefined && f.t === 'int' ? Number(f.v) : 0;
}

function textField(v: ReplyValue | undefined, name: string): string {
  const f = mapField(v, name);
  return f !== undefined && (f.t === 'bulk' || f.t === 'simple') ? f.v : '';
}

function names(v: ReplyValue | undefined): string[] {
  if (v === undefined || (v.t !== 'set' && v.t !== 'array')) return [];
  return v.v.map((x) => (x.t === 'simple' || x.t === 'bulk' ? x.v : ''));
}

const keySpecCache = new WeakMap<CommandSpec, KeySpec[]>();

/** The key specs of a command, decoded from its COMMAND INFO entry. */
function keySpecsOf(spec: CommandSpec): KeySpec[] {
  const cached = keySpecCache.get(spec);
  if (cached !== undefined) return cached;
  const field = spec.info.t === 'array' ? spec.info.v[8] : undefined;
  const out: KeySpec[] = [];
  for (const raw of field !== undefined && (field.t === 'set' || field.t === 'array') ? field.v : []) {
    const begin = mapField(raw, 'begin_search');
    const find = mapField(raw, 'find_keys');
    const beginSpec = mapField(begin, 'spec');
    const findSpec = mapField(find, 'spec');
    const beginType = textField(begin, 'type');
    const findType = textField(find, 'type');
    out.push({
      flags: names(mapField(raw, 'flags')),
      begin:
        beginType === 'index'
          ? { type: 'index', index: intField(beginSpec, 'index') }
          : beginType === 'keyword'
            ? { type: 'keyword', keyword: textField(beginSpec, 'keyword'), startFrom: intField(beginSpec, 'startfrom') }
            : { type: 'unknown' },
      find:
        findType === 'range'
          ? { type: 'range', lastKey: intField(findSpec, 'lastkey'), keyStep: intField(findSpec, 'keystep'), limit: intField(findSpec, 'limit') }
          : findType === 'keynum'
            ? { type: 'keynum', keyNumIndex: intField(findSpec, 'keynumidx'), firstKey: intField(findSpec, 'firstkey'), keyStep: intField(findSpec, 'keystep') }
            : { type: 'unknown' },
    });
  }
  keySpecCache.set(spec, out);
  return out;
}

function specFlagNames(spec: CommandSpec): string[] {
  return names(spec.info.t === 'array' ? spec.info.v[2] : undefined);
}

/** First key index of a spec's begin_search, or 0 when its keyword is absent. Null for an unknown spec. */
function beginIndex(k: KeySpec, args: readonly string[]): number | null {
  if (k.begin.type === 'index') return k.begin.index;
  if (k.begin.type === 'unknown') return null;
  const { keyword, startFrom } = k.begin;
  const start = startFrom > 0 ? startFrom : args.length + startFrom;
  const end = startFrom > 0 ? args.length - 1 : 1;
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= args.length || i < 1) break;
    if (args[i]!.toLowerCase() === keyword.toLowerCase()) return i + 1;
  }
  return 0;
}

/** Keys found through the specs, or null when one of them is invalid or incomplete. */
function keysBySpecs(spec: CommandSpec, keySpecs: readonly KeySpec[], args: readonly string[]): KeyRef[] | null {
  const out: KeyRef[] = [];
  for (const k of keySpecs) {
    if (k.flags.includes('not_key')) continue;
    let first = beginIndex(k, args);
    if (first === null) return null;
    if (first === 0) continue;
    let last: number;
    let step: number;
    if (k.find.type === 'range') {
      step = k.find.keyStep;
      if (k.find.lastKey >= 0) last = first + k.find.lastKey;
      else if (k.find.limit === 0) last = args.length + k.find.lastKey;
      else last = first + (Math.trunc((args.length - first) / k.find.limit) + k.find.lastKey);
    } else if (k.find.type === 'keynum') {
      step = k.find.keyStep;
      if (k.find.keyNumIndex >= args.length) return null;
      const numKeys = parseInt64(args[first + k.find.keyNumIndex] ?? '');
      if (numKeys === null || numKeys < 0) return null;
      first += k.find.firstKey;
      last = first + Number(numKeys) - 1;
    } else return null;
    if (last >= args.length || last < first || first >= args.length) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= args.length || i < first) {
        if (spec.arity < 0) continue;
        return null;
      }
      out.push({ index: i, flags: k.flags });
    }
    if (k.flags.includes('incomplete')) return null;
  }
  return out;
}

/** The native getkeys procs Redis falls back to (sortGetKeys, migrateGetKeys, setGetKeys, bitfieldGetKeys). */
const KEY_PROCS = new Map<string, (args: readonly string[]) => KeyRef[]>([
  ['sort', sortKeys],
  ['sort_ro', () => [{ index: 1, flags: ['RO', 'access'] }]],
  ['migrate', migrateKeys],
  ['set', (args) => [{ index: 1, flags: args.slice(3).some((a) => is(a, 'get')) ? ['RW', 'access', 'update'] : ['OW', 'update'] }]],
  ['bitfield', bitfieldKeys],
]);

function sortKeys(args: readonly string[]): KeyRef[] {
  const out: KeyRef[] = [{ index: 1, flags: ['RO', 'access'] }];
  let store: KeyRef | null = null;
  const skips: [string, number][] = [['limit', 2], ['get', 1], ['by', 1]];
  for (let i = 2; i < args.length; i++) {
    for (const [name, skip] of skips) {
      if (is(args[i], name)) {
        i += skip;
        break;
      } else if (is(args[i], 'store') && i + 1 < args.length) {
        store = { index: i + 1, flags: ['OW', 'update'] };
        break;
      }
    }
  }
  if (store !== null) out.push(store);
  return out;
}

function migrateKeys(args: readonly string[]): KeyRef[] {
  let first = 3;
  let num = 1;
  const skips: [string, number][] = [['copy', 0], ['replace', 0], ['auth', 1], ['auth2', 2]];
  for (let i = 6; i < args.length; i++) {
    if (is(args[i], 'keys')) {
      if (args[3]!.length > 0) num = 0;
      else {
        first = i + 1;
        num = args.length - first;
      }
      break;
    }
    for (const [name, skip] of skips) {
      if (is(args[i], name)) {
        i += skip;
        break;
      }
    }
  }
  return Array.from({ length: num }, (_, i) => ({ index: first + i, flags: ['RW', 'access', 'delete'] }));
}

function bitfieldKeys(args: readonly string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < args.length; i++) {
    const remaining = args.length - i - 1;
    if (is(args[i], 'get') && remaining >= 2) i += 2;
    else if ((is(args[i], 'set') || is(args[i], 'incrby')) && remaining >= 3) {
      readonly = false;
      break;
    } else if (is(args[i], 'overflow') && remaining >= 1) i += 1;
    else {
      readonly = false;
      break;
    }
  }
  return [{ index: 1, flags: readonly ? ['RO', 'access'] : ['RW', 'access', 'update'] }];
}

/** getKeysFromCommandWithSpecs: specs when they are reliable, else the native proc, else nothing. */
function commandKeys(spec: CommandSpec, keySpecs: readonly KeySpec[], args: readonly string[]): KeyRef[] {
  const hasKeySpec = keySpecs.some((k) => !k.flags.includes('not_key'));
  const hasVariableFlags = keySpecs.some((k) => k.flags.includes('variable_flags'));
  if (hasKeySpec && !hasVariableFlags) {
    const keys = keysBySpecs(spec, keySpecs, args);
    if (keys !== null) return keys;
  }
  return KEY_PROCS.get(spec.name)?.(args) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// SLOWLOG

function slowlogGet(s: Session, args: string[]): void {
  if (args.length > 3) {
    subcommandSyntaxError(s, args);
    return;
  }
  let count = 10;
  if (args.length === 3) {
    const n = parseInt64(args[2]!);
    if (n === null || n < -1) {
      s.engine.replyError(s, 'ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? s.engine.slowlog.length : Number(n);
  }
  const entries = s.engine.slowlog.slice(0, count);
  s.reply.array(entries.length);
  for (const e of entries) {
    s.reply.array(6);
    s.reply.integer(e.id);
    s.reply.integer(e.timestampSec);
    s.reply.integer(e.durationUs);
    s.reply.bulkArray(e.args);
    s.reply.bulk(e.addr);
    s.reply.bulk(e.name);
  }
}

function slowlogHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY (redis src/latency.c)

/** History length of every monitored event (LATENCY_TS_LEN). */
const LATENCY_SAMPLES_MAX = 160;

interface LatencySeries {
  /** Ring of samples, one per second at most: [unix seconds, ms]. */
  samples: { timeSec: number; ms: number }[];
  /** Next write position in `samples` once it is full. */
  next: number;
  maxMs: number;
}

/**
 * The latency monitor: per event ("command", "fast-command"...), the worst latency of each second over the
 * last 160 samples, and the all-time maximum. The engine feeds it when latency-monitor-threshold is set.
 */
export class LatencyMonitor {
  readonly events = new Map<string, LatencySeries>();
  /** Per-command duration histograms (latency-tracking): full command name -> histogram. */
  readonly commands = new Map<string, CommandHistogram>();

  /** Records one call's duration for INFO latencystats and LATENCY HISTOGRAM. */
  trackCommand(name: string, durationUs: number): void {
    let histogram = this.commands.get(name);
    if (histogram === undefined) this.commands.set(name, (histogram = new CommandHistogram()));
    histogram.record(Math.max(1, Math.round(durationUs * 1000)));
  }

  /** latencyAddSample: merges samples of the same second, keeping the worst. */
  add(event: string, ms: number, nowSec: number): void {
    let series = this.events.get(event);
    if (series === undefined) this.events.set(event, (series = { samples: [], next: 0, maxMs: 0 }));
    if (ms > series.maxMs) series.maxMs = ms;
    const latest = this.latest(series);
    if (latest !== undefined && latest.timeSec === nowSec) {
      if (ms > latest.ms) latest.ms = ms;
      return;
    }
    const sample = { timeSec: nowSec, ms };
    if (series.samples.length < LATENCY_SAMPLES_MAX) series.samples.push(sample);
    else {
      series.samples[series.next] = sample;
      series.next = (series.next + 1) % LATENCY_SAMPLES_MAX;
    }
  }

  latest(series: LatencySeries): { timeSec: number; ms: number } | undefined {
    if (series.samples.length < LATENCY_SAMPLES_MAX) return series.samples[series.samples.length - 1];
    return series.samples[(series.next + LATENCY_SAMPLES_MAX - 1) % LATENCY_SAMPLES_MAX];
  }

  /** Samples oldest first. */
  history(series: LatencySeries): { timeSec: number; ms: number }[] {
    if (series.samples.length < LATENCY_SAMPLES_MAX) return series.samples;
    return [...series.samples.slice(series.next), ...series.samples.slice(0, series.next)];
  }

  /** Forgets one event (case-insensitive) or, with null, all; returns how many were dropped. */
  reset(event: string | null): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }
}

/**
 * A latency histogram in nanoseconds with two significant digits, like the hdr_histogram Redis keeps per
 * command: bucket b covers [2^e + m*2^(e-7), 2^e + (m+1)*2^(e-7)) for e = floor(log2 v), m < 128.
 */
export class CommandHistogram {
  total = 0;
  private readonly buckets = new Map<number, number>();

  record(ns: number): void {
    this.total++;
    const key = CommandHistogram.bucketOf(ns);
    this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
  }

  private static bucketOf(ns: number): number {
    if ((ns | 0) === ns && ns > 0) {
      // Integer arithmetic for int32 values (every call under a second): the same bucket without log2 and pow,
      // which were a visible share of the per-command cost under redis-benchmark -P 16.
      const e = 31 - Math.clz32(ns);
      if (e < 7) return ns;
      const shift = e - 7;
      return (1 << e) + (((ns - (1 << e)) >> shift) << shift);
    }
    const e = Math.floor(Math.log2(ns));
    if (e < 7) return ns;
    const m = Math.floor((ns - 2 ** e) / 2 ** (e - 7));
    return 2 ** e + m * 2 ** (e - 7);
  }

  /** The largest value of a bucket (hdr highest_equivalent_value). */
  static highestOf(start: number): number {
    const e = Math.floor(Math.log2(start));
    return e < 7 ? start : start + 2 ** (e - 7) - 1;
  }

  private sorted(): [number, number][] {
    return [...this.buckets].sort((a, b) => a[0] - b[0]);
  }

  /** hdr_value_at_percentile, in nanoseconds. */
  valueAt(percentile: number): number {
    const wanted = Math.max(1, Math.ceil((percentile / 100) * this.total));
    let seen = 0;
    for (const [start, count] of this.sorted()) {
      seen += count;
      if (seen >= wanted) return CommandHistogram.highestOf(start);
    }
    return 0;
  }

  /** LATENCY HISTOGRAM's cumulative counts at levels 1024 ns * 2^k, as [microseconds, count] where the count grew. */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    const sorted = this.sorted();
    let i = 0;
    let count = 0;
    let previous = 0;
    for (let limit = 1024; count < this.total; limit *= 2) {
      // hdr's log iterator reports at each level's highest equivalent value: level + level/128 - 1.
      while (i < sorted.length && sorted[i]![0] <= limit) count += sorted[i++]![1];
      if (count > previous) out.push([Math.floor(CommandHistogram.highestOf(limit) / 1000), count]);
      previous = count;
    }
    return out;
  }
}

function latencyHistogramEntry(s: Session, name: string, histogram: CommandHistogram): void {
  s.reply.bulk(name);
  s.reply.map(2);
  s.reply.bulk('calls');
  s.reply.integer(histogram.total);
  s.reply.bulk('histogram_usec');
  const points = histogram.cumulative();
  s.reply.map(points.length);
  for (const [us, count] of points) {
    s.reply.integer(us);
    s.reply.integer(count);
  }
}

/** LATENCY HISTOGRAM [command ...]: a command with subcommands stands for each of them. */
function latencyHistogram(s: Session, args: string[]): void {
  const monitor = s.engine.latency;
  const names: string[] = [];
  if (args.length === 2) names.push(...monitor.commands.keys());
  for (let j = 2; j < args.length; j++) {
    const spec = lookupFull(s, args[j]!);
    if (spec === undefined) continue;
    const specs = spec.subcommands === undefined ? [spec] : [...spec.subcommands.values()];
    for (const c of specs) if (monitor.commands.has(c.name)) names.push(c.name);
  }
  s.reply.map(names.length);
  for (const name of names) latencyHistogramEntry(s, name, monitor.commands.get(name)!);
}

function latencyLatest(s: Session): void {
  const monitor = s.engine.latency;
  s.reply.array(monitor.events.size);
  for (const [event, series] of monitor.events) {
    const latest = monitor.latest(series);
    s.reply.array(4);
    s.reply.bulk(event);
    s.reply.integer(latest?.timeSec ?? 0);
    s.reply.integer(latest?.ms ?? 0);
    s.reply.integer(series.maxMs);
  }
}

function latencyHistory(s: Session, args: string[]): void {
  const monitor = s.engine.latency;
  const series = monitor.events.get(args[2]!);
  const samples = series === undefined ? [] : monitor.history(series);
  s.reply.array(samples.length);
  for (const sample of samples) {
    s.reply.array(2);
    s.reply.integer(sample.timeSec);
    s.reply.integer(sample.ms);
  }
}

function latencyReset(s: Session, args: string[]): void {
  const monitor = s.engine.latency;
  if (args.length === 2) {
    s.reply.integer(monitor.reset(null));
    return;
  }
  let n = 0;
  for (let i = 2; i < args.length; i++) n += monitor.reset(args[i]!);
  s.reply.integer(n);
}

/**
 * LATENCY DOCTOR, reduced: Redis's texts for a disabled monitor and for no events, and Redis's per-event line
 * (samples, average, mean deviation, period, worst); the advice paragraphs that follow in Redis are replaced by
 * its generic closing sentence.
 */
function latencyDoctor(s: Session): void {
  const monitor = s.engine.latency;
  if (monitor.events.size === 0 && s.engine.settings.latencyMonitorThresholdMs === 0) {
    s.reply.verbatim(
      'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n',
    );
    return;
  }
  if (monitor.events.size === 0) {
    s.reply.verbatim(
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n',
    );
    return;
  }
  let report = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  let n = 0;
  const nowSec = Math.floor(s.engine.clock.nowMs() / 1000);
  for (const [event, series] of monitor.events) {
    const history = monitor.history(series);
    const avg = Math.floor(history.reduce((a, x) => a + x.ms, 0) / history.length);
    const mad = Math.floor(history.reduce((a, x) => a + Math.abs(avg - x.ms), 0) / history.length);
    const period = Math.max(1, nowSec - Math.min(...history.map((x) => x.timeSec)));
    report += `${++n}. ${event}: ${history.length} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(period / history.length).toFixed(2)} sec). Worst all time event ${series.maxMs}ms.\n`;
  }
  report +=
    "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  s.reply.verbatim(report);
}

function latencyGraph(s: Session, args: string[]): void {
  const monitor = s.engine.latency;
  const series = monitor.events.get(args[2]!);
  if (series === undefined) {
    s.engine.replyError(s, `ERR No samples available for event '${args[2]!}'`);
    return;
  }
  const history = monitor.history(series);
  const lines = history.map((x) => `${x.timeSec} ${x.ms}ms`).join('\n');
  s.reply.verbatim(`${args[2]!} - high ${series.maxMs} ms, low ${Math.min(...history.map((x) => x.ms))} ms (all time high ${series.maxMs} ms)\n${'-'.repeat(80)}\n${lines}\n`);
}

function latencyHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    'DOCTOR',
    '    Return a human readable latency analysis report.',
    'GRAPH <event>',
    '    Return an ASCII latency graph for the <event> class.',
    'HISTORY <event>',
    '    Return time-latency samples for the <event> class.',
    'LATEST',
    '    Return the latest latency samples for all events.',
    'RESET [<event> ...]',
    '    Reset latency data of one or more <event> classes.',
    '    (default: reset all data for all event classes)',
    'HISTOGRAM [COMMAND ...]',
    '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
    '    If no commands are specified then all histograms are replied.',
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// ROLE, WAIT, READONLY, READWRITE

/** `field:value` lines of an INFO section as a map. */
function infoFields(s: Session, section: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (s.engine.admin?.infoSection(section) ?? '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

function role(s: Session): void {
  const fields = infoFields(s, 'replication');
  if ((s.engine.admin?.role() ?? 'master') === 'master') {
    s.reply.array(3);
    s.reply.bulk('master');
    s.reply.integer(Number(fields.get('master_repl_offset') ?? '0'));
    const replicas = [...fields].filter(([k]) => /^slave\d+$/.test(k)).map(([, v]) => v);
    const online = replicas.filter((v) => v.includes('state=online'));
    s.reply.array(online.length);
    for (const v of online) {
      const get = (name: string): string => new RegExp(`(?:^|,)${name}=([^,]*)`).exec(v)?.[1] ?? '';
      s.reply.array(3);
      s.reply.bulk(get('ip'));
      s.reply.bulk(get('port'));
      s.reply.bulk(get('offset'));
    }
    return;
  }
  const link = fields.get('master_link_status');
  s.reply.array(5);
  s.reply.bulk('slave');
  s.reply.bulk(fields.get('master_host') ?? '');
  s.reply.integer(Number(fields.get('master_port') ?? '0'));
  s.reply.bulk(link === 'up' ? 'connected' : fields.get('master_sync_in_progress') === '1' ? 'sync' : 'connect');
  s.reply.integer(Number(fields.get('slave_repl_offset') ?? '-1'));
}

/**
 * WAIT numreplicas timeout. Without replicas acknowledging, it answers 0 at once when 0 replicas are asked for
 * (or inside MULTI), else blocks until the timeout (forever for 0) and answers 0, as Redis does.
 */
function wait(s: Session, args: string[]): void {
  if (s.engine.host.isReplica()) {
    s.engine.replyError(
      s,
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
    return;
  }
  const wanted = parseInt64(args[1]!);
  if (wanted === null) {
    s.engine.replyError(s, ERR.notInteger);
    return;
  }
  const timeout = parseInt64(args[2]!);
  if (timeout === null) {
    s.engine.replyError(s, 'ERR timeout is not an integer or out of range');
    return;
  }
  if (timeout < 0) {
    s.engine.replyError(s, 'ERR timeout is negative');
    return;
  }
  const acked = 0;
  if (acked >= wanted || s.multi !== null || s.engine.current !== s) {
    s.reply.integer(acked);
    return;
  }
  s.engine.block(s, {
    dbIndex: s.db.id,
    keys: [],
    timeoutAtMs: timeout === 0 ? 0 : s.engine.clock.nowMs() + Number(timeout),
    retry: () => false,
    onTimeout: () => s.reply.integer(acked),
    command: 'wait',
  });
}

function clusterDisabled(s: Session): void {
  s.engine.replyError(s, 'ERR This instance has cluster support disabled');
}

// ---------------------------------------------------------------------------------------------------------
// MEMORY

/** jemalloc's size class for an allocation of `bytes` (4 classes per doubling above 64). */
export function mallocSize(bytes: number): number {
  if (bytes <= 8) return 8;
  if (bytes <= 16) return 16;
  if (bytes <= 32) return 32;
  if (bytes <= 64) return Math.ceil(bytes / 16) * 16;
  const step = 2 ** Math.floor(Math.log2(bytes - 1)) / 4;
  return Math.ceil(bytes / step) * step;
}

const ROBJ_BYTES = 16;
const DICT_ENTRY_BYTES = 24;

/** zmalloc size of an sds holding `length` bytes (sdsReqType header, NUL terminator). */
function sdsBytes(length: number, allowType5: boolean): number {
  const header = length < 32 && allowType5 && length > 0 ? 1 : length < 256 ? 3 : length < 65536 ? 5 : 9;
  return mallocSize(header + length + 1);
}

/** Bytes of a listpack holding `items` (header 6, terminator 1, each entry with its back-length). */
function listpackBytes(items: Iterable<string>): number {
  let n = 7;
  for (const item of items) {
    let body: number;
    const v = /^(0|-?[1-9]\d{0,17})$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isNaN(v)) body = v >= 0 && v <= 127 ? 1 : Math.abs(v) < 4096 ? 2 : Math.abs(v) < 32768 ? 3 : Math.abs(v) < 8388608 ? 4 : Math.abs(v) < 2147483648 ? 5 : 9;
    else body = (item.length < 64 ? 1 : item.length < 4096 ? 2 : 5) + item.length;
    n += body + (body <= 127 ? 1 : body < 16383 ? 2 : 3);
  }
  return mallocSize(n);
}

function dictTableBytes(size: number): number {
  let slots = 4;
  while (slots < size) slots *= 2;
  return 8 * slots;
}

/** MEMORY USAGE's estimate for a key and its value (redis objectComputeSize + key sds + dictEntry). */
export function memoryUsage(key: string, value: RedisValue): number {
  let size = sdsBytes(key.length, true) + DICT_ENTRY_BYTES;
  if (typeof value === 'string' || value.kind === 'string') {
    const encoding = stringEncoding(value);
    if (encoding === 'int') size += ROBJ_BYTES;
    else if (encoding === 'embstr') size += mallocSize(ROBJ_BYTES + 3 + value.length + 1);
    else size += ROBJ_BYTES + sdsBytes(value.length, false);
    return size;
  }
  size += ROBJ_BYTES;
  switch (value.kind) {
    case 'list': {
      // quicklist (40) + one node (40) per ~8 KB listpack (list-max-listpack-size -2).
      const packed = listpackBytes(value.items());
      return size + 40 + 40 * Math.max(1, Math.ceil(packed / 8192)) + packed;
    }
    case 'set':
      if (value.encoding === 'intset') return size + mallocSize(8 + 8 * value.size);
      return size + 56 + dictTableBytes(value.size) + sumOver(value.members(), (m) => DICT_ENTRY_BYTES + sdsBytes(m.length, true));
    case 'hash':
      if (value.encoding === 'listpack') return size + listpackBytes(flatPairs(value.entries()));
      return size + 56 + dictTableBytes(value.size) + sumOver(value.entries(), ([f, v]) => DICT_ENTRY_BYTES + sdsBytes(f.length, true) + sdsBytes(v.length, true));
    case 'zset':
      if (value.encoding === 'listpack') return size + listpackBytes(flatPairs([...value.entries()].map(([m, sc]) => [m, String(sc)] as [string, string])));
      return size + 120 + dictTableBytes(value.size) + sumOver(value.entries(), ([m]) => DICT_ENTRY_BYTES + sdsBytes(m.length, true) + mallocSize(48));
    case 'stream':
      // Each radix-tree node's listpack is preallocated at stream-node-max-bytes (4096) and holds up to 100
      // entries; the stream struct, rax and its first node take 584 more bytes in Redis 7.0.
      return size + 584 + 4096 * Math.max(1, Math.ceil(value.toModel().entries.length / 100));
    default: {
      const never: never = value;
      throw new Error(`assertion failed: unknown value ${String(never)}`);
    }
  }
}

function sumOver<T>(items: Iterable<T>, f: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += f(item);
  return Math.round(n);
}

function* flatPairs(pairs: Iterable<readonly [string, string]>): Iterable<string> {
  for (const [a, b] of pairs) {
    yield a;
    yield b;
  }
}

function memoryUsageCommand(s: Session, args: string[]): void {
  for (let j = 3; j < args.length; j++) {
    if (is(args[j], 'samples') && j + 1 < args.length) {
      const n = parseInt64(args[j + 1]!);
      if (n === null) {
        s.engine.replyError(s, ERR.notInteger);
        return;
      }
      if (n < 0) {
        s.engine.replyError(s, ERR.syntax);
        return;
      }
      j++;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  const value = s.db.peek(args[2]!);
  if (value === undefined) s.reply.nullBulk();
  else s.reply.integer(memoryUsage(args[2]!, value));
}

/** MEMORY DOCTOR: Redis calls an instance under 5 MB "empty"; the estimate is the dataset plus a baseline. */
function memoryDoctor(s: Session): void {
  let bytes = 1024 * 1024;
  for (const db of s.engine.keyspace.dbs) for (const entry of db.dict.values()) bytes += memoryUsage(entry.key, entry.value);
  s.reply.verbatim(
    bytes < 5 * 1024 * 1024
      ? 'Hi Sam, this instance is empty or is using very little memory, my issues detector can\'t be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n'
      : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
  );
}

function memoryHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

function configHelp(s: Session, args: string[]): void {
  replyHelp(s, args[0]!, [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}
