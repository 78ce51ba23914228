// Differential driver: sends one command sequence to real Redis and to Strongbox over one connection each
// (pipelined in runs, see `sendBatch`) and compares the replies as raw RESP bytes (RESP2, or RESP3 after HELLO 3).
// Only replies that Redis itself orders at random, or that carry the instant a server ran a command, are
// canonicalized (see `canonicalKind`); everything else must be byte-identical. Blocked clients live on extra
// connections (`sendWhileBlocked`).
import { connectRaw, startRealRedis, type RawClient, type RealRedis } from './real-redis.js';
import { startStrongbox, type Strongbox } from './strongbox.js';

/** A parsed RESP2/RESP3 reply: the type byte, its header line, children for aggregates, the raw bytes. */
export interface RespNode {
  type: string;
  head: string;
  children: RespNode[];
  raw: Buffer;
}

/** Parses one complete reply starting at `start`; returns the node and the offset after it. */
export function parseNode(buf: Buffer, start = 0): { node: RespNode; end: number } {
  const lineEnd = buf.indexOf('\r\n', start, 'latin1');
  if (lineEnd < 0) throw new Error('incomplete reply');
  const type = String.fromCharCode(buf[start] ?? 0);
  const head = buf.toString('latin1', start + 1, lineEnd);
  let end = lineEnd + 2;
  const children: RespNode[] = [];
  if (type === '$' || type === '=' || type === '!') {
    const length = Number(head);
    if (length >= 0) end += length + 2;
  } else if (type === '*' || type === '~' || type === '%' || type === '>' || type === '|') {
    const count = Number(head) * (type === '%' || type === '|' ? 2 : 1);
    for (let i = 0; i < count; i++) {
      const child = parseNode(buf, end);
      children.push(child.node);
      end = child.end;
    }
  }
  return { node: { type, head, children, raw: buf.subarray(start, end) }, end };
}

/** How a reply is compared. `exact` is the default; the others are for replies Redis orders at random. */
export type CanonicalKind =
  | 'exact'
  /** An aggregate whose elements come in hash-table order: compared as a sorted multiset. */
  | 'unordered'
  /** A flat field/value (or member/score) aggregate in hash-table order: compared as sorted pairs. */
  | 'unordered-pairs'
  /** A random pick (SPOP, SRANDMEMBER, RANDOMKEY...): only the reply's type and element count are compared. */
  | 'random-pick'
  /** HELLO: exact, except the `id` field (each process numbers its connections its own way). */
  | 'client-id'
  /**
   * XINFO, XPENDING: exact, except what depends on the instant each server ran a command: absolute millisecond
   * times (delivery and seen times, 13 digits from 1...) and idle times (XINFO CONSUMERS, XPENDING entries).
   */
  | 'stream-times'
  /**
   * DUMP: exact, except payloads of hash-table sets and hashes (RDB types 2 and 4), which Redis writes in hash
   * order: for those only the type byte and the length are compared; and streams (RDB types 15 and 19), whose
   * consumer seen-times and pending delivery times are the instant each server ran a command: those (and so
   * the CRC) are masked. Lists (RDB type 18) compare exactly: Strongbox keeps Redis's quicklist node layout.
   */
  | 'dump';

function sortedChildren(node: RespNode, pairs: boolean): string[] {
  const parts: string[] = [];
  const step = pairs && node.type !== '%' ? 2 : 1;
  if (node.type === '%') {
    for (let i = 0; i + 1 < node.children.length; i += 2) {
      parts.push(node.children[i]!.raw.toString('latin1') + node.children[i + 1]!.raw.toString('latin1'));
    }
  } else {
    for (let i = 0; i < node.children.length; i += step) {
      let item = '';
      for (let j = 0; j < step; j++) item += node.children[i + j]?.raw.toString('latin1') ?? '';
      parts.push(item);
    }
  }
  return parts.sort();
}

/**
 * A stream DUMP reply with every 8-byte little-endian integer within a day of now (a millisecond time) masked,
 * and the trailing CRC-64 with them. Payload bytes start at `start` and end before the final CRLF.
 */
function maskStreamDumpTimes(text: string, start: number): string {
  const payload = Buffer.from(text.slice(start, -2), 'latin1');
  const nowMs = Date.now();
  const chars = text.slice(start, -2).split('');
  for (let i = 0; i + 8 <= payload.length - 8; i++) {
    const value = Number(payload.readBigUInt64LE(i));
    if (Math.abs(value - nowMs) < 86_400_000) chars.fill('T', i, i + 8);
  }
  chars.fill('C', Math.max(0, chars.length - 8));
  return `${text.slice(0, start)}${chars.join('')}\r\n`;
}

/** True when two replies compare equal under `kind`: their canonical forms are equal. */
export function sameReply(redis: Buffer, strongbox: Buffer, kind: CanonicalKind): boolean {
  return canonical(redis, kind) === canonical(strongbox, kind);
}

/** The comparable form of a reply under `kind`. */
export function canonical(reply: Buffer, kind: CanonicalKind): string {
  const text = reply.toString('latin1');
  if (kind === 'exact') return text;
  if (kind === 'dump') {
    const start = text.indexOf('\r\n') + 2;
    const type = text.charCodeAt(start);
    if (!text.startsWith('$')) return text;
    if (type === 2 || type === 4) return `${text.slice(0, start)}<type ${type} in hash order>`;
    return type === 15 || type === 19 ? maskStreamDumpTimes(text, start) : text;
  }
  if (kind === 'client-id') return text.replace(/(\$2\r\nid\r\n):\d+\r\n/, '$1:<id>\r\n');
  if (kind === 'stream-times') {
    return text
      .replace(/:1\d{12}\r\n/g, ':<time>\r\n')
      .replace(/(\$4\r\nidle\r\n:)-?\d+/g, '$1<idle>')
      .replace(/(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n:)-?\d+/g, '$1<idle>');
  }
  const { node } = parseNode(reply);
  if (node.children.length === 0) return kind === 'random-pick' && node.type === '$' && node.head !== '-1' ? '$<member>' : text;
  if (kind === 'random-pick') {
    // RESP3 nested pairs (ZRANDMEMBER WITHSCORES) keep their shape: count the outer elements and inner sizes.
    return `${node.type}${node.head}[${node.children.map((c) => c.type + (c.children.length > 0 ? c.head : '')).join(',')}]`;
  }
  return `${node.type}${node.head}{${sortedChildren(node, kind === 'unordered-pairs').join('|')}}`;
}

/**
 * The members a random-pick reply names: a single bulk, flat bulks, the first element of nested pairs (RESP3
 * WITHSCORES/WITHVALUES), or every other element of a flat RESP2 pair list when `flatPairs`.
 */
export function pickedMembers(reply: Buffer, flatPairs = false): string[] {
  const { node } = parseNode(reply);
  if (node.type === '$') return Number(node.head) < 0 ? [] : [bulkText(node)];
  const out: string[] = [];
  const step = flatPairs && node.children.every((c) => c.children.length === 0) ? 2 : 1;
  for (let i = 0; i < node.children.length; i += step) {
    const c = node.children[i]!;
    if (c.type !== '$' && c.children.length === 0) continue;
    out.push(c.children.length > 0 ? bulkText(c.children[0]!) : bulkText(c));
  }
  return out;
}

function bulkText(node: RespNode): string {
  const start = node.raw.indexOf('\r\n', 0, 'latin1') + 2;
  return node.raw.toString('latin1', start, node.raw.length - 2);
}

/** Escapes reply bytes for a report: printable ASCII as is, CR/LF as \r\n, the rest as \xHH. */
export function escapeBytes(bytes: Buffer | string, max = 600): string {
  const s = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s.length > max ? `${out}... (${s.length} bytes)` : out;
}

export interface Mismatch {
  index: number;
  command: string[];
  redis: Buffer;
  strongbox: Buffer;
  kind: CanonicalKind;
}

/** A readable mismatch report: index, command, both replies escaped, and the seed to replay it. */
export function formatMismatch(m: Mismatch, seed: number | string): string {
  return [
    `differential mismatch at command #${m.index} (seed ${seed}; replay with SEED=${seed})`,
    `  command:   ${m.command.map((a) => JSON.stringify(escapeBytes(a, 80))).join(' ')}`,
    `  compared:  ${m.kind}`,
    `  redis:     ${escapeBytes(m.redis)}`,
    `  strongbox: ${escapeBytes(m.strongbox)}`,
  ].join('\n');
}

const SCAN_COMMANDS = new Set(['scan', 'sscan', 'hscan', 'zscan']);

/**
 * Which canonicalization a command's reply needs, before looking at encodings. `encoding` is the key's
 * OBJECT ENCODING on real Redis (asked only for SMEMBERS and the hash readers), undefined when not asked.
 */
export function canonicalKind(args: readonly string[], encoding?: string): CanonicalKind {
  const name = (args[0] ?? '').toLowerCase();
  switch (name) {
    case 'smembers':
      return encoding === 'intset' || encoding === 'listpack' ? 'exact' : 'unordered';
    case 'sunion':
    case 'sinter':
    case 'sdiff':
      return 'unordered';
    case 'hkeys':
    case 'hvals':
      return encoding === 'listpack' || encoding === 'ziplist' ? 'exact' : 'unordered';
    case 'hgetall':
      return encoding === 'listpack' || encoding === 'ziplist' ? 'exact' : 'unordered-pairs';
    case 'keys':
      return 'unordered';
    case 'hello':
      return 'client-id';
    case 'xinfo':
    case 'xpending':
      return 'stream-times';
    case 'dump':
      return 'dump';
    case 'spop':
    case 'srandmember':
    case 'hrandfield':
    case 'zrandmember':
    case 'randomkey':
      return 'random-pick';
    default:
      return 'exact';
  }
}

/** Commands whose reply order depends on the key's encoding, so the driver asks real Redis for it. */
const ENCODING_PROBED = new Set(['smembers', 'hkeys', 'hvals', 'hgetall']);

/**
 * The OBJECT ENCODING request (to real Redis only, right after the command, which already ran lazy expiry on
 * the key) that decides how `args`'s reply is compared, or null when its comparison does not depend on it.
 */
function encodingProbe(args: readonly string[]): string[] | null {
  const key = args[1];
  return ENCODING_PROBED.has((args[0] ?? '').toLowerCase()) && key !== undefined ? ['OBJECT', 'ENCODING', key] : null;
}

/** The text of a bulk-string reply, or undefined for anything else (a null, an error, no reply). */
function bulkOrUndefined(reply: Buffer | undefined): string | undefined {
  if (reply === undefined || reply[0] !== 0x24 /* '$' */) return undefined;
  const text = reply.toString('latin1');
  return text.startsWith('$-1') ? undefined : text.slice(text.indexOf('\r\n') + 2, -2);
}

/** An extra connection for a blocking command, and its CLIENT ID. */
interface BlockerConnection {
  client: RawClient;
  id: string;
}

/** Commands in flight at once on each connection when pipelining. */
const PIPELINE_DEPTH = 64;

/** How one command is sent and compared (see `DifferentialPair.plan`). */
interface Plan {
  index: number;
  args: string[];
  /** Lowercase command name. */
  name: string;
  /** Sent inside MULTI (queued): compared exactly, as +QUEUED or a queuing error. */
  inMulti: boolean;
  /** For an EXEC that ends a transaction: the commands it runs, in order. */
  execQueued: string[][] | null;
  /** Requests to real Redis sent right behind the command (encoding probes), replies in order. */
  probes: string[][];
  /** Sent alone, after everything before it was answered, because its comparison asks the servers more. */
  solo: boolean;
  /** A SCAN-family iteration (solo). */
  scan: boolean;
  /** For a lex-range command outside MULTI (solo): the zset key it reads, checked first (see `lexRangeKey`). */
  lexKey: string | null;
  /** DEBUG RELOAD, alone or in the EXEC (solo): hash order is re-synced after it (see `resyncHashOrder`). */
  reload: boolean;
}

function isReload(args: readonly string[]): boolean {
  return /^debug$/i.test(args[0] ?? '') && /^reload$/i.test(args[1] ?? '');
}

const LEX_COMMANDS = new Set(['zrangebylex', 'zrevrangebylex', 'zlexcount', 'zremrangebylex']);

/**
 * The key a lex-range command walks, or null for other commands. Redis documents lex ranges over a sorted set
 * with different scores as unspecified: on a skiplist the answer depends on the random node levels, so such a
 * command is not compared (nor sent, as a ZREMRANGEBYLEX would make the servers diverge).
 */
export function lexRangeKey(args: readonly string[]): string | null {
  const name = (args[0] ?? '').toLowerCase();
  if (LEX_COMMANDS.has(name)) return args[1] ?? null;
  if (!args.some((a) => a.toLowerCase() === 'bylex')) return null;
  if (name === 'zrange') return args[1] ?? null;
  if (name === 'zrangestore') return args[2] ?? null;
  return null;
}

export interface DifferentialOptions {
  /** Extra redis-server arguments for both servers. */
  args?: string[];
}

/** One side of the comparison. */
interface Side {
  client: RawClient;
  call(args: string[]): Promise<Buffer>;
}

/**
 * A pair of servers (real Redis, in-process Strongbox) and one connection to each, fed the same commands.
 * Keeps track of MULTI so replies inside EXEC are canonicalized per queued command.
 */
export class DifferentialPair {
  readonly redis: RealRedis;
  readonly strongbox: Strongbox;
  private readonly a: Side;
  private readonly b: Side;
  /** Commands queued since MULTI on the compared connection (null outside a transaction). */
  private queued: string[][] | null = null;
  index = 0;
  readonly mismatches: Mismatch[] = [];
  /** Extra connections for blocked-client scenarios (see `sendWhileBlocked`), opened on first use. */
  private readonly blockers: BlockerConnection[][] = [];
  /** What happened to the blockers on real Redis: answered at once, served by a feeder, released unserved. */
  readonly blockerOutcomes = { immediate: 0, served: 0, released: 0 };
  /** Lex-range commands not sent because their answer is unspecified (see `lexRangeKey`). */
  unspecifiedSkipped = 0;

  private constructor(redis: RealRedis, strongbox: Strongbox, a: RawClient, b: RawClient) {
    this.redis = redis;
    this.strongbox = strongbox;
    this.a = { client: a, call: (args) => a.call(...args) };
    this.b = { client: b, call: (args) => b.call(...args) };
  }

  static async start(options: DifferentialOptions = {}): Promise<DifferentialPair> {
    const args = ['--enable-debug-command', 'yes', ...(options.args ?? [])];
    const [redis, strongbox] = await Promise.all([startRealRedis(args), startStrongbox(args)]);
    const [a, b] = await Promise.all([connectRaw(redis.port), connectRaw(strongbox.port)]);
    return new DifferentialPair(redis, strongbox, a, b);
  }

  async stop(): Promise<void> {
    this.a.client.socket.destroy();
    this.b.client.socket.destroy();
    for (const c of this.blockers.flat()) c.client.socket.destroy();
    await Promise.all([this.redis.stop(), this.strongbox.stop()]);
  }

  /** Sends `args` to both servers unchanged and returns both raw replies (no comparison). */
  async raw(args: string[]): Promise<[Buffer, Buffer]> {
    return Promise.all([this.a.call(args), this.b.call(args)]);
  }

  /**
   * Sends one command to both and compares. Returns the mismatch (also recorded), or null. SCAN-family commands
   * with cursor 0 iterate to the end on each server and compare the union of what they returned.
   */
  async send(args: string[]): Promise<Mismatch | null> {
    return (await this.sendBatch([args]))[0] ?? null;
  }

  /**
   * Sends commands in order and compares each reply; returns one result per command (a mismatch, also recorded,
   * or null). Runs of commands whose comparison needs nothing but their replies are pipelined (up to
   * PIPELINE_DEPTH at a time on each connection); a command whose comparison must look at the servers right
   * after it (SCAN iteration, random picks checked against Redis, SPOP re-sync, EXEC of a queued SPOP) is sent
   * alone, after the run before it has been answered. An encoding probe (OBJECT ENCODING to real Redis) rides in
   * the pipeline right behind its command, so it sees the state the command left.
   */
  async sendBatch(batch: readonly string[][]): Promise<(Mismatch | null)[]> {
    const results: (Mismatch | null)[] = [];
    let run: Plan[] = [];
    const flush = async (): Promise<void> => {
      if (run.length === 0) return;
      const sent = run.map((plan) => ({
        plan,
        replies: Promise.all([this.a.call(plan.args), this.b.call(plan.args)]),
        probes: Promise.all(plan.probes.map((probe) => this.a.call(probe))),
      }));
      run = [];
      for (const { plan, replies, probes } of sent) {
        const [ra, rb] = await replies;
        results.push(await this.evaluate(plan, ra, rb, await probes));
      }
    };
    for (const args of batch) {
      const plan = this.plan(args);
      if (!plan.solo) {
        run.push(plan);
        if (run.length >= PIPELINE_DEPTH) await flush();
        continue;
      }
      await flush();
      if (plan.scan) {
        results.push(await this.scanBoth(plan.index, args));
        continue;
      }
      if (plan.lexKey !== null && (await this.lexUnspecified(plan.lexKey))) {
        this.unspecifiedSkipped++;
        results.push(null);
        continue;
      }
      const [ra, rb] = await this.raw(args);
      results.push(await this.evaluate(plan, ra, rb, await Promise.all(plan.probes.map((probe) => this.a.call(probe)))));
    }
    await flush();
    return results;
  }

  /**
   * Decides how `args` is sent and compared, and advances the transaction state as the servers will (MULTI opens
   * a queue, EXEC/DISCARD/RESET close it; a MULTI that is nested or has arguments fails and changes nothing).
   */
  private plan(args: string[]): Plan {
    const index = this.index++;
    const name = (args[0] ?? '').toLowerCase();
    const inMulti = this.queued !== null;
    const plan: Plan = { index, args, name, inMulti, execQueued: null, probes: [], solo: false, scan: false, lexKey: null, reload: false };
    if (SCAN_COMMANDS.has(name) && !inMulti) {
      plan.solo = plan.scan = true;
      return plan;
    }
    if (inMulti && name !== 'exec' && name !== 'discard' && name !== 'multi') this.queued!.push(args);
    if (name === 'multi' && !inMulti && args.length === 1) this.queued = [];
    if (name === 'discard' || name === 'reset') this.queued = null;
    if (name === 'exec' && inMulti) {
      plan.execQueued = this.queued ?? [];
      this.queued = null;
      plan.probes = plan.execQueued.map(encodingProbe).filter((probe) => probe !== null);
      plan.reload = plan.execQueued.some(isReload);
      plan.solo = plan.reload || plan.execQueued.some((q) => (q[0] ?? '').toLowerCase() === 'spop');
      return plan;
    }
    if (inMulti) return plan;
    const probe = encodingProbe(args);
    if (probe !== null) plan.probes = [probe];
    plan.lexKey = lexRangeKey(args);
    plan.reload = isReload(args);
    plan.solo = canonicalKind(args) === 'random-pick' || plan.lexKey !== null || plan.reload;
    return plan;
  }

  /**
   * Clients blocked on other connections, served (or not) by the compared one: each of `blockers` (blocking
   * commands with a long timeout) goes to its own extra connection on each server, in the db and protocol of the
   * compared one, and the next is sent only once both servers hold the previous one blocked (or answered it), so
   * they queue in the same order (fairness); then `feeders` run on the compared connection like any command; a
   * blocker still blocked after them is released with CLIENT UNBLOCK (as a timeout), so nothing waits on a clock.
   * Returns one result per blocker, then one per feeder, in the order their indexes were taken.
   */
  async sendWhileBlocked(blockers: readonly string[][], feeders: readonly string[][]): Promise<(Mismatch | null)[]> {
    if (this.queued !== null) throw new Error('assertion failed: sendWhileBlocked inside MULTI');
    const connections = await this.blockerConnections(blockers.length);
    const info = (await this.a.call(['CLIENT', 'INFO'])).toString('latin1');
    const db = /\bdb=(\d+)/.exec(info)?.[1] ?? '0';
    const resp = /\bresp=(\d)/.exec(info)?.[1] ?? '2';
    await Promise.all(connections.flat().map((c) => Promise.all([c.client.call('HELLO', resp), c.client.call('SELECT', db)])));
    const sent: { index: number; args: string[]; answered: boolean[]; replies: Promise<Buffer[]> }[] = [];
    for (let k = 0; k < blockers.length; k++) {
      const args = blockers[k]!;
      const answered = [false, false];
      const replies = Promise.all(connections[k]!.map((c, side) => c.client.call(...args).then((reply) => {
        answered[side] = true;
        return reply;
      })));
      const blocker = { index: this.index++, args, answered, replies };
      sent.push(blocker);
      // Wait until each server holds every unanswered blocker so far blocked.
      for (const deadlineMs = Date.now() + 10_000; ;) {
        const counts = await Promise.all([this.a, this.b].map((main) => this.blockedClients(main)));
        const expected = [0, 1].map((side) => sent.slice(0, k + 1).filter((s) => !s.answered[side]).length);
        if (counts[0] === expected[0] && counts[1] === expected[1]) break;
        if (Date.now() > deadlineMs) throw new Error(`blocker ${blocker.args.join(' ')} neither blocked nor answered in 10 s`);
      }
    }
    const blockedOnRedis = sent.map((s) => !s.answered[0]);
    const results: (Mismatch | null)[] = sent.map(() => null);
    results.push(...(await this.sendBatch(feeders)));
    for (let k = 0; k < sent.length; k++) {
      const [unblockedA] = await Promise.all([this.a, this.b].map((main, side) => main.call(['CLIENT', 'UNBLOCK', connections[k]![side]!.id])));
      const released = unblockedA!.toString('latin1') === ':1\r\n';
      this.blockerOutcomes[!blockedOnRedis[k] ? 'immediate' : released ? 'released' : 'served']++;
    }
    for (let k = 0; k < sent.length; k++) {
      const { index, args, replies } = sent[k]!;
      const [ra, rb] = await replies;
      const kind = canonicalKind(args);
      if (!sameReply(ra!, rb!, kind)) results[k] = this.record({ index, command: args, redis: ra!, strongbox: rb!, kind });
    }
    return results;
  }

  /** True when real Redis holds `key` as a skiplist zset whose scores are not all equal. */
  private async lexUnspecified(key: string): Promise<boolean> {
    const [encoding, first, last] = await Promise.all([
      this.a.call(['OBJECT', 'ENCODING', key]),
      this.a.call(['ZRANGE', key, '0', '0', 'WITHSCORES']),
      this.a.call(['ZRANGE', key, '-1', '-1', 'WITHSCORES']),
    ]);
    if (bulkOrUndefined(encoding) !== 'skiplist') return false;
    // One member with its score: flat in RESP2, a nested pair in RESP3.
    const score = (reply: Buffer): string | undefined => {
      const { node } = parseNode(reply);
      const pair = node.children[0]?.children.length === 2 ? node.children[0] : node;
      return pair?.children[1]?.raw.toString('latin1');
    };
    return score(first) !== score(last);
  }

  private async blockedClients(side: Side): Promise<number> {
    const text = (await side.call(['INFO', 'clients'])).toString('latin1');
    return Number(/blocked_clients:(\d+)/.exec(text)?.[1] ?? '0');
  }

  /** `count` extra connections to each server ([redis, strongbox] each), with their CLIENT IDs; opened on first use. */
  private async blockerConnections(count: number): Promise<BlockerConnection[][]> {
    while (this.blockers.length < count) {
      const clients = await Promise.all([connectRaw(this.redis.port), connectRaw(this.strongbox.port)]);
      const ids = await Promise.all(clients.map(async (c) => (await c.call('CLIENT', 'ID')).toString('latin1').slice(1, -2)));
      this.blockers.push(clients.map((client, i) => ({ client, id: ids[i]! })));
    }
    return this.blockers.slice(0, count);
  }

  /** Compares the replies of a planned command; for a solo one, also checks picks and re-syncs SPOP. */
  private async evaluate(plan: Plan, ra: Buffer, rb: Buffer, probeReplies: Buffer[]): Promise<Mismatch | null> {
    const { index, args, name, inMulti } = plan;
    if (plan.execQueued !== null) {
      const queued = plan.execQueued;
      let next = 0;
      const kinds = queued.map((q) => (encodingProbe(q) === null ? canonicalKind(q) : canonicalKind(q, bulkOrUndefined(probeReplies[next++]))));
      const mismatch = this.compareExec(index, args, ra, rb, kinds);
      if (mismatch === null) await this.resyncAfterExec(queued, ra, rb);
      if (mismatch === null && plan.reload) await this.resyncHashOrder();
      return mismatch;
    }
    const kind = inMulti ? 'exact' : canonicalKind(args, bulkOrUndefined(probeReplies[0]));
    if (!sameReply(ra, rb, kind)) return this.record({ index, command: args, redis: ra, strongbox: rb, kind });
    if (kind === 'random-pick' && !inMulti && !(await this.picksAreMembers(args, ra, rb))) {
      return this.record({ index, command: args, redis: ra, strongbox: rb, kind: 'random-pick' });
    }
    if (!inMulti && name === 'spop') await this.resyncSpop(args, ra, rb);
    if (plan.reload) await this.resyncHashOrder();
    return null;
  }

  /**
   * After DEBUG RELOAD: a hash Redis held as a hash table is saved in its hash order (randomly seeded per
   * process) and, if it fits, loaded back as a listpack in that order, so from then on its field order is
   * Redis's luck. For every listpack hash whose HGETALL differs only in order, Strongbox gets Redis's copy
   * (DUMP/RESTORE with the same absolute TTL); a difference in content stays, for the comparisons to find.
   */
  private async resyncHashOrder(): Promise<void> {
    const [ra, rb] = await Promise.all([connectRaw(this.redis.port), connectRaw(this.strongbox.port)]);
    try {
      const keyspace = (await ra.call('INFO', 'keyspace')).toString('latin1');
      for (const [, db] of keyspace.matchAll(/^db(\d+):/gm)) {
        await Promise.all([ra.call('SELECT', db!), rb.call('SELECT', db!)]);
        let cursor = '0';
        do {
          const { node } = parseNode(await ra.call('SCAN', cursor, 'TYPE', 'hash', 'COUNT', '1000'));
          cursor = bulkText(node.children[0]!);
          for (const child of node.children[1]!.children) {
            const key = bulkText(child);
            if (bulkOrUndefined(await ra.call('OBJECT', 'ENCODING', key)) !== 'listpack') continue;
            const [ha, hb] = await Promise.all([ra.call('HGETALL', key), rb.call('HGETALL', key)]);
            if (ha.equals(hb) || !sameReply(ha, hb, 'unordered-pairs')) continue;
            const payload = bulkOrUndefined(await ra.call('DUMP', key));
            const expireAt = Number((await ra.call('PEXPIRETIME', key)).toString('latin1').slice(1, -2));
            if (payload === undefined) continue;
            const ttl = expireAt > 0 ? [String(expireAt), Buffer.from(payload, 'latin1'), 'ABSTTL'] : ['0', Buffer.from(payload, 'latin1')];
            await rb.call('RESTORE', key, ...ttl, 'REPLACE');
          }
        } while (cursor !== '0');
      }
    } finally {
      ra.socket.destroy();
      rb.socket.destroy();
    }
  }

  private compareExec(index: number, args: string[], ra: Buffer, rb: Buffer, kinds: CanonicalKind[]): Mismatch | null {
    const na = parseNode(ra).node;
    const nb = parseNode(rb).node;
    const aggregate = na.type === '*' && nb.type === '*' && na.children.length === nb.children.length;
    if (!aggregate || na.children.length !== kinds.length) {
      return ra.equals(rb) ? null : this.record({ index, command: args, redis: ra, strongbox: rb, kind: 'exact' });
    }
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      if (!sameReply(na.children[i]!.raw, nb.children[i]!.raw, kind)) {
        return this.record({ index, command: args, redis: ra, strongbox: rb, kind });
      }
    }
    return null;
  }

  private async resyncAfterExec(queued: string[][], ra: Buffer, rb: Buffer): Promise<void> {
    if (!queued.some((q) => (q[0] ?? '').toLowerCase() === 'spop')) return;
    const na = parseNode(ra).node;
    const nb = parseNode(rb).node;
    for (let i = 0; i < queued.length; i++) {
      const q = queued[i]!;
      if ((q[0] ?? '').toLowerCase() !== 'spop') continue;
      const ca = na.children[i];
      const cb = nb.children[i];
      if (ca !== undefined && cb !== undefined) await this.resyncSpop(q, Buffer.from(ca.raw), Buffer.from(cb.raw));
    }
  }

  /**
   * Membership half of a random-pick comparison: every element Strongbox picked must exist in Redis's copy of the
   * key (for SPOP: still there, or popped by Redis too). Asked of real Redis with read-only commands.
   */
  private async picksAreMembers(args: string[], ra: Buffer, rb: Buffer): Promise<boolean> {
    if (rb[0] === 0x2d /* '-' */) return true;
    const name = (args[0] ?? '').toLowerCase();
    const key = args[1] ?? '';
    const withValues = args.length > 3;
    const ours = [...new Set(pickedMembers(rb, withValues))];
    if (ours.length === 0) return true;
    if (name === 'randomkey') return (await this.a.call(['EXISTS', ours[0]!])).toString('latin1') === ':1\r\n';
    const probe = name === 'hrandfield' ? 'HMGET' : name === 'zrandmember' ? 'ZMSCORE' : 'SMISMEMBER';
    const candidates = name === 'spop' ? ours.filter((m) => !pickedMembers(ra).includes(m)) : ours;
    if (candidates.length === 0) return true;
    const { node } = parseNode(await this.a.call([probe, key, ...candidates]));
    // A null is `$-1` (RESP2) or `_` (RESP3); a RESP3 double `,-1` is a score, not a null.
    const isNull = (c: RespNode): boolean => c.type === '_' || (c.type === '$' && c.head === '-1');
    return node.children.length === candidates.length && node.children.every((c) => !isNull(c) && c.raw.toString('latin1') !== ':0\r\n');
  }

  /**
   * SPOP removed different members on each side. Make Strongbox's set equal to Redis's again: add back what only
   * Strongbox popped, remove what only Redis popped. (Ordering of later replies is compared by the usual rules.)
   * Done on the in-process value, not with SADD/SREM: adding first could push the set past
   * set-max-intset-entries (lowered since it was built) and convert it, removing first could empty it and drop
   * the key with its TTL; the set only gets back members it held, so its encoding stays as Redis's.
   */
  private async resyncSpop(args: string[], ra: Buffer, rb: Buffer): Promise<void> {
    const key = args[1];
    if (key === undefined || ra[0] === 0x2d /* '-' */) return;
    const poppedByRedis = new Set(pickedMembers(ra));
    const poppedByUs = new Set(pickedMembers(rb));
    const addBack = [...poppedByUs].filter((m) => !poppedByRedis.has(m));
    const remove = [...poppedByRedis].filter((m) => !poppedByUs.has(m));
    if (addBack.length === 0 && remove.length === 0) return;
    const db = Number(/\bdb=(\d+)/.exec((await this.b.call(['CLIENT', 'INFO'])).toString('latin1'))?.[1] ?? '0');
    const keyspace = this.strongbox.server.engine.keyspace;
    const value = keyspace.db(db).dict.get(key)?.value;
    if (value === undefined && addBack.length > 0) {
      // Strongbox popped the last member(s) and dropped the key; Redis kept others: SADD recreates it.
      await this.b.call(['SADD', key, ...addBack]);
      if (remove.length > 0) await this.b.call(['SREM', key, ...remove]);
      return;
    }
    if (value === undefined || typeof value === 'string' || value.kind !== 'set') return;
    const relaxed = { ...keyspace.config, setMaxIntsetEntries: Number.MAX_SAFE_INTEGER };
    for (const m of addBack) value.add(m, relaxed);
    for (const m of remove) value.remove(m);
    if (value.size === 0) await this.b.call(['DEL', key]);
  }

  private async scanBoth(index: number, args: string[]): Promise<Mismatch | null> {
    const [ua, ub] = await Promise.all([scanAll(this.a, args), scanAll(this.b, args)]);
    if (ua === ub) return null;
    return this.record({ index, command: args, redis: Buffer.from(ua, 'latin1'), strongbox: Buffer.from(ub, 'latin1'), kind: 'unordered' });
  }

  private record(m: Mismatch): Mismatch {
    this.mismatches.push(m);
    return m;
  }
}

/**
 * Iterates a SCAN-family command from cursor 0 to the end (at most 10,000 calls) and returns the union of what
 * it returned in a comparable form: sorted, deduplicated elements (field/value pairs for HSCAN and ZSCAN). An
 * error or unexpected reply on the first call is returned as is.
 */
async function scanAll(side: Side, args: string[]): Promise<string> {
  const name = (args[0] ?? '').toLowerCase();
  const cursorIndex = name === 'scan' ? 1 : 2;
  const pairs = name === 'hscan' || name === 'zscan';
  const seen = new Set<string>();
  let cursor = args[cursorIndex] ?? '0';
  for (let calls = 0; calls < 10_000; calls++) {
    const callArgs = [...args];
    callArgs[cursorIndex] = cursor;
    const reply = await side.call(callArgs);
    const { node } = parseNode(reply);
    if (node.type !== '*' || node.children.length !== 2) return `${calls}:${reply.toString('latin1')}`;
    cursor = bulkText(node.children[0]!);
    const items = node.children[1]!.children;
    const step = pairs ? 2 : 1;
    for (let i = 0; i < items.length; i += step) {
      seen.add(items.slice(i, i + step).map((c) => c.raw.toString('latin1')).join(''));
    }
    if (cursor === '0') return `*${[...seen].sort().join('|')}`;
  }
  return 'scan did not finish in 10,000 calls';
}
