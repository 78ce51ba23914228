// Proves the simulated disk models power loss as specified: fsynced bytes and fsynced directory entries always
// survive, unsynced appends survive only as a prefix (possibly torn), a rename is atomic, crashes hit the chosen
// I/O operation, faults are injected where asked (one operation, or a window of them), a named file's synced bit
// can be flipped, and one seed replays one crash exactly.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { SimFileSystem, SimulatedCrash } from '../../src/fuzz/sim-fs.js';

/** Small seeded PRNG (mulberry32) so each property run is replayable from fast-check's seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('latin1'));

describe('SimFileSystem', () => {
  test('fsynced data in an fsynced directory survives every crash; later appends survive as a prefix', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 12 }), (seed, chunks) => {
        const fs = new SimFileSystem();
        fs.mkdir('/d');
        const fd = fs.open('/d/log', 'append');
        fs.write(fd, bytes('HEAD'));
        fs.fsync(fd);
        fs.fsyncDir('/d');
        for (const c of chunks) fs.write(fd, bytes(c));
        const full = 'HEAD' + chunks.join('');
        fs.crash(rng(seed));
        const after = text(fs.readAll('/d/log'));
        expect(after).not.toBeNull();
        expect(after!.startsWith('HEAD')).toBe(true);
        expect(full.startsWith(after!)).toBe(true);
      }),
    );
  });

  test('a new file is durable only after its directory is fsynced', () => {
    let vanished = 0;
    for (let seed = 0; seed < 200; seed++) {
      const fs = new SimFileSystem();
      fs.mkdir('/d');
      const fd = fs.open('/d/f', 'write');
      fs.write(fd, bytes('data'));
      fs.fsync(fd);
      fs.crash(rng(seed));
      if (fs.stat('/d/f') === null) vanished++;
      else expect(text(fs.readAll('/d/f'))).toBe('data');
      const fs2 = new SimFileSystem();
      fs2.mkdir('/d');
      const fd2 = fs2.open('/d/f', 'write');
      fs2.write(fd2, bytes('data'));
      fs2.fsync(fd2);
      fs2.fsyncDir('/d');
      fs2.crash(rng(seed));
      expect(text(fs2.readAll('/d/f'))).toBe('data');
    }
    expect(vanished).toBeGreaterThan(0);
    expect(vanished).toBeLessThan(200);
  });

  test('rename over an existing file leaves the old or the new content after a crash, never nothing', () => {
    const seen = new Set<string | null>();
    for (let seed = 0; seed < 200; seed++) {
      const fs = new SimFileSystem();
      fs.mkdir('/d');
      const a = fs.open('/d/manifest', 'write');
      fs.write(a, bytes('old'));
      fs.fsync(a);
      fs.fsyncDir('/d');
      const b = fs.open('/d/temp', 'write');
      fs.write(b, bytes('new'));
      fs.fsync(b);
      fs.rename('/d/temp', '/d/manifest');
      fs.crash(rng(seed));
      const got = text(fs.readAll('/d/manifest'));
      expect(['old', 'new']).toContain(got);
      seen.add(got);
    }
    expect(seen.size).toBe(2);
  });

  test('crashAtOp stops the chosen operation and faults fail the chosen one', () => {
    const fs = new SimFileSystem();
    fs.mkdir('/d');
    fs.crashAtOp = 2;
    const fd = fs.open('/d/f', 'append'); // op 0
    fs.write(fd, bytes('a')); // op 1
    expect(() => fs.write(fd, bytes('b'))).toThrow(SimulatedCrash); // op 2
    const fs2 = new SimFileSystem();
    fs2.mkdir('/d');
    fs2.faults.set(1, 'enospc-write');
    fs2.faults.set(3, 'eio-fsync');
    const fd2 = fs2.open('/d/f', 'append');
    expect(() => fs2.write(fd2, bytes('x'))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    fs2.write(fd2, bytes('y'));
    expect(() => fs2.fsync(fd2)).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(text(fs2.readAll('/d/f'))).toBe('y');
  });

  test('a fault window fails every operation of its kind on matching paths inside the window, and counts them', () => {
    const fs = new SimFileSystem();
    fs.mkdir('/d');
    fs.faultWindows.push({ kind: 'enospc-write', fromOp: 2, untilOp: 5, pathIncludes: '.incr' });
    const log = fs.open('/d/a.incr', 'append'); // op 0
    const other = fs.open('/d/other', 'append'); // op 1
    expect(() => fs.write(log, bytes('a'))).toThrow(expect.objectContaining({ code: 'ENOSPC' })); // op 2
    fs.write(other, bytes('b')); // op 3: path does not match
    fs.fsync(log); // op 4: not a write
    fs.write(log, bytes('c')); // op 5: window over
    expect(fs.faultsHit).toBe(1);
    expect(text(fs.readAll('/d/a.incr'))).toBe('c');
    const fs2 = new SimFileSystem();
    fs2.mkdir('/d');
    fs2.faultWindows.push({ kind: 'eio-fsync', fromOp: 0, untilOp: 10, pathIncludes: '' });
    const fd = fs2.open('/d/f', 'append');
    fs2.write(fd, bytes('x'));
    expect(() => fs2.fsync(fd)).toThrow(expect.objectContaining({ code: 'EIO' }));
    let background: Error | null = null;
    fs2.fsyncInBackground(fd, (err) => {
      background = err;
    });
    fs2.runBackground();
    expect(background).toEqual(expect.objectContaining({ code: 'EIO' }));
    expect(fs2.faultsHit).toBe(2);
    fs2.crash(rng(7));
    expect([null, '', 'x']).toContain(text(fs2.readAll('/d/f')));
  });

  test('flipSyncedBitOf changes exactly one bit of the named durable file', () => {
    const fs = new SimFileSystem();
    fs.mkdir('/d');
    for (const name of ['a', 'b']) {
      const fd = fs.open(`/d/${name}`, 'write');
      fs.write(fd, bytes('0123456789'));
      fs.fsync(fd);
    }
    fs.fsyncDir('/d');
    const offset = fs.flipSyncedBitOf(rng(3), '/d/b');
    expect(offset).not.toBeNull();
    const after = fs.readAll('/d/b')!;
    const before = bytes('0123456789');
    let bitsChanged = 0;
    for (let i = 0; i < before.length; i++) bitsChanged += (before[i]! ^ after[i]!).toString(2).replaceAll('0', '').length;
    expect(bitsChanged).toBe(1);
    expect(after[offset!]).not.toBe(before[offset!]);
    expect(text(fs.readAll('/d/a'))).toBe('0123456789');
    expect(fs.flipSyncedBitOf(rng(3), '/d/missing')).toBeNull();
  });

  test('one seed replays one crash exactly', () => {
    const run = (seed: number): (string | null)[] => {
      const fs = new SimFileSystem();
      fs.mkdir('/d');
      const out: (string | null)[] = [];
      for (let f = 0; f < 5; f++) {
        const fd = fs.open(`/d/f${f}`, 'append');
        for (let i = 0; i < 20; i++) fs.write(fd, bytes(`${f}:${i};`));
        if (f % 2 === 0) fs.fsync(fd);
      }
      fs.crash(rng(seed));
      for (let f = 0; f < 5; f++) out.push(text(fs.readAll(`/d/f${f}`)));
      return out;
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  test('a flipped synced bit is visible to readers', () => {
    const fs = new SimFileSystem();
    fs.mkdir('/d');
    const fd = fs.open('/d/f', 'write');
    fs.write(fd, bytes('abcdef'));
    fs.fsync(fd);
    fs.fsyncDir('/d');
    const flipped = fs.flipSyncedBit(rng(1), '/d');
    expect(flipped?.path).toBe('/d/f');
    expect(text(fs.readAll('/d/f'))).not.toBe('abcdef');
  });
});
