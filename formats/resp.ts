/**
 * RESP request decoding: the bytes a client sends, turned into argument vectors.
 *
 * Owns the wire grammar of requests (multibulk `*N\r\n$L\r\n...` and inline commands) and its limits. It does
 * not own replies (see `resp-writer.ts`), connection state or policy: on a violation it returns an error value
 * with the byte offset, and the caller decides (the server replies `-ERR Protocol error: ...` and closes).
 *
 * Layout of a multibulk request (redis `src/networking.c`, processMultibulkBuffer):
 *
 *     *<count>\r\n            count   <= maxMultibulkCount (1024*1024*1024 in Redis: we take it as an argument)
 *     $<length>\r\n<bytes>\r\n   length <= maxBulkBytes (`proto-max-bulk-len`)
 *
 * The parser is incremental: `parse` consumes as many whole commands as the buffer holds and remembers how far it
 * got inside a partial one, so a 512 MB argument arriving in 64 KB reads is scanned once, not once per read.
 * Arguments are latin1 strings (one char per byte), sliced straight from the connection's buffer.
 */


import type { Bytes } from "./bytes.js";

export interface RequestLimits {
  /** `proto-max-bulk-len`: the largest single argument. */
  maxBulkBytes: number;
  /** Largest argument count of one multibulk request. */
  maxMultibulkCount: number;
  /** Largest inline request line (Redis: PROTO_INLINE_MAX_SIZE, 64 KB). */
  maxInlineBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBulkBytes: 512 * 1024 * 1024,
  maxMultibulkCount: 1024 * 1024 * 1024,
  maxInlineBytes: 64 * 1024,
};

export interface ProtocolError {
  kind: 'protocol-error';
  /** The text after `-ERR Protocol error: `, as Redis words it. */
  message: string;
  /** Byte offset in the stream since the parser was created. */
  offset: number;
}

const CR = 13;
const LF = 10;

/**
 * Incremental request parser over one connection's input.
 *
 * Outcomes of `parse(buf, start, end)`:
 * - returns the index of the first byte it did not consume (a partial command stays in the buffer, and the
 *   parser remembers its progress inside it); each whole command is handed to `onCommand` as it is found;
 * - returns a ProtocolError when the bytes break the grammar or a limit: nothing after it is consumed.
 * `onCommand` returning false stops parsing after that command (the client blocked, or asked to close).
 */
export class RequestParser {
  private readonly limits: RequestLimits;
  /** Arguments of the multibulk command being assembled. */
  private args: Bytes[] = [];
  /** Arguments still expected in the current multibulk, or 0 when between commands. */
  private argsPending = 0;
  /** Declared length of the bulk being read, or -1 when a `$` header is expected next. */
  private bulkBytes = -1;
  /** Offset of the consumed stream, for error reports. */
  private consumedBytes = 0;
  /** Whether the current command is inline (true) or multibulk; null between commands. */
  inlineRequest = false;

  constructor(limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {
    this.limits = limits;
  }

  /** Bytes the parser wants at least, so a caller can size its buffer for a big bulk argument. */
  get bulkBytesExpected(): number {
    return this.bulkBytes < 0 ? 0 : this.bulkBytes + 2;
  }

  /** True when the parser is between commands (no partial command remembered). */
  get idle(): boolean {
    return this.argsPending === 0;
  }

  parse(
    buf: Buffer,
    start: number,
    end: number,
    onCommand: (args: Bytes[]) => boolean,
  ): number | ProtocolError {
    let pos = start;
    while (pos < end) {
      if (this.argsPending === 0) {
        const first = buf[pos];
        if (first !== 42 /* '*' */) {
          const result = this.parseInline(buf, pos, end, onCommand);
          if (typeof result !== 'number') return result;
          if (result === pos) return pos;
          this.consumedBytes += result - pos;
          pos = result;
          if (this.stopRequested) {
            this.stopRequested = false;
            return pos;
          }
          continue;
        }
        const lineEnd = findCRLF(buf, pos + 1, end);
        if (lineEnd < 0) {
          if (end - pos > this.limits.maxInlineBytes) return this.error('too big mbulk count string', pos);
          return pos;
        }
        const count = parseDecimal(buf, pos + 1, lineEnd);
        if (count === null || count > this.limits.maxMultibulkCount) {
          return this.error('invalid multibulk length', pos);
        }
        this.consumedBytes += lineEnd + 2 - pos;
        pos = lineEnd + 2;
        if (count <= 0) continue; // `*0` and `*-1` are empty requests: skipped, as Redis does.
        this.argsPending = count;
        this.args = [];
        this.bulkBytes = -1;
        // The header may end exactly at the end of the input: the bytes after `end` are not ours to read.
        if (pos >= end) return pos;
      }
      // Inside a multibulk command.
      if (this.bulkBytes < 0) {
        if (buf[pos] !== 36 /* '$' */) {
          return this.error(`expected '$', got '${String.fromCharCode(buf[pos] ?? 0)}'`, pos);
        }
        const lineEnd = findCRLF(buf, pos + 1, end);
        if (lineEnd < 0) {
          if (end - pos > this.limits.maxInlineBytes) return this.error('too big bulk count string', pos);
          return pos;
        }
        const length = parseDecimal(buf, pos + 1, lineEnd);
        if (length === null || length < 0 || length > this.limits.maxBulkBytes) {
          return this.error('invalid bulk length', pos);
        }
        this.consumedBytes += lineEnd + 2 - pos;
        pos = lineEnd + 2;
        this.bulkBytes = length;
      }
      if (end - pos < this.bulkBytes + 2) return pos;
      this.args.push(this.args.length === 0 ? this.commandName(buf, pos, this.bulkBytes) : buf.latin1Slice(pos, pos + this.bulkBytes));
      // Redis does not check the CRLF after a bulk: it skips two bytes whatever they are.
      this.consumedBytes += this.bulkBytes + 2;
      pos += this.bulkBytes + 2;
      this.bulkBytes = -1;
      this.argsPending--;
      if (this.argsPending === 0) {
        const args = this.args;
        this.args = [];
        this.inlineRequest = false;
        if (!onCommand(args)) return pos;
      }
    }
    return pos;
  }

  private stopRequested = false;

  /** Recently seen command names, most recent first (at most NAMES_MAX, each at most NAME_BYTES_MAX bytes). */
  private readonly names: Bytes[] = [];

  /**
   * The first argument of a multibulk request as a string, reusing the string of an earlier request with the
   * same bytes: a client repeats a handful of command names, and a reused string skips the slice and comes with
   * its hash already computed for the command table lookup.
   */
  private commandName(buf: Buffer, pos: number, length: number): Bytes {
    if (length > NAME_BYTES_MAX) return buf.latin1Slice(pos, pos + length);
    const names = this.names;
    for (let n = 0; n < names.length; n++) {
      const name = names[n]!;
      if (name.length !== length) continue;
      let i = 0;
      while (i < length && name.charCodeAt(i) === buf[pos + i]) i++;
      if (i === length) return name;
    }
    const name = buf.latin1Slice(pos, pos + length);
    if (names.length >= NAMES_MAX) names.pop();
    names.unshift(name);
    return name;
  }

  private parseInline(
    buf: Buffer,
    pos: number,
    end: number,
    onCommand: (args: Bytes[]) => boolean,
  ): number | ProtocolError {
    const newline = buf.indexOf(LF, pos);
    // Redis looks for the newline with strchr, which stops at a NUL byte: a NUL before the newline leaves the
    // request incomplete until the inline limit cuts it off. Matching that keeps replies identical.
    if (newline < 0 || newline >= end || hasNul(buf, pos, newline)) {
      if (end - pos > this.limits.maxInlineBytes) return this.error('too big inline request', pos);
      return pos;
    }
    let lineEnd = newline;
    if (lineEnd > pos && buf[lineEnd - 1] === CR) lineEnd--;
    const args = splitInlineArgs(buf.latin1Slice(pos, lineEnd));
    if (args === null) return this.error('unbalanced quotes in request', pos);
    if (args.length > 0) {
      this.inlineRequest = true;
      if (!onCommand(args)) this.stopRequested = true;
    }
    return newline + 1;
  }

  private error(message: string, pos: number): ProtocolError {
    void pos;
    return { kind: 'protocol-error', message, offset: this.consumedBytes };
  }
}

function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

/** Command names remembered per parser, and the longest remembered (Redis's longest is 20 bytes). */
const NAMES_MAX = 8;
const NAME_BYTES_MAX = 32;
/** Header lines (`*3`, `$16`) are a few bytes: scanning this far in JS beats a native `indexOf` call. */
const SHORT_LINE_BYTES = 32;

/** Index of the CR of the first CRLF at or after `from`, or -1. */
function findCRLF(buf: Buffer, from: number, end: number): number {
  const stop = Math.min(end - 1, from + SHORT_LINE_BYTES);
  for (let i = from; i < stop; i++) {
    if (buf[i] === CR && buf[i + 1] === LF) return i;
  }
  if (stop < from || stop === end - 1) return -1;
  let i = buf.indexOf(CR, stop);
  while (i >= 0 && i + 1 < end) {
    if (buf[i + 1] === LF) return i;
    i = buf.indexOf(CR, i + 1);
  }
  return -1;
}

/** Parses an optionally negative decimal in [start, end); null on any other byte or an empty field. */
function parseDecimal(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 18) return null;
  let negative = false;
  let i = start;
  if (buf[i] === 45 /* '-' */) {
    negative = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = (buf[i] ?? 0) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return negative ? -n : n;
}

/**
 * Splits an inline request line the way redis-cli users expect (redis `sdssplitargs`): whitespace separates
 * arguments, "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take only \'.
 * A closing quote must be followed by whitespace or the end. Returns null on unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (inDouble) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inDouble = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inSingle = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else {
        if (i >= n) break;
        const c = line[i]!;
        if (isSpace(c.charCodeAt(0))) break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      i++;
    }
    args.push(current);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
