// Proves stringMatch agrees with Redis 7.0's stringmatchlen: a table of tricky patterns and a
// seeded random fuzz are run through KEYS on a real redis-server and through our matcher, and the
// matched key sets must be identical (case folding is checked via COMMAND LIST FILTERBY PATTERN).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringMatch } from '../../../src/keyspace/algorithms/index.js';
import { arrayOf, requireRealRedis, startRealRedis, type RealRedis } from '../../helpers/real-redis.js';
import { seededRandom } from './random.js';

const available = requireRealRedis();
let redis: RealRedis;

beforeAll(async () => { if (available) redis = await startRealRedis(); });
afterAll(async () => { if (available) await redis.stop(); });

const keys = [
  'a', 'b', 'ab', 'abc', 'aXc', 'abbc', 'a*c', 'a?c', 'a[c', 'a]c', 'a\\c', 'a-c', 'a^c', '', 'hello',
  'hallo', 'hxllo', 'hllo', 'heeeello', 'HELLO', 'Hello', 'h\\llo', 'foo:bar', 'foo:baz:1', '*', '?', '[',
  ']', '\\', '-', '^', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a\x00c', '\xff',
  '\x80', 'a\xffc', 'a\x7fc', 'x-y', 'z', '0', '9', 'user:1000', 'user:10', 'e\u00e9', 'abcabc', 'abcab',
];

const patterns = [
  '*', '?', 'a*', '*c', 'a*c', 'a?c', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo',
  'a[*]c', 'a[?]c', 'a[[]c', 'a[]]c', 'a[\\]]c', 'a[\\\\]c', 'a\\*c', 'a\\?c', 'a\\[c', 'a\\', '\\', '\\\\',
  'a[', 'a[b', 'a[bc', '[', '[]', '[^]', '[^', 'a[-]c', 'a[a-]c', 'a[-c]c', 'a[^a-z]c', 'a[a-z\\]]c',
  'a[\\-]c', '[a-\xff]', '[\x80-\xff]', '[\xff-a]', 'a[\x7f-\xff]c', 'a[\x00-b]c', '*a*a*a*a*a*a*b', 'a*a*a*b',
  '**', '***c', 'a**c', '*?', '?*', '??', 'user:*', 'user:10??', 'foo:*:?', 'foo:ba[rz]*', '[^a]*',
  '[!a]*', 'HELLO', 'h[E]llo', '[A-Z]*', '[a-Z]*', '[Z-a]*', 'a\\xc', 'e[\xe9]', '*\xff', 'a?', 'a??',
  'abc*abc', '*abc*', 'ab[^]c', 'a[^]]c', 'a[b-', '[a-', 'x[-]y', 'x[\\-]y', '\\a\\b', 'a[\\', 'a[^\\',
];

/** KEYS (and SCAN MATCH) treat the one-byte pattern "*" as "all keys", before stringmatchlen. */
const keysWouldMatch = (pattern: string, key: string): boolean => pattern === '*' || stringMatch(pattern, key);

async function keysMatching(pattern: string): Promise<string[]> {
  return (arrayOf(await redis.call('KEYS', pattern)) as string[]).sort();
}

describe.skipIf(!available)('glob vs real Redis 7.0 KEYS', () => {
  test('table of tricky patterns', async () => {
    await redis.call('FLUSHALL');
    for (const key of keys) await redis.call('SET', key, '1');
    for (const pattern of patterns) {
      const ours = keys.filter((key) => keysWouldMatch(pattern, key)).sort();
      expect(ours, `pattern ${JSON.stringify(pattern)}`).toEqual(await keysMatching(pattern));
    }
  });

  test('seeded random patterns against random keys', async () => {
    const random = seededRandom('glob-fuzz');
    const alphabet = ['a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\xff', '\x80', 'z'];
    for (let round = 0; round < 20; round++) {
      await redis.call('FLUSHALL');
      const roundKeys = new Set<string>();
      for (let i = 0; i < 60; i++) {
        let key = '';
        const length = random.int(7);
        for (let j = 0; j < length; j++) key += random.pick(alphabet);
        roundKeys.add(key);
      }
      for (const key of roundKeys) await redis.call('SET', key, '1');
      for (let i = 0; i < 40; i++) {
        let pattern = '';
        const length = 1 + random.int(8);
        for (let j = 0; j < length; j++) pattern += random.pick(alphabet);
        const ours = [...roundKeys].filter((key) => keysWouldMatch(pattern, key)).sort();
        expect(ours, `pattern ${JSON.stringify(pattern)}`).toEqual(await keysMatching(pattern));
      }
    }
  });

  test('nocase matching (COMMAND LIST FILTERBY PATTERN is case-insensitive)', async () => {
    const names = (arrayOf(await redis.call('COMMAND', 'LIST')) as string[]).sort();
    for (const pattern of ['GET*', 'g?t', '*SET*', '[A-C]*', '[^a-y]*', 'h[A-e]*', 'z*', '*[Z]*', 'x[a-Z]*']) {
      const theirs = (arrayOf(await redis.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', pattern)) as string[]).sort();
      expect(names.filter((name) => stringMatch(pattern, name, true)), pattern).toEqual(theirs);
    }
  });

  test('the empty string matches no non-empty pattern, not even "*" (KEYS special-cases "*")', () => {
    expect(stringMatch('*', '')).toBe(false);
    expect(stringMatch('', '')).toBe(true);
  });

  test('pathological pattern stays fast', () => {
    const subject = 'a'.repeat(60);
    const started = performance.now();
    expect(stringMatch('*a*a*a*a*a*a*a*a*a*a*a*b', subject)).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
