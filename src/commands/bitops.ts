/**
 * Bit commands (redis `src/bitops.c`): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * Bit 0 is the most significant bit of byte 0. Commands that write make the key's string a `MutableString`
 * grown with zero bytes to the highest bit they touch (redis lookupStringForBitCommand), which, as in Redis, also
 * happens when the write ends up changing nothing. BITFIELD arithmetic is done on bigint with the two's-complement
 * wrap of Redis's int64/uint64 C arithmetic.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { ERR } from './errors.js';
import { NOTIFY } from './engine.js';
import { parseInt64 } from './args.js';
import { MutableString, isString, type StringValue } from '../keyspace/index.js';
import { clampIndex, cstr, int64OrReply, readStringOrReply, setKey, unshareString } from './strings.js';

/**
 * redis getBitOffsetFromArgument: a bit offset, or null after replying. With `bits` > 0 a `#n` offset means
 * n * bits (int64 multiplication, wrapping as in C). Offsets whose byte is past proto-max-bulk-len are refused.
 */
function bitOffsetOrReply(s: Session, arg: string, bits = 0): number | null {
  const hash = bits > 0 && arg.charCodeAt(0) === 0x23;
  const parsed = parseInt64(hash ? arg.slice(1) : arg);
  if (parsed === null) {
    s.engine.replyError(s, ERR.bitOffset);
    return null;
  }
  let offset = BigInt(parsed);
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || (!s.isPrimaryLink && offset >> 3n >= BigInt(s.engine.settings.protoMaxBulkLen))) {
    s.engine.replyError(s, ERR.bitOffset);
    return null;
  }
  return Number(offset);
}

/**
 * redis lookupStringForBitCommand: the key's string, created or zero-padded so bit `maxBit` exists. Returns null
 * after WRONGTYPE. `grown` tells whether the key was created or lengthened (which counts as a change).
 */
function stringForBitWrite(s: Session, key: string, maxBit: number): { value: MutableString; grown: boolean } | null {
  const bytes = Math.floor(maxBit / 8) + 1;
  // A created key touches WATCH only through the caller's keyModified (lookupStringForBitCommand's dbAdd does not).
  const current = s.db.getWrite(key);
  if (current !== undefined && !isString(current)) {
    s.engine.replyError(s, ERR.wrongType);
    return null;
  }
  if (current === undefined) {
    const value = new MutableString('', bytes);
    value.ensureLength(bytes);
    s.db.add(key, value, false);
    return { value, grown: true };
  }
  const value = unshareString(s.db, key);
  const before = value.length;
  value.ensureLength(bytes);
  return { value, grown: value.length !== before };
}

function setbit(s: Session, args: string[]): void {
  const key = args[1]!;
  const offset = bitOffsetOrReply(s, args[2]!);
  if (offset === null) return;
  const on = parseInt64(args[3]!);
  if (on === null || (on !== 0 && on !== 1)) {
    s.engine.replyError(s, ERR.bitValue);
    return;
  }
  const target = stringForBitWrite(s, key, offset);
  if (target === null) return;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const old = target.value.buf[byte]!;
  const wasSet = (old & mask) !== 0;
  if (target.grown || wasSet !== (on === 1)) {
    target.value.buf[byte] = on === 1 ? old | mask : old & ~mask;
    s.engine.keyModified(s.db, key);
    s.engine.notify(NOTIFY.string, 'setbit', key, s.db.id);
    s.engine.addDirty();
  }
  s.reply.integer(wasSet ? 1 : 0);
}

function getbit(s: Session, args: string[]): void {
  const offset = bitOffsetOrReply(s, args[2]!);
  if (offset === null) return;
  const value = readStringOrReply(s, args[1]!, () => s.reply.integer(0));
  if (value === undefined) return;
  const byte = Math.floor(offset / 8);
  const bits = byte < value.length ? byteAt(value, byte) : 0;
  s.reply.integer((bits >> (7 - (offset % 8))) & 1);
}

function byteAt(value: string | MutableString, index: number): number {
  return typeof value === 'string' ? value.charCodeAt(index) : value.buf[index]!;
}

/**
 * Bytes [start, end] of a string value as a Buffer: a view for a MutableString, a copy of just that range for a
 * plain string, so a small range of a large bitmap costs the range.
 */
function bytesOf(value: string | MutableString, start = 0, end = value.length - 1): Buffer {
  if (typeof value !== 'string') return value.buf.subarray(start, Math.max(start, end + 1));
  return Buffer.from(value.slice(start, end + 1), 'latin1');
}

/** The same range relative to its own first byte. */
function relative(range: BitRange): BitRange {
  return { ...range, start: 0, end: range.end - range.start };
}

function popcount(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i <= end; i++) n += POPCOUNT[buf[i]!]!;
  return n;
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let v = i; v !== 0; v >>= 1) n += v & 1;
  return n;
});

interface BitRange {
  /** Byte range, inclusive; empty when start > end. */
  start: number;
  end: number;
  /** Bits before the first / after the last bit of the range, in the edge bytes (BIT mode). */
  firstMask: number;
  lastMask: number;
}

/** Resolves start/end (negative from the end) over `length` bytes, or `length * 8` bits in BIT mode. */
function resolveRange(start0: number | bigint, end0: number | bigint, length: number, isBit: boolean): BitRange {
  const total = isBit ? length * 8 : length;
  let start = clampIndex(start0);
  let end = clampIndex(end0);
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (!isBit || start > end) return { start, end, firstMask: 0, lastMask: 0 };
  return {
    start: Math.floor(start / 8),
    end: Math.floor(end / 8),
    firstMask: ~((1 << (8 - (start % 8))) - 1) & 0xff,
    lastMask: (1 << (7 - (end % 8))) - 1,
  };
}

/** BIT|BYTE keyword: true for BIT, false for BYTE, null after a syntax error. */
function unitOrReply(s: Session, arg: string | undefined): boolean | null {
  if (arg === undefined) return false;
  const unit = cstr(arg).toLowerCase();
  if (unit === 'bit') return true;
  if (unit === 'byte') return false;
  s.engine.replyError(s, ERR.syntax);
  return null;
}

/** BITCOUNT key [start end [BYTE|BIT]] */
function bitcount(s: Session, args: string[]): void {
  const value = readStringOrReply(s, args[1]!, () => s.reply.integer(0));
  if (value === undefined) return;
  const length = value.length;
  let range: BitRange;
  if (args.length === 4 || args.length === 5) {
    const start = int64OrReply(s, args[2]!);
    if (start === null) return;
    const end = int64OrReply(s, args[3]!);
    if (end === null) return;
    if (start < 0 && end < 0 && start > end) {
      s.reply.integer(0);
      return;
    }
    const isBit = unitOrReply(s, args[4]);
    if (isBit === null) return;
    range = resolveRange(start, end, length, isBit);
  } else if (args.length === 2) {
    range = { start: 0, end: length - 1, firstMask: 0, lastMask: 0 };
  } else {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  if (range.start > range.end) {
    s.reply.integer(0);
    return;
  }
  const buf = bytesOf(value, range.start, range.end);
  const last = buf.length - 1;
  let count = popcount(buf, 0, last);
  if (range.firstMask !== 0) count -= POPCOUNT[buf[0]! & range.firstMask]!;
  if (range.lastMask !== 0) count -= POPCOUNT[buf[last]! & range.lastMask]!;
  s.reply.integer(count);
}

/**
 * redis redisBitpos over `count` bytes from `start`: bit index (from `start`) of the first bit equal to `bit`;
 * when there is none, -1 looking for 1, and `count * 8` looking for 0 (the right is taken as zero-padded).
 */
function bitposIn(buf: Buffer | Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const byte = buf[start + i]!;
    if (byte === skip) continue;
    for (let b = 0; b < 8; b++) if (((byte >> (7 - b)) & 1) === bit) return i * 8 + b;
  }
  return bit === 1 ? -1 : count * 8;
}

/** BITPOS key bit [start [end [BYTE|BIT]]] */
function bitpos(s: Session, args: string[]): void {
  const bit = int64OrReply(s, args[2]!);
  if (bit === null) return;
  if (bit !== 0 && bit !== 1) {
    s.engine.replyError(s, ERR.bitposBit);
    return;
  }
  const value = readStringOrReply(s, args[1]!, () => s.reply.integer(bit === 1 ? -1 : 0));
  if (value === undefined) return;
  const length = value.length;
  let range: BitRange;
  let endGiven = false;
  if (args.length >= 4 && args.length <= 6) {
    const start = int64OrReply(s, args[3]!);
    if (start === null) return;
    const isBit = unitOrReply(s, args[5]);
    if (isBit === null) return;
    let end: number | bigint = isBit ? length * 8 + 7 : length - 1;
    if (args.length >= 5) {
      const parsed = int64OrReply(s, args[4]!);
      if (parsed === null) return;
      end = parsed;
      endGiven = true;
    }
    range = resolveRange(start, end, length, isBit);
  } else if (args.length === 3) {
    range = { start: 0, end: length - 1, firstMask: 0, lastMask: 0 };
  } else {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  if (range.start > range.end) {
    s.reply.integer(-1);
    return;
  }
  const pos = bitposInRange(bytesOf(value, range.start, range.end), relative(range), bit, endGiven);
  s.reply.integer(pos === -1 ? -1 : pos + range.start * 8);
}

/** The masked-edge search of redis bitposCommand once the range is known. */
function bitposInRange(buf: Buffer, range: BitRange, bit: number, endGiven: boolean): number {
  let { start } = range;
  const { end, firstMask, lastMask } = range;
  let bytes = end - start + 1;
  let pos: number;
  const edge = (byte: number, mask: number): number => (bit === 1 ? byte & ~mask : byte | mask) & 0xff;
  found: {
    if (firstMask !== 0) {
      let tmp = edge(buf[start]!, firstMask);
      if (lastMask !== 0 && bytes === 1) tmp = edge(tmp, lastMask);
      pos = bitposIn(Uint8Array.of(tmp), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const middle = bytes - (lastMask !== 0 ? 1 : 0);
    if (middle > 0) {
      pos = bitposIn(buf, start, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) break found;
      start += middle;
      bytes -= middle;
    }
    pos = bitposIn(Uint8Array.of(edge(buf[end]!, lastMask)), 0, 1, bit);
  }
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  return pos === -1 ? -1 : pos + start * 8;
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...] */
function bitop(s: Session, args: string[]): void {
  const op = cstr(args[1]!).toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') {
    s.engine.replyError(s, ERR.syntax);
    return;
  }
  if (op === 'not' && args.length !== 4) {
    s.engine.replyError(s, ERR.bitopNotSingle);
    return;
  }
  const target = args[2]!;
  const sources: Buffer[] = [];
  let maxLength = 0;
  for (let j = 3; j < args.length; j++) {
    const value = s.db.getRead(args[j]!);
    if (value !== undefined && !isString(value)) {
      s.engine.replyError(s, ERR.wrongType);
      return;
    }
    const buf = value === undefined ? Buffer.alloc(0) : bytesOf(value);
    sources.push(buf);
    if (buf.length > maxLength) maxLength = buf.length;
  }
  if (maxLength > 0) {
    const result = combine(op, sources, maxLength);
    setKey(s, target, new MutableString(result));
    s.engine.notify(NOTIFY.string, 'set', target, s.db.id);
    s.engine.addDirty();
  } else if (s.db.delete(target)) {
    s.engine.notify(NOTIFY.generic, 'del', target, s.db.id);
    s.engine.addDirty();
  }
  s.reply.integer(maxLength);
}

function combine(op: 'and' | 'or' | 'xor' | 'not', sources: Buffer[], length: number): Buffer {
  const result = Buffer.alloc(length);
  const first = sources[0]!;
  first.copy(result);
  if (op === 'not') {
    for (let i = 0; i < length; i++) result[i] = ~result[i]! & 0xff;
    return result;
  }
  for (let k = 1; k < sources.length; k++) {
    const src = sources[k]!;
    for (let i = 0; i < length; i++) {
      const byte = i < src.length ? src[i]! : 0;
      if (op === 'and') result[i] = result[i]! & byte;
      else if (op === 'or') result[i] = result[i]! | byte;
      else result[i] = result[i]! ^ byte;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// BITFIELD

const WRAP = 0;
const SAT = 1;
const FAIL = 2;

interface BitfieldOp {
  kind: 'get' | 'set' | 'incrby';
  offset: number;
  value: bigint;
  overflow: number;
  bits: number;
  signed: boolean;
}

/** "i1".."i64" or "u1".."u63", or null after the invalid-type error. */
function bitfieldTypeOrReply(s: Session, arg: string): { signed: boolean; bits: number } | null {
  const text = cstr(arg);
  const signed = text[0] === 'i';
  const bits = text[0] === 'i' || text[0] === 'u' ? parseInt64(text.slice(1)) : null;
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) {
    s.engine.replyError(s, ERR.bitfieldType);
    return null;
  }
  return { signed, bits: Number(bits) };
}

/** Parses the BITFIELD subcommands; null after replying an error. */
function parseBitfield(s: Session, args: string[]): BitfieldOp[] | null {
  const ops: BitfieldOp[] = [];
  let overflow = WRAP;
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1;
    const sub = cstr(args[j]!).toLowerCase();
    let kind: BitfieldOp['kind'];
    if (sub === 'get' && remaining >= 2) kind = 'get';
    else if (sub === 'set' && remaining >= 3) kind = 'set';
    else if (sub === 'incrby' && remaining >= 3) kind = 'incrby';
    else if (sub === 'overflow' && remaining >= 1) {
      const mode = cstr(args[++j]!).toLowerCase();
      if (mode === 'wrap') overflow = WRAP;
      else if (mode === 'sat') overflow = SAT;
      else if (mode === 'fail') overflow = FAIL;
      else {
        s.engine.replyError(s, ERR.bitfieldOverflowType);
        return null;
      }
      continue;
    } else {
      s.engine.replyError(s, ERR.syntax);
      return null;
    }
    const type = bitfieldTypeOrReply(s, args[j + 1]!);
    if (type === null) return null;
    const offset = bitOffsetOrReply(s, args[j + 2]!, type.bits);
    if (offset === null) return null;
    let value = 0n;
    if (kind !== 'get') {
      const parsed = int64OrReply(s, args[j + 3]!);
      if (parsed === null) return null;
      value = BigInt(parsed);
    }
    ops.push({ kind, offset, value, overflow, bits: type.bits, signed: type.signed });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

function getUnsigned(buf: Buffer | Uint8Array, offset: number, bits: number): bigint {
  let value = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const bit = (buf[Math.floor(offset / 8)]! >> (7 - (offset % 8))) & 1;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

function getSigned(buf: Buffer | Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(buf, offset, bits));
}

function setBits(buf: Buffer, offset: number, bits: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  for (let j = 0; j < bits; j++, offset++) {
    const bit = Number((v >> BigInt(bits - 1 - j)) & 1n);
    const mask = 1 << (7 - (offset % 8));
    const at = Math.floor(offset / 8);
    const byte = buf[at]!;
    buf[at] = bit === 1 ? byte | mask : byte & ~mask;
  }
}

/** redis checkUnsignedBitfieldOverflow: [overflow direction, value to store when wrapping/saturating]. */
function unsignedOverflow(value: bigint, increment: bigint, bits: number, mode: number): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const wrapped = (): bigint => BigInt.asUintN(bits, value + increment);
  if (value > max || (increment > 0n && increment > max - value)) {
    return [1, mode === WRAP ? wrapped() : max];
  }
  if (increment < 0n && increment < -value) return [-1, mode === WRAP ? wrapped() : 0n];
  return [0, 0n];
}

/** redis checkSignedBitfieldOverflow, with its int64 wrap-around on the 64-bit width. */
function signedOverflow(value: bigint, increment: bigint, bits: number, mode: number): [number, bigint] {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncrement = BigInt.asIntN(64, max - value);
  const minIncrement = BigInt.asIntN(64, min - value);
  const wrapped = (): bigint => BigInt.asIntN(bits, value + increment);
  if (value > max || (bits !== 64 && increment > maxIncrement) || (value >= 0n && increment > 0n && increment > maxIncrement)) {
    return [1, mode === WRAP ? wrapped() : max];
  }
  if (value < min || (bits !== 64 && increment < minIncrement) || (value < 0n && increment < 0n && increment < minIncrement)) {
    return [-1, mode === WRAP ? wrapped() : min];
  }
  return [0, 0n];
}

/** SET / INCRBY on the string: the reply value, or null when OVERFLOW FAIL refused it. Counts changes. */
function bitfieldWrite(buf: Buffer, op: BitfieldOp): { reply: bigint | null; changed: boolean } {
  const old = op.signed ? getSigned(buf, op.offset, op.bits) : getUnsigned(buf, op.offset, op.bits);
  const check = op.signed ? signedOverflow : unsignedOverflow;
  let next: bigint;
  let overflow: number;
  let limit: bigint;
  if (op.kind === 'incrby') {
    [overflow, limit] = check(old, op.value, op.bits, op.overflow);
    next = overflow !== 0 ? limit : old + op.value;
  } else {
    const value = op.signed ? op.value : BigInt.asUintN(64, op.value);
    [overflow, limit] = check(value, 0n, op.bits, op.overflow);
    next = overflow !== 0 ? limit : value;
  }
  if (overflow !== 0 && op.overflow === FAIL) return { reply: null, changed: false };
  setBits(buf, op.offset, op.bits, next);
  return { reply: op.kind === 'incrby' ? next : old, changed: old !== next };
}

/** BITFIELD and BITFIELD_RO (only GET allowed). */
function bitfieldGeneric(s: Session, args: string[], readonlyCommand: boolean): void {
  const key = args[1]!;
  const ops = parseBitfield(s, args);
  if (ops === null) return;
  const writes = ops.filter((op) => op.kind !== 'get');
  let target: { value: MutableString; grown: boolean } | null = null;
  let source: StringValue | null = null;
  if (writes.length === 0) {
    const value = s.db.getRead(key);
    if (value !== undefined && !isString(value)) {
      s.engine.replyError(s, ERR.wrongType);
      return;
    }
    if (value !== undefined) source = value;
  } else {
    if (readonlyCommand) {
      s.engine.replyError(s, ERR.bitfieldReadonly);
      return;
    }
    let highest = 0;
    for (const op of writes) highest = Math.max(highest, op.offset + op.bits - 1);
    target = stringForBitWrite(s, key, highest);
    if (target === null) return;
  }
  s.reply.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.kind === 'get') {
      s.reply.integer(bitfieldGet(target !== null ? target.value : source, op));
      continue;
    }
    const result = bitfieldWrite(target!.value.buf, op);
    if (result.reply === null) s.reply.nullBulk();
    else s.reply.integer(result.reply);
    if (result.reply !== null && (target!.grown || result.changed)) changes++;
  }
  if (changes > 0) {
    s.engine.keyModified(s.db, key);
    s.engine.notify(NOTIFY.string, 'setbit', key, s.db.id);
    s.engine.addDirty(changes);
  }
}

/** GET reads up to 9 bytes from the offset's byte, zero-padded past the end of the string. */
function bitfieldGet(value: StringValue | null, op: BitfieldOp): bigint {
  const byte = Math.floor(op.offset / 8);
  const window = new Uint8Array(9);
  if (value !== null) for (let i = 0; i < 9 && byte + i < value.length; i++) window[i] = byteAt(value, byte + i);
  const offset = op.offset - byte * 8;
  return op.signed ? getSigned(window, offset, op.bits) : getUnsigned(window, offset, op.bits);
}

export const bitopsCommands: CommandDef[] = [
  { name: 'setbit', handler: setbit },
  { name: 'getbit', handler: getbit },
  { name: 'bitcount', handler: bitcount },
  { name: 'bitpos', handler: bitpos },
  { name: 'bitop', handler: bitop },
  { name: 'bitfield', handler: (s, args) => bitfieldGeneric(s, args, false) },
  { name: 'bitfield_ro', handler: (s, args) => bitfieldGeneric(s, args, true) },
];
