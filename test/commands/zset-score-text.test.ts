// Proves a listpack sorted set stores each score as Redis 7.0's d2string writes it (integers within
// +-LLONG_MAX/2, else %.17g), by comparing DUMP bytes with real Redis for scores around the edges, and that
// what it dumps loads back (DEBUG RELOAD) to the same bytes.
import { describe, expect, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { same as sameOn, usePair } from '../helpers/pair-suite.js';

const enabled = requireRealRedis();

const SCORES = [
  '975088078060439808', // found by the fuzzer: %.17g would print 9.7508807806043981e+17
  '4503599627370495', '4503599627370496', '9007199254740993', '4611686018427387904', '-4611686018427387904',
  '9223372036854775807', '4611686018427388928', '-4611686018427388928', '1e300', '-0', '0.5', '1.5e17', '-123',
];

describe.runIf(enabled)('listpack zset score text, against real Redis 7.0', () => {
  const pair = usePair();
  const same = (args: string[]): Promise<string> => sameOn(pair(), args);

  test('DUMP bytes equal for integral scores up to and past 2^62, before and after DEBUG RELOAD', async () => {
    await same(['FLUSHALL']);
    for (const [i, score] of SCORES.entries()) await same(['ZADD', 'z', score, `m${i}`]);
    expect(await same(['OBJECT', 'ENCODING', 'z'])).toBe('$8\r\nlistpack\r\n');
    await same(['DUMP', 'z']);
    await same(['DEBUG', 'RELOAD']);
    await same(['DUMP', 'z']);
    await same(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']);
  });
});
