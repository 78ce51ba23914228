/**
 * DEBUG (redis `src/debug.c`): dataset digests, sleeping, toggling active expiry, object introspection, reload,
 * and PROTOCOL, which emits one reply of each RESP3 type for client tests.
 *
 * Access follows Redis 7.0's `enable-debug-command` (`protectedCommandRefusal` in server.ts, applied by the engine
 * before the command runs or is queued, as Redis's processCommand does).
 *
 * Subcommands that crash or restart the process (SEGFAULT, PANIC, RESTART...) are not offered.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';
import { is, parseInt64 } from './args.js';
import { configValue, replyHelp, subcommandSyntaxError } from './server.js';
import { encodingName, idleSeconds, refcount } from './keys.js';
import { digestHex, keyDigest, keyspaceDigest, toRdbValue, type Db, type ListValue, type RedisValue } from '../keyspace/index.js';
import { encodeDump } from '../../formats/index.js';

/** Every DEBUG subcommand, as Redis 7.0 lists them in DEBUG HELP (some are not offered here, see the header). */
const HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  '    Like HTSTATS but for the hash table stored at <key>\'s value.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** C atoi: optional spaces and sign, then digits up to the first non-digit; 0 when none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** C strtod without an end check (DEBUG SLEEP): the longest numeric prefix, 0 when none. */
function strtodPrefix(s: string): number {
  const v = Number.parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}

/** Blocks the whole process, as Redis's nanosleep does (the point of DEBUG SLEEP). */
function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** redis memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; null when malformed. */
function parseMemory(s: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (m === null) return null;
  const units: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * (units[(m[2] ?? 'b').toLowerCase()] ?? 1);
}

/** Bytes the value takes in an RDB file (rdbSavedObjectLen): a DUMP payload minus its type byte and footer. */
export function serializedLength(s: Session, value: RedisValue): number {
  const compression = configValue(s, 'rdbcompression') !== 'no';
  const { value: rdbValue, encoding } = toRdbValue(value);
  const { payload } = encodeDump(rdbValue, { encoding, compression });
  return payload.length - 1 - 10;
}

/**
 * printf("%.2f", x) for x >= 0 as glibc prints it. Number#toFixed rounds the double's exact value too, but takes
 * the larger neighbour at an exact tie where glibc takes the even one. A tie at the third decimal is a double
 * ending in .125, .375, .625 or .875 (126 / 48 = 2.625 prints 2.62; 153 / 40 is just above 3.825: 3.83).
 */
function printfFixed2(x: number): string {
  if (!Number.isInteger(x * 8) || Number.isInteger(x * 4)) return x.toFixed(2);
  const down = Math.floor(x * 100);
  const hundredths = down % 2 === 0 ? down : down + 1;
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** DEBUG OBJECT's quicklist fields: the list's own nodes, node limit and compress depth (quicklist->fill, ->compress, ->sz of each node). */
function quicklistExtra(list: ListValue): string {
  const nodeSizes = list.nodeBytes();
  const nodes = nodeSizes.length;
  const avg = printfFixed2(list.length / nodes);
  const total = nodeSizes.reduce((a, b) => a + b, 0);
  return ` ql_nodes:${nodes} ql_avg_node:${avg} ql_listpack_max:${list.listMaxListpackSize} ql_compressed:${list.compressDepth !== 0 ? 1 : 0} ql_uncompressed_size:${total}`;
}

function debugObject(s: Session, db: Db, key: string): void {
  const entry = db.dict.get(key);
  if (entry === undefined) {
    s.engine.replyError(s, ERR.noSuchKey);
    return;
  }
  const value = entry.value;
  const encoding = encodingName(value);
  let extra = '';
  if (encoding === 'quicklist' && typeof value !== 'string' && value.kind === 'list') {
    extra = quicklistExtra(value);
  }
  // No C pointer exists here; the entry's slot stands in for the address field, which clients only display.
  const address = '0x' + (0x7f0000000000 + entry.slot * 16).toString(16);
  s.reply.simple(
    `Value at:${address} refcount:${refcount(s, value)} encoding:${encoding} serializedlength:${serializedLength(s, value)} ` +
      `lru:${entry.meta} lru_seconds_idle:${idleSeconds(s, db, key)}${extra}`,
  );
}

function debugProtocol(s: Session, name: string): void {
  const r = s.reply;
  switch (name.toLowerCase()) {
    case 'string':
      r.bulk('Hello World');
      return;
    case 'integer':
      r.integer(12345);
      return;
    case 'double':
      r.double('3.141');
      return;
    case 'bignum':
      if (s.protocol === 3) r.text('(1234567999999999999999999999999999999\r\n');
      else r.bulk('1234567999999999999999999999999999999');
      return;
    case 'null':
      r.nullBulk();
      return;
    case 'array':
      r.array(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'set':
      r.set(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.boolean(j === 1);
      }
      return;
    case 'attrib':
      if (s.protocol === 3) {
        r.text('|1\r\n');
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.integer(90);
      }
      r.bulk('Some real reply following the attribute');
      return;
    case 'push':
      if (s.protocol < 3) {
        s.engine.replyError(s, 'ERR RESP2 is not supported by this command');
        return;
      }
      r.push(2);
      r.bulk('server-cpu-usage');
      r.integer(42);
      r.bulk('Some real reply following the push reply');
      return;
    case 'true':
      r.boolean(true);
      return;
    case 'false':
      r.boolean(false);
      return;
    case 'verbatim':
      r.verbatim('This is a verbatim\nstring', 'txt');
      return;
    default:
      s.engine.replyError(
        s,
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

function debugReload(s: Session, args: string[]): void {
  for (let j = 2; j < args.length; j++) {
    if (!is(args[j], 'merge') && !is(args[j], 'noflush') && !is(args[j], 'nosave')) {
      s.engine.replyError(s, 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  const admin = s.engine.admin;
  if (admin === null) {
    s.engine.replyError(s, 'ERR this command needs a server');
    return;
  }
  if (args.length > 2) {
    s.engine.replyError(s, 'ERR DEBUG RELOAD options are not supported by this server');
    return;
  }
  // Redis empties the dataset before loading it back (emptyData -> signalFlushedDb): every watched key that
  // exists is touched, as by FLUSHALL, so a WATCH before DEBUG RELOAD fails the next EXEC.
  s.engine.touchAllWatched(null);
  const err = admin.debugReload();
  if (err !== null) s.engine.replyError(s, err);
  else s.reply.ok();
}

function debugDigestValue(s: Session, args: string[]): void {
  s.reply.array(args.length - 2);
  for (let j = 2; j < args.length; j++) s.reply.simple(digestHex(keyDigest(s.db, args[j]!)));
}

/** Subcommands by name and exact argument count (-n: at least n), as debugCommand's if-chain tests them. */
const SUBCOMMANDS: Record<string, { argc: number; run: (s: Session, args: string[]) => void }> = {
  help: { argc: 2, run: (s, a) => replyHelp(s, a[0]!, HELP) },
  digest: { argc: 2, run: (s) => s.reply.simple(digestHex(keyspaceDigest(s.engine.keyspace.dbs))) },
  'digest-value': { argc: -2, run: debugDigestValue },
  object: { argc: 3, run: (s, a) => debugObject(s, s.db, a[2]!) },
  protocol: { argc: 3, run: (s, a) => debugProtocol(s, a[2]!) },
  reload: { argc: -2, run: debugReload },
  sleep: {
    argc: 3,
    run: (s, a) => {
      sleepMs(Math.trunc(strtodPrefix(a[2]!) * 1e6) / 1000);
      s.reply.ok();
    },
  },
  'set-active-expire': {
    argc: 3,
    run: (s, a) => {
      s.engine.keyspace.activeExpireEnabled = atoi(a[2]!) !== 0;
      s.reply.ok();
    },
  },
  'quicklist-packed-threshold': {
    argc: 3,
    run: (s, a) => {
      const bytes = parseMemory(a[2]!);
      if (bytes === null || bytes > 2 ** 32 - 2 ** 20) {
        s.engine.replyError(s, 'ERR argument must be a memory value bigger than 1 and smaller than 4gb');
      } else s.reply.ok();
    },
  },
  'set-skip-checksum-validation': { argc: 3, run: (s) => s.reply.ok() },
  'aof-flush-sleep': { argc: 3, run: (s) => s.reply.ok() },
  'change-repl-id': { argc: 2, run: (s) => s.reply.ok() },
  log: { argc: 3, run: (s) => s.reply.ok() },
  leak: { argc: 3, run: (s) => s.reply.ok() },
  error: { argc: 3, run: (s, a) => s.engine.replyError(s, a[2]!.replace(/[\r\n]/g, ' ')) },
  populate: { argc: -3, run: debugPopulate },
};

/** redis getPositiveLongFromObjectOrReply: one message for a non-integer and a negative value. */
function positiveLongOrReply(s: Session, arg: string): number | null {
  const v = parseInt64(arg);
  if (v === null || v < 0) {
    s.engine.replyError(s, 'ERR value is out of range, must be positive');
    return null;
  }
  return Number(v);
}

/** DEBUG POPULATE count [prefix] [size]: string keys `prefix:N` = `value:N`, not propagated. */
function debugPopulate(s: Session, args: string[]): void {
  if (args.length > 5) {
    subcommandSyntaxError(s, args);
    return;
  }
  const count = positiveLongOrReply(s, args[2]!);
  if (count === null) return;
  const size = args.length === 5 ? positiveLongOrReply(s, args[4]!) : 0;
  if (size === null) return;
  const prefix = args.length >= 4 ? args[3]! : 'key';
  for (let j = 0; j < Number(count); j++) {
    const key = `${prefix}:${j}`;
    if (s.db.getWrite(key) !== undefined) continue;
    const text = `value:${j}`;
    const n = Number(size);
    const value = n === 0 ? text : n <= text.length ? text.slice(0, n) : text + '\0'.repeat(n - text.length);
    s.db.add(key, value);
  }
  s.reply.ok();
}

function debug(s: Session, args: string[]): void {
  const sub = SUBCOMMANDS[args[1]!.toLowerCase()];
  const argc = sub?.argc ?? 0;
  if (sub === undefined || (argc > 0 ? args.length !== argc : args.length < -argc)) {
    subcommandSyntaxError(s, args);
    return;
  }
  sub.run(s, args);
}

export const debugCommands: CommandDef[] = [{ name: 'debug', handler: debug }];
