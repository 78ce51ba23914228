// Proves SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD/BITFIELD_RO behave like Redis 7.0: each option, overflow
// mode and error path goes to a real redis-server and to Strongbox, and the raw replies (RESP2 and RESP3), the
// resulting values, the keyspace notifications and the replication streams must be equal.
import { differentialSuite } from './strings-harness.js';

/** `n` bytes of a fixed, irregular byte pattern. */
function pattern(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode((i * 167 + (i >> 7)) & 0xff);
  return out;
}

const groups: Record<string, string[][]> = {
  setbit_getbit: [
    ['SETBIT', 'b', '7', '1'], ['GET', 'b'], ['SETBIT', 'b', '7', '1'], ['SETBIT', 'b', '7', '0'], ['SETBIT', 'b', '100', '1'],
    ['GET', 'b'], ['STRLEN', 'b'], ['GETBIT', 'b', '100'], ['GETBIT', 'b', '101'], ['GETBIT', 'b', '100000'],
    ['GETBIT', 'missing', '3'], ['SETBIT', 'b', '-1', '1'], ['SETBIT', 'b', 'x', '1'], ['SETBIT', 'b', '1', '2'],
    ['SETBIT', 'b', '1', '-1'], ['SETBIT', 'b', '1', 'x'], ['SETBIT', 'b', '4294967296', '1'],
    ['SETBIT', 'b', '4294967295', 'x'], ['GETBIT', 'b', '4294967296'], ['GETBIT', 'b', '-1'], ['GETBIT', 'b', '1.5'],
    ['SET', 'i', '12'], ['GETBIT', 'i', '2'], ['GETBIT', 'i', '3'], ['SETBIT', 'i', '15', '1'], ['GET', 'i'],
    ['SETBIT', 'b', '0', '0'], ['SETBIT', 'z', '0', '0'], ['GET', 'z'], ['SETBIT', 'b', '+1', '1'],
  ],
  bitcount: [
    ['SET', 's', 'foobar'], ['BITCOUNT', 's'], ['BITCOUNT', 's', '0', '0'], ['BITCOUNT', 's', '1', '1'],
    ['BITCOUNT', 's', '1', '1', 'BYTE'], ['BITCOUNT', 's', '5', '30', 'BIT'], ['BITCOUNT', 's', '-3', '-1', 'bit'],
    ['BITCOUNT', 's', '0', '-1'], ['BITCOUNT', 's', '-1', '-3'], ['BITCOUNT', 's', '-1', '-3', 'BAD'],
    ['BITCOUNT', 's', '3', '1'], ['BITCOUNT', 's', '0'], ['BITCOUNT', 's', '0', '1', 'BIT', 'x'],
    ['BITCOUNT', 's', '0', '1', 'WORD'], ['BITCOUNT', 's', 'a', '1'], ['BITCOUNT', 's', '0', 'b'],
    ['BITCOUNT', 'missing'], ['BITCOUNT', 'missing', 'a', 'b', 'c', 'd'], ['BITCOUNT', 's', '-100', '100'],
    ['BITCOUNT', 's', '7', '7', 'BIT'], ['BITCOUNT', 's', '9', '14', 'BIT'], ['BITCOUNT', 's', '0', '9223372036854775807', 'BIT'],
    ['BITCOUNT', 's', '-9223372036854775808', '-1', 'BIT'], ['SET', 'e', ''], ['BITCOUNT', 'e'], ['BITCOUNT', 'e', '0', '-1'],
    ['SET', 'n', '1234567'], ['BITCOUNT', 'n', '1', '3'],
  ],
  bitpos: [
    ['SET', 's', '\xff\xf0\x00'], ['BITPOS', 's', '0'], ['BITPOS', 's', '1'], ['BITPOS', 's', '0', '1'],
    ['BITPOS', 's', '1', '2'], ['BITPOS', 's', '0', '0', '0'], ['BITPOS', 's', '0', '0', '-1'], ['BITPOS', 's', '1', '-1'],
    ['BITPOS', 's', '0', '2', '12', 'BIT'], ['BITPOS', 's', '1', '7', '15', 'bit'], ['BITPOS', 's', '0', '3', '5', 'BIT'],
    ['BITPOS', 's', '0', '12', '13', 'BIT'], ['BITPOS', 's', '1', '13', '13', 'BIT'], ['BITPOS', 's', '0', '3', '3', 'BIT'],
    ['BITPOS', 's', '1', '5', '2'], ['BITPOS', 's', '2'], ['BITPOS', 's', '-1'], ['BITPOS', 's', 'x'],
    ['BITPOS', 's', '1', 'x'], ['BITPOS', 's', '1', '0', 'x'], ['BITPOS', 's', '1', '0', '1', 'BAD'],
    ['BITPOS', 's', '1', '0', '1', 'BIT', 'x'], ['BITPOS', 'missing', '1'], ['BITPOS', 'missing', '0'],
    ['BITPOS', 'missing', '1', 'x', 'y'], ['SET', 'ones', '\xff\xff'], ['BITPOS', 'ones', '0'],
    ['BITPOS', 'ones', '0', '0'], ['BITPOS', 'ones', '0', '0', '-1'], ['BITPOS', 'ones', '0', '0', '1', 'BYTE'],
    ['BITPOS', 'ones', '0', '3', '12', 'BIT'], ['SET', 'zeros', '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01'],
    ['BITPOS', 'zeros', '1'], ['BITPOS', 'zeros', '1', '0', '-2'], ['BITPOS', 'zeros', '0', '1'],
    ['BITPOS', 'zeros', '1', '-9223372036854775808', '9223372036854775807', 'BIT'], ['SET', 'n', '12'],
    ['BITPOS', 'n', '0'], ['BITPOS', 'n', '1', '8', '15', 'BIT'], ['SET', 'e', ''], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'],
    ['BITPOS', 'e', '0', '0', '-1'],
  ],
  bitop: [
    ['SET', 'a', 'foobar'], ['SET', 'b', 'abcdef'], ['SET', 'c', 'xy'], ['BITOP', 'AND', 'd', 'a', 'b'], ['GET', 'd'],
    ['BITOP', 'or', 'd', 'a', 'c'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'a', 'b', 'c'], ['GET', 'd'],
    ['BITOP', 'NOT', 'd', 'a'], ['GET', 'd'], ['BITOP', 'NOT', 'd', 'a', 'b'], ['BITOP', 'NAND', 'd', 'a'],
    ['BITOP', 'and\0', 'd', 'a'], ['BITOP', 'AND', 'd', 'missing'], ['EXISTS', 'd'], ['BITOP', 'AND', 'd', 'missing'],
    ['BITOP', 'OR', 'd', 'a', 'missing'], ['GET', 'd'], ['BITOP', 'AND', 'd', 'a', 'missing'], ['GET', 'd'],
    ['SET', 'long1', 'x'.repeat(70)], ['SET', 'long2', 'y'.repeat(90)], ['BITOP', 'AND', 'e', 'long1', 'long2'],
    ['GET', 'e'], ['BITOP', 'XOR', 'e', 'long1', 'long2', 'a'], ['GET', 'e'], ['BITOP', 'NOT', 'e', 'long2'], ['GET', 'e'],
    ['SET', 'd', 'v', 'EX', '100'], ['BITOP', 'OR', 'd', 'a'], ['GET', 'd'], ['BITOP', 'AND', 'a', 'a', 'b'], ['GET', 'a'],
    ['SET', 'n', '42'], ['BITOP', 'OR', 'd', 'n'], ['GET', 'd'],
  ],
  bitfield: [
    ['BITFIELD', 'f', 'SET', 'i8', '0', '100', 'GET', 'i8', '0', 'GET', 'u4', '0', 'INCRBY', 'i8', '0', '100'],
    ['GET', 'f'], ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '100', 'INCRBY', 'i8', '0', '-1000'],
    ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-100', 'INCRBY', 'u2', '100', '1', 'SET', 'u2', '100', '7'],
    ['BITFIELD', 'f', 'overflow', 'wrap', 'INCRBY', 'u2', '100', '5', 'SET', 'u3', '#3', '9', 'GET', 'u3', '#3'],
    ['GET', 'f'], ['BITFIELD', 'f', 'SET', 'i64', '0', '-9223372036854775808', 'GET', 'i64', '0', 'GET', 'u63', '1'],
    ['BITFIELD', 'f', 'INCRBY', 'i64', '0', '-1', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '9223372036854775807'],
    ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'],
    ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-9223372036854775808'],
    ['BITFIELD', 'f', 'SET', 'u63', '0', '-1', 'GET', 'u63', '0', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'SET', 'u8', '8', '300'],
    ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-300', 'SET', 'i8', '8', '300', 'GET', 'i16', '0'],
    ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'i8', '0', '200', 'SET', 'u8', '0', '256', 'SET', 'u8', '0', '255'],
    ['BITFIELD', 'f', 'INCRBY', 'u63', '0', '9223372036854775807', 'INCRBY', 'u63', '0', '-9223372036854775808'],
    ['BITFIELD', 'f', 'GET', 'i1', '5', 'GET', 'u1', '5', 'GET', 'i7', '1000', 'GET', 'u63', '#1000'],
    ['BITFIELD', 'f', 'GET', 'u64', '0'], ['BITFIELD', 'f', 'GET', 'i65', '0'], ['BITFIELD', 'f', 'GET', 'i0', '0'],
    ['BITFIELD', 'f', 'GET', 'x8', '0'], ['BITFIELD', 'f', 'GET', 'I8', '0'], ['BITFIELD', 'f', 'GET', 'i08', '0'],
    ['BITFIELD', 'f', 'GET', 'i8\0x', '0'], ['BITFIELD', 'f', 'GET', 'i8', '-1'], ['BITFIELD', 'f', 'GET', 'i8', '#-1'],
    ['BITFIELD', 'f', 'GET', 'i8', 'x'], ['BITFIELD', 'f', 'GET', 'i8', '#x'], ['BITFIELD', 'f', 'GET', 'i8', '##1'],
    ['BITFIELD', 'f', 'GET', 'i8', '4294967296'], ['BITFIELD', 'f', 'GET', 'i8', '#536870912'],
    ['BITFIELD', 'f', 'GET', 'i64', '#9223372036854775807'], ['BITFIELD', 'f', 'GET', 'i8', '#1152921504606846976'],
    ['BITFIELD', 'f', 'SET', 'i8', '0'], ['BITFIELD', 'f', 'SET', 'i8', '0', 'x'], ['BITFIELD', 'f', 'INCRBY', 'i8', '0', '1.5'],
    ['BITFIELD', 'f', 'OVERFLOW'], ['BITFIELD', 'f', 'OVERFLOW', 'BAD', 'GET', 'i8', '0'], ['BITFIELD', 'f', 'FOO', 'i8', '0'],
    ['BITFIELD', 'f', 'GET', 'i8'], ['BITFIELD', 'f'], ['BITFIELD', 'missing'], ['BITFIELD', 'missing', 'GET', 'u8', '0'],
    ['EXISTS', 'missing'], ['BITFIELD', 'created', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '9'], ['EXISTS', 'created'],
    ['GET', 'created'], ['BITFIELD', 'created2', 'SET', 'u2', '0', '0'], ['GET', 'created2'],
    ['SET', 'n', '7'], ['BITFIELD', 'n', 'GET', 'u8', '0', 'SET', 'u8', '0', '56'], ['GET', 'n'],
    ['BITFIELD_RO', 'f', 'GET', 'i8', '0', 'GET', 'u4', '#2'], ['BITFIELD_RO', 'f', 'SET', 'i8', '0', '1'],
    ['BITFIELD_RO', 'f', 'INCRBY', 'i8', '0', 'x'], ['BITFIELD_RO', 'f', 'OVERFLOW', 'SAT'], ['BITFIELD_RO', 'missing', 'GET', 'u8', '0'],
    ['BITFIELD', 'g', 'SET', 'u8', '100', '255', 'GET', 'u16', '96', 'GET', 'i16', '100', 'GET', 'u8', '200'],
  ],
  large: [
    ['SETBIT', 'big', '8000000', '1'], ['SETBIT', 'big', '123457', '1'], ['BITCOUNT', 'big'], ['BITCOUNT', 'big', '15432', '-1'],
    ['BITCOUNT', 'big', '123450', '8000001', 'BIT'], ['BITPOS', 'big', '1'], ['BITPOS', 'big', '1', '15433'],
    ['BITPOS', 'big', '1', '123458', '-1', 'BIT'], ['BITPOS', 'big', '0', '123457', '-1', 'BIT'], ['GETBIT', 'big', '8000000'],
    ['BITFIELD_RO', 'big', 'GET', 'u16', '7999990', 'GET', 'i8', '123450'], ['SET', 'plain', pattern(200_000)],
    ['BITCOUNT', 'plain'], ['BITCOUNT', 'plain', '1000', '150000'], ['BITCOUNT', 'plain', '3', '1599990', 'BIT'],
    ['BITPOS', 'plain', '0', '70000'], ['BITPOS', 'plain', '1', '-5', '-1', 'BYTE'], ['BITOP', 'XOR', 'x', 'plain', 'big'],
    ['BITCOUNT', 'x'], ['BITOP', 'NOT', 'big', 'big'], ['BITCOUNT', 'big'], ['BITFIELD', 'plain', 'INCRBY', 'u63', '#25000', '1'],
  ],
  wrongtype: [
    ['SETBIT', 'list', '0', '1'], ['SETBIT', 'list', 'x', '1'], ['GETBIT', 'list', '0'], ['BITCOUNT', 'list'],
    ['BITCOUNT', 'list', 'x', 'y'], ['BITPOS', 'list', '1'], ['BITPOS', 'list', 'x'], ['BITOP', 'AND', 'd', 'list'],
    ['BITOP', 'AND', 'list', 'x'], ['BITFIELD', 'list', 'GET', 'u8', '0'], ['BITFIELD', 'list', 'SET', 'u8', '0', '1'],
    ['BITFIELD', 'list', 'BAD'], ['BITFIELD_RO', 'list', 'GET', 'u8', '0'], ['BITFIELD_RO', 'list', 'SET', 'u8', '0', '1'],
  ],
};

differentialSuite('bit commands against real Redis', groups, { event: 'setbit', propagated: 'SETBIT' });
