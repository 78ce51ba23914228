// Proves (issue #1) that absolute expire times anywhere in int64, beyond the 2^53 ms a double holds, behave as in
// Redis 7.0: the same commands go to a real redis-server and to Strongbox and replies must be byte-identical
// (TTL/PTTL, relative to each server's clock, within a tolerance); such expiries survive DEBUG RELOAD, an AOF
// rewrite and reload, and an RDB file written by one server and loaded by the other.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bulkOf, requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const INT64_MAX = '9223372036854775807';
/** Steps: a command whose reply must be identical, or one whose integer reply may differ by `tolerance`. */
type Step = string[] | { near: string[]; tolerance: number };

const CASES: Step[] = [
  ['SET', 'k', 'v'], ['PEXPIREAT', 'k', INT64_MAX], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
  { near: ['PTTL', 'k'], tolerance: 5000 }, { near: ['TTL', 'k'], tolerance: 5 },
  ['PEXPIREAT', 'k', '9223372036854775806', 'GT'], ['PEXPIRETIME', 'k'], ['PEXPIREAT', 'k', '9223372036854775806', 'LT'],
  ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '9007199254740993', 'LT'], ['PEXPIRETIME', 'k'],
  ['PEXPIREAT', 'k', '9007199254740992', 'XX'], ['PEXPIRETIME', 'k'], ['PEXPIREAT', 'k', '9223372036854775808'],
  ['EXPIREAT', 'k', '9223372036854775'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'], ['EXPIREAT', 'k', '9223372036854776'],
  ['EXPIREAT', 'k', '-9223372036854776'], ['PEXPIRE', 'k', INT64_MAX], ['EXPIRE', 'k', '9223372036854775'],
  ['PEXPIRETIME', 'k'], ['SET', 's', 'v', 'PXAT', INT64_MAX], ['PEXPIRETIME', 's'], ['SET', 's', 'v', 'EXAT', '9223372036854775'],
  ['PEXPIRETIME', 's'], ['SET', 's', 'v', 'EXAT', '9223372036854776'], ['SET', 's', 'v', 'PX', INT64_MAX],
  ['SET', 's', 'v', 'EX', '9223372036854775'], ['PEXPIRETIME', 's'], ['GETEX', 's', 'PXAT', '9223372036854775806'],
  ['PEXPIRETIME', 's'], ['GETEX', 's', 'EXAT', '9223372036854775'], ['PEXPIRETIME', 's'], ['EXPIRETIME', 's'],
  ['GETEX', 's', 'EXAT', '9223372036854776'], ['GETEX', 's', 'PX', INT64_MAX], ['PEXPIRETIME', 's'],
  ['SET', 's2', 'v', 'PXAT', '9007199254740993'], ['COPY', 's2', 'c'], ['PEXPIRETIME', 'c'], ['RENAME', 'c', 'r'],
  ['PEXPIRETIME', 'r'], ['MOVE', 'r', '1'], ['SELECT', '1'], ['PEXPIRETIME', 'r'], ['SELECT', '0'],
  ['PERSIST', 's2'], ['PEXPIRETIME', 's2'], ['DUMP', 'nope'], ['SET', 'd', 'dv'], ['PEXPIREAT', 'd', INT64_MAX],
  ['PEXPIRETIME', 'd'], ['DEBUG', 'RELOAD'], ['PEXPIRETIME', 'd'], ['PEXPIRETIME', 'k'], ['PEXPIRETIME', 's'],
  ['DBSIZE'],
];

async function restoreCases(side: RealRedis | Strongbox): Promise<string[]> {
  await side.call('SET', 'src', 'payload');
  const payload = bulkOf(await side.call('DUMP', 'src')) ?? '';
  const replies: string[] = [];
  const run = async (...args: string[]): Promise<void> => {
    replies.push((await side.call(...args)).toString('latin1'));
  };
  await run('RESTORE', 'ra', INT64_MAX, payload, 'ABSTTL');
  await run('PEXPIRETIME', 'ra');
  // Relative: now + INT64_MAX wraps in Redis's long long to a past time, so the key is not created.
  await run('RESTORE', 'rb', INT64_MAX, payload);
  await run('EXISTS', 'rb');
  await run('RESTORE', 'rc', '9223372036854775806', payload, 'ABSTTL');
  await run('PEXPIRETIME', 'rc');
  return replies;
}

describe.runIf(requireRealRedis())('#1 absolute expire times beyond 2^53 ms (PEXPIREAT k 9223372036854775807)', () => {
  let real: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    real = await startRealRedis(['--enable-debug-command', 'yes']);
    ours = await startStrongbox(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await real?.stop();
    await ours?.stop();
  });
  beforeEach(async () => {
    await real.call('FLUSHALL');
    await ours.call('FLUSHALL');
  });

  test('replies match real Redis', async () => {
    for (const step of CASES) {
      const args = Array.isArray(step) ? step : step.near;
      const expected = (await real.call(...args)).toString('latin1');
      const actual = (await ours.call(...args)).toString('latin1');
      if (Array.isArray(step)) {
        expect(actual, args.join(' ')).toBe(expected);
      } else {
        expect(actual.startsWith(':'), args.join(' ')).toBe(true);
        const difference = BigInt(actual.slice(1, -2)) - BigInt(expected.slice(1, -2));
        expect(difference <= BigInt(step.tolerance) && difference >= -BigInt(step.tolerance), `${args.join(' ')}: ${actual} vs ${expected}`).toBe(true);
      }
    }
  });

  test('RESTORE with int64 TTLs matches real Redis', async () => {
    expect(await restoreCases(ours)).toEqual(await restoreCases(real));
  });

  test('an AOF rewrite keeps the exact expire time, and a restart reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongbox-expire-int64-aof-'));
    try {
      const first = await startStrongbox(['--appendonly', 'yes'], { dir });
      try {
        await first.call('SET', 'a', 'v', 'PXAT', INT64_MAX);
        await first.call('SET', 'b', 'v', 'PXAT', '9007199254740993');
        await first.call('BGREWRITEAOF');
        // Wait for the rewrite to finish; the condition, not the time, is what is checked.
        for (let i = 0; i < 1000; i++) {
          const info = (await first.call('INFO', 'persistence')).toString('latin1');
          if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await first.call('SET', 'c', 'v', 'PXAT', '9223372036854775806');
      } finally {
        await first.stop();
      }
      const second = await startStrongbox(['--appendonly', 'yes'], { dir });
      try {
        expect((await second.call('PEXPIRETIME', 'a')).toString('latin1')).toBe(`:${INT64_MAX}\r\n`);
        expect((await second.call('PEXPIRETIME', 'b')).toString('latin1')).toBe(':9007199254740993\r\n');
        expect((await second.call('PEXPIRETIME', 'c')).toString('latin1')).toBe(':9223372036854775806\r\n');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an RDB written by either server loads in the other with the exact expire time', async () => {
    const dirOf = async (side: RealRedis | Strongbox): Promise<string> => {
      if ('dir' in side) return side.dir;
      return (await side.call('CONFIG', 'GET', 'dir')).toString('latin1').split('\r\n')[4] ?? '';
    };
    for (const [writer, loader] of [['real', 'ours'], ['ours', 'real']] as const) {
      const source = writer === 'real' ? real : ours;
      await source.call('SET', 'a', 'v', 'PXAT', INT64_MAX);
      await source.call('SET', 'b', 'v', 'PXAT', '9007199254740993');
      await source.call('SET', 'c', 'v', 'PXAT', '4102444800000');
      expect((await source.call('SAVE')).toString('latin1')).toBe('+OK\r\n');
      const dir = mkdtempSync(join(tmpdir(), 'strongbox-expire-int64-'));
      try {
        copyFileSync(join(await dirOf(source), 'dump.rdb'), join(dir, 'dump.rdb'));
        const target = loader === 'real' ? await startRealRedis(['--dir', dir]) : await startStrongbox(['--dbfilename', 'dump.rdb'], { dir });
        try {
          expect((await target.call('PEXPIRETIME', 'a')).toString('latin1'), `${writer} -> ${loader}`).toBe(`:${INT64_MAX}\r\n`);
          expect((await target.call('PEXPIRETIME', 'b')).toString('latin1'), `${writer} -> ${loader}`).toBe(':9007199254740993\r\n');
          expect((await target.call('PEXPIRETIME', 'c')).toString('latin1'), `${writer} -> ${loader}`).toBe(':4102444800000\r\n');
        } finally {
          await target.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
