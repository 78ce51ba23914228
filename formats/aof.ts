/**
 * AOF codec: the multi-part manifest (Redis 7.0 `aofLoadManifestFromFile` / `getAofManifestAsString`), a
 * streaming reader for the command log (RESP multibulk commands and `#` annotation lines) and the command
 * encoder. Pure: bytes in, values out. Loading, truncation, fsync and file naming policy live in
 * src/persistence/aof/ (SPEC.md, "AOF").
 *
 * Manifest line (one per file, '\n'-terminated, at most MANIFEST_MAX_LINE bytes):
 *
 *   file <name> seq <n> type <b|h|i> [<key> <value>]...
 *
 * Keys come in any order, unknown pairs are kept out of the model but tolerated, `#` lines are comments, a name
 * that needs it is quoted as sdscatrepr writes it and split as sdssplitargs reads it.
 *
 * Command log, as Redis writes it (`catAppendOnlyGenericCommand`):
 *
 *   *<argc>\r\n  then argc times  $<len>\r\n<len bytes>\r\n
 *   #TS:<unix seconds>\r\n        (annotation, `aof-timestamp-enabled yes`; any line starting with '#')
 */
import type { Bytes } from './bytes.js';

// ---------------------------------------------------------------------------------------------------------
// Manifest

export const MANIFEST_MAX_LINE = 1024;
export const AOF_FILE_TYPE_BASE = 'b';
export const AOF_FILE_TYPE_HIST = 'h';
export const AOF_FILE_TYPE_INCR = 'i';
export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** Base first, then history, then incr files in increasing seq (the order Redis writes them). */
export interface AofManifest {
  base: AofFileInfo | null;
  history: AofFileInfo[];
  incrs: AofFileInfo[];
}

export type AofManifestErrorCode =
  | 'EMPTY' // no line at all
  | 'LINE_TOO_LONG' // a line without '\n' within MANIFEST_MAX_LINE bytes (also a last line without '\n')
  | 'INVALID_FORMAT' // blank line, odd or < 6 tokens, a missing key, a zero seq, bad quoting
  | 'PATH_NOT_BASENAME'
  | 'DUPLICATE_BASE'
  | 'NON_MONOTONIC_SEQ'
  | 'UNKNOWN_TYPE';

const MANIFEST_MESSAGES: Record<AofManifestErrorCode, string> = {
  EMPTY: 'Found an empty AOF manifest',
  LINE_TOO_LONG: 'The AOF manifest file contains too long line',
  INVALID_FORMAT: 'Invalid AOF manifest file format',
  PATH_NOT_BASENAME: "File can't be a path, just a filename",
  DUPLICATE_BASE: 'Found duplicate base file information',
  NON_MONOTONIC_SEQ: 'Found a non-monotonic sequence number',
  UNKNOWN_TYPE: 'Unknown AOF file type',
};

/** A manifest Redis would refuse. `message` is Redis's own text; `lineNumber` is 1-based, 0 when not tied to one. */
export class AofManifestError extends Error {
  constructor(
    readonly code: AofManifestErrorCode,
    readonly lineNumber: number,
    readonly line: string,
  ) {
    super(MANIFEST_MESSAGES[code]);
    this.name = 'AofManifestError';
  }
}

/** Parses manifest bytes (latin1 string). Throws AofManifestError with Redis's message. */
export function parseAofManifest(text: string): AofManifest {
  const manifest: AofManifest = { base: null, history: [], incrs: [] };
  if (text.length === 0) throw new AofManifestError('EMPTY', 0, '');
  let position = 0;
  let lineNumber = 0;
  let maxSeq = 0;
  while (position < text.length) {
    // fgets(buf, MANIFEST_MAX_LINE + 1): at most MANIFEST_MAX_LINE bytes including the '\n'.
    const newline = text.indexOf('\n', position);
    const chunkEnd = newline < 0 ? text.length : Math.min(newline + 1, position + MANIFEST_MAX_LINE);
    const raw = text.slice(position, Math.min(chunkEnd, position + MANIFEST_MAX_LINE));
    position += raw.length;
    lineNumber++;
    if (raw.startsWith('#')) {
      // A long comment continues on the next fgets chunk, which Redis reads as another line.
      continue;
    }
    if (!raw.endsWith('\n')) throw new AofManifestError('LINE_TOO_LONG', lineNumber, raw);
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) throw new AofManifestError('INVALID_FORMAT', lineNumber, line);
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) {
      throw new AofManifestError('INVALID_FORMAT', lineNumber, line);
    }
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const key = argv[i]!.toLowerCase();
      const value = argv[i + 1]!;
      if (key === 'file') {
        name = value;
        if (!isBaseName(name)) throw new AofManifestError('PATH_NOT_BASENAME', lineNumber, line);
      } else if (key === 'seq') {
        seq = atoll(value);
      } else if (key === 'type') {
        type = value.charAt(0);
      }
    }
    if (name === null || name === '' || seq === 0 || type === '') {
      throw new AofManifestError('INVALID_FORMAT', lineNumber, line);
    }
    if (type === AOF_FILE_TYPE_BASE) {
      if (manifest.base !== null) throw new AofManifestError('DUPLICATE_BASE', lineNumber, line);
      manifest.base = { name, seq, type };
    } else if (type === AOF_FILE_TYPE_HIST) {
      manifest.history.push({ name, seq, type });
    } else if (type === AOF_FILE_TYPE_INCR) {
      if (seq <= maxSeq) throw new AofManifestError('NON_MONOTONIC_SEQ', lineNumber, line);
      maxSeq = seq;
      manifest.incrs.push({ name, seq, type });
    } else {
      throw new AofManifestError('UNKNOWN_TYPE', lineNumber, line);
    }
  }
  return manifest;
}

/** Serialises a manifest as Redis writes it: base, history, incrs; `file <name> seq <n> type <t>\n` each. */
export function serializeAofManifest(manifest: AofManifest): string {
  let out = '';
  const files = [...(manifest.base === null ? [] : [manifest.base]), ...manifest.history, ...manifest.incrs];
  for (const info of files) {
    const name = needsRepr(info.name) ? catRepr(info.name) : info.name;
    out += `file ${name} seq ${info.seq} type ${info.type}\n`;
  }
  return out;
}

/** C atoll: optional spaces and sign, then digits; stops at the first non-digit; 0 when none. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

function isBaseName(name: string): boolean {
  return !name.includes('/');
}

const C_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b' };

/**
 * sdsneedsrepr: true when the string holds a byte that sdscatrepr would escape, or a space. Also for a single
 * quote, which Redis leaves bare and then cannot split back (`file ' seq 1 ...` is unbalanced quoting); quoted, it
 * reads back in Redis too.
 */
export function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x27 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x07 || c === 0x08) return true;
    if (c < 0x20 || c > 0x7e || c === 0x20) return true;
  }
  return false;
}

/** sdscatrepr: a double-quoted C-style literal with \xHH for unprintable bytes. */
export function catRepr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const escaped = C_ESCAPES[ch];
    if (escaped !== undefined) out += escaped;
    else {
      const c = ch.charCodeAt(0);
      out += c >= 0x20 && c <= 0x7e ? ch : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** sdssplitargs: whitespace-separated tokens with "..." (C escapes) and '...' quoting; null on bad quoting. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let p = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && ' \n\r\t\v\f'.includes(c);
  for (;;) {
    while (isSpace(line[p])) p++;
    if (p >= line.length) return out;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[p];
      if (inDouble) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === 'x' && isHex(line[p + 2] ?? '') && isHex(line[p + 3] ?? '')) {
          current += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < line.length) {
          p++;
          const e = line[p]!;
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return null;
          p++;
          break;
        } else current += c;
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === "'") {
          p++;
          current += "'";
        } else if (c === "'") {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return null;
          p++;
          break;
        } else current += c;
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      p++;
    }
    out.push(current);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Command log

/** Redis's AOF_ANNOTATION_LINE_MAX_LEN: the fgets buffer for `*`, `$` and `#` lines. */
export const AOF_ANNOTATION_LINE_MAX_LEN = 1024;

export interface AofReaderLimits {
  /** Largest argument accepted (proto-max-bulk-len). */
  maxBulkBytes: number;
  /** Largest argc accepted. */
  maxArgs: number;
}

export const DEFAULT_AOF_READER_LIMITS: AofReaderLimits = { maxBulkBytes: 512 * 1024 * 1024, maxArgs: 1024 * 1024 * 1024 };

export type AofItem =
  | { kind: 'command'; args: Bytes[]; startOffset: number; endOffset: number }
  | { kind: 'annotation'; line: string; startOffset: number; endOffset: number };

export type AofFormatErrorCode = 'BAD_FORMAT' | 'LIMIT_EXCEEDED';

/** Bytes that are not an AOF command log (a torn tail is not this: it is "need more" followed by `end`). */
export class AofFormatError extends Error {
  constructor(
    readonly code: AofFormatErrorCode,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at offset ${offset}`);
    this.name = 'AofFormatError';
  }
}

/**
 * Streaming reader: `feed` chunks (any split), take items with `next()` until it returns null (need more).
 * `validEndOffset` is the offset just past the last complete item: where a torn file would be truncated.
 * After the last chunk, `pendingBytes > 0` means the file ends inside an item (a short read). A format error
 * throws AofFormatError with the offset of the offending line.
 *
 * Like Redis's loader, the CRLF after a bulk is not inspected (`fread(buf,2,1,fp)`); `strict` makes it an error,
 * as redis-check-aof does.
 */
export class AofReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** File offset of buffer[0]. */
  private bufferOffset = 0;
  private position = 0;
  validEndOffset = 0;

  constructor(
    private readonly limits: AofReaderLimits = DEFAULT_AOF_READER_LIMITS,
    private readonly strict = false,
    startOffset = 0,
  ) {
    this.bufferOffset = startOffset;
    this.validEndOffset = startOffset;
  }

  /** Chunks fed since the last compaction, copied (callers may reuse theirs). */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Bytes the unfinished item needs from `position` before parsing is worth retrying (a large bulk). */
  private neededBytes = 0;

  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.from(chunk));
    this.chunkBytes += chunk.length;
  }

  /** Joins the fed chunks to the unread part of the buffer: once per item, not once per chunk. */
  private compact(): void {
    if (this.chunks.length === 0) return;
    const rest = this.buffer.subarray(this.position);
    this.bufferOffset += this.position;
    this.position = 0;
    this.buffer = rest.length === 0 && this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat([rest, ...this.chunks]);
    this.chunks = [];
    this.chunkBytes = 0;
  }

  /** Bytes fed but not yet part of a complete item. */
  get pendingBytes(): number {
    return this.buffer.length - this.position + this.chunkBytes;
  }

  next(): AofItem | null {
    if (this.pendingBytes < this.neededBytes) return null;
    this.compact();
    this.neededBytes = 0;
    const buf = this.buffer;
    const start = this.position;
    if (start >= buf.length) return null;
    const startOffset = this.bufferOffset + start;
    const first = buf[start];
    if (first === 0x23 /* # */) {
      const end = this.lineEnd(start);
      if (end < 0) return null;
      this.position = end;
      this.validEndOffset = this.bufferOffset + end;
      return { kind: 'annotation', line: buf.toString('latin1', start, end).replace(/\r?\n$/, ''), startOffset, endOffset: this.validEndOffset };
    }
    if (first !== 0x2a /* * */) throw new AofFormatError('BAD_FORMAT', startOffset, `expected '*', got byte 0x${first!.toString(16).padStart(2, '0')}`);
    let p = start;
    const header = this.readNumberLine(p, 0x2a);
    if (header === null) return null;
    const argc = header.value;
    if (argc < 1) throw new AofFormatError('BAD_FORMAT', startOffset, `invalid argument count ${argc}`);
    if (argc > this.limits.maxArgs) throw new AofFormatError('LIMIT_EXCEEDED', startOffset, `argument count ${argc} over the limit`);
    p = header.next;
    const args: Bytes[] = [];
    for (let i = 0; i < argc; i++) {
      const bulk = this.readNumberLine(p, 0x24);
      if (bulk === null) return null;
      const len = bulk.value;
      if (len < 0) throw new AofFormatError('BAD_FORMAT', this.bufferOffset + p, `invalid bulk length ${len}`);
      if (len > this.limits.maxBulkBytes) throw new AofFormatError('LIMIT_EXCEEDED', this.bufferOffset + p, `bulk length ${len} over the limit`);
      const dataStart = bulk.next;
      if (dataStart + len + 2 > buf.length) {
        this.neededBytes = dataStart + len + 2 - start;
        return null;
      }
      if (this.strict && (buf[dataStart + len] !== 0x0d || buf[dataStart + len + 1] !== 0x0a)) {
        throw new AofFormatError('BAD_FORMAT', this.bufferOffset + dataStart + len, 'expected \\r\\n after the argument');
      }
      args.push(buf.toString('latin1', dataStart, dataStart + len));
      p = dataStart + len + 2;
    }
    this.position = p;
    this.validEndOffset = this.bufferOffset + p;
    return { kind: 'command', args, startOffset, endOffset: this.validEndOffset };
  }

  /** End of an fgets line starting at `start` (past the '\n', or the buffer cap), or -1 when incomplete. */
  private lineEnd(start: number): number {
    const cap = Math.min(this.buffer.length, start + AOF_ANNOTATION_LINE_MAX_LEN - 1);
    const nl = this.buffer.indexOf(0x0a, start);
    if (nl >= 0 && nl < cap) return nl + 1;
    if (this.buffer.length >= start + AOF_ANNOTATION_LINE_MAX_LEN - 1) return cap;
    return -1;
  }

  /** `<prefix><integer>\r\n` at `start`; null when incomplete; throws on a wrong prefix or a bad number. */
  private readNumberLine(start: number, prefix: number): { value: number; next: number } | null {
    const buf = this.buffer;
    if (start >= buf.length) return null;
    if (buf[start] !== prefix) {
      throw new AofFormatError('BAD_FORMAT', this.bufferOffset + start, `expected '${String.fromCharCode(prefix)}', got '${String.fromCharCode(buf[start]!)}'`);
    }
    const end = this.lineEnd(start);
    if (end < 0) return null;
    const text = buf.toString('latin1', start + 1, end);
    const m = /^(-?\d+)\r?\n$/.exec(text);
    if (m === null) {
      if (this.strict || !/^-?\d/.test(text)) throw new AofFormatError('BAD_FORMAT', this.bufferOffset + start, `bad number line '${text.replace(/\r?\n$/, '')}'`);
      // Redis reads the number with atoi/strtol and ignores what follows it on the line.
      return { value: parseInt(text, 10), next: end };
    }
    return { value: Number(m[1]), next: end };
  }
}

/**
 * Tracks MULTI/EXEC across a command log, as the loader and redis-check-aof do: `safeEndOffset` is where the log
 * can be cut without leaving a transaction open.
 */
export class AofTransactionTracker {
  inMulti = false;
  /** End offset of the last item outside a transaction. */
  safeEndOffset: number;

  constructor(startOffset = 0) {
    this.safeEndOffset = startOffset;
  }

  /** Returns an error text for a MULTI inside MULTI or an EXEC outside one (redis-check-aof's checks). */
  observe(item: AofItem): string | null {
    if (item.kind === 'annotation') {
      if (!this.inMulti) this.safeEndOffset = item.endOffset;
      return null;
    }
    const name = item.args[0]!.toLowerCase();
    if (name === 'multi') {
      if (this.inMulti) return 'Unexpected MULTI';
      this.inMulti = true;
      return null;
    }
    if (name === 'exec') {
      if (!this.inMulti) return 'Unexpected EXEC';
      this.inMulti = false;
    }
    if (!this.inMulti) this.safeEndOffset = item.endOffset;
    return null;
  }
}

/** Parses `#TS:<seconds>` annotation text; null for other annotations or a malformed timestamp. */
export function parseTimestampAnnotation(line: string): number | null {
  const m = /^#TS:(-?\d+)\r?$/.exec(line);
  return m === null ? null : Number(m[1]);
}

/** `#TS:<seconds>\r\n`, the line Redis writes when the second changes (`aof-timestamp-enabled yes`). */
export function encodeTimestampAnnotation(unixSeconds: number): string {
  return `#TS:${unixSeconds}\r\n`;
}

/** One command as RESP multibulk (latin1 string: one char per byte). */
export function encodeAofCommand(args: readonly Bytes[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}
