// Streaming RDB reader: bytes in (any chunking, any source), records out. Owns framing (magic,
// opcodes, EOF + CRC64 footer) and the running checksum; value decoding lives in decoder.ts.
// It never needs the whole file: it buffers at most one record (one opcode, or one key with its
// value) plus the chunk that completes it.
//
// Design: each record is parsed from its first byte over the contiguous buffered window. When
// the window ends inside the record, the decoder throws NEED_MORE carrying the index it would
// need; the parser keeps the partial record, waits for that many bytes and re-parses from the
// record's start. To keep the re-parse cost linear for records that arrive in many small chunks
// (a 100 MB hash sent in 64 KiB pieces), a retry also waits until the partial record has grown
// by half once it is larger than 4 KiB. A declared string length is checked against
// stringBytesMax (and against totalBytes when known) before any byte of it is awaited, and a
// record larger than recordBytesMax fails instead of being buffered.
//
// Contract of RdbParser:
//   feed(chunk)  -> the records completed by this chunk (possibly none). Throws RdbError on
//                   corrupt input; after that every call throws the same error.
//   end()        -> the remaining records; throws RdbError TRUNCATED if the input stopped
//                   inside a record or before EOF.
//   After the EOF record, further bytes (an AOF tail after an RDB preamble) are kept and
//   returned by takeTrailing(); they are not parsed.

import { canonicalInt, type Int64 } from '../bytes.js';
import { type Crc64Value, crc64ReadLE, crc64ToBigInt, crc64Update, crc64Equal } from '../crc64.js';
import { RdbError } from '../errors.js';
import * as C from './constants.js';
import { type DecoderLimits, NEED_MORE, RdbDecoder, encodingOfRdbType } from './decoder.js';
import type { RdbKeyRecord, RdbModuleInfo, RdbRecord, RdbValue } from './types.js';

export interface RdbReadOptions {
  /** Largest single string accepted (default 512 MiB, Redis proto-max-bulk-len). */
  stringBytesMax?: number;
  /** Largest single record buffered (default 1 GiB). */
  recordBytesMax?: number;
  /** Total input size when known (e.g. file size): over-long lengths fail immediately. */
  totalBytes?: number;
  /** Module values/aux: 'skip' walks and reports them (default), 'error' rejects the file. */
  onModule?: 'skip' | 'error';
  /** Keep the raw bytes of skipped module values in the records. */
  keepModuleRaw?: boolean;
  /**
   * 'verify' (default): a wrong CRC64 footer throws CHECKSUM_MISMATCH. 'report': the eof record
   * says checksumOk false. 'skip': no CRC is computed (eof.checksumOk = 'disabled').
   */
  checksum?: 'verify' | 'report' | 'skip';
}

export const RECORD_BYTES_MAX_DEFAULT = 1024 * 1024 * 1024;
const RETRY_GROWTH_THRESHOLD_BYTES = 4096;

type ParserState = 'header' | 'body' | 'done';

export class RdbParser {
  private readonly decoder: RdbDecoder;
  private readonly recordBytesMax: number;
  private readonly checksumMode: 'verify' | 'report' | 'skip';
  private buf: Buffer = Buffer.alloc(0);
  /** buf is owned (ours to keep); otherwise it is the caller's chunk. */
  private owned = false;
  private start = 0;
  private limit = 0;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private waitUntil = 0;
  private state: ParserState = 'header';
  private failure: RdbError | null = null;
  private ended = false;
  private readonly crc: Crc64Value = { hi: 0, lo: 0 };
  /** buf index up to which `crc` covers the input (<= start). CRC runs per chunk, not per record. */
  private crcDone = 0;
  private db = 0;
  private expireAtMs: Int64 = -1;
  private idleSeconds = -1;
  private freq = -1;
  private trailing: Buffer[] = [];
  /** Records of data this codec skips rather than decodes. */
  readonly skipped = { moduleKeys: 0, moduleAux: 0, keyMeta: 0 };

  constructor(options: RdbReadOptions = {}) {
    const limits: Partial<DecoderLimits> = {
      moduleError: options.onModule === 'error',
      keepModuleRaw: options.keepModuleRaw ?? false,
      totalBytes: options.totalBytes ?? -1,
    };
    if (options.stringBytesMax !== undefined) limits.stringBytesMax = options.stringBytesMax;
    this.decoder = new RdbDecoder(limits);
    this.recordBytesMax = options.recordBytesMax ?? RECORD_BYTES_MAX_DEFAULT;
    this.checksumMode = options.checksum ?? 'verify';
  }

  /** True once the EOF record was produced. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Absolute offset of the first byte not yet consumed. */
  get offset(): number {
    return this.base + this.start;
  }

  /** Bytes received after the RDB's end (e.g. the AOF part of a preamble file). */
  takeTrailing(): Buffer {
    const out = Buffer.concat(this.trailing);
    this.trailing = [];
    return out;
  }

  feed(chunk: Uint8Array): RdbRecord[] {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new RdbError('STATE', this.offset, 'feed() after end()');
    if (chunk.length === 0) return [];
    if (this.state === 'done') {
      this.trailing.push(Buffer.from(chunk));
      return [];
    }
    this.append(chunk);
    const out: RdbRecord[] = [];
    if (this.base + this.limit >= this.waitUntil) this.run(out, false);
    this.retainLeftover();
    return out;
  }

  end(): RdbRecord[] {
    if (this.failure !== null) throw this.failure;
    if (this.ended) return [];
    this.ended = true;
    const out: RdbRecord[] = [];
    if (this.state !== 'done') this.run(out, true);
    return out;
  }

  /** Folds consumed bytes into the running CRC before buf is dropped or re-based. */
  private syncCrc(): void {
    if (this.checksumMode !== 'skip' && this.crcDone < this.start) crc64Update(this.crc, this.buf, this.crcDone, this.start);
    this.crcDone = 0;
  }

  private append(chunk: Uint8Array): void {
    const view = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const leftover = this.limit - this.start;
    if (leftover === 0) {
      this.syncCrc();
      this.base += this.limit;
      this.buf = view;
      this.owned = false;
      this.start = 0;
      this.limit = view.length;
      return;
    }
    if (this.owned && this.limit + view.length <= this.buf.length) {
      view.copy(this.buf, this.limit);
      this.limit += view.length;
      return;
    }
    const size = Math.max(leftover + view.length, Math.min(leftover * 2, leftover + this.recordBytesMax), 64 * 1024);
    this.syncCrc();
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.limit);
    view.copy(next, leftover);
    this.base += this.start;
    this.buf = next;
    this.owned = true;
    this.start = 0;
    this.limit = leftover + view.length;
  }

  /** The caller may reuse its chunk after feed() returns: keep a private copy of what is left. */
  private retainLeftover(): void {
    if (this.owned) return;
    if (this.start === this.limit) {
      // All consumed, but the CRC of the caller's chunk may still be pending: fold it in now, before the caller
      // reuses the chunk (a record ending exactly at a chunk boundary of a reused read buffer).
      this.syncCrc();
      this.base += this.limit;
      this.buf = Buffer.alloc(0);
      this.owned = true;
      this.start = 0;
      this.limit = 0;
      return;
    }
    const leftover = this.limit - this.start;
    this.syncCrc();
    const next = Buffer.allocUnsafe(Math.max(leftover * 2, 64 * 1024));
    this.buf.copy(next, 0, this.start, this.limit);
    this.base += this.start;
    this.buf = next;
    this.owned = true;
    this.start = 0;
    this.limit = leftover;
  }

  private run(out: RdbRecord[], final: boolean): void {
    const d = this.decoder;
    while (this.state !== 'done') {
      if (!final && this.start === this.limit) return;
      d.setWindow(this.buf, this.start, this.limit, this.base, final);
      let record: RdbRecord | null;
      try {
        record = this.state === 'header' ? this.parseHeader() : this.parseBody();
      } catch (e) {
        if (e === NEED_MORE) {
          this.scheduleRetry();
          return;
        }
        this.failure = e instanceof RdbError ? e : new RdbError('BAD_VALUE', this.offset, `internal decoder failure: ${String(e)}`);
        throw this.failure;
      }
      this.start = d.pos;
      if (record !== null) out.push(record);
      if (record !== null && record.kind === 'eof' && this.start < this.limit) {
        this.trailing.push(Buffer.from(this.buf.subarray(this.start, this.limit)));
        this.start = this.limit;
      }
    }
  }

  private scheduleRetry(): void {
    const partial = this.limit - this.start;
    const needed = this.base + this.decoder.neededEnd;
    if (needed - (this.base + this.start) > this.recordBytesMax) {
      this.failure = new RdbError('LIMIT_EXCEEDED', this.offset, `record larger than the ${this.recordBytesMax}-byte limit`);
      throw this.failure;
    }
    let wait = needed;
    if (partial >= RETRY_GROWTH_THRESHOLD_BYTES) wait = Math.max(wait, this.base + this.start + Math.floor(partial * 1.5));
    const total = this.decoder.limits.totalBytes;
    if (total >= 0) wait = Math.min(wait, Math.max(total, needed));
    this.waitUntil = wait;
  }

  private parseHeader(): RdbRecord {
    const d = this.decoder;
    const magic = d.raw(9).toString('latin1');
    let version: number;
    let valkey: boolean;
    let name: C.RdbMagic;
    if (/^REDIS[0-9]{4}$/.test(magic)) {
      name = 'REDIS';
      version = Number(magic.slice(5));
      valkey = version >= C.VALKEY_RDB_VERSION_MIN;
      const ok = (version >= 1 && version <= C.REDIS_RDB_VERSION_MAX) || (valkey && version <= C.VALKEY_RDB_VERSION_MAX);
      if (!ok) throw d.fail('UNSUPPORTED_VERSION', `can't handle RDB format version ${version}`, 5);
    } else if (/^VALKEY[0-9]{3}$/.test(magic)) {
      name = 'VALKEY';
      version = Number(magic.slice(6));
      valkey = true;
      if (version < C.VALKEY_RDB_VERSION_MIN || version > C.VALKEY_RDB_VERSION_MAX) {
        throw d.fail('UNSUPPORTED_VERSION', `can't handle Valkey RDB format version ${version}`, 6);
      }
    } else {
      throw d.fail('BAD_MAGIC', 'not an RDB file (wrong signature)', 0);
    }
    d.dialect = { magic: name, version, valkey };
    this.state = 'body';
    return { kind: 'header', magic: name, version };
  }

  private parseBody(): RdbRecord | null {
    const d = this.decoder;
    const at = d.pos;
    const type = d.u8();
    switch (type) {
      case C.RDB_OPCODE_EXPIRETIME:
        this.expireAtMs = d.int32() * 1000;
        return null;
      case C.RDB_OPCODE_EXPIRETIME_MS:
        this.expireAtMs = d.millisInt64();
        return null;
      case C.RDB_OPCODE_FREQ:
        this.freq = d.u8();
        return null;
      case C.RDB_OPCODE_IDLE:
        this.idleSeconds = d.len();
        return null;
      case C.RDB_OPCODE_EOF:
        return this.parseEof();
      case C.RDB_OPCODE_SELECTDB:
        this.db = d.len();
        return { kind: 'selectdb', db: this.db };
      case C.RDB_OPCODE_RESIZEDB:
        return { kind: 'resizedb', dbSize: d.len(), expiresSize: d.len() };
      case C.RDB_OPCODE_SLOT_INFO:
        return { kind: 'slot-info', slot: d.len(), slotSize: d.len(), expiresSlotSize: d.len() };
      case C.RDB_OPCODE_AUX:
        return { kind: 'aux', key: d.str(), value: d.str() };
      case C.RDB_OPCODE_MODULE_AUX:
        return this.parseModuleAux(at);
      case C.RDB_OPCODE_FUNCTION_PRE_GA:
        throw d.fail('UNSUPPORTED_TYPE', 'pre-release function format (opcode 246) is not supported', at);
      case C.RDB_OPCODE_FUNCTION2:
        return { kind: 'function', code: d.str() };
      case 243:
        return this.parseOpcode243(at);
      default:
        if (!C.isObjectType(d.dialect, type)) {
          throw d.fail('UNKNOWN_OPCODE', `unknown opcode or value type ${type} for ${d.dialect.magic} RDB v${d.dialect.version}`, at);
        }
        return this.parseKey(type);
    }
  }

  private parseKey(type: number): RdbRecord {
    const d = this.decoder;
    const key = d.str();
    const value = d.value(type);
    const expireAtMs = this.expireAtMs;
    const idle = this.idleSeconds;
    const freq = this.freq;
    this.expireAtMs = -1;
    this.idleSeconds = -1;
    this.freq = -1;
    if (!isRdbValue(value)) {
      this.skipped.moduleKeys++;
      return { kind: 'module-key', db: this.db, key, expireAtMs, ...value };
    }
    const record: RdbKeyRecord = { kind: 'key', db: this.db, key, value, expireAtMs, rdbType: type };
    const encoding = encodingOfRdbType(type, d.dialect) ?? stringEncoding(value);
    if (encoding !== undefined) record.encoding = encoding;
    if (idle >= 0) record.idleSeconds = idle;
    if (freq >= 0) record.freq = freq;
    return record;
  }

  private parseModuleAux(at: number): RdbRecord {
    const d = this.decoder;
    if (d.limits.moduleError) throw d.fail('MODULE_VALUE', 'module aux data in RDB and onModule is "error"', at);
    const rawStart = d.pos;
    const moduleId = d.lenBig();
    const whenOpcode = d.len();
    const when = d.len();
    if (whenOpcode !== C.RDB_MODULE_OPCODE_UINT) throw d.fail('BAD_VALUE', `bad module aux when_opcode ${whenOpcode}`, at);
    d.skipModuleBody();
    this.skipped.moduleAux++;
    return { kind: 'module-aux', when, ...d.moduleInfo(moduleId, rawStart) };
  }

  /** Opcode 243: Valkey SLOT_IMPORT, Redis 13+ KEY_META. */
  private parseOpcode243(at: number): RdbRecord {
    const d = this.decoder;
    if (d.dialect.valkey) {
      const jobName = d.str();
      const count = d.len();
      const ranges: [number, number][] = [];
      for (let i = 0; i < count; i++) ranges.push([d.len(), d.len()]);
      return { kind: 'slot-import', jobName, ranges };
    }
    if (d.dialect.version < 13) throw d.fail('UNKNOWN_OPCODE', `opcode 243 is not defined in RDB v${d.dialect.version}`, at);
    const classCount = d.len();
    for (let i = 0; i < classCount; i++) {
      d.raw(4);
      d.skipModuleBody();
    }
    this.skipped.keyMeta++;
    return { kind: 'key-meta', classCount };
  }

  private parseEof(): RdbRecord {
    const d = this.decoder;
    if (d.dialect.version < 5) {
      this.state = 'done';
      return { kind: 'eof', checksum: 0n, checksumOk: 'disabled', endOffset: d.base + d.pos };
    }
    const footerAt = d.pos;
    const stored = crc64ReadLE(d.raw(8), 0);
    const checksum = crc64ToBigInt(stored);
    let checksumOk: boolean | 'disabled' = 'disabled';
    if (checksum !== 0n && this.checksumMode !== 'skip') {
      const computed = { hi: this.crc.hi, lo: this.crc.lo };
      crc64Update(computed, this.buf, this.crcDone, footerAt);
      checksumOk = crc64Equal(computed, stored);
      if (!checksumOk && this.checksumMode === 'verify') {
        throw d.fail('CHECKSUM_MISMATCH', `RDB checksum ${checksum.toString(16)} does not match computed ${crc64ToBigInt(computed).toString(16)}`, footerAt);
      }
    }
    this.state = 'done';
    return { kind: 'eof', checksum, checksumOk, endOffset: d.base + d.pos };
  }
}

function isRdbValue(v: RdbValue | RdbModuleInfo): v is RdbValue {
  return 'type' in v;
}

/** What Redis's tryObjectEncoding makes of a loaded string: int, embstr (<= 44 bytes) or raw. */
function stringEncoding(value: RdbValue): RdbKeyRecord['encoding'] {
  if (value.type !== 'string') return undefined;
  if (value.value.length <= 20 && canonicalInt(value.value) !== null) return 'int';
  return value.value.length <= 44 ? 'embstr' : 'raw';
}

/** Reads records from any async byte source (file stream, socket, generator). */
export async function* readRdb(source: AsyncIterable<Uint8Array>, options: RdbReadOptions = {}): AsyncGenerator<RdbRecord> {
  const parser = new RdbParser(options);
  for await (const chunk of source) {
    for (const record of parser.feed(chunk)) yield record;
    if (parser.done) break;
  }
  for (const record of parser.end()) yield record;
}

/** Parses a complete RDB held in memory. */
export function readRdbBuffer(bytes: Uint8Array, options: RdbReadOptions = {}): RdbRecord[] {
  const parser = new RdbParser({ totalBytes: bytes.length, ...options });
  const out = parser.feed(bytes);
  for (const record of parser.end()) out.push(record);
  return out;
}
