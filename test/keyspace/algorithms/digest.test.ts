// Proves datasetDigest/valueDigest equal Redis 7.0's DEBUG DIGEST and DEBUG DIGEST-VALUE: seeded
// random datasets of every type (binary members, int-encoded values, inf scores, TTLs, streams
// with consumer groups, several dbs) are built on a real redis-server, read back with ordinary
// commands, digested by us, and compared with the server's own digests.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  datasetDigest, digestHex, sha1Digest, valueDigest, type DigestDatabase, type DigestKey, type DigestValue,
} from '../../../src/keyspace/algorithms/index.js';
import { parseResp, requireRealRedis, startRealRedis, type RealRedis, type RespValue } from '../../helpers/real-redis.js';
import { seededRandom, type Random } from './random.js';

const available = requireRealRedis();
let redis: RealRedis;

beforeAll(async () => { if (available) redis = await startRealRedis(['--enable-debug-command', 'yes']); });
afterAll(async () => { if (available) await redis.stop(); });

function strings(value: RespValue): string[] {
  if (!Array.isArray(value)) throw new Error(`expected array, got ${JSON.stringify(value)}`);
  return value.map((item) => { if (typeof item !== 'string') throw new Error('nested'); return item; });
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return out;
}

async function call(...args: string[]): Promise<RespValue> {
  return parseResp(await redis.call(...args));
}

function element(random: Random): string {
  switch (random.int(4)) {
    case 0: return String(random.int(100000) - 500);
    case 1: return random.bytes(random.int(12));
    case 2: return `e${random.int(1000)}`;
    default: return random.bytes(1 + random.int(80));
  }
}

function score(random: Random): string {
  return random.pick([
    String(random.int(1000)), String(random.next() * 1000 - 500), 'inf', '-inf', String(random.next() * 1e-300),
    String((random.int(1 << 30) * 2 ** 23 + random.int(1 << 23)) / 4), '-0', '1e300',
  ]);
}

async function populate(random: Random, keyCount: number): Promise<void> {
  for (let i = 0; i < keyCount; i++) {
    const key = random.next() < 0.2 ? random.bytes(1 + random.int(10)) : `k${i}`;
    const size = random.next() < 0.5 ? 1 + random.int(5) : 1 + random.int(300);
    const items = Array.from({ length: size }, () => element(random));
    switch (random.int(6)) {
      case 0: await redis.call('SET', key, element(random)); break;
      case 1: await redis.call('RPUSH', key, ...items); break;
      case 2: await redis.call('SADD', key, ...items); break;
      case 3: await redis.call('ZADD', key, ...items.flatMap((item) => [score(random), item])); break;
      case 4: await redis.call('HSET', key, ...items.flatMap((item) => [item, element(random)])); break;
      default: {
        for (let j = 0; j < Math.min(size, 40); j++) {
          const fields = Array.from({ length: 1 + random.int(3) }, () => [element(random), element(random)]).flat();
          await redis.call('XADD', key, random.next() < 0.3 ? `${1000 + j}-${random.int(5)}` : '*', ...fields);
        }
        if (random.next() < 0.5) await redis.call('XGROUP', 'CREATE', key, 'g', '0');
        if (random.next() < 0.3) await redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', key, '>');
      }
    }
    if (random.next() < 0.25) await redis.call('EXPIRE', key, String(1000 + random.int(100000)));
  }
}

async function readValue(key: string): Promise<DigestValue> {
  const type = await call('TYPE', key);
  switch (type) {
    case '+string': return { type: 'string', value: String(await call('GET', key)) };
    case '+list': return { type: 'list', items: strings(await call('LRANGE', key, '0', '-1')) };
    case '+set': return { type: 'set', members: strings(await call('SMEMBERS', key)) };
    case '+zset': return {
      type: 'zset',
      entries: pairs(strings(await call('ZRANGE', key, '0', '-1', 'WITHSCORES'))).map(([member, text]) =>
        [member, text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text)] as const),
    };
    case '+hash': return { type: 'hash', entries: pairs(strings(await call('HGETALL', key))) };
    case '+stream': {
      const entries = await call('XRANGE', key, '-', '+');
      if (!Array.isArray(entries)) throw new Error('xrange');
      return {
        type: 'stream',
        entries: entries.map((entry) => {
          if (!Array.isArray(entry)) throw new Error('entry');
          const [id, fields] = entry;
          const [ms, seq] = String(id).split('-');
          return { ms: BigInt(ms ?? '0'), seq: BigInt(seq ?? '0'), fields: pairs(strings(fields ?? [])) };
        }),
      };
    }
    default: throw new Error(`unexpected type ${String(type)}`);
  }
}

async function readDatabase(id: number): Promise<DigestKey[]> {
  await call('SELECT', String(id));
  const keys: DigestKey[] = [];
  for (const key of strings(await call('KEYS', '*'))) {
    const ttl = await call('PTTL', key);
    keys.push({ key, value: await readValue(key), hasExpire: ttl !== ':-1' });
  }
  return keys;
}

describe.skipIf(!available)('digest vs real Redis 7.0 DEBUG DIGEST', () => {
  test('empty dataset digests to zeros', async () => {
    await call('FLUSHALL');
    expect(`+${digestHex(datasetDigest([]))}`).toBe(await call('DEBUG', 'DIGEST'));
    expect(digestHex(datasetDigest([{ id: 3, keys: [] }]))).toBe('0'.repeat(40));
    expect(`+${digestHex(valueDigest(null, false))}`).toBe(strings(await call('DEBUG', 'DIGEST-VALUE', 'nope'))[0]);
  });

  test('random multi-db datasets: per-key and whole-dataset digests match', async () => {
    const random = seededRandom('digest');
    for (let round = 0; round < 4; round++) {
      await call('FLUSHALL');
      const ids = [0, 1 + random.int(3), 5 + random.int(10)];
      for (const id of ids) {
        await call('SELECT', String(id));
        await populate(random, 10 + random.int(30));
      }
      const databases: DigestDatabase[] = [];
      for (const id of ids) {
        const keys = await readDatabase(id);
        for (const { key, value, hasExpire } of keys) {
          const theirs = strings(await call('DEBUG', 'DIGEST-VALUE', key))[0];
          expect(`+${digestHex(valueDigest(value, hasExpire))}`, `DIGEST-VALUE of ${value.type} ${JSON.stringify(key)}`).toBe(theirs);
        }
        databases.push({ id, keys });
      }
      expect(`+${digestHex(datasetDigest(databases))}`).toBe(await call('DEBUG', 'DIGEST'));
      await call('SELECT', '0');
    }
  });
});

describe('sha1Digest', () => {
  test('JS SHA-1 equals node:crypto for every length around the block boundaries', async () => {
    const { createHash } = await import('node:crypto');
    const random = seededRandom('sha1');
    for (let length = 0; length < 600; length++) {
      const data = random.bytes(length);
      expect(sha1Digest(data).toString('hex'), `length ${length}`).toBe(createHash('sha1').update(data, 'latin1').digest('hex'));
    }
  });
});
