/**
 * Generic key commands (redis `src/db.c`, `src/expire.c`). Bootstrap subset: DEL, EXISTS, DBSIZE, FLUSHDB,
 * FLUSHALL; the full family replaces this file.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';

function del(s: Session, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    if (s.db.lookup(args[i]!) !== undefined && s.db.delete(args[i]!)) {
      n++;
      s.engine.notify(NOTIFY.generic, 'del', args[i]!, s.db.id);
    }
  }
  s.engine.addDirty(n);
  s.reply.integer(n);
}

function exists(s: Session, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (s.db.getRead(args[i]!) !== undefined) n++;
  s.reply.integer(n);
}

function dbsize(s: Session): void {
  s.reply.integer(s.db.size);
}

function flushdb(s: Session): void {
  s.engine.touchAllWatched(s.db);
  const n = s.db.size;
  s.db.clear();
  s.engine.addDirty(n + 1);
  s.reply.ok();
}

function flushall(s: Session): void {
  s.engine.touchAllWatched(null);
  const n = s.engine.keyspace.size;
  s.engine.keyspace.clear();
  s.engine.addDirty(n + 1);
  s.reply.ok();
}

export const keyCommands: CommandDef[] = [
  { name: 'del', handler: del },
  { name: 'exists', handler: exists },
  { name: 'dbsize', handler: dbsize },
  { name: 'flushdb', handler: flushdb },
  { name: 'flushall', handler: flushall },
];
