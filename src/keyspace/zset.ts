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
 *
 * Layout ("tower cells"). A Redis node ends in an inline array of levels; here each level of a node is its own small
 * object with fields only (a `ZNode` cell): the level's forward link `next` and its `span`, a copy of the node's
 * `score` and `member`, and `down`/`up` to the node's cells one level below/above. The level-0 cell is the node
 * itself, the one the dict and the API hand out. A horizontal hop is then `x = x.next` and its comparison reads
 * `x.next.score` / `x.next.member` in the object just reached; going down a level is `x = x.down`, once per
 * level. In V8 an array is a separate heap object from its holder, so with per-node `next[]`/`span[]` arrays each
 * hop of a large set paid an extra cache/TLB miss: on the machine this was measured on a random dependent chase
 * cost about 190 ns a hop through an object field and about 650 ns through an array element. On a set of
 * 1,000,000 members (random scores, 300,000 operations, six runs), rank() of a random member (about 28 hops)
 * went from 15-22 us to 9-14 us (Redis: 2-3 us), at() from 4.5-5.8 to 2.1-3.1 us, update() from 16-20 to
 * 9-13 us and insert() from 10-13 to 6-8 us; the heap per member (dict included) from 285 to 221 bytes.
 * The copies cost little: an in-place score update writes every cell of its node (1.33 on average). The header
 * is a tower of cells too, grown with the set's level rather than 32 cells up front, so a small zset stays small.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';
import { Dict } from './dict.js';

/** ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P of redis `server.h`. */
const MAX_LEVEL = 32;
const LEVEL_P_NUMERATOR = 1; // p = 1/4
const LEVEL_P_BITS = 2;

/**
 * One level of one element of the order structure (a cell, see the file header). The level-0 cell is the
 * element's node: `member`, `score` and `backward` are what callers read. `next`/`span` are this level's link
 * and the ranks it skips; a cell above level 0 repeats its node's `member` and `score` so a descent compares
 * without leaving the cell, and `node` leads back to the level-0 cell. Every cell has all fields, set in the same
 * order, so V8 sees one shape.
 */
export class ZNode {
  member: Bytes;
  score: number;
  /** The previous node at level 0 (null for the first); null in cells above level 0. */
  backward: ZNode | null;
  next: ZNode | null;
  span: number;
  /** This node's cell one level below (null at level 0) and above (null at its top level). */
  down: ZNode | null;
  up: ZNode | null;
  /** The level-0 cell (the node itself there). */
  readonly node: ZNode;

  constructor(member: Bytes, score: number, node: ZNode | null, down: ZNode | null) {
    this.member = member;
    this.score = score;
    this.backward = null;
    this.next = null;
    this.span = 0;
    this.down = down;
    this.up = null;
    this.node = node ?? this;
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

/** Per-call scratch of zslInsert/zslDeleteNode (update[] cells and rank[]), shared: calls never nest. */
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
  /** The header node (its level-0 cell) and its tower: `heads[i]` is its level-i cell, for i < heads.length. */
  private readonly header = new ZNode('', 0, null, null);
  private readonly heads: ZNode[] = [this.header];
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
    for (let n = this.header.next; n !== null; n = n.next) yield [n.member, n.score];
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
    for (let n = this.header.next; n !== null; n = n.next) if (n.score === 0) setScore(n, 0);
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
    const next = node.next;
    if ((prev === null || before(prev.score, prev.member, stored, node.member)) &&
      (next === null || before(stored, node.member, next.score, next.member))) {
      setScore(node, stored);
      return;
    }
    // zslUpdateScore: unlink, then link the same node (and its cells) at its new place; the dict entry stays.
    this.slDelete(node.score, node.member);
    setScore(node, stored);
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
    const rank = this.slRank(entry.value);
    return reverse ? this.size - rank : rank - 1;
  }

  /** Node at 0-based rank `index` (0 <= index < size). */
  at(index: number): ZNode {
    let x = this.top();
    let traversed = 0;
    const target = index + 1;
    for (;;) {
      for (;;) {
        const next = x.next;
        if (next === null || traversed + x.span > target) break;
        traversed += x.span;
        x = next;
        zsetWork.steps++;
      }
      if (traversed === target) return x.node;
      if (x.down === null) break;
      x = x.down;
    }
    throw new Error(`assertion failed: rank ${index} outside a zset of ${this.size}`);
  }

  first(): ZNode | null {
    return this.header.next;
  }

  last(): ZNode | null {
    return this.tail;
  }

  /** The neighbour of `node` in rank order (`reverse` walks down); null past the end. */
  step(node: ZNode, reverse: boolean): ZNode | null {
    return reverse ? node.backward : node.next;
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
    const head = this.header.next;
    return this.tail !== null && head !== null && aboveMin(this.tail) && belowMax(head);
  }

  /**
   * Descends to the last node below the range, then checks the next one against max. The predicates see cells
   * of every level, which carry their node's score and member.
   */
  private firstWhere(aboveMin: (n: ZNode) => boolean, belowMax: (n: ZNode) => boolean): ZNode | null {
    if (!this.overlaps(aboveMin, belowMax)) return null;
    let x = this.top();
    for (;;) {
      for (let next = x.next; next !== null && !aboveMin(next); next = x.next) {
        x = next;
        zsetWork.steps++;
      }
      if (x.down === null) break;
      x = x.down;
    }
    const node = x.next;
    return node !== null && belowMax(node) ? node : null;
  }

  /** Descends to the last node not above max, then checks it against min. */
  private lastWhere(aboveMin: (n: ZNode) => boolean, belowMax: (n: ZNode) => boolean): ZNode | null {
    if (!this.overlaps(aboveMin, belowMax)) return null;
    let x = this.top();
    for (;;) {
      for (let next = x.next; next !== null && belowMax(next); next = x.next) {
        x = next;
        zsetWork.steps++;
      }
      if (x.down === null) break;
      x = x.down;
    }
    return x !== this.header && aboveMin(x) ? x : null;
  }

  /** zzlFirstInLexRange / zzlLastInLexRange: a linear walk from one end. */
  private lexScan(range: LexRange, reverse: boolean): ZNode | null {
    if (lexRangeEmpty(range) || this.tail === null || !lexAboveMin(this.tail.member, range)) return null;
    const head = this.header.next;
    if (head === null || !lexBelowMax(head.member, range)) return null;
    for (let n: ZNode | null = reverse ? this.tail : head; n !== null; n = reverse ? n.backward : n.next) {
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
    for (let n: ZNode | null = first; n !== null && lexBelowMax(n.member, range); n = n.next) count++;
    return count;
  }

  /** 0-based rank of a node in the set. */
  rankOf(node: ZNode): number {
    return this.slRank(node) - 1;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Skip list (zslInsert, zslDeleteNode, zslGetRank)

  /** The header's cell at the set's top level, where every descent starts. */
  private top(): ZNode {
    return this.heads[this.level - 1]!;
  }

  /** zslInsert; `reuse` is an unlinked node to link again (score update) with its cells instead of a new one. */
  private slInsert(member: Bytes, score: number, reuse?: ZNode): ZNode {
    const update = UPDATE_SCRATCH;
    const rank = RANK_SCRATCH;
    let x = this.top();
    let traversed = 0;
    for (let i = this.level - 1; ; i--) {
      for (let next = x.next; next !== null && before(next.score, next.member, score, member); next = x.next) {
        traversed += x.span;
        x = next;
        zsetWork.steps++;
      }
      rank[i] = traversed;
      update[i] = x;
      if (x.down === null) break;
      x = x.down;
    }
    let level = 1;
    if (reuse === undefined) level = randomLevel();
    else for (let c = reuse.up; c !== null; c = c.up) level++;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        const head = this.heads[i] ?? this.growHeader();
        rank[i] = 0;
        update[i] = head;
        head.span = this.length;
      }
      this.level = level;
    }
    const node = reuse ?? new ZNode(member, score, null, null);
    this.length++;
    const rank0 = rank[0]!;
    let cell = node;
    for (let i = 0; i < level; i++) {
      if (i > 0) {
        // A reused node keeps its cells (their scores already set by update()); a new one grows them here.
        const above: ZNode = cell.up ?? new ZNode(member, score, node, cell);
        cell.up = above;
        cell = above;
      }
      const u = update[i]!;
      cell.next = u.next;
      u.next = cell;
      cell.span = u.span - (rank0 - rank[i]!);
      u.span = rank0 - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span += 1;
    node.backward = update[0] === this.header ? null : update[0]!;
    const after = node.next;
    if (after !== null) after.backward = node;
    else this.tail = node;
    return node;
  }

  /** Adds the header's cell one level above its tallest; slInsert asks for the levels above it in order. */
  private growHeader(): ZNode {
    const below = this.heads[this.heads.length - 1]!;
    const head = new ZNode(this.header.member, this.header.score, this.header, below);
    below.up = head;
    this.heads.push(head);
    return head;
  }

  private slDelete(score: number, member: Bytes): void {
    const update = UPDATE_SCRATCH;
    let x = this.top();
    for (let i = this.level - 1; ; i--) {
      for (let next = x.next; next !== null && before(next.score, next.member, score, member); next = x.next) {
        x = next;
        zsetWork.steps++;
      }
      update[i] = x;
      if (x.down === null) break;
      x = x.down;
    }
    const node = x.next;
    if (node === null || node.score !== score || node.member !== member) {
      throw new Error('assertion failed: zset member missing from its skip list');
    }
    // The node's cells are update[i].next for each of its levels, from 0 up.
    let cell: ZNode | null = node;
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (cell !== null && u.next === cell) {
        u.span += cell.span - 1;
        u.next = cell.next;
        cell = cell.up;
      } else {
        u.span -= 1;
      }
    }
    const after = node.next;
    if (after !== null) after.backward = node.backward;
    else this.tail = node.backward;
    this.length--;
    while (this.level > 1 && this.top().next === null) this.level--;
  }

  /**
   * 1-based rank of a linked node. The descent stops on reaching one of the node's cells: an identity test,
   * where comparing member strings at every level would cost a string compare each time.
   */
  private slRank(node: ZNode): number {
    const { score, member } = node;
    let rank = 0;
    let x = this.top();
    for (;;) {
      for (let next = x.next; next !== null && !before(score, member, next.score, next.member); next = x.next) {
        rank += x.span;
        x = next;
        zsetWork.steps++;
      }
      if (x.node === node) return rank;
      if (x.down === null) break;
      x = x.down;
    }
    throw new Error('assertion failed: zset member missing from its skip list');
  }
}

/** Sets a node's score in each of its cells (the copies above level 0 serve the descents' comparisons). */
function setScore(node: ZNode, score: number): void {
  for (let cell: ZNode | null = node; cell !== null; cell = cell.up) cell.score = score;
}

function maxMemberLength(zset: ZSetValue): number {
  let max = 0;
  for (const [member] of zset.entries()) if (member.length > max) max = member.length;
  return max;
}
