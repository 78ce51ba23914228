/**
 * Every error reply text, exactly as Redis 7.0 words it (redis `src/server.c` createSharedObjects and the
 * command files). Handlers reply with these values; they never throw for a client mistake.
 * Entries are the reply line without the leading '-'.
 */
export const ERR = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  sameObject: 'ERR source and destination objects are the same',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  multiNested: 'ERR MULTI calls can not be nested',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noProto: 'NOPROTO unsupported protocol version',
  readonly: "READONLY You can't write against a read only replica.",
  loading: 'LOADING Redis is loading the dataset in memory',
  misconf:
    'MISCONF Redis is configured to save RDB snapshots, but it\'s currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  noScript: 'NOSCRIPT No matching script. Please use EVAL.',
  busyKey: 'BUSYKEY Target key name already exists.',
  dumpPayload: 'ERR DUMP payload version or checksum are wrong',
  badDataFormat: 'ERR Bad data format',
  restoreTtl: 'ERR Invalid TTL value, must be >= 0',
  restoreIdletime: 'ERR Invalid IDLETIME value, must be >= 0',
  restoreFreq: 'ERR Invalid FREQ value, must be >= 0 and <= 255',
  incrOverflow: 'ERR increment or decrement would overflow',
  noSuchClient: 'ERR No such client',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  decrementOverflow: 'ERR decrement would overflow',
  incrNanOrInfinity: 'ERR increment would produce NaN or Infinity',
  lcsNotStrings: 'ERR The specified keys must contain string values',
  lcsLenAndIdx: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsMemory: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  bitopNotSingle: 'ERR BITOP NOT must be called with a single source key.',
  bitposBit: 'ERR The bit argument must be 1 or 0.',
  bitfieldType: 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  bitfieldOverflowType: 'ERR Invalid OVERFLOW type specified',
  bitfieldReadonly: 'ERR BITFIELD_RO only supports the GET subcommand',
  hllInvalid: 'WRONGTYPE Key is not a valid HyperLogLog string value.',
  hllCorrupt: 'INVALIDOBJ Corrupted HLL object detected',
} as const;

export function arityError(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

export function unknownCommandError(name: string, args: readonly string[]): string {
  // redis processCommand: args are appended while the list is under 128 chars, each cut to what is left.
  let list = '';
  for (const arg of args) {
    if (list.length >= 128) break;
    list += `'${arg.slice(0, 128 - list.length)}' `;
  }
  return sanitize(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${list}`, Infinity);
}

export function unknownSubcommandError(container: string, sub: string): string {
  return `ERR unknown subcommand '${sanitize(sub, 128)}'. Try ${container.toUpperCase()} HELP.`;
}

export function invalidExpireError(command: string): string {
  return `ERR invalid expire time in '${command}' command`;
}

export function pubsubContextError(name: string): string {
  return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/** Redis replaces newlines in echoed user text so the error stays one line (sdsmapchars "\r\n" -> "  "). */
function sanitize(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.replace(/[\r\n]/g, ' ');
}

/** Sorted set, GEO and SORT errors (redis `src/t_zset.c`, `src/geo.c`, `src/sort.c`, `src/timeout.c`). */
export const zsetError = {
  nxAndXx: 'ERR XX and NX options at the same time are not compatible',
  gtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  incrPair: 'ERR INCR option supports a single increment-element pair',
  notFloatRange: 'ERR min or max is not a float',
  notLexRange: 'ERR min or max not valid string range item',
  limitNeedsBy: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  withscoresBylex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  mustBePositive: 'ERR value is out of range, must be positive',
  outOfRange: 'ERR value is out of range',
  outOfRangeLong: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  numkeysPositive: 'ERR numkeys should be greater than 0',
  countPositive: 'ERR count should be greater than 0',
  limitNegative: "ERR LIMIT can't be negative",
  weightNotFloat: 'ERR weight value is not a float',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  invalidCursor: 'ERR invalid cursor',
} as const;

export function atLeastOneKeyError(command: string): string {
  return `ERR at least 1 input key is needed for '${command}' command`;
}

/** Stream errors (redis `src/t_stream.c`, `src/blocked.c`). */
export const streamError = {
  invalidId: 'ERR Invalid stream ID specified as stream command argument',
  xaddZeroId: 'ERR The ID specified in XADD must be greater than 0-0',
  xaddNotGreater: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  exhausted: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  tooLarge: 'ERR Elements are too large to be stored',
  maxlenAndMinid: 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  maxlenNegative: 'ERR The MAXLEN argument must be >= 0.',
  limitNegative: 'ERR The LIMIT argument must be >= 0.',
  limitWithoutStrategy: 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  xtrimWithoutStrategy: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  limitWithoutApprox: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  invalidStartInterval: 'ERR invalid start ID for the interval',
  invalidEndInterval: 'ERR invalid end ID for the interval',
  unbalancedXread:
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  groupOnlyXreadgroup: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
  noackOnlyXreadgroup: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
  missingGroup: 'ERR Missing GROUP option for XREADGROUP',
  dollarInXreadgroup:
    'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  greaterOnlyXreadgroup:
    'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
  timeoutNotInteger: 'ERR timeout is not an integer or out of range',
  timeoutNegative: 'ERR timeout is negative',
  groupDeleted: 'NOGROUP the consumer group this client was blocked on no longer exists',
  keyDeleted: 'UNBLOCKED the stream key no longer exists',
  entriesReadRange: 'ERR value for ENTRIESREAD must be positive or -1',
  xgroupNeedsKey:
    'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  busyGroup: 'BUSYGROUP Consumer Group name already exists',
  entriesAddedNegative: 'ERR entries_added must be positive',
  xsetidBelowMaxDeleted: 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
  xsetidBelowTop: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  xsetidEntriesAdded: 'ERR The entries_added specified in XSETID is smaller than the target stream length',
  xclaimMinIdle: 'ERR Invalid min-idle-time argument for XCLAIM',
  xclaimIdle: 'ERR Invalid IDLE option argument for XCLAIM',
  xclaimTime: 'ERR Invalid TIME option argument for XCLAIM',
  xclaimRetryCount: 'ERR Invalid RETRYCOUNT option argument for XCLAIM',
  xautoclaimMinIdle: 'ERR Invalid min-idle-time argument for XAUTOCLAIM',
  xautoclaimCount: 'ERR COUNT must be > 0',
  xautoclaimMemory: 'ERR Insufficient memory, failed allocating transient memory, COUNT too high.',
} as const;

/**
 * Text Redis formats with `%s` from a user argument: C-string semantics (cut at the first NUL byte). The whole
 * reply line is then made single-line (sanitize) by the formatting helpers below.
 */
function cText(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** NOGROUP of XREADGROUP (xreadCommand). */
export function noGroupXreadgroupError(key: string, group: string): string {
  return sanitize(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}' in XREADGROUP with GROUP option`, Infinity);
}

/** NOGROUP of XPENDING, XCLAIM, XAUTOCLAIM. */
export function noGroupError(key: string, group: string): string {
  return sanitize(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`, Infinity);
}

/** NOGROUP of XGROUP and XINFO CONSUMERS. */
export function noGroupForKeyError(group: string, key: string): string {
  return sanitize(`NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`, Infinity);
}

/** addReplySubcommandSyntaxError: `command` is argv[0], `sub` argv[1]. */
export function subcommandSyntaxError(command: string, sub: string): string {
  return sanitize(
    `ERR unknown subcommand or wrong number of arguments for '${cText(sub).slice(0, 128)}'. Try ${cText(command).toUpperCase()} HELP.`,
    Infinity,
  );
}

export function xclaimOptionError(option: string): string {
  return sanitize(`ERR Unrecognized XCLAIM option '${cText(option)}'`, Infinity);
}

/** List, hash and set errors (redis `src/t_list.c`, `src/t_hash.c`, `src/t_set.c`, `src/timeout.c`, `src/db.c`). */
export const collectionError = {
  mustBePositive: 'ERR value is out of range, must be positive',
  numkeysPositive: 'ERR numkeys should be greater than 0',
  countPositive: 'ERR count should be greater than 0',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  rankZero:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  countNegative: "ERR COUNT can't be negative",
  maxlenNegative: "ERR MAXLEN can't be negative",
  limitNegative: "ERR LIMIT can't be negative",
  keysMoreThanArgs: "ERR Number of keys can't be greater than number of args",
  invalidCursor: 'ERR invalid cursor',
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  incrNanOrInfinity: 'ERR increment would produce NaN or Infinity',
} as const;

/** getRangeLongFromObjectOrReply's default range error. */
export function rangeError(min: bigint, max: bigint): string {
  return `ERR value is out of range, value must between ${min} and ${max}`;
}
