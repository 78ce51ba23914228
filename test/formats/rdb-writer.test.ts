// Proves the RDB writer: random records written as RDB 9/10/11/12 read back equal (up to what
// the target version documents as lost, which is reported as a warning), every corpus file
// survives read -> write -> read, the compact types follow the encoding hint and target
// version, and DUMP payloads round-trip with strict checksum and version checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { RdbError } from '../../formats/errors.js';
import { crc64, crc64WriteLE } from '../../formats/crc64.js';
import * as C from '../../formats/rdb/constants.js';
import { decodeDump, encodeDump } from '../../formats/rdb/dump.js';
import { readRdbBuffer } from '../../formats/rdb/reader.js';
import type { RdbEncodingHint, RdbKeyRecord, RdbRecord, RdbStream, RdbStreamNode, RdbValue, StreamId } from '../../formats/rdb/types.js';
import { BufferSink, RdbWriter, writeRdb, writeRdbBuffer } from '../../formats/rdb/writer.js';
import { CORPUS_DIR, corpusFiles } from './rdb-expected.js';

const byte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const bytesArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: byte, maxLength: 30 }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: -70000, max: 70000 }).map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('ab', 'xyz', 'q'), fc.nat(400)).map(([s, n]) => s.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ unit: byte, minLength: 60, maxLength: 300 }) },
);
const timeMs = fc.integer({ min: 0, max: 2 ** 47 });
const score = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(Infinity, -Infinity, 0.1, 2.5, 1e-300));

const streamIdArb = fc.record({ ms: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), seq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) });

function cmpId(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : 0;
}

const streamArb: fc.Arbitrary<RdbStream> = fc
  .tuple(
    fc.uniqueArray(streamIdArb, { maxLength: 25, selector: (id) => `${id.ms}-${id.seq}` }),
    fc.array(fc.array(fc.tuple(fc.constantFrom('f', 'name', '7', 'age', 'x'), bytesArb), { minLength: 1, maxLength: 4 }), { minLength: 25, maxLength: 25 }),
    fc.uniqueArray(fc.string({ unit: byte, maxLength: 6 }), { maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), timeMs, fc.nat(1000), fc.nat(3), timeMs, timeMs, fc.bigInt({ min: -1n, max: 1000n })), { minLength: 30, maxLength: 30 }),
    streamIdArb,
    // Now and then the stream's own nodes: sizes, and which entries are tombstones (XDEL, exact trims).
    fc.option(fc.tuple(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 25, maxLength: 25 }), fc.nat()), { nil: undefined }),
  )
  .map(([ids, fieldSets, groupNames, knobs, maxDeleted, layout]) => {
    const sorted = [...ids].sort(cmpId);
    const held = sorted.map((id, i) => ({ id, fields: fieldSets[i] as [string, string][], deleted: layout !== undefined && (layout[1] >> i % 30) % 3 === 1 }));
    const entries = held.filter((e) => !e.deleted).map(({ id, fields }) => ({ id, fields }));
    const nodes: RdbStreamNode[] = [];
    if (layout !== undefined) {
      for (let at = 0, n = 0; at < held.length; n++) {
        const part = held.slice(at, at + layout[0][n % 25]!);
        nodes.push({ master: part[0]!.id, masterFields: part[0]!.fields.map(([f]) => f), entries: part });
        at += part.length;
      }
    }
    const last = sorted[sorted.length - 1] ?? { ms: 0n, seq: 0n };
    const groups = groupNames.map((name, g) => {
      const [pick, deliveryTimeMs, deliveryCount, consumerCount, seen, active, entriesRead] = knobs[g] as [number, number, number, number, number, number, bigint];
      const consumerNames = Array.from({ length: consumerCount }, (_, c) => `c${c}`);
      const pending = sorted
        .filter((_, i) => (pick >> i % 30) % 2 === 1)
        .map((id, i) => ({ id, consumer: consumerNames.length > 0 ? (consumerNames[i % consumerNames.length] as string) : null, deliveryTimeMs, deliveryCount }));
      const consumers = consumerNames.map((cname) => ({
        name: cname,
        seenTimeMs: seen,
        activeTimeMs: active,
        pending: pending.filter((p) => p.consumer === cname).map((p) => p.id),
      }));
      return { name, lastDeliveredId: last, entriesRead, pending, consumers };
    });
    return {
      entries,
      length: entries.length,
      lastId: last,
      firstId: sorted[0] ?? { ms: 0n, seq: 0n },
      maxDeletedId: cmpId(maxDeleted, last) <= 0 ? maxDeleted : last,
      entriesAdded: BigInt(entries.length + 3),
      groups,
      ...(layout !== undefined ? { nodes } : {}),
    };
  });

const valueArb: fc.Arbitrary<{ value: RdbValue; hint: RdbEncodingHint | undefined }> = fc.oneof(
  bytesArb.map((v) => ({ value: { type: 'string' as const, value: v }, hint: undefined })),
  fc.tuple(fc.array(bytesArb, { maxLength: 200 }), fc.constantFrom<RdbEncodingHint | undefined>(undefined, 'quicklist', 'listpack')).map(([v, hint]) => ({ value: { type: 'list' as const, value: v }, hint })),
  fc.tuple(fc.uniqueArray(bytesArb, { maxLength: 150 }), fc.constantFrom<RdbEncodingHint | undefined>(undefined, 'intset', 'listpack', 'hashtable')).map(([v, hint]) => ({ value: { type: 'set' as const, value: v }, hint })),
  fc.tuple(fc.uniqueArray(fc.tuple(bytesArb, score), { maxLength: 150, selector: ([m]) => m }), fc.constantFrom<RdbEncodingHint | undefined>(undefined, 'listpack', 'skiplist')).map(([v, hint]) => ({ value: { type: 'zset' as const, value: v }, hint })),
  fc
    .tuple(
      fc.uniqueArray(fc.tuple(bytesArb, bytesArb, fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 2 ** 47 }))), { maxLength: 150, selector: ([f]) => f }),
      fc.boolean(),
      fc.constantFrom<RdbEncodingHint | undefined>(undefined, 'listpack', 'listpackex', 'hashtable'),
    )
    .map(([triples, ttls, hint]) => {
      const value: RdbValue = { type: 'hash', value: triples.map(([f, v]) => [f, v]) };
      if (ttls) value.fieldExpireAtMs = triples.map(([, , ms]) => ms);
      return { value, hint };
    }),
  streamArb.map((s) => ({ value: { type: 'stream' as const, value: s }, hint: undefined })),
);

const keyRecordArb: fc.Arbitrary<RdbKeyRecord> = fc
  .tuple(fc.nat(15), bytesArb, valueArb, fc.oneof(fc.constant(-1), timeMs), fc.option(fc.nat(1 << 20)), fc.option(fc.nat(255)))
  .map(([db, key, { value, hint }, expireAtMs, idle, freq]) => {
    const r: RdbKeyRecord = { kind: 'key', db, key, value, expireAtMs };
    if (hint !== undefined) r.encoding = hint;
    if (idle !== null) r.idleSeconds = idle;
    if (freq !== null) r.freq = freq;
    return r;
  });

/** What a key record should look like after write(version) -> read. */
function expectedAfter(r: RdbKeyRecord, version: number): unknown {
  const v = structuredClone(r.value);
  if (v.type === 'set') v.value.sort();
  if (v.type === 'zset') sortZset(v.value);
  if (v.type === 'hash') normalizeHash(v, version >= 12);
  if (v.type === 'stream') normalizeStream(v.value, version);
  if (v.type === 'list') delete v.nodeCounts; // the node layout is checked on its own below
  return { db: r.db, key: r.key, expireAtMs: r.expireAtMs, idleSeconds: r.idleSeconds, freq: r.freq, value: v };
}

function normalizeHash(v: Extract<RdbValue, { type: 'hash' }>, keepTtls: boolean): void {
  const ttls = keepTtls && v.fieldExpireAtMs !== undefined && v.fieldExpireAtMs.some((ms) => ms !== -1) ? v.fieldExpireAtMs : undefined;
  const rows = v.value.map(([f, x], i) => [f, x, ttls?.[i] ?? -1] as [string, string, number]);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  v.value = rows.map(([f, x]) => [f, x]);
  if (ttls !== undefined) v.fieldExpireAtMs = rows.map(([, , ms]) => ms);
  else delete v.fieldExpireAtMs;
}

/**
 * Takes the stream's nodes out of the comparison: the reader always reports them, and their live entries must be
 * exactly `entries`. The nodes a record was written with are compared on their own (sameNodes).
 */
function detachNodes(s: RdbStream): void {
  if (s.nodes !== undefined) {
    const live = s.nodes.flatMap((node) => node.entries.filter((e) => !e.deleted).map(({ id, fields }) => ({ id, fields })));
    expect(live).toEqual(s.entries);
  }
  delete s.nodes;
}

/** Every stream written with its own nodes reads back with those nodes, tombstones included. */
function sameNodes(written: readonly RdbKeyRecord[], read: readonly RdbRecord[]): void {
  written.forEach((w, i) => {
    const r = read[i];
    if (w.value.type !== 'stream' || w.value.value.nodes === undefined || r?.kind !== 'key' || r.value.type !== 'stream') return;
    expect(r.value.value.nodes).toEqual(w.value.value.nodes.filter((node) => node.entries.length > 0));
  });
}

function normalizeStream(s: RdbStream, version: number): void {
  detachNodes(s);
  if (version < 11) for (const g of s.groups) for (const c of g.consumers) c.activeTimeMs = c.seenTimeMs;
  if (version < 10) {
    // RDB 9 has no stream metadata: the reader derives it; compare only what is stored.
    s.firstId = { ms: 0n, seq: 0n };
    s.maxDeletedId = { ms: 0n, seq: 0n };
    s.entriesAdded = 0n;
    for (const g of s.groups) g.entriesRead = 0n;
  }
}

function sortZset(pairs: [string, number][]): void {
  pairs.sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function actualAfter(r: RdbRecord, version: number): unknown {
  if (r.kind !== 'key') return r;
  const v = structuredClone(r.value);
  if (v.type === 'set') v.value.sort();
  if (v.type === 'zset') sortZset(v.value);
  if (v.type === 'hash') normalizeHash(v, true);
  if (v.type === 'stream') normalizeStream(v.value, version);
  if (v.type === 'list') delete v.nodeCounts; // the node layout is checked on its own below
  return { db: r.db, key: r.key, expireAtMs: r.expireAtMs, idleSeconds: r.idleSeconds, freq: r.freq, value: v };
}

describe('RDB writer round trip', () => {
  for (const version of [9, 10, 11, 12]) {
    propTest.prop([fc.array(keyRecordArb, { maxLength: 12 })], { numRuns: 60 })(`random records -> RDB ${version} -> read back equal`, (records) => {
      const { bytes, warnings } = writeRdbBuffer(records, { version, compression: version % 2 === 0 });
      const back = readRdbBuffer(bytes).filter((r) => r.kind === 'key');
      expect(back.map((r) => actualAfter(r, version))).toEqual(records.map((r) => expectedAfter(r, version)));
      sameNodes(records, back);
      const droppedTtls = records.some((r) => r.value.type === 'hash' && (r.value.fieldExpireAtMs ?? []).some((ms) => ms !== -1));
      expect(warnings.some((w) => w.code === 'HASH_FIELD_TTL_DROPPED')).toBe(droppedTtls && version < 12);
      const setListpack = records.some((r) => r.value.type === 'set' && r.encoding === 'listpack');
      expect(warnings.some((w) => w.code === 'ENCODING_CHANGED' && w.message.startsWith('set listpack'))).toBe(setListpack && version < 11);
    });
  }

  for (const rel of corpusFiles('.rdb').filter((f) => /dump\.rdb$|dumpV|listpack-bug|stream|hfe|ttlhash|encodings|zipmap_with|module-2/.test(f))) {
    it(`${rel}: read -> write RDB 12 -> read keeps every record`, () => {
      const records = readRdbBuffer(readFileSync(join(CORPUS_DIR, rel)), { keepModuleRaw: true });
      const { bytes, warnings } = writeRdbBuffer(records, { version: 12 });
      expect(warnings).toEqual([]);
      const back = readRdbBuffer(bytes, { keepModuleRaw: true });
      const pick = (rs: RdbRecord[]): unknown[] =>
        rs.filter((r) => r.kind === 'key' || r.kind === 'function' || r.kind === 'aux' || r.kind === 'module-key').map((r) => actualAfter(r, 12));
      expect(pick(back)).toEqual(pick(records));
    });
  }
});

describe('RDB writer encodings', () => {
  function typeOf(record: RdbKeyRecord, version: number): number | undefined {
    const { bytes } = writeRdbBuffer([record], { version });
    const back = readRdbBuffer(bytes).find((r) => r.kind === 'key');
    return back?.kind === 'key' ? back.rdbType : undefined;
  }
  const key = (value: RdbValue, encoding?: RdbEncodingHint): RdbKeyRecord => ({ kind: 'key', db: 0, key: 'k', value, expireAtMs: -1, ...(encoding ? { encoding } : {}) });

  it('picks the compact type the target version has', () => {
    const smallHash = key({ type: 'hash', value: [['a', '1']] }, 'listpack');
    expect(typeOf(smallHash, 9)).toBe(C.RDB_TYPE_HASH_ZIPLIST);
    expect(typeOf(smallHash, 10)).toBe(C.RDB_TYPE_HASH_LISTPACK);
    expect(typeOf(key({ type: 'hash', value: [['a', '1']] }, 'hashtable'), 10)).toBe(C.RDB_TYPE_HASH);
    const strSet = key({ type: 'set', value: ['a', 'b'] }, 'listpack');
    expect(typeOf(strSet, 10)).toBe(C.RDB_TYPE_SET);
    expect(writeRdbBuffer([strSet], { version: 10 }).warnings).toMatchObject([{ code: 'ENCODING_CHANGED', db: 0, key: 'k' }]);
    expect(typeOf(strSet, 11)).toBe(C.RDB_TYPE_SET_LISTPACK);
    expect(typeOf(key({ type: 'set', value: ['1', '-7'] }, 'intset'), 9)).toBe(C.RDB_TYPE_SET_INTSET);
    const zset = key({ type: 'zset', value: [['m', 1.5]] }, 'listpack');
    expect(typeOf(zset, 9)).toBe(C.RDB_TYPE_ZSET_ZIPLIST);
    expect(typeOf(zset, 10)).toBe(C.RDB_TYPE_ZSET_LISTPACK);
    expect(typeOf(key({ type: 'zset', value: [['m', 1.5]] }, 'skiplist'), 10)).toBe(C.RDB_TYPE_ZSET_2);
    expect(typeOf(key({ type: 'list', value: ['a'] }), 9)).toBe(C.RDB_TYPE_LIST_QUICKLIST);
    expect(typeOf(key({ type: 'list', value: ['a'] }), 10)).toBe(C.RDB_TYPE_LIST_QUICKLIST_2);
    const hfe = (encoding: RdbEncodingHint): RdbKeyRecord => key({ type: 'hash', value: [['a', '1'], ['b', '2']], fieldExpireAtMs: [-1, 4102444800000] }, encoding);
    expect(typeOf(hfe('listpackex'), 12)).toBe(C.RDB_TYPE_HASH_LISTPACK_EX);
    expect(typeOf(hfe('hashtable'), 12)).toBe(C.RDB_TYPE_HASH_METADATA);
    expect(typeOf(hfe('listpackex'), 11)).toBe(C.RDB_TYPE_HASH_LISTPACK);
    const stream = key({ type: 'stream', value: { entries: [], lastId: { ms: 0n, seq: 0n }, firstId: { ms: 0n, seq: 0n }, maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: 0n, groups: [] } });
    expect([9, 10, 11, 12].map((v) => typeOf(stream, v))).toEqual([C.RDB_TYPE_STREAM_LISTPACKS, C.RDB_TYPE_STREAM_LISTPACKS_2, C.RDB_TYPE_STREAM_LISTPACKS_3, C.RDB_TYPE_STREAM_LISTPACKS_3]);
  });

  it('writes integer strings as int8/16/32 and long repetitive strings with LZF (rdbSaveRawString)', () => {
    const payload = (s: string, compression = true): number[] => [...encodeDump({ type: 'string', value: s }, { compression }).payload.subarray(0, -10)];
    expect(payload('123')).toEqual([0, 0xc0, 123]);
    expect(payload('-300')).toEqual([0, 0xc1, 0xd4, 0xfe]);
    expect(payload('70000')).toEqual([0, 0xc2, 0x70, 0x11, 0x01, 0x00]);
    expect(payload('2147483648')[1]).toBe(10); // out of int32: plain string
    expect(payload('007')).toEqual([0, 3, 0x30, 0x30, 0x37]);
    expect(payload('a'.repeat(20))[1]).toBe(20); // 20 bytes: never compressed
    expect(payload('a'.repeat(100))[1]).toBe(0xc3);
    expect(payload('a'.repeat(100), false).slice(1, 3)).toEqual([0x40, 100]);
  });

  it('writes a zero footer without checksums and a correct CRC64 with them', () => {
    const rec: RdbRecord[] = [{ kind: 'aux', key: 'redis-ver', value: '7.0.15' }];
    const off = writeRdbBuffer(rec, { checksum: false }).bytes;
    expect(off.subarray(-8).equals(Buffer.alloc(8))).toBe(true);
    expect(readRdbBuffer(off).at(-1)).toMatchObject({ kind: 'eof', checksumOk: 'disabled' });
    expect(readRdbBuffer(writeRdbBuffer(rec).bytes).at(-1)).toMatchObject({ kind: 'eof', checksumOk: true });
  });

  it('gives the same bytes whatever the chunk size and through the async sink', async () => {
    const records: RdbRecord[] = [
      { kind: 'key', db: 0, key: 'big', value: { type: 'string', value: 'x'.repeat(200000) }, expireAtMs: -1 },
      { kind: 'key', db: 3, key: 'l', value: { type: 'list', value: Array.from({ length: 3000 }, (_, i) => `item-${i}`) }, expireAtMs: 5 },
    ];
    const reference = writeRdbBuffer(records).bytes;
    const sink = new BufferSink();
    const writer = new RdbWriter(sink, { chunkBytes: 100 });
    for (const r of records) writer.write(r);
    writer.end();
    expect(sink.toBuffer().equals(reference)).toBe(true);
    const chunks: Uint8Array[] = [];
    await writeRdb(records, { write: async (c) => void chunks.push(c) });
    expect(Buffer.concat(chunks).equals(reference)).toBe(true);
    expect(() => writer.write(records[0] as RdbRecord)).toThrow(RdbError);
  });

  it('refuses target versions it cannot write', () => {
    expect(() => new RdbWriter(new BufferSink(), { version: 8 })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
  });
});

describe('quicklist node layout', () => {
  propTest.prop([fc.array(fc.array(bytesArb, { minLength: 0, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(10, 11, 12)])(
    'a list value with nodeCounts is written node for node and read back with the same counts (empty nodes skipped)',
    (nodes, version) => {
      const value: RdbValue = { type: 'list', value: nodes.flat(), nodeCounts: nodes.map((n) => n.length) };
      const decoded = decodeDump(encodeDump(value, { version }).payload).value as RdbValue;
      expect(decoded).toEqual({ type: 'list', value: nodes.flat(), nodeCounts: nodes.map((n) => n.length).filter((n) => n > 0) });
    },
  );
});

describe('DUMP payloads', () => {
  propTest.prop([valueArb, fc.constantFrom(9, 10, 11, 12)], { numRuns: 100 })('encodeDump -> decodeDump round-trips', ({ value, hint }, version) => {
    const { payload } = encodeDump(value, { version, ...(hint ? { encoding: hint } : {}) });
    const decoded = decodeDump(payload);
    expect(decoded.version).toBe(version);
    const record: RdbKeyRecord = { kind: 'key', db: 0, key: 'k', value, expireAtMs: -1 };
    const back: RdbKeyRecord = { kind: 'key', db: 0, key: 'k', value: decoded.value as RdbValue, expireAtMs: -1 };
    expect(actualAfter(back, version)).toEqual(expectedAfter(record, version));
    sameNodes([record], [back]);
  });

  propTest.prop([valueArb, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat()], { numRuns: 300 })(
    'a mutated payload with a valid checksum decodes or fails with RdbError only',
    ({ value, hint }, edits, cut) => {
      const { payload } = encodeDump(value, hint ? { encoding: hint } : {});
      const body = Buffer.from(payload.subarray(0, payload.length - 10));
      for (const [at, b] of edits) body[at % body.length] = b;
      const truncated = body.subarray(0, body.length - (cut % Math.min(4, body.length)));
      const mutated = Buffer.concat([truncated, payload.subarray(payload.length - 10)]);
      crc64WriteLE(crc64(0n, mutated, 0, mutated.length - 8), mutated, mutated.length - 8);
      try {
        decodeDump(mutated);
      } catch (e) {
        expect(e).toBeInstanceOf(RdbError);
      }
    },
  );

  it('rejects a wrong checksum, a too new version and trailing bytes', () => {
    const { payload } = encodeDump({ type: 'list', value: ['a', 'b'] });
    const flipped = Buffer.from(payload);
    flipped[3] = (flipped[3] as number) ^ 1;
    expect(() => decodeDump(flipped)).toThrow(expect.objectContaining({ code: 'BAD_DUMP' }));
    expect(() => decodeDump(encodeDump({ type: 'string', value: 'v' }, { version: 12 }).payload, { versionMax: 10 })).toThrow(
      expect.objectContaining({ code: 'BAD_DUMP' }),
    );
    expect(() => decodeDump(payload.subarray(0, 5))).toThrow(RdbError);
  });
});
