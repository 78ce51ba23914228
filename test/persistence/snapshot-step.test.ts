// Proves a snapshot step is bounded by its time budget (issue #5/#7): with a clock that advances a fixed amount per
// key, a step ends once the budget is spent, reads the clock only once per `keysPerClockRead` keys, and never reads
// it for a step of at most `keysPerClockRead` keys (the crash simulator's steps, whose clock counts reads); every key
// is still written exactly once. Seeded; SEED=n replays a run.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Keyspace, defaultKeyspaceConfig, type Db, type RedisValue } from '../../src/keyspace/index.js';
import { PointInTimeSnapshot, type SnapshotSerializer, type SnapshotStepTime } from '../../src/persistence/index.js';
import { testSeed } from '../helpers/seed.js';

/** Records the keys handed over; each key "costs" `usPerKey` on the fake clock. */
class CountingSerializer implements SnapshotSerializer {
  bytesWritten = 0;
  readonly keys: string[] = [];
  ended = false;
  constructor(private readonly onKey: () => void) {}
  begin(): void {}
  beginDb(): void {}
  key(_db: Db, key: string, _value: RedisValue): void {
    this.keys.push(key);
    this.bytesWritten += key.length;
    this.onKey();
  }
  end(): void {
    this.ended = true;
  }
}

function keyspaceWith(keyCount: number, dbCount: number): Keyspace {
  const keyspace = new Keyspace(defaultKeyspaceConfig());
  for (let i = 0; i < keyCount; i++) keyspace.dbs[i % dbCount]!.set(`key:${i}`, `value:${i}`);
  return keyspace;
}

function fakeTime(usPerKey: number, budgetUs: number, keysPerClockRead: number) {
  const state = { nowUs: 0, reads: 0 };
  const time: SnapshotStepTime = {
    monotonicUs: () => {
      state.reads++;
      return state.nowUs;
    },
    budgetUs,
    keysPerClockRead,
  };
  return { state, time, onKey: () => void (state.nowUs += usPerKey) };
}

const seed = testSeed('snapshot-step');

describe('snapshot step time budget', () => {
  it('ends a step once the budget is spent, checking the clock every keysPerClockRead keys', () => {
    console.log(`snapshot-step seed ${seed} (SEED=${seed} replays)`);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 100 }),
        (keyCount, dbCount, usPerKey, budgetUs, keysPerClockRead) => {
          const keyspace = keyspaceWith(keyCount, dbCount);
          const { state, time, onKey } = fakeTime(usPerKey, budgetUs, keysPerClockRead);
          const serializer = new CountingSerializer(onKey);
          const snapshot = new PointInTimeSnapshot(keyspace, serializer);
          const keysMax = keysPerClockRead + 10_000;
          let steps = 0;
          for (;;) {
            const keysBefore = serializer.keys.length;
            const readsBefore = state.reads;
            const done = snapshot.step({ keysMax, time });
            steps++;
            const keys = serializer.keys.length - keysBefore;
            // Keys are served in chunks of keysPerClockRead, the clock read before the first and after each chunk.
            expect(state.reads - readsBefore).toBeLessThanOrEqual(1 + Math.ceil(keys / keysPerClockRead) + 2 * dbCount);
            // Any step ends at most one chunk past the first moment its budget was spent.
            const keysToSpend = Math.ceil(budgetUs / usPerKey);
            expect(keys).toBeLessThanOrEqual(keysToSpend - 1 + keysPerClockRead);
            if (done) break;
            // An unfinished step stopped on time, not before its budget was spent.
            expect(keys).toBeGreaterThanOrEqual(keysToSpend);
            expect(steps).toBeLessThanOrEqual(keyCount + 1);
          }
          expect(serializer.ended).toBe(true);
          expect(new Set(serializer.keys).size).toBe(keyCount);
          expect(serializer.keys.length).toBe(keyCount);
        },
      ),
      { seed, numRuns: 60 },
    );
  });

  it('never reads the clock when keysMax is at most keysPerClockRead, and then serves exactly keysMax keys', () => {
    const keyspace = keyspaceWith(500, 2);
    const { state, time, onKey } = fakeTime(1000, 1, 8);
    const serializer = new CountingSerializer(onKey);
    const snapshot = new PointInTimeSnapshot(keyspace, serializer);
    let steps = 0;
    while (!snapshot.step({ keysMax: 8, time })) {
      steps++;
      expect(serializer.keys.length).toBe(steps * 8);
    }
    expect(state.reads).toBe(0);
    expect(serializer.keys.length).toBe(500);
  });

  it('without a time bound, a step serves keysMax keys whatever the cost', () => {
    const keyspace = keyspaceWith(300, 1);
    const serializer = new CountingSerializer(() => {});
    const snapshot = new PointInTimeSnapshot(keyspace, serializer);
    expect(snapshot.step({ keysMax: 200 })).toBe(false);
    expect(serializer.keys.length).toBe(200);
    expect(snapshot.step({ keysMax: 200 })).toBe(true);
    expect(serializer.keys.length).toBe(300);
  });
});
