// Proves a list keeps Redis 7.0's quicklist node layout through its history: seeded random sequences of
// LPUSH/RPUSH/LINSERT/LSET/LREM/LTRIM/LPOP/RPOP/LMOVE/COPY/RESTORE/SORT STORE (element sizes around the node limits, several
// list-max-listpack-size values, list-compress-depth and rdbcompression, CONFIG SET mid-run) go to real redis-server and to Strongbox, and after every step
// the replies and the DUMP bytes of every list must be equal, and now and then DEBUG DIGEST and DEBUG OBJECT's
// quicklist fields too. SEED=<n> replays one sequence.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { startPair, type Pair } from './collections-harness.js';
import { Rng } from '../fuzz/commands.js';

const enabled = requireRealRedis();

const KEYS = ['l1', 'l2', 'l3'];
const FILLS = ['-2', '-1', '-3', '5', '1', '100'];
const STEPS = 250;

/** Element pool: small strings, integers of every listpack width, and strings near 64/124/4096/8192 bytes. */
function pool(rng: Rng): string[] {
  const sizes = [0, 1, 5, 63, 64, 124, 200, 500, 1000, 2000, 3000, 4000, 4090, 8000, 9000];
  const out: string[] = ['1', '-5', '127', '128', '4095', '-4096', '32767', '8388607', '2147483647', '9223372036854775807', '007'];
  for (let i = 0; i < 24; i++) {
    const size = rng.pick(sizes);
    out.push(String.fromCharCode(97 + (i % 26)).repeat(size) + (size > 0 ? String(i) : ''));
  }
  return out;
}

function command(rng: Rng, elements: string[]): string[] {
  const random = (): number => rng.next();
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  const key = pick(KEYS);
  const element = () => pick(elements);
  const index = () => String(Math.floor(random() * 40) - 20);
  const r = random();
  if (r < 0.25) return [random() < 0.5 ? 'LPUSH' : 'RPUSH', key, ...Array.from({ length: 1 + Math.floor(random() * 6) }, element)];
  if (r < 0.4) return ['LINSERT', key, random() < 0.5 ? 'BEFORE' : 'AFTER', element(), element()];
  if (r < 0.5) return ['LSET', key, index(), element()];
  if (r < 0.58) return ['LREM', key, String(Math.floor(random() * 7) - 3), element()];
  if (r < 0.63) return ['LTRIM', key, index(), index()];
  if (r < 0.72) return [random() < 0.5 ? 'LPOP' : 'RPOP', key, String(1 + Math.floor(random() * 3))];
  if (r < 0.82) return ['LMOVE', key, pick(KEYS), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])];
  if (r < 0.86) return ['COPY', key, pick(KEYS), 'REPLACE'];
  if (r < 0.9) return ['RPUSH', key, ...Array.from({ length: 100 + Math.floor(random() * 100) }, element)];
  if (r < 0.91) return ['SORT', key, 'BY', 'nosort', 'STORE', pick(KEYS)];
  if (r < 0.92) return ['CONFIG', 'SET', 'list-max-listpack-size', pick(FILLS)];
  if (r < 0.94) return ['CONFIG', 'SET', 'list-compress-depth', pick(['0', '1', '2'])];
  if (r < 0.95) return ['CONFIG', 'SET', 'rdbcompression', pick(['yes', 'no'])];
  return ['RESTORE-FROM-DUMP', key];
}

describe.runIf(enabled)('list quicklist layout against real Redis (DUMP bytes after each step)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await pair.stop();
  });

  async function both(args: string[]): Promise<string> {
    const expected = (await pair.redis.call(...args)).toString('latin1');
    const actual = (await pair.ours.call(...args)).toString('latin1');
    expect(actual, args.map((a) => (a.length > 20 ? `<${a.length} bytes>` : a)).join(' ')).toBe(expected);
    return expected;
  }

  /** DEBUG OBJECT's serialized length and quicklist fields (the address and LRU differ by nature). */
  async function sameDebugObject(key: string): Promise<void> {
    const expected = await pair.redis.call('DEBUG', 'OBJECT', key);
    expect(expected[0] === 0x2b || expected.toString() === '-ERR no such key\r\n', expected.toString()).toBe(true);
    const fields = (reply: Buffer): string => reply.toString('latin1').replace(/^\+Value at:\S+ refcount:\d+ /, '').replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
    expect(fields(await pair.ours.call('DEBUG', 'OBJECT', key)), `DEBUG OBJECT ${key}`).toBe(fields(expected));
  }

  /** RESTORE of the DUMP Redis made (both servers load Redis's node layout as it is). */
  async function restoreFromDump(key: string): Promise<void> {
    const dump = await pair.redis.call('DUMP', key);
    if (dump[0] !== 0x24 || dump[1] === 0x2d) return;
    const start = dump.indexOf('\r\n') + 2;
    const payload = dump.subarray(start, dump.length - 2);
    for (const server of [pair.redis, pair.ours]) expect((await server.call('RESTORE', `${key}:r`, '0', payload, 'REPLACE')).toString()).toBe('+OK\r\n');
    await both(['DUMP', `${key}:r`]);
    await both(['RENAME', `${key}:r`, key]);
  }

  test('issue #3: LPUSH onto a full head node opens a new head node (RPUSH 129 x 124 bytes, LPUSH head)', async () => {
    await both(['FLUSHALL']);
    await both(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
    const items = Array.from({ length: 129 }, (_, i) => String(i % 10).repeat(121) + String(100 + i));
    await both(['RPUSH', 'L', ...items]);
    await both(['LPUSH', 'L', 'head']);
    await both(['DUMP', 'L']);
    await both(['LINSERT', 'L', 'AFTER', items[30]!, 'x'.repeat(124)]);
    await both(['DUMP', 'L']);
    await both(['DEBUG', 'DIGEST']);
  });

  test('issue #3: under list-compress-depth, interior nodes are DUMPed LZF-compressed as Redis holds them, even with rdbcompression no', async () => {
    await both(['FLUSHALL']);
    await both(['CONFIG', 'SET', 'list-max-listpack-size', '4']);
    await both(['CONFIG', 'SET', 'rdbcompression', 'no']);
    for (const depth of ['1', '2']) {
      await both(['CONFIG', 'SET', 'list-compress-depth', depth]);
      // Nodes of four: compressible ones (long runs), small ones (< 48 bytes, never compressed) and barely
      // compressible ones (LZF saves fewer than 8 bytes: kept raw).
      const runs = Array.from({ length: 24 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(40 + i));
      const small = Array.from({ length: 8 }, (_, i) => String(i));
      const noisy = Array.from({ length: 8 }, (_, i) => Array.from({ length: 30 }, (_, j) => String.fromCharCode(33 + ((i * 31 + j * 17) % 90))).join(''));
      await both(['RPUSH', `L${depth}`, ...runs.slice(0, 8), ...small, ...noisy, ...runs.slice(8)]);
      await both(['DUMP', `L${depth}`]);
      await both(['LINDEX', `L${depth}`, '13']);
      await both(['LSET', `L${depth}`, '17', 'z'.repeat(300)]);
      await both(['LPUSH', `L${depth}`, 'head', 'head2', 'head3', 'head4', 'head5']);
      await both(['DUMP', `L${depth}`]);
      await both(['LTRIM', `L${depth}`, '3', '-5']);
      await both(['DUMP', `L${depth}`]);
      await both(['CONFIG', 'SET', 'rdbcompression', 'yes']);
      await both(['DUMP', `L${depth}`]);
      await both(['CONFIG', 'SET', 'rdbcompression', 'no']);
      await both(['DEBUG', 'RELOAD']);
      await both(['DUMP', `L${depth}`]);
    }
    await both(['CONFIG', 'SET', 'rdbcompression', 'yes']);
    await both(['CONFIG', 'SET', 'list-compress-depth', '0']);
    await both(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
  });

  const seeds = process.env.SEED !== undefined ? [Number(process.env.SEED)] : [1, 2, 3, 4, 5, 6];
  for (const seed of seeds) {
    test(`seed ${seed}`, async () => {
      console.log(`lists-layout seed ${seed} (replay: SEED=${seed})`);
      const rng = new Rng(seed);
      const elements = pool(rng);
      await both(['FLUSHALL']);
      await both(['CONFIG', 'SET', 'list-max-listpack-size', FILLS[seed % FILLS.length]!]);
      for (let step = 0; step < STEPS; step++) {
        const args = command(rng, elements);
        if (args[0] === 'RESTORE-FROM-DUMP') await restoreFromDump(args[1]!);
        else await both(args);
        for (const key of KEYS) await both(['DUMP', key]);
        if (step % 5 === 0) for (const key of KEYS) await sameDebugObject(key);
        if (step % 25 === 0) await both(['DEBUG', 'DIGEST']);
      }
      expect(await both(['DEBUG', 'DIGEST'])).toMatch(/^\+[0-9a-f]{40}\r\n$/);
      await both(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
      await both(['CONFIG', 'SET', 'list-compress-depth', '0']);
      await both(['CONFIG', 'SET', 'rdbcompression', 'yes']);
    }, 120_000);
  }
});
