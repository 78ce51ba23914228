// RDB writer: records in, RDB bytes out to a sink, with a running CRC64 (redis rdbSaveRio). It
// accepts the reader's record model, so read -> write round-trips, and targets RDB 9..12:
//
//   target  lists              sets                         zsets / hashes           streams
//   9       QUICKLIST/ziplist  INTSET, SET                  ZIPLIST or ZSET_2/HASH   LISTPACKS (v1)
//   10      QUICKLIST_2        INTSET, SET                  LISTPACK or ZSET_2/HASH  LISTPACKS_2
//   11      QUICKLIST_2        INTSET, LISTPACK, SET        as 10                    LISTPACKS_3
//   12      as 11              as 11                        + HASH_LISTPACK_EX / HASH_METADATA
//
// The caller passes the encoding Redis would report (`encoding` on the key record); the writer
// uses the matching compact type when the target has it, otherwise re-encodes. Whatever the target
// cannot represent (hash field TTLs below 12, consumer active time below 11, module values
// without their raw bytes) is dropped and reported in `warnings`, never silently.
//
// Contract: write(record) encodes synchronously into 64 KiB chunks handed to sink.write (the
// sink owns each chunk); the header is written before the first record; an 'eof' record or
// end() writes EOF and the CRC64 footer (0 when checksums are off) and flushes. Writing after
// that throws RdbError STATE.

import type { Bytes } from '../bytes.js';
import { crc64WriteLE } from '../crc64.js';
import { RdbError } from '../errors.js';
import * as C from './constants.js';
import { type EncodeWarning, planValue, writeValue } from './encode-value.js';
import { RdbOutput, type RdbSink } from './output.js';
import type { RdbKeyRecord, RdbRecord } from './types.js';

export type { RdbSink } from './output.js';

export interface RdbWriteOptions {
  /** Target RDB version, 9..12 (default 10, what Redis 7.0 writes). */
  version?: number;
  /** LZF-compress strings longer than 20 bytes when it saves space (rdbcompression, default true). */
  compression?: boolean;
  /** Write the CRC64 footer (rdbchecksum, default true); otherwise the footer is 0. */
  checksum?: boolean;
  /** Size of the chunks handed to the sink (default 64 KiB). */
  chunkBytes?: number;
}

export interface RdbWriteWarning {
  code: EncodeWarning['code'];
  message: string;
  db?: number;
  key?: Bytes;
}

export const RDB_WRITE_VERSION_MIN = 9;
export const RDB_WRITE_VERSION_MAX = 12;

export class RdbWriter {
  readonly version: number;
  readonly warnings: RdbWriteWarning[] = [];
  private readonly out: RdbOutput;
  private readonly checksumEnabled: boolean;
  private started = false;
  private finished = false;
  private db = -1;

  constructor(sink: RdbSink, options: RdbWriteOptions = {}) {
    this.version = options.version ?? 10;
    if (!Number.isInteger(this.version) || this.version < RDB_WRITE_VERSION_MIN || this.version > RDB_WRITE_VERSION_MAX) {
      throw new RdbError('UNSUPPORTED_VERSION', -1, `the writer targets RDB ${RDB_WRITE_VERSION_MIN}..${RDB_WRITE_VERSION_MAX}, not ${this.version}`);
    }
    this.checksumEnabled = options.checksum ?? true;
    const outOptions: { compression: boolean; checksum: boolean; chunkBytes?: number } = {
      compression: options.compression ?? true,
      checksum: this.checksumEnabled,
    };
    if (options.chunkBytes !== undefined) outOptions.chunkBytes = options.chunkBytes;
    this.out = new RdbOutput(sink, outOptions);
  }

  /** Bytes produced so far (handed to the sink or buffered). */
  get bytesWritten(): number {
    return this.out.bytesWritten;
  }

  get done(): boolean {
    return this.finished;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const magic = `REDIS${String(this.version).padStart(4, '0')}`;
    this.out.bytes(Buffer.from(magic, 'latin1'));
  }

  private warn(code: RdbWriteWarning['code'], message: string, record?: { db: number; key: Bytes }): void {
    const w: RdbWriteWarning = { code, message };
    if (record !== undefined) {
      w.db = record.db;
      w.key = record.key;
    }
    this.warnings.push(w);
  }

  /** Encodes one record (see the module contract). */
  write(record: RdbRecord): void {
    if (this.finished) throw new RdbError('STATE', -1, 'write() after the RDB was finished');
    this.start();
    const out = this.out;
    switch (record.kind) {
      case 'header':
        return; // the writer writes its own header for its target version
      case 'aux':
        out.u8(C.RDB_OPCODE_AUX);
        out.str(record.key);
        out.str(record.value);
        return;
      case 'selectdb':
        this.selectDb(record.db);
        return;
      case 'resizedb':
        out.u8(C.RDB_OPCODE_RESIZEDB);
        out.len(record.dbSize);
        out.len(record.expiresSize);
        return;
      case 'slot-info':
        if (this.version < 12) return; // a sizing hint only; RDB < 12 has no opcode for it
        out.u8(C.RDB_OPCODE_SLOT_INFO);
        out.len(record.slot);
        out.len(record.slotSize);
        out.len(record.expiresSlotSize);
        return;
      case 'function':
        if (this.version < 10) {
          this.warn('RECORD_DROPPED', `functions need RDB 10, target is ${this.version}`);
          return;
        }
        out.u8(C.RDB_OPCODE_FUNCTION2);
        out.str(record.code);
        return;
      case 'module-aux':
        if (record.raw === undefined) {
          this.warn('RECORD_DROPPED', `module aux data of ${record.moduleName} dropped (no raw bytes)`);
          return;
        }
        out.u8(C.RDB_OPCODE_MODULE_AUX);
        out.bytes(record.raw);
        return;
      case 'module-key':
        if (record.raw === undefined) {
          this.warn('RECORD_DROPPED', `module value of type ${record.moduleName} dropped (no raw bytes)`, record);
          return;
        }
        this.selectDb(record.db);
        if (record.expireAtMs !== -1) {
          out.u8(C.RDB_OPCODE_EXPIRETIME_MS);
          out.millis(record.expireAtMs);
        }
        out.u8(C.RDB_TYPE_MODULE_2);
        out.str(record.key);
        out.bytes(record.raw);
        return;
      case 'key-meta':
      case 'slot-import':
        this.warn('RECORD_DROPPED', `${record.kind} record has no RDB ${this.version} form`);
        return;
      case 'key':
        this.writeKey(record);
        return;
      case 'eof':
        this.end();
        return;
      default: {
        const never: never = record;
        return never;
      }
    }
  }

  private selectDb(db: number): void {
    if (db === this.db) return;
    this.db = db;
    this.out.u8(C.RDB_OPCODE_SELECTDB);
    this.out.len(db);
  }

  private writeKey(record: RdbKeyRecord): void {
    const out = this.out;
    this.selectDb(record.db);
    const plan = planValue(record.value, record.encoding, this.version);
    for (const w of plan.warnings) this.warn(w.code, w.message, record);
    if (record.expireAtMs !== -1) {
      out.u8(C.RDB_OPCODE_EXPIRETIME_MS);
      out.millis(record.expireAtMs);
    }
    if (record.idleSeconds !== undefined) {
      out.u8(C.RDB_OPCODE_IDLE);
      out.len(record.idleSeconds);
    }
    if (record.freq !== undefined) {
      out.u8(C.RDB_OPCODE_FREQ);
      out.u8(record.freq & 0xff);
    }
    out.u8(plan.type);
    out.str(record.key);
    writeValue(out, record.value, plan.type);
  }

  /** Writes EOF and the CRC64 footer, flushes. Idempotent. */
  end(): void {
    if (this.finished) return;
    this.start();
    this.finished = true;
    this.out.u8(C.RDB_OPCODE_EOF);
    const footer = Buffer.alloc(8);
    if (this.checksumEnabled) crc64WriteLE(this.out.checksum(), footer, 0);
    this.out.bytes(footer);
    this.out.flush();
  }
}

/** An RdbSink collecting chunks in memory. */
export class BufferSink implements RdbSink {
  readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes records to one Buffer (adds EOF if the records do not end with one). */
export function writeRdbBuffer(records: Iterable<RdbRecord>, options: RdbWriteOptions = {}): { bytes: Buffer; warnings: RdbWriteWarning[] } {
  const sink = new BufferSink();
  const writer = new RdbWriter(sink, options);
  for (const r of records) writer.write(r);
  writer.end();
  return { bytes: sink.toBuffer(), warnings: writer.warnings };
}

/** An asynchronous sink: each write may return a promise (backpressure). */
export interface AsyncRdbSink {
  write(chunk: Uint8Array): void | Promise<void>;
}

/**
 * Streams records into an asynchronous sink (socket, file handle), awaiting it between records
 * so at most one record plus one chunk is buffered.
 */
export async function writeRdb(
  records: Iterable<RdbRecord> | AsyncIterable<RdbRecord>,
  sink: AsyncRdbSink,
  options: RdbWriteOptions = {},
): Promise<{ bytesWritten: number; warnings: RdbWriteWarning[] }> {
  const pending: Uint8Array[] = [];
  const writer = new RdbWriter({ write: (chunk) => pending.push(chunk) }, options);
  const drain = async (): Promise<void> => {
    while (pending.length > 0) await sink.write(pending.shift() as Uint8Array);
  };
  for await (const r of records) {
    writer.write(r);
    await drain();
  }
  writer.end();
  await drain();
  return { bytesWritten: writer.bytesWritten, warnings: writer.warnings };
}
