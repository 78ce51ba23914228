// Proves a stream keeps Redis 7.0's listpack nodes through DUMP/RESTORE and save/load, tombstones included: an
// entry deleted by XDEL or by an exact MAXLEN/MINID trim stays in its node (flagged deleted) until the node
// empties, and DUMP writes it so. Against real Redis: DUMP bytes after every step of fixed and seeded random
// sequences, RESTORE of Redis's payload then more appends (the layout must survive it), and DEBUG RELOAD.
import { describe, test } from 'vitest';
import { requireRealRedis } from '../helpers/real-redis.js';
import { same as sameOn, usePair } from '../helpers/pair-suite.js';
import { testSeed } from '../helpers/seed.js';
import { Rng } from '../fuzz/commands.js';

const enabled = requireRealRedis();

describe.runIf(enabled)('stream nodes and tombstones through DUMP/RESTORE, against real Redis 7.0', () => {
  const pair = usePair();
  const same = (args: string[]): Promise<string> => sameOn(pair(), args);

  /** DUMP of `key`, RESTORE of Redis's payload as `key:r` on both, and the restored copy's DUMP and XINFO. */
  async function dumpAndRestore(key: string): Promise<void> {
    await same(['DUMP', key]);
    const [dumped] = await pair().raw(['DUMP', key]);
    const text = dumped.toString('latin1');
    if (!text.startsWith('$') || text.startsWith('$-1')) return;
    const payload = text.slice(text.indexOf('\r\n') + 2, -2);
    await same(['RESTORE', `${key}:r`, '0', payload, 'REPLACE']);
    await same(['DUMP', `${key}:r`]);
    await same(['XINFO', 'STREAM', `${key}:r`]);
    // The restored nodes are the ones appends go on filling.
    await same(['XADD', `${key}:r`, '9999999999999-0', 'f', 'v']);
    await same(['DUMP', `${key}:r`]);
  }

  test('XDEL and exact trims leave tombstones that DUMP, RESTORE and DEBUG RELOAD keep', async () => {
    await same(['FLUSHALL']);
    await same(['XADD', 'd', '0-1', '10', '0', '\x00\x01\xff', '3.14']);
    await same(['XADD', 'd', 'MAXLEN', '1', '3-5', 'c', '0', '10', '-0']); // the first entry becomes a tombstone
    await dumpAndRestore('d');
    for (let i = 1; i <= 9; i++) await same(['XADD', 's', `${i}-1`, 'a', String(i), 'b', 'x'.repeat(i * 7)]);
    await same(['XDEL', 's', '2-1', '5-1']);
    await dumpAndRestore('s');
    await same(['XTRIM', 's', 'MINID', '4-0']);
    await dumpAndRestore('s');
    await same(['XTRIM', 's', 'MAXLEN', '=', '3']);
    await dumpAndRestore('s');
    await same(['CONFIG', 'SET', 'stream-node-max-entries', '3']);
    for (let i = 1; i <= 10; i++) await same(['XADD', 'n', `${i}-0`, i % 3 === 0 ? 'other' : 'a', String(i)]);
    await same(['XDEL', 'n', '4-0', '5-0', '6-0']); // empties the second node: it goes
    await same(['XDEL', 'n', '8-0']);
    await dumpAndRestore('n');
    await same(['DEBUG', 'RELOAD']);
    for (const key of ['d', 'd:r', 's', 's:r', 'n', 'n:r']) {
      await same(['DUMP', key]);
      await same(['XINFO', 'STREAM', key]);
    }
    await same(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
  });

  test('seeded random XADD / XDEL / exact and approximate trims: the same DUMP bytes after every step', async () => {
    const seed = testSeed('stream-dump random');
    console.log(`stream-dump random: SEED=${seed}`);
    const rng = new Rng(seed);
    await same(['FLUSHALL']);
    await same(['CONFIG', 'SET', 'stream-node-max-entries', String(rng.pick([2, 3, 5, 100]))]);
    await same(['CONFIG', 'SET', 'stream-node-max-bytes', String(rng.pick([0, 60, 200, 4096]))]);
    const keys = ['s1', 's2'];
    let ms = 1;
    for (let step = 0; step < 400; step++) {
      const key = rng.pick(keys);
      const r = rng.next();
      const fields = rng.next() < 0.6 ? ['a', String(step)] : ['a', String(step), 'b', 'y'.repeat(rng.int(40))];
      if (r < 0.5) await same(['XADD', key, `${ms++}-${rng.int(3)}`, ...fields]);
      else if (r < 0.7) await same(['XDEL', key, `${1 + rng.int(ms)}-${rng.int(3)}`, `${1 + rng.int(ms)}-${rng.int(3)}`]);
      else if (r < 0.8) await same(['XTRIM', key, 'MAXLEN', rng.pick(['=', '~']), String(rng.int(30))]);
      else if (r < 0.85) await same(['XTRIM', key, 'MINID', rng.pick(['=', '~']), `${rng.int(ms)}-0`]);
      else if (r < 0.9) await same(['XADD', key, 'MAXLEN', String(rng.int(20)), `${ms++}-0`, ...fields]);
      else if (r < 0.95) await dumpAndRestore(key);
      else await same(['DEBUG', 'RELOAD']);
      for (const k of keys) await same(['DUMP', k]);
    }
    await same(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    await same(['CONFIG', 'SET', 'stream-node-max-bytes', '4096']);
  });
});
