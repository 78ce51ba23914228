/**
 * Engine: runs commands against the keyspace — the part of Redis's `processCommand` and `call` that is about
 * commands, not sockets.
 *
 * It owns the checks before a handler runs (unknown command, arity, auth, transaction queuing, pub/sub context,
 * READONLY/MISCONF), the bookkeeping after (stats, slowlog, MONITOR, WATCH invalidation, waking blocked clients)
 * and the `propagate` path: every change a command makes leaves through `host.propagate` as the deterministic
 * commands that reproduce it (see SPEC.md, "Propagation"), which the server wires to the AOF and to replicas.
 * Commands never import persistence or replication.
 *
 * The engine takes its clock and randomness from outside so the crash simulator can run it deterministically.
 */
import { Keyspace, stringMatch, type Db, type KeyspaceConfig, type KeyspaceListener } from '../keyspace/index.js';
import { CommandTable, F, type CommandDef, type CommandSpec, type Bytes } from './table.js';
import { Session, type BlockState } from './session.js';
import type { AdminHost } from './admin-host.js';
import { LatencyMonitor, protectedCommandRefusal } from './server.js';
import { ERR, arityError, unknownCommandError, unknownSubcommandError, pubsubContextError } from './errors.js';

export interface Clock {
  /** Wall clock, unix ms. */
  nowMs(): number;
  /** Monotonic microseconds, for durations. */
  monotonicUs(): number;
}

/** One command as it is propagated: the db it applies to and its argument vector. */
export interface PropagatedCommand {
  dbIndex: number;
  args: Bytes[];
}

/**
 * What the engine needs from its owner (the server, or the simulator). Every method has a harmless default in
 * `NULL_HOST`, so commands and tests can run an engine alone.
 */
export interface EngineHost {
  /** Changes made by one top-level command, in order; a transaction arrives wrapped in MULTI/EXEC. */
  propagate(commands: readonly PropagatedCommand[]): void;
  /** True when writes must be refused with MISCONF (a failed save or AOF write). */
  persistenceBroken(): boolean;
  /**
   * The refusal text when it is not the RDB one (e.g. "MISCONF Errors writing to the AOF file: ..."), else null;
   * checked before `persistenceBroken`.
   */
  persistenceRefusal?(): string | null;
  /** True when this instance is a replica (writes from clients refused with READONLY). */
  isReplica(): boolean;
  /** True while a dataset is loading (LOADING error for most commands). */
  isLoading(): boolean;
}

export const NULL_HOST: EngineHost = {
  propagate() {},
  persistenceBroken: () => false,
  isReplica: () => false,
  isLoading: () => false,
};

/** Mutable settings the engine reads; the server's config updates them in place. */
export interface EngineSettings {
  requirepass: string;
  /** Bitmask of `notify-keyspace-events` classes (see pubsub.ts). */
  notifyKeyspaceEvents: number;
  slowlogLogSlowerThanUs: number;
  slowlogMaxLen: number;
  protoMaxBulkLen: number;
  latencyMonitorThresholdMs: number;
  /** `lazyfree-lazy-expire`: expired keys are propagated as UNLINK. */
  lazyfreeLazyExpire: boolean;
}

export interface SlowlogEntry {
  id: number;
  timestampSec: number;
  durationUs: number;
  args: Bytes[];
  addr: string;
  name: string;
}

export interface EngineOptions {
  keyspace: KeyspaceConfig;
  clock: Clock;
  /** Uniform float in [0, 1): seeded in simulation. */
  random: () => number;
  commands: readonly CommandDef[];
  host?: EngineHost;
}

export class Engine implements KeyspaceListener {
  readonly keyspace: Keyspace;
  readonly table: CommandTable;
  readonly clock: Clock;
  readonly random: () => number;
  host: EngineHost;
  /** Server management (INFO, CONFIG, CLIENT LIST, SHUTDOWN, SAVE); null when the engine runs alone. */
  admin: AdminHost | null = null;
  readonly settings: EngineSettings = {
    requirepass: '',
    notifyKeyspaceEvents: 0,
    slowlogLogSlowerThanUs: 10000,
    slowlogMaxLen: 128,
    protoMaxBulkLen: 512 * 1024 * 1024,
    latencyMonitorThresholdMs: 0,
    lazyfreeLazyExpire: false,
  };
  readonly sessions = new Map<number, Session>();
  private nextSessionId = 1;

  /** Changes since the last successful save (`rdb_changes_since_last_save`), Redis's `server.dirty`. */
  dirty = 0;
  readonly stats = {
    commandsProcessed: 0,
    connectionsReceived: 0,
    rejectedConnections: 0,
    errorReplies: 0,
    unexpectedErrorReplies: 0,
    errorsByPrefix: new Map<string, number>(),
  };
  readonly slowlog: SlowlogEntry[] = [];
  private slowlogNextId = 0;
  readonly monitors = new Set<Session>();
  /** LATENCY samples ("command", "fast-command"), fed when latency-monitor-threshold > 0. */
  readonly latency = new LatencyMonitor();

  /** WATCH: `dbIndex\0key` -> sessions watching it. */
  private readonly watchers = new Map<string, Set<Session>>();
  /** Blocking: `dbIndex\0key` -> sessions blocked on it, oldest first. */
  private readonly blockedByKey = new Map<string, Session[]>();
  readonly blockedSessions = new Set<Session>();
  /** Keys signalled ready during the current command, served after it. */
  private readyKeys: { db: Db; key: Bytes }[] = [];
  private readonly readyKeySet = new Set<string>();

  /** Propagation batch of the current top-level call (`server.also_propagate`). */
  private pending: PropagatedCommand[] = [];
  /** Replacement argv for the command being executed (`rewriteClientCommandVector`), or null. */
  private rewritten: Bytes[] | null = null;
  /** Nesting depth of `call`: EXEC runs queued commands inside its own call. */
  private callDepth = 0;
  /** The session whose command is running (for propagation of its db). */
  current: Session | null = null;

  constructor(options: EngineOptions) {
    this.keyspace = new Keyspace(options.keyspace);
    this.keyspace.listener = this;
    this.table = new CommandTable(options.commands);
    this.clock = options.clock;
    this.random = options.random;
    this.host = options.host ?? NULL_HOST;
  }

  createSession(): Session {
    const session = new Session(
      this.nextSessionId++,
      this,
      this.keyspace.db(0),
      this.clock.nowMs(),
      this.settings.requirepass === '',
    );
    this.sessions.set(session.id, session);
    this.stats.connectionsReceived++;
    return session;
  }

  /** Forgets a closed session: its watches, subscriptions and blocking go with it. */
  closeSession(session: Session): void {
    this.unwatchAll(session);
    this.unblock(session);
    this.unsubscribeAll(session);
    this.monitors.delete(session);
    this.sessions.delete(session.id);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Dispatch

  /**
   * Runs one client request. Writes its reply (or error) to `session.reply`. Afterwards `session.blocked` may be
   * set (the caller stops feeding the session input until `transport.resume`), or `session.closeAfterReply`.
   */
  execute(session: Session, args: Bytes[]): void {
    const nowMs = this.clock.nowMs();
    session.lastInteractionMs = nowMs;
    const nameArg = args[0] ?? '';
    let spec = this.table.lookup(nameArg);
    if (spec === undefined) {
      this.rejectCommand(session, unknownCommandError(nameArg, args.slice(1)));
      return;
    }
    if (spec.subcommands !== undefined && args.length >= 2) {
      const sub = spec.subcommands.get(args[1]!.toLowerCase());
      if (sub === undefined) {
        this.rejectCommand(session, unknownSubcommandError(spec.name, args[1]!));
        return;
      } else {
        spec = sub;
      }
    }
    if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
      spec.stats.rejectedCalls++;
      this.rejectCommand(session, arityError(spec.name));
      return;
    }
    if (spec.handler === undefined) {
      // A container named without a subcommand passes arity only when Redis allows it (e.g. `COMMAND`).
      this.rejectCommand(session, unknownSubcommandError(spec.name, args[1] ?? ''));
      return;
    }
    if (!session.authenticated && (spec.flags & F.noAuth) === 0) {
      spec.stats.rejectedCalls++;
      this.rejectCommand(session, ERR.noAuth);
      return;
    }
    const name = spec.name;
    if (session.multi !== null && name !== 'exec' && name !== 'discard' && name !== 'multi' && name !== 'watch' && name !== 'quit' && name !== 'reset') {
      if ((spec.flags & F.noMulti) !== 0) {
        this.rejectCommand(session, `ERR Command not allowed inside a transaction`);
        return;
      }
      const refusal = this.refusal(session, spec);
      if (refusal !== null) {
        this.rejectCommand(session, refusal);
        return;
      }
      session.multi.queue.push({ spec, args });
      session.reply.simple('QUEUED');
      return;
    }
    if (session.inPubSubContext && !PUBSUB_CONTEXT_COMMANDS.has(name)) {
      this.rejectCommand(session, pubsubContextError(name));
      return;
    }
    const refusal = this.refusal(session, spec);
    if (refusal !== null) {
      spec.stats.rejectedCalls++;
      this.rejectCommand(session, refusal);
      return;
    }
    this.callAt(session, spec, args, nowMs);
    if (this.callDepth === 0) this.afterCommand();
  }

  /** MISCONF / READONLY / LOADING checks shared by direct execution and queuing. Null when allowed. */
  private refusal(session: Session, spec: CommandSpec): string | null {
    const protectedRefusal = protectedCommandRefusal(session, spec.name);
    if (protectedRefusal !== null) return protectedRefusal;
    const isWrite = (spec.flags & F.write) !== 0;
    if (isWrite && !session.isPrimaryLink) {
      const text = this.host.persistenceRefusal?.() ?? null;
      if (text !== null) return text;
      if (this.host.persistenceBroken()) return ERR.misconf;
    }
    if (isWrite && this.host.isReplica() && !session.isPrimaryLink) return ERR.readonly;
    if (this.host.isLoading() && (spec.flags & F.loading) === 0) return ERR.loading;
    return null;
  }

  /**
   * Executes a checked command: the handler, then stats, slowlog and propagation. EXEC calls this for each
   * queued command, so a transaction's effects collect into one propagation batch.
   */
  call(session: Session, spec: CommandSpec, args: Bytes[]): void {
    this.callAt(session, spec, args, this.clock.nowMs());
  }

  /** `call` with the wall clock already read (`execute` reads it once per request, not twice). */
  private callAt(session: Session, spec: CommandSpec, args: Bytes[], nowMs: number): void {
    const handler = spec.handler;
    if (handler === undefined) throw new Error(`assertion failed: ${spec.name} has no handler`);
    const previous = this.current;
    this.current = session;
    this.callDepth++;
    this.keyspace.nowMs = nowMs;
    const dirtyBefore = this.dirty;
    const rewrittenBefore = this.rewritten;
    this.rewritten = null;
    const replyMark = session.reply.pendingBytes;
    const errorsBefore = this.stats.errorReplies;
    const startUs = this.clock.monotonicUs();
    const dbIndex = session.db.id;
    handler(session, args);
    const durationUs = this.clock.monotonicUs() - startUs;
    // After the command, as Redis 7.0's call(): the line shows the db the client is in afterwards (SELECT 2 -> 2).
    if (this.monitors.size > 0 && (spec.flags & (F.skipMonitor | F.admin)) === 0) this.feedMonitors(session, args);
    this.callDepth--;
    this.current = previous;
    spec.stats.calls++;
    spec.stats.usec += durationUs;
    if (session.blocked === null) this.latency.trackCommand(spec.name, durationUs);
    this.stats.commandsProcessed++;
    session.lastCommand = spec.name;
    if (this.stats.errorReplies !== errorsBefore) spec.stats.failedCalls++;
    if (this.dirty !== dirtyBefore && (spec.flags & F.write) !== 0) {
      const out = this.rewritten ?? args;
      if (out.length > 0) this.pending.push({ dbIndex, args: out });
    }
    this.rewritten = rewrittenBefore;
    const latencyMs = Math.floor(durationUs / 1000);
    if (this.settings.latencyMonitorThresholdMs > 0 && latencyMs >= this.settings.latencyMonitorThresholdMs && session.blocked === null) {
      this.latency.add((spec.flags & F.fast) !== 0 ? 'fast-command' : 'command', latencyMs, Math.floor(this.clock.nowMs() / 1000));
    }
    if (durationUs >= this.settings.slowlogLogSlowerThanUs && this.settings.slowlogLogSlowerThanUs >= 0 && (spec.flags & F.skipSlowlog) === 0) {
      this.slowlogPush(session, args, durationUs);
    }
    this.applyReplyMode(session, replyMark);
  }

  /** CLIENT REPLY OFF/SKIP: drop what the command wrote. */
  private applyReplyMode(session: Session, mark: number): void {
    if (session.replyMode === 'on' && !session.skipNext) return;
    if (session.skipNext) {
      session.skipNext = false;
      session.reply.truncate(mark);
      return;
    }
    if (session.replyMode === 'off') session.reply.truncate(mark);
    if (session.replyMode === 'skip') {
      session.replyMode = 'on';
      session.skipNext = true;
    }
  }

  /** End of a top-level command: hand the propagation batch to the host and serve clients whose keys are ready. */
  afterCommand(): void {
    this.flushPropagation();
    if (this.readyKeys.length > 0) this.serveReadyKeys();
  }

  private flushPropagation(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 1) {
      const first = batch[0]!;
      const last = batch[batch.length - 1]!;
      batch.unshift({ dbIndex: first.dbIndex, args: ['MULTI'] });
      batch.push({ dbIndex: last.dbIndex, args: ['EXEC'] });
    }
    this.host.propagate(batch);
  }

  /** Replies with an error and counts it, for rejections before the handler runs. */
  rejectCommand(session: Session, message: string): void {
    if (session.multi !== null) session.multi.aborted = true;
    this.replyError(session, message);
  }

  /** Writes an error reply and counts it in INFO errorstats. Handlers use this for every error. */
  replyError(session: Session, message: string): void {
    this.stats.errorReplies++;
    const space = message.indexOf(' ');
    const prefix = space < 0 ? message : message.slice(0, space);
    this.stats.errorsByPrefix.set(prefix, (this.stats.errorsByPrefix.get(prefix) ?? 0) + 1);
    session.reply.error(message);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Propagation

  /** Counts a change to the dataset (Redis's `server.dirty++`); a write command that counts none is not propagated. */
  addDirty(n = 1): void {
    this.dirty += n;
  }

  /**
   * Replaces what the running command propagates (redis `rewriteClientCommandVector`): e.g. SET ... EX becomes
   * SET ... PXAT, INCRBYFLOAT becomes SET, SPOP becomes SREM.
   */
  rewrite(args: Bytes[]): void {
    this.rewritten = args;
  }

  /**
   * Propagates an extra command in the current batch (redis `alsoPropagate`), before the running command's own.
   * A command that propagates as several others calls this for each and then `suppressPropagation`.
   */
  also(dbIndex: number, args: Bytes[]): void {
    this.pending.push({ dbIndex, args });
  }

  /** Makes the running command propagate nothing of its own (its effects went out through `also`). */
  suppressPropagation(): void {
    this.rewritten = [];
  }

  // ---------------------------------------------------------------------------------------------------------
  // Keyspace listener

  keyModified(db: Db, key: string): void {
    if (this.watchers.size === 0) return;
    const id = db.id + '\0' + key;
    const sessions = this.watchers.get(id);
    if (sessions === undefined) return;
    for (const s of sessions) {
      // redis touchWatchedKey: a key already expired at WATCH time that is now gone changed nothing.
      if (s.watchedExpired.has(id) && !db.dict.has(key)) {
        s.watchedExpired.delete(id);
        continue;
      }
      s.watchDirty = true;
    }
  }

  keyReady(db: Db, key: string): void {
    if (this.blockedByKey.size === 0) return;
    const id = db.id + '\0' + key;
    if (!this.blockedByKey.has(id) || this.readyKeySet.has(id)) return;
    this.readyKeySet.add(id);
    this.readyKeys.push({ db, key });
  }

  keyExpired(db: Db, key: string): void {
    // redis deleteExpiredKeyAndPropagate: no server.dirty change (so a command that only touched an expired key
    // is not propagated itself); propagateDeletion sends UNLINK under lazyfree-lazy-expire, else DEL.
    this.pending.push({ dbIndex: db.id, args: [this.settings.lazyfreeLazyExpire ? 'UNLINK' : 'DEL', key] });
    this.notify(NOTIFY.expired, 'expired', key, db.id);
    if (this.callDepth === 0) this.flushPropagation();
  }

  /** FLUSHDB (`db`), FLUSHALL and DEBUG RELOAD (null: every db): touchAllWatched of each db emptied. */
  touchAllWatched(db: Db | null): void {
    if (db !== null) this.touchWatchedInDb(db, null);
    else for (const each of this.keyspace.dbs) this.touchWatchedInDb(each, null);
  }

  /**
   * redis touchAllWatchedKeysInDb, called before `emptied` loses its data (flush: `replacedWith` null) or takes
   * `replacedWith`'s (SWAPDB): a watched key of `emptied` that exists on either side is touched, except that an
   * expired key going away, or replaced by another expired key, is no logical change, and a missing key replaced
   * by an expired one is now watched as expired.
   */
  touchWatchedInDb(emptied: Db, replacedWith: Db | null): void {
    if (this.watchers.size === 0) return;
    const now = this.clock.nowMs();
    const expiredIn = (db: Db, key: Bytes): boolean => {
      const at = db.expires.get(key);
      return at !== undefined && at <= now && !this.keyspace.loading;
    };
    for (const [id, sessions] of this.watchers) {
      const sep = id.indexOf('\0');
      if (Number(id.slice(0, sep)) !== emptied.id) continue;
      const key = id.slice(sep + 1);
      const existsInEmptied = emptied.dict.has(key);
      const existsInReplacement = replacedWith !== null && replacedWith.dict.has(key);
      if (!existsInEmptied && !existsInReplacement) continue;
      for (const s of sessions) {
        if (s.watchedExpired.has(id)) {
          if (!existsInReplacement) {
            s.watchedExpired.delete(id);
            continue;
          }
          if (expiredIn(replacedWith!, key)) continue;
        } else if (!existsInEmptied && expiredIn(replacedWith!, key)) {
          s.watchedExpired.add(id);
          continue;
        }
        s.watchDirty = true;
      }
    }
  }

  watch(session: Session, key: Bytes): void {
    const dbIndex = session.db.id;
    let keys = session.watched.get(dbIndex);
    if (keys === undefined) session.watched.set(dbIndex, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    const id = dbIndex + '\0' + key;
    const at = session.db.expires.get(key);
    if (at !== undefined && at <= this.clock.nowMs() && session.db.dict.has(key)) session.watchedExpired.add(id);
    let sessions = this.watchers.get(id);
    if (sessions === undefined) this.watchers.set(id, (sessions = new Set()));
    sessions.add(session);
  }

  unwatchAll(session: Session): void {
    for (const [dbIndex, keys] of session.watched) {
      for (const key of keys) {
        const id = dbIndex + '\0' + key;
        const sessions = this.watchers.get(id);
        if (sessions === undefined) continue;
        sessions.delete(session);
        if (sessions.size === 0) this.watchers.delete(id);
      }
    }
    session.watched.clear();
    session.watchedExpired.clear();
    session.watchDirty = false;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Blocking

  /**
   * True when the running command may not block (Redis's CLIENT_DENY_BLOCKING): it runs nested inside another
   * command's `call`, i.e. queued in MULTI/EXEC (scripts would nest the same way). A blocking command then
   * answers at once as if it had timed out.
   */
  blockingDenied(): boolean {
    return this.callDepth > 1;
  }

  /** Blocks `session` on the keys of `state` (BLPOP & co.). The reply comes from `state.retry` or `onTimeout`. */
  block(session: Session, state: BlockState): void {
    if (session.blocked !== null) throw new Error('assertion failed: session already blocked');
    session.blocked = state;
    this.blockedSessions.add(session);
    for (const key of state.keys) {
      const id = state.dbIndex + '\0' + key;
      let queue = this.blockedByKey.get(id);
      if (queue === undefined) this.blockedByKey.set(id, (queue = []));
      queue.push(session);
    }
  }

  /** Releases a blocked session without a reply (disconnect, CLIENT UNBLOCK does its own reply). */
  unblock(session: Session): void {
    const state = session.blocked;
    if (state === null) return;
    session.blocked = null;
    this.blockedSessions.delete(session);
    for (const key of state.keys) {
      const id = state.dbIndex + '\0' + key;
      const queue = this.blockedByKey.get(id);
      if (queue === undefined) continue;
      const i = queue.indexOf(session);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.blockedByKey.delete(id);
    }
  }

  /** Serves clients blocked on keys that became ready, oldest first, until no key is ready (redis handleClientsBlockedOnKeys). */
  private serveReadyKeys(): void {
    while (this.readyKeys.length > 0) {
      const ready = this.readyKeys;
      this.readyKeys = [];
      this.readyKeySet.clear();
      for (const { db, key } of ready) {
        const queue = this.blockedByKey.get(db.id + '\0' + key);
        if (queue === undefined) continue;
        for (const session of [...queue]) {
          const state = session.blocked;
          if (state === null) continue;
          const previous = this.current;
          this.current = session;
          this.callDepth++;
          this.keyspace.nowMs = this.clock.nowMs();
          const served = state.retry(key);
          this.callDepth--;
          this.current = previous;
          if (!served) continue;
          this.unblock(session);
          this.flushPropagation();
          session.transport?.wake();
          session.transport?.resume();
        }
      }
    }
  }

  /** Times out blocked clients whose deadline passed; the server calls this from its timer. */
  expireBlocked(): void {
    if (this.blockedSessions.size === 0) return;
    const now = this.clock.nowMs();
    for (const session of [...this.blockedSessions]) {
      const state = session.blocked;
      if (state === null || state.timeoutAtMs === 0 || state.timeoutAtMs > now) continue;
      this.unblock(session);
      state.onTimeout();
      session.transport?.wake();
      session.transport?.resume();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Pub/sub and notifications

  readonly channels = new Map<Bytes, Set<Session>>();
  readonly patterns = new Map<Bytes, Set<Session>>();

  /** Removes every subscription of a session (RESET, disconnect), without replies. */
  unsubscribeAll(session: Session): void {
    for (const channel of session.channels) {
      const set = this.channels.get(channel);
      set?.delete(session);
      if (set !== undefined && set.size === 0) this.channels.delete(channel);
    }
    for (const pattern of session.patterns) {
      const set = this.patterns.get(pattern);
      set?.delete(session);
      if (set !== undefined && set.size === 0) this.patterns.delete(pattern);
    }
    session.channels.clear();
    session.patterns.clear();
  }

  /** Delivers a message to channel and pattern subscribers; returns the number of receivers. */
  publish(channel: Bytes, message: Bytes): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct !== undefined) {
      for (const sub of direct) {
        sub.reply.push(3);
        sub.reply.bulk('message');
        sub.reply.bulk(channel);
        sub.reply.bulk(message);
        sub.transport?.wake();
        receivers++;
      }
    }
    for (const [pattern, subs] of this.patterns) {
      if (!stringMatch(pattern, channel)) continue;
      for (const sub of subs) {
        sub.reply.push(4);
        sub.reply.bulk('pmessage');
        sub.reply.bulk(pattern);
        sub.reply.bulk(channel);
        sub.reply.bulk(message);
        sub.transport?.wake();
        receivers++;
      }
    }
    return receivers;
  }

  /** Keyspace notification (redis notifyKeyspaceEvent): `type` is one NOTIFY class bit. */
  notify(type: number, event: string, key: Bytes, dbIndex: number): void {
    const flags = this.settings.notifyKeyspaceEvents;
    if ((flags & type) === 0) return;
    if ((flags & NOTIFY.keyspace) !== 0) this.publish(`__keyspace@${dbIndex}__:${key}`, event);
    if ((flags & NOTIFY.keyevent) !== 0) this.publish(`__keyevent@${dbIndex}__:${event}`, key);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Slowlog and MONITOR

  private slowlogPush(session: Session, args: Bytes[], durationUs: number): void {
    const kept: Bytes[] = [];
    const n = Math.min(args.length, 32);
    for (let i = 0; i < n; i++) {
      if (i === 31 && args.length > 32) {
        kept.push(`... (${args.length - 31} more arguments)`);
        break;
      }
      const a = args[i]!;
      kept.push(a.length > 128 ? `${a.slice(0, 128)}... (${a.length - 128} more bytes)` : a);
    }
    this.slowlog.unshift({
      id: this.slowlogNextId++,
      timestampSec: Math.floor(this.clock.nowMs() / 1000),
      durationUs,
      args: kept,
      addr: session.transport?.addr ?? '',
      name: session.name,
    });
    while (this.slowlog.length > this.settings.slowlogMaxLen) this.slowlog.pop();
  }

  resetSlowlog(): void {
    this.slowlog.length = 0;
  }

  private feedMonitors(session: Session, args: Bytes[]): void {
    const now = this.clock.nowMs();
    const sec = Math.floor(now / 1000);
    const usec = Math.floor((now % 1000) * 1000);
    let line = `+${sec}.${String(usec).padStart(6, '0')} [${session.db.id} ${session.transport?.addr ?? 'lua'}]`;
    for (const a of args) line += ' ' + reprForMonitor(a);
    line += '\r\n';
    for (const m of this.monitors) {
      if (m === session) continue;
      m.reply.text(line);
      m.transport?.wake();
    }
  }
}

/** Commands allowed while subscribed in RESP2. */
const PUBSUB_CONTEXT_COMMANDS = new Set([
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'ping',
  'quit',
  'reset',
]);

/** Keyspace notification classes (redis `NOTIFY_*`), and the letters of `notify-keyspace-events`. */
export const NOTIFY = {
  keyspace: 1 << 0, // K
  keyevent: 1 << 1, // E
  generic: 1 << 2, // g
  string: 1 << 3, // $
  list: 1 << 4, // l
  set: 1 << 5, // s
  hash: 1 << 6, // h
  zset: 1 << 7, // z
  expired: 1 << 8, // x
  evicted: 1 << 9, // e
  stream: 1 << 10, // t
  keyMiss: 1 << 11, // m
  loaded: 1 << 12, // module only
  module: 1 << 13, // d
  newKey: 1 << 14, // n
} as const;

/** MONITOR quoting (redis sdscatrepr): printable ASCII as is, `"` and `\` escaped, others as \xHH or \n etc. */
export function reprForMonitor(s: Bytes): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + '"';
}
