/**
 * Sorted set values (redis `src/t_zset.c`): a member -> node dict plus an indexable skip list ordered by
 * (score, member bytes), as Redis's `zset` (dict + zskiplist with spans). Every operation a command needs is
 * O(log N): insert, delete, rank, rank -> node, first/last node in a score or lex range. Range walks then follow
 * the level-0 links, O(1) per element.
 *
 * Encoding. Redis keeps small sorted sets in a listpack and converts to a skiplist when an insert would exceed
 * zset-max-listpack-entries / zset-max-listpack-value; it never converts back, except for results built by
 * ZUNIONSTORE & co. and ZRANGESTORE, which pick by size (`convertToListpackIfFits`). We keep one representation
 * and only carry the encoding flag: replies are identical in both encodings except that a listpack stores each
 * score as text (d2string) whose integer form loses the sign of zero, so a -0 score reads back as 0 there. That
 * is applied on insert while the flag says listpack, and when converting to listpack.
 *
 * The skip list's random levels come from a private xorshift generator with a fixed seed: levels shape only
 * performance, never results, and a fixed seed keeps the engine deterministic for the simulator.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';
import { Dict } from './dict.js';

/** ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P of redis `server.h`. */
const MAX_LEVEL = 32;
const LEVEL_P_NUMERATOR = 1; // p = 1/4
const LEVEL_P_BITS = 2;

/** One element of the order structure. `next[i]`/`span[i]` are the level-i link and the ranks it skips. */
export class ZNode {
  member: Bytes;
  score: number;
  backward: ZNode | null = null;
  readonly next: (ZNode | null)[];
  readonly span: number[];

  constructor(member: Bytes, score: number, level: number) {
    this.member = member;
    this.score = score;
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** A score interval (zrangespec): `minExclusive` / `maxExclusive` open the ends. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/**
 * A lex interval (zlexrangespec). `min`/`max` are member bytes, or the sentinels `-` (below everything) and
 * `+` (above everything), given as `LEX_MIN` / `LEX_MAX`.
 */
export interface LexRange {
  min: Bytes | typeof LEX_MIN | typeof LEX_MAX;
  max: Bytes | typeof LEX_MIN | typeof LEX_MAX;
  minExclusive: boolean;
  maxExclusive: boolean;
}

export const LEX_MIN: unique symbol = Symbol('lex-min');
export const LEX_MAX: unique symbol = Symbol('lex-max');

/** Per-call scratch of zslInsert/zslDeleteNode (update[] and rank[]), shared: calls never nest. */
const UPDATE_SCRATCH: ZNode[] = [];
const RANK_SCRATCH: number[] = new Array<number>(MAX_LEVEL).fill(0);

/** Counts the work of the order structure (nodes visited), so tests can assert complexity without timing. */
export const zsetWork = { steps: 0 };

let levelSeed = 0x9e3779b9;
function randomLevel(): number {
  let level = 1;
  for (;;) {
    levelSeed ^= levelSeed << 13;
    levelSeed ^= levelSeed >>> 17;
    levelSeed ^= levelSeed << 5;
    if ((levelSeed & ((1 << LEVEL_P_BITS) - 1)) >= LEVEL_P_NUMERATOR || level >= MAX_LEVEL) return level;
    level++;
  }
}

/** (score, member) order: score first, then member bytes (latin1 strings compare as memcmp). */
function before(aScore: number, aMember: Bytes, bScore: number, bMember: Bytes): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

export function scoreAboveMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreBelowMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

function lexCompare(a: Bytes | symbol, b: Bytes | symbol): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  const x = a as Bytes;
  const y = b as Bytes;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function lexAboveMin(member: Bytes, range: LexRange): boolean {
  return range.minExclusive ? lexCompare(member, range.min) > 0 : lexCompare(member, range.min) >= 0;
}

export function lexBelowMax(member: Bytes, range: LexRange): boolean {
  return range.maxExclusive ? lexCompare(member, range.max) < 0 : lexCompare(member, range.max) <= 0;
}

/** zslIsInRange: false when the range is empty by construction or lies outside the set's scores. */
function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

function lexRangeEmpty(range: LexRange): boolean {
  const c = lexCompare(range.min, range.max);
  return c > 0 || (c === 0 && (range.minExclusive || range.maxExclusive));
}

export class ZSetValue {
  readonly kind = 'zset' as const;
  /** member -> node; also gives ZSCAN its stable cursor and ZRANDMEMBER its random pick. */
  readonly dict = new Dict<ZNode>();
  private readonly header = new ZNode('', 0, MAX_LEVEL);
  private tail: ZNode | null = null;
  private level = 1;
  /** Nodes linked in the skip list (zsl->length); equals the dict's size except inside a score update. */
  private length = 0;
  private listpack: boolean;

  private constructor(listpack: boolean) {
    this.listpack = listpack;
  }

  /** An empty sorted set with the given encoding (the caller adds members, then stores it). */
  static empty(listpack: boolean): ZSetValue {
    return new ZSetValue(listpack);
  }

  /**
   * A sorted set of `entries` (member, score), encoded as Redis would after loading them: a listpack within
   * both thresholds, or, when they were stored as a listpack (`compact`), within the entry count alone.
   */
  static fromEntries(entries: Iterable<[Bytes, number]>, config: KeyspaceConfig, compact = false): ZSetValue {
    const zset = new ZSetValue(false);
    for (const [member, score] of entries) {
      const node = zset.dict.get(member);
      if (node === undefined) zset.insert(member, score);
      else zset.update(node.value, score);
    }
    zset.convertToListpackIfFits(config, compact ? 0 : maxMemberLength(zset));
    return zset;
  }

  get encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.listpack;
  }

  get size(): number {
    return this.dict.size;
  }

  /** (member, score) pairs in rank order: by score, then by member bytes. */
  *entries(): Iterable<[Bytes, number]> {
    for (let n = this.header.next[0] ?? null; n !== null; n = n.next[0] ?? null) yield [n.member, n.score];
  }

  clone(): ZSetValue {
    const copy = new ZSetValue(this.listpack);
    // Appending in order keeps every insert at the tail: O(level) each.
    for (const [member, score] of this.entries()) copy.insert(member, score);
    return copy;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Encoding

  /** zsetAdd's check before inserting into a listpack: converts when the new member would not fit. */
  growCheck(config: KeyspaceConfig, memberLength: number): void {
    if (!this.listpack) return;
    if (this.size + 1 > config.zsetMaxListpackEntries || memberLength > config.zsetMaxListpackValue) {
      this.listpack = false;
    }
  }

  /** zsetConvert(zobj, OBJ_ENCODING_SKIPLIST) as SORT and SORT_RO do to their source, whatever its size. */
  convertToSkiplist(): void {
    this.listpack = false;
  }

  /** zsetConvertToListpackIfNeeded: used by store commands' results. -0 scores become 0 as in a listpack. */
  convertToListpackIfFits(config: KeyspaceConfig, maxMemberLength: number): void {
    if (this.listpack) return;
    if (this.size > config.zsetMaxListpackEntries || maxMemberLength > config.zsetMaxListpackValue) return;
    this.listpack = true;
    for (let n = this.header.next[0] ?? null; n !== null; n = n.next[0] ?? null) if (n.score === 0) n.score = 0;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Point operations

  score(member: Bytes): number | undefined {
    return this.dict.get(member)?.value.score;
  }

  node(member: Bytes): ZNode | undefined {
    return this.dict.get(member)?.value;
  }

  /** Adds a member the caller checked is absent. */
  insert(member: Bytes, score: number): ZNode {
    const stored = this.listpack && score === 0 ? 0 : score;
    const node = this.slInsert(member, stored);
    this.dict.set(member, node);
    return node;
  }

  /** Changes the score of a present member (zslUpdateScore: in place when its position does not change). */
  update(node: ZNode, score: number): void {
    const stored = this.listpack && score === 0 ? 0 : score;
    const prev = node.backward;
    const next = node.next[0] ?? null;
    if ((prev === null || before(prev.score, prev.member, stored, node.member)) &&
      (next === null || before(stored, node.member, next.score, next.member))) {
      node.score = stored;
      return;
    }
    // zslUpdateScore: unlink, then link the same node (and level) at its new place; the dict entry stays.
    this.slDelete(node.score, node.member);
    node.score = stored;
    this.slInsert(node.member, stored, node);
  }

  /** Removes a member; true when it was present. */
  remove(member: Bytes): boolean {
    const entry = this.dict.get(member);
    if (entry === undefined) return false;
    this.slDelete(entry.value.score, member);
    this.dict.delete(member);
    return true;
  }

  /** 0-based rank of a member from the lowest (or, `reverse`, the highest), or -1 when absent. */
  rank(member: Bytes, reverse = false): number {
    const entry = this.dict.get(member);
    if (entry === undefined) return -1;
    const rank = this.slRank(entry.value.score, member);
    return reverse ? this.size - rank : rank - 1;
  }

  /** Node at 0-based rank `index` (0 <= index < size). */
  at(index: number): ZNode {
    let x = this.header;
    let traversed = 0;
    const target = index + 1;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const next = x.next[i] ?? null;
        if (next === null || traversed + (x.span[i] ?? 0) > target) break;
        traversed += x.span[i] ?? 0;
        x = next;
        zsetWork.steps++;
      }
      if (traversed === target) return x;
    }
    throw new Error(`assertion failed: rank ${index} outside a zset of ${this.size}`);
  }

  first(): ZNode | null {
    return this.header.next[0] ?? null;
  }

  last(): ZNode | null {
    return this.tail;
  }

  /** The neighbour of `node` in rank order (`reverse` walks down); null past the end. */
  step(node: ZNode, reverse: boolean): ZNode | null {
    return reverse ? node.backward : node.next[0] ?? null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Ranges

  /** zslFirstInRange for scores: the lowest node in range, or null. */
  firstInScoreRange(range: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(range)) return null;
    return this.firstWhere((n) => scoreAboveMin(n.score, range), (n) => scoreBelowMax(n.score, range));
  }

  /** zslLastInRange for scores: the highest node in range, or null. */
  lastInScoreRange(range: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(range)) return null;
    return this.lastWhere((n) => scoreAboveMin(n.score, range), (n) => scoreBelowMax(n.score, range));
  }

  /**
   * Lex ranges are meaningful only when all scores are equal; otherwise Redis's answer depends on the walk. A
   * listpack is walked linearly (zzlFirstInLexRange), so that case matches Redis exactly.
   */
  firstInLexRange(range: LexRange): ZNode | null {
    if (this.listpack) return this.lexScan(range, false);
    if (lexRangeEmpty(range)) return null;
    return this.firstWhere((n) => lexAboveMin(n.member, range), (n) => lexBelowMax(n.member, range));
  }

  lastInLexRange(range: LexRange): ZNode | null {
    if (this.listpack) return this.lexScan(range, true);
    if (lexRangeEmpty(range)) return null;
    return this.lastWhere((n) => lexAboveMin(n.member, range), (n) => lexBelowMax(n.member, range));
  }

  /** True when the range may hold elements: the last is not below min, the first not above max (zslIsInRange). */
  private overlaps(aboveMin: (n: ZNode) => boolean, belowMax: (n: ZNode) => boolean): boolean {
    const head = this.header.next[0] ?? null;
    return this.tail !== null && head !== null && aboveMin(this.tail) && belowMax(head);
  }

  /** Descends to the last node below the range, then checks the next one against max. */
  private firstWhere(aboveMin: (n: ZNode) => boolean, belowMax: (n: ZNode) => boolean): ZNode | null {
    if (!this.overlaps(aboveMin, belowMax)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i] ?? null; next !== null && !aboveMin(next); next = x.next[i] ?? null) {
        x = next;
        zsetWork.steps++;
      }
    }
    const node = x.next[0] ?? null;
    return node !== null && belowMax(node) ? node : null;
  }

  /** Descends to the last node not above max, then checks it against min. */
  private lastWhere(aboveMin: (n: ZNode) => boolean, belowMax: (n: ZNode) => boolean): ZNode | null {
    if (!this.overlaps(aboveMin, belowMax)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i] ?? null; next !== null && belowMax(next); next = x.next[i] ?? null) {
        x = next;
        zsetWork.steps++;
      }
    }
    return x !== this.header && aboveMin(x) ? x : null;
  }

  /** zzlFirstInLexRange / zzlLastInLexRange: a linear walk from one end. */
  private lexScan(range: LexRange, reverse: boolean): ZNode | null {
    if (lexRangeEmpty(range) || this.tail === null || !lexAboveMin(this.tail.member, range)) return null;
    const head = this.header.next[0] ?? null;
    if (head === null || !lexBelowMax(head.member, range)) return null;
    for (let n: ZNode | null = reverse ? this.tail : head; n !== null; n = reverse ? n.backward : n.next[0] ?? null) {
      if (reverse ? lexBelowMax(n.member, range) : lexAboveMin(n.member, range)) {
        return reverse ? (lexAboveMin(n.member, range) ? n : null) : (lexBelowMax(n.member, range) ? n : null);
      }
    }
    return null;
  }

  /** ZLEXCOUNT: by ranks in a skiplist; by walking in a listpack, as Redis does. */
  lexCount(range: LexRange): number {
    const first = this.firstInLexRange(range);
    if (first === null) return 0;
    if (!this.listpack) return this.rankOf(this.lastInLexRange(range)!) - this.rankOf(first) + 1;
    let count = 0;
    for (let n: ZNode | null = first; n !== null && lexBelowMax(n.member, range); n = n.next[0] ?? null) count++;
    return count;
  }

  /** 0-based rank of a node in the set. */
  rankOf(node: ZNode): number {
    return this.slRank(node.score, node.member) - 1;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Skip list (zslInsert, zslDeleteNode, zslGetRank)

  /** zslInsert; `reuse` is an unlinked node to link again (score update) instead of a new one. */
  private slInsert(member: Bytes, score: number, reuse?: ZNode): ZNode {
    const update = UPDATE_SCRATCH;
    const rank = RANK_SCRATCH;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      for (let next = x.next[i] ?? null; next !== null && before(next.score, next.member, score, member); next = x.next[i] ?? null) {
        rank[i]! += x.span[i] ?? 0;
        x = next;
        zsetWork.steps++;
      }
      update[i] = x;
    }
    const level = reuse === undefined ? randomLevel() : reuse.next.length;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = level;
    }
    const node = reuse ?? new ZNode(member, score, level);
    this.length++;
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i] ?? null;
      u.next[i] = node;
      node.span[i] = (u.span[i] ?? 0) - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]! += 1;
    node.backward = update[0] === this.header ? null : update[0]!;
    const after = node.next[0] ?? null;
    if (after !== null) after.backward = node;
    else this.tail = node;
    return node;
  }

  private slDelete(score: number, member: Bytes): void {
    const update = UPDATE_SCRATCH;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i] ?? null; next !== null && before(next.score, next.member, score, member); next = x.next[i] ?? null) {
        x = next;
        zsetWork.steps++;
      }
      update[i] = x;
    }
    const node = x.next[0] ?? null;
    if (node === null || node.score !== score || node.member !== member) {
      throw new Error('assertion failed: zset member missing from its skip list');
    }
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.next[i] === node) {
        u.span[i]! += (node.span[i] ?? 0) - 1;
        u.next[i] = node.next[i] ?? null;
      } else {
        u.span[i]! -= 1;
      }
    }
    const after = node.next[0] ?? null;
    if (after !== null) after.backward = node.backward;
    else this.tail = node.backward;
    this.length--;
    while (this.level > 1 && (this.header.next[this.level - 1] ?? null) === null) this.level--;
  }

  /** 1-based rank of a present element. */
  private slRank(score: number, member: Bytes): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i] ?? null; next !== null && !before(score, member, next.score, next.member); next = x.next[i] ?? null) {
        rank += x.span[i] ?? 0;
        x = next;
        zsetWork.steps++;
      }
      if (x !== this.header && x.member === member) return rank;
    }
    throw new Error('assertion failed: zset member missing from its skip list');
  }
}

function maxMemberLength(zset: ZSetValue): number {
  let max = 0;
  for (const [member] of zset.entries()) if (member.length > max) max = member.length;
  return max;
}
