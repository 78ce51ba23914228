/**
 * Generates src/server/redis-config-meta.json: each Redis 7.0 configuration parameter's type, flags, bounds and
 * enum values, read from the `static_configs[]` table of Redis 7.0's `src/config.c` (BSD).
 *
 * Run from the repository root after `npm run build`:
 * `node dist/scripts/gen-config-meta.js <redis 7.0 src/config.c> [output json]`.
 * The TLS parameters are kept: the reference redis-server is built with TLS.
 * Only the facts are taken (names, bounds, flags); the checks themselves live in src/server/config.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const source = readFileSync(process.argv[2] ?? 'config.c', 'utf8');

const CONSTANTS: Record<string, bigint> = {
  INT_MAX: 2147483647n,
  INT_MIN: -2147483648n,
  UINT_MAX: 4294967295n,
  LONG_MAX: 9223372036854775807n,
  LLONG_MAX: 9223372036854775807n,
  SSIZE_MAX: 9223372036854775807n,
  ULLONG_MAX: 18446744073709551615n,
};

/** Evaluates a bound such as `1024*1024`, `-100`, `0777` or `INT_MAX`. */
function bound(expr: string): string {
  let value = 1n;
  for (const factor of expr.trim().split('*')) {
    const f = factor.trim().replace(/ll$/i, '');
    const c = CONSTANTS[f];
    if (c !== undefined) value *= c;
    else if (/^-?0[0-7]+$/.test(f)) value *= BigInt('0o' + f.replace('-', '')) * (f.startsWith('-') ? -1n : 1n);
    else if (/^-?\d+$/.test(f)) value *= BigInt(f);
    else throw new Error(`unknown bound ${expr}`);
  }
  return value.toString();
}

/** Enum tables: names in order, and the names that share a value with an earlier one (CONFIG GET shows the first). */
const enums = new Map<string, { values: string[]; synonyms: Record<string, string> }>();
for (const m of source.matchAll(/configEnum (\w+)\[\] = \{([\s\S]*?)\};/g)) {
  const values: string[] = [];
  const synonyms: Record<string, string> = {};
  const firstById = new Map<string, string>();
  for (const x of m[2]!.matchAll(/\{"([^"]+)",\s*([^}]+)\}/g)) {
    const id = x[2]!.trim();
    const first = firstById.get(id);
    if (first === undefined) firstById.set(id, x[1]!);
    else synonyms[x[1]!] = first;
    values.push(x[1]!);
  }
  enums.set(m[1]!, { values, synonyms });
}

const table = /standardConfig static_configs\[\] = \{([\s\S]*?)\{NULL\}/.exec(source)?.[1] ?? '';
const meta: Record<string, Record<string, unknown>> = {};
for (const line of table.split('\n')) {
  const m = /create(\w+)Config\((.*)\),?\s*(\/\*.*)?$/.exec(line.trim());
  if (m === null) continue;
  const kind = m[1]!;
  const args = m[2]!.split(',').map((a) => a.trim());
  const name = JSON.parse(args[0]!) as string;
  const alias = args[1] === 'NULL' ? undefined : (JSON.parse(args[1]!) as string);
  const flags = args[2]!.split('|').map((f) => f.trim().replace(/_CONFIG$/, '').toLowerCase());
  const entry: Record<string, unknown> = { flags };
  if (alias !== undefined) entry.alias = alias;
  if (kind === 'Bool') {
    entry.type = 'bool';
    if (args[5] !== 'NULL') entry.validate = args[5];
  } else if (kind === 'String' || kind === 'SDS') {
    entry.type = 'string';
    if (args[3] === 'EMPTY_STRING_IS_NULL') entry.emptyIsNull = true;
    if (args[6] !== 'NULL') entry.validate = args[6];
  } else if (kind === 'Enum') {
    entry.type = 'enum';
    const table = enums.get(args[3]!);
    if (table === undefined) throw new Error(`unknown enum ${args[3]!}`);
    entry.values = table.values;
    if (Object.keys(table.synonyms).length > 0) entry.synonyms = table.synonyms;
    if (args[6] !== 'NULL') entry.validate = args[6];
  } else if (kind === 'Special') {
    entry.type = 'special';
  } else {
    entry.type = 'numeric';
    entry.numericType = kind.toLowerCase();
    entry.min = bound(args[3]!);
    entry.max = bound(args[4]!);
    const numericFlags = args[7]!.split('|').map((f) => f.trim().replace(/_CONFIG$/, '').toLowerCase());
    entry.numericFlags = numericFlags.filter((f) => f !== 'integer');
    if (args[9] !== 'NULL') entry.apply = args[9];
  }
  meta[name] = entry;
}
const sorted = Object.fromEntries(Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(process.argv[3] ?? 'src/server/redis-config-meta.json', JSON.stringify(sorted, null, 1) + '\n');
console.log(`${Object.keys(sorted).length} parameters`);
