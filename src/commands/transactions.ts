/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (redis `src/multi.c`).
 *
 * Queuing happens in the engine's dispatch (a queued command is checked for arity and existence first; a failure
 * marks the transaction aborted, and EXEC then answers EXECABORT). EXEC runs the queue through `Engine.call`, so
 * its writes collect into one propagation batch, which leaves wrapped in MULTI/EXEC.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';

function multi(s: Session): void {
  if (s.multi !== null) {
    s.engine.replyError(s, ERR.multiNested);
    return;
  }
  s.multi = { queue: [], aborted: false };
  s.reply.ok();
}

function discard(s: Session): void {
  if (s.multi === null) {
    s.engine.replyError(s, ERR.discardWithoutMulti);
    return;
  }
  s.multi = null;
  s.engine.unwatchAll(s);
  s.reply.ok();
}

function exec(s: Session): void {
  const engine = s.engine;
  const transaction = s.multi;
  if (transaction === null) {
    engine.replyError(s, ERR.execWithoutMulti);
    return;
  }
  s.multi = null;
  if (transaction.aborted) {
    engine.unwatchAll(s);
    engine.replyError(s, ERR.execAbort);
    return;
  }
  // A watched key may also have expired since WATCH (redis isWatchedKeyExpired).
  const dirty = s.watchDirty || watchedKeyExpired(s);
  engine.unwatchAll(s);
  if (dirty) {
    s.reply.nullArray();
    return;
  }
  s.reply.array(transaction.queue.length);
  for (const { spec, args } of transaction.queue) engine.call(s, spec, args);
}

function watchedKeyExpired(s: Session): boolean {
  const now = s.engine.keyspace.nowMs;
  for (const [dbIndex, keys] of s.watched) {
    const db = s.engine.keyspace.db(dbIndex);
    for (const key of keys) {
      if (s.watchedExpired.has(dbIndex + '\0' + key)) continue;
      const at = db.expires.get(key);
      if (at !== undefined && at <= now && db.dict.has(key)) return true;
    }
  }
  return false;
}

function watch(s: Session, args: string[]): void {
  if (s.multi !== null) {
    s.engine.replyError(s, ERR.watchInMulti);
    return;
  }
  for (let i = 1; i < args.length; i++) s.engine.watch(s, args[i]!);
  s.reply.ok();
}

function unwatch(s: Session): void {
  s.engine.unwatchAll(s);
  s.reply.ok();
}

export const transactionCommands: CommandDef[] = [
  { name: 'multi', handler: multi },
  { name: 'exec', handler: exec },
  { name: 'discard', handler: discard },
  { name: 'watch', handler: watch },
  { name: 'unwatch', handler: unwatch },
];
