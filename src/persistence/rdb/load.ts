/**
 * RDB load: records from the codec's streaming RdbParser into the keyspace, chunk by chunk (the file is never
 * held in memory: at most one record plus one chunk), as Redis 7.0's rdbLoadRio does:
 *
 *   - keys whose TTL already passed are dropped when loading as a primary (`dropExpired`), kept on a replica;
 *   - empty collections are skipped ("empty keys skipped");
 *   - hash field TTLs (RDB 12) are dropped, keeping the hash (Redis 7.0 cannot represent them; counted);
 *   - function libraries are skipped and counted (Strongbox has no scripting engine);
 *   - a module value, a duplicated key, or a db index beyond `databases` stops the load.
 *
 * Errors are RdbLoadError naming the file, the byte offset and the reason. A failed load leaves the keys read so
 * far in the keyspace: the caller decides (the server refuses to start; DEBUG RELOAD reports the error).
 */
import { RdbError, RdbParser, type RdbRecord } from '../../../formats/index.js';
import { fromRdbValue, type Keyspace, type KeyspaceConfig } from '../../keyspace/index.js';
import { readChunks, type FileSystem } from '../fs.js';

export type RdbLoadErrorCode = 'CORRUPT' | 'DUPLICATE_KEY' | 'DB_INDEX' | 'MODULE' | 'IO';

export class RdbLoadError extends Error {
  constructor(
    readonly code: RdbLoadErrorCode,
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: offset ${offset}: ${reason}`);
    this.name = 'RdbLoadError';
  }
}

export interface RdbLoadOptions {
  config: KeyspaceConfig;
  /** The load instant (unix ms): TTLs at or before it have passed. */
  nowMs: number;
  /** Drop keys whose TTL passed (a primary); false keeps them (a replica waits for its primary's DEL). */
  dropExpired?: boolean;
  /** Name used in errors. */
  file?: string;
  /** Size of the input when known (progress, early rejection of impossible lengths). */
  totalBytes?: number;
  /** Called after each chunk (INFO loading_*). */
  onProgress?(progress: RdbLoadProgress): void;
}

export interface RdbLoadProgress {
  bytesRead: number;
  totalBytes: number;
  keysLoaded: number;
}

export interface RdbLoadResult {
  version: number;
  aux: Map<string, string>;
  keysLoaded: number;
  keysExpired: number;
  emptyKeysSkipped: number;
  /** Hashes whose field TTLs were dropped. */
  fieldTtlsDropped: number;
  functionsSkipped: number;
  checksumOk: boolean | 'disabled';
  /** Offset just past the RDB (an AOF tail starts there in a preamble file). */
  endOffset: number;
}

/** Feeds chunks into the keyspace; `end()` returns the summary. */
export class RdbLoader {
  private readonly parser: RdbParser;
  private readonly result: RdbLoadResult = {
    version: 0,
    aux: new Map(),
    keysLoaded: 0,
    keysExpired: 0,
    emptyKeysSkipped: 0,
    fieldTtlsDropped: 0,
    functionsSkipped: 0,
    checksumOk: 'disabled',
    endOffset: -1,
  };
  private bytesRead = 0;
  private readonly file: string;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly options: RdbLoadOptions,
  ) {
    this.file = options.file ?? '<rdb>';
    const readOptions: { totalBytes?: number; onModule: 'error' } = { onModule: 'error' };
    if (options.totalBytes !== undefined) readOptions.totalBytes = options.totalBytes;
    this.parser = new RdbParser(readOptions);
  }

  get done(): boolean {
    return this.parser.done;
  }

  feed(chunk: Uint8Array): void {
    this.bytesRead += chunk.length;
    this.apply(() => this.parser.feed(chunk));
    this.options.onProgress?.({
      bytesRead: this.bytesRead,
      totalBytes: this.options.totalBytes ?? 0,
      keysLoaded: this.result.keysLoaded,
    });
  }

  end(): RdbLoadResult {
    this.apply(() => this.parser.end());
    if (this.result.endOffset < 0) throw new RdbLoadError('CORRUPT', this.file, this.parser.offset, 'unexpected end of file');
    return this.result;
  }

  private apply(produce: () => RdbRecord[]): void {
    let records: RdbRecord[];
    try {
      records = produce();
    } catch (err) {
      if (err instanceof RdbError) {
        throw new RdbLoadError(err.code === 'MODULE_VALUE' ? 'MODULE' : 'CORRUPT', this.file, err.offset, `${err.code}: ${err.reason}`);
      }
      throw err;
    }
    for (const record of records) this.record(record);
  }

  private record(record: RdbRecord): void {
    const r = this.result;
    switch (record.kind) {
      case 'header':
        r.version = record.version;
        return;
      case 'aux':
        r.aux.set(record.key, record.value);
        return;
      case 'selectdb':
        if (record.db >= this.keyspace.dbs.length) {
          throw new RdbLoadError(
            'DB_INDEX',
            this.file,
            this.parser.offset,
            `Data file was created with a Redis server configured to handle more than ${this.keyspace.dbs.length} databases`,
          );
        }
        return;
      case 'function':
        r.functionsSkipped++;
        return;
      case 'key':
        this.key(record);
        return;
      case 'eof':
        r.checksumOk = record.checksumOk;
        r.endOffset = record.endOffset;
        return;
      case 'resizedb':
      case 'slot-info':
      case 'slot-import':
      case 'key-meta':
      case 'module-aux':
        return;
      case 'module-key':
        throw new RdbLoadError('MODULE', this.file, this.parser.offset, `module value of type ${record.moduleName} and no module to load it`);
      default: {
        const never: never = record;
        return never;
      }
    }
  }

  private key(record: Extract<RdbRecord, { kind: 'key' }>): void {
    const r = this.result;
    const db = this.keyspace.dbs[record.db];
    if (db === undefined) throw new Error(`assertion failed: selectdb checked db ${record.db}`);
    const dropExpired = this.options.dropExpired ?? true;
    if (dropExpired && record.expireAtMs !== -1 && record.expireAtMs < this.options.nowMs) {
      r.keysExpired++;
      return;
    }
    const converted = fromRdbValue(record.value, this.options.config, {
      ...(dropExpired ? { nowMs: this.options.nowMs } : {}),
      ...(record.encoding !== undefined ? { encoding: record.encoding } : {}),
    });
    if (converted.fieldTtlsDropped) r.fieldTtlsDropped++;
    if (converted.value === null) {
      r.emptyKeysSkipped++;
      return;
    }
    // Loading bypasses Db.add: no WATCH/blocked-client signals and no snapshot hook, as Redis's dbAddRDBLoad.
    // A duplicate is detected by the size not growing (one hash lookup less per key than has() + set(); the
    // overwritten value does not matter, the load fails).
    const sizeBefore = db.dict.size;
    db.dict.set(record.key, converted.value);
    if (db.dict.size === sizeBefore) {
      throw new RdbLoadError('DUPLICATE_KEY', this.file, this.parser.offset, `duplicated key '${record.key}' in DB ${record.db}`);
    }
    if (record.expireAtMs !== -1) db.expires.set(record.key, record.expireAtMs);
    r.keysLoaded++;
  }
}

/** Loads an RDB from chunks (any iterable: a file read in pieces, a socket buffer). */
export function loadRdb(source: Iterable<Uint8Array>, keyspace: Keyspace, options: RdbLoadOptions): RdbLoadResult {
  const loader = new RdbLoader(keyspace, options);
  for (const chunk of source) {
    loader.feed(chunk);
    if (loader.done) break;
  }
  return loader.end();
}

/**
 * 64 KiB, not 1 MiB: the parser returns a chunk's records as one array, and 1 MiB of small keys is ~40,000 records
 * held at once, which survive young-generation GCs and get copied; 64 KiB batches die young. bench/rdb-load.ts
 * (1,000,000 small strings) loads ~15% faster; 16 KiB gains nothing more.
 */
export const LOAD_CHUNK_BYTES = 64 * 1024;

/**
 * Loads the RDB at `path` through the FileSystem seam, in LOAD_CHUNK_BYTES pieces. Also the entry point for an
 * AOF base file or RDB preamble: the result's `endOffset` is where the AOF part starts. I/O errors become
 * RdbLoadError IO.
 */
export function loadRdbFile(fs: FileSystem, path: string, keyspace: Keyspace, options: Omit<RdbLoadOptions, 'file' | 'totalBytes'>): RdbLoadResult {
  const stat = fs.stat(path);
  if (stat === null) throw new RdbLoadError('IO', path, 0, 'No such file or directory');
  try {
    return loadRdb(readChunks(fs, path, LOAD_CHUNK_BYTES), keyspace, { ...options, file: path, totalBytes: stat.sizeBytes });
  } catch (err) {
    if (err instanceof RdbLoadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new RdbLoadError('IO', path, 0, `${code}: ${(err as Error).message}`);
    throw err;
  }
}
