// Proves Strongbox answers like real Redis 7.0 on random command sequences: a seeded generator drives every
// command in Strongbox's command table (looked up at run time) through both servers — small key space, three
// dbs, absolute expiries, MULTI/EXEC, RESP2 and RESP3, wrong arguments, OBJECT ENCODING after writes, encoding
// thresholds changed by CONFIG SET, RESTORE of the bytes Redis DUMPs, DEBUG RELOAD, clients blocked on other
// connections and served or released — and every reply must match byte for byte (order-canonicalized only where
// Redis itself is random), then DEBUG DIGEST must match. It prints a coverage line (commands of the table
// exercised, issue #3's commands exercised). Where Redis's answer depends on per-process randomness or stale
// state (hash order after DEBUG RELOAD, SORT's errno, blocked keys signalled together, logically expired keys),
// the fuzzer steers around it; each case says why where it is handled.
// Replay a run with `SEED=<seed> npx vitest run test/fuzz/differential.test.ts`; FUZZ_COMMANDS=n sets the length
// (default 50,000), FUZZ_KEEP_GOING=1 lists every mismatching command once instead of stopping at the first;
// for triage FUZZ_HISTORY_FILE=path writes the commands at a mismatch, FUZZ_PROBE_KEY=k asks both servers
// OBJECT ENCODING k after every command naming k, FUZZ_INSPECT='cmd;cmd' prints both servers' replies at the end.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { testSeed } from '../helpers/seed.js';
import { F } from '../../src/commands/index.js';
import { DifferentialPair, formatMismatch, escapeBytes, lexRangeKey, type Mismatch } from '../helpers/differential.js';
import { FAR_FUTURE_MS, GENERATORS, NOT_FUZZED, Rng, blockerCommand, clearErrnoFor, key, settleExpiry, thresholdConfig, type GenContext } from './commands.js';

/**
 * Known bugs in Strongbox that the fuzzer would otherwise trip over on every run. Each entry names the bug and
 * which generated commands it keeps out (printed at every run); remove the entry with the fix.
 */
interface KnownBug {
  bug: string;
  /** True for a generated command the bug would make mismatch. */
  matches: (args: readonly string[]) => boolean;
}
const KNOWN_BUGS: KnownBug[] = [
  {
    bug: 'not fixable: SORT of a hashtable set or a zset (which SORT converts to a skiplist) reads the members in Redis\'s hash-table order, randomly seeded per process, so the order of ties is Redis\'s luck: ALPHA ties (strcoll on C strings: "" and "\\x00\\x01\\xff"; equal or missing BY values) and BY nosort over a set without STORE. Lists tie exactly like Redis (stable qsort, pqsort under BY+LIMIT); test/commands/sort.test.ts checks them',
    matches: (args) => sortDependsOnHashOrder(args),
  },
];

/**
 * True for a SORT/SORT_RO whose output may depend on the source's iteration order: ALPHA without BY compares
 * C strings (ties unless STORE, which compares whole bytes); ALPHA with a BY pattern ties on equal or missing
 * values; BY without `*` does not sort at all (a set comes out in hash order, unless STORE sorts it ALPHA).
 */
function sortDependsOnHashOrder(args: readonly string[]): boolean {
  if (!/^sort(_ro)?$/i.test(args[0] ?? '')) return false;
  let alpha = false;
  let store = false;
  let by: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const option = (args[i] ?? '').toLowerCase();
    if (option === 'alpha') alpha = true;
    else if (option === 'limit') i += 2;
    else if (option === 'get') i += 1;
    else if (option === 'store') store = ++i < args.length;
    else if (option === 'by' && i + 1 < args.length) by = args[++i] ?? '';
  }
  if (by !== null && !(by.split('\0', 1)[0] ?? '').includes('*')) return !store;
  return alpha && (by !== null || !store);
}

/** The commands issue #3 (every data type) names: a full run must exercise each, unless a known bug keeps it out. */
const ISSUE_3_COMMANDS = [
  'lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset linsert lrem ltrim lpos lmove rpoplpush lmpop',
  'blpop brpop blmove brpoplpush blmpop',
  'hset hsetnx hget hmget hmset hdel hlen hstrlen hexists hkeys hvals hgetall hincrby hincrbyfloat hrandfield hscan',
  'sadd srem scard sismember smismember smembers spop srandmember smove sinter sintercard sunion sdiff sinterstore',
  'sunionstore sdiffstore sscan',
  'zadd zincrby zrem zcard zcount zlexcount zscore zmscore zrank zrevrank zrange zrangestore zrangebyscore',
  'zrevrangebyscore zrangebylex zrevrangebylex zrevrange zremrangebyrank zremrangebyscore zremrangebylex zpopmin',
  'zpopmax bzpopmin bzpopmax zmpop bzmpop zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard',
  'zrandmember zscan',
  'xadd xlen xrange xrevrange xdel xtrim xread xgroup|create xgroup|setid xgroup|destroy xgroup|createconsumer',
  'xgroup|delconsumer xreadgroup xack xpending xclaim xautoclaim xinfo|stream xinfo|groups xinfo|consumers xsetid',
  'geoadd geodist geohash geopos geosearch geosearchstore georadius georadiusbymember',
  'sort sort_ro type object|encoding',
].join(' ').split(' ');

const enabled = requireRealRedis();
/** The seed (test/helpers/seed.ts): SEED=n replays a run; CI draws it from the commit id. */
const SEED = testSeed('differential');
const COMMANDS = Number(process.env['FUZZ_COMMANDS'] ?? 50_000);
/** FUZZ_KEEP_GOING=1: report every mismatching command once instead of stopping at the first (triage). */
const KEEP_GOING = process.env['FUZZ_KEEP_GOING'] === '1';
/** FUZZ_PROBE_KEY=k: after every command naming k, also ask both servers OBJECT ENCODING k (triage: finds where an encoding first parts). */
const PROBE_KEY = process.env['FUZZ_PROBE_KEY'];
/** FUZZ_HISTORY_FILE=path: at a mismatch, write every command generated so far there, numbered, the mismatching one marked (triage). */
const HISTORY_FILE = process.env['FUZZ_HISTORY_FILE'];
/** FUZZ_INSPECT='GET a;TYPE b': sends these commands to both servers after the last one and prints the replies. */
const INSPECT = (process.env['FUZZ_INSPECT'] ?? '').split(';').filter((command) => command !== '');
/** Commands generated before they are sent (the pair pipelines them; a mismatch still names its own command). */
const BATCH = 256;
/**
 * Both servers run their cron 100 times a second, so a blocking command's 10 ms timeout ends within ~10 ms
 * instead of Redis's default 100 ms tick (hz 10): the fuzzer sends thousands of them.
 */
const SERVER_ARGS = ['--hz', '100'];

describe.runIf(enabled)('differential fuzz against real Redis', () => {
  let pair: DifferentialPair;
  beforeAll(async () => {
    pair = await DifferentialPair.start({ args: SERVER_ARGS });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  test(`${COMMANDS} random commands, seed ${SEED}`, async () => {
    console.log(`differential fuzz: SEED=${SEED} FUZZ_COMMANDS=${COMMANDS}`);
    const table = pair.strongbox.server.engine.table.commands;
    const usable = Object.keys(GENERATORS).filter((name) => table.has(name)).sort();
    const noGenerator = [...table.keys()].filter((name) => GENERATORS[name] === undefined && NOT_FUZZED[name] === undefined).sort();
    const notImplemented = Object.keys(GENERATORS).filter((name) => !table.has(name)).sort();
    console.log(`fuzzing ${usable.length} commands: ${usable.join(' ')}`);
    if (noGenerator.length > 0) console.log(`SKIPPED (implemented, no generator yet): ${noGenerator.join(' ')}`);
    if (notImplemented.length > 0) console.log(`skipped (generator ready, not implemented yet): ${notImplemented.join(' ')}`);
    for (const known of KNOWN_BUGS) console.log(`SKIPPED (known bug), commands that would hit: ${known.bug}`);
    expect(usable.length).toBeGreaterThan(0);

    const ctx: GenContext = { rng: new Rng(SEED), fuzzyTtlKeys: new Set() };
    const history: string[][] = [];
    const exercised = new Set<string>();
    const tableName = (args: readonly string[]): string | null => {
      const name = (args[0] ?? '').toLowerCase();
      const spec = table.get(name);
      if (spec === undefined) return null;
      if (spec.subcommands === undefined) return name;
      const sub = (args[1] ?? '').toLowerCase();
      return spec.subcommands.has(sub) ? `${name}|${sub}` : null;
    };
    const nextCommand = (names: readonly string[] = usable): string[] => {
      for (;;) {
        const name = ctx.rng.pick(names);
        const args = GENERATORS[name]!(ctx);
        const spec = table.get(name)!;
        // Containers (OBJECT, CLIENT, XGROUP...): only subcommands Strongbox has.
        if (spec.subcommands !== undefined && spec.handler === undefined && !spec.subcommands.has((args[1] ?? '').toLowerCase())) continue;
        const command = mutate(ctx.rng, args);
        if (KNOWN_BUGS.some((known) => known.matches(command))) continue;
        return command;
      }
    };

    const reported = new Set<string>();
    const onResult = (mismatch: Mismatch | null): void => {
      if (mismatch === null) return;
      const args = mismatch.command;
      const before = history.slice(0, mismatch.index);
      const context = before.slice(-14).map((h) => `    ${h.map((a) => escapeBytes(a, 40)).join(' ')}`).join('\n');
      // The key is the first argument of most commands; for EXEC, the key last watched.
      // For OBJECT/DEBUG subcommands, the key after the subcommand.
      const keyArg = (/^(object|debug)$/i.test(args[0] ?? '') ? args[2] : args[1]) ?? [...before].reverse().find((h) => /^watch$/i.test(h[0] ?? ''))?.[1] ?? '';
      const touching = before.filter((h) => h.includes(keyArg) || /^(select|flushdb|flushall|swapdb|move)$/i.test(h[0] ?? '')).slice(-60);
      const keyContext = touching.map((h) => `    ${h.map((a) => escapeBytes(a, 40)).join(' ')}`).join('\n');
      const report = `${formatMismatch(mismatch, SEED)}\n  preceding commands:\n${context}\n  earlier commands naming ${JSON.stringify(keyArg)} (and db switches):\n${keyContext}`;
      if (HISTORY_FILE !== undefined) writeFileSync(HISTORY_FILE, history.map((h, i) => `${i === mismatch.index ? ">>> " : ""}${i} ${h.map((a) => escapeBytes(a, 80)).join(" ")}\n`).join(""));
      if (!KEEP_GOING) throw new Error(report);
      // Triage mode: report each mismatching command name once and carry on (later replies may cascade).
      const name = args[0]!.toLowerCase();
      if (!reported.has(name)) console.log(report);
      reported.add(name);
    };
    // Commands wait in `batch` (in history order) until sent; history[i] is the command the pair numbers i.
    let batch: string[][] = [];
    const queue = (args: string[]): void => {
      history.push(args);
      batch.push(args);
      const name = tableName(args);
      if (name !== null) exercised.add(name);
      if (PROBE_KEY !== undefined && args.slice(1).includes(PROBE_KEY) && !/^(multi|exec|discard|watch|object)$/i.test(args[0] ?? '')) queue(['OBJECT', 'ENCODING', PROBE_KEY]);
    };
    const flush = async (): Promise<void> => {
      const sending = batch;
      batch = [];
      for (const result of await pair.sendBatch(sending)) onResult(result);
    };
    /** A command, and now and then right after a write the OBJECT ENCODING of the key it wrote. */
    const queueCommand = (args: string[], inMulti: boolean): void => {
      const clearErrno = clearErrnoFor(args);
      if (clearErrno !== null) queue(clearErrno);
      queue(args);
      const settle = settleExpiry(args);
      if (settle !== null) queue(settle);
      const spec = table.get((args[0] ?? '').toLowerCase());
      const written = args[1];
      if (inMulti || spec === undefined || (spec.flags & F.write) === 0 || written === undefined || !ctx.rng.chance(0.25)) return;
      queue(['OBJECT', 'ENCODING', written]);
    };

    while (history.length < COMMANDS) {
      if (batch.length >= BATCH) await flush();
      const r = ctx.rng.next();
      if (r < 0.04) {
        // A transaction: sometimes watched, sometimes discarded, sometimes with a queuing error.
        const watch = ['WATCH', key(ctx)];
        if (ctx.rng.chance(0.3) && table.has('watch') && !KNOWN_BUGS.some((known) => known.matches(watch))) queue(watch);
        queue(['MULTI']);
        const n = 1 + ctx.rng.int(6);
        for (let i = 0; i < n; i++) {
          const args = nextCommand();
          const name = args[0]!.toLowerCase();
          if (name === 'scan' || name === 'sscan' || name === 'hscan' || name === 'zscan' || name === 'watch') continue;
          // Lex ranges over a zset of mixed scores are unspecified; the pair checks for that outside MULTI only.
          if (lexRangeKey(args) !== null) continue;
          // In a transaction Redis's OBJECT REFCOUNT counts the queued arguments too (SPEC.md, Deviations).
          if (name === 'object' && args[1]?.toUpperCase() === 'REFCOUNT') continue;
          queueCommand(args, true);
          // SPOP pops different members on each server; the pair re-syncs the set after EXEC, so nothing after it
          // in the transaction may depend on what was popped: it ends the transaction.
          if (name === 'spop') break;
        }
        queue([ctx.rng.chance(0.9) ? 'EXEC' : 'DISCARD']);
      } else if (r < 0.05) {
        queue(['SELECT', String(ctx.rng.int(3))]);
      } else if (r < 0.053) {
        queue(['HELLO', ctx.rng.pick(['2', '3'])]);
      } else if (r < 0.055) {
        queue([ctx.rng.pick(['NOSUCHCOMMAND', 'gEt', 'SeT']), 'k', 'v']);
      } else if (r < 0.057 && table.has('config')) {
        queue(thresholdConfig(ctx));
      } else if (r < 0.062) {
        // Clients blocked on other connections (now and then two, on shared keys: served oldest first), then
        // commands that may serve them (sometimes in a transaction).
        const scenario = [blockerCommand(ctx)];
        if (ctx.rng.chance(0.3)) {
          ctx.focus = scenario[0]!.keys;
          scenario.push(blockerCommand(ctx));
        }
        for (const args of scenario.flatMap((b) => b.setup)) queue(args);
        await flush();
        // A client blocked on several keys that one command signals together is served in the order of Redis's
        // blocking-keys dict, randomly seeded per process: SWAPDB signals every blocked key it brings, FLUSHDB
        // every blocked stream (XREADGROUP then gets -UNBLOCKED or -NOGROUP by that luck). Not fed to them.
        const multiKey = scenario.filter((b) => b.keys.length > 1);
        const hashOrdered = new Set(multiKey.length === 0 ? [] : multiKey.some((b) => b.args[0] === 'XREADGROUP') ? ['swapdb', 'flushdb', 'flushall'] : ['swapdb']);
        const names = [...new Set(scenario.flatMap((b) => b.feeders))].filter((name) => table.has(name) && !hashOrdered.has(name));
        ctx.focus = scenario.flatMap((b) => b.keys);
        // The first feeders listed are the ones that serve the first blocker (a push, ZADD, XADD): mostly one first.
        const feeders = Array.from({ length: 1 + ctx.rng.int(3) }, (_, i) => nextCommand(i === 0 && ctx.rng.chance(0.6) ? names.slice(0, 2) : names)).flatMap((args) => {
          const settle = settleExpiry(args);
          const clearErrno = clearErrnoFor(args);
          return [...(clearErrno === null ? [] : [clearErrno]), args, ...(settle === null ? [] : [settle])];
        });
        ctx.focus = undefined;
        const wrapped = ctx.rng.chance(0.25) ? [['MULTI'], ...feeders, ['EXEC']] : feeders;
        const blockers = scenario.map((b) => b.args);
        for (const args of [...blockers, ...wrapped]) {
          history.push(args);
          const name = tableName(args);
          if (name !== null) exercised.add(name);
        }
        for (const result of await pair.sendWhileBlocked(blockers, wrapped)) onResult(result);
      } else if (r < 0.064 && table.has('restore')) {
        // RESTORE of the bytes real Redis DUMPs (both servers load Redis's encoding), then its encoding.
        await flush();
        const [source, target] = [key(ctx), key(ctx)];
        const [dumped] = await pair.raw(['DUMP', source]);
        const payload = dumped.toString('latin1');
        if (payload.startsWith('$') && !payload.startsWith('$-1')) {
          const ttl = ctx.rng.chance(0.3) ? [FAR_FUTURE_MS, ctx.rng.pick([['ABSTTL'], []])].flat() : ['0'];
          const options = ctx.rng.chance(0.8) ? ['REPLACE'] : [];
          queue(['RESTORE', target, ttl[0]!, payload.slice(payload.indexOf('\r\n') + 2, -2), ...ttl.slice(1), ...options]);
          queue(['OBJECT', 'ENCODING', target]);
          if (ttl[0] !== '0' && ttl.length === 1) ctx.fuzzyTtlKeys.add(target);
        }
      } else {
        queueCommand(nextCommand(), false);
      }
    }
    await flush();
    for (const inspect of INSPECT) {
      const [a, b] = await pair.raw(inspect.split(' '));
      console.log(`FUZZ_INSPECT ${inspect}\n  redis:     ${escapeBytes(a)}\n  strongbox: ${escapeBytes(b)}`);
    }
    const all = [...table.entries()].flatMap(([name, spec]) => (spec.subcommands === undefined ? [name] : [...spec.subcommands.keys()].map((sub) => `${name}|${sub}`)));
    const missed = all.filter((name) => !exercised.has(name)).sort();
    const blockers = pair.blockerOutcomes;
    console.log(`coverage: ${all.length - missed.length} of ${all.length} commands of the table exercised (subcommands counted one by one) in ${history.length} commands; not exercised: ${missed.join(' ')}; clients blocked on other connections: ${blockers.served} served, ${blockers.released} released unserved, ${blockers.immediate} answered at once; lex ranges over mixed scores (unspecified) not sent: ${pair.unspecifiedSkipped}`);
    const issue3Missed = ISSUE_3_COMMANDS.filter((name) => !exercised.has(name));
    console.log(`issue #3: ${ISSUE_3_COMMANDS.length - issue3Missed.length} of ${ISSUE_3_COMMANDS.length} of its commands exercised; not exercised: ${issue3Missed.join(' ') || 'none'}`);
    if (COMMANDS >= 50_000) {
      const keptOut = (name: string): boolean => KNOWN_BUGS.some((known) => known.matches([name.split('|')[0]!.toUpperCase(), 'k', 'm']));
      expect(issue3Missed.filter((name) => !keptOut(name)), 'issue #3 commands never generated').toEqual([]);
    }
    if (table.has('debug')) {
      const [a, b] = await pair.raw(['DEBUG', 'DIGEST']);
      expect(escapeBytes(b), `DEBUG DIGEST at the end (seed ${SEED})`).toBe(escapeBytes(a));
    } else {
      console.log('DEBUG not implemented: final DEBUG DIGEST comparison skipped');
    }
    expect(pair.mismatches).toEqual([]);
  }, 600_000);
});

/** Now and then breaks a command's shape: a missing or an extra argument, to run arity and syntax errors. */
function mutate(rng: Rng, args: string[]): string[] {
  const r = rng.next();
  if (r < 0.015 && args.length > 1) return args.slice(0, -1);
  if (r < 0.03) return [...args, 'extra'];
  return args;
}
