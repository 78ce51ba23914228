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

  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const ks = new Keyspace(defaultKeyspaceConfig());
  const result = loadRdbFile(fs, path, ks, {
    config: ks.config,
    nowMs: NOW,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  expect(result.keysExpired).toBe(KEYS);
  expect(ks.size).toBe(0);
  expect(Math.max(...fs.reads)).toBeLessThanOrEqual(LOAD_CHUNK_BYTES);
  expect(fs.reads.reduce((a, b) => a + b, 0)).toBe(size);
  // Sequential: each read starts where the previous one ended.
  for (let i = 1; i < fs.positions.length; i++) expect(fs.positions[i]).toBe(fs.positions[i - 1]! + fs.reads[i - 1]!);
  // Garbage from decoded records comes and goes; a loader that kept the file or the records would grow by > size.
  console.log(`1M-key RDB: ${size} bytes, loader heap growth peak ${((peak - baseline) / 1e6).toFixed(1)} MB`);
  expect(peak - baseline).toBeLessThan(size / 2);
});
