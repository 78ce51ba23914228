// Proves `strongbox aof check` judges and repairs AOF folders exactly as redis-check-aof 7.0 does: same verdict
// (exit code), same ok_up_to / diff, and after --fix or --truncate-to-timestamp the same file sizes, on copies of
// the same valid, torn, unbalanced-MULTI, garbage, non-last-torn, timestamped and old-style inputs.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAofCommand } from '../../formats/index.js';
import { checkAof } from '../../src/cli/aof.js';
import { removeDir, tempDir } from './aof-helpers.js';
import { copyInto } from './aof-redis.js';

const CORPUS = join(import.meta.dirname, '../../corpus');
const cmd = (...args: string[]): string => encodeAofCommand(args);
const haveCheckAof = spawnSync('redis-check-aof', ['--help'], { stdio: 'ignore' }).error === undefined;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

interface Verdict {
  code: number;
  analyzed: string | null;
  sizes: Record<string, number>;
  output: string;
}

function sizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir).sort()) out[name] = statSync(join(dir, name)).size;
  return out;
}

function analyzed(output: string): string | null {
  const m = /AOF analyzed: filename=\S+, size=(\d+), ok_up_to=(\d+), ok_up_to_line=\d+, diff=(\d+)/.exec(output);
  return m === null ? null : `size=${m[1]} ok_up_to=${m[2]} diff=${m[3]}`;
}

async function ours(dir: string, file: string, args: string[]): Promise<Verdict> {
  const lines: string[] = [];
  const code = await checkAof(join(dir, file), {
    fix: args.includes('--fix'),
    toTimestamp: args.includes('--truncate-to-timestamp') ? Number(args[args.indexOf('--truncate-to-timestamp') + 1]) : 0,
    confirm: async () => true,
    out: (line) => lines.push(line),
  });
  const output = lines.join('\n');
  return { code, analyzed: analyzed(output), sizes: sizes(dir), output };
}

function theirs(dir: string, file: string, args: string[]): Verdict {
  const r = spawnSync('redis-check-aof', [...args, join(dir, file)], { input: 'y\n', encoding: 'latin1' });
  const output = `${r.stdout}${r.stderr}`;
  return { code: r.status ?? -1, analyzed: analyzed(output), sizes: sizes(dir), output };
}

/** Builds the same folder twice, runs both tools, asserts they agree. */
async function compare(files: Record<string, string | Buffer> | string, file: string, args: string[] = []): Promise<Verdict> {
  const make = (): string => {
    const dir = tempDir('strongbox-aof-check-');
    dirs.push(dir);
    if (typeof files === 'string') copyInto(files, dir);
    else {
      mkdirSync(dir, { recursive: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
    }
    return dir;
  };
  const a = make();
  const b = make();
  const o = await ours(a, file, args);
  const t = theirs(b, file, args);
  const context = `--- ours\n${o.output}\n--- redis-check-aof\n${t.output}`;
  expect(o.code, context).toBe(t.code);
  expect(o.analyzed, context).toBe(t.analyzed);
  expect(o.sizes, context).toEqual(t.sizes);
  return o;
}

const manifest2 = 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';
const BASE = cmd('SELECT', '0') + cmd('SET', 'a', '1');
const folder = (incr: string, base = BASE): Record<string, string> => ({
  'appendonly.aof.manifest': manifest2,
  'appendonly.aof.1.base.aof': base,
  'appendonly.aof.1.incr.aof': incr,
});

describe.runIf(haveCheckAof)('strongbox aof check agrees with redis-check-aof 7.0', () => {
  for (const name of ['aof-plain', 'aof-preamble', 'aof-plain-ts']) {
    it(`accepts the corpus folder ${name}`, async () => {
      const o = await compare(join(CORPUS, 'redis-7.0', name, 'appendonlydir'), 'appendonly.aof.manifest');
      expect(o.code).toBe(0);
      expect(o.output).toContain('All AOF files and manifest are valid');
    });
  }

  const torn = cmd('SET', 'b', '2') + cmd('SET', 'c', '3').slice(0, 20);
  it('reports a torn last file as not valid without --fix', async () => {
    const o = await compare(folder(torn), 'appendonly.aof.manifest');
    expect(o.code).toBe(1);
  });

  it('cuts a torn last file with --fix at the same offset', async () => {
    const o = await compare(folder(torn), 'appendonly.aof.manifest', ['--fix']);
    expect(o.sizes['appendonly.aof.1.incr.aof']).toBe(cmd('SET', 'b', '2').length);
  });

  it('cuts an unfinished MULTI back to before it', async () => {
    await compare(folder(cmd('SET', 'b', '2') + cmd('MULTI') + cmd('INCR', 'n')), 'appendonly.aof.manifest', ['--fix']);
  });

  it('cuts at garbage in the middle of the last file', async () => {
    await compare(folder(cmd('SET', 'b', '2') + '$garbage\r\n' + cmd('SET', 'c', '3')), 'appendonly.aof.manifest', ['--fix']);
  });

  it('refuses to cut a file that is not the last', async () => {
    const o = await compare(folder(cmd('SET', 'b', '2'), BASE + cmd('SET', 'x', 'y').slice(0, 9)), 'appendonly.aof.manifest', ['--fix']);
    expect(o.code).toBe(1);
  });

  it('truncates the last file to a timestamp', async () => {
    const incr = '#TS:1000\r\n' + cmd('SET', 'b', '2') + '#TS:2000\r\n' + cmd('SET', 'c', '3') + '#TS:3000\r\n' + cmd('SET', 'd', '4');
    const o = await compare(folder(incr, '#TS:900\r\n' + BASE), 'appendonly.aof.manifest', ['--truncate-to-timestamp', '2500']);
    expect(o.output).toContain('Successfully truncated AOF appendonly.aof.1.incr.aof to timestamp 2500');
  });

  it('checks and fixes an old-style single file', async () => {
    await compare({ 'appendonly.aof': BASE + torn }, 'appendonly.aof', ['--fix']);
  });

  it('checks an old-style file with an RDB preamble and a command tail', async () => {
    const rdb = readFileSync(join(CORPUS, 'redis-7.0/aof-preamble/appendonlydir/appendonly.aof.2.base.rdb'));
    const o = await compare({ 'appendonly.aof': Buffer.concat([rdb, Buffer.from(cmd('SET', 'tail', '1'), 'latin1')]) }, 'appendonly.aof');
    expect(o.output).toContain('RDB preamble is OK, proceeding with AOF tail...');
  });

  it('detects a torn tail appended after a clean check', async () => {
    const dir = tempDir('strongbox-aof-check-');
    dirs.push(dir);
    for (const [name, content] of Object.entries(folder(cmd('SET', 'b', '2')))) writeFileSync(join(dir, name), content, 'latin1');
    expect((await ours(dir, 'appendonly.aof.manifest', [])).code).toBe(0);
    appendFileSync(join(dir, 'appendonly.aof.1.incr.aof'), '*2\r\n$3\r\nGET');
    expect((await ours(dir, 'appendonly.aof.manifest', [])).code).toBe(1);
  });
});
