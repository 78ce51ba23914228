/**
 * `strongbox aof check [--fix | --truncate-to-timestamp <ts>] <file.manifest | file.aof>`: redis-check-aof for
 * Strongbox and Redis 7.0 AOF folders, with its output lines and exit codes.
 *
 * The input is a manifest (any non-comment line starting with "file"), an RDB-preamble AOF ("REDIS" magic), or a
 * plain command log. Each file is read strictly (CRLF checked, MULTI/EXEC balanced); `ok_up_to` is the end of the
 * last command outside a transaction. `--fix` cuts the last file there (after a y/N confirmation on stdin, as
 * redis-check-aof asks; `--yes` answers it); `--truncate-to-timestamp` cuts the last file at the first `#TS:`
 * annotation later than the given unix time. Only the last file of a manifest may be cut.
 */
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  AofFormatError,
  AofManifestError,
  AofReader,
  AofTransactionTracker,
  parseAofManifest,
  parseTimestampAnnotation,
} from '../../formats/index.js';
import { Keyspace, defaultKeyspaceConfig } from '../keyspace/index.js';
import { fsErrorCode, loadRdbFile, readChunks } from '../persistence/index.js';
import { NodeAofFileSystem, strerror } from '../persistence/aof/index.js';
import type { Tool } from './main.js';

const USAGE = 'Usage: strongbox aof check [--fix|--truncate-to-timestamp $timestamp] [--yes] <file.manifest|file.aof>\n';

type CheckResult = 'ok' | 'empty' | 'truncated' | 'timestamp-truncated';

/** A check that must stop with exit code 1 after printing its message. */
class CheckAbort extends Error {}

interface CheckOptions {
  fix: boolean;
  toTimestamp: number;
  confirm: () => Promise<boolean>;
  out: (line: string) => void;
}

const fs = new NodeAofFileSystem();

function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(16, ' ');
}

/** checkSingleAof: one file; `last` says whether it may be cut. */
async function checkSingleAof(name: string, path: string, last: boolean, preamble: boolean, o: CheckOptions): Promise<CheckResult> {
  const stat = fs.stat(path);
  if (stat === null) throw new CheckAbort(`Cannot open file ${path}: No such file or directory, aborting...`);
  const size = stat.sizeBytes;
  if (size === 0) return 'empty';
  let start = 0;
  if (preamble) {
    try {
      start = loadRdbFile(fs, path, new Keyspace(defaultKeyspaceConfig()), { config: defaultKeyspaceConfig(), nowMs: Date.now(), dropExpired: false }).endOffset;
    } catch (err) {
      o.out(`RDB preamble error: ${err instanceof Error ? err.message : String(err)}`);
      throw new CheckAbort('RDB preamble of AOF file is not sane, aborting.');
    }
    o.out('RDB preamble is OK, proceeding with AOF tail...');
  }
  const reader = new AofReader(undefined, true, start);
  const tracker = new AofTransactionTracker(start);
  let error = '';
  let errorOffset = -1;
  let cutAt = -1;
  try {
    outer: for (const chunk of readChunks(fs, path, undefined, start)) {
      reader.feed(chunk);
      for (let item = reader.next(); item !== null; item = reader.next()) {
        if (item.kind === 'annotation' && o.toTimestamp !== 0) {
          const ts = parseTimestampAnnotation(item.line);
          if (ts === null && item.line.startsWith('#TS:')) throw new CheckAbort('Invalid timestamp annotation');
          if (ts !== null && ts > o.toTimestamp) {
            if (item.startOffset === 0) throw new CheckAbort(`AOF ${path} has nothing before timestamp ${o.toTimestamp}, aborting...`);
            if (!last) {
              throw new CheckAbort(
                `Failed to truncate AOF ${path} to timestamp ${o.toTimestamp} to offset ${item.startOffset} because it is not the last file.\n` +
                  'If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run strongbox aof check.',
              );
            }
            cutAt = item.startOffset;
            break outer;
          }
        }
        const problem = tracker.observe(item);
        if (problem !== null) {
          error = `${problem} in AOF ${path}`;
          errorOffset = item.startOffset;
          break outer;
        }
      }
    }
  } catch (err) {
    if (!(err instanceof AofFormatError)) throw err;
    error = err.reason;
    errorOffset = err.offset;
  }
  if (cutAt >= 0) {
    fs.truncate(path, cutAt);
    return 'timestamp-truncated';
  }
  if (error === '' && reader.pendingBytes > 0) {
    error = `Unexpected end of file: ${reader.pendingBytes} bytes of an unfinished command`;
    errorOffset = reader.validEndOffset;
  }
  if (error === '' && tracker.inMulti) {
    error = 'Reached EOF before reading EXEC for MULTI';
    errorOffset = size;
  }
  if (error !== '') o.out(`${hex16(errorOffset)}: ${error}`);
  const pos = tracker.safeEndOffset;
  const diff = size - pos;
  if (diff === 0 && o.toTimestamp !== 0) {
    o.out(`Truncate nothing in AOF ${name} to timestamp ${o.toTimestamp}`);
    return 'ok';
  }
  o.out(`AOF analyzed: filename=${name}, size=${size}, ok_up_to=${pos}, ok_up_to_line=${lineOf(path, pos)}, diff=${diff}`);
  if (diff === 0) return 'ok';
  if (!o.fix) throw new CheckAbort(`AOF ${name} is not valid. Use the --fix option to try fixing it.`);
  if (!last) throw new CheckAbort(`Failed to truncate AOF ${name} because it is not the last file`);
  o.out(`This will shrink the AOF ${name} from ${size} bytes, with ${diff} bytes, to ${pos} bytes`);
  if (!(await o.confirm())) throw new CheckAbort('Aborting...');
  fs.truncate(path, pos);
  return 'truncated';
}

/** 1-based line number of byte `offset` (the line after the last whole command). */
function lineOf(path: string, offset: number): number {
  let line = 1;
  let seen = 0;
  for (const chunk of readChunks(fs, path)) {
    const n = Math.min(chunk.length, offset - seen);
    for (let i = 0; i < n; i++) if (chunk[i] === 0x0a) line++;
    seen += n;
    if (seen >= offset) break;
  }
  return line;
}

function report(kind: string, name: string, result: CheckResult, o: CheckOptions): void {
  if (result === 'ok') o.out(`${kind}${name} is valid`);
  else if (result === 'empty') o.out(`${kind}${name} is empty`);
  else if (result === 'timestamp-truncated') o.out(`Successfully truncated AOF ${name} to timestamp ${o.toTimestamp}`);
  else o.out(`Successfully truncated AOF ${name}`);
}

function isRdb(path: string): boolean {
  const stat = fs.stat(path);
  if (stat === null || stat.sizeBytes < 8) return false;
  const fd = fs.open(path, 'read');
  try {
    const sig = Buffer.alloc(5);
    return fs.read(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS';
  } finally {
    fs.close(fd);
  }
}

function readText(path: string): string {
  const parts: Buffer[] = [];
  for (const chunk of readChunks(fs, path)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}

function isManifest(path: string): boolean {
  const text = readText(path);
  return text.split('\n').some((line) => !line.startsWith('#') && line.startsWith('file'));
}

/** Runs the check; returns the exit code. */
export async function checkAof(path: string, o: CheckOptions): Promise<number> {
  try {
    if (fs.stat(path) === null) throw new CheckAbort(`Cannot open file ${path}: No such file or directory`);
    if (isManifest(path)) {
      o.out('Start checking Multi Part AOF');
      let manifest;
      try {
        manifest = parseAofManifest(readText(path));
      } catch (err) {
        if (!(err instanceof AofManifestError)) throw err;
        throw new CheckAbort(`${err.message}${err.lineNumber > 0 ? ` (line ${err.lineNumber}: '${err.line.trimEnd()}')` : ''}`);
      }
      const dir = dirname(path);
      const total = (manifest.base === null ? 0 : 1) + manifest.incrs.length;
      let index = 0;
      if (manifest.base !== null) {
        const basePath = join(dir, manifest.base.name);
        const rdb = isRdb(basePath);
        o.out(`Start to check BASE AOF (${rdb ? 'RDB' : 'RESP'} format).`);
        report('BASE AOF ', manifest.base.name, await checkSingleAof(manifest.base.name, basePath, ++index === total, rdb, o), o);
      }
      if (manifest.incrs.length > 0) {
        o.out('Start to check INCR files.');
        for (const incr of manifest.incrs) {
          report('INCR AOF ', incr.name, await checkSingleAof(incr.name, join(dir, incr.name), ++index === total, false, o), o);
        }
      }
      o.out('All AOF files and manifest are valid');
      return 0;
    }
    o.out('Start checking Old-Style AOF');
    report('AOF ', path, await checkSingleAof(path, path, true, isRdb(path), o), o);
    return 0;
  } catch (err) {
    if (err instanceof CheckAbort) {
      o.out(err.message);
      return 1;
    }
    const code = fsErrorCode(err);
    if (code !== null) {
      o.out(`I/O error: ${strerror(code)}, aborting...`);
      return 1;
    }
    throw err;
  }
}

async function askYes(): Promise<boolean> {
  process.stdout.write('Continue? [y/N]: ');
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer.trim().toLowerCase().startsWith('y');
}

export const aofTool: Tool = {
  name: 'aof',
  summary: 'check (and --fix) an AOF folder through its manifest, or a single AOF file, like redis-check-aof',
  async run(args: readonly string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub !== 'check') {
      process.stdout.write(USAGE);
      return sub === '--help' || sub === '-h' ? 0 : 1;
    }
    let fix = false;
    let yes = false;
    let toTimestamp = 0;
    let file: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--fix') fix = true;
      else if (a === '--yes') yes = true;
      else if (a === '--truncate-to-timestamp') {
        const value = rest[++i] ?? '';
        if (!/^-?\d+$/.test(value)) {
          process.stdout.write('Invalid timestamp, aborting...\n');
          return 1;
        }
        toTimestamp = Number(value);
      } else if (file === undefined && !a.startsWith('--')) file = a;
      else {
        process.stdout.write(USAGE);
        return 1;
      }
    }
    if (file === undefined || (fix && toTimestamp !== 0)) {
      process.stdout.write(USAGE);
      return 1;
    }
    return checkAof(file, {
      fix,
      toTimestamp,
      confirm: yes ? async () => true : askYes,
      out: (line) => process.stdout.write(line + '\n'),
    });
  },
};
