// Byte output with a running CRC64 (the role of redis src/rio.h for the writer): RDB primitives
// (lengths, strings with int / LZF encodings, times, doubles) appended to fixed-size chunks that
// are handed to a sink. One encoder for every destination: file, socket, DUMP payload, AOF
// preamble.
//
// A chunk passed to sink.write() is never touched again (sinks may queue it without copying).

import { type Bytes, canonicalInt } from '../bytes.js';
import { type Crc64Value, crc64Update } from '../crc64.js';
import { lzfCompressInto } from '../lzf.js';
import * as C from './constants.js';

/** Where encoded bytes go. Called synchronously; must take ownership of `chunk`. */
export interface RdbSink {
  write(chunk: Uint8Array): void;
}

export const CHUNK_BYTES_DEFAULT = 64 * 1024;
/** Redis: "under 20 bytes it's unable to compress even aaaaaaaaaaaaaaaaaa" (rdbSaveRawString). */
const LZF_MIN_INPUT_BYTES = 21;
/** quicklist.c MIN_COMPRESS_BYTES and MIN_COMPRESS_IMPROVE. */
const QUICKLIST_MIN_COMPRESS_BYTES = 48;
const QUICKLIST_MIN_COMPRESS_IMPROVE = 8;
const TWO_POW_32 = 4294967296;

export class RdbOutput {
  private buf: Buffer;
  private pos = 0;
  private readonly chunkBytes: number;
  private readonly crc: Crc64Value = { hi: 0, lo: 0 };
  private scratch: Buffer = Buffer.allocUnsafe(4096);
  private packed: Buffer = Buffer.allocUnsafe(4096);
  /** Bytes handed to the sink so far plus those buffered. */
  bytesWritten = 0;

  constructor(
    private readonly sink: RdbSink,
    readonly options: { compression: boolean; checksum: boolean; chunkBytes?: number },
  ) {
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES_DEFAULT;
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** The CRC64 of everything written so far (flushes the checksum state, not the bytes). */
  checksum(): Crc64Value {
    const state = { hi: this.crc.hi, lo: this.crc.lo };
    if (this.options.checksum) crc64Update(state, this.buf, 0, this.pos);
    return state;
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.options.checksum) crc64Update(this.crc, this.buf, 0, this.pos);
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.pos = 0;
    this.sink.write(chunk);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
    this.bytesWritten++;
  }

  /**
   * Appends bytes. Large ones go to the sink as their own chunk: as is when `transferable` (the
   * caller never reuses them), else as a copy.
   */
  bytes(data: Uint8Array, transferable = false): void {
    const n = data.length;
    if (n >= this.chunkBytes >>> 1) {
      this.flush();
      if (this.options.checksum) crc64Update(this.crc, data, 0, n);
      this.sink.write(transferable ? data : new Uint8Array(data));
    } else {
      this.room(n);
      this.buf.set(data, this.pos);
      this.pos += n;
    }
    this.bytesWritten += n;
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian length. */
  len(n: number): void {
    this.room(9);
    const b = this.buf;
    const p = this.pos;
    let size: number;
    if (n < 64) {
      b[p] = n;
      size = 1;
    } else if (n < 16384) {
      b[p] = (C.RDB_14BITLEN << 6) | (n >>> 8);
      b[p + 1] = n & 0xff;
      size = 2;
    } else if (n < TWO_POW_32) {
      b[p] = C.RDB_32BITLEN;
      b.writeUInt32BE(n, p + 1);
      size = 5;
    } else {
      b[p] = C.RDB_64BITLEN;
      b.writeUInt32BE(Math.floor(n / TWO_POW_32), p + 1);
      b.writeUInt32BE(n >>> 0, p + 5);
      size = 9;
    }
    this.pos = p + size;
    this.bytesWritten += size;
  }

  /** A uint64 length (stream IDs and counters); negative values are stored two's complement. */
  lenBig(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    if (u < 0xffffffffn) {
      this.len(Number(u));
      return;
    }
    this.room(9);
    this.buf[this.pos] = C.RDB_64BITLEN;
    this.buf.writeBigUInt64BE(u, this.pos + 1);
    this.pos += 9;
    this.bytesWritten += 9;
  }

  /** 8-byte little-endian signed milliseconds (rdbSaveMillisecondTime); a bigint for int64s beyond ±2^53. */
  millis(ms: number | bigint): void {
    this.room(8);
    if (typeof ms === 'bigint') {
      this.buf.writeBigInt64LE(BigInt.asIntN(64, ms), this.pos);
      this.pos += 8;
      this.bytesWritten += 8;
      return;
    }
    const lo = ms % TWO_POW_32;
    const loU = lo < 0 ? lo + TWO_POW_32 : lo;
    this.buf.writeUInt32LE(loU, this.pos);
    this.buf.writeInt32LE((ms - loU) / TWO_POW_32, this.pos + 4);
    this.pos += 8;
    this.bytesWritten += 8;
  }

  binaryDouble(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    this.bytesWritten += 8;
  }

  /** Raw stream ID: ms and seq as big-endian uint64. */
  rawStreamId(ms: bigint, seq: bigint): void {
    this.room(16);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, ms), this.pos);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, seq), this.pos + 8);
    this.pos += 16;
    this.bytesWritten += 16;
  }

  /** Writes an int8/16/32 encoded string if `v` fits (rdbEncodeInteger); false otherwise. */
  private encodedInt(v: number): boolean {
    if (v >= -128 && v <= 127) {
      this.room(2);
      this.buf[this.pos] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT8;
      this.buf.writeInt8(v, this.pos + 1);
      this.pos += 2;
      this.bytesWritten += 2;
      return true;
    }
    if (v >= -32768 && v <= 32767) {
      this.room(3);
      this.buf[this.pos] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT16;
      this.buf.writeInt16LE(v, this.pos + 1);
      this.pos += 3;
      this.bytesWritten += 3;
      return true;
    }
    if (v >= -2147483648 && v <= 2147483647) {
      this.room(5);
      this.buf[this.pos] = (C.RDB_ENCVAL << 6) | C.RDB_ENC_INT32;
      this.buf.writeInt32LE(v, this.pos + 1);
      this.pos += 5;
      this.bytesWritten += 5;
      return true;
    }
    return false;
  }

  /**
   * rdbSaveRawString for a Bytes string: int8/16/32 encoding when it is a canonical integer of
   * at most 11 chars, LZF when longer than 20 bytes and compression saves at least 4 bytes,
   * else length + bytes.
   */
  str(s: Bytes): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = canonicalInt(s);
        if (typeof v === 'number' && this.encodedInt(v)) return;
      }
    }
    if (this.options.compression && n >= LZF_MIN_INPUT_BYTES) {
      if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2));
      this.scratch.latin1Write(s, 0, n);
      if (this.lzf(this.scratch, n)) return;
      this.len(n);
      this.bytes(this.scratch.subarray(0, n));
      return;
    }
    this.len(n);
    if (n >= this.chunkBytes >>> 1) {
      this.bytes(Buffer.from(s, 'latin1'), true);
      return;
    }
    this.room(n);
    this.buf.latin1Write(s, this.pos, n);
    this.pos += n;
    this.bytesWritten += n;
  }

  /** rdbSaveRawString for bytes (listpack / ziplist / intset blobs). */
  blob(data: Buffer): void {
    const n = data.length;
    if (n <= 11 && n > 0 && ((data[0] as number) === 45 || ((data[0] as number) >= 48 && (data[0] as number) <= 57))) {
      const v = canonicalInt(data.toString('latin1'));
      if (typeof v === 'number' && this.encodedInt(v)) return;
    }
    if (this.options.compression && n >= LZF_MIN_INPUT_BYTES && this.lzf(data, n)) return;
    this.len(n);
    this.bytes(data);
  }

  /**
   * A quicklist node. An interior node (beyond list-compress-depth from both ends) Redis holds LZF-compressed
   * when it has at least 48 bytes and LZF saves more than 8 (__quicklistCompressNode), and saves that blob as
   * it is (rdbSaveLzfBlob), under rdbcompression no too; any other node is a plain blob(). With compression on
   * the two agree: an LZF saving more than 8 bytes also passes rdbSaveLzfStringObject's test, and LZF's output
   * does not depend on the room it is given.
   */
  quicklistNode(data: Buffer, interior: boolean): void {
    const n = data.length;
    if (!interior || this.options.compression || n < QUICKLIST_MIN_COMPRESS_BYTES) {
      this.blob(data);
      return;
    }
    if (this.packed.length < n + 1) this.packed = Buffer.allocUnsafe(Math.max(n + 1, this.packed.length * 2));
    const packedBytes = lzfCompressInto(data, 0, n, this.packed, n);
    if (packedBytes === 0 || packedBytes + QUICKLIST_MIN_COMPRESS_IMPROVE >= n) {
      this.blob(data);
      return;
    }
    this.u8((C.RDB_ENCVAL << 6) | C.RDB_ENC_LZF);
    this.len(packedBytes);
    this.len(n);
    this.bytes(this.packed.subarray(0, packedBytes));
  }

  /** Writes data[0, n) LZF-compressed if that saves at least 4 bytes (rdbSaveLzfStringObject). */
  private lzf(data: Buffer, n: number): boolean {
    const outMax = n - 4;
    if (this.packed.length < outMax + 1) this.packed = Buffer.allocUnsafe(Math.max(outMax + 1, this.packed.length * 2));
    const packedBytes = lzfCompressInto(data, 0, n, this.packed, outMax);
    if (packedBytes === 0) return false;
    this.u8((C.RDB_ENCVAL << 6) | C.RDB_ENC_LZF);
    this.len(packedBytes);
    this.len(n);
    this.bytes(this.packed.subarray(0, packedBytes));
    return true;
  }
}
