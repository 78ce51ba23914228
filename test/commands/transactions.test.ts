// Proves MULTI/EXEC/WATCH answer byte for byte as Redis 7.0, including WATCH on a key that had already expired
// when it was watched (its deletion by expiry changes nothing; overwriting it fails the transaction).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

describe.runIf(requireRealRedis())('transactions against real Redis', () => {
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

  async function same(script: string[][]): Promise<void> {
    for (const args of script) {
      const expected = (await redis.call(...args)).toString('latin1');
      const actual = (await ours.call(...args)).toString('latin1');
      expect(actual, args.join(' ')).toBe(expected);
    }
  }

  test('a key BITFIELD creates without changing a bit (every write refused by OVERFLOW FAIL) does not fail a WATCH', async () => {
    // Redis's lookupStringForBitCommand adds the key (dbAdd) but only a changed bit signals it modified.
    await same([
      ['FLUSHALL'],
      ['WATCH', 'e'],
      ['BITFIELD', 'e', 'OVERFLOW', 'FAIL', 'SET', 'u8', '100', '-2'],
      ['MULTI'],
      ['EXEC'],
      ['STRLEN', 'e'],
      ['WATCH', 'e2'],
      ['BITFIELD', 'e2', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '999', 'SET', 'u8', '8', '1'],
      ['MULTI'],
      ['EXEC'],
      ['WATCH', 'e3'],
      ['SETBIT', 'e3', '7', '0'],
      ['MULTI'],
      ['EXEC'],
    ]);
  });

  test('queued errors abort with EXECABORT; runtime errors stay in the reply array', async () => {
    await same([
      ['FLUSHALL'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['NOSUCH'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'a', 'x'],
      ['INCR', 'a'],
      ['GET', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['MULTI'],
      ['WATCH', 'a'],
      ['DISCARD'],
    ]);
  });

  test('a watched key touched by another client fails EXEC', async () => {
    await same([['FLUSHALL'], ['SET', 'w', '1'], ['WATCH', 'w']]);
    const a = await ours.connect();
    await a.call('SET', 'w', '2');
    a.socket.destroy();
    // Real Redis: the same modification from a second connection.
    const { connectRaw } = await import('../helpers/real-redis.js');
    const b = await connectRaw(redis.port);
    await b.call('SET', 'w', '2');
    b.socket.destroy();
    await same([['MULTI'], ['GET', 'w'], ['EXEC']]);
  });

  test('WATCH of an already expired key: its lazy deletion is no change, overwriting it is', async () => {
    await same([
      ['FLUSHALL'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'e', 'v', 'PXAT', '1'],
      ['WATCH', 'e'],
      ['GET', 'e'],
      ['MULTI'],
      ['SET', 'x', '1'],
      ['EXEC'],
      ['SET', 'f', 'v', 'PXAT', '1'],
      ['WATCH', 'f'],
      ['SET', 'f', 'new'],
      ['MULTI'],
      ['SET', 'x', '2'],
      ['EXEC'],
      ['SET', 'g', 'v', 'PX', '50'],
      ['WATCH', 'g'],
    ]);
    await new Promise((r) => setTimeout(r, 120));
    // g expired after WATCH (not before): EXEC fails in both.
    await same([['MULTI'], ['SET', 'x', '3'], ['EXEC'], ['GET', 'x']]);
  });

  test('SWAPDB and FLUSHALL touch watched keys as redis touchAllWatchedKeysInDb, expired keys included', async () => {
    await same([
      ['FLUSHALL'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      // A missing watched key replaced by an expired one: no change (now watched as expired).
      ['SELECT', '1'],
      ['SET', 'd', 'v', 'PXAT', '1'],
      ['SELECT', '2'],
      ['WATCH', 'd'],
      ['SWAPDB', '2', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      // ... and then replaced by a live one: changed.
      ['FLUSHALL'],
      ['SELECT', '1'],
      ['SET', 'd', 'v', 'PXAT', '1'],
      ['SELECT', '2'],
      ['WATCH', 'd'],
      ['SWAPDB', '2', '1'],
      ['SELECT', '1'],
      ['SET', 'd', 'live'],
      ['SELECT', '2'],
      ['SWAPDB', '2', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      // A missing watched key replaced by a live one: changed.
      ['FLUSHALL'],
      ['SELECT', '1'],
      ['SET', 'd', 'v'],
      ['SELECT', '2'],
      ['WATCH', 'd'],
      ['SWAPDB', '2', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      // An expired watched key flushed away: no change; a live one: changed.
      ['FLUSHALL'],
      ['SET', 'e', 'v', 'PXAT', '1'],
      ['WATCH', 'e'],
      ['FLUSHALL'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['SET', 'e', 'v'],
      ['WATCH', 'e'],
      ['FLUSHALL'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['SELECT', '0'],
    ]);
  });
});
