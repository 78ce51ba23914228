// Proves loading is streaming: a 1,000,000-key RDB (~70 MB) is read through the FileSystem seam in chunks of at most
// LOAD_CHUNK_BYTES, in order, never whole, and the loader's own memory stays bounded (every key carries a TTL that has
// passed, so the keyspace stays empty and heap growth measures only the loader).
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { RdbWriter } from '../../formats/index.js';
import { Keyspace, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { LOAD_CHUNK_BYTES, NodeFileSystem, loadRdbFile, type FileHandle } from '../../src/persistence/index.js';

const dir = mkdtempSync(join(tmpdir(), 'strongbox-1m-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = 1_000_000;
const NOW = 1_800_000_000_000;

class CountingFs extends NodeFileSystem {
  reads: number[] = [];
  positions: number[] = [];
  override read(fd: FileHandle, target: Uint8Array, offset: number, length: number, position: number): number {
    const n = super.read(fd, target, offset, length, position);
    this.reads.push(n);
    this.positions.push(position);
    return n;
  }
}

it('loads a 1M-key RDB in bounded chunks with bounded loader memory', () => {
  const path = join(dir, 'big.rdb');
  const fd = openSync(path, 'w');
  const writer = new RdbWriter({ write: (chunk) => void writeSync(fd, chunk) }, { compression: false });
  writer.write({ kind: 'aux', key: 'redis-ver', value: '7.0.15' });
  writer.write({ kind: 'selectdb', db: 0 });
  for (let i = 0; i < KEYS; i++) {
    writer.write({ kind: 'key', db: 0, key: `key:${i}`, value: { type: 'string', value: `value:${i}:${'v'.repeat(60)}` }, expireAtMs: NOW - 1 });
  }
  writer.end();
  closeSync(fd);
  const fs = new CountingFs();
  const size = fs.stat(path)!.sizeBytes;
  expect(size).toBeGreaterThan(50 * 1024 * 1024);

  // What the loader keeps, not the garbage it makes: the heap is measured after a full collection (vitest runs
  // its workers with --expose-gc), every 64 chunks. Without gc the peak would depend on when V8 collects.
  const gc = global.gc;
  if (gc === undefined) throw new Error('run with --expose-gc (vitest.config.ts passes it)');
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let chunks = 0;
  const ks = new Keyspace(defaultKeyspaceConfig());
  const result = loadRdbFile(fs, path, ks, {
    config: ks.config,
    nowMs: NOW,
    onProgress: () => {
      if (++chunks % 64 !== 0) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  expect(result.keysExpired).toBe(KEYS);
  expect(ks.size).toBe(0);
  expect(Math.max(...fs.reads)).toBeLessThanOrEqual(LOAD_CHUNK_BYTES);
  expect(fs.reads.reduce((a, b) => a + b, 0)).toBe(size);
  // Sequential: each read starts where the previous one ended.
  for (let i = 1; i < fs.positions.length; i++) expect(fs.positions[i]).toBe(fs.positions[i - 1]! + fs.reads[i - 1]!);
  // A loader that kept the file or the records would grow by about the file's size or more.
  console.log(`1M-key RDB: ${size} bytes, ${chunks} chunks, loader heap growth peak ${((peak - baseline) / 1e6).toFixed(1)} MB after gc`);
  expect(chunks).toBeGreaterThan(64);
  expect(peak - baseline).toBeLessThan(size / 8);
});
