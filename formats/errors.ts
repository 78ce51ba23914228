// Typed error for every codec failure in formats/ (RDB, DUMP, listpack, ziplist, intset, zipmap,
// LZF framing). Callers branch on `code`, never on the message. Codecs throw only RdbError for bad
// input; any other exception out of formats/ is a bug.

/** Stable error codes. Add new ones at the end; never rename. */
export type RdbErrorCode =
  | 'BAD_MAGIC' // header is not REDIS<4 digits> / VALKEY<3 digits>
  | 'UNSUPPORTED_VERSION' // version outside what we read
  | 'UNKNOWN_OPCODE' // byte in opcode/type position that this version does not define
  | 'UNSUPPORTED_TYPE' // type we recognise but refuse (pre-GA module, pre-GA function format)
  | 'MODULE_VALUE' // module data met while onModule = 'error'
  | 'TRUNCATED' // input ended inside a record
  | 'BAD_LENGTH' // invalid length encoding, or a length that cannot fit
  | 'LIMIT_EXCEEDED' // a declared length above the caller's limit
  | 'BAD_STRING' // invalid string encoding (bad special encoding, LZF failure)
  | 'BAD_VALUE' // value-level corruption (NaN score, bad stream id, duplicate...)
  | 'CORRUPT_LISTPACK'
  | 'CORRUPT_ZIPLIST'
  | 'CORRUPT_INTSET'
  | 'CORRUPT_ZIPMAP'
  | 'CHECKSUM_MISMATCH'
  | 'TRAILING_DATA' // bytes after the end of a DUMP payload value
  | 'BAD_DUMP' // DUMP footer missing or version refused
  | 'STATE'; // API misuse (feed after end, write after eof)

export class RdbError extends Error {
  readonly code: RdbErrorCode;
  /** Absolute byte offset in the input where the problem was detected (-1 if not tied to bytes). */
  readonly offset: number;
  readonly reason: string;

  constructor(code: RdbErrorCode, offset: number, reason: string) {
    super(`${code} at offset ${offset}: ${reason}`);
    this.name = 'RdbError';
    this.code = code;
    this.offset = offset;
    this.reason = reason;
  }
}
