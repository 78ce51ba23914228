// Proves the streaming contract of the RDB reader: any chunking yields the same records (and the
// same error at the same offset), limits are enforced before buffering, checksums are checked,
// and mutated corpus files (bit flips, truncation, inflated lengths) only ever produce RdbError.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { RdbError } from '../../formats/errors.js';
import { RdbParser, readRdb, readRdbBuffer } from '../../formats/rdb/reader.js';
import { BufferSink, RdbWriter } from '../../formats/rdb/writer.js';
import type { RdbRecord } from '../../formats/rdb/types.js';
import { CORPUS_DIR } from './rdb-expected.js';

const corpus = (rel: string): Buffer => readFileSync(join(CORPUS_DIR, rel));

const SMALL_FILES = [
  'public/hdt3213-rdb/memory.rdb',
  'public/hdt3213-rdb/stream_listoacks_3.rdb',
  'public/redis-replicator/dump-ttlhash.rdb',
  'public/redis/encodings.rdb',
  'public/redis-rdb-tools/redis_60_with_module_aux.rdb',
  'public/hdt3213-rdb/valkey_hash2_with_hfe.rdb',
  'public/redis-replicator/dump-slot.rdb',
  'redis-7.4/aof-preamble/appendonlydir/appendonly.aof.2.base.rdb',
];

function parseChunked(bytes: Buffer, cuts: number[]): RdbRecord[] {
  const parser = new RdbParser();
  const out: RdbRecord[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.feed(bytes.subarray(at, cut)));
    at = cut;
  }
  out.push(...parser.feed(bytes.subarray(at)));
  out.push(...parser.end());
  return out;
}

/** Outcome of parsing: records, or the error code and offset. */
function outcome(fn: () => RdbRecord[]): { records?: RdbRecord[]; error?: string } {
  try {
    return { records: fn() };
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    return { error: `${e.code}@${e.offset}` };
  }
}

function header(version = 10): Buffer {
  return Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1');
}

describe('RDB reader streaming', () => {
  for (const rel of SMALL_FILES) {
    const bytes = corpus(rel);
    const whole = readRdbBuffer(bytes);
    propTest.prop([fc.array(fc.nat(bytes.length), { maxLength: 30 })], { numRuns: 40 })(`any chunking of ${rel} gives the same records`, (cuts) => {
      expect(parseChunked(bytes, cuts)).toEqual(whole);
    });
  }

  it('byte-by-byte feeding gives the same records', () => {
    const bytes = corpus('public/hdt3213-rdb/stream_listoacks_3.rdb');
    const cuts = Array.from({ length: bytes.length }, (_, i) => i);
    expect(parseChunked(bytes, cuts)).toEqual(readRdbBuffer(bytes));
  });

  it('a large file in 4 KiB chunks gives the same records (bounded re-parsing)', () => {
    const bytes = corpus('redis-7.0/rdb/dump.rdb');
    const cuts: number[] = [];
    for (let i = 4096; i < bytes.length; i += 4096) cuts.push(i);
    expect(parseChunked(bytes, cuts)).toEqual(readRdbBuffer(bytes));
  });

  it('issue #5: a caller reusing one read buffer (as readChunks does) still gets the CRC64 footer verified', () => {
    // A chunk that starts and ends on record boundaries left its CRC pending until the next feed, by which time
    // the caller had overwritten it: CHECKSUM_MISMATCH on a sound file. Same-size records make the boundaries
    // known: the header, then chunks of 10 records.
    const sink = new BufferSink();
    const writer = new RdbWriter(sink, { version: 10, checksum: true });
    writer.write({ kind: 'selectdb', db: 0 });
    const headerBytes = writer.bytesWritten;
    const records = 100;
    for (let i = 0; i < records; i++) {
      const n = String(1000 + i);
      writer.write({ kind: 'key', db: 0, key: `k${n}`, value: { type: 'string', value: `v${n}` }, expireAtMs: -1 });
    }
    const recordBytes = (writer.bytesWritten - headerBytes) / records;
    writer.end();
    const bytes = sink.toBuffer();
    const cuts = [headerBytes];
    for (let i = 10; i < records; i += 10) cuts.push(headerBytes + i * recordBytes);
    cuts.push(bytes.length);
    const parser = new RdbParser();
    const reused = Buffer.alloc(bytes.length);
    const out: RdbRecord[] = [];
    let at = 0;
    for (const cut of cuts) {
      bytes.copy(reused, 0, at, cut);
      out.push(...parser.feed(reused.subarray(0, cut - at)));
      reused.fill(0xaa);
      at = cut;
    }
    out.push(...parser.end());
    expect(out).toEqual(readRdbBuffer(bytes));
  });

  it('readRdb consumes an async iterable', async () => {
    const bytes = corpus('public/hdt3213-rdb/memory.rdb');
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 100) yield new Uint8Array(bytes.subarray(i, i + 100));
    }
    const records: RdbRecord[] = [];
    for await (const r of readRdb(source())) records.push(r);
    expect(records).toEqual(readRdbBuffer(bytes));
  });

  propTest.prop([fc.constantFrom(...SMALL_FILES), fc.nat(), fc.array(fc.nat(), { maxLength: 8 })], { numRuns: 60 })(
    'a corrupt file fails with the same error at the same offset under any chunking',
    (rel, flipAt, cuts) => {
      const bytes = Buffer.from(corpus(rel));
      const i = 9 + (flipAt % (bytes.length - 9));
      bytes[i] = (bytes[i] as number) ^ 0x5a;
      const whole = outcome(() => readRdbBuffer(bytes, { totalBytes: undefined }));
      const chunked = outcome(() => parseChunked(bytes, cuts.map((c) => c % bytes.length)));
      expect(chunked).toEqual(whole);
    },
  );
});

describe('RDB reader limits and errors', () => {
  it('rejects a string longer than stringBytesMax as soon as its length is read', () => {
    const parser = new RdbParser({ stringBytesMax: 1024 * 1024 });
    parser.feed(header());
    // type STRING, key "k", value length 0x80 + u32 BE 2 MiB, and no data yet
    expect(() => parser.feed(Buffer.from([0x00, 0x01, 0x6b, 0x80, 0x00, 0x20, 0x00, 0x00]))).toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', offset: 12 }),
    );
  });

  it('rejects a length that runs past the known total size without waiting', () => {
    const bytes = Buffer.concat([header(), Buffer.from([0x00, 0x01, 0x6b, 0x80, 0x00, 0x00, 0x10, 0x00, 0x61])]);
    expect(() => readRdbBuffer(bytes)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('rejects a record larger than recordBytesMax', () => {
    const parser = new RdbParser({ recordBytesMax: 4096 });
    parser.feed(header());
    // a LIST with 2^20 elements of 1 byte each, arriving piece by piece
    const items = Buffer.alloc(10000, 0);
    for (let i = 0; i < items.length; i += 2) items[i] = 1;
    expect(() => {
      parser.feed(Buffer.from([0x01, 0x01, 0x6b, 0x80, 0x00, 0x10, 0x00, 0x00]));
      for (let i = 0; i < items.length; i += 500) parser.feed(items.subarray(i, i + 500));
    }).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it('verifies the CRC64 footer, or reports it when asked', () => {
    const bytes = Buffer.from(corpus('public/hdt3213-rdb/memory.rdb'));
    const keyByte = bytes.indexOf('aaaaaaa', 0, 'latin1');
    bytes[keyByte] = 0x62;
    expect(() => readRdbBuffer(bytes)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
    const eof = readRdbBuffer(bytes, { checksum: 'report' }).at(-1);
    expect(eof).toMatchObject({ kind: 'eof', checksumOk: false });
  });

  it('rejects bad magic, unknown versions and unknown types with offsets', () => {
    expect(() => readRdbBuffer(Buffer.from('REDIX0010\xff', 'latin1'))).toThrow(expect.objectContaining({ code: 'BAD_MAGIC', offset: 0 }));
    expect(() => readRdbBuffer(Buffer.from('REDIS0099\xff', 'latin1'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
    expect(() => readRdbBuffer(Buffer.from('VALKEY011\xff', 'latin1'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
    // type 24 (HASH_METADATA) does not exist in RDB v11
    expect(() => readRdbBuffer(Buffer.concat([header(11), Buffer.from([24, 1, 0x6b])]))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_OPCODE', offset: 9 }),
    );
    // opcode 243 means SLOT_IMPORT only for Valkey, KEY_META only from Redis RDB 13
    expect(() => readRdbBuffer(Buffer.concat([header(12), Buffer.from([243, 0])]))).toThrow(expect.objectContaining({ code: 'UNKNOWN_OPCODE' }));
    expect(() => readRdbBuffer(Buffer.concat([header(10)]))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('reads Redis 13 KEY_META and Valkey SLOT_IMPORT opcodes', () => {
    // KEY_META: 1 class, 4-byte class spec, module UINT 5, module EOF; then SELECTDB 0, "k" = 7
    const keyMeta = Buffer.concat([header(13), Buffer.from([243, 1, 0, 0, 0, 1, 2, 5, 0, 0xfe, 0x00, 0x00, 0x01, 0x6b, 0xc0, 0x07, 0xff]), Buffer.alloc(8)]);
    expect(readRdbBuffer(keyMeta).map((r) => r.kind)).toEqual(['header', 'key-meta', 'selectdb', 'key', 'eof']);
    const slotImport = Buffer.concat([Buffer.from('VALKEY080', 'latin1'), Buffer.from([243, 2, 0x6a, 0x31, 1, 0, 0x40, 0x64, 0xff]), Buffer.alloc(8)]);
    expect(readRdbBuffer(slotImport)[1]).toEqual({ kind: 'slot-import', jobName: 'j1', ranges: [[0, 100]] });
  });
});

describe('RDB reader mutation fuzz', () => {
  const FUZZ_FILES = [...SMALL_FILES, 'public/hdt3213-rdb/stream_listpacks_1.rdb', 'public/redis-rdb-tools/zipmap_with_big_values.rdb', 'redis-7.4/rdb/dump.rdb'];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('inflate' as const), at: fc.nat(), wide: fc.boolean() }),
    fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  );

  propTest.prop([fc.constantFrom(...FUZZ_FILES), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 })], { numRuns: Number(process.env.RDB_FUZZ_RUNS ?? 400) })(
    'never throws anything but RdbError and never hangs',
    (rel, mutations, cuts) => {
      let bytes = Buffer.from(corpus(rel));
      for (const m of mutations) {
        const at = m.at % bytes.length;
        if (m.kind === 'flip') bytes[at] = (bytes[at] as number) ^ (1 << m.bit);
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
        else if (m.kind === 'inflate') {
          const length = m.wide ? [0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : [0x80, 0xff, 0xff, 0xff, 0xf0];
          bytes.set(length.slice(0, bytes.length - at), at);
        }
        else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
        if (bytes.length === 0) return;
      }
      const started = performance.now();
      outcome(() => readRdbBuffer(bytes));
      outcome(() => parseChunked(bytes, cuts.map((c) => c % bytes.length)));
      expect(performance.now() - started).toBeLessThan(5000);
    },
  );
});

describe('RDB reader re-parse cost', () => {
  it('a 2 MB record fed in 16-byte chunks is read in linear time', () => {
    const items = Array.from({ length: 200000 }, (_, i) => `v${i}`);
    // LIST (type 1) with 200000 short elements
    const parts: Buffer[] = [header(), Buffer.from([0x01, 0x01, 0x6c, 0x80]), Buffer.alloc(4)];
    (parts[2] as Buffer).writeUInt32BE(items.length);
    for (const s of items) parts.push(Buffer.from([s.length]), Buffer.from(s, 'latin1'));
    parts.push(Buffer.from([0xff]), Buffer.alloc(8));
    const bytes = Buffer.concat(parts);
    const started = performance.now();
    const parser = new RdbParser();
    const out: RdbRecord[] = [];
    for (let i = 0; i < bytes.length; i += 16) out.push(...parser.feed(bytes.subarray(i, i + 16)));
    out.push(...parser.end());
    expect(out.map((r) => r.kind)).toEqual(['header', 'key', 'eof']);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
