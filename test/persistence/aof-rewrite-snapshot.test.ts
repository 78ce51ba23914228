// Proves the plain-command AOF BASE is point-in-time exact: random commands of every type (in-place list/hash/zset/
// stream changes, consumer groups, renames, deletes, TTL changes, FLUSHDB and SWAPDB now and then) run on the
// engine between the snapshot's slices, and replaying the BASE's commands into an empty engine gives the DEBUG
// DIGEST the dataset had when the snapshot opened. The RDB preamble is the BGSAVE snapshot (rdb-snapshot.test.ts).
// Seeded; SEED=n replays a run.
import { describe, expect, it } from 'vitest';
import { AofReader, type Bytes } from '../../formats/index.js';
import { Engine, allCommands, type Session } from '../../src/commands/index.js';
import { defaultKeyspaceConfig, digestHex, keyspaceDigest } from '../../src/keyspace/index.js';
import { keyspaceBaseSnapshots } from '../../src/persistence/aof/index.js';
import { seededRandom } from '../../src/fuzz/index.js';
import { testSeed } from '../helpers/seed.js';

const SEED = testSeed('aof-rewrite-snapshot');
const NOW = 1_800_000_000_000;

function newEngine(seed: number): { engine: Engine; session: Session } {
  const engine = new Engine({
    keyspace: defaultKeyspaceConfig(),
    clock: { nowMs: () => NOW, monotonicUs: () => NOW * 1000 },
    random: seededRandom(seed),
    commands: allCommands,
  });
  return { engine, session: engine.createSession() };
}

function run(e: { engine: Engine; session: Session }, args: Bytes[]): void {
  e.engine.execute(e.session, args);
  e.session.reply.take();
}

/** One command over a small key set, so types and in-place changes collide with the scan. */
function randomCommand(rand: () => number, bulkAllowed: boolean): Bytes[] {
  const key = `key${Math.floor(rand() * 400)}`;
  const n = String(Math.floor(rand() * 100));
  const r = rand();
  if (r < 0.05) return ['SELECT', String(Math.floor(rand() * 3))];
  if (r < 0.15) return ['SET', key, 'v' + n];
  if (r < 0.2) return ['APPEND', key, n];
  if (r < 0.25) return ['INCRBY', `int${n}`, n];
  if (r < 0.35) return ['RPUSH', key, n, 'x' + n];
  if (r < 0.38) return ['LPOP', key];
  if (r < 0.45) return ['HSET', key, 'f' + (Number(n) % 9), n];
  if (r < 0.52) return ['SADD', key, n, 'm' + n];
  if (r < 0.59) return ['ZADD', key, n, 'm' + (Number(n) % 11)];
  if (r < 0.64) return ['XADD', key, '*', 'f', n];
  if (r < 0.66) return ['XGROUP', 'CREATE', key, 'g' + (Number(n) % 2), '0', 'MKSTREAM'];
  if (r < 0.68) return ['XREADGROUP', 'GROUP', 'g0', 'c' + (Number(n) % 3), 'COUNT', '2', 'STREAMS', key, '>'];
  if (r < 0.74) return ['PEXPIRE', key, String(1_000_000 + Number(n))];
  if (r < 0.76) return ['PERSIST', key];
  if (r < 0.82) return ['DEL', key];
  if (r < 0.86) return ['RENAME', key, `key${Math.floor(rand() * 400)}`];
  if (r < 0.9) return ['SPOP', key];
  if (bulkAllowed && r < 0.9015) return ['FLUSHDB'];
  if (bulkAllowed && r < 0.903) return ['SWAPDB', '0', String(1 + Math.floor(rand() * 2))];
  return ['GET', key];
}

function digest(engine: Engine): string {
  return digestHex(keyspaceDigest(engine.keyspace.dbs));
}

describe('plain-command AOF BASE from a point-in-time snapshot', () => {
  it(`replays to the dataset as of its start under concurrent commands (SEED=${SEED})`, () => {
    console.log(`aof-rewrite-snapshot SEED=${SEED}`);
    const rand = seededRandom(SEED);
    for (let round = 0; round < 15; round++) {
      const source = newEngine(round);
      for (let i = 0; i < 1500; i++) run(source, randomCommand(rand, false));
      const before = digest(source.engine);
      const chunks: Uint8Array[] = [];
      const open = keyspaceBaseSnapshots(source.engine.keyspace, () => ({ nowMs: NOW }));
      const snapshot = open('aof', (chunk) => void chunks.push(chunk), { timestampSec: null, observe: true });
      const keysPerStep = 1 + Math.floor(rand() * 40);
      while (!snapshot.step({ keysMax: keysPerStep })) {
        for (let i = 0; i < 1 + Math.floor(rand() * 10); i++) run(source, randomCommand(rand, true));
      }
      expect(snapshot.failure).toBeNull();
      expect(source.engine.keyspace.writeObserver).toBeNull();
      const reader = new AofReader();
      reader.feed(Buffer.concat(chunks));
      const replayed = newEngine(round);
      for (let item = reader.next(); item !== null; item = reader.next()) if (item.kind === 'command') run(replayed, item.args);
      expect(reader.pendingBytes).toBe(0);
      expect(digest(replayed.engine), `round ${round} (SEED=${SEED})`).toBe(before);
    }
  });
});
