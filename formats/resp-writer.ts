/**
 * RESP reply encoding into a growable byte buffer, in RESP2 or RESP3.
 *
 * One `ReplyWriter` serves one connection: commands append replies, the server takes the bytes once per
 * event-loop turn and writes them to the socket in one call. The protocol version changes how nulls, maps, sets,
 * doubles and pushes are spelled; callers say what they mean (`map(n)`, `double(x)`) and never branch on it.
 *
 *     RESP2                        RESP3
 *     $-1\r\n / *-1\r\n (nulls)    _\r\n
 *     *<2n>\r\n (map)              %<n>\r\n
 *     *<n>\r\n (set)               ~<n>\r\n
 *     $<len>\r\n<%.17g>\r\n        ,<double>\r\n
 *     *<n>\r\n (push)              ><n>\r\n
 */


import type { Bytes } from "./bytes.js";

const INITIAL_BYTES = 16 * 1024;
/** Replies up to this size are copied out by `take` (into Node's shared small-buffer pool below 4 KB). */
const TAKE_COPY_MAX_BYTES = 4 * 1024;

/**
 * Up to this many bytes are copied by a JS loop instead of a native call (`latin1Write`, `set`), whose fixed cost
 * is larger than the copy for a short reply such as `+OK` or `:1` (redis-benchmark -P 16, BENCHMARKS.md).
 */
const SHORT_BYTES = 32;
const OK_REPLY = Buffer.from('+OK\r\n', 'latin1');

/** Pre-encoded small integer replies and bulk headers: most replies are one of these. */
const SMALL_MAX = 1024;
const integerReplies: Buffer[] = [];
const bulkHeaders: Buffer[] = [];
const arrayHeaders: Buffer[] = [];
for (let i = 0; i < SMALL_MAX; i++) {
  integerReplies.push(Buffer.from(`:${i}\r\n`, 'latin1'));
  bulkHeaders.push(Buffer.from(`$${i}\r\n`, 'latin1'));
  arrayHeaders.push(Buffer.from(`*${i}\r\n`, 'latin1'));
}

export class ReplyWriter {
  /** 2 or 3. */
  protocol: 2 | 3 = 2;
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;

  get pendingBytes(): number {
    return this.length;
  }

  /**
   * The bytes written so far; the writer is empty afterwards. The returned Buffer is not reused.
   * Small replies (the common case: one turn of a client's commands) are copied out and the writer keeps its
   * buffer: a fresh 16 KB buffer per flush was a quarter of the CPU time in GC under redis-benchmark -P 1
   * (bench/server.ts). Large ones hand the buffer over instead of copying it.
   */
  take(): Buffer {
    const length = this.length;
    this.length = 0;
    if (length <= TAKE_COPY_MAX_BYTES) {
      const out = Buffer.allocUnsafe(length);
      this.buf.copy(out, 0, 0, length);
      return out;
    }
    const out = this.buf.subarray(0, length);
    this.buf = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, Math.min(this.buf.length, 1 << 20)));
    return out;
  }

  /** A copy of the bytes written since `mark`, leaving them in place (MULTI bookkeeping, tests). */
  slice(mark: number): Buffer {
    return Buffer.from(this.buf.subarray(mark, this.length));
  }

  /** Drops everything written after `mark` (used to take back a reply). */
  truncate(mark: number): void {
    this.length = mark;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.reserve(n);
    if (n > SHORT_BYTES) {
      this.buf.set(bytes, this.length);
      this.length += n;
      return;
    }
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) buf[at++] = bytes[i]!;
    this.length = at;
  }

  /** Appends latin1 text as bytes. */
  text(s: string): void {
    const n = s.length;
    this.reserve(n);
    if (n > SHORT_BYTES) {
      this.length += this.buf.latin1Write(s, this.length, n);
      return;
    }
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.length = at;
  }

  simple(s: string): void {
    this.text('+' + s + '\r\n');
  }

  ok(): void {
    this.raw(OK_REPLY);
  }

  /** `message` is the full error line without the leading '-', e.g. `ERR syntax error`. */
  error(message: string): void {
    this.text('-' + message + '\r\n');
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < SMALL_MAX && Number.isInteger(n)) {
      this.raw(integerReplies[n]!);
      return;
    }
    this.text(':' + String(n) + '\r\n');
  }

  bulk(s: Bytes): void {
    const n = s.length;
    if (n < SMALL_MAX) this.raw(bulkHeaders[n]!);
    else this.text('$' + n + '\r\n');
    this.text(s);
    this.reserve(2);
    this.buf[this.length++] = 13;
    this.buf[this.length++] = 10;
  }

  bulkBuffer(b: Uint8Array): void {
    this.text('$' + b.length + '\r\n');
    this.raw(b);
    this.text('\r\n');
  }

  /** A bulk string or the null bulk. */
  bulkOrNull(s: Bytes | null | undefined): void {
    if (s === null || s === undefined) this.nullBulk();
    else this.bulk(s);
  }

  nullBulk(): void {
    this.text(this.protocol === 3 ? '_\r\n' : '$-1\r\n');
  }

  nullArray(): void {
    this.text(this.protocol === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    if (n < SMALL_MAX) this.raw(arrayHeaders[n]!);
    else this.text('*' + n + '\r\n');
  }

  map(pairs: number): void {
    if (this.protocol === 3) this.text('%' + pairs + '\r\n');
    else this.array(pairs * 2);
  }

  set(n: number): void {
    if (this.protocol === 3) this.text('~' + n + '\r\n');
    else this.array(n);
  }

  push(n: number): void {
    if (this.protocol === 3) this.text('>' + n + '\r\n');
    else this.array(n);
  }

  /**
   * A double reply. `formatted` is the RESP2 text Redis sends as a bulk string (callers format it with the
   * rules of the command: `%.17g` for scores); RESP3 sends `,<text>` with inf spelled `inf`/`-inf`.
   */
  double(formatted: string): void {
    if (this.protocol === 3) this.text(',' + formatted + '\r\n');
    else this.bulk(formatted);
  }

  boolean(value: boolean): void {
    if (this.protocol === 3) this.text(value ? '#t\r\n' : '#f\r\n');
    else this.integer(value ? 1 : 0);
  }

  /** Verbatim string (RESP3 `=`), a plain bulk in RESP2. `format` is three letters, e.g. `txt`. */
  verbatim(s: Bytes, format = 'txt'): void {
    if (this.protocol === 3) {
      this.text('=' + (s.length + 4) + '\r\n' + format + ':');
      this.text(s);
      this.text('\r\n');
    } else {
      this.bulk(s);
    }
  }

  bulkArray(items: readonly Bytes[]): void {
    this.array(items.length);
    for (const item of items) this.bulk(item);
  }
}
