// Proves the AOF's durability contract at the FileSystem seam: under `appendfsync always` no reply leaves before
// the fsync that covers its write (every reply is checked against the bytes fsynced at that moment) and one
// fsync covers a whole pipelined batch (group commit); a failed write under everysec/no turns writes into
// "MISCONF Errors writing to the AOF file: ..." until a retry succeeds, without losing the buffered change; under
// `always` it stops the server, as Redis does.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { connect, Socket } from 'node:net';
import { NodeAofFileSystem } from '../../src/persistence/aof/index.js';
import type { FileHandle, OpenMode } from '../../src/persistence/index.js';
import { SimFileSystem } from '../../src/fuzz/index.js';
import { removeDir, startAofServer, tempDir, type AofServer } from './aof-helpers.js';

/** The real filesystem, counting fsyncs and remembering, per file, the bytes the last fsync made durable. */
class CountingFileSystem extends NodeAofFileSystem {
  fsyncs = 0;
  readonly paths = new Map<FileHandle, string>();
  readonly durableBytes = new Map<string, number>();

  override open(path: string, mode: OpenMode): FileHandle {
    const fd = super.open(path, mode);
    this.paths.set(fd, path);
    return fd;
  }

  override fsync(fd: FileHandle): void {
    super.fsync(fd);
    this.fsyncs++;
    const path = this.paths.get(fd);
    if (path !== undefined) this.durableBytes.set(path, this.size(fd));
  }

  /** The bytes of every `.incr.aof` made durable so far. */
  durableIncrText(read: (path: string, bytes: number) => string): string {
    let out = '';
    for (const [path, bytes] of this.durableBytes) if (path.endsWith('.incr.aof')) out += read(path, bytes);
    return out;
  }
}

function readPrefix(path: string, bytes: number): string {
  const fs = new NodeAofFileSystem();
  const fd = fs.open(path, 'read');
  try {
    const buf = Buffer.alloc(bytes);
    fs.read(fd, buf, 0, bytes, 0);
    return buf.toString('latin1');
  } finally {
    fs.close(fd);
  }
}

const running: AofServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(dir: string, args: string[], options: Parameters<typeof startAofServer>[2] = {}): Promise<AofServer> {
  const s = await startAofServer(dir, args, options);
  running.push(s);
  return s;
}

describe('appendfsync always', () => {
  it('sends each reply only after the fsync that covers its write', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const fs = new CountingFileSystem();
    const s = await start(dir, ['--appendfsync', 'always'], { fs });
    // Watch the server's side of the socket: whenever it writes replies, the SETs already acknowledged (the +OK
    // count so far) must not outnumber the SETs in the fsynced log.
    let acknowledged = 0;
    const violations: string[] = [];
    const originalWrite = Socket.prototype.write;
    const patched = function (this: Socket & { server?: unknown }, ...args: unknown[]): boolean {
      const chunk = args[0];
      if (this.server !== undefined && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
        acknowledged += Buffer.from(chunk as string | Buffer).toString('latin1').split('+OK\r\n').length - 1;
        const durable = fs.durableIncrText(readPrefix).split('$3\r\nSET\r\n').length - 1;
        if (acknowledged > durable) violations.push(`${acknowledged} acknowledged, ${durable} durable`);
      }
      return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
    };
    Socket.prototype.write = patched as typeof Socket.prototype.write;
    onTestFinished(() => {
      Socket.prototype.write = originalWrite;
    });
    for (let i = 0; i < 50; i++) {
      const key = `durable-key-${i}`;
      const reply = await s.call('SET', key, `v${i}`);
      expect(reply.toString()).toBe('+OK\r\n');
      // At the moment the reply arrived, the write must already be in the fsynced part of the log.
      expect(fs.durableIncrText(readPrefix)).toContain(key);
    }
    // Pipelined: every reply, as it arrives, must find its key durable.
    const keys = Array.from({ length: 30 }, (_, i) => `piped-${i}`);
    const replies = keys.map((k) => s.call('SET', k, 'x').then(() => fs.durableIncrText(readPrefix).includes(k)));
    expect(await Promise.all(replies)).toEqual(keys.map(() => true));
    expect(acknowledged).toBe(80);
    expect(violations).toEqual([]);
  });

  it('groups a pipelined batch under few fsyncs (one per loop turn)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const fs = new CountingFileSystem();
    const s = await start(dir, ['--appendfsync', 'always'], { fs });
    const n = 200;
    let payload = '';
    for (let i = 0; i < n; i++) payload += `*3\r\n$3\r\nSET\r\n$${String(i).length + 2}\r\nk-${i}\r\n$1\r\nv\r\n`;
    const before = fs.fsyncs;
    const socket = connect(s.port, '127.0.0.1');
    const received = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.split('+OK\r\n').length - 1 === n) resolve(text);
      });
      socket.on('connect', () => socket.write(payload));
    });
    socket.destroy();
    const fsyncs = fs.fsyncs - before;
    expect(received).toBe('+OK\r\n'.repeat(n));
    expect(fsyncs).toBeGreaterThanOrEqual(1);
    expect(fsyncs).toBeLessThanOrEqual(10);
    expect(fs.durableIncrText(readPrefix)).toContain(`k-${n - 1}`);
  });

  it('stops the server when a write fails (the promise cannot be kept)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sim = new SimFileSystem();
    const fatal: string[] = [];
    const s = await start(dir, ['--appendfsync', 'always'], { fs: sim, fatal: (m) => fatal.push(m) });
    expect((await s.call('SET', 'a', '1')).toString()).toBe('+OK\r\n');
    sim.faults.set(sim.opCount, 'eio-write');
    await s.call('SET', 'b', '2');
    expect(fatal).toEqual(['AOF write error: Input/output error']);
    expect(s.log()).toContain("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
  });
});

describe('write errors under appendfsync no / everysec', () => {
  it('refuses writes with MISCONF until the retry succeeds, and keeps the buffered change', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sim = new SimFileSystem();
    const s = await start(dir, ['--appendfsync', 'no'], { fs: sim });
    expect((await s.call('SET', 'a', '1')).toString()).toBe('+OK\r\n');
    // The disk is full for a while: every write attempt fails until the faults are cleared.
    for (let i = 0; i < 1000; i++) sim.faults.set(sim.opCount + i, 'enospc-write');
    expect((await s.call('SET', 'b', '2')).toString()).toBe('+OK\r\n');
    expect((await s.call('SET', 'c', '3')).toString()).toBe('-MISCONF Errors writing to the AOF file: No space left on device\r\n');
    expect((await s.call('GET', 'b')).toString()).toBe('$1\r\n2\r\n');
    expect((await s.call('INFO', 'persistence')).toString()).toContain('aof_last_write_status:err');
    expect(s.log()).toContain('Error writing to the AOF file: No space left on device');
    expect((await s.call('SET', 'c', '3')).toString()).toContain('MISCONF');
    sim.faults.clear();
    // Retried at the next loop turn or cron tick, now that the disk has room.
    for (let i = 0; i < 40 && !(await s.call('INFO', 'persistence')).toString().includes('aof_last_write_status:ok'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.log()).toContain('AOF write error looks solved, Redis can write again.');
    expect((await s.call('SET', 'c', '3')).toString()).toBe('+OK\r\n');
    await s.stop();
    running.splice(running.indexOf(s), 1);
    const again = await start(dir, ['--appendfsync', 'no'], { fs: sim });
    for (const [k, v] of [['a', '1'], ['b', '2'], ['c', '3']] as const) {
      expect((await again.call('GET', k)).toString()).toBe(`$1\r\n${v}\r\n`);
    }
  });

  it('everysec: fsyncs in the background, at most once a second', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sim = new SimFileSystem();
    const s = await start(dir, ['--appendfsync', 'everysec'], { fs: sim });
    for (let i = 0; i < 20; i++) await s.call('SET', `k${i}`, 'v');
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 20; i++) await s.call('SET', `k${i}`, 'v');
    // The second that passed started one background fsync; it is queued, not run (the loop never waited for
    // it), and no second one starts while it runs.
    expect((await s.call('INFO', 'persistence')).toString()).toContain('aof_pending_bio_fsync:1\r\n');
    sim.runBackground();
    expect((await s.call('INFO', 'persistence')).toString()).toContain('aof_pending_bio_fsync:0');
  });

  it('everysec: a failed fsync of an INCR a rewrite retired still refuses writes (its close waits for its fsyncs)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sim = new SimFileSystem();
    const s = await start(dir, ['--appendfsync', 'everysec'], { fs: sim });
    await s.call('SET', 'a', '1');
    await new Promise((r) => setTimeout(r, 1100));
    await s.call('SET', 'b', '2');
    expect((await s.call('INFO', 'persistence')).toString()).toContain('aof_pending_bio_fsync:1\r\n');
    // The rewrite opens a new INCR and retires the old one: fsync then close, queued behind the everysec fsync.
    expect((await s.call('BGREWRITEAOF')).toString()).toBe('+Background append only file rewriting started\r\n');
    for (let i = 0; i < 100 && !(await s.call('INFO', 'persistence')).toString().includes('aof_rewrite_in_progress:0'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Every fsync of the old INCR fails. The everysec one sets the fsync status to error; the retiring one is
    // ignored, as Redis ignores the fsync of its close job. (Closing the file after the first job made a second
    // fsync fail with EBADF, which counts as success, and let writes through.)
    sim.faultWindows.push({ kind: 'eio-fsync', fromOp: sim.opCount, untilOp: sim.opCount + 1000, pathIncludes: 'appendonly.aof.1.incr.aof' });
    sim.runBackground(); // the everysec fsync; the retiring job is queued once it is done
    sim.runBackground(); // the retiring fsync and close
    expect(sim.faultsHit).toBe(2);
    expect(sim.faultsHitIgnored).toBe(1);
    expect((await s.call('INFO', 'persistence')).toString()).toContain('aof_pending_bio_fsync:0');
    expect((await s.call('SET', 'c', '3')).toString()).toBe('-MISCONF Errors writing to the AOF file: Input/output error\r\n');
    expect(s.log()).toContain('Fail to fsync the AOF file: Input/output error');
  });
});
