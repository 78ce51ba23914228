// Proves the string commands answer, notify and propagate like Redis 7.0: every option and error path goes to a
// real redis-server and to Strongbox, and the raw reply bytes (RESP2 and RESP3), the keyspace-notification bytes
// and the replication streams must be equal.
import { differentialSuite } from './strings-harness.js';

const FAR = '4102444800'; // 2100-01-01 in seconds
const FAR_MS = '4102444800000';

/** Command cases, each group starting from an empty database. */
const groups: Record<string, string[][]> = {
  get_set: [
    ['GET', 'k'], ['SET', 'k', 'v'], ['GET', 'k'], ['SET', 'k', 'v2', 'NX'], ['SET', 'k', 'v3', 'XX'], ['GET', 'k'],
    ['SET', 'n', 'v', 'XX'], ['SET', 'n', 'v', 'NX'], ['SET', 'n', 'w', 'nx', 'GET'], ['SET', 'n', 'w', 'XX', 'GET'],
    ['SET', 'm', 'w', 'XX', 'GET'], ['EXISTS', 'm'], ['SET', 'k', 'x', 'GET'], ['SET', 'k', 'y', 'get', 'GET'],
    ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'XX', 'NX'], ['SET', 'k', 'v', 'EX'], ['SET', 'k', 'v', 'BAD'],
    ['SET', 'k', 'v', 'EX', '10', 'PX', '100'], ['SET', 'k', 'v', 'EX', '10', 'KEEPTTL'],
    ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'], ['SET', 'k', 'v', 'EX', '10', 'EX', '10'],
    ['SET', 'k', 'v', 'PXAT', '1', 'EXAT', '1'], ['SET', 'k', 'v', 'EX', 'abc'], ['SET', 'k', 'v', 'EX', '0'],
    ['SET', 'k', 'v', 'EX', '-5'], ['SET', 'k', 'v', 'PX', '0'], ['SET', 'k', 'v', 'EXAT', '0'],
    ['SET', 'k', 'v', 'EX', '9223372036854775'], ['SET', 'k', 'v', 'EX', '9223372036854776'],
    ['SET', 'k', 'v', 'PX', '9223372036854775807'], ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
    ['SET', 'k', 'v', 'EX', '1.5'], ['SET', 'k', 'v', 'EX', '99999999999999999999'],
    ['SET', 'k', 'v', 'EX', '100'], ['GET', 'k'], ['SET', 'k', 'v', 'PX', '100000', 'GET'],
    ['SET', 'k', 'w', 'KEEPTTL'], ['GET', 'k'], ['SET', 'k', 'v', 'EXAT', FAR], ['SET', 'k', 'v', 'PXAT', FAR_MS, 'NX'],
    ['SET', 'past', 'v', 'PXAT', '1'], ['GET', 'past'], ['EXISTS', 'past'], ['SET', 'past', 'v', 'EXAT', '1', 'GET'],
    ['GET', 'past'], ['SET', 'k', 'v', 'nx\0junk'], ['SET', 'bin', '\x00\xff\r\n'], ['GET', 'bin'], ['SET', 'e', ''],
    ['GET', 'e'], ['SET', 'k'], ['GET'], ['GET', 'a', 'b'],
  ],
  setnx_setex: [
    ['SETNX', 'k', 'v'], ['SETNX', 'k', 'w'], ['GET', 'k'], ['SETEX', 'k', '100', 'x'], ['GET', 'k'],
    ['SETEX', 'k', '0', 'x'], ['SETEX', 'k', '-1', 'x'], ['SETEX', 'k', 'z', 'x'], ['SETEX', 'k', '9223372036854776', 'x'],
    ['PSETEX', 'k', '100000', 'y'], ['GET', 'k'], ['PSETEX', 'k', '0', 'y'], ['PSETEX', 'k', '1.0', 'y'],
    ['PSETEX', 'k', '9223372036854775807', 'y'], ['SETEX', 'k', '10'], ['SETNX', 'k'],
  ],
  getex_getdel_getset: [
    ['GETEX', 'k'], ['SET', 'k', 'v'], ['GETEX', 'k'], ['GETEX', 'k', 'EX', '100'], ['GETEX', 'k', 'PX', '100000'],
    ['GETEX', 'k', 'EXAT', FAR], ['GETEX', 'k', 'PXAT', FAR_MS], ['GETEX', 'k', 'PERSIST'], ['GETEX', 'k', 'PERSIST'],
    ['GETEX', 'k', 'EX', '0'], ['GETEX', 'k', 'EX', 'x'], ['GETEX', 'k', 'EX'], ['GETEX', 'k', 'EX', '1', 'PX', '1'],
    ['GETEX', 'k', 'PERSIST', 'EX', '1'], ['GETEX', 'k', 'KEEPTTL'], ['GETEX', 'k', 'NX'], ['GETEX', 'k', 'GET'],
    ['GETEX', 'missing', 'EX', '0'], ['GETEX', 'missing', 'BAD'], ['GETEX', 'k', 'PXAT', '1'], ['GET', 'k'],
    ['SET', 'k', 'v'], ['GETEX', 'k', 'EXAT', '1'], ['EXISTS', 'k'], ['GETDEL', 'k'], ['SET', 'k', 'v'],
    ['GETDEL', 'k'], ['GETDEL', 'k'], ['GETSET', 'k', 'a'], ['GETSET', 'k', 'b'], ['GET', 'k'],
    ['SET', 'k', 'v', 'EX', '100'], ['GETSET', 'k', 'c'], ['GETEX', 'k', 'PERSIST'],
  ],
  mget_mset: [
    ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'], ['MSETNX', 'a', '1'],
    ['MSETNX', 'c', '3', 'a', '9'], ['MGET', 'a', 'c'], ['MSETNX', 'c', '3', 'd', '4'], ['MGET', 'a', 'b', 'c', 'd'],
    ['MSETNX', 'x', '1', 'y'], ['MSET', 'a', 'x', 'a', 'y'], ['GET', 'a'],
  ],
  counters: [
    ['INCR', 'n'], ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '100'], ['DECRBY', 'n', '50'], ['INCRBY', 'n', '-7'],
    ['INCRBY', 'n', 'x'], ['INCRBY', 'n', '1.5'], ['DECRBY', 'n', '-9223372036854775808'],
    ['DECRBY', 'n', '9223372036854775807'], ['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'],
    ['SET', 'n', '-9223372036854775807'], ['DECR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '9223372036854775807'],
    ['SET', 'n', ' 1'], ['INCR', 'n'], ['SET', 'n', '01'], ['INCR', 'n'], ['SET', 'n', '+1'], ['INCR', 'n'],
    ['SET', 'n', ''], ['INCR', 'n'], ['SET', 'n', '12345678901234567890123'], ['INCR', 'n'],
    ['SET', 'n', '10', 'EX', '100'], ['INCR', 'n'], ['GETEX', 'n', 'PERSIST'], ['SET', 'n', '9007199254740991'],
    ['INCRBY', 'n', '9007199254740991'], ['INCRBY', 'n', '-18014398509481982'], ['INCRBY', 'big', '9223372036854775807'],
    ['INCRBY', 'big', '-1'],
  ],
  incrbyfloat: [
    ['INCRBYFLOAT', 'f', '1.5'], ['INCRBYFLOAT', 'f', '0.1'], ['INCRBYFLOAT', 'f', '-1.6'], ['INCRBYFLOAT', 'f', '1e3'],
    ['INCRBYFLOAT', 'f', 'abc'], ['INCRBYFLOAT', 'f', 'inf'], ['INCRBYFLOAT', 'f', 'nan'], ['INCRBYFLOAT', 'f', '1e308'],
    ['INCRBYFLOAT', 'f', '1e4932'], ['INCRBYFLOAT', 'f', ' 1'], ['INCRBYFLOAT', 'f', '0x10'], ['SET', 'f', 'x'],
    ['INCRBYFLOAT', 'f', '1'], ['SET', 'f', '3', 'EX', '100'], ['INCRBYFLOAT', 'f', '0.25'], ['GETEX', 'f', 'PERSIST'],
    ['SET', 'f', '5.0e3'], ['INCRBYFLOAT', 'f', '1'], ['INCRBYFLOAT', 'g', '-0'], ['INCRBYFLOAT', 'g', '1.0000000000000001'],
  ],
  // Issue #2: Redis creates INCRBYFLOAT's result with createStringObjectFromLongDouble (no tryObjectEncoding), so
  // an integral result is embstr, not int, until a command replaces or edits it.
  '#2 INCRBYFLOAT result never int-encoded (SET b -0; INCRBYFLOAT b 1; OBJECT ENCODING b)': [
    ['SET', 'b', '-0'], ['INCRBYFLOAT', 'b', '1'], ['OBJECT', 'ENCODING', 'b'], ['MEMORY', 'USAGE', 'b'],
    ['INCRBYFLOAT', 'n', '5.0'], ['OBJECT', 'ENCODING', 'n'], ['INCRBYFLOAT', 'n', '1e18'], ['OBJECT', 'ENCODING', 'n'],
    ['INCRBYFLOAT', 'n', '1.5'], ['OBJECT', 'ENCODING', 'n'], ['INCRBYFLOAT', 'n', '-0.5'], ['OBJECT', 'ENCODING', 'n'],
    ['INCRBYFLOAT', 'big', '1e30'], ['OBJECT', 'ENCODING', 'big'], ['INCRBYFLOAT', 'huge', '1e50'], ['OBJECT', 'ENCODING', 'huge'],
    ['COPY', 'b', 'c'], ['OBJECT', 'ENCODING', 'c'], ['RENAME', 'c', 'd'], ['OBJECT', 'ENCODING', 'd'], ['MOVE', 'd', '1'],
    ['INCR', 'b'], ['OBJECT', 'ENCODING', 'b'], ['INCRBYFLOAT', 'e', '7'], ['APPEND', 'e', '1'], ['OBJECT', 'ENCODING', 'e'],
    ['INCRBYFLOAT', 'r', '3'], ['SETRANGE', 'r', '0', '4'], ['OBJECT', 'ENCODING', 'r'], ['GET', 'r'],
    ['INCRBYFLOAT', 'g', '2'], ['GETRANGE', 'g', '0', '-1'], ['STRLEN', 'g'], ['OBJECT', 'ENCODING', 'g'],
    ['SET', 'g', '2'], ['OBJECT', 'ENCODING', 'g'], ['INCRBYFLOAT', 'g', '0'], ['OBJECT', 'ENCODING', 'g'],
    ['HINCRBYFLOAT', 'h', 'f', '3'], ['OBJECT', 'ENCODING', 'h'], ['HGET', 'h', 'f'],
    ['INCRBYFLOAT', 'l', '4'], ['DUMP', 'l'], ['OBJECT', 'ENCODING', 'l'],
  ],
  append_strlen_ranges: [
    ['APPEND', 'a', 'hello'], ['APPEND', 'a', ' world'], ['GET', 'a'], ['STRLEN', 'a'], ['STRLEN', 'zz'],
    ['APPEND', 'n', '1'], ['APPEND', 'n', '2'], ['GET', 'n'], ['GETRANGE', 'a', '0', '4'], ['GETRANGE', 'a', '-5', '-1'],
    ['GETRANGE', 'a', '-1', '-5'], ['GETRANGE', 'a', '5', '3'], ['GETRANGE', 'a', '0', '-1'], ['GETRANGE', 'a', '100', '200'],
    ['GETRANGE', 'a', '-100', '2'], ['GETRANGE', 'a', '0', '9223372036854775807'],
    ['GETRANGE', 'a', '-9223372036854775807', '-9223372036854775808'], ['GETRANGE', 'a', 'x', '1'],
    ['GETRANGE', 'zz', '0', '1'], ['GETRANGE', 'zz', 'x', '1'], ['SUBSTR', 'a', '1', '3'], ['SET', 'i', '12345'],
    ['GETRANGE', 'i', '1', '2'], ['SETRANGE', 'a', '6', 'WORLD'], ['GET', 'a'], ['SETRANGE', 'a', '20', 'x'],
    ['GET', 'a'], ['SETRANGE', 'a', '0', ''], ['SETRANGE', 'new', '0', ''], ['EXISTS', 'new'],
    ['SETRANGE', 'new', '3', 'ab'], ['GET', 'new'], ['SETRANGE', 'new', '-1', 'x'], ['SETRANGE', 'new', 'x', 'x'],
    ['SETRANGE', 'new', '536870911', 'ab'], ['SETRANGE', 'new2', '536870912', ''], ['SETRANGE', 'new2', '536870912', 'a'],
    ['SETRANGE', 'i', '1', 'x'], ['GET', 'i'], ['SETRANGE', 'e', '0', ''], ['STRLEN', 'new'],
  ],
  lcs: [
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'],
    ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-3'],
    ['LCS', 'a', 'b', 'LEN', 'IDX'], ['LCS', 'a', 'b', 'MINMATCHLEN'], ['LCS', 'a', 'b', 'MINMATCHLEN', 'x'],
    ['LCS', 'a', 'b', 'FOO'], ['LCS', 'a', 'missing'], ['LCS', 'missing', 'missing', 'IDX'], ['LCS', 'a', 'a', 'IDX'],
    ['MSET', 'x', 'ABCBDAB', 'y', 'BDCABA'], ['LCS', 'x', 'y'], ['LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'y', 'x', 'IDX'], ['LCS', 'a', 'b', 'LEN', 'LEN', 'WITHMATCHLEN'], ['LCS', 'a'],
  ],
  transactions: [
    ['PFADD', 'h', 'a'], ['MULTI'], ['SET', 'k', 'v', 'EX', '100'], ['INCRBYFLOAT', 'f', '1.5'], ['GETEX', 'k', 'PX', '5000000'],
    ['SET', 'g', 'w', 'GET', 'KEEPTTL'], ['GETSET', 'g', 'x'], ['GETDEL', 'k'], ['PFCOUNT', 'h'], ['SETEX', 's', '100', 'v'],
    ['GETEX', 's', 'EXAT', '1'], ['EXEC'], ['MULTI'], ['GET', 'f'], ['PFCOUNT', 'h'], ['EXEC'], ['MULTI'],
    ['INCRBYFLOAT', 'f', 'x'], ['SET', 'k', 'v', 'BAD'], ['EXEC'], ['MULTI'], ['SET', 'k'], ['EXEC'],
  ],
  limits: [
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'], ['SETRANGE', 'k', '1048576', 'x'], ['SETRANGE', 'k', '1048575', 'x'],
    ['STRLEN', 'k'], ['SETRANGE', 'k', '1048575', 'xy'], ['APPEND', 'k', 'z'], ['SET', 'k', 'abc'], ['SETRANGE', 'k', '1048576', ''],
    ['SET', 'a', 'x'.repeat(600)], ['SET', 'b', 'y'.repeat(600)], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'],
    ['SET', 'b', 'y'.repeat(400)], ['LCS', 'a', 'b', 'LEN'], ['SETBIT', 'bits', '8388608', '1'], ['SETBIT', 'bits', '8388607', '1'],
    ['STRLEN', 'bits'], ['BITFIELD', 'bits', 'GET', 'u8', '8388608'], ['BITFIELD', 'bits', 'SET', 'u8', '8388600', '1'],
    ['BITFIELD', 'bits', 'SET', 'u8', '#1048576', '1'], ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
  ],
  wrongtype: [
    ['GET', 'list'], ['SET', 'list', 'v', 'GET'], ['GETEX', 'list'], ['GETEX', 'list', 'EX', 'bad'], ['GETDEL', 'list'],
    ['GETSET', 'list', 'v'], ['MGET', 'list', 'nope'], ['APPEND', 'list', 'x'], ['STRLEN', 'list'], ['INCR', 'list'],
    ['INCRBYFLOAT', 'list', '1'], ['GETRANGE', 'list', '0', '1'], ['SETRANGE', 'list', '0', 'x'],
    ['SETRANGE', 'list', '0', ''], ['LCS', 'list', 'x'], ['LCS', 'x', 'list', 'BAD'], ['SETNX', 'list', 'v'],
    ['MSETNX', 'list', 'v'], ['SET', 'list', 'v', 'NX'], ['SET', 'list', 'v'], ['GET', 'list'],
  ],
};

differentialSuite('string commands against real Redis', groups, { event: 'incrbyfloat', propagated: 'PEXPIREAT' });
