/**
 * SORT and SORT_RO (redis `src/sort.c`) over lists, sets and sorted sets: BY patterns (string keys or hash fields
 * with `->`, or a pattern without `*` for no sorting), GET patterns (`#` for the element), LIMIT, ASC/DESC,
 * ALPHA and STORE (a list, notified as `sortstore`). Values of other types are read only through their public
 * contract (`items()`, `members()`, `entries()`), so their internals can change freely.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR } from './errors.js';
import { intOrReply, is } from './args.js';
import { strtodWhole } from './zsets.js';
import {
  ListValue, isString, stringBytes, typeName, type ZSetValue, type SetValue, type HashValue, type Bytes,
} from '../keyspace/index.js';

const SCORE_ERROR = "ERR One or more scores can't be converted into double";

interface SortItem {
  element: Bytes;
  score: number;
  /** ALPHA with BY: the BY value, null when its key is missing. */
  compareWith: Bytes | null;
}

/**
 * lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by the element, and a
 * `->field` after it reads a hash field. Null when the pattern has no `*`, or the key is missing or of another
 * type.
 */
function lookupByPattern(s: Session, pattern: Bytes, element: Bytes): Bytes | null {
  if (pattern === '#' || pattern.startsWith('#\0')) return element;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const value = s.db.getRead(key);
  if (value === undefined) return null;
  if (hasField) {
    if (typeName(value) !== 'hash') return null;
    const field = pattern.slice(arrow + 2);
    for (const [f, v] of (value as HashValue).entries()) if (f === field) return v;
    return null;
  }
  return isString(value) ? stringBytes(value) : null;
}

/** C strcmp/strcoll over NUL-terminated strings (the C locale): bytes up to the first NUL. */
function cStringCompare(a: Bytes, b: Bytes): number {
  const x = a.split('\0', 1)[0] ?? '';
  const y = b.split('\0', 1)[0] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function binaryCompare(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * strtod as SORT applies it: the whole C string (up to the first NUL byte), no NaN, no overflow or underflow
 * (ERANGE).
 */
function sortScore(bytes: Bytes): number | null {
  const nul = bytes.indexOf('\0');
  const text = nul >= 0 ? bytes.slice(0, nul) : bytes;
  const value = strtodWhole(text);
  if (value === null) return null;
  const finiteText = !/inf/i.test(text);
  if (finiteText && !Number.isFinite(value)) return null;
  if (finiteText && Math.abs(value) < 2.2250738585072014e-308 && /[1-9]/.test(text.replace(/e.*$/i, ''))) return null;
  return value;
}

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  storeKey: Bytes | null;
  sortBy: Bytes | null;
  dontSort: boolean;
  gets: Bytes[];
}

/** Parses the options; null after replying an error. */
function parseOptions(s: Session, args: Bytes[], readonly: boolean): SortOptions | null {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, storeKey: null, sortBy: null, dontSort: false, gets: [] };
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const arg = args[j]!;
    if (is(arg, 'asc')) o.desc = false;
    else if (is(arg, 'desc')) o.desc = true;
    else if (is(arg, 'alpha')) o.alpha = true;
    else if (is(arg, 'limit') && left >= 2) {
      const start = intOrReply(s, args[j + 1]!);
      if (start === null) return null;
      const count = intOrReply(s, args[j + 2]!);
      if (count === null) return null;
      o.limitStart = start;
      o.limitCount = count;
      j += 2;
    } else if (!readonly && is(arg, 'store') && left >= 1) {
      o.storeKey = args[++j]!;
    } else if (is(arg, 'by') && left >= 1) {
      o.sortBy = args[++j]!;
      o.dontSort = !o.sortBy.split('\0', 1)[0]!.includes('*');
    } else if (is(arg, 'get') && left >= 1) {
      o.gets.push(args[++j]!);
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
  }
  return o;
}

/** The elements to sort, and the [start, end] window, as sortCommandGeneric computes them. */
function collect(value: ListValue | SetValue | ZSetValue | undefined, o: SortOptions): { items: Bytes[]; start: number; end: number } {
  const total = value === undefined ? 0 : value.kind === 'list' ? value.length : value.size;
  let start = Math.min(Math.max(o.limitStart, 0), total);
  const limitCount = Math.min(Math.max(o.limitCount, -1), total);
  let end = limitCount < 0 ? total - 1 : start + limitCount - 1;
  if (start >= total) {
    start = total - 1;
    end = total - 2;
  }
  if (end >= total) end = total - 1;
  if (value === undefined) return { items: [], start, end };
  const ranged = o.dontSort && value.kind !== 'set';
  if (ranged && (start !== 0 || end !== total - 1)) {
    // No sorting over a list or zset: read only the window, walking from the requested end.
    if (end < start) return { items: [], start, end };
    const ordered = value.kind === 'list' ? [...value.items()] : [...value.entries()].map(([m]) => m);
    if (o.desc) ordered.reverse();
    return { items: ordered.slice(start, end + 1), start: 0, end: end - start };
  }
  if (ranged) {
    const ordered = value.kind === 'list' ? [...value.items()] : [...value.entries()].map(([m]) => m);
    if (o.desc) ordered.reverse();
    return { items: ordered, start, end };
  }
  if (value.kind === 'list') return { items: [...value.items()], start, end };
  if (value.kind === 'set') return { items: [...value.members()], start, end };
  return { items: [...value.dict.keys()], start, end };
}

function sortGeneric(s: Session, args: Bytes[], readonly: boolean): void {
  const o = parseOptions(s, args, readonly);
  if (o === null) return;
  const value = s.db.getRead(args[1]!);
  if (value !== undefined && typeName(value) !== 'list' && typeName(value) !== 'set' && typeName(value) !== 'zset') {
    return s.engine.replyError(s, ERR.wrongType);
  }
  const source = value as ListValue | SetValue | ZSetValue | undefined;
  // A set has no order of its own: to STORE it deterministically Redis sorts it ALPHA instead.
  if (o.dontSort && source?.kind === 'set' && o.storeKey !== null) {
    o.dontSort = false;
    o.alpha = true;
    o.sortBy = null;
  }
  // Redis converts a sorted set it sorts to a skiplist for good (sortCommandGeneric), SORT_RO included.
  if (source?.kind === 'zset') source.convertToSkiplist();
  const { items, start, end } = collect(source, o);
  const vector: SortItem[] = items.map((element) => ({ element, score: 0, compareWith: null }));
  let conversionError = false;
  if (!o.dontSort) {
    for (const item of vector) {
      const by = o.sortBy === null ? item.element : lookupByPattern(s, o.sortBy, item.element);
      if (by === null) continue;
      if (o.alpha) {
        if (o.sortBy !== null) item.compareWith = by;
      } else {
        const score = sortScore(by);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    const store = o.storeKey !== null;
    const compare = (a: SortItem, b: SortItem): number => {
      let cmp: number;
      if (!o.alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.element, b.element);
      } else if (o.sortBy !== null) {
        if (a.compareWith === null || b.compareWith === null) {
          cmp = a.compareWith === b.compareWith ? 0 : a.compareWith === null ? -1 : 1;
        } else {
          cmp = store ? binaryCompare(a.compareWith, b.compareWith) : cStringCompare(a.compareWith, b.compareWith);
        }
      } else {
        cmp = store ? binaryCompare(a.element, b.element) : cStringCompare(a.element, b.element);
      }
      return o.desc ? -cmp : cmp;
    };
    if (o.sortBy !== null && (start !== 0 || end !== vector.length - 1)) pqsort(vector, compare, start, end);
    else vector.sort(compare);
  }
  if (conversionError) return s.engine.replyError(s, SCORE_ERROR);
  const outputLength = o.gets.length > 0 ? o.gets.length * (end - start + 1) : end - start + 1;
  if (o.storeKey === null) return replySorted(s, vector, start, end, o.gets, outputLength);
  storeSorted(s, o.storeKey, vector, start, end, o.gets, outputLength);
}

function replySorted(s: Session, vector: SortItem[], start: number, end: number, gets: Bytes[], outputLength: number): void {
  s.reply.array(outputLength);
  for (let j = start; j <= end; j++) {
    const element = vector[j]!.element;
    if (gets.length === 0) s.reply.bulk(element);
    for (const pattern of gets) {
      const got = lookupByPattern(s, pattern, element);
      if (got === null) s.reply.nullBulk();
      else s.reply.bulk(got);
    }
  }
}

function storeSorted(s: Session, storeKey: Bytes, vector: SortItem[], start: number, end: number, gets: Bytes[], outputLength: number): void {
  const out: Bytes[] = [];
  for (let j = start; j <= end; j++) {
    const element = vector[j]!.element;
    if (gets.length === 0) out.push(element);
    for (const pattern of gets) out.push(lookupByPattern(s, pattern, element) ?? '');
  }
  if (outputLength > 0) {
    // Redis 7.0 builds the stored list with quicklistCreate()'s default node limit (-2), whatever
    // list-max-listpack-size says: the node layout (DUMP) shows it.
    const stored = ListValue.empty();
    for (const item of out) stored.pushTail(item);
    s.db.set(storeKey, stored);
    s.engine.notify(NOTIFY.list, 'sortstore', storeKey, s.db.id);
    s.engine.addDirty(outputLength);
  } else if (s.db.getWrite(storeKey) !== undefined && s.db.delete(storeKey)) {
    s.engine.notify(NOTIFY.generic, 'del', storeKey, s.db.id);
    s.engine.addDirty();
  }
  s.reply.integer(outputLength);
}

/**
 * Redis's partial quicksort (redis `src/pqsort.c`, a BSD qsort that only recurses into partitions overlapping
 * [lrange, rrange]). Ported step by step because equal elements come out in its (unstable) order, which SORT ...
 * BY ... LIMIT and GEO COUNT replies expose. Full sorts use glibc's qsort, a stable merge sort: Array#sort.
 */
export function pqsort<T>(v: T[], cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  pqsortRange(v, 0, v.length, cmp, lrange, rrange);
}

function pqsortRange<T>(v: T[], start: number, count: number, cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  const at = (i: number): T => v[i]!;
  const swap = (i: number, j: number): void => {
    const x = v[i]!;
    v[i] = v[j]!;
    v[j] = x;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (a: number, b: number, c: number): number =>
    cmp(at(a), at(b)) < 0
      ? (cmp(at(b), at(c)) < 0 ? b : cmp(at(a), at(c)) < 0 ? c : a)
      : (cmp(at(b), at(c)) > 0 ? b : cmp(at(a), at(c)) < 0 ? a : c);
  const overlaps = (l: number, r: number): boolean => !((lrange < l && rrange < l) || (lrange > r && rrange > r));
  let a = start;
  let n = count;
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) for (let pl = pm; pl > a && cmp(at(pl - 1), at(pl)) > 0; pl--) swap(pl, pl - 1);
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(a, pm);
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      let c = 0;
      while (pb <= pc && (c = cmp(at(pb), at(a))) <= 0) {
        if (c === 0) swap(pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = cmp(at(pc), at(a))) >= 0) {
        if (c === 0) swap(pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && overlaps(a, a + r - 1)) pqsortRange(v, a, r, cmp, lrange, rrange);
    r = pd - pc;
    if (r <= 1) return;
    a = pn - r;
    n = r;
    if (!overlaps(a, a + r - 1)) return;
  }
}

export const sortCommands: CommandDef[] = [
  { name: 'sort', handler: (s, a) => sortGeneric(s, a, false) },
  { name: 'sort_ro', handler: (s, a) => sortGeneric(s, a, true) },
];
