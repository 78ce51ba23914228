// Proves the AOF codec reads what Redis 7.0 writes and refuses what it refuses: manifest lines (key order, unknown
// pairs, comments, quoting, Redis's error cases from aof-multi-part.tcl), and the command log under any chunking
// and any truncation point (the valid end is always the end of the last whole command).
import { describe, expect, it } from 'vitest';
import { test as propTest, fc } from '@fast-check/vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AofFormatError,
  AofManifestError,
  AofReader,
  AofTransactionTracker,
  catRepr,
  encodeAofCommand,
  parseAofManifest,
  parseTimestampAnnotation,
  serializeAofManifest,
  splitArgs,
  type AofItem,
  type AofManifest,
} from '../../formats/index.js';

const CORPUS = join(import.meta.dirname, '../../corpus');

function manifestError(text: string): AofManifestError {
  try {
    parseAofManifest(text);
  } catch (err) {
    if (err instanceof AofManifestError) return err;
    throw err;
  }
  throw new Error('expected AofManifestError');
}

describe('manifest', () => {
  it('reads the corpus manifests Redis 7.0 and 7.4 wrote', () => {
    for (const path of ['redis-7.0/aof-preamble/appendonlydir', 'redis-7.0/aof-plain/appendonlydir', 'public/redisshake']) {
      const text = readFileSync(join(CORPUS, path, 'appendonly.aof.manifest'), 'latin1');
      const m = parseAofManifest(text);
      expect(m.base?.seq).toBe(2);
      expect(m.incrs.map((f) => f.name)).toEqual(['appendonly.aof.2.incr.aof']);
      expect(serializeAofManifest(m)).toBe(text);
    }
  });

  it('accepts any key order, unknown pairs, comments, and keeps incrs in order', () => {
    const m = parseAofManifest(
      '# a comment\nseq 1 type b file base.rdb\nfile h.aof seq 3 type h\nfile a.aof seq 1 type i newkey newvalue\ntype i seq 2 file b.aof\n',
    );
    expect(m.base).toEqual({ name: 'base.rdb', seq: 1, type: 'b' });
    expect(m.history).toEqual([{ name: 'h.aof', seq: 3, type: 'h' }]);
    expect(m.incrs.map((f) => f.seq)).toEqual([1, 2]);
  });

  it("refuses what Redis refuses, with Redis's messages", () => {
    expect(manifestError('').message).toBe('Found an empty AOF manifest');
    expect(manifestError('file a seq 1 type b\n\nfile b seq 1 type i\n').message).toBe('Invalid AOF manifest file format');
    expect(manifestError('file a seq 1 type b\nfile b seq 2 type b\n').message).toBe('Found duplicate base file information');
    expect(manifestError('file a seq 2 type i\nfile b seq 1 type i\n').message).toBe('Found a non-monotonic sequence number');
    expect(manifestError('file a seq 2 type i\nfile b seq 2 type i\n').message).toBe('Found a non-monotonic sequence number');
    expect(manifestError('file a seq 1 type x\n').message).toBe('Unknown AOF file type');
    expect(manifestError('file a seq 1\n').message).toBe('Invalid AOF manifest file format');
    expect(manifestError('file a seq 1 type b key\n').message).toBe('Invalid AOF manifest file format');
    expect(manifestError('file a seq 1 typo b\n').message).toBe('Invalid AOF manifest file format');
    expect(manifestError('file a seq 0 type i\n').message).toBe('Invalid AOF manifest file format');
    expect(manifestError('file dir/a seq 1 type i\n').message).toBe("File can't be a path, just a filename");
    expect(manifestError(`file ${'a'.repeat(1100)} seq 1 type i\n`).message).toBe('The AOF manifest file contains too long line');
    expect(manifestError('file a seq 1 type i').message).toBe('The AOF manifest file contains too long line');
    expect(manifestError('file "a seq 1 type i\n').message).toBe('Invalid AOF manifest file format');
    const e = manifestError('file a seq 1 type b\nfile b seq 1 type b\n');
    expect(e.lineNumber).toBe(2);
  });

  it('quotes names the way sdscatrepr does and splits them back as sdssplitargs does', () => {
    expect(catRepr('a b\n"\\\x01é')).toBe('"a b\\n\\"\\\\\\x01\\xe9"');
    expect(splitArgs('file "a b\\x41" seq \'1\' type i')).toEqual(['file', 'a bA', 'seq', '1', 'type', 'i']);
    expect(splitArgs('"unterminated')).toBeNull();
    expect(splitArgs('"a"b')).toBeNull();
  });

  propTest.prop([fc.array(fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 }).filter((s) => !s.includes('/')), { minLength: 1, maxLength: 5 })])(
    'serialize then parse returns the manifest for any file names',
    (names) => {
      const m: AofManifest = {
        base: { name: names[0]!, seq: 7, type: 'b' },
        history: [],
        incrs: names.slice(1).map((name, i) => ({ name, seq: i + 1, type: 'i' as const })),
      };
      expect(parseAofManifest(serializeAofManifest(m))).toEqual(m);
    },
  );
});

const argArb = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const commandArb = fc.array(argArb, { minLength: 1, maxLength: 6 }).map((args) => ['X' + (args[0] ?? ''), ...args.slice(1)]);

function readAll(bytes: Buffer, cuts: number[]): { items: AofItem[]; reader: AofReader } {
  const reader = new AofReader();
  const items: AofItem[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.feed(bytes.subarray(start, cut));
    start = cut;
    for (let item = reader.next(); item !== null; item = reader.next()) items.push(item);
  }
  return { items, reader };
}

describe('command log', () => {
  propTest.prop([fc.array(commandArb, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 8 })])(
    'any chunking yields the encoded commands with exact end offsets',
    (commands, rawCuts) => {
      const text = commands.map((c) => encodeAofCommand(c)).join('');
      const bytes = Buffer.from(text, 'latin1');
      const cuts = rawCuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)).sort((a, b) => a - b);
      const { items, reader } = readAll(bytes, cuts);
      expect(items.map((i) => (i.kind === 'command' ? i.args : []))).toEqual(commands);
      let offset = 0;
      for (let i = 0; i < commands.length; i++) {
        offset += Buffer.byteLength(encodeAofCommand(commands[i]!), 'latin1');
        expect(items[i]!.endOffset).toBe(offset);
      }
      expect(reader.pendingBytes).toBe(0);
    },
  );

  propTest.prop([fc.array(commandArb, { minLength: 1, maxLength: 8 }), fc.nat()])(
    'a log cut at any byte keeps exactly the whole commands before the cut',
    (commands, rawCut) => {
      const encoded = commands.map((c) => Buffer.from(encodeAofCommand(c), 'latin1'));
      const bytes = Buffer.concat(encoded);
      const cut = rawCut % (bytes.length + 1);
      const { items, reader } = readAll(bytes.subarray(0, cut), []);
      let whole = 0;
      let end = 0;
      for (const e of encoded) {
        if (end + e.length > cut) break;
        end += e.length;
        whole++;
      }
      expect(items.length).toBe(whole);
      expect(reader.validEndOffset).toBe(end);
      expect(reader.pendingBytes).toBe(cut - end);
    },
  );

  propTest.prop([fc.uint8Array({ maxLength: 200 })])('random bytes yield items, need-more, or AofFormatError only', (bytes) => {
    const reader = new AofReader({ maxBulkBytes: 1 << 20, maxArgs: 1 << 16 });
    reader.feed(bytes);
    try {
      while (reader.next() !== null);
    } catch (err) {
      expect(err).toBeInstanceOf(AofFormatError);
    }
  });

  it('assembles a 16 MiB argument fed in 64 KiB chunks without re-parsing per chunk', () => {
    const big = 'v'.repeat(16 * 1024 * 1024);
    const bytes = Buffer.from(encodeAofCommand(['SET', 'k', big]) + encodeAofCommand(['GET', 'k']), 'latin1');
    const reader = new AofReader();
    const items: AofItem[] = [];
    const startedMs = Date.now();
    for (let i = 0; i < bytes.length; i += 65536) {
      reader.feed(bytes.subarray(i, i + 65536));
      for (let item = reader.next(); item !== null; item = reader.next()) items.push(item);
    }
    expect(items.map((i) => (i.kind === 'command' ? i.args[0] : ''))).toEqual(['SET', 'GET']);
    expect((items[0] as { args: string[] }).args[2]!.length).toBe(big.length);
    // Linear: a quadratic re-join of 256 chunks would copy ~2 GiB.
    expect(Date.now() - startedMs).toBeLessThan(5000);
  });

  it('rejects an over-limit bulk length before buffering it', () => {
    const reader = new AofReader({ maxBulkBytes: 10, maxArgs: 10 });
    reader.feed(Buffer.from('*1\r\n$999999999\r\n', 'latin1'));
    expect(() => reader.next()).toThrow(AofFormatError);
  });

  it('reads #TS annotations and reports their timestamps', () => {
    const reader = new AofReader();
    reader.feed(Buffer.from('#TS:1700000000\r\n' + encodeAofCommand(['SET', 'a', 'b']), 'latin1'));
    const first = reader.next();
    expect(first).toMatchObject({ kind: 'annotation', line: '#TS:1700000000', endOffset: 16 });
    expect(parseTimestampAnnotation((first as { line: string }).line)).toBe(1700000000);
    expect(reader.next()).toMatchObject({ kind: 'command', args: ['SET', 'a', 'b'] });
  });

  it('reads the command logs of the corpus (Redis 7.0 output, with and without timestamps)', () => {
    for (const path of ['redis-7.0/aof-plain-ts/appendonlydir/appendonly.aof.2.incr.aof', 'redis-7.0/aof-plain/appendonlydir/appendonly.aof.2.base.aof', 'redis-7.0/aof-preamble/appendonlydir/appendonly.aof.2.incr.aof']) {
      const bytes = readFileSync(join(CORPUS, path));
      const { items, reader } = readAll(bytes, [7, 1000]);
      expect(items.length).toBeGreaterThan(3);
      expect(reader.pendingBytes).toBe(0);
      expect(reader.validEndOffset).toBe(bytes.length);
    }
    const ts = readAll(readFileSync(join(CORPUS, 'redis-7.0/aof-plain-ts/appendonlydir/appendonly.aof.2.base.aof')), []).items;
    expect(ts[0]).toMatchObject({ kind: 'annotation' });
  });

  it("refuses RedisShake's test incr file (bare \\n line ends), as redis-server 7.0 does (Bad file format)", () => {
    const bytes = readFileSync(join(CORPUS, 'public/redisshake/appendonly.aof.2.incr.aof'));
    expect(() => readAll(bytes, [])).toThrow(AofFormatError);
  });

  it('tracks MULTI/EXEC: the safe end stays before an open transaction', () => {
    const text = encodeAofCommand(['SET', 'a', '1']) + encodeAofCommand(['MULTI']) + encodeAofCommand(['INCR', 'a']);
    const { items } = readAll(Buffer.from(text, 'latin1'), []);
    const tracker = new AofTransactionTracker();
    for (const item of items) expect(tracker.observe(item)).toBeNull();
    expect(tracker.inMulti).toBe(true);
    expect(tracker.safeEndOffset).toBe(items[0]!.endOffset);
    expect(tracker.observe({ kind: 'command', args: ['MULTI'], startOffset: 0, endOffset: 0 })).toBe('Unexpected MULTI');
  });
});
