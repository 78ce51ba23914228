// Proves `strongbox rdb`: check reports a good file's version, aux fields, per-type counts and checksum and exits
// 0, and names the first error with its offset (exit 1) for truncated or bit-flipped files; dump --format resp
// piped into real redis-server (redis-cli --pipe) rebuilds the same dataset (DEBUG DIGEST); json and keys list
// every key once.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRdb, rdbTool } from '../../src/cli/rdb.js';
import { Keyspace, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { NodeFileSystem, loadRdbFile } from '../../src/persistence/index.js';
import { CORPUS_DIR } from '../formats/rdb-expected.js';
import { requireRealRedis, startRealRedis } from '../helpers/real-redis.js';
import { keyspaceDigestHex } from '../persistence/keyspace-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'strongbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RDB = join(CORPUS_DIR, 'redis-7.0', 'rdb', 'dump.rdb');
const expected = JSON.parse(readFileSync(join(CORPUS_DIR, 'redis-7.0', 'rdb', 'expected.json'), 'utf8')) as {
  databases: { keys: { type: string }[] }[];
  expired_at_save: { type: string }[];
};

async function check(path: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await checkRdb(path, (l) => lines.push(l));
  return { code, lines };
}

describe('strongbox rdb check', () => {
  it('reports a good file', async () => {
    const { code, lines } = await check(RDB);
    expect(code).toBe(0);
    expect(lines).toContain('[info] REDIS RDB version 10');
    expect(lines).toContain("[aux] redis-ver = '7.0.15'");
    expect(lines.some((l) => l.endsWith('Checksum OK'))).toBe(true);
    const all = expected.databases.flatMap((d) => d.keys);
    expect(lines).toContain(`[info] ${all.length + expected.expired_at_save.length} keys read`);
    const lists = [...all, ...expected.expired_at_save].filter((k) => k.type === 'list').length;
    expect(lines).toContain(`[info] ${lists} list keys`);
  });

  it('names the first error and its offset for a truncated file', async () => {
    const bytes = readFileSync(RDB);
    const path = join(dir, 'truncated.rdb');
    writeFileSync(path, bytes.subarray(0, 20000));
    const { code, lines } = await check(path);
    expect(code).toBe(1);
    expect(lines).toContain('--- RDB ERROR DETECTED ---');
    expect(lines.some((l) => /^\[offset \d+\] TRUNCATED/.test(l))).toBe(true);
  });

  it('reports a checksum mismatch', async () => {
    const path = join(dir, 'flipped.rdb');
    copyFileSync(join(CORPUS_DIR, 'redis-7.0', 'rdb', 'dump-nocompress.rdb'), path);
    const bytes = readFileSync(path);
    // The middle of the file is inside the 512 KiB string values, where only the CRC can notice a change.
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(path, bytes);
    const { code, lines } = await check(path);
    expect(code).toBe(1);
    expect(lines.some((l) => l.endsWith('RDB CRC error'))).toBe(true);
  });
});

describe('strongbox rdb dump', () => {
  it('json and keys list every key once', async () => {
    const out = join(dir, 'dump.json');
    expect(await rdbTool.run(['dump', RDB, '--format', 'json', '--output', out])).toBe(0);
    const objects = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { db: number; type: string; key: unknown });
    expect(objects.length).toBe(expected.databases.flatMap((d) => d.keys).length + expected.expired_at_save.length);
    const keysOut = join(dir, 'dump.keys');
    expect(await rdbTool.run(['dump', RDB, '--format', 'keys', '--output', keysOut])).toBe(0);
    expect(readFileSync(keysOut, 'utf8').trim().split('\n').length).toBe(objects.length);
  });

  it.runIf(requireRealRedis())('resp output piped into redis-server rebuilds the dataset', async () => {
    const out = join(dir, 'dump.resp');
    expect(await rdbTool.run(['dump', RDB, '--format', 'resp', '--output', out])).toBe(0);
    const redis = await startRealRedis(['--enable-debug-command', 'yes']);
    try {
      const piped = spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], { input: readFileSync(out) });
      expect(piped.stdout.toString()).toContain('errors: 0');
      const reference = new Keyspace(defaultKeyspaceConfig());
      loadRdbFile(new NodeFileSystem(), RDB, reference, { config: reference.config, nowMs: Date.now() });
      expect((await redis.call('DEBUG', 'DIGEST')).toString()).toBe(`+${keyspaceDigestHex(reference)}\r\n`);
    } finally {
      await redis.stop();
    }
  });
});
