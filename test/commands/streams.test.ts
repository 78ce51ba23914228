// Proves the stream commands match Redis 7.0.15 byte for byte: fixed cases covering every option and error and
// seeded random command sequences go to a real redis-server and to Strongbox (RESP2 and RESP3) and the raw replies
// must be equal (time-dependent integers masked); propagation is compared with real Redis's AOF, blocking reads,
// keyspace notifications and the RDB model round trip (toModel/fromModel) are checked too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectRaw, requireRealRedis, startRealRedis, arrayOf, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { StreamValue } from '../../src/keyspace/index.js';

const enabled = requireRealRedis();

/**
 * Masks what depends on the instant a server ran a command: absolute millisecond times (delivery and seen
 * times, 13 digits), XINFO CONSUMERS idle, and XPENDING's per-entry idle.
 */
function mask(reply: string, command: string): string {
  let out = reply.replace(/:1\d{12}\r\n/g, ':T\r\n').replace(/(\$4\r\nidle\r\n:)\d+/g, '$1I');
  if (command.toUpperCase() === 'XPENDING') {
    out = out.replace(/(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n:)\d+/g, '$1I');
  }
  return out;
}

interface Pair {
  redis: RawClient;
  ours: RawClient;
}

async function openPair(redis: RealRedis, ours: Strongbox, protocol: 2 | 3): Promise<Pair> {
  const r = await connectRaw(redis.port);
  const o = await ours.connect();
  if (protocol === 3) {
    await r.call('HELLO', '3');
    await o.call('HELLO', '3');
  }
  return { redis: r, ours: o };
}

async function same(pair: Pair, args: string[], label = args.join(' ')): Promise<string> {
  const expected = mask((await pair.redis.call(...args)).toString('latin1'), args[0]!);
  const actual = mask((await pair.ours.call(...args)).toString('latin1'), args[0]!);
  expect(actual, label).toBe(expected);
  return actual;
}

const big = 'x'.repeat(300);
const u64max = '18446744073709551615';

/** Fixed cases: every option and error path of every command, in a sequence that builds up state. */
const CASES: string[][] = [
  ['FLUSHALL'],
  // XADD: IDs, forms, errors.
  ['XADD', 's', '1-1', 'a', '1'],
  ['XADD', 's', '1-1', 'a', '1'],
  ['XADD', 's', '1-0', 'a', '1'],
  ['XADD', 's', '1-*', 'a', '2', 'b', '3'],
  ['XADD', 's', '2', 'f', 'v'],
  ['XADD', 's', '2-*', 'f', 'v'],
  ['XADD', 's', '0-0', 'f', 'v'],
  ['XADD', 'new', '0-*', 'f', 'v'],
  ['XADD', 'new2', '0-0', 'f', 'v'],
  ['XADD', 's', '3-1', 'f'],
  ['XADD', 's', '3-1', 'f', 'v', 'g'],
  ['XADD', 's', '3-1'],
  ['XADD', 's', 'abc', 'f', 'v'],
  ['XADD', 's', '-', 'f', 'v'],
  ['XADD', 's', '+', 'f', 'v'],
  ['XADD', 's', '3-x', 'f', 'v'],
  ['XADD', 's', '3-', 'f', 'v'],
  ['XADD', 's', '-3', 'f', 'v'],
  ['XADD', 's', ' 4-1', 'f', 'v'],
  ['XADD', 's', '+5', 'f', 'v'],
  ['XADD', 's', '6- -1', 'f', 'v'],
  ['XADD', 's', '7 ', 'f', 'v'],
  ['XADD', 's', '007-0', 'f', 'v'],
  ['XADD', 's', '8\u00009', 'f', 'v'],
  ['XADD', 's', `9-${u64max}`, 'f', 'v'],
  ['XADD', 's', '9-*', 'f', 'v'],
  ['XADD', 's', '18446744073709551616-0', 'f', 'v'],
  ['XADD', 's', '1'.repeat(130), 'f', 'v'],
  ['XADD', 's', 'NOMKSTREAM', '10-0', 'f', 'v'],
  ['XADD', 'nostream', 'NOMKSTREAM', '10-0', 'f', 'v'],
  ['EXISTS', 'nostream'],
  ['XADD', 's', 'nomkstream', 'maxlen', '100', '11-0', 'f', 'v'],
  ['SET', 'str', 'x'],
  ['XADD', 'str', '1-1', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '-1', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', 'x', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '1', 'MINID', '1', '12-0', 'f', 'v'],
  ['XADD', 's', 'MINID', 'x', '12-0', 'f', 'v'],
  ['XADD', 's', 'MINID', '-', '12-0', 'f', 'v'],
  ['XADD', 's', 'LIMIT', '5', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '5', 'LIMIT', '5', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '~', '5', 'LIMIT', '-1', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '~', '5', 'LIMIT', 'x', '12-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN'],
  ['XADD', 's', 'MAXLEN', '5'],
  ['XADD', 's', 'FOO', 'f', 'v'],
  ['XLEN', 's'],
  ['XLEN', 'nope'],
  ['XLEN', 'str'],
  // XRANGE / XREVRANGE.
  ['XRANGE', 's', '-', '+'],
  ['XRANGE', 's', '-', '+', 'COUNT', '2'],
  ['XRANGE', 's', '-', '+', 'COUNT', '0'],
  ['XRANGE', 's', '-', '+', 'COUNT', '-5'],
  ['XRANGE', 's', '-', '+', 'COUNT'],
  ['XRANGE', 's', '-', '+', 'COUNT', 'x'],
  ['XRANGE', 's', '-', '+', 'FOO', '1'],
  ['XRANGE', 's', '1', '2'],
  ['XRANGE', 's', '(1-1', '+'],
  ['XRANGE', 's', '-', '(2-0'],
  ['XRANGE', 's', '(-', '+'],
  ['XRANGE', 's', '-', '(+'],
  ['XRANGE', 's', `(${u64max}-${u64max}`, '+'],
  ['XRANGE', 's', '-', '(0-0'],
  ['XRANGE', 's', '(0', '+'],
  ['XRANGE', 's', '(', '+'],
  ['XRANGE', 's', '+', '-'],
  ['XRANGE', 's', 'x', '+'],
  ['XRANGE', 'nope', '-', '+'],
  ['XRANGE', 'nope', '-', '+', 'COUNT', '0'],
  ['XRANGE', 'str', '-', '+'],
  ['XREVRANGE', 's', '+', '-'],
  ['XREVRANGE', 's', '+', '-', 'COUNT', '1'],
  ['XREVRANGE', 's', '(9', '(1'],
  ['XREVRANGE', 's', '-', '+'],
  // XDEL.
  ['XDEL', 's', '1-1'],
  ['XDEL', 's', '1-1', '1-2', '99-0'],
  ['XDEL', 's', 'x'],
  ['XDEL', 's', '-'],
  ['XDEL', 'nope', '1-1'],
  ['XDEL', 'str', '1-1'],
  ['XINFO', 'STREAM', 's'],
  // XTRIM.
  ['XTRIM', 's'],
  ['XTRIM', 's', 'FOO'],
  ['XTRIM', 's', 'LIMIT', '1'],
  ['XTRIM', 's', 'MAXLEN', '~', '1', 'LIMIT', '0'],
  ['XTRIM', 's', 'MAXLEN', '100'],
  ['XTRIM', 'nope', 'MAXLEN', '1'],
  ['XTRIM', 'str', 'MAXLEN', '1'],
  ['XTRIM', 's', 'MAXLEN', '=', '4'],
  ['XINFO', 'STREAM', 's'],
  ['XTRIM', 's', 'MINID', '7'],
  ['XINFO', 'STREAM', 's'],
  ['XTRIM', 's', 'MINID', '~', '100'],
  ['XINFO', 'STREAM', 's'],
  // Groups.
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 's', 'g2', '$'],
  ['XGROUP', 'CREATE', 's', 'g3', '0', 'ENTRIESREAD', '3'],
  ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD', '-2'],
  ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD', 'x'],
  ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD'],
  ['XGROUP', 'CREATE', 's', 'g4', '0', 'FOO'],
  ['XGROUP', 'CREATE', 's', 'g4', '-'],
  ['XGROUP', 'CREATE', 's', 'g4', 'x'],
  ['XGROUP', 'CREATE', 's', 'g4', '0', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 'nope', 'g', '0'],
  ['XGROUP', 'CREATE', 'mk', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 'str', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 's'],
  ['XGROUP', 'SETID', 's', 'nog', '0'],
  ['XGROUP', 'SETID', 's', 'g3', '-'],
  ['XGROUP', 'SETID', 's', 'g3', '+', 'ENTRIESREAD', '10'],
  ['XGROUP', 'SETID', 's', 'g3', '$'],
  ['XGROUP', 'SETID', 's', 'g3', '0', 'ENTRIESREAD'],
  ['XGROUP', 'SETID', 's', 'g3', '0', 'MKSTREAM'],
  ['XGROUP', 'SETID', 'nope', 'g3', '0'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
  ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'c1'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'zz'],
  ['XGROUP', 'DELCONSUMER', 's', 'nog', 'zz'],
  ['XGROUP', 'DESTROY', 's', 'nog'],
  ['XGROUP', 'DESTROY', 's', 'g4'],
  ['XGROUP', 'DESTROY', 's', 'g2', 'x'],
  ['XGROUP', 'HELP'],
  ['XGROUP', 'HELP', 'x'],
  ['XGROUP', 'FOO'],
  ['XGROUP', 'FOO', 'a', 'b', 'c'],
  ['XGROUP'],
  ['XINFO', 'GROUPS', 's'],
  ['XINFO', 'GROUPS', 'nope'],
  ['XINFO', 'GROUPS', 'str'],
  ['XINFO', 'GROUPS', 'mk'],
  // XREADGROUP / XREAD.
  ['XADD', 's', '20-0', 'a', '1'],
  ['XADD', 's', '21-0', 'a', '2'],
  ['XADD', 's', '22-0', 'b', '3'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g3', 'c1', 'NOACK', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '$'],
  ['XREADGROUP', 'GROUP', 'nog', 'c1', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'nope', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'str', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', 'x'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '>', 's2'],
  ['XREADGROUP', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', 'x', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '-1', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', 'x', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'FOO', 'STREAMS', 's', '>'],
  ['XREAD', 'STREAMS', 's', '0'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 's', 'mk', '0', '0'],
  ['XREAD', 'STREAMS', 's', '$'],
  ['XREAD', 'STREAMS', 's', '>'],
  ['XREAD', 'STREAMS', 's', '-'],
  ['XREAD', 'STREAMS', 's', '21'],
  ['XREAD', 'STREAMS', 'nope', 's', '0', '0'],
  ['XREAD', 'STREAMS', 'str', '0'],
  ['XREAD', 'STREAMS', 's'],
  ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
  ['XREAD', 'NOACK', 'STREAMS', 's', '0'],
  ['XREAD', 'COUNT', '1', 's', '0'],
  ['XREAD', 'STREAMS'],
  ['XREAD', 'COUNT', '-3', 'STREAMS', 's', '0'],
  // XACK, XPENDING.
  ['XPENDING', 's', 'g'],
  ['XPENDING', 's', 'g', '-', '+', '10'],
  ['XPENDING', 's', 'g', '-', '+', '10', 'c1'],
  ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
  ['XPENDING', 's', 'g', '(20-0', '+', '1'],
  ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10'],
  ['XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10'],
  ['XPENDING', 's', 'g', 'IDLE', '10', '-', '+'],
  ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'],
  ['XPENDING', 's', 'g', '-', '+', 'x'],
  ['XPENDING', 's', 'g', '-', '+', '-1'],
  ['XPENDING', 's', 'g', 'x', '+', '1'],
  ['XPENDING', 's', 'g', '-'],
  ['XPENDING', 's', 'g', '-', '+'],
  ['XPENDING', 's', 'g', '-', '+', '10', 'c1', 'extra', 'more'],
  ['XPENDING', 's', 'nog'],
  ['XPENDING', 'nope', 'g'],
  ['XPENDING', 'str', 'g'],
  ['XPENDING', 's', 'g3'],
  ['XACK', 's', 'g', '20-0', '20-0', '99-0'],
  ['XACK', 's', 'g', 'x'],
  ['XACK', 's', 'nog', '20-0'],
  ['XACK', 'nope', 'g', '20-0'],
  ['XACK', 'str', 'g', '20-0'],
  ['XPENDING', 's', 'g'],
  // XCLAIM, XAUTOCLAIM.
  ['XCLAIM', 's', 'g', 'c3', '0', '21-0'],
  ['XCLAIM', 's', 'g', 'c3', '0', '21-0', 'JUSTID'],
  ['XCLAIM', 's', 'g', 'c3', '100000000', '21-0'],
  ['XCLAIM', 's', 'g', 'c1', '0', '21-0', '22-0', 'RETRYCOUNT', '7', 'IDLE', '5000'],
  ['XCLAIM', 's', 'g', 'c1', '0', '20-0', 'FORCE'],
  ['XCLAIM', 's', 'g', 'c1', '0', '99-0', 'FORCE'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'TIME', '1000', 'LASTID', '30-0'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'TIME', '-5', 'RETRYCOUNT', '-2'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'FOO'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'IDLE'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'IDLE', 'x'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'TIME', 'x'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'RETRYCOUNT', 'x'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'LASTID', 'x'],
  ['XCLAIM', 's', 'g', 'c4', 'x', '20-0'],
  ['XCLAIM', 's', 'g', 'c4', '-5', '20-0', 'bad-id', '21-0'],
  ['XCLAIM', 's', 'nog', 'c4', '0', '20-0'],
  ['XCLAIM', 'nope', 'g', 'c4', '0', '20-0'],
  ['XCLAIM', 'str', 'g', 'c4', '0', '20-0'],
  ['XCLAIM', 's', 'g', 'c4', '0', '20-0', 'LASTID', '25-0'],
  ['XINFO', 'GROUPS', 's'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT', '1'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '(20-0', 'COUNT', '1', 'JUSTID'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '100000000', '0'],
  ['XAUTOCLAIM', 's', 'g', 'c5', 'x', '0'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', 'x'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', `(${u64max}-${u64max}`],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT', '0'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT', 'x'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT', '576460752303423488'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT', '576460752303423487'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'COUNT'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0', 'FOO'],
  ['XAUTOCLAIM', 's', 'nog', 'c5', '0', '0'],
  ['XAUTOCLAIM', 'nope', 'g', 'c5', '0', '0'],
  ['XAUTOCLAIM', 'str', 'g', 'c5', '0', '0'],
  ['XDEL', 's', '21-0'],
  ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0'],
  ['XCLAIM', 's', 'g', 'c5', '0', '21-0', '20-0'],
  ['XPENDING', 's', 'g', '-', '+', '10'],
  // XINFO.
  ['XINFO', 'CONSUMERS', 's', 'g'],
  ['XINFO', 'CONSUMERS', 's', 'nog'],
  ['XINFO', 'CONSUMERS', 'nope', 'g'],
  ['XINFO', 'CONSUMERS', 's'],
  ['XINFO', 'STREAM', 's', 'FULL'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT'],
  ['XINFO', 'STREAM', 's', 'FULL', 'FOO', '1'],
  ['XINFO', 'STREAM', 's', 'FOO'],
  ['XINFO', 'STREAM', 'nope'],
  ['XINFO', 'STREAM', 'str'],
  ['XINFO', 'STREAM', 'mk'],
  ['XINFO', 'STREAM', 'mk', 'FULL'],
  ['XINFO', 'HELP'],
  ['XINFO', 'HELP', 'x'],
  ['XINFO', 'FOO', 'x'],
  ['XINFO'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
  ['XINFO', 'STREAM', 's', 'FULL'],
  // XSETID.
  ['XSETID', 's', '1-0'],
  ['XSETID', 's', '100-0'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED', '1'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED', '-1'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED', 'x'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED', '1000', 'MAXDELETEDID', '50-0'],
  ['XSETID', 's', '100-0', 'MAXDELETEDID', '200-0'],
  ['XSETID', 's', '100-0', 'MAXDELETEDID', 'x'],
  ['XSETID', 's', '100-0', 'FOO', '1'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED'],
  ['XSETID', 's', 'x'],
  ['XSETID', 's', '+'],
  ['XSETID', 'nope', '1-0'],
  ['XSETID', 'str', '1-0'],
  ['XSETID', 'mk', '5-5', 'ENTRIESADDED', '0'],
  ['XINFO', 'STREAM', 's'],
  ['XINFO', 'STREAM', 'mk'],
  ['XINFO', 'GROUPS', 's'],
  ['XADD', 's', '100-0', 'f', 'v'],
  ['XADD', 's', '100-*', 'f', 'v'],
  ['XSETID', 's', `${u64max}-${u64max}`],
  ['XADD', 's', '*', 'f', 'v'],
  ['XADD', 's', 'x', 'f', 'v'],
  ['XADD', 'big', '1-1', big, big, 'n', '12345678901234567890'],
  ['XRANGE', 'big', '-', '+'],
  ['TYPE', 's'],
  ['OBJECT', 'ENCODING', 's'],
  ['EXISTS', 'mk'],
];

describe.runIf(enabled)('stream commands, byte for byte against real Redis 7.0', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis();
    ours = await startStrongbox();
  });
  afterAll(async () => {
    await redis.stop();
    await ours.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`fixed cases, RESP${protocol}`, async () => {
      const pair = await openPair(redis, ours, protocol);
      for (const args of CASES) await same(pair, args);
      pair.redis.socket.destroy();
      pair.ours.socket.destroy();
    });
  }
});
