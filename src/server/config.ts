/**
 * Configuration: redis.conf syntax and redis-server's command line, CONFIG GET/SET/REWRITE.
 *
 * Every directive Redis 7.0 knows is accepted with Redis's default (`redis-config-defaults.json`, read from a real
 * 7.0 server), so a production redis.conf loads unchanged; the ones Strongbox acts on are applied through
 * listeners (`onChange`). Values are kept in Redis's canonical text form, the form CONFIG GET returns. Values are
 * checked as Redis checks them (types, bounds, flags from `redis-config-meta.json`; see config-check.ts), at
 * start-up and by CONFIG SET, which sets several parameters all or nothing (`setAll`).
 * Deviation: `appendonly` defaults to `yes` (a storage-first server starts durable; README says so).
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { splitInlineArgs } from '../../formats/index.js';
import { aliasTarget, checkParameter, hasFlag, parameterMeta, type ParameterMeta } from './config-check.js';

type Kind = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

interface Directive {
  name: string;
  kind: Kind;
  defaultValue: string;
  /** Redis's type, bounds and flags; absent for Strongbox's own directives. */
  meta?: ParameterMeta;
  /** Cannot change at run time (CONFIG SET refuses). */
  immutable?: boolean;
}

const defaults = JSON.parse(
  readFileSync(new URL('./redis-config-defaults.json', import.meta.url), 'utf8'),
) as Record<string, string>;

/** Directives Redis 7.0 no longer uses but still accepts (with one argument) in a config file and ignores. */
const DEPRECATED_DIRECTIVES = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Strongbox's own directives with their own syntax. */
const SPECIAL = new Set(['rdb-version']);

/** Directives Strongbox adds. */
const STRONGBOX_DEFAULTS: Record<string, string> = {
  /** RDB version the writer targets: 9, 10, 11 or 12. */
  'rdb-version': '10',
};

function kindOf(name: string, meta: ParameterMeta | undefined): Kind {
  if (meta === undefined) return SPECIAL.has(name) ? 'special' : 'string';
  if (meta.type !== 'numeric') return meta.type;
  return meta.numericFlags?.includes('memory') === true ? 'memory' : 'int';
}

function buildDirectives(): Map<string, Directive> {
  const table = new Map<string, Directive>();
  for (const [name, defaultValue] of Object.entries({ ...defaults, ...STRONGBOX_DEFAULTS })) {
    const meta = parameterMeta(name);
    const directive: Directive = { name, kind: kindOf(name, meta), defaultValue, immutable: hasFlag(meta, 'immutable') };
    if (meta !== undefined) directive.meta = meta;
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
    // An old name (slave-read-only) shares its current name's value: only current names are stored.
    for (const d of DIRECTIVES.values()) if (aliasTarget(d.name) === undefined) this.values.set(d.name, d.defaultValue);
  }

  /** Canonical name of a directive or alias, or undefined when unknown. */
  static canonical(name: string): string | undefined {
    const lower = name.toLowerCase();
    const target = aliasTarget(lower) ?? lower;
    return DIRECTIVES.has(target) ? target : undefined;
  }

  get(name: string): string {
    const v = this.values.get(aliasTarget(name) ?? name);
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
    for (const name of DIRECTIVES.keys()) if (match(name)) out.push([name, this.get(name)]);
    return out;
  }

  /**
   * Sets a directive from its arguments: at start-up the words of a config line after the name, for CONFIG SET
   * the one value (`startup` false; a multi-argument parameter is split at single spaces as Redis does). Returns
   * an error text (Redis's wording after "argument"), or null on success. Only start-up sets immutable directives.
   */
  set(name: string, args: readonly string[], startup: boolean): string | null {
    const canonical = Config.canonical(name);
    if (canonical === undefined) return 'Bad directive or wrong number of arguments';
    const d = DIRECTIVES.get(canonical)!;
    if (d.immutable === true && !startup) return "can't set immutable config";
    const value = this.normalize(d, splitArguments(d, args, startup), startup);
    if (typeof value !== 'string') return value.error;
    return this.assign(canonical, value);
  }

  /**
   * CONFIG SET of several parameters, all or nothing: the names were checked by the caller; each value is set in
   * order and the first refusal restores the values set before it (Redis's restoreBackupConfig). Returns the
   * refused parameter's name (lower case, as Redis names it) and the error text, or null.
   */
  setAll(pairs: readonly (readonly [string, string])[]): { name: string; error: string } | null {
    const previous: [string, string][] = [];
    for (const [name, value] of pairs) {
      const canonical = Config.canonical(name)!;
      const before = this.get(canonical);
      const error = this.set(canonical, [value], false);
      if (error !== null) {
        for (const [n, v] of previous.reverse()) this.assign(n, v);
        return { name: name.toLowerCase(), error };
      }
      previous.push([canonical, before]);
    }
    return null;
  }

  /** Stores a checked value and tells the listeners; a listener's refusal restores the previous value. */
  private assign(canonical: string, value: string): string | null {
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
    if (startup && !hasFlag(d.meta, 'multi_arg') && args.length !== 1) return { error: 'wrong number of arguments' };
    if (d.meta === undefined) return this.normalizeOwn(d.name, args);
    const checked = checkParameter(d.name, d.meta, args, this.get(d.name), startup);
    if ('error' in checked) return checked;
    if (d.name === 'save') return this.mergeSave(checked.value, startup);
    return checked.value;
  }

  /** At start-up each `save` line adds points (an empty one resets); CONFIG SET replaces them all. */
  private mergeSave(points: string, startup: boolean): string {
    if (points === '') return '';
    if (startup && this.saveSeenInFile) return `${this.get('save')} ${points}`.trim();
    this.saveSeenInFile = startup;
    return points;
  }

  private normalizeOwn(name: string, args: readonly string[]): string | { error: string } {
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
      if (DEPRECATED_DIRECTIVES.has(name) && args.length === 2 && Config.canonical(name) === undefined) continue;
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
      (d) => !seen.has(d.name) && aliasTarget(d.name) === undefined && this.get(d.name) !== d.defaultValue && d.name !== 'dir',
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

/**
 * The arguments a parameter's check sees, split as Redis splits them: CONFIG SET of a multi-argument parameter at
 * single spaces (an empty value is no argument); a config line's single non-empty argument by the line's quoting
 * rules (so `--save "900 1 300 10"` works); anything else as given.
 */
function splitArguments(d: Directive, args: readonly string[], startup: boolean): readonly string[] {
  if (!hasFlag(d.meta, 'multi_arg')) return args;
  if (!startup) return args[0] === '' || args[0] === undefined ? [] : args[0].split(' ');
  if (args.length === 1 && args[0] !== '') return splitInlineArgs(args[0]!) ?? args;
  return args;
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
