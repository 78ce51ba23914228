/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, SWAPDB-free client state, and CLIENT.
 * Replies and errors are Redis 7.0's (redis `src/server.c`, `src/networking.c`).
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';
import { is, parseInt64, intOrReply } from './args.js';

function ping(s: Session, args: string[]): void {
  if (args.length > 2) {
    s.engine.replyError(s, "ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (s.inPubSubContext) {
    // RESP2 subscribed clients get a pub/sub-shaped pong.
    s.reply.array(2);
    s.reply.bulk('pong');
    s.reply.bulk(args[1] ?? '');
    return;
  }
  if (args.length === 2) s.reply.bulk(args[1]!);
  else s.reply.simple('PONG');
}

function echo(s: Session, args: string[]): void {
  s.reply.bulk(args[1]!);
}

function quit(s: Session): void {
  s.reply.ok();
  s.closeAfterReply = true;
}

function select(s: Session, args: string[]): void {
  const index = parseInt64(args[1]!);
  if (index === null || typeof index === 'bigint') {
    s.engine.replyError(s, ERR.notInteger);
    return;
  }
  if (index < 0 || index >= s.engine.keyspace.dbs.length) {
    s.engine.replyError(s, ERR.dbIndexOutOfRange);
    return;
  }
  s.db = s.engine.keyspace.db(index);
  s.reply.ok();
}

/** AUTH [username] password: only the `default` user exists (no ACL file support yet). */
function checkPassword(s: Session, user: string, password: string): boolean {
  const required = s.engine.settings.requirepass;
  if (user !== 'default') return false;
  if (required === '') return true;
  return password === required;
}

function auth(s: Session, args: string[]): void {
  if (args.length > 3) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  if (args.length === 2 && s.engine.settings.requirepass === '') {
    s.engine.replyError(s, ERR.authNotConfigured);
    return;
  }
  const user = args.length === 3 ? args[1]! : 'default';
  const password = args[args.length - 1]!;
  if (!checkPassword(s, user, password)) {
    s.engine.replyError(s, ERR.wrongPass);
    return;
  }
  s.authenticated = true;
  s.reply.ok();
}

function hello(s: Session, args: string[]): void {
  let protocol: 2 | 3 = s.protocol;
  let i = 1;
  if (args.length >= 2) {
    const ver = parseInt64(args[1]!);
    if (ver === null) {
      s.engine.replyError(s, 'ERR Protocol version is not an integer or out of range');
      return;
    }
    if (ver !== 2 && ver !== 3) {
      s.engine.replyError(s, ERR.noProto);
      return;
    }
    protocol = ver;
    i = 2;
  }
  let name: string | null = null;
  for (; i < args.length; i++) {
    const more = args.length - i - 1;
    if (is(args[i], 'auth') && more >= 2) {
      if (!checkPassword(s, args[i + 1]!, args[i + 2]!)) {
        s.engine.replyError(s, ERR.wrongPass);
        return;
      }
      s.authenticated = true;
      i += 2;
    } else if (is(args[i], 'setname') && more >= 1) {
      const candidate = args[i + 1]!;
      if (!validClientName(candidate)) {
        s.engine.replyError(s, 'ERR Client names cannot contain spaces, newlines or special characters.');
        return;
      }
      name = candidate;
      i += 1;
    } else {
      s.engine.replyError(s, `ERR Syntax error in HELLO option '${args[i]}'`);
      return;
    }
  }
  if (!s.authenticated) {
    s.engine.replyError(s, 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (name !== null) s.name = name;
  s.reply.protocol = protocol;
  const admin = s.engine.admin;
  s.reply.map(7);
  s.reply.bulk('server');
  s.reply.bulk('redis');
  s.reply.bulk('version');
  s.reply.bulk(REDIS_VERSION);
  s.reply.bulk('proto');
  s.reply.integer(protocol);
  s.reply.bulk('id');
  s.reply.integer(s.id);
  s.reply.bulk('mode');
  s.reply.bulk('standalone');
  s.reply.bulk('role');
  s.reply.bulk(admin?.role() ?? 'master');
  s.reply.bulk('modules');
  s.reply.array(0);
}

/** The Redis version Strongbox reports: the one whose behaviour it reproduces. */
export const REDIS_VERSION = '7.0.15';

function reset(s: Session): void {
  const engine = s.engine;
  s.multi = null;
  engine.unwatchAll(s);
  engine.unsubscribeAll(s);
  engine.monitors.delete(s);
  s.monitor = false;
  s.db = engine.keyspace.db(0);
  s.reply.protocol = 2;
  s.name = '';
  s.replyMode = 'on';
  s.skipNext = false;
  s.noEvict = false;
  s.authenticated = engine.settings.requirepass === '';
  s.reply.simple('RESET');
}

/**
 * MONITOR (redis monitorCommand): from now on the session receives every command other clients run, as the
 * engine formats them (`feedMonitors`). A second MONITOR on the same connection is ignored without a reply.
 */
function monitor(s: Session): void {
  if (s.monitor) return;
  s.monitor = true;
  s.engine.monitors.add(s);
  s.reply.ok();
}

export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

// CLIENT ---------------------------------------------------------------------------------------------------

function clientId(s: Session): void {
  s.reply.integer(s.id);
}

function clientSetname(s: Session, args: string[]): void {
  const name = args[2]!;
  if (!validClientName(name)) {
    s.engine.replyError(s, 'ERR Client names cannot contain spaces, newlines or special characters.');
    return;
  }
  s.name = name;
  s.reply.ok();
}

function clientGetname(s: Session): void {
  if (s.name === '') s.reply.nullBulk();
  else s.reply.bulk(s.name);
}

function clientSetinfo(s: Session, args: string[]): void {
  const attr = args[2]!.toLowerCase();
  if (attr === 'lib-name') s.libName = args[3]!;
  else if (attr === 'lib-ver') s.libVersion = args[3]!;
  else {
    s.engine.replyError(s, `ERR Unrecognized option '${args[2]}'`);
    return;
  }
  s.reply.ok();
}

function clientReply(s: Session, args: string[]): void {
  const mode = args[2]!.toLowerCase();
  if (mode === 'on') {
    s.replyMode = 'on';
    s.skipNext = false;
    s.reply.ok();
  } else if (mode === 'off') {
    s.replyMode = 'off';
  } else if (mode === 'skip') {
    if (s.replyMode === 'on') s.replyMode = 'skip';
  } else {
    s.engine.replyError(s, ERR.syntax);
  }
}

function clientNoEvict(s: Session, args: string[]): void {
  const v = args[2]!.toLowerCase();
  if (v !== 'on' && v !== 'off') {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  s.noEvict = v === 'on';
  s.reply.ok();
}

/** One CLIENT LIST / CLIENT INFO line, fields in Redis 7.0's order. */
export function describeClient(s: Session, nowMs: number): string {
  const t = s.transport;
  let flags = '';
  if (s.multi !== null) flags += 'x';
  if (s.blocked !== null) flags += 'b';
  if (s.watchDirty) flags += 'd';
  if (s.monitor) flags += 'O';
  if (s.closeAfterReply) flags += 'c';
  if (s.isPrimaryLink) flags += 'M';
  if (s.subscriptionCount > 0) flags += 'P';
  if (s.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const qbuf = t?.queryBufferBytes() ?? 0;
  const omem = t?.outputBufferBytes() ?? 0;
  return (
    `id=${s.id} addr=${t?.addr ?? ''} laddr=${t?.laddr ?? ''} fd=${t?.fd ?? -1} name=${s.name} ` +
    `age=${Math.floor((nowMs - s.createdMs) / 1000)} idle=${Math.floor((nowMs - s.lastInteractionMs) / 1000)} ` +
    `flags=${flags} db=${s.db.id} sub=${s.channels.size} psub=${s.patterns.size} ssub=0 ` +
    `multi=${s.multi === null ? -1 : s.multi.queue.length} qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=1024 rbp=0 obl=0 oll=0 omem=${omem} tot-mem=${qbuf + omem + 22400} events=r cmd=${s.lastCommand} ` +
    `user=default redir=-1 resp=${s.protocol}`
  );
}

function clientInfo(s: Session): void {
  s.reply.verbatim(describeClient(s, s.engine.clock.nowMs()) + '\n');
}

function clientList(s: Session, args: string[]): void {
  let sessions = s.engine.admin?.sessions() ?? [s];
  if (args.length >= 4 && is(args[2], 'id')) {
    const ids = new Set<number>();
    for (const a of args.slice(3)) {
      const id = parseInt64(a);
      if (id === null || typeof id === 'bigint' || id <= 0) {
        s.engine.replyError(s, 'ERR Invalid client ID');
        return;
      }
      ids.add(id);
    }
    sessions = sessions.filter((x) => ids.has(x.id));
  } else if (args.length === 4 && is(args[2], 'type')) {
    const type = args[3]!.toLowerCase();
    if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) {
      s.engine.replyError(s, `ERR Unknown client type '${args[3]}'`);
      return;
    }
    sessions = sessions.filter((x) => clientType(x) === (type === 'slave' ? 'replica' : type));
  } else if (args.length !== 2) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  const now = s.engine.clock.nowMs();
  s.reply.verbatim(sessions.map((x) => describeClient(x, now) + '\n').join(''));
}

function clientType(s: Session): string {
  if (s.isPrimaryLink) return 'master';
  if (s.subscriptionCount > 0) return 'pubsub';
  return 'normal';
}

function clientKill(s: Session, args: string[]): void {
  const sessions = s.engine.admin?.sessions() ?? [];
  if (args.length === 3) {
    // Old form: CLIENT KILL addr:port
    const target = sessions.find((x) => x.transport?.addr === args[2]);
    if (target === undefined) {
      s.engine.replyError(s, ERR.noSuchClient);
      return;
    }
    target.transport?.close();
    s.reply.ok();
    return;
  }
  if ((args.length - 2) % 2 !== 0) {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  let victims = sessions;
  let skipMe = true;
  for (let i = 2; i < args.length; i += 2) {
    const field = args[i]!.toLowerCase();
    const value = args[i + 1]!;
    if (field === 'id') {
      const id = parseInt64(value);
      if (id === null || typeof id === 'bigint' || id <= 0) {
        s.engine.replyError(s, 'ERR client-id should be greater than 0');
        return;
      }
      victims = victims.filter((x) => x.id === id);
    } else if (field === 'addr') victims = victims.filter((x) => x.transport?.addr === value);
    else if (field === 'laddr') victims = victims.filter((x) => x.transport?.laddr === value);
    else if (field === 'type') {
      const type = value.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) {
        s.engine.replyError(s, `ERR Unknown client type '${value}'`);
        return;
      }
      victims = victims.filter((x) => clientType(x) === (type === 'slave' ? 'replica' : type));
    } else if (field === 'user') victims = victims.filter(() => value === 'default');
    else if (field === 'skipme') {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') {
        s.engine.replyError(s, ERR.syntax);
        return;
      }
      skipMe = v === 'yes';
    } else if (field === 'maxage') {
      const age = parseInt64(value);
      if (age === null) {
        s.engine.replyError(s, ERR.syntax);
        return;
      }
      const now = s.engine.clock.nowMs();
      victims = victims.filter((x) => (now - x.createdMs) / 1000 >= Number(age));
    } else {
      s.engine.replyError(s, ERR.syntax);
      return;
    }
  }
  if (skipMe) victims = victims.filter((x) => x !== s);
  for (const v of victims) {
    if (v === s) s.closeAfterReply = true;
    else v.transport?.close();
  }
  s.reply.integer(victims.length);
}

function clientUnblock(s: Session, args: string[]): void {
  const id = intOrReply(s, args[2]!);
  if (id === null) return;
  let mode = 'timeout';
  if (args.length === 4) {
    mode = args[3]!.toLowerCase();
    if (mode !== 'timeout' && mode !== 'error') {
      s.engine.replyError(s, 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const target = s.engine.sessions.get(id);
  const state = target?.blocked;
  if (target === undefined || state === null || state === undefined) {
    s.reply.integer(0);
    return;
  }
  s.engine.unblock(target);
  if (mode === 'error') target.engine.replyError(target, 'UNBLOCKED client unblocked via CLIENT UNBLOCK');
  else state.onTimeout();
  target.transport?.wake();
  target.transport?.resume();
  s.reply.integer(1);
}

export const connectionCommands: CommandDef[] = [
  { name: 'ping', handler: ping },
  { name: 'echo', handler: echo },
  { name: 'quit', handler: quit },
  { name: 'select', handler: select },
  { name: 'auth', handler: auth },
  { name: 'hello', handler: hello },
  { name: 'reset', handler: reset },
  { name: 'monitor', handler: monitor },
  { name: 'client|id', handler: clientId },
  { name: 'client|setname', handler: clientSetname },
  { name: 'client|getname', handler: clientGetname },
  { name: 'client|setinfo', handler: clientSetinfo, arity: 4 },
  { name: 'client|reply', handler: clientReply },
  { name: 'client|no-evict', handler: clientNoEvict },
  { name: 'client|info', handler: clientInfo },
  { name: 'client|list', handler: clientList },
  { name: 'client|kill', handler: clientKill },
  { name: 'client|unblock', handler: clientUnblock },
];
