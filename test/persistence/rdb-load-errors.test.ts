// Proves load failures are clear RdbLoadErrors naming the file, the offset and the reason (truncation, corruption,
// duplicated key, db index beyond `databases`), and that a 7.4 hash with field TTLs loads without them, counted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRdbBuffer, type RdbRecord } from '../../formats/index.js';
import { Keyspace, defaultKeyspaceConfig, HashValue } from '../../src/keyspace/index.js';
import { NodeFileSystem, RdbLoadError, loadRdbFile } from '../../src/persistence/index.js';

const dir = mkdtempSync(join(tmpdir(), 'strongbox-load-err-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = 1_800_000_000_000;

function load(name: string, bytes: Uint8Array, databases = 16): { ks: Keyspace; run: () => ReturnType<typeof loadRdbFile> } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const ks = new Keyspace({ ...defaultKeyspaceConfig(), databases });
  return { ks, run: () => loadRdbFile(new NodeFileSystem(), path, ks, { config: ks.config, nowMs: NOW }) };
}

function errorOf(run: () => unknown): RdbLoadError {
  try {
    run();
  } catch (err) {
    if (err instanceof RdbLoadError) return err;
    throw err;
  }
  throw new Error('expected the load to fail');
}

const key = (db: number, k: string, v = 'x'): RdbRecord => ({ kind: 'key', db, key: k, value: { type: 'string', value: v }, expireAtMs: -1 });

describe('loadRdbFile errors', () => {
  it('truncated file', () => {
    const { bytes } = writeRdbBuffer([key(0, 'a'), key(0, 'b', 'y'.repeat(100))], { compression: false });
    const err = errorOf(load('trunc.rdb', bytes.subarray(0, bytes.length - 30)).run);
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/trunc\.rdb: offset \d+: TRUNCATED/);
  });

  it('checksum mismatch', () => {
    const { bytes } = writeRdbBuffer([key(0, 'a', 'z'.repeat(50))], { compression: false });
    bytes[bytes.indexOf('zzzz')] = 0x41;
    const err = errorOf(load('crc.rdb', bytes).run);
    expect(err.message).toMatch(/CHECKSUM_MISMATCH/);
  });

  it('duplicated key', () => {
    const { bytes } = writeRdbBuffer([key(0, 'a'), key(0, 'a')]);
    const err = errorOf(load('dup.rdb', bytes).run);
    expect(err.code).toBe('DUPLICATE_KEY');
    expect(err.message).toContain("duplicated key 'a' in DB 0");
  });

  it('db index beyond databases', () => {
    const { bytes } = writeRdbBuffer([key(5, 'a')]);
    const err = errorOf(load('db.rdb', bytes, 4).run);
    expect(err.code).toBe('DB_INDEX');
  });

  it('hash field TTLs are dropped (expired fields removed), the hash kept and counted', () => {
    const { bytes } = writeRdbBuffer(
      [
        {
          kind: 'key',
          db: 0,
          key: 'h',
          value: { type: 'hash', value: [['f1', 'v1'], ['f2', 'v2'], ['f3', 'v3']], fieldExpireAtMs: [NOW + 1000, NOW - 1000, -1] },
          expireAtMs: -1,
          encoding: 'listpackex',
        },
      ],
      { version: 12 },
    );
    const { ks, run } = load('hfe.rdb', bytes);
    expect(run().fieldTtlsDropped).toBe(1);
    expect([...(ks.db(0).peek('h') as HashValue).entries()]).toEqual([
      ['f1', 'v1'],
      ['f3', 'v3'],
    ]);
  });
});
