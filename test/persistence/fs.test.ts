// Proves NodeFileSystem does what the FileSystem seam promises (append, positional read, stat of missing paths,
// atomic replace that leaves the target untouched and no temp file when the producer fails).
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeFileSystem, readChunks, writeFileAtomic, fsErrorCode } from '../../src/persistence/index.js';

const dir = mkdtempSync(join(tmpdir(), 'strongbox-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fs = new NodeFileSystem();

describe('NodeFileSystem', () => {
  it('appends, reads at positions, lists and stats', () => {
    const path = join(dir, 'a.bin');
    const fd = fs.open(path, 'append');
    fs.write(fd, Buffer.from('hello '));
    fs.write(fd, Buffer.from('world'));
    fs.fsync(fd);
    expect(fs.size(fd)).toBe(11);
    fs.close(fd);
    const rd = fs.open(path, 'read');
    const buf = Buffer.alloc(5);
    expect(fs.read(rd, buf, 0, 5, 6)).toBe(5);
    expect(buf.toString()).toBe('world');
    expect(fs.read(rd, buf, 0, 5, 11)).toBe(0);
    fs.close(rd);
    expect(fs.list(dir)).toContain('a.bin');
    expect(fs.stat(path)?.sizeBytes).toBe(11);
    expect(fs.stat(join(dir, 'missing'))).toBeNull();
    fs.fsyncDir(dir);
    let code: string | null = null;
    try {
      fs.open(join(dir, 'missing'), 'read');
    } catch (err) {
      code = fsErrorCode(err);
    }
    expect(code).toBe('ENOENT');
  });

  it('readChunks yields the file in pieces', () => {
    const path = join(dir, 'b.bin');
    writeFileAtomic(fs, { path, tempPath: join(dir, 'temp-b'), dir }, (write) => write(Buffer.alloc(10000, 7)));
    const sizes = [...readChunks(fs, path, 4096)].map((c) => c.length);
    expect(sizes).toEqual([4096, 4096, 1808]);
  });

  it('writeFileAtomic keeps the old file when the producer fails', () => {
    const path = join(dir, 'c.bin');
    const tempPath = join(dir, 'temp-c');
    writeFileAtomic(fs, { path, tempPath, dir }, (write) => write(Buffer.from('old')));
    expect(() =>
      writeFileAtomic(fs, { path, tempPath, dir }, (write) => {
        write(Buffer.from('new, partial'));
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      }),
    ).toThrow('disk full');
    expect(readFileSync(path, 'latin1')).toBe('old');
    expect(existsSync(tempPath)).toBe(false);
  });
});
