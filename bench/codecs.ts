/**
 * Codec micro-benchmarks (tinybench): RESP request parsing and reply writing, RDB write and read, CRC-64, LZF, and
 * the LZ4 frame compression of backup archives (lz4-napi, the archive's dependency).
 * Each reports MB/s (GB/s for CRC-64) of input bytes, so the numbers compare with disk and network bandwidth.
 * Pure CPU: no server, no sockets.
 *
 *   npm run build && npm run bench
 *   BENCH_TIME_MS=2000 npm run bench      (longer runs, steadier numbers)
 */
import { Bench } from 'tinybench';
import { cpus } from 'node:os';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import {
  RequestParser,
  ReplyWriter,
  crc64,
  lzfCompress,
  lzfDecompress,
  writeRdbBuffer,
  readRdbBuffer,
  type RdbRecord,
} from '../formats/index.js';

const TIME_MS = Number(process.env['BENCH_TIME_MS'] ?? 500);

/** 10,000 `SET key:<i> <32-byte value>` requests as a client pipelines them. */
function respRequests(): Buffer {
  const parts: string[] = [];
  const value = 'x'.repeat(32);
  for (let i = 0; i < 10_000; i++) {
    const key = `key:${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** A mixed keyspace: 20,000 strings, and lists, hashes, sets and zsets of 50 elements. */
function rdbRecords(): RdbRecord[] {
  const records: RdbRecord[] = [{ kind: 'selectdb', db: 0 }];
  for (let i = 0; i < 20_000; i++) {
    records.push({ kind: 'key', db: 0, key: `string:${i}`, value: { type: 'string', value: `value-${i}-${'v'.repeat(40)}` }, expireAtMs: -1 });
  }
  for (let i = 0; i < 500; i++) {
    const items = Array.from({ length: 50 }, (_, j) => `item:${j}:${i}`);
    records.push({ kind: 'key', db: 0, key: `list:${i}`, value: { type: 'list', value: items }, expireAtMs: -1 });
    records.push({ kind: 'key', db: 0, key: `set:${i}`, value: { type: 'set', value: items }, expireAtMs: -1 });
    records.push({ kind: 'key', db: 0, key: `hash:${i}`, value: { type: 'hash', value: items.map((f, j) => [f, String(j)]) }, expireAtMs: -1 });
    records.push({ kind: 'key', db: 0, key: `zset:${i}`, value: { type: 'zset', value: items.map((m, j) => [m, j * 1.5]) }, expireAtMs: -1 });
  }
  return records;
}

/** Text-like bytes LZF can compress (repeated words with variation), as RDB strings often are. */
function compressible(bytes: number): Buffer {
  const words = ['redis', 'strongbox', 'value', 'key', 'user', 'session', '12345', 'payload'];
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += words[(i * 7) % words.length]! + ':' + (i % 97) + ' ';
  return Buffer.from(s.slice(0, bytes), 'latin1');
}

interface Row {
  name: string;
  bytesPerOp: number;
  unit: 'MB/s' | 'GB/s';
}

async function main(): Promise<void> {
  const requests = respRequests();
  const records = rdbRecords();
  const rdb = writeRdbBuffer(records).bytes;
  const crcInput = Buffer.alloc(16 * 1024 * 1024, 0xa5);
  const lzfInput = compressible(1024 * 1024);
  const lzfPacked = lzfCompress(lzfInput);
  if (lzfPacked === null) throw new Error('assertion failed: benchmark input does not compress');
  const lz4Frame = compressFrameSync(rdb, { contentChecksum: true });
  if (!decompressFrameSync(lz4Frame).equals(rdb)) throw new Error('assertion failed: LZ4 frame does not round-trip');
  const replyValue = 'x'.repeat(32);
  const writer = new ReplyWriter();
  let sink = 0;

  const bench = new Bench({ time: TIME_MS });
  const rows: Row[] = [];
  const add = (name: string, bytesPerOp: number, unit: Row['unit'], fn: () => void): void => {
    rows.push({ name, bytesPerOp, unit });
    bench.add(name, fn);
  };
  add(`RESP parse (10k SET requests, ${(requests.length / 1024).toFixed(0)} KB)`, requests.length, 'MB/s', () => {
    const parser = new RequestParser();
    parser.parse(requests, 0, requests.length, (args) => {
      sink += args.length;
      return true;
    });
  });
  let replyBytes = 0;
  add('RESP write (10k bulk replies of 32 bytes)', 10_000 * 39, 'MB/s', () => {
    for (let i = 0; i < 10_000; i++) writer.bulk(replyValue);
    replyBytes = writer.pendingBytes;
    sink += writer.take().length;
  });
  add(`RDB write (22k keys, ${(rdb.length / 1024 / 1024).toFixed(1)} MB)`, rdb.length, 'MB/s', () => {
    sink += writeRdbBuffer(records).bytes.length;
  });
  add(`RDB read (22k keys, ${(rdb.length / 1024 / 1024).toFixed(1)} MB)`, rdb.length, 'MB/s', () => {
    sink += readRdbBuffer(rdb).length;
  });
  add('CRC-64 (16 MB)', crcInput.length, 'GB/s', () => {
    sink += crc64(0n, crcInput).lo;
  });
  add('LZF compress (1 MB text)', lzfInput.length, 'MB/s', () => {
    sink += lzfCompress(lzfInput)?.length ?? 0;
  });
  add(`LZF decompress (1 MB text from ${(lzfPacked.length / 1024).toFixed(0)} KB)`, lzfInput.length, 'MB/s', () => {
    sink += lzfDecompress(lzfPacked, lzfInput.length)?.length ?? 0;
  });
  add(`LZ4 archive write (the ${(rdb.length / 1024 / 1024).toFixed(1)} MB RDB to a ${(lz4Frame.length / 1024).toFixed(0)} KB frame)`, rdb.length, 'MB/s', () => {
    sink += compressFrameSync(rdb, { contentChecksum: true }).length;
  });

  await bench.run();
  const cpu = cpus();
  console.log(`CPU: ${cpu[0]?.model ?? '?'} x ${cpu.length}; Node ${process.version}; tinybench ${TIME_MS} ms per task\n`);
  console.log('| codec | throughput | mean time per op |');
  console.log('|---|---:|---:|');
  for (const task of bench.tasks) {
    const row = rows.find((r) => r.name === task.name);
    const result = task.result;
    if (row === undefined || result === undefined || !('latency' in result)) continue;
    const meanMs = result.latency.mean;
    const perSecond = (row.bytesPerOp / (meanMs / 1000)) / (row.unit === 'GB/s' ? 1e9 : 1e6);
    console.log(`| ${task.name} | ${perSecond.toFixed(row.unit === 'GB/s' ? 2 : 0)} ${row.unit} | ${meanMs.toFixed(3)} ms |`);
  }
  if (sink === 0 || replyBytes !== 10_000 * 39) throw new Error('assertion failed: benchmarks did no work');
}

await main();
