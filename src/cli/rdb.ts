/**
 * `strongbox rdb check FILE` and `strongbox rdb dump FILE [--format json|resp|keys]`: read-only tools over an RDB
 * file, streamed through the codec (the file is never held in memory).
 *
 *   check  like redis-check-rdb: the version, the aux fields, key counts per type, expires, the checksum
 *          result, and on corruption the first error with its byte offset. Exit 1 on error.
 *   dump   json: one JSON object per line and key (the format is specified in SPEC.md, "rdb dump --format json");
 *          resp: the RESP commands that rebuild the dataset (SELECT, SET/RPUSH/SADD/ZADD/HMSET/XADD..., PEXPIREAT),
 *                as an AOF rewrite writes them, ready for `redis-cli --pipe`;
 *          keys: `db<TAB>type<TAB>key` per line (the key as JSON when it is not printable ASCII).
 * Progress goes to stderr once a second for files over 64 MiB.
 */
import { createWriteStream } from 'node:fs';
import { RdbError, RdbParser, encodeAofCommand, type RdbKeyRecord, type RdbRecord, type RdbStream, type StreamId } from '../../formats/index.js';
import { Keyspace, defaultKeyspaceConfig, fromRdbValue, formatDouble17g } from '../keyspace/index.js';
import { NodeFileSystem, readChunks } from '../persistence/index.js';
import { rewriteKeyspaceCommands } from '../persistence/aof/index.js';
import type { Tool } from './main.js';

const USAGE = `Usage: strongbox rdb check <file.rdb>
       strongbox rdb dump <file.rdb> [--format json|resp|keys] [--output <file>]
`;

const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Streams the records of `path` to `visit`; after each chunk awaits `afterChunk` (output backpressure) and reports
 * progress on stderr for large files.
 */
async function readRecords(path: string, visit: (record: RdbRecord, parser: RdbParser) => void, afterChunk?: () => Promise<void>): Promise<void> {
  const fs = new NodeFileSystem();
  const total = fs.stat(path)?.sizeBytes ?? 0;
  const parser = new RdbParser({ totalBytes: total, checksum: 'report', keepModuleRaw: false });
  let read = 0;
  let nextReportMs = Date.now() + 1000;
  for (const chunk of readChunks(fs, path)) {
    for (const r of parser.feed(chunk)) visit(r, parser);
    read += chunk.length;
    if (total >= PROGRESS_MIN_BYTES && Date.now() >= nextReportMs) {
      nextReportMs = Date.now() + 1000;
      process.stderr.write(`[progress] ${((read / total) * 100).toFixed(1)}% (${read} of ${total} bytes)\n`);
    }
    if (afterChunk !== undefined) await afterChunk();
    if (parser.done) break;
  }
  for (const r of parser.end()) visit(r, parser);
}

function describeError(err: unknown): { offset: number; reason: string } {
  if (err instanceof RdbError) return { offset: err.offset, reason: `${err.code}: ${err.reason}` };
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return { offset: 0, reason: (err as Error).message };
  throw err;
}

/** redis-check-rdb-like report of `path`, line by line to `out`; resolves to the exit code (1 on error). */
export async function checkRdb(path: string, out: (line: string) => void): Promise<number> {
  out(`[offset 0] Checking RDB file ${path}`);
  const perType = new Map<string, number>();
  let keys = 0;
  let expires = 0;
  let lastKey: string | null = null;
  let checksum = '';
  let endOffset = 0;
  let moduleKeys = 0;
  let functions = 0;
  try {
    await readRecords(path, (r) => {
      switch (r.kind) {
        case 'header':
          out(`[info] ${r.magic} RDB version ${r.version}`);
          return;
        case 'aux':
          out(`[aux] ${r.key} = '${r.value}'`);
          return;
        case 'selectdb':
          out(`[db] Selecting DB ID ${r.db}`);
          return;
        case 'key':
          keys++;
          lastKey = r.key;
          if (r.expireAtMs !== -1) expires++;
          perType.set(r.value.type, (perType.get(r.value.type) ?? 0) + 1);
          return;
        case 'module-key':
          moduleKeys++;
          lastKey = r.key;
          return;
        case 'function':
          functions++;
          return;
        case 'eof':
          endOffset = r.endOffset;
          checksum = r.checksumOk === 'disabled' ? 'Checksum disabled' : r.checksumOk ? 'Checksum OK' : 'RDB CRC error';
          return;
        default:
          return;
      }
    });
  } catch (err) {
    const { offset, reason } = describeError(err);
    out('--- RDB ERROR DETECTED ---');
    out(`[offset ${offset}] ${reason}`);
    if (lastKey !== null) out(`[additional info] Last key read: '${lastKey}'`);
    out(`[info] ${keys} keys read before the error`);
    return 1;
  }
  out(`[offset ${endOffset}] ${checksum}`);
  if (checksum === 'RDB CRC error') {
    out('--- RDB ERROR DETECTED ---');
    out(`[offset ${endOffset}] RDB CRC error`);
    return 1;
  }
  out(`[offset ${endOffset}] \\o/ RDB looks OK! \\o/`);
  out(`[info] ${keys} keys read`);
  out(`[info] ${expires} expires`);
  for (const [type, count] of [...perType].sort()) out(`[info] ${count} ${type} keys`);
  if (moduleKeys > 0) out(`[info] ${moduleKeys} module keys (skipped)`);
  if (functions > 0) out(`[info] ${functions} function libraries`);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// dump

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Json = string | number | null | Json[] | { [k: string]: Json };

/** Bytes as JSON: a string when valid UTF-8, else {"base64": ...}. */
export function bytesJson(s: string): Json {
  const buf = Buffer.from(s, 'latin1');
  try {
    return utf8.decode(buf);
  } catch {
    return { base64: buf.toString('base64') };
  }
}

function scoreJson(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return formatDouble17g(x);
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const idJson = (i: StreamId): string => `${i.ms}-${i.seq}`;

function streamJson(s: RdbStream): Json {
  return {
    length: s.length ?? s.entries.length,
    entries: s.entries.map((e) => ({ id: idJson(e.id), fields: e.fields.map(([f, v]) => [bytesJson(f), bytesJson(v)]) })),
    last_id: idJson(s.lastId),
    first_id: idJson(s.firstId),
    max_deleted_id: idJson(s.maxDeletedId),
    entries_added: s.entriesAdded.toString(),
    groups: s.groups.map((g) => ({
      name: bytesJson(g.name),
      last_delivered_id: idJson(g.lastDeliveredId),
      entries_read: g.entriesRead === -1n ? null : g.entriesRead.toString(),
      pending: g.pending.map((p) => ({
        id: idJson(p.id),
        consumer: p.consumer === null ? null : bytesJson(p.consumer),
        delivery_time_ms: p.deliveryTimeMs,
        delivery_count: p.deliveryCount,
      })),
      consumers: g.consumers.map((c) => ({
        name: bytesJson(c.name),
        seen_time_ms: c.seenTimeMs,
        active_time_ms: c.activeTimeMs,
        pending: c.pending.map(idJson),
      })),
    })),
  };
}

/** An expire time as JSON: a number, or its decimal string beyond ±2^53 ms, where JSON readers lose digits. */
const expireJson = (ms: number | bigint): Json => (typeof ms === 'bigint' ? ms.toString() : ms);

/** The canonical JSON object of one key (SPEC.md, "rdb dump --format json"). */
export function keyJson(r: RdbKeyRecord): Json {
  const v = r.value;
  let value: Json;
  const out: { [k: string]: Json } = { db: r.db, key: bytesJson(r.key), type: v.type, encoding: r.encoding ?? null, expire: expireJson(r.expireAtMs) };
  switch (v.type) {
    case 'string':
      value = bytesJson(v.value);
      break;
    case 'list':
      value = v.value.map(bytesJson);
      break;
    case 'set':
      value = [...v.value].sort(byBytes).map(bytesJson);
      break;
    case 'zset':
      value = v.value.map(([m, s]) => [bytesJson(m), scoreJson(s)]);
      break;
    case 'hash': {
      const order = v.value.map((_, i) => i).sort((a, b) => byBytes(v.value[a]![0], v.value[b]![0]));
      value = order.map((i) => [bytesJson(v.value[i]![0]), bytesJson(v.value[i]![1])]);
      if (v.fieldExpireAtMs !== undefined) {
        const ttls = v.fieldExpireAtMs;
        out['field_expire'] = order.filter((i) => (ttls[i] ?? -1) !== -1).map((i) => [bytesJson(v.value[i]![0]), ttls[i]!]);
      }
      break;
    }
    case 'stream':
      value = streamJson(v.value);
      break;
    default: {
      const never: never = v;
      return never;
    }
  }
  out['value'] = value;
  return out;
}

function keyLine(r: RdbKeyRecord): string {
  const printable = /^[\x21-\x7e]*$/.test(r.key) && r.key.length > 0;
  return `${r.db}\t${r.value.type}\t${printable ? r.key : JSON.stringify(bytesJson(r.key))}\n`;
}

/** The commands that rebuild one key: the AOF rewrite's, over a one-key keyspace. */
function respCommands(r: RdbKeyRecord, scratch: Keyspace, emit: (args: string[]) => void): void {
  const { value } = fromRdbValue(r.value, scratch.config);
  if (value === null) return;
  const db = scratch.db(0);
  db.clear();
  db.dict.set(r.key, value);
  if (r.expireAtMs !== -1) db.expires.set(r.key, r.expireAtMs);
  rewriteKeyspaceCommands(scratch, 0, (args) => {
    if (args[0] !== 'SELECT') emit(args);
  });
}

type Format = 'json' | 'resp' | 'keys';

/** Writes `data` and waits until the stream accepts more (backpressure). */
function writeAll(output: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    output.write(data, (err) => (err === null || err === undefined ? resolve() : reject(err)));
  });
}

async function dump(path: string, format: Format, output: NodeJS.WritableStream): Promise<number> {
  let pending: string[] = [];
  const push = (s: string): void => {
    pending.push(s);
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    // JSON and key lines are Unicode text (bytes were UTF-8-decoded or base64'd); RESP is raw bytes.
    const data = Buffer.from(pending.join(''), format === 'resp' ? 'latin1' : 'utf8');
    pending = [];
    await writeAll(output, data);
  };
  const scratch = new Keyspace({ ...defaultKeyspaceConfig(), databases: 1 });
  let db = -1;
  let failed: { offset: number; reason: string } | null = null;
  let skipped = 0;
  try {
    await readRecords(
      path,
      (r) => {
        if (r.kind === 'module-key') skipped++;
        if (r.kind !== 'key') return;
        if (format === 'json') push(JSON.stringify(keyJson(r)) + '\n');
        else if (format === 'keys') push(keyLine(r));
        else {
          if (r.db !== db) {
            db = r.db;
            push(encodeAofCommand(['SELECT', String(db)]));
          }
          respCommands(r, scratch, (args) => push(encodeAofCommand(args)));
        }
      },
      flush,
    );
  } catch (err) {
    failed = describeError(err);
  }
  await flush();
  if (skipped > 0) process.stderr.write(`${skipped} module key(s) skipped\n`);
  if (failed === null) return 0;
  process.stderr.write(`--- RDB ERROR DETECTED ---\n[offset ${failed.offset}] ${failed.reason}\n`);
  return 1;
}

export const rdbTool: Tool = {
  name: 'rdb',
  summary: 'check an RDB file, or dump it as JSON, RESP commands or key names',
  async run(args: readonly string[]): Promise<number> {
    const [sub, file, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || file === undefined) {
      process.stdout.write(USAGE);
      return sub === '--help' || sub === '-h' ? 0 : 1;
    }
    if (sub === 'check') return checkRdb(file, (line) => process.stdout.write(line + '\n'));
    if (sub !== 'dump') {
      process.stderr.write(`strongbox rdb: unknown subcommand '${sub}'\n${USAGE}`);
      return 1;
    }
    let format: Format = 'json';
    let outputPath: string | null = null;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      const value = rest[i + 1];
      if (a === '--format' && (value === 'json' || value === 'resp' || value === 'keys')) {
        format = value;
        i++;
      } else if (a === '--output' && value !== undefined) {
        outputPath = value;
        i++;
      } else {
        process.stderr.write(`strongbox rdb dump: bad option '${a ?? ''}'\n${USAGE}`);
        return 1;
      }
    }
    const output = outputPath === null ? process.stdout : createWriteStream(outputPath);
    // `... | head`: a closed pipe ends the dump quietly, as for any Unix filter.
    output.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
    const code = await dump(file, format, output);
    if (outputPath !== null) await new Promise<void>((resolve) => output.end(resolve));
    return code;
  },
};
