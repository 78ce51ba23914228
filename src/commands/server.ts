/**
 * Server commands: INFO, CONFIG, COMMAND, TIME, SHUTDOWN, SAVE/BGSAVE/LASTSAVE, DEBUG, SLOWLOG, MONITOR
 * (redis `src/server.c`, `src/config.c`, `src/debug.c`). Process-level answers come from the AdminHost.
 */
import type { CommandDef, CommandSpec } from './table.js';
import type { Session } from './session.js';
import type { ReplyValue } from '../../formats/index.js';
import { ERR } from './errors.js';
import { is } from './args.js';
import { stringMatch } from '../keyspace/index.js';

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
    if (spec === undefined) s.reply.nullArray();
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
  let names = commandList(s).map((x) => x.name);
  if (args.length === 5 && is(args[2], 'filterby') && is(args[3], 'pattern')) {
    names = names.filter((n) => stringMatch(args[4]!, n, true));
  } else if (args.length !== 2) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  s.reply.bulkArray(names);
}

function commandGetkeys(s: Session, args: string[]): void {
  const spec = s.engine.table.lookup(args[2]!);
  if (spec === undefined) {
    s.engine.replyError(s, 'ERR Invalid command specified');
    return;
  }
  const cmdArgs = args.slice(2);
  if ((spec.arity > 0 && cmdArgs.length !== spec.arity) || cmdArgs.length < -spec.arity) {
    s.engine.replyError(s, 'ERR Invalid number of arguments specified for command');
    return;
  }
  if (spec.firstKey === 0) {
    s.engine.replyError(s, 'ERR The command has no key arguments');
    return;
  }
  const keys: string[] = [];
  const last = spec.lastKey < 0 ? cmdArgs.length + spec.lastKey : spec.lastKey;
  for (let i = spec.firstKey; i <= last && i < cmdArgs.length; i += Math.max(1, spec.keyStep)) keys.push(cmdArgs[i]!);
  s.reply.bulkArray(keys);
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

function configGet(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  const pairs = admin.configGet(args.slice(2));
  s.reply.map(pairs.length);
  for (const [k, v] of pairs) {
    s.reply.bulk(k);
    s.reply.bulk(v);
  }
}

function configSet(s: Session, args: string[]): void {
  const admin = s.engine.admin;
  if (admin === null) return noAdmin(s);
  if ((args.length - 2) % 2 !== 0) {
    s.engine.replyError(s, "ERR wrong number of arguments for 'config|set' command");
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
  const err = admin.configSet(pairs);
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
  errorstats: 'Errorstats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
  commandstats: 'Commandstats',
  latencystats: 'Latencystats',
};

/** INFO text for the requested sections (redis genRedisInfoString): `# Title` blocks separated by a blank line. */
export function infoText(s: Session, requested: readonly string[]): string {
  const admin = s.engine.admin;
  const defaults = admin?.infoSectionNames() ?? [];
  let names: string[] = [];
  if (requested.length === 0) names = [...defaults];
  for (const r of requested.map((x) => x.toLowerCase())) {
    if (r === 'default') names.push(...defaults);
    else if (r === 'all' || r === 'everything') names.push(...defaults, 'commandstats');
    else names.push(r);
  }
  const unique = [...new Set(names)];
  const blocks: string[] = [];
  for (const name of unique) {
    const body = admin?.infoSection(name);
    if (body === undefined) continue;
    blocks.push(`# ${SECTION_TITLES[name] ?? name}\r\n` + (body === '' ? '' : body + '\r\n'));
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
  { name: 'command|getkeys', handler: commandGetkeys },
  { name: 'time', handler: time },
  { name: 'config|get', handler: configGet },
  { name: 'config|set', handler: configSet },
  { name: 'config|rewrite', handler: configRewrite },
  { name: 'config|resetstat', handler: configResetstat },
  { name: 'shutdown', handler: shutdown },
];

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
