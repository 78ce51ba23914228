// Proves a value loaded from an RDB (DEBUG RELOAD, RESTORE of Redis's DUMP) gets the encoding Redis 7.0 gives it:
// a hash or sorted set stored as a listpack stays one unless it has too many entries, even when a member is now
// longer than the value threshold (Redis does not scan for long values there), while one stored as a hash table
// or skiplist becomes a listpack only within both thresholds.
import { describe, expect, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { same as sameOn, usePair } from '../helpers/pair-suite.js';

const enabled = requireRealRedis();

describe.runIf(enabled)('encodings after loading, against real Redis 7.0', () => {
  const pair = usePair();
  const same = (args: string[]): Promise<string> => sameOn(pair(), args);

  for (const [type, fill, valueConfig, entriesConfig] of [
    ['zset', ['ZADD', 'k', '1', 'a-long-member', '2', 'b'], 'zset-max-listpack-value', 'zset-max-listpack-entries'],
    ['hash', ['HSET', 'k', 'f', 'a-long-value', 'g', 'h'], 'hash-max-listpack-value', 'hash-max-listpack-entries'],
  ] as const) {
    test(`${type}: a listpack with a value over the new threshold stays a listpack through DEBUG RELOAD and RESTORE`, async () => {
      await same(['FLUSHALL']);
      await same(['CONFIG', 'SET', valueConfig, '64']);
      await same(['CONFIG', 'SET', entriesConfig, '128']);
      await same([...fill]);
      expect(await same(['OBJECT', 'ENCODING', 'k'])).toBe('$8\r\nlistpack\r\n');
      const [dumped] = await pair().raw(['DUMP', 'k']);
      const payload = dumped.toString('latin1');
      await same(['CONFIG', 'SET', valueConfig, '2']);
      await same(['DEBUG', 'RELOAD']);
      expect(await same(['OBJECT', 'ENCODING', 'k'])).toBe('$8\r\nlistpack\r\n');
      await same(['RESTORE', 'r', '0', payload.slice(payload.indexOf('\r\n') + 2, -2)]);
      expect(await same(['OBJECT', 'ENCODING', 'r'])).toBe('$8\r\nlistpack\r\n');
      // Too many entries: converted on load.
      await same(['CONFIG', 'SET', entriesConfig, '1']);
      await same(['DEBUG', 'RELOAD']);
      expect(await same(['OBJECT', 'ENCODING', 'k'])).not.toBe('$8\r\nlistpack\r\n');
      // Stored as a hash table / skiplist: a listpack again only within both thresholds.
      await same(['CONFIG', 'SET', entriesConfig, '128']);
      await same(['DEBUG', 'RELOAD']);
      expect(await same(['OBJECT', 'ENCODING', 'k'])).not.toBe('$8\r\nlistpack\r\n');
      await same(['CONFIG', 'SET', valueConfig, '64']);
      await same(['DEBUG', 'RELOAD']);
      expect(await same(['OBJECT', 'ENCODING', 'k'])).toBe('$8\r\nlistpack\r\n');
      await same(['DEBUG', 'DIGEST']);
    });
  }
});
