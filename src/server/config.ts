/**
 * Configuration: redis.conf syntax and redis-server's command line, CONFIG GET/SET/REWRITE.
 *
 * Every directive Redis 7.0 knows is accepted with Redis's default (`redis-config-defaults.json`, read from a real
 * 7.0 server), so a production redis.conf loads unchanged; the ones Strongbox acts on are applied through
 * listeners (`onChange`). Values are kept in Redis's canonical text form, the form CONFIG GET returns.
 * Deviation: `appendonly` defaults to `yes` (a storage-first server starts durable; README says so).
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { splitInlineArgs } from '../../formats/index.js';

type Kind = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

interface Directive {
  name: string;
  kind: Kind;
  defaultValue: string;
  /** Allowed values for enums. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Cannot change at run time (CONFIG SET refuses). */
  immutable?: boolean;
}

const defaults = JSON.parse(
  readFileSync(new URL('./redis-config-defaults.json', import.meta.url), 'utf8'),
) as Record<string, string>;

/** Old names Redis 7.0 still accepts (redis `config.c` alias fields). */
const ALIASES: Record<string, string> = {
  slaveof: 'replicaof',
  'slave-serve-stale-data': 'replica-serve-stale-data',
  'slave-read-only': 'replica-read-only',
  'slave-announce-ip': 'replica-announce-ip',
  'slave-announce-port': 'replica-announce-port',
  'slave-priority': 'replica-priority',
  'slave-lazy-flush': 'replica-lazy-flush',
  'slave-ignore-maxmemory': 'replica-ignore-maxmemory',
  'repl-diskless-sync-delay': 'repl-diskless-sync-delay',
  'hash-max-ziplist-entries': 'hash-max-listpack-entries',
  'hash-max-ziplist-value': 'hash-max-listpack-value',
  'list-max-ziplist-size': 'list-max-listpack-size',
  'zset-max-ziplist-entries': 'zset-max-listpack-entries',
  'zset-max-ziplist-value': 'zset-max-listpack-value',
  masterauth: 'masterauth',
  masteruser: 'masteruser',
};

const MEMORY_DIRECTIVES = new Set([
  'maxmemory',
  'proto-max-bulk-len',
  'client-query-buffer-limit',
  'repl-backlog-size',
  'auto-aof-rewrite-min-size',
  'active-defrag-ignore-bytes',
  'stream-node-max-bytes',
  'hll-sparse-max-bytes',
  'lua-time-limit',
  'maxmemory-clients',
]);

const ENUMS: Record<string, readonly string[]> = {
  loglevel: ['debug', 'verbose', 'notice', 'warning'],
  appendfsync: ['always', 'everysec', 'no'],
  'maxmemory-policy': [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ],
  'supervised': ['upstart', 'systemd', 'auto', 'no'],
  'repl-diskless-load': ['disabled', 'on-empty-db', 'swapdb'],
  'sanitize-dump-payload': ['no', 'yes', 'clients'],
  'enable-protected-configs': ['no', 'yes', 'local'],
  'enable-debug-command': ['no', 'yes', 'local'],
  'enable-module-command': ['no', 'yes', 'local'],
  'propagation-error-behavior': ['ignore', 'panic', 'panic-on-replicas'],
  'shutdown-on-sigterm': ['default', 'save', 'nosave', 'now', 'force'],
  'shutdown-on-sigint': ['default', 'save', 'nosave', 'now', 'force'],
  'oom-score-adj': ['no', 'yes', 'relative', 'absolute'],
  'cluster-preferred-endpoint-type': ['ip', 'hostname', 'unknown-endpoint'],
  'syslog-facility': ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
};

/** Directives with several arguments or their own syntax, stored as Redis prints them in CONFIG GET. */
const SPECIAL = new Set([
  'save',
  'client-output-buffer-limit',
  'notify-keyspace-events',
  'bind',
  'oom-score-adj-values',
  'replicaof',
  'unixsocketperm',
  'rdb-version',
]);

const IMMUTABLE = new Set([
  'daemonize',
  'databases',
  'port',
  'bind',
  'unixsocket',
  'logfile',
  'syslog-enabled',
  'supervised',
  'pidfile',
  'io-threads',
  'cluster-enabled',
  'appenddirname',
  'aclfile',
  'always-show-logo',
  'enable-debug-command',
  'enable-protected-configs',
  'enable-module-command',
]);

/** Directives Strongbox adds. */
const STRONGBOX_DEFAULTS: Record<string, string> = {
  /** RDB version the writer targets: 9, 10, 11 or 12. */
  'rdb-version': '10',
};

function buildDirectives(): Map<string, Directive> {
  const table = new Map<string, Directive>();
  for (const [name, defaultValue] of Object.entries({ ...defaults, ...STRONGBOX_DEFAULTS })) {
    let kind: Kind;
    if (SPECIAL.has(name)) kind = 'special';
    else if (ENUMS[name] !== undefined) kind = 'enum';
    else if (MEMORY_DIRECTIVES.has(name)) kind = 'memory';
    else if (defaultValue === 'yes' || defaultValue === 'no') kind = 'bool';
    else if (/^-?\d+$/.test(defaultValue)) kind = 'int';
    else kind = 'string';
    const directive: Directive = { name, kind, defaultValue, immutable: IMMUTABLE.has(name) };
    const values = ENUMS[name];
    if (values !== undefined) directive.values = values;
    table.set(name, directive);
  }
  return table;
}

const DIRECTIVES = buildDirectives();

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Parses `1gb`, `100mb`, `10k` like Redis's memtoull: k=1000, kb=1024, m, mb, g, gb. */
export function parseMemory(text: string): number | null {
  const m = /^(-?\d+)([kmg]b?|b)?$/i.exec(text);
  if (m === null) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 ** 3 };
  return n * (mult[unit] ?? 1);
}

export type ChangeListener = (value: string, config: Config) => string | void;

export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, ChangeListener[]>();
  /** Path of the config file the server started with, for CONFIG REWRITE; empty when none. */
  file = '';

  constructor() {
    for (const d of DIRECTIVES.values()) this.values.set(d.name, d.defaultValue);
  }

  /** Canonical name of a directive or alias, or undefined when unknown. */
  static canonical(name: string): string | undefined {
    const lower = name.toLowerCase();
    const target = ALIASES[lower] ?? lower;
    return DIRECTIVES.has(target) ? target : undefined;
  }

  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`assertion failed: unknown directive ${name}`);
    return v;
  }

  getInt(name: string): number {
    const d = DIRECTIVES.get(name);
    const raw = this.get(name);
    return d?.kind === 'memory' ? (parseMemory(raw) ?? 0) : Number(raw);
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Calls `listener` now and on every later change of `name`. A listener may return an error text to refuse. */
  onChange(name: string, listener: ChangeListener): void {
    let list = this.listeners.get(name);
    if (list === undefined) this.listeners.set(name, (list = []));
    list.push(listener);
    listener(this.get(name), this);
  }

  /** Names matching a CONFIG GET glob, with their values. */
  matching(match: (name: string) => boolean): [string, string][] {
    const out: [string, string][] = [];
    for (const [name, value] of this.values) if (match(name)) out.push([name, value]);
    return out;
  }

  /**
   * Sets a directive from its arguments (config file or CONFIG SET). Returns an error text (Redis's wording
   * after `argument`), or null on success. `startup` allows immutable directives.
   */
  set(name: string, args: readonly string[], startup: boolean): string | null {
    const canonical = Config.canonical(name);
    if (canonical === undefined) return 'Bad directive or wrong number of arguments';
    const d = DIRECTIVES.get(canonical)!;
    if (d.immutable === true && !startup) return "can't set immutable config";
    const value = this.normalize(d, args, startup);
    if (typeof value !== 'string') return value.error;
    const previous = this.values.get(canonical);
    this.values.set(canonical, value);
    for (const listener of this.listeners.get(canonical) ?? []) {
      const refused = listener(value, this);
      if (typeof refused === 'string') {
        if (previous !== undefined) this.values.set(canonical, previous);
        return refused;
      }
    }
    return null;
  }

  private normalize(d: Directive, args: readonly string[], startup: boolean): string | { error: string } {
    const joined = args.join(' ');
    switch (d.kind) {
      case 'bool': {
        if (args.length !== 1) return { error: 'wrong number of arguments' };
        const v = joined.toLowerCase();
        if (v !== 'yes' && v !== 'no') return { error: "argument must be 'yes' or 'no'" };
        return v;
      }
      case 'int': {
        if (args.length !== 1) return { error: 'wrong number of arguments' };
        if (!/^-?\d+$/.test(joined)) return { error: "argument couldn't be parsed into an integer" };
        return String(Number(joined));
      }
      case 'memory': {
        if (args.length !== 1) return { error: 'wrong number of arguments' };
        const n = parseMemory(joined);
        if (n === null) return { error: "argument must be a memory value" };
        return String(n);
      }
      case 'enum': {
        if (args.length !== 1) return { error: 'wrong number of arguments' };
        const v = joined.toLowerCase();
        if (!(d.values ?? []).includes(v)) return { error: `argument(s) must be one of the following: ${(d.values ?? []).join(', ')}` };
        return v;
      }
      case 'special':
        return this.normalizeSpecial(d.name, args, startup);
      case 'string':
        return joined;
    }
  }

  private normalizeSpecial(name: string, args: readonly string[], startup: boolean): string | { error: string } {
    if (name === 'save') {
      // At start-up each `save` line adds points (an empty one resets); CONFIG SET replaces them all.
      const text = args.join(' ').trim();
      if (text === '') return '';
      const parts = text.split(/\s+/);
      if (parts.length % 2 !== 0 || parts.some((p) => !/^\d+$/.test(p))) return { error: 'Invalid save parameters' };
      if (startup && this.saveSeenInFile) return `${this.get('save')} ${parts.join(' ')}`.trim();
      this.saveSeenInFile = startup;
      return parts.join(' ');
    }
    if (name === 'rdb-version') {
      const v = args.join(' ');
      if (!['9', '10', '11', '12'].includes(v)) return { error: 'argument must be one of 9, 10, 11, 12' };
      return v;
    }
    return args.join(' ');
  }
  private saveSeenInFile = false;

  /**
   * Loads redis.conf text (with `include`) then command-line directives, as redis-server does: the command line
   * is appended to the file's text, so a bad option is reported with a line number after the file's lines.
   * Throws ConfigError with Redis's fatal message.
   */
  load(fileText: string, filePath: string, argv: readonly string[]): void {
    const lines: string[] = [];
    if (filePath !== '') this.expandIncludes(fileText, filePath, lines, 0);
    lines.push('');
    for (const line of commandLineToConfigLines(argv)) lines.push(line);
    // Save points from the file/command line replace the default list.
    this.values.set('save', DIRECTIVES.get('save')!.defaultValue);
    this.saveSeenInFile = false;
    let firstSave = true;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      const args = splitInlineArgs(line);
      if (args === null || args.length === 0) throw fatal(i + 1, line, 'Unbalanced quotes in configuration line');
      const name = args[0]!.toLowerCase();
      if (name === 'include') continue;
      if (name === 'save' && firstSave) {
        this.values.set('save', '');
        firstSave = false;
      }
      const err = this.set(name, args.slice(1), true);
      if (err !== null) throw fatal(i + 1, line, err);
    }
    this.file = filePath === '' ? '' : resolve(filePath);
  }

  private expandIncludes(text: string, path: string, out: string[], depth: number): void {
    for (const line of text.split('\n')) {
      const args = splitInlineArgs(line.trim());
      if (args !== null && args[0]?.toLowerCase() === 'include' && args.length === 2 && depth < 16) {
        const target = resolve(dirname(path), args[1]!);
        this.expandIncludes(readFileSync(target, 'latin1'), target, out, depth + 1);
      } else {
        out.push(line.replace(/\r$/, ''));
      }
    }
  }

  /** CONFIG REWRITE: rewrites the file in place, keeping comments and unknown lines, replacing changed directives. */
  rewrite(): string | null {
    if (this.file === '') return 'ERR The server is running without a config file';
    let text: string;
    try {
      text = readFileSync(this.file, 'latin1');
    } catch {
      text = '';
    }
    const seen = new Set<string>();
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const args = splitInlineArgs(line.trim());
      const name = args !== null && args.length > 0 && !line.trim().startsWith('#') ? Config.canonical(args[0]!) : undefined;
      if (name === undefined) {
        out.push(line);
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(...this.renderDirective(name));
    }
    const changed = [...DIRECTIVES.values()].filter(
      (d) => !seen.has(d.name) && this.values.get(d.name) !== d.defaultValue && d.name !== 'dir',
    );
    if (changed.length > 0) {
      if (out.length > 0 && out[out.length - 1] === '') out.pop();
      out.push('# Generated by CONFIG REWRITE');
      for (const d of changed) out.push(...this.renderDirective(d.name));
      out.push('');
    }
    const tmp = this.file + '.tmp-rewrite';
    writeFileSync(tmp, out.join('\n'), 'latin1');
    renameSync(tmp, this.file);
    return null;
  }

  private renderDirective(name: string): string[] {
    const value = this.get(name);
    if (name === 'save') {
      const parts = value.split(' ').filter((p) => p !== '');
      if (parts.length === 0) return ['save ""'];
      const lines: string[] = [];
      for (let i = 0; i + 1 < parts.length; i += 2) lines.push(`save ${parts[i]} ${parts[i + 1]}`);
      return lines;
    }
    const d = DIRECTIVES.get(name)!;
    if (d.kind === 'special' || d.kind === 'string') return [`${name} ${quoteIfNeeded(value)}`];
    return [`${name} ${value}`];
  }
}

function quoteIfNeeded(v: string): string {
  if (v === '') return '""';
  return /[\s"']/.test(v) ? JSON.stringify(v) : v;
}

/** `--port 7000 --save ""` -> config lines, as redis-server joins them (values quoted, one directive per line). */
function commandLineToConfigLines(argv: readonly string[]): string[] {
  const lines: string[] = [];
  let current: string | null = null;
  for (const arg of argv) {
    if (arg.startsWith('--') && arg.length > 2) {
      if (current !== null) lines.push(current);
      current = arg.slice(2);
    } else if (current !== null) {
      current += ' ' + JSON.stringify(arg);
    }
  }
  if (current !== null) lines.push(current);
  return lines;
}

function fatal(lineNumber: number, line: string, reason: string): ConfigError {
  return new ConfigError(
    `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${lineNumber}\n>>> '${line}'\n${reason}\n`,
  );
}
