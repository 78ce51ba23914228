/**
 * Validation of configuration values, as Redis 7.0's `config.c` does it for CONFIG SET and for config-file and
 * command-line directives: each parameter's type, bounds and flags come from `redis-config-meta.json`
 * (generated from Redis's `static_configs[]` table by `scripts/gen-config-meta.ts`), the checks and their error
 * texts are here. A check returns the value in the canonical form CONFIG GET shows, or Redis's error text (the
 * part after "CONFIG SET failed (possibly related to argument '…') - ").
 *
 * Numbers follow C: memory values go through `memtoull` (unsigned, wrapping on overflow), plain integers through
 * `string2ll` (strict), octal through `strtoll(…, 8)`; bounds are compared as unsigned for the unsigned C types.
 */
import { readFileSync } from 'node:fs';
import { string2ll, string2d } from '../keyspace/index.js';
import { formatNotifyKeyspaceEvents, parseNotifyKeyspaceEvents } from '../commands/index.js';

export interface ParameterMeta {
  type: 'bool' | 'string' | 'enum' | 'numeric' | 'special';
  /** config.c flag names without `_CONFIG`: immutable, protected, multi_arg, sensitive, hidden, ... */
  flags: string[];
  alias?: string;
  values?: string[];
  /** Enum names sharing a value with an earlier name: CONFIG GET shows the earlier one. */
  synonyms?: Record<string, string>;
  /** config.c validation function, see VALIDATORS. */
  validate?: string;
  numericType?: string;
  /** Bounds as decimal text (they exceed 2^53). */
  min?: string;
  max?: string;
  /** memory, percent, octal. */
  numericFlags?: string[];
  /** config.c apply function; only updateHZ changes the stored value. */
  apply?: string;
}

const META = JSON.parse(readFileSync(new URL('./redis-config-meta.json', import.meta.url), 'utf8')) as Record<
  string,
  ParameterMeta
>;
const BY_ALIAS = new Map<string, ParameterMeta>();
const ALIAS_TARGETS = new Map<string, string>();
for (const [name, meta] of Object.entries(META)) {
  if (meta.alias === undefined) continue;
  BY_ALIAS.set(meta.alias, meta);
  ALIAS_TARGETS.set(meta.alias, name);
}

/** The current name of an old one Redis 7.0 still accepts (`slave-read-only` -> `replica-read-only`). */
export function aliasTarget(name: string): string | undefined {
  return ALIAS_TARGETS.get(name);
}

/** Metadata of a Redis parameter (or of one of its old names), undefined for Strongbox's own directives. */
export function parameterMeta(name: string): ParameterMeta | undefined {
  return META[name] ?? BY_ALIAS.get(name);
}

export function hasFlag(meta: ParameterMeta | undefined, flag: string): boolean {
  return meta?.flags.includes(flag) === true;
}

export type Checked = { value: string } | { error: string };

const U64 = 1n << 64n;
const CONFIG_MIN_HZ = 1n;
const CONFIG_MAX_HZ = 500n;
const CONFIG_REPL_BACKLOG_MIN_SIZE = 16384n;
const CONFIG_BINDADDR_MAX = 16;

/** memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; strtoull saturates, the multiplication wraps. */
export function memtoull(text: string): bigint | null {
  if (text.startsWith('-')) return null;
  const m = /^([0-9]*)(.*)$/s.exec(text)!;
  const digits = m[1]!;
  const units: Record<string, bigint> = {
    '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n,
  };
  const mul = units[m[2]!.toLowerCase()];
  if (mul === undefined || digits.length >= 128) return null;
  let value = digits === '' ? 0n : BigInt(digits);
  if (value >= U64) value = U64 - 1n;
  return (value * mul) % U64;
}

/** strtoll(text, &end, base) with `*end == '\0'` required: leading white space and a sign allowed. */
function strtollWhole(text: string, base: 8 | 10): { value: bigint; overflow: boolean } | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return text === '' ? { value: 0n, overflow: false } : null;
  const digits = m[2]!;
  if (base === 8 && /[89]/.test(digits)) return null;
  let value = base === 8 ? BigInt('0o' + digits) : BigInt(digits);
  if (m[1] === '-') value = -value;
  const overflow = value > 9223372036854775807n || value < -9223372036854775808n;
  return { value, overflow };
}

/** numericParseString: the value as a C long long, or Redis's parse error. */
function parseNumeric(meta: ParameterMeta, text: string): bigint | string {
  const flags = meta.numericFlags ?? [];
  const memory = flags.includes('memory');
  const percent = flags.includes('percent');
  if (memory) {
    const v = memtoull(text);
    if (v !== null) return BigInt.asIntN(64, v);
  }
  if (percent && text.length > 1 && text.endsWith('%')) {
    const v = string2ll(text.slice(0, -1));
    if (v !== null && v >= 0n) return -v;
  }
  if (flags.includes('octal')) {
    const v = strtollWhole(text, 8);
    if (v !== null && !v.overflow) return v.value;
  }
  if (flags.length === 0) {
    const v = string2ll(text);
    if (v !== null) return v;
  }
  if (memory && percent) return 'argument must be a memory or percent value';
  if (memory) return 'argument must be a memory value';
  if (flags.includes('octal')) return "argument couldn't be parsed as an octal number";
  return "argument couldn't be parsed into an integer";
}

const UNSIGNED_TYPES = new Set(['ulonglong', 'uint', 'sizet']);

/** numericBoundaryCheck: null when in bounds, else Redis's text. */
function boundaryError(meta: ParameterMeta, ll: bigint): string | null {
  const min = BigInt(meta.min ?? '0');
  const max = BigInt(meta.max ?? '0');
  if (UNSIGNED_TYPES.has(meta.numericType ?? '')) {
    const ull = BigInt.asUintN(64, ll);
    const lower = BigInt.asUintN(64, min);
    const upper = BigInt.asUintN(64, max);
    if (ull <= upper && ull >= lower) return null;
    const radix = meta.numericFlags?.includes('octal') === true ? 8 : 10;
    return `argument must be between ${lower.toString(radix)} and ${upper.toString(radix)} inclusive`;
  }
  if (meta.numericFlags?.includes('percent') === true && ll < 0n) {
    return ll < min ? `percentage argument must be less or equal to ${-min}` : null;
  }
  if (ll > max || ll < min) return `argument must be between ${min} and ${max} inclusive`;
  return null;
}

function checkNumeric(meta: ParameterMeta, text: string, startup: boolean): Checked {
  const parsed = parseNumeric(meta, text);
  if (typeof parsed === 'string') return { error: parsed };
  const outOfBounds = boundaryError(meta, parsed);
  if (outOfBounds !== null) return { error: outOfBounds };
  let ll = parsed;
  // updateHZ: hz is a hint, out-of-range values are clamped rather than refused (at start-up too).
  if (meta.apply === 'updateHZ') ll = ll < CONFIG_MIN_HZ ? CONFIG_MIN_HZ : ll > CONFIG_MAX_HZ ? CONFIG_MAX_HZ : ll;
  // updateReplBacklogSize (CONFIG SET only): resizeReplicationBacklog raises a backlog below 16 KiB to 16 KiB.
  if (meta.apply === 'updateReplBacklogSize' && !startup && ll < CONFIG_REPL_BACKLOG_MIN_SIZE) {
    ll = CONFIG_REPL_BACKLOG_MIN_SIZE;
  }
  const flags = meta.numericFlags ?? [];
  if (flags.includes('percent') && ll < 0n) return { value: `${-ll}%` };
  if (flags.includes('memory')) return { value: BigInt.asUintN(64, ll).toString() };
  if (flags.includes('octal')) return { value: ll.toString(8) };
  return { value: ll.toString() };
}

const NET_HOST_STR_LEN = 256;
const EMPTY_PROC_TITLE_VARIABLES = new Set(['title', 'server-mode', 'unixsocket']);
const PROC_TITLE_VARIABLES = new Set([
  'title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file',
]);

/** The string/bool/enum validation functions of config.c, by name: null when valid, else the error text. */
const VALIDATORS: Record<string, (value: string) => string | null> = {
  isValidActiveDefrag: (v) =>
    v === 'yes'
      ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc ' +
        'like the one shipped by default with the Redis source distribution'
      : null,
  isValidDBfilename: (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename"),
  isValidAOFfilename: (v) =>
    v === ''
      ? "appendfilename can't be empty"
      : isBaseName(v)
        ? null
        : "appendfilename can't be a path, just a filename",
  isValidAOFdirname: (v) =>
    v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname",
  isValidShutdownOnSigFlags: (v) =>
    v.split(' ').includes('save') && v.split(' ').includes('nosave')
      ? "shutdown options SAVE and NOSAVE can't be used simultaneously"
      : null,
  isValidAnnouncedHostname: (v) => {
    if (v.length >= NET_HOST_STR_LEN) return `Hostnames must be less than ${NET_HOST_STR_LEN} characters`;
    return /^[A-Za-z0-9.-]*$/.test(v) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  },
  isValidProcTitleTemplate: (v) =>
    validProcTitleTemplate(v) ? null : 'template format is invalid or contains unknown variables',
};

function isBaseName(path: string): boolean {
  return !path.includes('/') && !path.includes('\\');
}

/**
 * validateProcTitleTemplate: the template expanded with an empty title, spaces trimmed, must be defined and not
 * empty (sdstemplate: `{name}` is a variable, `{{` a literal brace, an unknown name or an unclosed brace an error).
 * The variables that expand to nothing here: title, server-mode (no cluster, no sentinel), unixsocket (not set by
 * Strongbox); the others expand to something, shown as `x`.
 */
function validProcTitleTemplate(template: string): boolean {
  let expanded = '';
  let p = 0;
  while (p < template.length) {
    const open = template.indexOf('{', p);
    if (open === -1) {
      expanded += template.slice(p);
      break;
    }
    expanded += template.slice(p, open);
    if (open + 1 >= template.length) return false;
    if (template[open + 1] === '{') {
      expanded += '{';
      p = open + 2;
      continue;
    }
    const close = template.indexOf('}', open + 1);
    if (close === -1) return false;
    const name = template.slice(open + 1, close);
    if (!PROC_TITLE_VARIABLES.has(name)) return false;
    if (!EMPTY_PROC_TITLE_VARIABLES.has(name)) expanded += 'x';
    p = close + 1;
  }
  return expanded.replace(/^ +| +$/g, '') !== '';
}

function checkEnum(meta: ParameterMeta, args: readonly string[]): Checked {
  const values = meta.values ?? [];
  const bitflags = hasFlag(meta, 'multi_arg');
  const oneOf = { error: `argument(s) must be one of the following: ${values.join(', ')}` };
  if (args.length === 0 || (!bitflags && args.length !== 1)) return oneOf;
  const chosen = new Set<string>();
  for (const arg of args) {
    const name = values.find((v) => v.toLowerCase() === arg.toLowerCase());
    if (name === undefined) return oneOf;
    chosen.add(meta.synonyms?.[name] ?? name);
  }
  let value = [...chosen][0]!;
  if (bitflags) {
    const names = values.filter((v) => chosen.has(v) && v !== values[0]);
    value = names.length === 0 ? values[0]! : names.join(' ');
  }
  const invalid = meta.validate === undefined ? null : (VALIDATORS[meta.validate]?.(value) ?? null);
  return invalid === null ? { value } : { error: invalid };
}

/**
 * Checks the arguments of one parameter (already split as Redis splits them: by single spaces for CONFIG SET of a
 * multi-argument parameter, as written in a config file otherwise). `current` is the present value, needed by the
 * parameters that merge (client-output-buffer-limit); `startup` is true for config-file and command-line directives
 * (some apply functions run only for CONFIG SET). Special parameters without a check here pass unchanged.
 */
export function checkParameter(
  name: string,
  meta: ParameterMeta,
  args: readonly string[],
  current: string,
  startup: boolean,
): Checked {
  switch (meta.type) {
    case 'bool': {
      const v = args[0]?.toLowerCase();
      if (v !== 'yes' && v !== 'no') return { error: "argument must be 'yes' or 'no'" };
      const invalid = meta.validate === undefined ? null : (VALIDATORS[meta.validate]?.(v) ?? null);
      return invalid === null ? { value: v } : { error: invalid };
    }
    case 'string': {
      const v = args[0] ?? '';
      const invalid = meta.validate === undefined ? null : (VALIDATORS[meta.validate]?.(v) ?? null);
      return invalid === null ? { value: v } : { error: invalid };
    }
    case 'enum':
      return checkEnum(meta, args);
    case 'numeric':
      return checkNumeric(meta, args[0] ?? '', startup);
    case 'special':
      return checkSpecial(name, args, current);
  }
}

function checkSpecial(name: string, args: readonly string[], current: string): Checked {
  switch (name) {
    case 'save':
      return checkSave(args);
    case 'client-output-buffer-limit':
      return checkOutputBufferLimit(args, current);
    case 'oom-score-adj-values': {
      if (args.length !== 3) return { error: 'wrong number of arguments' };
      const values: string[] = [];
      for (const arg of args) {
        const v = strtollWhole(arg, 10);
        if (v === null || v.value < -2000n || v.value > 2000n) {
          return { error: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
        }
        values.push(v.value.toString());
      }
      return { value: values.join(' ') };
    }
    case 'notify-keyspace-events': {
      if (args.length !== 1) return { error: 'wrong number of arguments' };
      const flags = parseNotifyKeyspaceEvents(args[0]!);
      if (flags === null) return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
      return { value: formatNotifyKeyspaceEvents(flags) };
    }
    case 'latency-tracking-info-percentiles':
      return checkPercentiles(args);
    case 'replicaof': {
      if (args.length !== 2) return { error: 'wrong number of arguments' };
      if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return { value: '' };
      const port = strtollWhole(args[1]!, 10);
      if (port === null || port.value < 0n || port.value > 65535n) return { error: 'Invalid master port' };
      return { value: `${args[0]!} ${port.value}` };
    }
    case 'bind':
      if (args.length > CONFIG_BINDADDR_MAX) return { error: 'Too many bind addresses specified.' };
      return { value: args.length === 1 && args[0] === '' ? '' : args.join(' ') };
    default:
      return { value: args.join(' ') };
  }
}

/** setConfigSaveOption: pairs of seconds (>= 1) and changes (>= 0); a single "" means no save points. */
function checkSave(args: readonly string[]): Checked {
  const list = args.length === 1 && args[0] === '' ? [] : args;
  const invalid = { error: 'Invalid save parameters' };
  if (list.length % 2 !== 0) return invalid;
  const out: string[] = [];
  for (let j = 0; j < list.length; j++) {
    const v = strtollWhole(list[j]!, 10);
    if (v === null || (j % 2 === 0 && v.value < 1n) || (j % 2 === 1 && v.value < 0n)) return invalid;
    out.push(BigInt.asIntN(64, v.overflow ? (v.value < 0n ? -(1n << 63n) : (1n << 63n) - 1n) : v.value).toString());
  }
  return { value: out.join(' ') };
}

const OBUF_CLASSES = ['normal', 'slave', 'pubsub'] as const;

/** updateClientOutputBufferLimit: groups of <class> <hard> <soft> <seconds>, merged into the current limits. */
function checkOutputBufferLimit(args: readonly string[], current: string): Checked {
  if (args.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const limits = new Map<string, string>();
  const parts = current.split(' ');
  for (let j = 0; j + 3 < parts.length; j += 4) limits.set(parts[j]!, parts.slice(j + 1, j + 4).join(' '));
  const updates = new Map<string, string>();
  for (let j = 0; j < args.length; j += 4) {
    const given = args[j]!.toLowerCase();
    const cls = given === 'replica' ? 'slave' : given;
    if (!(OBUF_CLASSES as readonly string[]).includes(cls)) {
      return { error: 'Invalid client class specified in buffer limit configuration.' };
    }
    const hard = memtoull(args[j + 1]!);
    const soft = memtoull(args[j + 2]!);
    const seconds = strtollWhole(args[j + 3]!, 10);
    if (hard === null || soft === null || seconds === null || BigInt.asIntN(32, seconds.value) < 0n) {
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    }
    updates.set(cls, `${hard} ${soft} ${BigInt.asIntN(32, seconds.value)}`);
  }
  for (const [cls, v] of updates) limits.set(cls, v);
  return { value: OBUF_CLASSES.map((cls) => `${cls} ${limits.get(cls) ?? '0 0 0'}`).join(' ') };
}

/** setConfigLatencyTrackingInfoPercentilesOutputOption: doubles in [0, 100], shown as %f with zeros trimmed. */
function checkPercentiles(args: readonly string[]): Checked {
  const list = args.length === 1 && args[0] === '' ? [] : args;
  const out: string[] = [];
  for (const arg of list) {
    const v = string2d(arg);
    if (v === null) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    if (v > 100 || v < 0) {
      return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
    }
    out.push((Object.is(v, -0) ? '-' : '') + v.toFixed(6).replace(/\.?0+$/, ''));
  }
  return { value: out.join(' ') };
}
