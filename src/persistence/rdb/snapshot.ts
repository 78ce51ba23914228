/**
 * Fork-less BGSAVE: the point-in-time snapshot (../snapshot.ts, which holds the copy-on-write design) with an
 * RDB serializer, so the file holds the keyspace exactly as it was when the BGSAVE began. The AOF's RDB preamble
 * is the same class with `aofBase` set.
 */
import type { RdbSink, RdbWriter } from '../../../formats/index.js';
import type { Db, Keyspace, RedisValue } from '../../keyspace/index.js';
import { PointInTimeSnapshot, type PointInTimeSnapshotOptions, type SnapshotSerializer } from '../snapshot.js';
import { auxRecords, keyRecord, newRdbWriter, type RdbSaveOptions } from './save.js';

/** Keys as RDB records, in rdbSaveRio's layout: aux fields, per db SELECTDB + RESIZEDB, keys, EOF + checksum. */
export class RdbSnapshotSerializer implements SnapshotSerializer {
  private readonly writer: RdbWriter;

  constructor(
    sink: RdbSink,
    private readonly options: RdbSaveOptions,
  ) {
    this.writer = newRdbWriter(sink, options);
  }

  get bytesWritten(): number {
    return this.writer.bytesWritten;
  }

  begin(): void {
    for (const r of auxRecords(this.options)) this.writer.write(r);
  }

  beginDb(db: Db, sizeAtStart: number, expiresAtStart: number): void {
    this.writer.write({ kind: 'selectdb', db: db.id });
    this.writer.write({ kind: 'resizedb', dbSize: sizeAtStart, expiresSize: expiresAtStart });
  }

  key(db: Db, key: string, value: RedisValue): void {
    // The writer emits SELECTDB itself when a copied key belongs to another db than the last record.
    this.writer.write(keyRecord(db, key, value));
  }

  end(): void {
    this.writer.end();
  }
}

export class ForklessSnapshot extends PointInTimeSnapshot {
  constructor(keyspace: Keyspace, sink: RdbSink, options: RdbSaveOptions, snapshotOptions: PointInTimeSnapshotOptions = {}) {
    super(keyspace, new RdbSnapshotSerializer(sink, options), snapshotOptions);
  }
}
