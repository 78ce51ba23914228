// Proves byte compatibility with real Redis (redis-server on PATH, 7.0): an RDB we write loads
// in Redis with the same keys, values, TTLs, encodings and functions; an RDB Redis SAVEs reads
// back to the same dataset; DUMP payloads match Redis's byte for byte and RESTORE in Redis.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDump, encodeDump } from '../../formats/rdb/dump.js';
import { readRdbBuffer } from '../../formats/rdb/reader.js';
import type { RdbEncodingHint, RdbKeyRecord, RdbRecord, RdbValue } from '../../formats/rdb/types.js';
import { writeRdbBuffer } from '../../formats/rdb/writer.js';
import { type RedisInstance, type Reply, redisAvailable, startRedis } from './redis-harness.js';

const HAVE_REDIS = redisAvailable();
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const FUTURE_MS = 4102444800123; // 2100-01-01
const LIBRARY = "#!lua name=interoplib\nredis.register_function('interop_echo', function(keys, args) return args[1] end)";

function key(name: string, value: RdbValue, encoding: RdbEncodingHint, extra: Partial<RdbKeyRecord> = {}): RdbKeyRecord {
  return { kind: 'key', db: 0, key: name, value, expireAtMs: -1, encoding, ...extra };
}

const DATASET: RdbKeyRecord[] = [
  key('s:int', { type: 'string', value: '12345' }, 'int'),
  key('s:int64', { type: 'string', value: '-9223372036854775808' }, 'int'),
  key('s:embstr', { type: 'string', value: 'hello' }, 'embstr'),
  key('s:lzf', { type: 'string', value: 'abc'.repeat(300) }, 'raw'),
  key('s:bin', { type: 'string', value: ALL_BYTES }, 'raw'),
  key('s:ttl', { type: 'string', value: 'expires' }, 'embstr', { expireAtMs: FUTURE_MS }),
  key('l:small', { type: 'list', value: ['a', '1', '-2', '4096', 'x'.repeat(70), ''] }, 'quicklist'),
  key('l:large', { type: 'list', value: Array.from({ length: 3000 }, (_, i) => `item-${i}-${'p'.repeat(i % 50)}`) }, 'quicklist'),
  key('set:ints', { type: 'set', value: ['-3', '1', '2', '70000', '9223372036854775807'] }, 'intset'),
  key('set:strs', { type: 'set', value: ['apple', 'banana', '1'] }, 'hashtable'),
  key('z:small', { type: 'zset', value: [['ninf', -Infinity], ['tenth', 0.1], ['one', 1], ['half', 2.5], ['tiny', 1e-300], ['max', Number.MAX_VALUE], ['big', 123456789012345]] }, 'listpack'),
  key('z:large', { type: 'zset', value: Array.from({ length: 200 }, (_, i): [string, number] => [`m${i}`, (i * 7919) % 1000 / 7]) }, 'skiplist'),
  key('h:small', { type: 'hash', value: [['name', 'redis'], ['n', '7'], ['neg', '-42'], ['empty', '']] }, 'listpack'),
  // 600 fields: above the built-in hash-max-listpack-entries (512) a server started without redis.conf uses.
  key('h:large', { type: 'hash', value: Array.from({ length: 600 }, (_, i): [string, string] => [`f${i}`, `v${i}`]) }, 'hashtable'),
  key('h:longvalue', { type: 'hash', value: [['k', 'v'], ['long', 'L'.repeat(100)]] }, 'hashtable', { db: 3 }),
  key(
    'x:stream',
    {
      type: 'stream',
      value: {
        entries: [
          { id: { ms: 1n, seq: 1n }, fields: [['name', 'alice'], ['age', '30']] },
          { id: { ms: 1n, seq: 2n }, fields: [['name', 'bob'], ['age', '25']] },
          { id: { ms: 2n, seq: 0n }, fields: [['other', 'fields']] },
          { id: { ms: 5n, seq: 0n }, fields: [['name', 'dave'], ['age', '19']] },
        ],
        length: 4,
        lastId: { ms: 5n, seq: 0n },
        firstId: { ms: 1n, seq: 1n },
        maxDeletedId: { ms: 3n, seq: 0n },
        entriesAdded: 5n,
        groups: [
          {
            name: 'g1',
            lastDeliveredId: { ms: 2n, seq: 0n },
            entriesRead: 3n,
            pending: [
              { id: { ms: 1n, seq: 2n }, consumer: 'c1', deliveryTimeMs: 1700000000000, deliveryCount: 2 },
              { id: { ms: 2n, seq: 0n }, consumer: 'c2', deliveryTimeMs: 1700000000001, deliveryCount: 1 },
            ],
            consumers: [
              { name: 'c1', seenTimeMs: 1700000000000, activeTimeMs: 1700000000000, pending: [{ ms: 1n, seq: 2n }] },
              { name: 'c2', seenTimeMs: 1700000000001, activeTimeMs: 1700000000001, pending: [{ ms: 2n, seq: 0n }] },
            ],
          },
        ],
      },
    },
    'stream',
  ),
];

/** Reads a key's value from Redis in the decoded model's shape (sets/hashes sorted). */
async function fetchValue(r: RedisInstance, type: RdbValue['type'], name: string): Promise<unknown> {
  const c = r.client;
  switch (type) {
    case 'string':
      return c.call('GET', name);
    case 'list':
      return c.call('LRANGE', name, 0, -1);
    case 'set':
      return ((await c.call('SMEMBERS', name)) as string[]).sort();
    case 'zset': {
      const flat = (await c.call('ZRANGE', name, 0, -1, 'WITHSCORES')) as string[];
      const out: [string, number][] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, Number((flat[i + 1] as string).replace(/^(-?)inf$/, '$1Infinity'))]);
      return out;
    }
    case 'hash': {
      const flat = (await c.call('HGETALL', name)) as string[];
      const out: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
      return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    }
    case 'stream': {
      const entries = (await c.call('XRANGE', name, '-', '+')) as [string, string[]][];
      return entries.map(([id, flat]) => [id, flat]);
    }
    default:
      return null;
  }
}

function modelValue(v: RdbValue): unknown {
  switch (v.type) {
    case 'string':
    case 'list':
      return v.value;
    case 'set':
      return [...v.value].sort();
    case 'zset':
      return [...v.value].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    case 'hash':
      return [...v.value].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    case 'stream':
      return v.value.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields.flat()]);
    default:
      return null;
  }
}

async function expectDataset(r: RedisInstance): Promise<void> {
  const c = r.client;
  for (const rec of DATASET) {
    await c.call('SELECT', rec.db);
    expect(await fetchValue(r, rec.value.type, rec.key), rec.key).toEqual(modelValue(rec.value));
    expect(await c.call('OBJECT', 'ENCODING', rec.key), `${rec.key} encoding`).toBe(rec.encoding);
    expect(await c.call('PEXPIRETIME', rec.key), `${rec.key} ttl`).toBe(rec.expireAtMs);
  }
  await c.call('SELECT', 0);
  expect(await c.call('DBSIZE')).toBe(DATASET.filter((d) => d.db === 0).length);
  const pending = (await c.call('XPENDING', 'x:stream', 'g1')) as Reply[];
  expect(pending.slice(0, 3)).toEqual([2, '1-2', '2-0']);
  expect(pending[3]).toEqual([['c1', '1'], ['c2', '1']]);
}

async function expectLibrary(r: RedisInstance): Promise<void> {
  const libs = (await r.client.call('FUNCTION', 'LIST', 'WITHCODE')) as Reply[][];
  expect(libs[0]?.[libs[0].indexOf('library_code') + 1]).toBe(LIBRARY);
}

describe.skipIf(!HAVE_REDIS)('interop with real redis-server', () => {
  for (const version of [9, 10]) {
    it(`Redis loads an RDB ${version} we wrote with the same keys, values, TTLs and encodings`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'strongbox-rdb-'));
      const records: RdbRecord[] = [{ kind: 'aux', key: 'redis-ver', value: '7.0.15' }, { kind: 'function', code: LIBRARY }, ...DATASET];
      const { bytes, warnings } = writeRdbBuffer(records, { version });
      // RDB 9 has no functions and no stream max-deleted-id / entries-read: reported, not silently lost.
      expect(warnings.map((w) => w.code)).toEqual(version === 9 ? ['RECORD_DROPPED', 'STREAM_METADATA_DROPPED'] : []);
      writeFileSync(join(dir, 'x.rdb'), bytes);
      const redis = await startRedis(dir);
      try {
        await expectDataset(redis);
        if (version >= 10) await expectLibrary(redis);
      } finally {
        await redis.stop();
      }
    });
  }

  it('reads back an RDB that Redis SAVEd (loaded from our file, so the data is known)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongbox-rdb-'));
    writeFileSync(join(dir, 'x.rdb'), writeRdbBuffer([{ kind: 'function', code: LIBRARY }, ...DATASET]).bytes);
    const redis = await startRedis(dir);
    try {
      await redis.client.call('SET', 'added:after', 'by redis');
      expect(await redis.client.call('SAVE')).toBe('OK');
      const records = readRdbBuffer(readFileSync(join(dir, 'x.rdb')));
      expect(records.find((r) => r.kind === 'aux' && r.key === 'redis-ver')).toBeDefined();
      expect(records.at(-1)).toMatchObject({ kind: 'eof', checksumOk: true });
      const keys = new Map(records.flatMap((r) => (r.kind === 'key' ? [[`${r.db}:${r.key}`, r] as const] : [])));
      expect(keys.get('0:added:after')?.value).toEqual({ type: 'string', value: 'by redis' });
      for (const rec of DATASET) {
        const got = keys.get(`${rec.db}:${rec.key}`);
        expect(got, rec.key).toBeDefined();
        expect(modelValue(got?.value as RdbValue), rec.key).toEqual(modelValue(rec.value));
        expect(got?.expireAtMs).toBe(rec.expireAtMs);
        expect(got?.encoding === rec.encoding || rec.value.type === 'string').toBe(true);
      }
      const stream = keys.get('0:x:stream')?.value;
      if (stream?.type !== 'stream' || DATASET[DATASET.length - 1]?.value.type !== 'stream') throw new Error('stream missing');
      const { activeTimeMs: _ignored, ...consumer } = stream.value.groups[0]?.consumers[0] ?? { activeTimeMs: 0 };
      expect(consumer).toMatchObject({ name: 'c1', seenTimeMs: 1700000000000, pending: [{ ms: 1n, seq: 2n }] });
      expect(stream.value).toMatchObject({ maxDeletedId: { ms: 3n, seq: 0n }, entriesAdded: 5n, firstId: { ms: 1n, seq: 1n } });
      expect(records.filter((r) => r.kind === 'function')).toEqual([{ kind: 'function', code: LIBRARY }]);
    } finally {
      await redis.stop();
    }
  });

  describe('DUMP payloads', () => {
    let redis: RedisInstance;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'strongbox-rdb-'));
      writeFileSync(join(dir, 'x.rdb'), writeRdbBuffer(DATASET).bytes);
      redis = await startRedis(dir, ['--rdbcompression', 'no']);
    });
    afterAll(async () => {
      await redis.stop();
    });

    // Hashtable sets/hashes serialize in dict order, which is Redis-internal: compared by value below.
    const ordered = DATASET.filter((d) => d.db === 0 && d.encoding !== 'hashtable');

    it('encodeDump matches Redis DUMP byte for byte (rdbcompression no)', async () => {
      for (const rec of ordered) {
        const theirs = (await redis.client.call('DUMP', rec.key)) as string;
        const ours = encodeDump(rec.value, { encoding: rec.encoding as RdbEncodingHint, compression: false }).payload;
        expect(ours.toString('latin1') === theirs, `${rec.key}: DUMP bytes differ`).toBe(true);
      }
    });

    it('decodeDump reads every Redis DUMP, and Redis RESTOREs every encodeDump', async () => {
      for (const rec of DATASET) {
        await redis.client.call('SELECT', rec.db);
        const theirs = Buffer.from((await redis.client.call('DUMP', rec.key)) as string, 'latin1');
        const decoded = decodeDump(theirs, { versionMax: 10 });
        expect(modelValue(decoded.value as RdbValue), rec.key).toEqual(modelValue(rec.value));
        const ours = encodeDump(rec.value, { encoding: rec.encoding as RdbEncodingHint }).payload;
        expect(await redis.client.call('RESTORE', `copy:${rec.key}`, 0, ours)).toBe('OK');
        expect(await fetchValue(redis, rec.value.type, `copy:${rec.key}`), rec.key).toEqual(modelValue(rec.value));
      }
      await redis.client.call('SELECT', 0);
      const bad = encodeDump({ type: 'string', value: 'v' }).payload;
      bad[1] = (bad[1] as number) ^ 1;
      expect(await redis.client.call('RESTORE', 'bad', 0, bad)).toEqual({ error: 'ERR DUMP payload version or checksum are wrong' });
    });
  });
});
