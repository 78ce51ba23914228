// Byte-level RDB decoding over one contiguous window: lengths, strings (int / LZF encodings),
// times, doubles and every value type. Shared by the streaming reader (reader.ts), which feeds it
// windows of buffered input and retries a record when it runs short, and by DUMP (dump.ts).
//
// Running short is signalled by throwing the NEED_MORE sentinel (never escapes formats/): the
// streaming reader catches it, waits for more bytes and re-parses the record from its start.
// When the window is final, running short is a TRUNCATED RdbError instead.
//
// Every declared length is checked before anything is allocated: strings against
// stringBytesMax and, when the total input size is known, against the bytes that can remain.
// Element counts never size an allocation (arrays grow as elements actually decode).

import { type Bytes, type Int64, latin1, toInt64 } from '../bytes.js';
import { RdbError, type RdbErrorCode } from '../errors.js';
import { decodeIntset } from '../intset.js';
import { decodeListpackValues, type ListpackValue } from '../listpack.js';
import { lzfDecompressInto } from '../lzf.js';
import { decodeZiplist } from '../ziplist.js';
import { decodeZipmap } from '../zipmap.js';
import * as C from './constants.js';
import { decodeStreamValue } from './decode-stream.js';
import type { RdbDialect } from './constants.js';
import type { RdbEncodingHint, RdbModuleInfo, RdbValue } from './types.js';

/** Thrown (not an Error: no stack capture) when the window ends inside a record. */
export const NEED_MORE: { readonly needMore: true } = Object.freeze({ needMore: true });

export const STRING_BYTES_MAX_DEFAULT = 512 * 1024 * 1024;

export interface DecoderLimits {
  /** Largest single string (after LZF expansion) accepted. Default 512 MiB (proto-max-bulk-len). */
  stringBytesMax: number;
  /** Total input size when known (file size), else -1: lets a too-long length fail at once. */
  totalBytes: number;
  /** Keep the raw bytes of module values. */
  keepModuleRaw: boolean;
  /** Reject module values with MODULE_VALUE instead of skipping them. */
  moduleError: boolean;
}

const TWO_POW_32 = 4294967296;
const UINT64_MAX = (1n << 64n) - 1n;

export class RdbDecoder {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  /** Absolute stream offset of buf[0]. */
  base = 0;
  /** No more input will come after `end`. */
  final = false;
  /** Window index that would satisfy the last NEED_MORE. */
  neededEnd = 0;
  dialect: RdbDialect = { magic: 'REDIS', version: C.REDIS_RDB_VERSION_MAX, valkey: false };
  limits: DecoderLimits;

  constructor(limits: Partial<DecoderLimits> = {}) {
    this.limits = {
      stringBytesMax: limits.stringBytesMax ?? STRING_BYTES_MAX_DEFAULT,
      totalBytes: limits.totalBytes ?? -1,
      keepModuleRaw: limits.keepModuleRaw ?? false,
      moduleError: limits.moduleError ?? false,
    };
  }

  setWindow(buf: Buffer, pos: number, end: number, base: number, final: boolean): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.base = base;
    this.final = final;
  }

  fail(code: RdbErrorCode, reason: string, at: number = this.pos): RdbError {
    return new RdbError(code, this.base + at, reason);
  }

  /** Signals that `n` more bytes from pos are needed and not available. */
  short(n: number): never {
    if (this.final) throw this.fail('TRUNCATED', `input ends ${this.pos + n - this.end} byte(s) short`);
    this.neededEnd = this.pos + n;
    throw NEED_MORE;
  }

  u8(): number {
    if (this.pos >= this.end) this.short(1);
    return this.buf[this.pos++] as number;
  }

  /** Reads n raw bytes as a view into the window (valid until the window changes). */
  raw(n: number): Buffer {
    if (this.pos + n > this.end) this.short(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** 8-byte little-endian signed integer as a number (RDB millisecond times). */
  millis(): number {
    if (this.pos + 8 > this.end) this.short(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_POW_32 + lo;
  }

  /** 8-byte little-endian signed integer, exact (`Int64` form): key expire times, which may be any int64. */
  millisInt64(): Int64 {
    if (this.pos + 8 > this.end) this.short(8);
    const hi = this.buf.readInt32LE(this.pos + 4);
    // |hi| < 2^21 keeps hi * 2^32 + lo within the safe integers.
    if (hi > -0x200000 && hi < 0x200000) return this.millis();
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return toInt64(v);
  }

  /** 4-byte little-endian signed integer (RDB_OPCODE_EXPIRETIME seconds). */
  int32(): number {
    if (this.pos + 4 > this.end) this.short(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  binaryDouble(): number {
    if (this.pos + 8 > this.end) this.short(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Stream ID in raw form: 16 bytes, ms then seq, both big-endian uint64. */
  rawStreamId(): { ms: bigint; seq: bigint } {
    if (this.pos + 16 > this.end) this.short(16);
    const ms = this.buf.readBigUInt64BE(this.pos);
    const seq = this.buf.readBigUInt64BE(this.pos + 8);
    this.pos += 16;
    return { ms, seq };
  }

  /**
   * A plain length as a number. Rejects special encodings and values above 2^53 (no valid
   * count or size can be that large).
   */
  len(): number {
    const at = this.pos;
    if (at >= this.end) this.short(1);
    const b = this.buf[at] as number;
    const kind = b >>> 6;
    if (kind === C.RDB_6BITLEN) {
      this.pos = at + 1;
      return b & 0x3f;
    }
    if (kind === C.RDB_14BITLEN) {
      if (at + 2 > this.end) this.short(2);
      this.pos = at + 2;
      return ((b & 0x3f) << 8) | (this.buf[at + 1] as number);
    }
    if (b === C.RDB_32BITLEN) {
      if (at + 5 > this.end) this.short(5);
      this.pos = at + 5;
      return this.buf.readUInt32BE(at + 1);
    }
    if (b === C.RDB_64BITLEN) {
      if (at + 9 > this.end) this.short(9);
      const hi = this.buf.readUInt32BE(at + 1);
      const lo = this.buf.readUInt32BE(at + 5);
      if (hi >= 0x200000) throw this.fail('BAD_LENGTH', 'length does not fit in 2^53', at);
      this.pos = at + 9;
      return hi * TWO_POW_32 + lo;
    }
    throw this.fail('BAD_LENGTH', `invalid length encoding byte 0x${b.toString(16)}`, at);
  }

  /** A length read as an exact uint64 (stream IDs and counters). */
  lenBig(): bigint {
    const at = this.pos;
    if (at >= this.end) this.short(1);
    if (this.buf[at] === C.RDB_64BITLEN) {
      if (at + 9 > this.end) this.short(9);
      this.pos = at + 9;
      return this.buf.readBigUInt64BE(at + 1);
    }
    return BigInt(this.len());
  }

  /** Checks a declared string length before it is read or allocated. */
  private checkStringLength(n: number, at: number): void {
    if (n > this.limits.stringBytesMax) {
      throw this.fail('LIMIT_EXCEEDED', `string of ${n} bytes exceeds the ${this.limits.stringBytesMax}-byte limit`, at);
    }
    if (this.limits.totalBytes >= 0 && this.base + this.pos + n > this.limits.totalBytes) {
      throw this.fail('TRUNCATED', `string of ${n} bytes runs past the end of the input`, at);
    }
  }

  /**
   * Reads a string header. Returns the plain length (>= 0), or -1 - encoding for special
   * encodings (int8/16/32, LZF) with pos left after the header byte.
   */
  private stringHeader(): number {
    const at = this.pos;
    if (at >= this.end) this.short(1);
    const b = this.buf[at] as number;
    if (b >>> 6 === C.RDB_ENCVAL) {
      this.pos = at + 1;
      return -1 - (b & 0x3f);
    }
    return this.len();
  }

  /** An RDB string as latin1 Bytes. */
  str(): Bytes {
    const at = this.pos;
    const n = this.stringHeader();
    if (n >= 0) {
      const start = this.pos;
      if (start + n > this.end) {
        this.checkStringLength(n, at);
        this.short(n);
      }
      this.pos = start + n;
      return latin1(this.buf, start, start + n);
    }
    const enc = -1 - n;
    if (enc === C.RDB_ENC_LZF) {
      const out = this.lzfBody(at);
      return latin1(out, 0, out.length);
    }
    return this.encodedInt(enc, at);
  }

  /** An RDB string as bytes: a view into the window, or a fresh buffer for LZF / int encodings. */
  /** Whether the last `blob()` was a view of the input (true) or decoded into a new buffer (LZF, integer). */
  private lastBlobPlain = false;

  blob(): Buffer {
    const at = this.pos;
    const n = this.stringHeader();
    if (n >= 0) {
      if (this.pos + n > this.end) {
        this.checkStringLength(n, at);
        this.short(n);
      }
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.lastBlobPlain = true;
      return out;
    }
    this.lastBlobPlain = false;
    const enc = -1 - n;
    if (enc === C.RDB_ENC_LZF) return this.lzfBody(at);
    return Buffer.from(this.encodedInt(enc, at), 'latin1');
  }

  private encodedInt(enc: number, at: number): Bytes {
    if (enc === C.RDB_ENC_INT8) {
      if (this.pos + 1 > this.end) this.short(1);
      return String(this.buf.readInt8(this.pos++));
    }
    if (enc === C.RDB_ENC_INT16) {
      if (this.pos + 2 > this.end) this.short(2);
      const v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return String(v);
    }
    if (enc === C.RDB_ENC_INT32) {
      if (this.pos + 4 > this.end) this.short(4);
      const v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
      return String(v);
    }
    throw this.fail('BAD_STRING', `unknown string encoding ${enc}`, at);
  }

  private lzfBody(at: number): Buffer {
    const compressedBytes = this.len();
    const plainBytes = this.len();
    if (plainBytes > this.limits.stringBytesMax) {
      throw this.fail('LIMIT_EXCEEDED', `LZF string of ${plainBytes} bytes exceeds the ${this.limits.stringBytesMax}-byte limit`, at);
    }
    if (compressedBytes === 0 && plainBytes !== 0) throw this.fail('BAD_STRING', 'empty LZF payload', at);
    // An LZF stream expands at most ~264/2 per 2 input bytes; far larger claims are corrupt.
    if (plainBytes > compressedBytes * 132 + 32) throw this.fail('BAD_STRING', `LZF claims ${plainBytes} bytes from ${compressedBytes}`, at);
    if (this.pos + compressedBytes > this.end) {
      this.checkStringLength(compressedBytes, at);
      this.short(compressedBytes);
    }
    const out = Buffer.allocUnsafe(plainBytes);
    const result = lzfDecompressInto(this.buf, this.pos, this.pos + compressedBytes, out, 0, plainBytes);
    if (result.error !== null) throw this.fail('BAD_STRING', `LZF: ${result.error}`, this.pos + result.errorOffset);
    if (result.written !== plainBytes) throw this.fail('BAD_STRING', `LZF expanded to ${result.written} bytes, header says ${plainBytes}`, at);
    this.pos += compressedBytes;
    return out;
  }

  /** ZSET (type 3) score: length byte then ASCII, or 253 nan / 254 +inf / 255 -inf. */
  asciiDouble(): number {
    const at = this.pos;
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const text = latin1(this.raw(n), 0, n);
    const v = parseScore(text);
    if (Number.isNaN(v)) throw this.fail('BAD_VALUE', `invalid double "${text}"`, at);
    return v;
  }

  /** Blob absolute offset helper for container decoders (their errors carry absolute offsets). */
  private blobWithOffset(): { blob: Buffer; offset: number } {
    const at = this.pos;
    const blob = this.blob();
    // For plain strings the data starts after the header; LZF errors point at the header. (Comparing the blob's
    // ArrayBuffer with the input's is not enough: Node's pooled Buffers share one ArrayBuffer.)
    const offset = this.base + (this.lastBlobPlain ? this.pos - blob.length : at);
    return { blob, offset };
  }

  /** Decodes one value of `type`. Module values return RdbModuleInfo. */
  value(type: number): RdbValue | RdbModuleInfo {
    const at = this.pos - 1;
    switch (type) {
      case C.RDB_TYPE_STRING:
        return { type: 'string', value: this.str() };
      case C.RDB_TYPE_LIST:
        return { type: 'list', value: this.strList() };
      case C.RDB_TYPE_SET:
        return { type: 'set', value: this.strList() };
      case C.RDB_TYPE_ZSET:
      case C.RDB_TYPE_ZSET_2:
        return { type: 'zset', value: this.zsetPairs(type === C.RDB_TYPE_ZSET_2) };
      case C.RDB_TYPE_HASH:
        return { type: 'hash', value: this.hashPairs() };
      case C.RDB_TYPE_MODULE_PRE_GA:
        throw this.fail('UNSUPPORTED_TYPE', 'pre-release module format (type 6) is not supported', at);
      case C.RDB_TYPE_MODULE_2:
        return this.moduleValue(at);
      case C.RDB_TYPE_HASH_ZIPMAP: {
        const { blob, offset } = this.blobWithOffset();
        return { type: 'hash', value: decodeZipmap(blob, offset) };
      }
      case C.RDB_TYPE_LIST_ZIPLIST: {
        const { blob, offset } = this.blobWithOffset();
        return { type: 'list', value: decodeZiplist(blob, offset) };
      }
      case C.RDB_TYPE_SET_INTSET: {
        const { blob, offset } = this.blobWithOffset();
        return { type: 'set', value: decodeIntset(blob, offset) };
      }
      case C.RDB_TYPE_ZSET_ZIPLIST:
      case C.RDB_TYPE_ZSET_LISTPACK:
        return { type: 'zset', value: this.compactZset(type === C.RDB_TYPE_ZSET_LISTPACK) };
      case C.RDB_TYPE_HASH_ZIPLIST:
      case C.RDB_TYPE_HASH_LISTPACK: {
        const { blob, offset } = this.blobWithOffset();
        const flat = type === C.RDB_TYPE_HASH_LISTPACK ? decodeListpackValues(blob, 0, blob.length, offset, true) : decodeZiplist(blob, offset);
        return { type: 'hash', value: pairsOf(flat, offset, type === C.RDB_TYPE_HASH_LISTPACK ? 'CORRUPT_LISTPACK' : 'CORRUPT_ZIPLIST') };
      }
      case C.RDB_TYPE_LIST_QUICKLIST:
      case C.RDB_TYPE_LIST_QUICKLIST_2:
        return this.quicklist(type === C.RDB_TYPE_LIST_QUICKLIST_2);
      case C.RDB_TYPE_SET_LISTPACK: {
        const { blob, offset } = this.blobWithOffset();
        return { type: 'set', value: decodeListpackValues(blob, 0, blob.length, offset, true) };
      }
      case C.RDB_TYPE_STREAM_LISTPACKS:
        return { type: 'stream', value: decodeStreamValue(this, 1) };
      case C.RDB_TYPE_STREAM_LISTPACKS_2:
        return { type: 'stream', value: decodeStreamValue(this, 2) };
      case C.RDB_TYPE_STREAM_LISTPACKS_3:
        return { type: 'stream', value: decodeStreamValue(this, 3) };
      default:
        return this.dialectValue(type, at);
    }
  }

  /** Types whose meaning depends on the dialect (22+). */
  private dialectValue(type: number, at: number): RdbValue {
    if (!C.isObjectType(this.dialect, type)) {
      throw this.fail('UNKNOWN_OPCODE', `unknown value type ${type} for ${this.dialect.magic} RDB v${this.dialect.version}`, at);
    }
    if (this.dialect.valkey) return this.valkeyHash2();
    switch (type) {
      case C.RDB_TYPE_HASH_METADATA_PRE_GA:
      case C.RDB_TYPE_HASH_METADATA:
        return this.hashMetadata(type === C.RDB_TYPE_HASH_METADATA);
      case C.RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
      case C.RDB_TYPE_HASH_LISTPACK_EX:
        return this.hashListpackEx(type === C.RDB_TYPE_HASH_LISTPACK_EX);
      case C.RDB_TYPE_STREAM_LISTPACKS_4:
        return { type: 'stream', value: decodeStreamValue(this, 4) };
      case C.RDB_TYPE_STREAM_LISTPACKS_5:
        return { type: 'stream', value: decodeStreamValue(this, 5) };
      default:
        throw this.fail('UNKNOWN_OPCODE', `unknown value type ${type}`, at);
    }
  }

  private strList(): Bytes[] {
    const n = this.len();
    const out: Bytes[] = [];
    for (let i = 0; i < n; i++) out.push(this.str());
    return out;
  }

  private zsetPairs(binary: boolean): [Bytes, number][] {
    const n = this.len();
    const out: [Bytes, number][] = [];
    for (let i = 0; i < n; i++) {
      const member = this.str();
      const at = this.pos;
      const score = binary ? this.binaryDouble() : this.asciiDouble();
      if (Number.isNaN(score)) throw this.fail('BAD_VALUE', 'zset score is NaN', at);
      out.push([member, score]);
    }
    return out;
  }

  private hashPairs(): [Bytes, Bytes][] {
    const n = this.len();
    const out: [Bytes, Bytes][] = [];
    for (let i = 0; i < n; i++) out.push([this.str(), this.str()]);
    return out;
  }

  private compactZset(listpack: boolean): [Bytes, number][] {
    const { blob, offset } = this.blobWithOffset();
    const code = listpack ? 'CORRUPT_LISTPACK' : 'CORRUPT_ZIPLIST';
    const flat = listpack ? decodeListpackValues(blob, 0, blob.length, offset, true) : decodeZiplist(blob, offset);
    if (flat.length % 2 !== 0) throw new RdbError(code, offset, 'zset container has an odd number of elements');
    const out: [Bytes, number][] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const score = parseScore(flat[i + 1] as Bytes);
      if (Number.isNaN(score)) throw new RdbError(code, offset, `invalid zset score "${flat[i + 1] as Bytes}"`);
      out.push([flat[i] as Bytes, score]);
    }
    return out;
  }

  /** Quicklist nodes (ziplists, or listpacks and plain nodes for v2); node element counts kept for the layout. */
  private quicklist(v2: boolean): RdbValue {
    const nodes = this.len();
    const out: Bytes[] = [];
    const nodeCounts: number[] = [];
    for (let i = 0; i < nodes; i++) {
      let container = C.QUICKLIST_NODE_CONTAINER_PACKED;
      if (v2) {
        const at = this.pos;
        container = this.len();
        if (container !== C.QUICKLIST_NODE_CONTAINER_PACKED && container !== C.QUICKLIST_NODE_CONTAINER_PLAIN) {
          throw this.fail('BAD_VALUE', `unknown quicklist container ${container}`, at);
        }
      }
      if (container === C.QUICKLIST_NODE_CONTAINER_PLAIN) {
        out.push(this.str());
        nodeCounts.push(1);
        continue;
      }
      const { blob, offset } = this.blobWithOffset();
      const items = v2 ? decodeListpackValues(blob, 0, blob.length, offset, true) : decodeZiplist(blob, offset);
      for (const item of items) out.push(item);
      nodeCounts.push(items.length);
    }
    return { type: 'list', value: out, nodeCounts };
  }

  /** HASH_METADATA (24): <minExpire ms> <len> (<ttl: 0 | expire - minExpire + 1> <field> <value>)*; PRE_GA (22): ttl is absolute. */
  private hashMetadata(relative: boolean): RdbValue {
    const minExpire = relative ? this.millis() : 0;
    const n = this.len();
    const value: [Bytes, Bytes][] = [];
    const expires: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const ttl = this.lenBig();
      let expireAt = -1;
      if (ttl !== 0n) {
        const abs = relative ? ttl + BigInt(minExpire) - 1n : ttl;
        if (abs > 0xffffffffffffn) throw this.fail('BAD_VALUE', `hash field expire time ${abs} out of range`, at);
        expireAt = Number(abs);
      }
      value.push([this.str(), this.str()]);
      expires.push(expireAt);
    }
    return { type: 'hash', value, fieldExpireAtMs: expires };
  }

  /** HASH_LISTPACK_EX (25): <minExpire ms> <listpack of field, value, ttl (0 = none, absolute ms)>; PRE_GA (23): no minExpire. */
  private hashListpackEx(withMinExpire: boolean): RdbValue {
    if (withMinExpire) this.millis();
    const { blob, offset } = this.blobWithOffset();
    const flat = decodeListpackValues(blob, 0, blob.length, offset, false);
    if (flat.length % 3 !== 0) throw new RdbError('CORRUPT_LISTPACK', offset, 'listpackex element count is not a multiple of 3');
    const value: [Bytes, Bytes][] = [];
    const expires: number[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      const ttl = flat[i + 2] as ListpackValue;
      if (typeof ttl !== 'number' || ttl < 0 || ttl > 0xffffffffffff) {
        throw new RdbError('CORRUPT_LISTPACK', offset, 'listpackex TTL is not a valid integer');
      }
      value.push([lpText(flat[i] as ListpackValue), lpText(flat[i + 1] as ListpackValue)]);
      expires.push(ttl === 0 ? -1 : ttl);
    }
    return { type: 'hash', value, fieldExpireAtMs: expires };
  }

  /** Valkey HASH_2 (22): <len> (<field> <value> <expire ms: int64 LE, -1 = none>)*. */
  private valkeyHash2(): RdbValue {
    const n = this.len();
    const value: [Bytes, Bytes][] = [];
    const expires: number[] = [];
    for (let i = 0; i < n; i++) {
      value.push([this.str(), this.str()]);
      const at = this.pos;
      const expireAt = this.millis();
      if (expireAt < -1) throw this.fail('BAD_VALUE', `hash field expire time ${expireAt} out of range`, at);
      expires.push(expireAt);
    }
    return { type: 'hash', value, fieldExpireAtMs: expires };
  }

  /**
   * MODULE_2 value: <module id (64-bit length)> then sub-opcode tagged items until EOF. Walking
   * the tags skips the value without the module.
   */
  private moduleValue(at: number): RdbModuleInfo {
    if (this.limits.moduleError) throw this.fail('MODULE_VALUE', 'module value in RDB and onModule is "error"', at);
    const start = this.pos;
    const moduleId = this.lenBig();
    this.skipModuleBody();
    return this.moduleInfo(moduleId, start);
  }

  moduleInfo(moduleId: bigint, rawStart: number): RdbModuleInfo {
    const { name, encodingVersion } = C.decodeModuleId(moduleId);
    const info: RdbModuleInfo = { moduleId, moduleName: name, encodingVersion };
    if (this.limits.keepModuleRaw) info.raw = new Uint8Array(this.buf.subarray(rawStart, this.pos));
    return info;
  }

  /** Skips module sub-opcode items up to and including RDB_MODULE_OPCODE_EOF. */
  skipModuleBody(): void {
    for (;;) {
      const at = this.pos;
      const opcode = this.lenBig();
      switch (opcode > 5n ? -1 : Number(opcode)) {
        case C.RDB_MODULE_OPCODE_EOF:
          return;
        case C.RDB_MODULE_OPCODE_SINT:
        case C.RDB_MODULE_OPCODE_UINT:
          this.lenBig();
          continue;
        case C.RDB_MODULE_OPCODE_FLOAT:
          this.raw(4);
          continue;
        case C.RDB_MODULE_OPCODE_DOUBLE:
          this.raw(8);
          continue;
        case C.RDB_MODULE_OPCODE_STRING:
          this.skipString();
          continue;
        default:
          break;
      }
      throw this.fail('BAD_VALUE', `unknown module sub-opcode ${opcode}`, at);
    }
  }

  private skipString(): void {
    this.blob(); // validates (and expands LZF) like any string; module strings are rare
  }

  /** A listpack blob read with absolute error offsets, ints left as numbers (streams). */
  listpackRaw(): { values: ListpackValue[]; offset: number } {
    const { blob, offset } = this.blobWithOffset();
    return { values: decodeListpackValues(blob, 0, blob.length, offset, false), offset };
  }
}

/** Decimal text of a listpack value. */
export function lpText(v: ListpackValue): Bytes {
  return typeof v === 'string' ? v : String(v);
}

function pairsOf(flat: Bytes[], offset: number, code: RdbErrorCode): [Bytes, Bytes][] {
  if (flat.length % 2 !== 0) throw new RdbError(code, offset, 'hash container has an odd number of elements');
  const out: [Bytes, Bytes][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as Bytes, flat[i + 1] as Bytes]);
  return out;
}

/** strtod-like score parsing: "inf", "-inf", "+inf" (any case), decimal and exponent forms. */
export function parseScore(text: string): number {
  const lower = text.length <= 9 ? text.toLowerCase() : text;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (text.length === 0) return NaN;
  return Number(text);
}

/** The OBJECT ENCODING Redis would report right after loading a value of this RDB type. */
export function encodingOfRdbType(type: number, dialect: RdbDialect): RdbEncodingHint | undefined {
  switch (type) {
    case C.RDB_TYPE_LIST_QUICKLIST:
    case C.RDB_TYPE_LIST_QUICKLIST_2:
      return 'quicklist';
    case C.RDB_TYPE_SET:
    case C.RDB_TYPE_HASH:
      return 'hashtable';
    case C.RDB_TYPE_ZSET:
    case C.RDB_TYPE_ZSET_2:
      return 'skiplist';
    case C.RDB_TYPE_SET_INTSET:
      return 'intset';
    case C.RDB_TYPE_HASH_ZIPMAP:
      return 'zipmap';
    case C.RDB_TYPE_LIST_ZIPLIST:
    case C.RDB_TYPE_ZSET_ZIPLIST:
    case C.RDB_TYPE_HASH_ZIPLIST:
      return 'ziplist';
    case C.RDB_TYPE_HASH_LISTPACK:
    case C.RDB_TYPE_ZSET_LISTPACK:
    case C.RDB_TYPE_SET_LISTPACK:
      return 'listpack';
    case C.RDB_TYPE_STREAM_LISTPACKS:
    case C.RDB_TYPE_STREAM_LISTPACKS_2:
    case C.RDB_TYPE_STREAM_LISTPACKS_3:
      return 'stream';
    default:
      if (dialect.valkey) return type === C.VALKEY_RDB_TYPE_HASH_2 ? 'hashtable' : undefined;
      if (type === C.RDB_TYPE_HASH_METADATA || type === C.RDB_TYPE_HASH_METADATA_PRE_GA) return 'hashtable';
      if (type === C.RDB_TYPE_HASH_LISTPACK_EX || type === C.RDB_TYPE_HASH_LISTPACK_EX_PRE_GA) return 'listpackex';
      if (type === C.RDB_TYPE_STREAM_LISTPACKS_4 || type === C.RDB_TYPE_STREAM_LISTPACKS_5) return 'stream';
      return undefined;
  }
}

/** uint64 stored by rdbSaveLen from a signed long long: 2^64-1 is -1. */
export function signed64(v: bigint): bigint {
  return v === UINT64_MAX ? -1n : BigInt.asIntN(64, v);
}
