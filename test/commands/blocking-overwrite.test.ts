// Proves which writes serve a client blocked on a key, against real Redis 7.0: a key created (dbAdd) serves it,
// a value replacing another one (setKey over an existing key, dbOverwrite) does not, unless the old value was a
// stream. The blocked clients live on extra connections; the replies and the data left behind must match.
import { describe, expect, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { same as sameOn, usePair } from '../helpers/pair-suite.js';

const enabled = requireRealRedis();

describe.runIf(enabled)('blocked clients and overwritten keys, against real Redis 7.0', () => {
  const pair = usePair();
  const same = (args: string[]): Promise<string> => sameOn(pair(), args);

  test('ZUNIONSTORE over a list leaves BZPOPMAX blocked; a zset created after DEL serves it', async () => {
    await same(['FLUSHALL']);
    await same(['ZADD', 'src', '1', 'a', '2', 'b']);
    // BLMPOP and BZPOPMAX block on the missing k; LPUSH serves BLMPOP and leaves a list; ZUNIONSTORE replaces it.
    const results = await pair().sendWhileBlocked(
      [['BLMPOP', '30', '1', 'k', 'LEFT'], ['BZPOPMAX', 'k', '30']],
      [['LPUSH', 'k', 'x', 'y', 'z'], ['ZUNIONSTORE', 'k', '1', 'src']],
    );
    expect(results.filter((r) => r !== null)).toEqual([]);
    expect(await same(['ZCARD', 'k'])).toBe(':2\r\n'); // not popped: BZPOPMAX was released unserved
    const served = await pair().sendWhileBlocked([['BZPOPMAX', 'k2', '30']], [['SET', 'k2', 'x'], ['DEL', 'k2'], ['ZUNIONSTORE', 'k2', '1', 'src']]);
    expect(served.filter((r) => r !== null)).toEqual([]);
    expect(await same(['ZCARD', 'k2'])).toBe(':1\r\n'); // served: b popped
  });

  test('SORT STORE over a zset leaves BLPOP blocked; over a missing key it serves', async () => {
    await same(['FLUSHALL']);
    await same(['RPUSH', 'src', '3', '1', '2']);
    const results = await pair().sendWhileBlocked(
      [['BZPOPMIN', 'k', '30'], ['BLPOP', 'k', '30']],
      [['ZADD', 'k', '1', 'a', '2', 'b'], ['SORT', 'src', 'STORE', 'k']],
    );
    expect(results.filter((r) => r !== null)).toEqual([]);
    expect(await same(['LRANGE', 'k', '0', '-1'])).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    const served = await pair().sendWhileBlocked([['BLPOP', 'k3', '30']], [['SORT', 'src', 'STORE', 'k3']]);
    expect(served.filter((r) => r !== null)).toEqual([]);
    expect(await same(['LRANGE', 'k3', '0', '-1'])).toBe('*2\r\n$1\r\n2\r\n$1\r\n3\r\n');
  });
});
