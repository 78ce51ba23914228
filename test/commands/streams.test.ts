// Proves the stream commands match Redis 7.0.15 byte for byte: fixed cases covering every option and error and
// seeded random command sequences go to a real redis-server and to Strongbox (RESP2 and RESP3) and the raw replies
// must be equal (time-dependent integers masked); propagation is compared with real Redis's AOF, blocking reads,
// keyspace notifications and the RDB model round trip (toModel/fromModel) are checked too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { connectRaw, requireRealRedis, startRealRedis, arrayOf, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { readIncrAof } from '../helpers/aof.js';
import { StreamValue } from '../../src/keyspace/index.js';
import { testSeed } from '../helpers/seed.js';

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
  ['XADD', 'huge', '1-1', 'f', 'v'.repeat(5000)],
  ['XADD', 'huge', '1-2', 'f', 'v'],
  ['XADD', 'huge', '1-3', 'f', 'v'.repeat(4090), 'g', '1'],
  ['XADD', 'huge', '1-4', 'f', 'v'.repeat(3900)],
  ['XADD', 'huge', '1-5', 'f', 'v'.repeat(100)],
  ['XADD', 'huge', '1-6', 'f', 'v'.repeat(70)],
  ['XINFO', 'STREAM', 'huge'],
  ['XTRIM', 'huge', 'MAXLEN', '~', '2'],
  ['XINFO', 'STREAM', 'huge'],
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
      const stats = async (client: RawClient): Promise<string> =>
        (await client.call('INFO', 'stats')).toString('latin1').split('\r\n').filter((l) => l.startsWith('keyspace_')).join(',');
      const redisBefore = await stats(pair.redis);
      const oursBefore = await stats(pair.ours);
      for (const args of CASES) await same(pair, args);
      // Key lookups count hits and misses where Redis's do (lookupKeyRead vs lookupKeyWrite).
      const delta = (before: string, after: string): number[] => {
        const numbers = (t: string): number[] => t.split(',').map((kv) => Number(kv.split(':')[1]));
        const [b, a] = [numbers(before), numbers(after)];
        return a.map((v, i) => v - (b[i] ?? 0));
      };
      const oursDelta = delta(oursBefore, await stats(pair.ours));
      expect(oursDelta.length).toBeGreaterThanOrEqual(2);
      expect(oursDelta).toEqual(delta(redisBefore, await stats(pair.redis)));
      pair.redis.socket.destroy();
      pair.ours.socket.destroy();
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Seeded random sequences over explicit IDs

function runSeed(label: string): number {
  const seed = testSeed(label) | 0;
  console.log(`[${label}] SEED=${seed} (replay with SEED=${seed})`);
  return seed;
}

/** Per-run generator state: the next millisecond part of each stream's XADD IDs, so most XADDs succeed. */
interface Ctx {
  ms: Map<string, number>;
}

type Gen = (ctx: Ctx) => string[];

const KEYS = ['s1', 's2', 'str'];
const GROUPS = ['g1', 'g2', 'g3'];
const CONSUMERS = ['c1', 'c2', 'c3'];
const FIELDS = ['f', 'g', 'h', '1', 'a-longer-field-name'];
const VALUES = [
  '', 'v', '12', '-5', '0', '-0', '007', '127', '128', '4095', '4096', '-4097', '32767', '32768', '8388607', '8388608',
  '2147483647', '2147483648', '9223372036854775807', '9223372036854775808', '12345678901234567890', 'x'.repeat(63),
  'x'.repeat(64), 'y'.repeat(200),
];

function randomArbitraries(): fc.Arbitrary<Gen> {
  const key = fc.constantFrom(...KEYS.slice(0, 2), ...KEYS);
  const group = fc.constantFrom(...GROUPS);
  const consumer = fc.constantFrom(...CONSUMERS);
  const value = fc.oneof(fc.constantFrom(...VALUES), fc.nat(90).map((n) => 'z'.repeat(n)));
  const fieldValues = fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), value), { minLength: 1, maxLength: 4 }).map((p) => p.flat()),
    value.map((v) => ['f', v]),
  );
  /** An ID near the stream's current XADD position (may or may not exist). */
  const near = fc.tuple(fc.integer({ min: -12, max: 1 }), fc.nat(2), fc.nat(9));
  const nearId = (ctx: Ctx, k: string, [d, seq, form]: [number, number, number]): string => {
    const ms = Math.max(0, (ctx.ms.get(k) ?? 1) + d);
    if (form === 0) return String(ms);
    if (form === 1) return '-';
    if (form === 2) return '+';
    if (form === 3) return `(${ms}-${seq}`;
    return `${ms}-${seq}`;
  };
  const count = fc.oneof(fc.constant<string[]>([]), fc.integer({ min: -1, max: 5 }).map((n) => ['COUNT', String(n)]));
  const trim = fc.tuple(fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom('', '~', '='), fc.nat(25), fc.nat(4), near);
  const trimArgs = (ctx: Ctx, k: string, [kind, op, n, limit, id]: [string, string, number, number, [number, number, number]]): string[] => {
    const out = [kind, ...(op === '' ? [] : [op]), kind === 'MAXLEN' ? String(n) : nearId(ctx, k, [id[0], id[1], 5])];
    if (op === '~' && limit > 0) out.push('LIMIT', String(limit * 3));
    return out;
  };
  const xadd = fc
    .tuple(key, fc.nat(3), fc.nat(9), fc.nat(2), fc.option(trim, { freq: 3 }), fc.nat(19), fieldValues)
    .map(([k, step, mode, seq, t, flags, fv]): Gen => (ctx) => {
      const ms = (ctx.ms.get(k) ?? 1) + step;
      ctx.ms.set(k, ms);
      const id = mode === 0 ? `${ms}-*` : mode === 1 ? String(ms) : `${ms}-${seq}`;
      return ['XADD', k, ...(flags === 0 ? ['NOMKSTREAM'] : []), ...(t === null ? [] : trimArgs(ctx, k, t)), id, ...fv];
    });
  const g = (arb: fc.Arbitrary<Gen>, weight = 1): fc.WeightedArbitrary<Gen> => ({ weight: Math.round(weight * 10), arbitrary: arb });
  return fc.oneof(
    g(xadd, 14),
    g(fc.tuple(key, near, near).map(([k, a, b]): Gen => (ctx) => ['XDEL', k, nearId(ctx, k, [a[0], a[1], 5]), nearId(ctx, k, [b[0], b[1], 5])]), 2),
    g(fc.tuple(key, trim).map(([k, t]): Gen => (ctx) => ['XTRIM', k, ...trimArgs(ctx, k, t)])),
    g(fc.tuple(key, near, near, count, fc.boolean()).map(([k, a, b, c, rev]): Gen => (ctx) =>
      rev ? ['XREVRANGE', k, nearId(ctx, k, b), nearId(ctx, k, a), ...c] : ['XRANGE', k, nearId(ctx, k, a), nearId(ctx, k, b), ...c]), 2),
    g(key.map((k): Gen => () => ['XLEN', k])),
    g(fc.tuple(key, near, count, fc.boolean()).map(([k, a, c, dollar]): Gen => (ctx) =>
      ['XREAD', ...c, 'STREAMS', k, dollar ? '$' : nearId(ctx, k, [a[0], a[1], 5])])),
    g(fc.tuple(key, group, near, fc.nat(5), fc.integer({ min: -1, max: 6 })).map(([k, gr, a, opt, er]): Gen => (ctx) => [
      'XGROUP', 'CREATE', k, gr, opt === 0 ? '$' : nearId(ctx, k, [a[0], a[1], 5]),
      ...(opt === 1 ? ['MKSTREAM'] : []), ...(opt === 2 ? ['ENTRIESREAD', String(er)] : []),
    ]), 2),
    g(fc.tuple(key, group, near, fc.nat(3), fc.integer({ min: -1, max: 30 })).map(([k, gr, a, opt, er]): Gen => (ctx) => [
      'XGROUP', 'SETID', k, gr, opt === 0 ? '$' : nearId(ctx, k, a), ...(opt === 1 ? ['ENTRIESREAD', String(er)] : []),
    ])),
    g(fc.tuple(key, group, consumer, fc.nat(5)).map(([k, gr, c, which]): Gen => () =>
      which === 0 ? ['XGROUP', 'DESTROY', k, gr] : which < 3 ? ['XGROUP', 'CREATECONSUMER', k, gr, c] : ['XGROUP', 'DELCONSUMER', k, gr, c])),
    g(fc.tuple(key, group, consumer, count, fc.nat(4), near).map(([k, gr, c, cnt, mode, a]): Gen => (ctx) => [
      'XREADGROUP', 'GROUP', gr, c, ...cnt, ...(mode === 0 ? ['NOACK'] : []), 'STREAMS', k, mode === 1 ? nearId(ctx, k, [a[0], a[1], 5]) : '>',
    ]), 5),
    g(fc.tuple(key, group, near, near).map(([k, gr, a, b]): Gen => (ctx) => ['XACK', k, gr, nearId(ctx, k, [a[0], a[1], 5]), nearId(ctx, k, [b[0], b[1], 5])]), 2),
    g(fc.tuple(key, group, consumer, fc.nat(5), near, near, fc.nat(6)).map(([k, gr, c, mode, a, b, n]): Gen => (ctx) => {
      if (mode === 0) return ['XPENDING', k, gr];
      const idle = mode === 1 ? ['IDLE', '0'] : mode === 2 ? ['IDLE', '1000000000'] : [];
      return ['XPENDING', k, gr, ...idle, nearId(ctx, k, a), nearId(ctx, k, b), String(n - 1), ...(mode === 4 ? [c] : [])];
    }), 2),
    g(fc.tuple(key, group, consumer, fc.boolean(), near, near, fc.subarray(['JUSTID', 'FORCE', 'RETRYCOUNT', 'TIME', 'IDLE', 'LASTID'])).map(
      ([k, gr, c, longIdle, a, b, opts]): Gen => (ctx) => {
        const options: string[] = [];
        for (const o of opts) {
          if (o === 'RETRYCOUNT') options.push(o, '3');
          else if (o === 'TIME') options.push(o, '1000');
          else if (o === 'IDLE') options.push(o, '5000');
          else if (o === 'LASTID') options.push(o, nearId(ctx, k, [a[0], 0, 5]));
          else options.push(o);
        }
        return ['XCLAIM', k, gr, c, longIdle ? '1000000000' : '0', nearId(ctx, k, [a[0], a[1], 5]), nearId(ctx, k, [b[0], b[1], 5]), ...options];
      },
    ), 2),
    g(fc.tuple(key, group, consumer, fc.boolean(), near, fc.nat(4), fc.boolean()).map(([k, gr, c, longIdle, a, n, justId]): Gen => (ctx) => [
      'XAUTOCLAIM', k, gr, c, longIdle ? '1000000000' : '0', nearId(ctx, k, [a[0], a[1], 0]), 'COUNT', String(n + 1), ...(justId ? ['JUSTID'] : []),
    ]), 2),
    g(fc.tuple(key, fc.nat(3)).map(([k, mode]): Gen => () =>
      mode === 0 ? ['XINFO', 'STREAM', k] : mode === 1 ? ['XINFO', 'STREAM', k, 'FULL', 'COUNT', '3'] : ['XINFO', 'GROUPS', k]), 2),
    g(fc.tuple(key, group).map(([k, gr]): Gen => () => ['XINFO', 'CONSUMERS', k, gr])),
    g(fc.tuple(key, fc.integer({ min: 0, max: 3 }), fc.nat(3), fc.nat(40)).map(([k, d, mode, n]): Gen => (ctx) => {
      const ms = (ctx.ms.get(k) ?? 1) + d;
      return ['XSETID', k, `${ms}-0`, ...(mode === 1 ? ['ENTRIESADDED', String(n)] : mode === 2 ? ['MAXDELETEDID', `${Math.max(0, ms - 3)}-0`] : [])];
    }), 0.3),
    g(key.map((k): Gen => () => (k === 'str' ? ['SET', 'str', 'x'] : ['DEL', k])), 0.2),
  );
}

/** Our propagated commands as Redis writes them to its AOF (SELECT on db change), from now on. */
function captureOurs(ours: Strongbox): string[][] {
  const captured: string[][] = [];
  const host = ours.server.engine.host;
  const original = host.propagate.bind(host);
  let lastDb = -1;
  host.propagate = (batch) => {
    for (const command of batch) {
      if (command.dbIndex !== lastDb && command.args[0] !== 'MULTI' && command.args[0] !== 'EXEC') {
        captured.push(['SELECT', String(command.dbIndex)]);
        lastDb = command.dbIndex;
      }
      captured.push([...command.args]);
    }
    original(batch);
  };
  return captured;
}

/** Propagated commands with instants (13-digit ms times, as in XCLAIM TIME) masked. */
function maskArgs(commands: string[][]): string[][] {
  return commands.map((c) => c.map((a) => (/^1\d{12}$/.test(a) ? 'T' : a)));
}

describe.runIf(enabled)('stream commands, seeded random sequences against real Redis 7.0', () => {
  const settings: { label: string; protocol: 2 | 3; config: [string, string][] }[] = [
    { label: 'small nodes', protocol: 2, config: [['stream-node-max-entries', '5'], ['stream-node-max-bytes', '300']] },
    { label: 'default nodes', protocol: 3, config: [['stream-node-max-entries', '100'], ['stream-node-max-bytes', '4096']] },
    { label: 'byte-bound nodes', protocol: 2, config: [['stream-node-max-entries', '0'], ['stream-node-max-bytes', '160']] },
  ];
  for (const setting of settings) {
    test(`800 commands, ${setting.label}, RESP${setting.protocol}; propagation equals real Redis's AOF`, async () => {
      const seed = runSeed(`streams random ${setting.label}`);
      const commands = fc.sample(fc.array(randomArbitraries(), { minLength: 800, maxLength: 800 }), { seed, numRuns: 1 })[0]!;
      const redis = await startRealRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no']);
      const ours = await startStrongbox();
      try {
        const pair = await openPair(redis, ours, setting.protocol);
        for (const [name, value] of setting.config) {
          await pair.redis.call('CONFIG', 'SET', name, value);
          await pair.ours.call('CONFIG', 'SET', name, value);
        }
        const captured = captureOurs(ours);
        const ctx: Ctx = { ms: new Map() };
        let errors = 0;
        for (let i = 0; i < commands.length; i++) {
          const args = commands[i]!(ctx);
          if ((await same(pair, args, `SEED=${seed} #${i}: ${args.join(' ')}`)).startsWith('-')) errors++;
        }
        for (const k of KEYS) {
          await same(pair, ['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'], `SEED=${seed} final state of ${k}`);
          await same(pair, ['XINFO', 'STREAM', k], `SEED=${seed} final nodes of ${k}`);
        }
        const dir = arrayOf(await redis.call('CONFIG', 'GET', 'dir'))[1]!;
        console.log(`[streams random ${setting.label}] ${errors} of ${commands.length} replies were errors, ${captured.length} commands propagated`);
        expect(maskArgs(captured), `SEED=${seed} propagation`).toEqual(maskArgs(readIncrAof(dir)));
        pair.redis.socket.destroy();
        pair.ours.socket.destroy();
      } finally {
        await redis.stop();
        await ours.stop();
      }
    }, 120_000);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Blocking reads, propagation of their effects, notifications, auto IDs

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface BlockCase {
  name: string;
  setup: string[][];
  /** The blocking command, sent on its own connection. */
  blocker: string[];
  /** Sent on another connection once the blocker waits; the blocker's reply is awaited after them. */
  actions: string[][];
}

const BLOCK_CASES: BlockCase[] = [
  { name: 'XREAD $ served by XADD', setup: [['XADD', 'b1', '1-1', 'f', 'v']], blocker: ['XREAD', 'BLOCK', '0', 'STREAMS', 'b1', '$'], actions: [['XADD', 'b1', '2-1', 'f', 'w', 'g', 'x']] },
  { name: 'XREAD on a missing key served when XADD creates it', setup: [], blocker: ['XREAD', 'BLOCK', '0', 'STREAMS', 'b2', '$'], actions: [['XADD', 'b2', '5-5', 'f', 'v']] },
  { name: 'XREAD of two keys answers with the key that got data', setup: [['XADD', 'b3', '1-1', 'f', 'v']], blocker: ['XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'b3', 'b4', '$', '$'], actions: [['XADD', 'b4', '1-1', 'f', 'v']] },
  { name: 'XREAD times out', setup: [], blocker: ['XREAD', 'BLOCK', '50', 'STREAMS', 'b5', '$'], actions: [] },
  { name: 'XREAD stays blocked when the key becomes a string, then times out', setup: [['XADD', 'b6', '1-1', 'f', 'v']], blocker: ['XREAD', 'BLOCK', '100', 'STREAMS', 'b6', '$'], actions: [['SET', 'b6', 'x']] },
  { name: 'XREAD served by XADD+XDEL in MULTI gets an empty list', setup: [['XADD', 'b7', '1-1', 'f', 'v']], blocker: ['XREAD', 'BLOCK', '0', 'STREAMS', 'b7', '$'], actions: [['MULTI'], ['XADD', 'b7', '2-1', 'f', 'v'], ['XDEL', 'b7', '2-1'], ['EXEC']] },
  { name: 'XREADGROUP > served by XADD', setup: [['XGROUP', 'CREATE', 'b8', 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'b8', '>'], actions: [['XADD', 'b8', '1-1', 'f', 'v'], ['XPENDING', 'b8', 'g', '-', '+', '10']] },
  { name: 'XREADGROUP NOACK served by XADD', setup: [['XGROUP', 'CREATE', 'b9', 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', '0', 'STREAMS', 'b9', '>'], actions: [['XADD', 'b9', '1-1', 'f', 'v'], ['XINFO', 'GROUPS', 'b9']] },
  { name: 'XREADGROUP unblocked by XGROUP DESTROY', setup: [['XGROUP', 'CREATE', 'b10', 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'b10', '>'], actions: [['XGROUP', 'DESTROY', 'b10', 'g']] },
  { name: 'XREADGROUP unblocked when the key becomes a string', setup: [['XGROUP', 'CREATE', 'b11', 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'b11', '>'], actions: [['SET', 'b11', 'x']] },
  { name: 'XREADGROUP times out', setup: [['XGROUP', 'CREATE', 'b12', 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '30', 'STREAMS', 'b12', '>'], actions: [] },
  ...['DEL', 'UNLINK', 'FLUSHDB', 'FLUSHALL', 'MOVE', 'RENAME', 'SWAPDB', 'PEXPIRE'].map((how, i): BlockCase => {
    const k = `d${i}`;
    const action = how === 'MOVE' ? [how, k, '1'] : how === 'RENAME' ? [how, k, `${k}-renamed`] : how === 'SWAPDB' ? [how, '0', '1'] : how === 'PEXPIRE' ? [how, k, '1'] : how.startsWith('FLUSH') ? [how] : [how, k];
    return { name: `XREADGROUP unblocked with an error when ${how} takes its stream away`, setup: [['XGROUP', 'CREATE', k, 'g', '$', 'MKSTREAM']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', k, '>'], actions: [action] };
  }),
  // SWAPDB signals a stream that goes for a non-stream before any key that exists after the swap, so the
  // client blocked on both gets -UNBLOCKED (for e2), not -NOGROUP (for e1, a stream without its group), whatever
  // the order of its keys.
  ...[['e1', 'e2'], ['e2', 'e1']].map(([first, second], i): BlockCase => ({
    name: `XREADGROUP on two streams (${first} ${second}), SWAPDB brings a stream without the group and a string`,
    setup: [
      ...['e1', 'e2'].map((k) => ['XGROUP', 'CREATE', `${k}-${i}`, 'g', '$', 'MKSTREAM']),
      ['SELECT', '1'],
      ['XADD', `e1-${i}`, '1-1', 'f', 'v'],
      ['SET', `e2-${i}`, 'x'],
      ['SELECT', '0'],
    ],
    blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', `${first}-${i}`, `${second}-${i}`, '>', '>'],
    actions: [['SWAPDB', '0', '1']],
  })),
  { name: 'XREAD stays blocked when DEL removes its stream, then times out', setup: [['XADD', 'd9', '1-1', 'f', 'v']], blocker: ['XREAD', 'BLOCK', '100', 'STREAMS', 'd9', '$'], actions: [['DEL', 'd9']] },
  { name: 'XREADGROUP of an up-to-date group blocks; XACK does not serve it', setup: [['XADD', 'b13', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'b13', 'g', '$']], blocker: ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'b13', '>'], actions: [['XACK', 'b13', 'g', '1-1'], ['XADD', 'b13', '2-1', 'a', 'b'], ['XADD', 'b13', '3-1', 'a', 'b']] },
];

async function runBlockCase(pair: Pair, blockers: Pair, c: BlockCase): Promise<void> {
  for (const args of c.setup) await same(pair, args, `${c.name}: ${args.join(' ')}`);
  const redisReply = blockers.redis.call(...c.blocker);
  const oursReply = blockers.ours.call(...c.blocker);
  await pause(30);
  for (const args of c.actions) await same(pair, args, `${c.name}: ${args.join(' ')}`);
  const [expected, actual] = await Promise.all([redisReply, oursReply]);
  expect(mask(actual.toString('latin1'), c.blocker[0]!), c.name).toBe(mask(expected.toString('latin1'), c.blocker[0]!));
}

describe.runIf(enabled)('blocking stream reads against real Redis 7.0', () => {
  for (const protocol of [2, 3] as const) {
    test(`each case replies like Redis, RESP${protocol}; the effects propagate like Redis's AOF`, async () => {
      const redis = await startRealRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no']);
      const ours = await startStrongbox();
      try {
        const captured = captureOurs(ours);
        const pair = await openPair(redis, ours, protocol);
        const blockers = await openPair(redis, ours, protocol);
        for (const c of BLOCK_CASES) await runBlockCase(pair, blockers, c);
        // Inside MULTI a blocking read answers at once, as on timeout.
        for (const args of [['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'm', '$'], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'b12', '>'], ['EXEC']]) {
          await same(pair, args);
        }
        await pause(20);
        const dir = arrayOf(await redis.call('CONFIG', 'GET', 'dir'))[1]!;
        expect(maskArgs(captured)).toEqual(maskArgs(readIncrAof(dir)));
        for (const p of [pair, blockers]) {
          p.redis.socket.destroy();
          p.ours.socket.destroy();
        }
      } finally {
        await redis.stop();
        await ours.stop();
      }
    }, 60_000);
  }

});

describe.runIf(enabled)('stream keyspace notifications against real Redis 7.0', () => {
  test('the same messages in the same order', async () => {
    const redis = await startRealRedis(['--notify-keyspace-events', 'KEA']);
    const ours = await startStrongbox(['--notify-keyspace-events', 'KEA']);
    try {
      const listen = async (port: number): Promise<{ data: Buffer[]; client: RawClient }> => {
        const client = await connectRaw(port);
        const data: Buffer[] = [];
        await client.call('PSUBSCRIBE', '*');
        client.socket.on('data', (chunk: Buffer) => data.push(chunk));
        return { data, client };
      };
      const rs = await listen(redis.port);
      const os = await listen(ours.port);
      const pair = await openPair(redis, ours, 2);
      const seq: string[][] = [
        ['XADD', 'n', '1-1', 'f', 'v'], ['XADD', 'n', '2-1', 'f', 'v'], ['XADD', 'n', 'MAXLEN', '1', '3-1', 'f', 'v'],
        ['XADD', 'n', 'MAXLEN', '5', '4-1', 'f', 'v'], ['XTRIM', 'n', 'MAXLEN', '0'], ['XTRIM', 'n', 'MAXLEN', '0'],
        ['XADD', 'n', '5-1', 'f', 'v'], ['XDEL', 'n', '5-1'], ['XDEL', 'n', '5-1'],
        ['XGROUP', 'CREATE', 'n', 'g', '0'], ['XGROUP', 'CREATE', 'n', 'g', '0'], ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
        ['XGROUP', 'CREATECONSUMER', 'n', 'g', 'c'], ['XGROUP', 'CREATECONSUMER', 'n', 'g', 'c'],
        ['XGROUP', 'SETID', 'n', 'g', '0'], ['XADD', 'n', '6-1', 'f', 'v'],
        ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'n', '>'], ['XCLAIM', 'n', 'g', 'c3', '0', '6-1'],
        ['XAUTOCLAIM', 'n', 'g', 'c4', '0', '0'], ['XGROUP', 'DELCONSUMER', 'n', 'g', 'c'], ['XGROUP', 'DELCONSUMER', 'n', 'g', 'c'],
        ['XGROUP', 'DESTROY', 'n', 'g'], ['XGROUP', 'DESTROY', 'n', 'g'], ['XSETID', 'n', '100-0'], ['XSETID', 'n', '1-0'],
        ['XADD', 'n', 'NOMKSTREAM', 'MINID', '~', '1000', '200-0', 'f', 'v'], ['XTRIM', 'n', 'MINID', '1000'], ['DEL', 'n'],
      ];
      for (const args of seq) await same(pair, args);
      await pause(50);
      expect(Buffer.concat(os.data).toString('latin1')).toBe(Buffer.concat(rs.data).toString('latin1'));
      for (const c of [rs.client, os.client, pair.redis, pair.ours]) c.socket.destroy();
    } finally {
      await redis.stop();
      await ours.stop();
    }
  });
});

describe.runIf(enabled)('auto-generated IDs', () => {
  test('`*` and `<ms>-*` IDs have the shape and order of Redis, and propagate as the IDs generated', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    try {
      const captured = captureOurs(ours);
      for (const server of [redis, ours]) {
        const ids: string[] = [];
        const before = Date.now();
        for (let i = 0; i < 50; i++) ids.push((await server.call('XADD', 'auto', '*', 'i', String(i))).toString('latin1'));
        ids.push((await server.call('XADD', 'auto', 'MAXLEN', '~', '10', '*', 'i', 'last')).toString('latin1'));
        const after = Date.now();
        const parsed = ids.map((reply) => {
          const m = /^\$\d+\r\n(\d+)-(\d+)\r\n$/.exec(reply);
          expect(m, reply).not.toBeNull();
          return [BigInt(m![1]!), BigInt(m![2]!)] as const;
        });
        for (let i = 1; i < parsed.length; i++) {
          const [a, b] = [parsed[i - 1]!, parsed[i]!];
          expect(b[0] > a[0] || (b[0] === a[0] && b[1] === a[1] + 1n)).toBe(true);
          if (b[0] > a[0]) expect(b[1]).toBe(0n);
        }
        expect(Number(parsed[0]![0])).toBeGreaterThanOrEqual(before - 5);
        expect(Number(parsed[parsed.length - 1]![0])).toBeLessThanOrEqual(after + 5);
        const last = parsed[parsed.length - 1]!;
        expect((await server.call('XADD', 'auto', `${last[0]}-*`, 'f', 'v')).toString('latin1')).toBe(`$${`${last[0]}-${last[1] + 1n}`.length}\r\n${last[0]}-${last[1] + 1n}\r\n`);
      }
      const xadds = captured.filter((c) => c[0] === 'XADD');
      expect(xadds.length).toBe(52);
      for (const c of xadds) expect(c.some((a) => a === '*')).toBe(false);
      expect(xadds[50]!.slice(2, 4)).toEqual(['MAXLEN', '=']);
      expect(xadds[50]![4]).toBe('51');
    } finally {
      await redis.stop();
      await ours.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Node layout under load: `~` trimming and XINFO's radix tree figures depend on exact listpack sizes

describe.runIf(enabled)('node layout against real Redis 7.0', () => {
  test('3000 appends with varied entry sizes and 64-bit IDs, interleaved with XDEL and ~ trims, keep the same nodes', async () => {
    const seed = runSeed('streams node layout');
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    try {
      const r = await connectRaw(redis.port);
      const o = await ours.connect();
      const plan = fc.sample(
        fc.array(
          fc.record({
            jump: fc.oneof({ weight: 8, arbitrary: fc.constant(0n) }, { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: 1000n }) }, { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 1n << 40n }) }),
            seq: fc.oneof(fc.constant(-1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
            fields: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'name', '42', 'x'.repeat(70)), fc.oneof(fc.nat(600).map((n) => 'v'.repeat(n)), fc.integer().map(String), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String))), { minLength: 1, maxLength: 5 }),
            op: fc.nat(99),
          }),
          { minLength: 3000, maxLength: 3000 },
        ),
        { seed, numRuns: 1 },
      )[0]!;
      const commands: string[][] = [];
      let ms = 1n << 50n;
      let seq = 0n;
      const ids: string[] = [];
      for (const step of plan) {
        if (step.jump > 0n) {
          ms += step.jump;
          seq = step.seq < 0n ? 0n : step.seq % (1n << 62n);
        } else {
          seq += 1n;
        }
        const id = `${ms}-${seq}`;
        ids.push(id);
        commands.push(['XADD', 'L', id, ...step.fields.flat()]);
        if (step.op < 8) commands.push(['XDEL', 'L', ids[Math.floor((ids.length * step.op) / 8)]!]);
        else if (step.op < 10) commands.push(['XTRIM', 'L', 'MAXLEN', '~', String(Math.floor(ids.length / 3))]);
        else if (step.op < 11) commands.push(['XTRIM', 'L', 'MINID', '~', ids[Math.floor(ids.length / 2)]!, 'LIMIT', String(step.op * 10)]);
        else if (step.op < 12) commands.push(['XADD', 'L', 'MAXLEN', '~', '700', `${ms + 1n}-*`, 'f', 'v']);
        if (step.op % 10 === 0) commands.push(['XINFO', 'STREAM', 'L']);
      }
      commands.push(['XINFO', 'STREAM', 'L', 'FULL', 'COUNT', '0']);
      const [expected, actual] = await Promise.all([
        Promise.all(commands.map((c) => r.call(...c))),
        Promise.all(commands.map((c) => o.call(...c))),
      ]);
      for (let i = 0; i < commands.length; i++) {
        expect(actual[i]!.toString('latin1'), `SEED=${seed} #${i}: ${commands[i]!.slice(0, 4).join(' ')}`).toBe(expected[i]!.toString('latin1'));
      }
      console.log(actual[actual.length - 1]!.toString('latin1').slice(0, 160).replace(/\r\n/g, ' '));
      r.socket.destroy();
      o.socket.destroy();
    } finally {
      await redis.stop();
      await ours.stop();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------
// The RDB model round trip (toModel / fromModel) and clone

describe('stream value model round trip', () => {
  test('fromModel(toModel(v)) and clone() hold the same stream: same model, same replies', async () => {
    const { Engine, allCommands } = await import('../../src/commands/index.js');
    const { defaultKeyspaceConfig } = await import('../../src/keyspace/index.js');
    const seed = runSeed('streams model round trip');
    const config = { ...defaultKeyspaceConfig(), streamNodeMaxEntries: 4, streamNodeMaxBytes: 250 };
    let now = 1_700_000_000_000;
    let checked = 0;
    fc.assert(
      fc.property(fc.array(randomArbitraries(), { minLength: 50, maxLength: 400 }), (gens) => {
        const engine = new Engine({ keyspace: config, clock: { nowMs: () => now, monotonicUs: () => now * 1000 }, random: () => 0.5, commands: allCommands });
        const session = engine.createSession();
        const run = (args: string[]): string => {
          engine.execute(session, args);
          return session.reply.take().toString('latin1');
        };
        const ctx: Ctx = { ms: new Map() };
        for (const gen of gens) {
          now += 7;
          run(gen(ctx));
        }
        const db = engine.keyspace.db(0);
        for (const key of KEYS) {
          const value = db.peek(key);
          if (!(value instanceof StreamValue)) continue;
          checked++;
          const queries = [['XRANGE', key, '-', '+'], ['XREVRANGE', key, '+', '-', 'COUNT', '3'], ['XINFO', 'GROUPS', key], ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0']];
          for (const g of GROUPS) queries.push(['XPENDING', key, g, '-', '+', '1000'], ['XPENDING', key, g], ['XINFO', 'CONSUMERS', key, g]);
          const ask = (): string[] => queries.map(run);
          const model = value.toModel();
          const before = ask();
          const copy = value.clone();
          expect(copy.toModel()).toEqual(model);
          db.set(key, copy);
          expect(ask()).toEqual(before);
          const loaded = StreamValue.fromModel(structuredClone(model));
          expect(loaded.toModel()).toEqual(model);
          db.set(key, loaded);
          // Loading drops tombstones and re-packs nodes, which only XINFO's node figures show.
          const nodeFigures = (r: string): string => r.replace(/(radix-tree-(keys|nodes)\r\n):\d+/g, '$1:N');
          expect(ask().map(nodeFigures)).toEqual(before.map(nodeFigures));
        }
      }),
      { seed, numRuns: 25, endOnFailure: true },
    );
    expect(checked).toBeGreaterThan(10);
  });
});
