// Proves PFADD/PFCOUNT/PFMERGE behave like Redis 7.0: replies (RESP2 and RESP3), the stored HLL bytes after
// every step (sparse, promotion to dense, cache writes), invalid and corrupt values, notifications and the
// replication stream (including PFCOUNT's cache write-back) match a real redis-server.
import { differentialSuite } from './strings-harness.js';

const elements = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A sparse header (HYLL, encoding 1, cache invalid) followed by `opcodes`. */
const sparse = (opcodes: string): string => 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80' + opcodes;

const groups: Record<string, string[][]> = {
  basics: [
    ['PFADD', 'h', 'a', 'b', 'c'], ['GET', 'h'], ['PFADD', 'h', 'a'], ['PFADD', 'h'], ['PFADD', 'new'], ['GET', 'new'],
    ['PFCOUNT', 'h'], ['GET', 'h'], ['PFCOUNT', 'h'], ['PFCOUNT', 'missing'], ['PFCOUNT', 'h', 'missing'],
    ['PFADD', 'h2', 'c', 'd', 'e'], ['PFCOUNT', 'h', 'h2'], ['PFMERGE', 'm', 'h', 'h2'], ['GET', 'm'], ['PFCOUNT', 'm'],
    ['PFMERGE', 'm'], ['PFMERGE', 'empty'], ['GET', 'empty'], ['PFMERGE', 'h', 'h2'], ['GET', 'h'],
    ['PFMERGE', 'x', 'missing', 'missing2'], ['GET', 'x'], ['PFADD', 'h', ...elements('e', 50)], ['GET', 'h'],
    ['PFCOUNT', 'h'],
  ],
  dense: [
    ['PFADD', 'd', ...elements('x', 3000)], ['GET', 'd'], ['PFCOUNT', 'd'], ['GET', 'd'], ['PFADD', 'd', 'x1'],
    ['PFADD', 'd', 'new-one'], ['PFCOUNT', 'd'], ['PFADD', 's', 'a', 'b'], ['PFMERGE', 's', 'd'], ['GET', 's'],
    ['PFCOUNT', 's', 'd'], ['PFMERGE', 't', 's'], ['STRLEN', 't'], ['PFADD', 'big', ...elements('y', 200)],
    ['PFADD', 'big', ...elements('z', 400)], ['GET', 'big'], ['PFCOUNT', 'big', 'd', 's'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '100'], ['PFADD', 'small', ...elements('q', 40)], ['GET', 'small'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  ],
  invalid: [
    ['SET', 'str', 'hello'], ['PFADD', 'str', 'a'], ['PFCOUNT', 'str'], ['PFCOUNT', 'missing', 'str'], ['PFMERGE', 'str', 'x'],
    ['PFMERGE', 'x', 'str'], ['EXISTS', 'x'], ['SET', 'hdr', 'HYLL'], ['PFADD', 'hdr', 'a'],
    ['SET', 'enc', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFADD', 'enc', 'a'],
    ['SET', 'shortdense', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abc'], ['PFCOUNT', 'shortdense'],
    ['SET', 'bad', sparse('\x7f\xff\x7f\xff')], ['PFADD', 'bad', 'a'], ['GET', 'bad'], ['PFCOUNT', 'bad'],
    ['PFCOUNT', 'bad', 'missing'], ['PFMERGE', 'dst', 'bad'], ['EXISTS', 'dst'],
    ['SET', 'short', sparse('\x40\x00')], ['PFADD', 'short', 'a', 'b', 'c'], ['GET', 'short'], ['PFCOUNT', 'short'],
    ['SET', 'cached', 'HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFCOUNT', 'cached'],
    ['GET', 'cached'], ['PFADD', 'cached', 'a'], ['PFCOUNT', 'cached'],
    ['SET', 'cc', 'HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x7f\xff\x7f\xff'], ['PFCOUNT', 'cc'],
    ['PFCOUNT', 'cc', 'missing'], ['PFCOUNT', 'missing', 'cc'],
    // Keys after a failing one are not looked up, so an expired one there is not deleted (nor propagated).
    ['SET', 'exp', 'v', 'PXAT', '1'], ['PFCOUNT', 'str', 'exp'], ['PFMERGE', 'x', 'bad', 'exp'], ['PFCOUNT', 'cc', 'exp'],
    ['SET', 'marker', '1'], ['EXISTS', 'exp'],
  ],
  pfdebug: [
    ['PFADD', 'h', 'a', 'b', 'c'], ['PFDEBUG', 'ENCODING', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'GETREG', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h'], ['PFDEBUG', 'TODENSE', 'h'], ['PFDEBUG', 'DECODE', 'h'],
    ['PFADD', 'h2', 'x'], ['PFCOUNT', 'h2'], ['PFDEBUG', 'todense', 'h2'], ['GET', 'h2'], ['PFDEBUG', 'todense', 'h2'],
    ['PFDEBUG', 'GETREG', 'missing'], ['PFDEBUG', 'NOPE', 'missing'], ['PFDEBUG', 'NOPE', 'h'], ['PFDEBUG', 'NO\r\nPE', 'h'],
    ['PFDEBUG', 'GETREG', 'h', 'extra'], ['PFDEBUG', 'GETREG'], ['PFDEBUG', 'GETREG', 'list'], ['SET', 's', 'x'],
    ['PFDEBUG', 'ENCODING', 's'], ['SET', 'bad', sparse('\x7f\xff\x7f\xff')], ['PFDEBUG', 'DECODE', 'bad'],
    ['PFDEBUG', 'TODENSE', 'bad'], ['PFDEBUG', 'GETREG', 'bad'], ['SET', 'short', sparse('\x40\x00\x83')],
    ['PFDEBUG', 'DECODE', 'short'],
  ],
  wrongtype: [
    ['PFADD', 'list', 'a'], ['PFCOUNT', 'list'], ['PFCOUNT', 'missing', 'list'], ['PFMERGE', 'list', 'x'],
    ['PFMERGE', 'x', 'list'], ['PFADD', 'h', 'a'], ['PFCOUNT', 'h', 'list'], ['PFMERGE', 'h', 'list'],
  ],
};

differentialSuite('HyperLogLog commands against real Redis', groups, { event: 'pfadd', propagated: 'PFCOUNT' });
