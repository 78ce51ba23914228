// Proves start-up loading decides like Redis 7.0 on the same folder, case by case from Redis's aof.tcl and
// aof-multi-part.tcl: both servers start (with the same data and the same file sizes afterwards) or both refuse.
// Cases: missing file, non-monotonic seq, duplicate base, blank line, empty manifest, torn tail of the last file
// with aof-load-truncated yes/no, a torn file that is not the last, bad format mid-file, an open MULTI at the end,
// upgrades from an old single-file AOF (plain and RDB preamble), and a fresh folder.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireRealRedis } from '../helpers/real-redis.js';
import { encodeAofCommand } from '../../formats/index.js';
import { AofLoadError } from '../../src/persistence/aof/index.js';
import { removeDir, startAofServer, tempDir, type AofServer } from './aof-helpers.js';
import { readDigests, redisOnFolder, type DatasetDigest } from './aof-redis.js';

const CORPUS = join(import.meta.dirname, '../../corpus');
const cmd = (...args: string[]): string => encodeAofCommand(args);
const PLAIN = cmd('SELECT', '0') + cmd('SET', 'a', '1') + cmd('RPUSH', 'l', 'x', 'y') + cmd('INCR', 'n');

const dirs: string[] = [];
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

type Files = Record<string, string | Buffer>;

/** Two copies of one folder: `appendonlydir/<name>` for each entry, `./<name>` for names starting with '/'. */
function folders(files: Files): [string, string] {
  const make = (): string => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'appendonlydir'));
    for (const [name, content] of Object.entries(files)) {
      const path = name.startsWith('/') ? join(dir, name.slice(1)) : join(dir, 'appendonlydir', name);
      writeFileSync(path, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
    }
    return dir;
  };
  return [make(), make()];
}

interface Outcome {
  started: boolean;
  log: string;
  data: DatasetDigest | null;
  sizes: Record<string, number>;
}

function sizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const aofDir = join(dir, 'appendonlydir');
  for (const name of readdirSync(aofDir).sort()) out[name] = statSync(join(aofDir, name)).size;
  return out;
}

async function ours(dir: string, args: string[]): Promise<Outcome> {
  let s: AofServer;
  try {
    s = await startAofServer(dir, ['--enable-debug-command', 'yes', ...args]);
  } catch (err) {
    if (!(err instanceof AofLoadError)) throw err;
    return { started: false, log: readFileSync(join(dir, 'strongbox.log'), 'latin1') + '\n' + err.message, data: null, sizes: {} };
  }
  running.push(s);
  const data = await readDigests(s.call);
  await s.stop();
  running.splice(running.indexOf(s), 1);
  return { started: true, log: s.log(), data, sizes: sizes(dir) };
}

async function theirs(dir: string, args: string[]): Promise<Outcome> {
  const r = await redisOnFolder(dir, ['--enable-debug-command', 'yes', ...args]);
  if (!r.started) return { started: false, log: r.log, data: null, sizes: {} };
  running.push(r);
  const data = await readDigests(r.client!.call);
  await r.stop();
  running.splice(running.indexOf(r), 1);
  return { started: true, log: r.log, data, sizes: sizes(dir) };
}

/** Runs both servers on copies of `files`; asserts they agree; returns both outcomes. */
async function compare(files: Files, args: string[] = []): Promise<{ ours: Outcome; theirs: Outcome }> {
  const [a, b] = folders(files);
  const o = await ours(a, args);
  const t = await theirs(b, args);
  expect(o.started, `Strongbox ${o.started ? 'started' : 'refused'}, Redis ${t.started ? 'started' : 'refused'}\n--- ours\n${o.log}\n--- redis\n${t.log}`).toBe(t.started);
  if (o.started) {
    expect(o.data!.keys).toEqual(t.data!.keys);
    expect(o.data!.digest).toBe(t.data!.digest);
    // Both cut the same bytes and created the same files (Redis's log file aside).
    expect(o.sizes).toEqual(t.sizes);
  }
  return { ours: o, theirs: t };
}

const manifest = (...lines: string[]): string => lines.map((l) => l + '\n').join('');

describe.runIf(requireRealRedis())('AOF start-up decisions match Redis 7.0', () => {
  it('a file listed in the manifest but missing: both refuse', async () => {
    const { ours: o } = await compare({
      'appendonly.aof.manifest': manifest('file appendonly.aof.1.base.aof seq 1 type b', 'file appendonly.aof.1.incr.aof seq 1 type i'),
      'appendonly.aof.1.base.aof': PLAIN,
    });
    expect(o.log).toContain('Unable to obtain the AOF file appendonly.aof.1.incr.aof length');
  });

  for (const [name, text, message] of [
    ['non-monotonic incr seq', manifest('file appendonly.aof.1.base.aof seq 1 type b', 'file appendonly.aof.2.incr.aof seq 2 type i', 'file appendonly.aof.1.incr.aof seq 1 type i'), 'Found a non-monotonic sequence number'],
    ['duplicate base', manifest('file appendonly.aof.1.base.aof seq 1 type b', 'file appendonly.aof.2.base.aof seq 2 type b'), 'Found duplicate base file information'],
    ['blank line', manifest('file appendonly.aof.1.base.aof seq 1 type b', '', 'file appendonly.aof.1.incr.aof seq 1 type i'), 'Invalid AOF manifest file format'],
    ['missing key', manifest('file appendonly.aof.1.base.aof seq 1'), 'Invalid AOF manifest file format'],
    ['unknown type', manifest('file appendonly.aof.1.base.aof seq 1 type x'), 'Unknown AOF file type'],
    ['empty manifest', '', 'Found an empty AOF manifest'],
  ] as const) {
    it(`manifest with a ${name}: both refuse with "${message}"`, async () => {
      const { ours: o, theirs: t } = await compare({
        'appendonly.aof.manifest': text,
        'appendonly.aof.1.base.aof': PLAIN,
        'appendonly.aof.2.base.aof': PLAIN,
        'appendonly.aof.1.incr.aof': cmd('SET', 'b', '2'),
        'appendonly.aof.2.incr.aof': cmd('SET', 'c', '3'),
      });
      expect(t.log).toContain(message);
      expect(o.log).toContain(message);
    });
  }

  const twoFiles = (incr: string): Files => ({
    'appendonly.aof.manifest': manifest('file appendonly.aof.1.base.aof seq 1 type b', 'file appendonly.aof.1.incr.aof seq 1 type i'),
    'appendonly.aof.1.base.aof': PLAIN,
    'appendonly.aof.1.incr.aof': incr,
  });
  const torn = cmd('SET', 'b', '2') + cmd('SET', 'c', '3').slice(0, 17);

  it('a torn tail of the last file with aof-load-truncated yes: both cut it and start', async () => {
    const { ours: o } = await compare(twoFiles(torn), ['--aof-load-truncated', 'yes']);
    expect(o.log).toContain('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!');
    expect(o.log).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled');
    expect(o.sizes['appendonly.aof.1.incr.aof']).toBe(cmd('SET', 'b', '2').length);
  });

  it('a torn tail with aof-load-truncated no: both refuse', async () => {
    const { ours: o } = await compare(twoFiles(torn), ['--aof-load-truncated', 'no']);
    expect(o.log).toContain('Unexpected end of file reading the append only file appendonly.aof.1.incr.aof');
  });

  it('a torn file that is not the last: both refuse', async () => {
    const { ours: o } = await compare({
      'appendonly.aof.manifest': manifest('file appendonly.aof.1.base.aof seq 1 type b', 'file appendonly.aof.1.incr.aof seq 1 type i'),
      'appendonly.aof.1.base.aof': PLAIN + cmd('SET', 'x', 'y').slice(0, 10),
      'appendonly.aof.1.incr.aof': cmd('SET', 'b', '2'),
    }, ['--aof-load-truncated', 'yes']);
    expect(o.log).toContain('the truncated file is not the last file');
  });

  it('bad format in the middle: both refuse; ours names the offset and the fix tool', async () => {
    const { ours: o } = await compare(twoFiles(cmd('SET', 'b', '2') + 'garbage\r\n' + cmd('SET', 'c', '3')), ['--aof-load-truncated', 'yes']);
    expect(o.log).toContain('Bad file format reading the append only file appendonly.aof.1.incr.aof');
    expect(o.log).toContain(`at offset ${cmd('SET', 'b', '2').length}`);
    expect(o.log).toContain('bin/strongbox aof check --fix');
  });

  it('an open MULTI at the end: both revert it and start', async () => {
    const { ours: o } = await compare(twoFiles(cmd('SET', 'b', '2') + cmd('MULTI') + cmd('SET', 'c', '3')), ['--aof-load-truncated', 'yes']);
    expect(o.log).toContain('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof');
    expect(o.data!.keys.has('0/c')).toBe(false);
    expect(o.data!.keys.has('0/b')).toBe(true);
  });

  it('an old single-file AOF (commands) is migrated into the directory', async () => {
    const [a, b] = folders({ '/appendonly.aof': PLAIN + cmd('SET', 'old', 'style') });
    removeDir(join(a, 'appendonlydir'));
    removeDir(join(b, 'appendonlydir'));
    const o = await ours(a, []);
    const t = await theirs(b, []);
    expect(o.started && t.started).toBe(true);
    expect(o.data).toEqual(t.data);
    expect(o.log).toContain('Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).');
    expect(readFileSync(join(a, 'appendonlydir/appendonly.aof.manifest'), 'latin1')).toBe(readFileSync(join(b, 'appendonlydir/appendonly.aof.manifest'), 'latin1'));
    expect(o.sizes).toEqual(t.sizes);
  });

  it('an old single-file AOF with an RDB preamble is migrated and its tail replayed', async () => {
    const rdb = readFileSync(join(CORPUS, 'redis-7.0/aof-preamble/appendonlydir/appendonly.aof.2.base.rdb'));
    const [a, b] = folders({ '/appendonly.aof': Buffer.concat([rdb, Buffer.from(cmd('SELECT', '0') + cmd('SET', 'tail', 'after-preamble'), 'latin1')]) });
    removeDir(join(a, 'appendonlydir'));
    removeDir(join(b, 'appendonlydir'));
    const o = await ours(a, []);
    const t = await theirs(b, []);
    expect(o.started && t.started).toBe(true);
    expect(o.log).toContain('Reading RDB preamble from AOF file...');
    expect(o.data!.keys.has('0/tail')).toBe(true);
    expect(o.data!.keys).toEqual(t.data!.keys);
    expect(o.data!.digest).toBe(t.data!.digest);
  });

  it('a fresh folder: both create the same base, incr and manifest', async () => {
    const [a, b] = folders({});
    removeDir(join(a, 'appendonlydir'));
    removeDir(join(b, 'appendonlydir'));
    const o = await ours(a, []);
    const t = await theirs(b, []);
    expect(Object.keys(o.sizes)).toEqual(Object.keys(t.sizes));
    expect(readFileSync(join(a, 'appendonlydir/appendonly.aof.manifest'), 'latin1')).toBe(readFileSync(join(b, 'appendonlydir/appendonly.aof.manifest'), 'latin1'));
    expect(o.log).toContain('Creating AOF base file appendonly.aof.1.base.rdb on server start');
  });
});
