/**
 * String commands (redis `src/t_string.c`). Bootstrap subset: GET and SET without options; the full family
 * replaces this file.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';
import { isString, stringBytes } from '../keyspace/index.js';

function get(s: Session, args: string[]): void {
  const value = s.db.getRead(args[1]!);
  if (value === undefined) s.reply.nullBulk();
  else if (!isString(value)) s.engine.replyError(s, ERR.wrongType);
  else s.reply.bulk(stringBytes(value));
}

function set(s: Session, args: string[]): void {
  if (args.length > 3) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  s.db.set(args[1]!, args[2]!);
  s.engine.addDirty();
  s.reply.ok();
}

export const stringCommands: CommandDef[] = [
  { name: 'get', handler: get },
  { name: 'set', handler: set },
];
