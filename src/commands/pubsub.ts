/**
 * Pub/sub: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB (redis `src/pubsub.c`), and the
 * parsing of `notify-keyspace-events`. Messages are written to subscribers' reply buffers as push messages
 * (RESP3 `>`; arrays in RESP2) and flushed with the subscriber's next turn.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import type { Engine } from './engine.js';
import { NOTIFY } from './engine.js';
import { stringMatch } from '../keyspace/index.js';

function subscribeReply(s: Session, kind: string, name: string | null): void {
  s.reply.push(3);
  s.reply.bulk(kind);
  if (name === null) s.reply.nullBulk();
  else s.reply.bulk(name);
  s.reply.integer(s.subscriptionCount);
}

function subscribe(s: Session, args: string[]): void {
  const engine = s.engine;
  for (let i = 1; i < args.length; i++) {
    const channel = args[i]!;
    if (!s.channels.has(channel)) {
      s.channels.add(channel);
      let set = engine.channels.get(channel);
      if (set === undefined) engine.channels.set(channel, (set = new Set()));
      set.add(s);
    }
    subscribeReply(s, 'subscribe', channel);
  }
}

function psubscribe(s: Session, args: string[]): void {
  const engine = s.engine;
  for (let i = 1; i < args.length; i++) {
    const pattern = args[i]!;
    if (!s.patterns.has(pattern)) {
      s.patterns.add(pattern);
      let set = engine.patterns.get(pattern);
      if (set === undefined) engine.patterns.set(pattern, (set = new Set()));
      set.add(s);
    }
    subscribeReply(s, 'psubscribe', pattern);
  }
}

function removeChannel(engine: Engine, s: Session, channel: string): void {
  s.channels.delete(channel);
  const set = engine.channels.get(channel);
  set?.delete(s);
  if (set !== undefined && set.size === 0) engine.channels.delete(channel);
}

function removePattern(engine: Engine, s: Session, pattern: string): void {
  s.patterns.delete(pattern);
  const set = engine.patterns.get(pattern);
  set?.delete(s);
  if (set !== undefined && set.size === 0) engine.patterns.delete(pattern);
}

function unsubscribe(s: Session, args: string[]): void {
  const engine = s.engine;
  const targets = args.length > 1 ? args.slice(1) : [...s.channels];
  if (targets.length === 0) {
    subscribeReply(s, 'unsubscribe', null);
    return;
  }
  for (const channel of targets) {
    removeChannel(engine, s, channel);
    subscribeReply(s, 'unsubscribe', channel);
  }
}

function punsubscribe(s: Session, args: string[]): void {
  const engine = s.engine;
  const targets = args.length > 1 ? args.slice(1) : [...s.patterns];
  if (targets.length === 0) {
    subscribeReply(s, 'punsubscribe', null);
    return;
  }
  for (const pattern of targets) {
    removePattern(engine, s, pattern);
    subscribeReply(s, 'punsubscribe', pattern);
  }
}

function publish(s: Session, args: string[]): void {
  s.reply.integer(s.engine.publish(args[1]!, args[2]!));
}

function pubsubChannels(s: Session, args: string[]): void {
  const pattern = args[2];
  const names = [...s.engine.channels.keys()].filter((c) => pattern === undefined || stringMatch(pattern, c));
  s.reply.bulkArray(names);
}

// Redis 7.0 replies NUMSUB and SHARDNUMSUB as flat arrays in RESP3 too (maps came with 7.2).
function pubsubNumsub(s: Session, args: string[]): void {
  s.reply.array((args.length - 2) * 2);
  for (let i = 2; i < args.length; i++) {
    s.reply.bulk(args[i]!);
    s.reply.integer(s.engine.channels.get(args[i]!)?.size ?? 0);
  }
}

function pubsubNumpat(s: Session): void {
  s.reply.integer(s.engine.patterns.size);
}

function pubsubShardchannels(s: Session): void {
  s.reply.array(0);
}

function pubsubShardnumsub(s: Session, args: string[]): void {
  s.reply.array((args.length - 2) * 2);
  for (let i = 2; i < args.length; i++) {
    s.reply.bulk(args[i]!);
    s.reply.integer(0);
  }
}

/**
 * `notify-keyspace-events` letters to NOTIFY bits (redis keyspaceEventsStringToFlags); null on an unknown
 * letter. 'A' is the alias for "g$lshzxetd".
 */
export function parseNotifyKeyspaceEvents(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    switch (c) {
      case 'A':
        flags |= NOTIFY.generic | NOTIFY.string | NOTIFY.list | NOTIFY.set | NOTIFY.hash | NOTIFY.zset | NOTIFY.expired | NOTIFY.evicted | NOTIFY.stream | NOTIFY.module;
        break;
      case 'g': flags |= NOTIFY.generic; break;
      case '$': flags |= NOTIFY.string; break;
      case 'l': flags |= NOTIFY.list; break;
      case 's': flags |= NOTIFY.set; break;
      case 'h': flags |= NOTIFY.hash; break;
      case 'z': flags |= NOTIFY.zset; break;
      case 'x': flags |= NOTIFY.expired; break;
      case 'e': flags |= NOTIFY.evicted; break;
      case 'K': flags |= NOTIFY.keyspace; break;
      case 'E': flags |= NOTIFY.keyevent; break;
      case 't': flags |= NOTIFY.stream; break;
      case 'm': flags |= NOTIFY.keyMiss; break;
      case 'd': flags |= NOTIFY.module; break;
      case 'n': flags |= NOTIFY.newKey; break;
      default:
        return null;
    }
  }
  return flags;
}

/** NOTIFY bits back to letters, as CONFIG GET shows them (redis keyspaceEventsFlagsToString). */
export function formatNotifyKeyspaceEvents(flags: number): string {
  let out = '';
  const all = NOTIFY.generic | NOTIFY.string | NOTIFY.list | NOTIFY.set | NOTIFY.hash | NOTIFY.zset | NOTIFY.expired | NOTIFY.evicted | NOTIFY.stream | NOTIFY.module;
  if ((flags & all) === all) out += 'A';
  else {
    if (flags & NOTIFY.generic) out += 'g';
    if (flags & NOTIFY.string) out += '$';
    if (flags & NOTIFY.list) out += 'l';
    if (flags & NOTIFY.set) out += 's';
    if (flags & NOTIFY.hash) out += 'h';
    if (flags & NOTIFY.zset) out += 'z';
    if (flags & NOTIFY.expired) out += 'x';
    if (flags & NOTIFY.evicted) out += 'e';
    if (flags & NOTIFY.stream) out += 't';
    if (flags & NOTIFY.module) out += 'd';
  }
  if (flags & NOTIFY.newKey) out += 'n';
  if (flags & NOTIFY.keyspace) out += 'K';
  if (flags & NOTIFY.keyevent) out += 'E';
  if (flags & NOTIFY.keyMiss) out += 'm';
  return out;
}

export const pubsubCommands: CommandDef[] = [
  { name: 'subscribe', handler: subscribe },
  { name: 'psubscribe', handler: psubscribe },
  { name: 'unsubscribe', handler: unsubscribe },
  { name: 'punsubscribe', handler: punsubscribe },
  { name: 'publish', handler: publish },
  { name: 'pubsub|channels', handler: pubsubChannels },
  { name: 'pubsub|numsub', handler: pubsubNumsub },
  { name: 'pubsub|numpat', handler: pubsubNumpat },
  { name: 'pubsub|shardchannels', handler: pubsubShardchannels },
  { name: 'pubsub|shardnumsub', handler: pubsubShardnumsub },
];
