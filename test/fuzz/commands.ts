// Random command generators for the differential fuzzer: one generator per Redis 7.0 command, drawing keys from a
// small key space (so types collide and WRONGTYPE paths run), values that sit on encoding and number-parsing
// edges, and now and then a wrong argument. Generators depend only on the PRNG, never on replies, so a seed
// replays the same sequence.

/** Small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Generator state the fuzzer shares with generators. */
export interface GenContext {
  rng: Rng;
  /** Keys whose TTL was set relative to "now" (differs by milliseconds between the servers): not read back. */
  fuzzyTtlKeys: Set<string>;
  /** When set, most keys drawn are these (feeding the keys a client is blocked on). */
  focus?: readonly string[];
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', '{t}x', '\x00\xff'];
const FAR_FUTURE_S = '4102444800'; // 2100-01-01
export const FAR_FUTURE_MS = '4102444800123';
const PAST_S = '1000000000';
const PAST_MS = '1000000000123';

const INTS = ['0', '1', '-1', '2', '3', '7', '10', '-7', '100', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '01', '+1', ' 1', '1.5', 'x', ''];
const FLOATS = ['0', '1', '-1', '1.5', '-2.25', '3.0e2', '1e308', '-1e308', 'inf', '-inf', '+inf', 'nan', '0.1', '1e-300', '10', 'x', '', '1.7976931348623157e309'];
const MEMBERS = ['a', 'b', 'c', 'd', '1', '2', '3', '-5', '10', '1.5', '', 'hello world', '\x00\x01\xff', 'a'.repeat(70), 'm'.repeat(64), 'm'.repeat(65), '513', '9223372036854775807'];
const VALUES = ['v', 'foo', 'bar', '0', '1', '-1', '42', '3.14', '1e3', '-0', '9223372036854775807', '', 'hello world', '\x00\xff\r\n', 'x'.repeat(70), '12345678901234567890'];

type Gen = (g: GenContext) => string[];

export function key(g: GenContext): string {
  if (g.focus !== undefined && g.focus.length > 0 && g.rng.chance(0.7)) return g.rng.pick(g.focus);
  return g.rng.pick(KEYS);
}
function keys(g: GenContext, min = 1, max = 3): string[] {
  const n = min + g.rng.int(max - min + 1);
  return Array.from({ length: n }, () => key(g));
}
function int(g: GenContext, small = false): string {
  if (small || g.rng.chance(0.7)) return String(g.rng.int(12) - 3);
  return g.rng.pick(INTS);
}
function float(g: GenContext): string {
  return g.rng.chance(0.6) ? String((g.rng.int(200) - 100) / 4) : g.rng.pick(FLOATS);
}
function member(g: GenContext): string {
  return g.rng.pick(MEMBERS);
}
function members(g: GenContext, min = 1, max = 4): string[] {
  return Array.from({ length: min + g.rng.int(max - min + 1) }, () => member(g));
}
function value(g: GenContext): string {
  return g.rng.chance(0.3) ? int(g) : g.rng.pick(VALUES);
}
/**
 * The command that makes both servers drop a key `args` left logically expired, or null. Redis 7.0's SET with an
 * EXAT/PXAT in the past stores the key with that expiry (EXPIREAT, GETEX and RESTORE delete at once); until a
 * lookup or the active expire cycle removes it, whatever reads the raw keyspace (DBSIZE, DEBUG DIGEST[-VALUE])
 * sees it for as long as each server's timing decides. An EXISTS right after removes it on both.
 */
export function settleExpiry(args: readonly string[]): string[] | null {
  if (!/^set$/i.test(args[0] ?? '') || args[1] === undefined) return null;
  return args.includes(PAST_S) || args.includes(PAST_MS) ? ['EXISTS', args[1]] : null;
}

/**
 * The command to send right before `args` so that Redis 7.0's SORT sees a clean errno, or null. SORT (without
 * ALPHA) checks `errno == ERANGE` after strtod without clearing errno first, so a double that over- or
 * underflowed in an earlier command (ZADD 1.7976931348623157e309, a subnormal score) makes it fail with "One or
 * more scores can't be converted into double" until something clears errno: a Redis bug whose outcome depends
 * on what ran before on the server, not on the command. ZUNION parsing a weight (getDoubleFromObject) sets
 * errno to 0 and changes nothing.
 */
export function clearErrnoFor(args: readonly string[]): string[] | null {
  if (!/^sort(_ro)?$/i.test(args[0] ?? '') || args.some((a) => /^alpha$/i.test(a))) return null;
  return ['ZUNION', '1', 'never-set', 'WEIGHTS', '1'];
}

/** An absolute time in seconds (far future, past, or invalid). */
function absSeconds(g: GenContext): string {
  return g.rng.pick([FAR_FUTURE_S, FAR_FUTURE_S, PAST_S, '0', '-1', 'x', '9223372036854775807']);
}
function absMs(g: GenContext): string {
  return g.rng.pick([FAR_FUTURE_MS, FAR_FUTURE_MS, PAST_MS, '0', '-1', 'x', '9223372036854775807']);
}
/** A relative TTL: mostly values that delete at once or are rejected; rarely a positive one (key marked fuzzy). */
function relTtl(g: GenContext, k: string): string {
  if (g.rng.chance(0.15)) {
    g.fuzzyTtlKeys.add(k);
    return g.rng.pick(['100000', '99999999']);
  }
  return g.rng.pick(['0', '-1', '-100', 'x', '9223372036854775807', '1.5', '']);
}
function opt<T>(g: GenContext, p: number, f: () => T[]): T[] {
  return g.rng.chance(p) ? f() : [];
}
function lexBound(g: GenContext): string {
  return g.rng.pick(['-', '+', '[a', '(a', '[b', '(c', '[', 'a', '[1', '(zz']);
}
function scoreBound(g: GenContext): string {
  return g.rng.pick(['-inf', '+inf', '0', '(1', '1', '(2.5', '10', 'x', '-3', '(-inf']);
}
function bigBatch(g: GenContext, n: number, f: (i: number) => string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(...f(i));
  void g;
  return out;
}
/**
 * Many elements at once, to cross the default listpack/intset limits (128 entries, 64-byte values, 512 intset
 * entries, 8 KB list nodes) and to sit just below them: a later single add or removal then converts.
 */
function manyMembers(g: GenContext): string[] {
  const n = g.rng.pick([127, 128, 129, 130, 511, 512, 513, 20]);
  const shape = g.rng.int(3);
  const pad = g.rng.pick([0, 60, 120]);
  return bigBatch(g, n, (i) => [shape === 0 ? String(i) : shape === 1 ? `m${i}` : `m${i}`.padEnd(pad, 'x')]);
}

/** Per-command generators, keyed by lowercase command name (`container subcommand` for containers). */
export const GENERATORS: Record<string, Gen> = {
  // --- strings
  get: (g) => ['GET', key(g)],
  set: (g) => {
    const k = key(g);
    const args = ['SET', k, value(g)];
    const r = g.rng.int(10);
    if (r === 0) args.push('EXAT', absSeconds(g));
    else if (r === 1) args.push('PXAT', absMs(g));
    else if (r === 2) args.push('EX', relTtl(g, k));
    else if (r === 3) args.push('PX', relTtl(g, k));
    else if (r === 4) args.push('KEEPTTL');
    if (g.rng.chance(0.2)) args.push(g.rng.pick(['NX', 'XX']));
    if (g.rng.chance(0.2)) args.push('GET');
    if (g.rng.chance(0.05)) args.push(g.rng.pick(['EX', 'NX', 'BOGUS', 'KEEPTTL']));
    return args;
  },
  setnx: (g) => ['SETNX', key(g), value(g)],
  setex: (g) => {
    const k = key(g);
    return ['SETEX', k, relTtl(g, k), value(g)];
  },
  psetex: (g) => {
    const k = key(g);
    return ['PSETEX', k, relTtl(g, k), value(g)];
  },
  getset: (g) => ['GETSET', key(g), value(g)],
  getdel: (g) => ['GETDEL', key(g)],
  getex: (g) => {
    const k = key(g);
    const r = g.rng.int(6);
    const extra = r === 0 ? ['EXAT', absSeconds(g)] : r === 1 ? ['PXAT', absMs(g)] : r === 2 ? ['PERSIST'] : r === 3 ? ['EX', relTtl(g, k)] : [];
    return ['GETEX', k, ...extra];
  },
  mget: (g) => ['MGET', ...keys(g)],
  mset: (g) => ['MSET', ...keys(g).flatMap((k) => [k, value(g)]), ...opt(g, 0.05, () => ['dangling'])],
  msetnx: (g) => ['MSETNX', ...keys(g).flatMap((k) => [k, value(g)])],
  append: (g) => ['APPEND', key(g), value(g)],
  strlen: (g) => ['STRLEN', key(g)],
  incr: (g) => ['INCR', key(g)],
  decr: (g) => ['DECR', key(g)],
  incrby: (g) => ['INCRBY', key(g), int(g)],
  decrby: (g) => ['DECRBY', key(g), int(g)],
  incrbyfloat: (g) => ['INCRBYFLOAT', key(g), float(g)],
  getrange: (g) => ['GETRANGE', key(g), int(g), int(g)],
  substr: (g) => ['SUBSTR', key(g), int(g), int(g)],
  setrange: (g) => ['SETRANGE', key(g), g.rng.pick(['0', '1', '5', '20', '-1', '536870912', 'x']), value(g)],
  lcs: (g) => ['LCS', key(g), key(g), ...opt(g, 0.5, () => [g.rng.pick(['LEN', 'IDX', 'MINMATCHLEN', 'WITHMATCHLEN'])]), ...opt(g, 0.3, () => ['MINMATCHLEN', int(g, true)])],

  // --- keys
  del: (g) => ['DEL', ...keys(g)],
  unlink: (g) => ['UNLINK', ...keys(g)],
  exists: (g) => ['EXISTS', ...keys(g)],
  touch: (g) => ['TOUCH', ...keys(g)],
  type: (g) => ['TYPE', key(g)],
  rename: (g) => renameLike(g, 'RENAME'),
  renamenx: (g) => renameLike(g, 'RENAMENX'),
  move: (g) => ['MOVE', key(g), g.rng.pick(['0', '1', '2', '16', 'x'])],
  copy: (g) => {
    const [src, dst] = [key(g), key(g)];
    if (g.fuzzyTtlKeys.has(src)) g.fuzzyTtlKeys.add(dst);
    return ['COPY', src, dst, ...opt(g, 0.4, () => ['DB', g.rng.pick(['0', '1', '2', '99'])]), ...opt(g, 0.4, () => ['REPLACE'])];
  },
  swapdb: (g) => ['SWAPDB', g.rng.pick(['0', '1', '2', '99', 'x']), g.rng.pick(['0', '1', '2'])],
  expire: (g) => expireLike(g, 'EXPIRE', true),
  pexpire: (g) => expireLike(g, 'PEXPIRE', true),
  expireat: (g) => expireLike(g, 'EXPIREAT', false),
  pexpireat: (g) => expireLike(g, 'PEXPIREAT', false),
  persist: (g) => ['PERSIST', key(g)],
  expiretime: (g) => ['EXPIRETIME', exactTtlKey(g)],
  pexpiretime: (g) => ['PEXPIRETIME', exactTtlKey(g)],
  keys: (g) => ['KEYS', g.rng.pick(['*', 'a*', '?', '[a-c]', '*x*', '\\*', '[^a]', 'nomatch'])],
  scan: (g) => ['SCAN', '0', ...opt(g, 0.3, () => ['MATCH', g.rng.pick(['*', '[a-c]', '?'])]), ...opt(g, 0.3, () => ['COUNT', g.rng.pick(['1', '2', '10', '0', 'x'])]), ...opt(g, 0.3, () => ['TYPE', g.rng.pick(['string', 'list', 'hash', 'set', 'zset', 'stream', 'nosuch'])])],
  randomkey: () => ['RANDOMKEY'],
  dbsize: () => ['DBSIZE'],
  object: (g) => (g.rng.chance(0.9) ? ['OBJECT', 'ENCODING', key(g)] : g.rng.pick([['OBJECT', 'FREQ', key(g)], ['OBJECT', 'REFCOUNT', key(g)], ['OBJECT', 'HELP'], ['OBJECT', 'ENCODING']])),
  dump: (g) => ['DUMP', key(g)],
  restore: (g) => ['RESTORE', key(g), '0', g.rng.pick(['', 'garbage', '\x00\x01\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff']), ...opt(g, 0.5, () => ['REPLACE'])],
  sort: (g) => sortLike(g, 'SORT'),
  sort_ro: (g) => sortLike(g, 'SORT_RO'),
  flushdb: (g) => ['FLUSHDB', ...opt(g, 0.3, () => [g.rng.pick(['ASYNC', 'SYNC', 'BAD'])])],
  // FLUSHALL keeps the fuzzy-TTL marks: it may be queued in a transaction that is discarded, or fail.
  flushall: () => ['FLUSHALL'],

  // --- lists
  lpush: (g) => ['LPUSH', key(g), ...(g.rng.chance(0.05) ? manyMembers(g) : members(g))],
  rpush: (g) => ['RPUSH', key(g), ...(g.rng.chance(0.05) ? manyMembers(g) : members(g))],
  lpushx: (g) => ['LPUSHX', key(g), ...members(g)],
  rpushx: (g) => ['RPUSHX', key(g), ...members(g)],
  lpop: (g) => ['LPOP', key(g), ...opt(g, 0.4, () => [int(g)])],
  rpop: (g) => ['RPOP', key(g), ...opt(g, 0.4, () => [int(g)])],
  llen: (g) => ['LLEN', key(g)],
  lrange: (g) => ['LRANGE', key(g), int(g), int(g)],
  lindex: (g) => ['LINDEX', key(g), int(g)],
  lset: (g) => ['LSET', key(g), int(g), member(g)],
  linsert: (g) => ['LINSERT', key(g), g.rng.pick(['BEFORE', 'AFTER', 'x']), member(g), member(g)],
  lrem: (g) => ['LREM', key(g), int(g), member(g)],
  ltrim: (g) => ['LTRIM', key(g), int(g), int(g)],
  lpos: (g) => ['LPOS', key(g), member(g), ...opt(g, 0.4, () => ['RANK', int(g)]), ...opt(g, 0.4, () => ['COUNT', int(g)]), ...opt(g, 0.2, () => ['MAXLEN', int(g)])],
  rpoplpush: (g) => ['RPOPLPUSH', key(g), key(g)],
  lmove: (g) => ['LMOVE', key(g), key(g), side(g), side(g)],
  lmpop: (g) => mpop(g, 'LMPOP', side(g)),
  blpop: (g) => ['BLPOP', ...keys(g), blockTimeout(g)],
  brpop: (g) => ['BRPOP', ...keys(g), blockTimeout(g)],
  brpoplpush: (g) => ['BRPOPLPUSH', key(g), key(g), blockTimeout(g)],
  blmove: (g) => ['BLMOVE', key(g), key(g), side(g), side(g), blockTimeout(g)],
  blmpop: (g) => ['BLMPOP', blockTimeout(g), ...mpop(g, 'x', side(g)).slice(1)],

  // --- hashes
  hset: (g) => ['HSET', key(g), ...(g.rng.chance(0.05) ? manyMembers(g).flatMap((m) => [m, 'v']) : members(g).flatMap((m) => [m, value(g)])), ...opt(g, 0.03, () => ['dangling'])],
  hmset: (g) => ['HMSET', key(g), ...members(g).flatMap((m) => [m, value(g)])],
  hsetnx: (g) => ['HSETNX', key(g), member(g), value(g)],
  hget: (g) => ['HGET', key(g), member(g)],
  hmget: (g) => ['HMGET', key(g), ...members(g)],
  hdel: (g) => ['HDEL', key(g), ...members(g)],
  hlen: (g) => ['HLEN', key(g)],
  hstrlen: (g) => ['HSTRLEN', key(g), member(g)],
  hexists: (g) => ['HEXISTS', key(g), member(g)],
  hkeys: (g) => ['HKEYS', key(g)],
  hvals: (g) => ['HVALS', key(g)],
  hgetall: (g) => ['HGETALL', key(g)],
  hincrby: (g) => ['HINCRBY', key(g), member(g), int(g)],
  hincrbyfloat: (g) => ['HINCRBYFLOAT', key(g), member(g), float(g)],
  hrandfield: (g) => ['HRANDFIELD', key(g), ...opt(g, 0.6, () => [int(g), ...opt(g, 0.5, () => ['WITHVALUES'])])],
  hscan: (g) => ['HSCAN', key(g), '0', ...opt(g, 0.3, () => ['MATCH', g.rng.pick(['*', 'a*', '?'])]), ...opt(g, 0.3, () => ['COUNT', g.rng.pick(['1', '5', '0'])])],

  // --- sets
  sadd: (g) => ['SADD', key(g), ...(g.rng.chance(0.05) ? manyMembers(g) : members(g))],
  srem: (g) => ['SREM', key(g), ...members(g)],
  scard: (g) => ['SCARD', key(g)],
  sismember: (g) => ['SISMEMBER', key(g), member(g)],
  smismember: (g) => ['SMISMEMBER', key(g), ...members(g)],
  smembers: (g) => ['SMEMBERS', key(g)],
  spop: (g) => ['SPOP', key(g), ...opt(g, 0.5, () => [int(g)])],
  srandmember: (g) => ['SRANDMEMBER', key(g), ...opt(g, 0.6, () => [int(g)])],
  smove: (g) => ['SMOVE', key(g), key(g), member(g)],
  sinter: (g) => ['SINTER', ...keys(g)],
  sunion: (g) => ['SUNION', ...keys(g)],
  sdiff: (g) => ['SDIFF', ...keys(g)],
  sinterstore: (g) => ['SINTERSTORE', key(g), ...keys(g)],
  sunionstore: (g) => ['SUNIONSTORE', key(g), ...keys(g)],
  sdiffstore: (g) => ['SDIFFSTORE', key(g), ...keys(g)],
  sintercard: (g) => {
    const ks = keys(g);
    return ['SINTERCARD', g.rng.chance(0.9) ? String(ks.length) : int(g), ...ks, ...opt(g, 0.4, () => ['LIMIT', int(g)])];
  },
  sscan: (g) => ['SSCAN', key(g), '0', ...opt(g, 0.3, () => ['MATCH', g.rng.pick(['*', '1*', '?'])]), ...opt(g, 0.3, () => ['COUNT', g.rng.pick(['1', '5'])])],

  // --- sorted sets
  zadd: (g) => {
    const flags: string[] = [];
    if (g.rng.chance(0.2)) flags.push(g.rng.pick(['NX', 'XX']));
    if (g.rng.chance(0.2)) flags.push(g.rng.pick(['GT', 'LT']));
    if (g.rng.chance(0.2)) flags.push('CH');
    if (g.rng.chance(0.1)) flags.push('INCR');
    const pairs = g.rng.chance(0.05) ? manyMembers(g).flatMap((m, i) => [String(i), m]) : members(g).flatMap((m) => [float(g), m]);
    return ['ZADD', key(g), ...flags, ...pairs];
  },
  zincrby: (g) => ['ZINCRBY', key(g), float(g), member(g)],
  zrem: (g) => ['ZREM', key(g), ...members(g)],
  zcard: (g) => ['ZCARD', key(g)],
  zscore: (g) => ['ZSCORE', key(g), member(g)],
  zmscore: (g) => ['ZMSCORE', key(g), ...members(g)],
  zrank: (g) => ['ZRANK', key(g), member(g)],
  zrevrank: (g) => ['ZREVRANK', key(g), member(g)],
  zcount: (g) => ['ZCOUNT', key(g), scoreBound(g), scoreBound(g)],
  zlexcount: (g) => ['ZLEXCOUNT', key(g), lexBound(g), lexBound(g)],
  zrange: (g) => zrangeLike(g, ['ZRANGE', key(g)]),
  zrangestore: (g) => zrangeLike(g, ['ZRANGESTORE', key(g), key(g)], false),
  zrevrange: (g) => ['ZREVRANGE', key(g), int(g), int(g), ...opt(g, 0.4, () => ['WITHSCORES'])],
  zrangebyscore: (g) => ['ZRANGEBYSCORE', key(g), scoreBound(g), scoreBound(g), ...opt(g, 0.4, () => ['WITHSCORES']), ...opt(g, 0.3, () => ['LIMIT', int(g), int(g)])],
  zrevrangebyscore: (g) => ['ZREVRANGEBYSCORE', key(g), scoreBound(g), scoreBound(g), ...opt(g, 0.4, () => ['WITHSCORES']), ...opt(g, 0.3, () => ['LIMIT', int(g), int(g)])],
  zrangebylex: (g) => ['ZRANGEBYLEX', key(g), lexBound(g), lexBound(g), ...opt(g, 0.3, () => ['LIMIT', int(g), int(g)])],
  zrevrangebylex: (g) => ['ZREVRANGEBYLEX', key(g), lexBound(g), lexBound(g), ...opt(g, 0.3, () => ['LIMIT', int(g), int(g)])],
  zremrangebyrank: (g) => ['ZREMRANGEBYRANK', key(g), int(g), int(g)],
  zremrangebyscore: (g) => ['ZREMRANGEBYSCORE', key(g), scoreBound(g), scoreBound(g)],
  zremrangebylex: (g) => ['ZREMRANGEBYLEX', key(g), lexBound(g), lexBound(g)],
  zpopmin: (g) => ['ZPOPMIN', key(g), ...opt(g, 0.5, () => [int(g)])],
  zpopmax: (g) => ['ZPOPMAX', key(g), ...opt(g, 0.5, () => [int(g)])],
  bzpopmin: (g) => ['BZPOPMIN', ...keys(g), blockTimeout(g)],
  bzpopmax: (g) => ['BZPOPMAX', ...keys(g), blockTimeout(g)],
  zmpop: (g) => mpop(g, 'ZMPOP', g.rng.pick(['MIN', 'MAX', 'MID'])),
  bzmpop: (g) => ['BZMPOP', blockTimeout(g), ...mpop(g, 'x', g.rng.pick(['MIN', 'MAX'])).slice(1)],
  zrandmember: (g) => ['ZRANDMEMBER', key(g), ...opt(g, 0.6, () => [int(g), ...opt(g, 0.5, () => ['WITHSCORES'])])],
  zunion: (g) => zsetOp(g, 'ZUNION', false),
  zinter: (g) => zsetOp(g, 'ZINTER', false),
  zdiff: (g) => zsetOp(g, 'ZDIFF', false),
  zunionstore: (g) => zsetOp(g, 'ZUNIONSTORE', true),
  zinterstore: (g) => zsetOp(g, 'ZINTERSTORE', true),
  zdiffstore: (g) => zsetOp(g, 'ZDIFFSTORE', true),
  zintercard: (g) => {
    const ks = keys(g);
    return ['ZINTERCARD', String(ks.length), ...ks, ...opt(g, 0.4, () => ['LIMIT', int(g)])];
  },
  zscan: (g) => ['ZSCAN', key(g), '0', ...opt(g, 0.3, () => ['MATCH', g.rng.pick(['*', 'a*'])]), ...opt(g, 0.3, () => ['COUNT', g.rng.pick(['1', '5'])])],

  // --- geo
  geoadd: (g) => ['GEOADD', key(g), ...opt(g, 0.2, () => [g.rng.pick(['NX', 'XX', 'CH'])]), ...members(g, 1, 3).flatMap((m) => [geoLon(g), geoLat(g), m])],
  geodist: (g) => ['GEODIST', key(g), member(g), member(g), ...opt(g, 0.5, () => [g.rng.pick(['m', 'km', 'mi', 'ft', 'xx'])])],
  geopos: (g) => ['GEOPOS', key(g), ...members(g)],
  geohash: (g) => ['GEOHASH', key(g), ...members(g)],
  geosearch: (g) => ['GEOSEARCH', key(g), ...geoFrom(g), ...geoBy(g), ...geoTail(g, true)],
  geosearchstore: (g) => ['GEOSEARCHSTORE', key(g), key(g), ...geoFrom(g), ...geoBy(g), ...geoTail(g, false), ...opt(g, 0.3, () => ['STOREDIST'])],
  georadius: (g) => ['GEORADIUS', key(g), geoLon(g), geoLat(g), g.rng.pick(['100', '5000', '200000']), g.rng.pick(['m', 'km']), ...geoTail(g, true), ...geoStore(g)],
  georadius_ro: (g) => ['GEORADIUS_RO', key(g), geoLon(g), geoLat(g), g.rng.pick(['100', '200000']), 'km', ...geoTail(g, true)],
  georadiusbymember: (g) => ['GEORADIUSBYMEMBER', key(g), member(g), g.rng.pick(['100', '200000']), 'km', ...geoTail(g, true), ...geoStore(g)],
  georadiusbymember_ro: (g) => ['GEORADIUSBYMEMBER_RO', key(g), member(g), '200000', 'km', ...geoTail(g, true)],

  // --- hyperloglog
  pfadd: (g) => ['PFADD', key(g), ...(g.rng.chance(0.05) ? manyMembers(g) : members(g, 0, 4))],
  pfcount: (g) => ['PFCOUNT', ...keys(g)],
  pfmerge: (g) => ['PFMERGE', key(g), ...keys(g, 0, 3)],
  pfdebug: (g) => ['PFDEBUG', g.rng.pick(['ENCODING', 'GETREG', 'TODENSE', 'DECODE', 'NOPE']), key(g)],

  // --- bitmaps
  setbit: (g) => ['SETBIT', key(g), g.rng.pick(['0', '1', '7', '100', '4294967296', '-1', 'x']), g.rng.pick(['0', '1', '1', '2'])],
  getbit: (g) => ['GETBIT', key(g), g.rng.pick(['0', '1', '7', '100', '4294967296', '-1'])],
  bitcount: (g) => ['BITCOUNT', key(g), ...opt(g, 0.5, () => [int(g), int(g), ...opt(g, 0.4, () => [g.rng.pick(['BYTE', 'BIT', 'X'])])])],
  bitpos: (g) => ['BITPOS', key(g), g.rng.pick(['0', '1', '2']), ...opt(g, 0.5, () => [int(g), ...opt(g, 0.5, () => [int(g), ...opt(g, 0.4, () => [g.rng.pick(['BYTE', 'BIT'])])])])],
  bitop: (g) => ['BITOP', g.rng.pick(['AND', 'OR', 'XOR', 'NOT', 'NOPE']), key(g), ...keys(g)],
  bitfield: (g) => ['BITFIELD', key(g), ...bitfieldOps(g, true)],
  bitfield_ro: (g) => ['BITFIELD_RO', key(g), ...bitfieldOps(g, false)],

  // --- streams (explicit IDs only: `*` IDs come from each server's clock)
  xadd: (g) => ['XADD', key(g), ...opt(g, 0.1, () => ['NOMKSTREAM']), ...opt(g, 0.25, () => streamTrim(g)), streamId(g, true), ...members(g, 1, 2).flatMap((m) => [m, value(g)])],
  xlen: (g) => ['XLEN', key(g)],
  xrange: (g) => ['XRANGE', key(g), g.rng.pick(['-', '0', '1-1', '(1-1', '3']), g.rng.pick(['+', '5', '9-9', '(5-0']), ...opt(g, 0.3, () => ['COUNT', int(g)])],
  xrevrange: (g) => ['XREVRANGE', key(g), g.rng.pick(['+', '5', '9-9', '(9-0']), g.rng.pick(['-', '0', '1-1', '(1-1']), ...opt(g, 0.3, () => ['COUNT', int(g)])],
  xdel: (g) => ['XDEL', key(g), streamId(g, false), ...opt(g, 0.3, () => [streamId(g, false)])],
  xtrim: (g) => ['XTRIM', key(g), ...streamTrim(g)],
  xread: (g) => {
    const ks = keys(g, 1, 2);
    const block = opt(g, 0.3, () => ['BLOCK', streamBlockMs(g)]);
    return ['XREAD', ...opt(g, 0.3, () => ['COUNT', int(g)]), ...block, 'STREAMS', ...ks, ...ks.map(() => g.rng.pick(['0', '1-1', '3-0', '$', '(1-1']))];
  },
  xsetid: (g) => ['XSETID', key(g), streamId(g, false), ...opt(g, 0.3, () => ['ENTRIESADDED', g.rng.pick(['0', '5', '100', '-1'])]), ...opt(g, 0.3, () => ['MAXDELETEDID', streamId(g, false)])],
  xgroup: (g) => {
    const k = key(g);
    const grp = g.rng.pick(['g1', 'g2']);
    const entriesRead = (): string[] => opt(g, 0.25, () => ['ENTRIESREAD', g.rng.pick(['0', '1', '3', '-1', '-2', 'x'])]);
    switch (g.rng.int(6)) {
      case 0: return ['XGROUP', 'CREATE', k, grp, g.rng.pick(['0', '$', '2-0']), ...opt(g, 0.4, () => ['MKSTREAM']), ...entriesRead()];
      case 1: return ['XGROUP', 'DESTROY', k, grp];
      case 2: return ['XGROUP', 'SETID', k, grp, g.rng.pick(['0', '$', '3-0']), ...entriesRead()];
      case 3: return ['XGROUP', 'CREATECONSUMER', k, grp, g.rng.pick(['c1', 'c2'])];
      case 4: return ['XGROUP', 'DELCONSUMER', k, grp, g.rng.pick(['c1', 'c2'])];
      default: return ['XGROUP', g.rng.pick(['HELP', 'NOPE'])];
    }
  },
  xreadgroup: (g) => {
    const ks = keys(g, 1, 2);
    const head = ['XREADGROUP', 'GROUP', g.rng.pick(['g1', 'g2']), g.rng.pick(['c1', 'c2'])];
    const block = opt(g, 0.3, () => ['BLOCK', streamBlockMs(g)]);
    return [...head, ...opt(g, 0.3, () => ['COUNT', int(g, true)]), ...block, ...opt(g, 0.2, () => ['NOACK']), 'STREAMS', ...ks, ...ks.map(() => g.rng.pick(['>', '0', '>', '1-1', '$']))];
  },
  xack: (g) => ['XACK', key(g), g.rng.pick(['g1', 'g2']), streamId(g, false), ...opt(g, 0.3, () => [streamId(g, false)])],
  xinfo: (g) => {
    const k = key(g);
    switch (g.rng.int(5)) {
      case 0: return ['XINFO', 'GROUPS', k];
      case 1: return ['XINFO', 'CONSUMERS', k, g.rng.pick(['g1', 'g2'])];
      case 2: return ['XINFO', 'STREAM', k];
      case 3: return ['XINFO', 'STREAM', k, 'FULL', ...opt(g, 0.5, () => ['COUNT', g.rng.pick(['0', '1', '2', '-1', 'x'])])];
      default: return ['XINFO', g.rng.pick(['HELP', 'NOPE'])];
    }
  },
  xpending: (g) => {
    const head = ['XPENDING', key(g), g.rng.pick(['g1', 'g2'])];
    if (g.rng.chance(0.4)) return head;
    const idle = opt(g, 0.3, () => ['IDLE', minIdleMs(g)]);
    const range = [g.rng.pick(['-', '0', '1-1', '(1-1']), g.rng.pick(['+', '5', '(9-9']), g.rng.pick(['10', '1', '0', '-1'])];
    return [...head, ...idle, ...range, ...opt(g, 0.4, () => [g.rng.pick(['c1', 'c2', 'c3'])])];
  },
  xclaim: (g) => {
    const args = ['XCLAIM', key(g), g.rng.pick(['g1', 'g2']), g.rng.pick(['c1', 'c2', 'c3']), minIdleMs(g), streamId(g, false), ...opt(g, 0.4, () => [streamId(g, false)])];
    if (g.rng.chance(0.2)) args.push('IDLE', g.rng.pick(['0', '5000', '-1']));
    if (g.rng.chance(0.2)) args.push('TIME', g.rng.pick([PAST_MS, FAR_FUTURE_MS, '-1']));
    if (g.rng.chance(0.2)) args.push('RETRYCOUNT', g.rng.pick(['0', '3', '-1']));
    if (g.rng.chance(0.2)) args.push('FORCE');
    if (g.rng.chance(0.5)) args.push('JUSTID');
    if (g.rng.chance(0.15)) args.push('LASTID', streamId(g, false));
    return args;
  },
  xautoclaim: (g) => ['XAUTOCLAIM', key(g), g.rng.pick(['g1', 'g2']), g.rng.pick(['c1', 'c2']), minIdleMs(g), g.rng.pick(['0', '0-0', '2-0', '(1-1', '-', '+']), ...opt(g, 0.4, () => ['COUNT', g.rng.pick(['1', '10', '0', '-1'])]), ...opt(g, 0.5, () => ['JUSTID'])],

  // --- connection, transactions, pub/sub
  ping: (g) => ['PING', ...opt(g, 0.3, () => [value(g)])],
  echo: (g) => ['ECHO', value(g)],
  select: (g) => ['SELECT', g.rng.pick(['0', '0', '1', '2', '16', '-1', 'x'])],
  hello: (g) => ['HELLO', g.rng.pick(['2', '3', '3', '4'])],
  client: (g) => g.rng.pick([['CLIENT', 'SETNAME', g.rng.pick(['fuzz', 'bad name', ''])], ['CLIENT', 'GETNAME'], ['CLIENT', 'NO-EVICT', g.rng.pick(['on', 'off', 'maybe'])]]),
  publish: (g) => ['PUBLISH', g.rng.pick(['ch', 'news']), value(g)],
  pubsub: (g) => g.rng.pick([['PUBSUB', 'CHANNELS'], ['PUBSUB', 'NUMSUB', 'ch'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'SHARDCHANNELS'], ['PUBSUB', 'SHARDNUMSUB', 'ch']]),
  watch: (g) => ['WATCH', ...keys(g, 1, 2)],
  unwatch: () => ['UNWATCH'],
  auth: (g) => ['AUTH', g.rng.pick(['secret', 'default'])],
  // DEBUG RELOAD: both servers save and load their dataset (encodings converted on load as configured now).
  debug: (g) => (g.rng.chance(0.1) ? ['DEBUG', 'RELOAD'] : g.rng.chance(0.5) ? ['DEBUG', 'DIGEST'] : ['DEBUG', 'DIGEST-VALUE', ...keys(g)]),
};

function renameLike(g: GenContext, name: string): string[] {
  const [src, dst] = [key(g), key(g)];
  if (g.fuzzyTtlKeys.has(src)) g.fuzzyTtlKeys.add(dst);
  return [name, src, dst];
}
function expireLike(g: GenContext, name: string, relative: boolean): string[] {
  const k = key(g);
  // GT/LT between a relative TTL and one set relative to an earlier instant (a fuzzy key) compares now + X with
  // then + X: the answer depends on whether each server's clock ticked in between (SEED=202268598).
  const flags = relative && g.fuzzyTtlKeys.has(k) ? ['NX', 'XX', 'BAD'] : ['NX', 'XX', 'GT', 'LT', 'BAD'];
  const when = relative ? relTtl(g, k) : name === 'EXPIREAT' ? absSeconds(g) : absMs(g);
  return [name, k, when, ...opt(g, 0.2, () => [g.rng.pick(flags)])];
}
/** A key whose TTL (if any) is absolute, so TTL readers give the same answer on both servers; else a missing key. */
function exactTtlKey(g: GenContext): string {
  const k = key(g);
  return g.fuzzyTtlKeys.has(k) ? 'never-set' : k;
}
function side(g: GenContext): string {
  return g.rng.pick(['LEFT', 'RIGHT', 'LEFT', 'RIGHT', 'UP']);
}
function blockTimeout(g: GenContext): string {
  return g.rng.pick(['0.01', '0.01', '-1', 'x']);
}
function mpop(g: GenContext, name: string, where: string): string[] {
  const ks = keys(g);
  const numkeys = g.rng.chance(0.9) ? String(ks.length) : g.rng.pick(['0', '5', 'x']);
  return [name, numkeys, ...ks, where, ...opt(g, 0.4, () => ['COUNT', int(g)])];
}
function sortLike(g: GenContext, name: string): string[] {
  const args = [name, key(g)];
  // Elements name keys of the key space ('a', 'b', ...), so BY and GET patterns find strings and hash fields.
  if (g.rng.chance(0.3)) args.push('BY', g.rng.pick(['nosort', '*', '*->a', '{t}*', 'no-such-*', '*->']));
  if (g.rng.chance(0.3)) args.push('LIMIT', int(g), int(g));
  for (let i = g.rng.int(3); i > 0 && g.rng.chance(0.6); i--) args.push('GET', g.rng.pick(['#', '*', '*->a', '*->1', 'x*', '#->a']));
  if (g.rng.chance(0.3)) args.push(g.rng.pick(['ASC', 'DESC']));
  if (g.rng.chance(0.5)) args.push('ALPHA');
  if (name === 'SORT' && g.rng.chance(0.2)) args.push('STORE', key(g));
  return args;
}
function zrangeLike(g: GenContext, head: string[], withScores = true): string[] {
  const mode = g.rng.int(3);
  const args = [...head];
  if (mode === 0) args.push(int(g), int(g));
  else if (mode === 1) args.push(scoreBound(g), scoreBound(g), 'BYSCORE');
  else args.push(lexBound(g), lexBound(g), 'BYLEX');
  if (g.rng.chance(0.3)) args.push('REV');
  if (g.rng.chance(0.3)) args.push('LIMIT', int(g), int(g));
  if (withScores && g.rng.chance(0.4)) args.push('WITHSCORES');
  return args;
}
function zsetOp(g: GenContext, name: string, store: boolean): string[] {
  const ks = keys(g);
  const args = [name, ...(store ? [key(g)] : []), g.rng.chance(0.95) ? String(ks.length) : g.rng.pick(['0', 'x']), ...ks];
  if (name !== 'ZDIFF' && name !== 'ZDIFFSTORE') {
    if (g.rng.chance(0.3)) args.push('WEIGHTS', ...ks.map(() => float(g)));
    if (g.rng.chance(0.3)) args.push('AGGREGATE', g.rng.pick(['SUM', 'MIN', 'MAX', 'AVG']));
  }
  if (!store && g.rng.chance(0.4)) args.push('WITHSCORES');
  return args;
}
function geoLon(g: GenContext): string {
  return g.rng.pick(['13.361389', '15.087269', '-122.4194', '0', '180', '181', 'x', '-180']);
}
function geoLat(g: GenContext): string {
  return g.rng.pick(['38.115556', '37.502669', '37.7749', '0', '85.05112878', '86', 'x']);
}
/** The STORE/STOREDIST tail of GEORADIUS(BYMEMBER), now and then. */
function geoStore(g: GenContext): string[] {
  return opt(g, 0.2, () => [g.rng.pick(['STORE', 'STOREDIST']), key(g)]);
}
function geoFrom(g: GenContext): string[] {
  return g.rng.chance(0.5) ? ['FROMMEMBER', member(g)] : ['FROMLONLAT', geoLon(g), geoLat(g)];
}
function geoBy(g: GenContext): string[] {
  return g.rng.chance(0.5) ? ['BYRADIUS', g.rng.pick(['100', '200', '5000']), g.rng.pick(['km', 'm', 'mi'])] : ['BYBOX', '400', '400', g.rng.pick(['km', 'ft'])];
}
function geoTail(g: GenContext, read: boolean): string[] {
  const out: string[] = [];
  if (read && g.rng.chance(0.4)) out.push('WITHDIST');
  if (read && g.rng.chance(0.3)) out.push('WITHCOORD');
  if (read && g.rng.chance(0.3)) out.push('WITHHASH');
  if (g.rng.chance(0.3)) out.push('COUNT', g.rng.pick(['1', '2', '0']), ...opt(g, 0.3, () => ['ANY']));
  out.push(g.rng.pick(['ASC', 'DESC', 'ASC']));
  return out;
}
function bitfieldOps(g: GenContext, write: boolean): string[] {
  const out: string[] = [];
  const n = 1 + g.rng.int(3);
  for (let i = 0; i < n; i++) {
    const type = g.rng.pick(['u8', 'i8', 'u4', 'i16', 'u63', 'i64', 'u64', 'x']);
    const offset = g.rng.pick(['0', '3', '#1', '100', '-1']);
    const op = write ? g.rng.int(4) : 0;
    if (op === 0) out.push('GET', type, offset);
    else if (op === 1) out.push('SET', type, offset, int(g));
    else if (op === 2) out.push('INCRBY', type, offset, int(g));
    else out.push('OVERFLOW', g.rng.pick(['WRAP', 'SAT', 'FAIL', 'BAD']));
  }
  return out;
}
/** MAXLEN/MINID trimming, exact or approximate, now and then with a LIMIT (only `~` allows one). */
function streamTrim(g: GenContext): string[] {
  const minId = g.rng.chance(0.4);
  const threshold = minId ? g.rng.pick(['0', '2-0', '3-5', '5', 'x']) : g.rng.pick(['0', '1', '2', '5', '-1', 'x']);
  return [minId ? 'MINID' : 'MAXLEN', ...opt(g, 0.6, () => [g.rng.pick(['=', '~'])]), threshold, ...opt(g, 0.15, () => ['LIMIT', g.rng.pick(['0', '1', '100', '-1'])])];
}
/** A BLOCK argument: a few milliseconds (both servers time out alike), or an invalid one; never 0 (forever). */
function streamBlockMs(g: GenContext): string {
  return g.rng.pick(['1', '10', '10', '-1', 'x']);
}
/**
 * A min-idle-time whose outcome cannot depend on when each server ran the command: 0 (every entry), or more
 * milliseconds than any entry here has been idle (none; entries given a far-past TIME have < 10^13).
 */
function minIdleMs(g: GenContext): string {
  return g.rng.pick(['0', '0', '9999999999999', '-1', 'x']);
}
function streamId(g: GenContext, forAdd: boolean): string {
  const ids = ['1-1', '2-0', '3-5', '5-0', '0-1', '1', '18446744073709551615-18446744073709551615', 'x'];
  return forAdd ? g.rng.pick([...ids, '6-*', '9-0']) : g.rng.pick(ids);
}

/**
 * Commands deliberately never generated, with the reason. Their replies depend on the process, the clock or
 * the connection mode, not on the dataset.
 */
export const NOT_FUZZED: Record<string, string> = {
  info: 'process statistics',
  config: 'configuration differs by design (appendonly default, paths)',
  command: 'COMMAND COUNT/LIST reflect the commands implemented so far',
  time: 'clock',
  ttl: 'relative to each server\'s clock (EXPIRETIME is compared instead)',
  pttl: 'relative to each server\'s clock (PEXPIRETIME is compared instead)',
  lastsave: 'clock',
  save: 'disk',
  bgsave: 'disk',
  bgrewriteaof: 'disk',
  shutdown: 'stops the server',
  monitor: 'changes the connection mode',
  subscribe: 'changes the connection mode',
  psubscribe: 'changes the connection mode',
  ssubscribe: 'changes the connection mode',
  unsubscribe: 'connection mode',
  punsubscribe: 'connection mode',
  sunsubscribe: 'connection mode',
  quit: 'closes the connection',
  reset: 'tested by the transaction/connection tests',
  slowlog: 'timing',
  latency: 'timing',
  memory: 'allocator-specific sizes',
  wait: 'replication',
  role: 'replication offsets',
  readonly: 'cluster',
  readwrite: 'cluster',
  multi: 'driven by the fuzzer itself',
  exec: 'driven by the fuzzer itself',
  discard: 'driven by the fuzzer itself',
};

/** A blocker's timeout: far longer than any scenario (the fuzzer releases unserved blockers itself). */
const BLOCKER_TIMEOUT_S = '30';

/**
 * A blocking command for another connection, with a long timeout (the fuzzer releases it with CLIENT UNBLOCK
 * when nothing served it), the setup that mostly makes it block, the keys it waits on, and the commands likely
 * to serve or disturb it.
 */
export function blockerCommand(g: GenContext): { setup: string[][]; args: string[]; keys: string[]; feeders: string[] } {
  const blocker = blockerOnly(g);
  // Mostly make it block: empty its keys (and give XREADGROUP its group) first.
  const setup = opt(g, 0.6, () => [['DEL', ...blocker.keys]]);
  if (blocker.args[0] === 'XREADGROUP') setup.push(...blocker.keys.map((k) => ['XGROUP', 'CREATE', k, blocker.args[2]!, '$', 'MKSTREAM']));
  return { setup, ...blocker };
}
function blockerOnly(g: GenContext): { args: string[]; keys: string[]; feeders: string[] } {
  const ks = keys(g, 1, 2);
  const group = g.rng.pick(['g1', 'g2']);
  const count = opt(g, 0.3, () => ['COUNT', g.rng.pick(['1', '2', '5'])]);
  switch (g.rng.int(10)) {
    case 0: return { args: ['BLPOP', ...ks, BLOCKER_TIMEOUT_S], keys: ks, feeders: LIST_FEEDERS };
    case 1: return { args: ['BRPOP', ...ks, BLOCKER_TIMEOUT_S], keys: ks, feeders: LIST_FEEDERS };
    case 2: return { args: ['BRPOPLPUSH', ks[0]!, key(g), BLOCKER_TIMEOUT_S], keys: ks.slice(0, 1), feeders: LIST_FEEDERS };
    case 3: return { args: ['BLMOVE', ks[0]!, key(g), side(g), side(g), BLOCKER_TIMEOUT_S], keys: ks.slice(0, 1), feeders: LIST_FEEDERS };
    case 4: return { args: ['BLMPOP', BLOCKER_TIMEOUT_S, String(ks.length), ...ks, g.rng.pick(['LEFT', 'RIGHT']), ...count], keys: ks, feeders: LIST_FEEDERS };
    case 5: return { args: [g.rng.pick(['BZPOPMIN', 'BZPOPMAX']), ...ks, BLOCKER_TIMEOUT_S], keys: ks, feeders: ZSET_FEEDERS };
    case 6: return { args: ['BZMPOP', BLOCKER_TIMEOUT_S, String(ks.length), ...ks, g.rng.pick(['MIN', 'MAX']), ...count], keys: ks, feeders: ZSET_FEEDERS };
    case 7: return { args: ['XREAD', ...count, 'BLOCK', `${BLOCKER_TIMEOUT_S}000`, 'STREAMS', ...ks, ...ks.map(() => g.rng.pick(['$', '$', '0', '3-0']))], keys: ks, feeders: STREAM_FEEDERS };
    default: {
      const noack = opt(g, 0.2, () => ['NOACK']);
      return { args: ['XREADGROUP', 'GROUP', group, g.rng.pick(['c1', 'c2']), ...count, ...noack, 'BLOCK', `${BLOCKER_TIMEOUT_S}000`, 'STREAMS', ...ks, ...ks.map(() => '>')], keys: ks, feeders: STREAM_FEEDERS };
    }
  }
}
// Each list starts with the two commands that serve its blockers (the fuzzer favours them for the first feeder).
const COMMON_FEEDERS = ['del', 'set', 'rename', 'copy', 'expireat', 'flushdb', 'swapdb', 'move', 'restore'];
const LIST_FEEDERS = ['lpush', 'rpush', 'lpush', 'rpush', 'lpushx', 'rpushx', 'lmove', 'rpoplpush', 'linsert', 'lmpop', 'sort', ...COMMON_FEEDERS];
const ZSET_FEEDERS = ['zadd', 'zadd', 'zincrby', 'zunionstore', 'zinterstore', 'zrangestore', 'zpopmin', 'geoadd', 'geosearchstore', ...COMMON_FEEDERS];
const STREAM_FEEDERS = ['xadd', 'xadd', 'xadd', 'xdel', 'xtrim', 'xgroup', 'xgroup', 'xsetid', 'xreadgroup', ...COMMON_FEEDERS];

/**
 * CONFIG SET of an encoding threshold (small values make conversions frequent, the defaults bring Redis's own
 * limits back), the same on both servers.
 */
export function thresholdConfig(g: GenContext): string[] {
  const [name, values] = g.rng.pick(THRESHOLDS);
  return ['CONFIG', 'SET', name, g.rng.pick(values)];
}
const THRESHOLDS: [string, string[]][] = [
  ['hash-max-listpack-entries', ['0', '1', '3', '128']],
  ['hash-max-listpack-value', ['0', '2', '64']],
  ['zset-max-listpack-entries', ['0', '1', '3', '128']],
  ['zset-max-listpack-value', ['0', '2', '64']],
  ['set-max-intset-entries', ['0', '1', '3', '512']],
  ['list-max-listpack-size', ['-5', '-1', '1', '2', '4', '-2']],
  ['list-compress-depth', ['0', '1', '2', '0']],
];
