/**
 * Stream values. Placeholder representation until the data-types work lands; the public API below is the
 * contract other modules (digest, persistence, COPY) rely on, and must be kept. The full-fidelity exchange form
 * is the RDB codec's stream model (`RdbStream` in formats/rdb/types.ts): entries, last/first/max-deleted IDs,
 * entries-added, consumer groups with PEL and consumers.
 */
import type { RdbStream } from '../../formats/rdb/types.js';

export class StreamValue {
  readonly kind = 'stream' as const;
  private readonly model: RdbStream;

  private constructor(model: RdbStream) {
    this.model = model;
  }

  /** A stream holding everything `model` describes (RDB load, RESTORE). */
  static fromModel(model: RdbStream): StreamValue {
    return new StreamValue(model);
  }

  /** Everything the stream holds, in the RDB codec's model (RDB save, DUMP, digest). */
  toModel(): RdbStream {
    return this.model;
  }

  get encoding(): string {
    return 'stream';
  }

  get length(): number {
    return this.model.length ?? this.model.entries.length;
  }

  clone(): StreamValue {
    return new StreamValue(structuredClone(this.model));
  }
}
