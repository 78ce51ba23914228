/**
 * List values: Redis 7.0's quicklist, node for node.
 *
 * Redis 7.0 keeps every list in a quicklist (a linked list of listpack nodes) and reports `quicklist` for all of
 * them. The node layout shows in DUMP and in the RDB file, and it depends on the list's history (LPUSH onto a
 * full head node opens a new node, LINSERT into a full node splits it and merges the neighbours, deletions leave
 * nodes partly empty), so this class keeps the same nodes Redis would: each node holds its elements and the byte
 * size of the listpack Redis would hold for them (redis src/quicklist.c: node->sz), and every operation takes the
 * decisions quicklist.c takes (_quicklistNodeAllowInsert, _quicklistInsert, _quicklistSplitNode,
 * _quicklistMergeNodes, quicklistDelIndex, quicklistDelRange, quicklistReplaceEntry). The node limit (`fill`,
 * list-max-listpack-size) is fixed when the list is created, as quicklistSetOptions does, so CONFIG SET changes
 * only lists created afterwards. Plain nodes (elements over 1 GB) and node compression are not modelled: neither
 * changes the elements, and compression changes no DUMP bytes while rdbcompression is on.
 *
 * Cost: pushes and pops at both ends are O(1) amortised (plus a node array shift when a node opens or empties);
 * indexing walks the nodes from the nearer end or from the last position looked up, so a scan by ascending index
 * is O(1) per step.
 */
import { listpackEntryBytes } from '../../formats/index.js';
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';

/** A quicklist node: its elements and the bytes of its listpack (header 6 + entries + EOF 1). */
interface ListNode {
  items: Bytes[];
  bytes: number;
}

/** An empty listpack: <total-bytes u32> <count u16> <EOF>. */
const LISTPACK_EMPTY_BYTES = 7;
/** Redis quicklist.c optimization_level: node byte limits for fill -1..-5. */
const NODE_BYTES_LIMITS = [4096, 8192, 16384, 32768, 65536] as const;
/** quicklist.c SIZE_SAFETY_LIMIT: a count-limited node (fill > 0) stays under this many bytes too. */
const SIZE_SAFETY_LIMIT = 8192;
/** quicklist.c SIZE_ESTIMATE_OVERHEAD: what _quicklistNodeAllowInsert adds to an element's length. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** quicklistSetFill clamps to [-5, 1 << 15]. */
const FILL_MAX = 1 << 15;
const FILL_DEFAULT = -2;

function clampFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill;
}

/** _quicklistNodeSizeMeetsOptimizationRequirement. */
function meetsSizeLimit(bytes: number, fill: number): boolean {
  if (fill >= 0) return false;
  const limit = NODE_BYTES_LIMITS[-fill - 1];
  return limit !== undefined && bytes <= limit;
}

/** _quicklistNodeAllowInsert for an element of `length` bytes (its string length, as Redis passes it). */
function allowInsert(node: ListNode | undefined, fill: number, length: number): boolean {
  if (node === undefined) return false;
  const estimate = node.bytes + length + SIZE_ESTIMATE_OVERHEAD;
  if (meetsSizeLimit(estimate, fill)) return true;
  if (estimate > SIZE_SAFETY_LIMIT) return false;
  return node.items.length < fill;
}

/** _quicklistNodeAllowMerge. */
function allowMerge(a: ListNode | undefined, b: ListNode | undefined, fill: number): boolean {
  if (a === undefined || b === undefined) return false;
  const merged = a.bytes + b.bytes - LISTPACK_EMPTY_BYTES;
  if (meetsSizeLimit(merged, fill)) return true;
  if (merged > SIZE_SAFETY_LIMIT) return false;
  return a.items.length + b.items.length <= fill;
}

function nodeOf(items: Bytes[]): ListNode {
  let bytes = LISTPACK_EMPTY_BYTES;
  for (const item of items) bytes += listpackEntryBytes(item);
  return { items, bytes };
}

export class ListValue {
  readonly kind = 'list' as const;
  private nodes: ListNode[] = [];
  private count = 0;
  /** list-max-listpack-size when the list was created (quicklist->fill). */
  private readonly fill: number;
  /** list-compress-depth when the list was created (quicklist->compress; DEBUG OBJECT ql_compressed). */
  readonly compressDepth: number;
  /** Last node looked up and the list index of its first element (a hint; reset by structural changes). */
  private cursorNode = 0;
  private cursorStart = 0;

  private constructor(fill: number, compressDepth: number) {
    this.fill = clampFill(fill);
    this.compressDepth = compressDepth;
  }

  /**
   * An empty list with the node limit and compress depth of `config`, or quicklistCreate()'s defaults (-2, 0)
   * without one (SORT STORE); a command creating the key pushes right away.
   */
  static empty(config?: KeyspaceConfig): ListValue {
    return new ListValue(config?.listMaxListpackSize ?? FILL_DEFAULT, config?.listCompressDepth ?? 0);
  }

  /**
   * A list holding `items` in order, as Redis holds it after loading them (RDB load, RESTORE): in nodes of
   * `nodeCounts` elements when given (the file's nodes, kept as they are), else as tail pushes would cut them.
   */
  static fromItems(items: Bytes[], config: KeyspaceConfig, nodeCounts?: readonly number[]): ListValue {
    const list = new ListValue(config.listMaxListpackSize, config.listCompressDepth);
    if (nodeCounts !== undefined && nodeCounts.reduce((a, b) => a + b, 0) === items.length) {
      let at = 0;
      for (const n of nodeCounts) {
        if (n === 0) continue;
        list.nodes.push(nodeOf(items.slice(at, at + n)));
        at += n;
      }
      list.count = items.length;
    } else {
      for (const item of items) list.pushTail(item);
    }
    return list;
  }

  /** OBJECT ENCODING. Redis 7.0 reports every list as `quicklist`. */
  get encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.count;
  }

  /** Elements head to tail. */
  *items(): Iterable<Bytes> {
    for (const node of this.nodes) yield* node.items;
  }

  /** Element counts of the quicklist nodes, head to tail (RDB save, DUMP, DEBUG OBJECT). */
  nodeCounts(): number[] {
    return this.nodes.map((n) => n.items.length);
  }

  /** list-max-listpack-size the list was created with, clamped to [-5, 32768] (DEBUG OBJECT ql_listpack_max). */
  get listMaxListpackSize(): number {
    return this.fill;
  }

  /** Listpack byte sizes of the quicklist nodes, head to tail. */
  nodeBytes(): number[] {
    return this.nodes.map((n) => n.bytes);
  }

  /** A deep copy with the same nodes, node limit and compress depth (COPY: quicklistDup). */
  clone(): ListValue {
    const copy = new ListValue(this.fill, this.compressDepth);
    copy.nodes = this.nodes.map((n) => ({ items: n.items.slice(), bytes: n.bytes }));
    copy.count = this.count;
    return copy;
  }

  /** Element at 0-based `index` from the head; the caller checks 0 <= index < length. */
  at(index: number): Bytes {
    const n = this.locate(index);
    return this.nodes[n]!.items[index - this.cursorStart]!;
  }

  /** Replaces the element at `index` (0 <= index < length) in place (quicklistReplaceEntry: lpReplace). */
  setAt(index: number, value: Bytes): void {
    const node = this.nodes[this.locate(index)]!;
    const offset = index - this.cursorStart;
    node.bytes += listpackEntryBytes(value) - listpackEntryBytes(node.items[offset]!);
    node.items[offset] = value;
  }

  /** quicklistPushHead. */
  pushHead(value: Bytes): void {
    const head = this.nodes[0];
    if (head !== undefined && allowInsert(head, this.fill, value.length)) {
      head.items.unshift(value);
      head.bytes += listpackEntryBytes(value);
    } else {
      this.nodes.unshift(nodeOf([value]));
    }
    this.count++;
    this.resetCursor();
  }

  /** quicklistPushTail. */
  pushTail(value: Bytes): void {
    const tail = this.nodes[this.nodes.length - 1];
    if (tail !== undefined && allowInsert(tail, this.fill, value.length)) {
      tail.items.push(value);
      tail.bytes += listpackEntryBytes(value);
    } else {
      this.nodes.push(nodeOf([value]));
    }
    this.count++;
  }

  /** Removes and returns the head element, or undefined when empty. */
  popHead(): Bytes | undefined {
    const head = this.nodes[0];
    if (head === undefined) return undefined;
    const value = head.items.shift()!;
    this.afterDelete(0, value);
    return value;
  }

  /** Removes and returns the tail element, or undefined when empty. */
  popTail(): Bytes | undefined {
    const last = this.nodes.length - 1;
    const tail = this.nodes[last];
    if (tail === undefined) return undefined;
    const value = tail.items.pop()!;
    this.afterDelete(last, value);
    return value;
  }

  /** Elements from `start` to `end` inclusive, head to tail; the caller clamps to 0 <= start <= end < length. */
  range(start: number, end: number): Bytes[] {
    const out: Bytes[] = [];
    if (start > end) return out;
    let n = this.locate(start);
    let offset = start - this.cursorStart;
    let left = end - start + 1;
    while (left > 0) {
      const items = this.nodes[n]!.items;
      const take = Math.min(left, items.length - offset);
      for (let i = 0; i < take; i++) out.push(items[offset + i]!);
      left -= take;
      offset = 0;
      n++;
    }
    return out;
  }

  /** Inserts `value` so that it ends up at `index` (0 <= index <= length). */
  insertAt(index: number, value: Bytes): void {
    if (this.count === 0) return this.pushTail(value);
    if (index < this.count) this.insertBeside(index, false, value);
    else this.insertBeside(this.count - 1, true, value);
  }

  /**
   * Inserts `value` after (or before) the element at `pivot` (0 <= pivot < length), as LINSERT does
   * (_quicklistInsert): into the pivot's node when it has room; else into the neighbour node when the pivot is at
   * that edge and the neighbour has room; else into a new node when the pivot is at the edge; else the pivot's
   * node is split at the pivot, the value joins the split-off part, and the nodes around are merged if they fit.
   */
  insertBeside(pivot: number, after: boolean, value: Bytes): void {
    const n = this.locate(pivot);
    const node = this.nodes[n]!;
    const offset = pivot - this.cursorStart;
    const entryBytes = listpackEntryBytes(value);
    const full = !allowInsert(node, this.fill, value.length);
    const atTail = after && offset === node.items.length - 1;
    const atHead = !after && offset === 0;
    this.count++;
    this.resetCursor();
    if (!full) {
      node.items.splice(after ? offset + 1 : offset, 0, value);
      node.bytes += entryBytes;
      return;
    }
    if (atTail || atHead) {
      const neighbour = this.nodes[atTail ? n + 1 : n - 1];
      if (neighbour !== undefined && allowInsert(neighbour, this.fill, value.length)) {
        if (atTail) neighbour.items.unshift(value);
        else neighbour.items.push(value);
        neighbour.bytes += entryBytes;
      } else {
        this.nodes.splice(atTail ? n + 1 : n, 0, nodeOf([value]));
      }
      return;
    }
    // _quicklistSplitNode: `after` keeps [0, offset] in the node; before keeps [offset, end].
    const moved = after ? node.items.splice(offset + 1) : node.items.splice(0, offset);
    node.bytes = nodeOf(node.items).bytes;
    if (after) moved.unshift(value);
    else moved.push(value);
    this.nodes.splice(after ? n + 1 : n, 0, nodeOf(moved));
    this.mergeAround(after ? n : n + 1);
  }

  /** Removes the element at `index` (0 <= index < length): quicklistDelIndex, which never merges nodes. */
  removeAt(index: number): void {
    const n = this.locate(index);
    const [value] = this.nodes[n]!.items.splice(index - this.cursorStart, 1);
    this.afterDelete(n, value!);
  }

  /** Keeps only elements [start, end] (0 <= start <= end < length), or empties the list when start > end. */
  trim(start: number, end: number): void {
    if (start > end) {
      this.nodes = [];
      this.count = 0;
      this.resetCursor();
      return;
    }
    let at = 0;
    const kept: ListNode[] = [];
    for (const node of this.nodes) {
      const first = at;
      at += node.items.length;
      if (at <= start || first > end) continue;
      if (first >= start && at - 1 <= end) {
        kept.push(node);
        continue;
      }
      kept.push(nodeOf(node.items.slice(Math.max(start - first, 0), Math.min(end - first, node.items.length - 1) + 1)));
    }
    this.nodes = kept;
    this.count = end - start + 1;
    this.resetCursor();
  }

  /**
   * Removes elements equal to `value`: up to `limit` of them (0 = all), scanning from the head, or from the
   * tail when `fromTail`. Returns how many were removed. Nodes left empty go; the others are not merged.
   */
  removeMatching(value: Bytes, limit: number, fromTail: boolean): number {
    let removed = 0;
    const order = fromTail ? [...this.nodes.keys()].reverse() : [...this.nodes.keys()];
    for (const n of order) {
      if (limit !== 0 && removed >= limit) break;
      const node = this.nodes[n]!;
      const items = node.items;
      if (!items.includes(value)) continue;
      const keep = new Array<boolean>(items.length).fill(true);
      for (let k = 0; k < items.length; k++) {
        const i = fromTail ? items.length - 1 - k : k;
        if (items[i] === value && (limit === 0 || removed < limit)) {
          keep[i] = false;
          removed++;
        }
      }
      node.items = items.filter((_, i) => keep[i]);
      node.bytes = nodeOf(node.items).bytes;
    }
    if (removed > 0) {
      this.nodes = this.nodes.filter((node) => node.items.length > 0);
      this.count -= removed;
      this.resetCursor();
    }
    return removed;
  }

  /** Accounts for `value` having left node `n`; drops the node when it is empty (__quicklistDelNode). */
  private afterDelete(n: number, value: Bytes): void {
    const node = this.nodes[n]!;
    node.bytes -= listpackEntryBytes(value);
    this.count--;
    if (node.items.length === 0) {
      this.nodes.splice(n, 1);
      this.resetCursor();
    } else if (n === 0) {
      this.resetCursor();
    }
  }

  /**
   * _quicklistMergeNodes around node `center`: prev_prev+prev, next+next_next, then center with prev, then the
   * result with its next, each when the merged listpack would fit (_quicklistNodeAllowMerge).
   */
  private mergeAround(center: number): void {
    const fill = this.fill;
    const nodes = this.nodes;
    if (center >= 2 && allowMerge(nodes[center - 1], nodes[center - 2], fill)) {
      this.mergeInto(center - 2);
      center--;
    }
    if (allowMerge(nodes[center + 1], nodes[center + 2], fill)) this.mergeInto(center + 1);
    let target = center;
    if (center >= 1 && allowMerge(nodes[center], nodes[center - 1], fill)) {
      this.mergeInto(center - 1);
      target = center - 1;
    }
    if (allowMerge(nodes[target], nodes[target + 1], fill)) this.mergeInto(target);
  }

  /** Appends node n + 1's elements to node n and drops node n + 1 (_quicklistListpackMerge). */
  private mergeInto(n: number): void {
    const a = this.nodes[n]!;
    const b = this.nodes[n + 1]!;
    for (const item of b.items) a.items.push(item);
    a.bytes += b.bytes - LISTPACK_EMPTY_BYTES;
    this.nodes.splice(n + 1, 1);
  }

  private resetCursor(): void {
    this.cursorNode = 0;
    this.cursorStart = 0;
  }

  /**
   * The node holding `index` (0 <= index < length); leaves `cursorStart` at that node's first list index. Walks
   * from the remembered node or from the nearer end of the list, whichever is closer.
   */
  private locate(index: number): number {
    const nodes = this.nodes;
    let n = this.cursorNode;
    let start = this.cursorStart;
    if (n >= nodes.length) {
      n = 0;
      start = 0;
    }
    if (index < start) {
      if (index < start - index) {
        n = 0;
        start = 0;
      }
    } else if (this.count - 1 - index < index - start) {
      n = nodes.length - 1;
      start = this.count - nodes[n]!.items.length;
    }
    while (index < start) {
      n--;
      start -= nodes[n]!.items.length;
    }
    while (index >= start + nodes[n]!.items.length) {
      start += nodes[n]!.items.length;
      n++;
    }
    this.cursorNode = n;
    this.cursorStart = start;
    return n;
  }
}
