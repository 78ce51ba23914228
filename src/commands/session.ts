/**
 * Session: one client's command-level state — selected db, protocol, transaction, watches, subscriptions,
 * blocking — and its reply buffer. The network side (socket, query buffer, flushing) belongs to the server, which
 * attaches a `Transport`; the in-process simulator attaches its own. Nothing here does I/O.
 */
import { ReplyWriter } from '../../formats/index.js';
import type { Db } from '../keyspace/index.js';
import type { CommandSpec, Bytes } from './table.js';
import type { Engine } from './engine.js';

/** What the owner of the connection provides. */
export interface Transport {
  /** `ip:port` of the peer and of our side, as CLIENT LIST shows them. */
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  /** Output was added outside the command loop (pub/sub, unblock, MONITOR): flush it soon. */
  wake(): void;
  /** The session was unblocked: resume parsing its pending input. */
  resume(): void;
  /** Close the connection after flushing pending output (QUIT, CLIENT KILL). */
  close(): void;
  queryBufferBytes(): number;
  outputBufferBytes(): number;
}

/** A client blocked by BLPOP and friends: what it waits for and how to finish. */
export interface BlockState {
  readonly dbIndex: number;
  readonly keys: readonly Bytes[];
  /** Absolute unix ms, or 0 for no timeout. */
  readonly timeoutAtMs: number;
  /**
   * Called when one of `keys` may be ready. Returns true when it served the client (it wrote the reply and
   * did its writes); false to keep waiting.
   */
  readonly retry: (key: Bytes) => boolean;
  /** Called on timeout: writes the timeout reply. */
  readonly onTimeout: () => void;
  /** Command name, for CLIENT LIST / propagation bookkeeping. */
  readonly command: string;
}

export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly args: Bytes[];
}

export class Session {
  readonly id: number;
  readonly engine: Engine;
  readonly reply = new ReplyWriter();
  transport: Transport | null = null;
  db: Db;
  name = '';
  authenticated: boolean;
  libName = '';
  libVersion = '';
  /** Transaction in progress: the queued commands, and whether queuing saw an error (EXECABORT). */
  multi: { queue: QueuedCommand[]; aborted: boolean } | null = null;
  /** Keys watched by WATCH, as `dbIndex` -> keys. */
  readonly watched = new Map<number, Set<Bytes>>();
  /** A watched key was touched: EXEC will fail. */
  watchDirty = false;
  /**
   * Watched keys (`dbIndex\0key`) that were already logically expired when WATCH ran (redis watchedKey.expired):
   * their deletion by expiry is no change, and their expiry does not fail EXEC.
   */
  readonly watchedExpired = new Set<string>();
  readonly channels = new Set<Bytes>();
  readonly patterns = new Set<Bytes>();
  replyMode: 'on' | 'off' | 'skip' = 'on';
  /** Set by CLIENT REPLY SKIP: the reply of the next command is dropped. */
  skipNext = false;
  blocked: BlockState | null = null;
  noEvict = false;
  monitor = false;
  /** Replica link from our side (the primary's connection), not subject to READONLY. */
  isPrimaryLink = false;
  closeAfterReply = false;
  readonly createdMs: number;
  lastInteractionMs: number;
  lastCommand = 'NULL';

  constructor(id: number, engine: Engine, db: Db, nowMs: number, authenticated: boolean) {
    this.id = id;
    this.engine = engine;
    this.db = db;
    this.createdMs = nowMs;
    this.lastInteractionMs = nowMs;
    this.authenticated = authenticated;
  }

  get protocol(): 2 | 3 {
    return this.reply.protocol;
  }

  /** Number of channel and pattern subscriptions (the count pub/sub replies carry). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** True in RESP2 while subscribed: only pub/sub commands are accepted. */
  get inPubSubContext(): boolean {
    return this.protocol === 2 && this.subscriptionCount > 0;
  }
}
