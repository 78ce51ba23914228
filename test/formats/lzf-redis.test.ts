// Proves our LZF compressor emits liblzf's exact bytes and makes the same compress-or-not choice: for seeded
// random and structured strings (runs, periodic, text, binary, copies at the 8 KiB offset limit, barely
// compressible; lengths 21..100k) real Redis 7.0's DUMP equals formats' encodeDump byte for byte, and Strongbox's
// own DUMP and the key records of a SAVE'd RDB equal Redis's. Replay with SEED=<seed>.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeDump, lzfCompress } from '../../formats/index.js';
import { bulkOf, arrayOf, requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { escapeBytes } from '../helpers/differential.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { seededRandom } from '../keyspace/algorithms/random.js';

const enabled = requireRealRedis();

interface Sample {
  name: string;
  value: Buffer;
}

/** Strings of every shape that steers liblzf differently; the same seed gives the same list. */
function corpus(r: { int(n: number): number }): Sample[] {
  const samples: Sample[] = [];
  const add = (name: string, value: Buffer): void => {
    samples.push({ name: `${name} (${value.length} bytes)`, value });
  };
  const randomBytes = (n: number, alphabet = 256): Buffer => Buffer.from(Array.from({ length: n }, () => r.int(alphabet)));
  const length = (): number => 21 + Math.floor(Math.exp(r.int(1000) / 1000 * Math.log(100_000 - 21)));
  // A run of every length up to 600 meets each way a match can stop: MAX_REF, the unrolled 16-byte
  // compare near the end, the last two literals, the literal-run limit.
  for (let n = 21; n <= 600; n++) add('run of "a"', Buffer.alloc(n, 0x61));
  for (let i = 0; i < 30; i++) add('run', Buffer.alloc(length(), r.int(256)));
  for (let i = 0; i < 120; i++) {
    const pattern = randomBytes(1 + r.int(40), 2 + r.int(255));
    const n = i < 60 ? 21 + r.int(300) : length();
    const value = Buffer.alloc(n);
    for (let k = 0; k < n; k++) value[k] = pattern[k % pattern.length] as number;
    for (let m = r.int(6); m > 0; m--) value[r.int(n)] = r.int(256);
    add(`period ${pattern.length}`, value);
  }
  const words = ['redis', 'strongbox', 'value', 'key', 'user:', 'session', '12345', 'the ', 'a', 'lzf', '\n', ' '];
  for (let i = 0; i < 80; i++) {
    const n = i < 40 ? 21 + r.int(200) : length();
    let text = '';
    while (text.length < n) text += words[r.int(words.length)]! + (r.int(4) === 0 ? String(r.int(1000)) : '');
    add('text', Buffer.from(text.slice(0, n), 'latin1'));
  }
  for (let i = 0; i < 60; i++) add('binary', randomBytes(i < 40 ? 21 + r.int(100) : length()));
  for (let i = 0; i < 60; i++) add('small alphabet', randomBytes(i < 30 ? 21 + r.int(200) : length(), 2 + r.int(3)));
  // A random block copied again 8189..8196 bytes later: references at offset 8191 (the largest
  // liblzf emits) and just beyond.
  for (let i = 0; i < 24; i++) {
    const block = randomBytes(16 + r.int(400));
    const distance = 8189 + (i % 8);
    add(`copy ${distance} back`, Buffer.concat([randomBytes(1 + r.int(20)), block, randomBytes(distance - block.length), block, randomBytes(r.int(50))]));
  }
  // Barely compressible: random bytes with a few short copies, so the output lands near Redis's
  // limit (input length - 4) and liblzf's own out-of-space tests decide.
  for (let i = 0; i < 1500; i++) {
    const n = 21 + r.int(i < 1200 ? 80 : 3000);
    const value = randomBytes(n);
    for (let copies = 1 + r.int(1 + (n >> 4)); copies > 0; copies--) {
      const size = 3 + r.int(10);
      const from = r.int(n - size);
      const to = r.int(n - size);
      value.copy(value, to, from, from + size);
    }
    add('barely compressible', value);
  }
  return samples;
}

/** Pipelines `commands` on one connection, at most `window` in flight. */
async function pipeline(call: RealRedis['call'], commands: (string | Buffer)[][], window = 200): Promise<Buffer[]> {
  const replies: Buffer[] = [];
  for (let i = 0; i < commands.length; i += window) {
    replies.push(...(await Promise.all(commands.slice(i, i + window).map((c) => call(...c)))));
  }
  return replies;
}

/** Key record bytes (type byte, key, value) of an RDB holding only string keys without TTL, by key. */
function stringRecords(rdb: Buffer): Map<string, Buffer> {
  let pos = 9; // "REDIS0010"
  const length = (): { value: number; encoded: boolean } => {
    const first = rdb[pos++] as number;
    const kind = first >> 6;
    if (kind === 0) return { value: first & 0x3f, encoded: false };
    if (kind === 1) return { value: ((first & 0x3f) << 8) | (rdb[pos++] as number), encoded: false };
    if (kind === 3) return { value: first & 0x3f, encoded: true };
    if (first !== 0x80) throw new Error(`unexpected length byte ${first} at ${pos - 1}`);
    pos += 4;
    return { value: rdb.readUInt32BE(pos - 4), encoded: false };
  };
  const skipString = (): void => {
    const { value, encoded } = length();
    if (!encoded) {
      pos += value;
      return;
    }
    if (value < 3) {
      pos += 1 << value; // int8 / int16 / int32
      return;
    }
    const packedBytes = length().value;
    length();
    pos += packedBytes;
  };
  const records = new Map<string, Buffer>();
  for (;;) {
    const opcode = rdb[pos++];
    if (opcode === 0xff) return records;
    if (opcode === 0xfa) {
      skipString();
      skipString();
    } else if (opcode === 0xfe) {
      length();
    } else if (opcode === 0xfb) {
      length();
      length();
    } else if (opcode === 0x00) {
      const start = pos - 1;
      const keyLength = length().value;
      const key = rdb.toString('latin1', pos, pos + keyLength);
      pos += keyLength;
      skipString();
      records.set(key, rdb.subarray(start, pos));
    } else {
      throw new Error(`unexpected opcode ${opcode} at ${pos - 1}`);
    }
  }
}

describe.runIf(enabled)('LZF output equals liblzf (Redis 7.0)', () => {
  const random = seededRandom('lzf-redis');
  const SEED = random.seed;
  const samples = corpus(random);
  let redis: RealRedis;
  let strongbox: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis();
    strongbox = await startStrongbox();
    await redis.call('FLUSHALL');
    await pipeline(redis.call, samples.map((s, i) => ['SET', `k${i}`, s.value]));
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    await strongbox?.stop();
  });

  test('the corpus reaches both outcomes and the out-of-space tests', () => {
    let compressed = 0;
    let nearLimit = 0;
    for (const { value } of samples) {
      const packed = lzfCompress(value, value.length - 4);
      if (packed !== null) compressed++;
      // Fits with 8 more bytes but not within input length - 4: liblzf's limit tests decide.
      if (packed === null && (lzfCompress(value, value.length + 4)?.length ?? Infinity) <= value.length) nearLimit++;
    }
    expect(compressed).toBeGreaterThan(samples.length / 4);
    expect(samples.length - compressed).toBeGreaterThan(samples.length / 10);
    expect(nearLimit).toBeGreaterThan(20);
  });

  test('Redis DUMP of each string equals encodeDump of it', async () => {
    const dumps = await pipeline(redis.call, samples.map((_, i) => ['DUMP', `k${i}`]));
    for (const [i, { name, value }] of samples.entries()) {
      const expected = Buffer.from(bulkOf(dumps[i] as Buffer) as string, 'latin1');
      const ours = encodeDump({ type: 'string', value: value.toString('latin1') }).payload;
      if (!ours.equals(expected)) {
        expect.fail(`SEED=${SEED} sample ${i}, ${name}: ${escapeBytes(value, 200)}\n` +
          `  Redis: ${escapeBytes(expected, 300)}\n  ours:  ${escapeBytes(ours, 300)}`);
      }
    }
  }, 60_000);

  test('Strongbox DUMP and SAVE give Redis key records for the same strings', async () => {
    const picked = samples.filter((_, i) => i % 7 === 0);
    await strongbox.call('FLUSHALL');
    await redis.call('FLUSHALL');
    const sets = picked.map((s, i) => ['SET', `k${i}`, s.value]);
    await pipeline(strongbox.call, sets);
    await pipeline(redis.call, sets);
    const dumpCommands = picked.map((_, i) => ['DUMP', `k${i}`]);
    const ourDumps = await pipeline(strongbox.call, dumpCommands);
    const redisDumps = await pipeline(redis.call, dumpCommands);
    for (const [i, { name }] of picked.entries()) {
      const same = (ourDumps[i] as Buffer).equals(redisDumps[i] as Buffer);
      expect(same, `SEED=${SEED} ${name}: ours ${escapeBytes(ourDumps[i] as Buffer, 300)}, Redis ${escapeBytes(redisDumps[i] as Buffer, 300)}`).toBe(true);
    }
    expect((await strongbox.call('SAVE')).toString()).toBe('+OK\r\n');
    expect((await redis.call('SAVE')).toString()).toBe('+OK\r\n');
    const redisDir = arrayOf(await redis.call('CONFIG', 'GET', 'dir'))[1] as string;
    const ours = stringRecords(readFileSync(join(strongbox.dir, 'dump.rdb')));
    const theirs = stringRecords(readFileSync(join(redisDir, 'dump.rdb')));
    expect(ours.size).toBe(picked.length);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [key, record] of theirs) {
      const mine = ours.get(key) as Buffer;
      expect(mine.equals(record), `SEED=${SEED} ${key}: ours ${escapeBytes(mine, 300)}, Redis ${escapeBytes(record, 300)}`).toBe(true);
    }
  }, 60_000);
});
