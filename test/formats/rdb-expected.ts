// Test helper (not a test): renders decoded RDB records in the corpus `redis-corpus-expected/1`
// JSON shape (corpus/README.md) so they can be compared with what a live Redis reported.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bytes, RdbKeyRecord, RdbStream, StreamId } from '../../formats/rdb/types.js';

export const CORPUS_DIR = fileURLToPath(new URL('../../corpus/', import.meta.url));

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** BYTES as the corpus renders them: UTF-8 text, else base64; > 64 KiB as a digest. */
export function bytesJson(s: Bytes): Json {
  const buf = Buffer.from(s, 'latin1');
  if (buf.length > 65536) {
    return { length: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), head_base64: buf.subarray(0, 48).toString('base64') };
  }
  try {
    return utf8.decode(buf);
  } catch {
    return { base64: buf.toString('base64') };
  }
}

/** Shortest round-trip decimal as Python's repr prints it, integral values without ".0". */
export function scoreJson(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exp >= -4 && exp < 16) {
    if (exp >= digits.length - 1) {
      text = digits + '0'.repeat(exp - digits.length + 1);
    } else if (exp >= 0) {
      text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    } else {
      text = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    const rest = digits.slice(1);
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    text = `${digits[0] as string}${rest.length > 0 ? `.${rest}` : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return negative ? `-${text}` : text;
}

function compareBytes(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0; // latin1 code units order = byte order
}

export function idJson(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

function streamJson(s: RdbStream): Json {
  return {
    length: s.length ?? s.entries.length,
    entries: s.entries.map((e) => ({ id: idJson(e.id), fields: e.fields.map(([f, v]) => [bytesJson(f), bytesJson(v)]) })),
    'last-generated-id': idJson(s.lastId),
    'max-deleted-entry-id': idJson(s.maxDeletedId),
    'entries-added': Number(s.entriesAdded),
    'recorded-first-entry-id': idJson(s.firstId),
    groups: s.groups.map((g) => {
      const byId = new Map(g.pending.map((p) => [idJson(p.id), p]));
      return {
        name: bytesJson(g.name),
        'last-delivered-id': idJson(g.lastDeliveredId),
        'entries-read': g.entriesRead < 0n ? null : Number(g.entriesRead),
        pel: g.pending.map((p) => ({
          id: idJson(p.id),
          consumer: p.consumer === null ? null : bytesJson(p.consumer),
          delivery_time_ms: p.deliveryTimeMs,
          delivery_count: p.deliveryCount,
        })),
        consumers: g.consumers.map((c) => ({
          name: bytesJson(c.name),
          'seen-time': c.seenTimeMs,
          'active-time': c.activeTimeMs,
          pel: c.pending.map((id) => {
            const p = byId.get(idJson(id));
            return { id: idJson(id), delivery_time_ms: p?.deliveryTimeMs ?? -1, delivery_count: p?.deliveryCount ?? -1 };
          }),
        })),
      };
    }),
  };
}

/** The `value` of a key as the corpus JSON renders it. */
export function valueJson(record: RdbKeyRecord): Json {
  const v = record.value;
  switch (v.type) {
    case 'string':
      return bytesJson(v.value);
    case 'list':
      return v.value.map(bytesJson);
    case 'set':
      return [...v.value].sort(compareBytes).map(bytesJson);
    case 'zset':
      return [...v.value]
        .sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : compareBytes(a[0], b[0])))
        .map(([m, s]) => [bytesJson(m), scoreJson(s)]);
    case 'hash':
      return [...v.value].sort((a, b) => compareBytes(a[0], b[0])).map(([f, x]) => [bytesJson(f), bytesJson(x)]);
    case 'stream':
      return streamJson(v.value);
    default: {
      const never: never = v;
      return never;
    }
  }
}

/** [field, ms] pairs of fields with a TTL, sorted by field. */
export function fieldExpiresJson(record: RdbKeyRecord): Json[] {
  const v = record.value;
  if (v.type !== 'hash' || v.fieldExpireAtMs === undefined) return [];
  const out: [Bytes, number][] = [];
  v.value.forEach(([f], i) => {
    const ms = v.fieldExpireAtMs?.[i] ?? -1;
    if (ms !== -1) out.push([f, ms]);
  });
  return out.sort((a, b) => compareBytes(a[0], b[0])).map(([f, ms]) => [bytesJson(f), ms]);
}

/** The key of a record as the corpus JSON renders it, serialized for map lookups. */
export function keyId(db: number, key: Bytes): string {
  return `${db}:${JSON.stringify(bytesJson(key))}`;
}

/** Every file below `dir` whose name ends with `suffix`, relative to CORPUS_DIR. */
export function corpusFiles(suffix: string, dir: string = CORPUS_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...corpusFiles(suffix, path));
    else if (name.endsWith(suffix)) out.push(path.slice(CORPUS_DIR.length));
  }
  return out;
}
