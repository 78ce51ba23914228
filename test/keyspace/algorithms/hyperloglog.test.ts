// Proves our HyperLogLog is byte-identical to real Redis 7.0: the same PFADD/PFMERGE/PFCOUNT
// sequences run on a real redis-server and on hllAdd/hllMerge/hllCount, then `GET` bytes, counts
// and error kinds are compared (sparse, dense, promotion at several hll-sparse-max-bytes values).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  HLL_NOT_A_STRING, hllAdd, hllCount, hllMerge, type HllError, type HllInput,
} from '../../../src/keyspace/algorithms/index.js';
import { bulkOf, requireRealRedis, startRealRedis, type RealRedis } from '../../helpers/real-redis.js';
import { seededRandom, type Random } from './random.js';

const available = requireRealRedis();
let redis: RealRedis;

beforeAll(async () => { if (available) redis = await startRealRedis(); });
afterAll(async () => { if (available) await redis.stop(); });

async function getValue(key: string): Promise<string | null> {
  return bulkOf(await redis.call('GET', key));
}

function errorReply(error: HllError): string {
  switch (error) {
    case 'wrongtype': return '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
    case 'invalid': return '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n';
    case 'corrupt': return '-INVALIDOBJ Corrupted HLL object detected\r\n';
    default: { const never: never = error; return never; }
  }
}

function randomElement(random: Random): string {
  switch (random.int(4)) {
    case 0: return String(random.int(1_000_000));
    case 1: return random.bytes(random.int(20));
    case 2: return `element:${random.int(100_000)}`;
    default: return random.bytes(random.int(3));
  }
}

/** Adds `total` elements in random batches to both sides, comparing bytes after every batch. */
async function addAndCompare(random: Random, key: string, total: number, sparseMaxBytes: number): Promise<string | null> {
  let ours: string | null = await getValue(key);
  let added = 0;
  while (added < total || added === 0) {
    const batch = Math.min(total - added, 1 + random.int(random.next() < 0.5 ? 5 : 400));
    const elements: string[] = [];
    for (let i = 0; i < batch; i++) elements.push(randomElement(random));
    const reply = (await redis.call('PFADD', key, ...elements)).toString('latin1');
    const result = hllAdd(ours, elements, sparseMaxBytes);
    if (!result.ok) throw new Error(`unexpected ${result.error}`);
    expect(reply).toBe(result.updated ? ':1\r\n' : ':0\r\n');
    ours = result.value;
    const theirs = await getValue(key);
    if (theirs !== ours) {
      expect(Buffer.from(ours, 'latin1').toString('hex')).toBe(Buffer.from(theirs ?? '', 'latin1').toString('hex'));
    }
    added += batch;
    if (total === 0) break;
  }
  return ours;
}

async function compareCount(keys: string[]): Promise<void> {
  const values: HllInput[] = [];
  for (const key of keys) values.push(await getValue(key));
  const reply = (await redis.call('PFCOUNT', ...keys)).toString('latin1');
  const result = hllCount(values);
  if (!result.ok) throw new Error(`unexpected ${result.error}`);
  expect(reply).toBe(`:${result.count}\r\n`);
  if (keys.length === 1 && keys[0] !== undefined) {
    const after = await getValue(keys[0]);
    expect(result.updatedValue ?? values[0]).toBe(after);
  }
}

describe.skipIf(!available)('hyperloglog vs real Redis 7.0', () => {
  test('empty PFADD creates the same sparse value', async () => {
    await redis.call('DEL', 'empty');
    await redis.call('PFADD', 'empty');
    const result = hllAdd(null, [], 3000);
    expect(result.ok && result.value).toBe(await getValue('empty'));
    await compareCount(['empty']);
  });

  test.each([3000, 200, 10000])('random PFADD sequences byte-equal, sparse-max-bytes %i', async (sparseMax) => {
    const random = seededRandom(`hll-add-${sparseMax}`);
    await redis.call('CONFIG', 'SET', 'hll-sparse-max-bytes', String(sparseMax));
    const sizes = [0, 1, 2, 10, 100, 700, 1500, 3000, 6000, 20000];
    for (const size of sizes) {
      const key = `hll:${sparseMax}:${size}`;
      await redis.call('DEL', key);
      await addAndCompare(random, key, size, sparseMax);
      await compareCount([key]);
      await compareCount([key]); // cached path
    }
    await compareCount(sizes.slice(0, 5).map((size) => `hll:${sparseMax}:${size}`));
    await compareCount([`hll:${sparseMax}:20000`, `hll:${sparseMax}:100`, 'missing-key']);
    await redis.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
  });

  test('PFMERGE results byte-equal (sparse/dense inputs, existing destination)', async () => {
    const random = seededRandom('hll-merge');
    const sizes = [0, 5, 50, 400, 5000];
    for (const size of sizes) {
      await redis.call('DEL', `m:${size}`);
      await addAndCompare(random, `m:${size}`, size, 3000);
    }
    for (let round = 0; round < 25; round++) {
      const destination = random.next() < 0.5 ? 'm:dest' : `m:${random.pick(sizes)}:copy`;
      if (destination === 'm:dest') await redis.call('DEL', destination);
      else await redis.call('COPY', destination.replace(':copy', ''), destination, 'REPLACE');
      const sources: string[] = [];
      const count = 1 + random.int(3);
      for (let i = 0; i < count; i++) sources.push(random.next() < 0.1 ? 'm:missing' : `m:${random.pick(sizes)}`);
      const values: HllInput[] = [];
      for (const key of [destination, ...sources]) values.push(await getValue(key));
      expect((await redis.call('PFMERGE', destination, ...sources)).toString()).toBe('+OK\r\n');
      const result = hllMerge(values, 3000);
      if (!result.ok) throw new Error(result.error);
      const theirs = await getValue(destination);
      expect(Buffer.from(result.value, 'latin1').toString('hex')).toBe(Buffer.from(theirs ?? '', 'latin1').toString('hex'));
      await compareCount([destination]);
    }
  });

  test('validation and corruption errors match', async () => {
    const base = hllAdd(null, ['a', 'b', 'c'], 3000);
    if (!base.ok) throw new Error('setup');
    const sparse = base.value;
    const denseResult = hllMerge([null, sparse], 3000);
    const cases: [string, string][] = [
      ['short', 'HYLL'],
      ['magic', `HYLX${sparse.slice(4)}`],
      ['encoding', `HYLL\x02${sparse.slice(5)}`],
      ['dense-length', `HYLL\x00${sparse.slice(5)}`],
      ['sparse-short-stream', `${sparse.slice(0, 16)}\x7f\xfe`],
      ['sparse-long-stream', `${sparse}\x00`],
      ['sparse-val-overflow', `${sparse.slice(0, 16)}\x7f\xff\x83`],
      ['sparse-zero-overflow', `${sparse.slice(0, 16)}\x7f\xfe\x05`],
      ['sparse-xzero-overflow', `${sparse.slice(0, 16)}\x7f\xfe\x40\x05`],
      ['sparse-short-val', `${sparse.slice(0, 16)}\x7f\xfb\x83`],
      ['header-only', sparse.slice(0, 16)],
      ['integer', '12345678901234567'],
    ];
    if (denseResult.ok) cases.push(['dense-too-long', `${denseResult.value.slice(0, 16).replace('\x01', '\x00')}${'\x00'.repeat(12289)}`]);
    for (const [name, value] of cases) {
      await redis.call('SET', `bad:${name}`, Buffer.from(value, 'latin1'));
      for (const command of ['PFADD', 'PFCOUNT', 'PFMERGE'] as const) {
        await redis.call('SET', `bad:${name}`, Buffer.from(value, 'latin1'));
        await redis.call('DEL', 'bad:dest');
        const args = command === 'PFADD' ? [`bad:${name}`, 'x', 'y', 'zz', 'q'] : command === 'PFCOUNT' ? [`bad:${name}`] : ['bad:dest', `bad:${name}`];
        const reply = (await redis.call(command, ...args)).toString('latin1');
        if (command === 'PFADD') {
          const result = hllAdd(value, ['x', 'y', 'zz', 'q'], 3000);
          expect(result.ok ? `:${result.updated ? 1 : 0}\r\n` : errorReply(result.error), `${command} ${name}`).toBe(reply);
          if (result.value !== null) expect(result.value, `value after PFADD ${name}`).toBe(await getValue(`bad:${name}`));
        } else if (command === 'PFCOUNT') {
          const result = hllCount([value]);
          expect(result.ok ? `:${result.count}\r\n` : errorReply(result.error), `${command} ${name}`).toBe(reply);
        } else {
          const result = hllMerge([null, value], 3000);
          expect(result.ok ? '+OK\r\n' : errorReply(result.error), `${command} ${name}`).toBe(reply);
          if (result.ok) expect(result.value).toBe(await getValue('bad:dest'));
          else expect(result.ok ? 'ok' : errorReply(result.error), `${command} ${name}`).toBe(reply);
        }
      }
    }
    // A corrupt stream met while promoting (tiny hll-sparse-max-bytes forces promotion on the first edit).
    await redis.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '20');
    for (const [name, value] of cases) {
      await redis.call('SET', `bad:${name}`, Buffer.from(value, 'latin1'));
      const reply = (await redis.call('PFADD', `bad:${name}`, 'x', 'y')).toString('latin1');
      const result = hllAdd(value, ['x', 'y'], 20);
      expect(result.ok ? `:${result.updated ? 1 : 0}\r\n` : errorReply(result.error), `promote ${name}`).toBe(reply);
      if (result.value !== null) expect(result.value, `value after promote ${name}`).toBe(await getValue(`bad:${name}`));
    }
    await redis.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    await redis.call('DEL', 'bad:list');
    await redis.call('RPUSH', 'bad:list', 'x');
    const reply = (await redis.call('PFCOUNT', 'bad:list')).toString('latin1');
    const result = hllCount([HLL_NOT_A_STRING]);
    expect(result.ok ? '' : errorReply(result.error)).toBe(reply);
  });
});
