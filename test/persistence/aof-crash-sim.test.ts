// Proves the AOF's file protocol survives power loss at every I/O operation: on the simulated disk (unsynced
// writes and directory entries lost or torn), an AOF under `appendfsync always` takes unique writes and rewrites
// (plain and RDB-less command bases); the machine loses power at operation N for every N of the workload; the
// folder must then load (aof-load-truncated yes) and hold every acknowledged write and nothing never sent.
// Seeded: SEED=... replays a campaign exactly.
import { describe, expect, it } from 'vitest';
import { encodeAofCommand, type AofManifest } from '../../formats/index.js';
import { SimFileSystem, SimulatedCrash } from '../../src/fuzz/index.js';
import {
  AppendOnlyFile,
  loadAppendOnlyFiles,
  loadManifestFromDisk,
  type AofFileSystem,
  type AofReplayTarget,
  type BaseSnapshot,
} from '../../src/persistence/aof/index.js';
import type { FileHandle, FileStat, OpenMode } from '../../src/persistence/index.js';
import { testSeed } from '../helpers/seed.js';

/** The simulated disk with the power switched off for good at the crash: every later operation fails too. */
class PoweredDisk implements AofFileSystem {
  dead = false;
  constructor(readonly sim: SimFileSystem) {}
  private run<T>(op: () => T): T {
    if (this.dead) throw new SimulatedCrash(-1);
    try {
      return op();
    } catch (err) {
      if (err instanceof SimulatedCrash) this.dead = true;
      throw err;
    }
  }
  open(path: string, mode: OpenMode): FileHandle { return this.run(() => this.sim.open(path, mode)); }
  write(fd: FileHandle, data: Uint8Array): number { return this.run(() => this.sim.write(fd, data)); }
  read(fd: FileHandle, target: Uint8Array, offset: number, length: number, position: number): number { return this.run(() => this.sim.read(fd, target, offset, length, position)); }
  fsync(fd: FileHandle): void { this.run(() => this.sim.fsync(fd)); }
  close(fd: FileHandle): void { this.run(() => this.sim.close(fd)); }
  size(fd: FileHandle): number { return this.run(() => this.sim.size(fd)); }
  fsyncDir(path: string): void { this.run(() => this.sim.fsyncDir(path)); }
  rename(from: string, to: string): void { this.run(() => this.sim.rename(from, to)); }
  unlink(path: string): void { this.run(() => this.sim.unlink(path)); }
  list(path: string): string[] { return this.run(() => this.sim.list(path)); }
  stat(path: string): FileStat | null { return this.run(() => this.sim.stat(path)); }
  mkdir(path: string): void { this.run(() => this.sim.mkdir(path)); }
  truncate(path: string, sizeBytes: number): void { this.run(() => this.sim.truncate(path, sizeBytes)); }
  truncateOpen(fd: FileHandle, sizeBytes: number): void { this.run(() => this.sim.truncateOpen(fd, sizeBytes)); }
  fsyncInBackground(fd: FileHandle, done: (err: Error | null) => void): void { this.run(() => this.sim.fsyncInBackground(fd, done)); }
  fsyncAndCloseInBackground(fd: FileHandle): void { this.run(() => this.sim.fsyncAndCloseInBackground(fd)); }
}

const SEED = testSeed('aof-crash-sim');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quiet = { verbose() {}, notice() {}, warning() {} };
const DIR = '/data/appendonlydir';

/** A BASE of the model as of its opening, written whole at the first step (the campaign runs without schedule). */
class ModelBase implements BaseSnapshot {
  failure: unknown = null;
  bytesWritten = 0;
  readonly cowBytes = 0;
  readonly keysSaved = 0;
  private text: string | null;
  constructor(model: Map<string, string>, private readonly write: (chunk: Uint8Array) => void) {
    this.text = encodeAofCommand(['SELECT', '0']);
    for (const [k, v] of model) this.text += encodeAofCommand(['SET', k, v]);
  }
  step(): boolean {
    this.finishNow();
    return true;
  }
  finishNow(): void {
    if (this.text === null) return;
    const text = this.text;
    this.text = null;
    try {
      this.write(Buffer.from(text, 'latin1'));
      this.bytesWritten = text.length;
    } catch (err) {
      this.failure = err;
    }
  }
  abort(): void {
    this.text = null;
  }
}

function newAof(fs: AofFileSystem, model: Map<string, string>, clock: { ms: number }): AppendOnlyFile {
  return new AppendOnlyFile({
    fs,
    clock: { nowMs: () => clock.ms, monotonicUs: () => clock.ms * 1000 },
    logger: quiet,
    dirName: DIR,
    fileName: 'appendonly.aof',
    settings: { fsync: 'always', useRdbPreamble: false, timestampEnabled: true, autoRewritePercentage: 0, autoRewriteMinSizeBytes: 0, disableAutoGc: false },
    openBase: (_format, write) => new ModelBase(model, write),
    fatal: (message) => {
      throw new Error(`fatal: ${message}`);
    },
  });
}

/** Loads the folder into a fresh map, as a restart would. */
function load(fs: SimFileSystem): Map<string, string> {
  const data = new Map<string, string>();
  const target: AofReplayTarget = {
    knows: () => true,
    execute: (args) => {
      if (args[0] === 'SET') data.set(args[1]!, args[2]!);
    },
    loadRdb: () => {
      throw new Error('no RDB bases in this campaign');
    },
    endFile: () => {},
  };
  const options = { fs, logger: quiet, dirName: DIR, fileName: 'appendonly.aof', dataDir: '/data', loadTruncated: true };
  const manifest: AofManifest = loadManifestFromDisk(options);
  loadAppendOnlyFiles(manifest, target, options);
  return data;
}

/** Runs the workload until it ends or the simulated power fails; returns what was acknowledged and sent. */
function workload(sim: SimFileSystem, random: () => number): { acked: Map<string, string>; sent: Map<string, string>; ops: number } {
  const fs = new PoweredDisk(sim);
  const acked = new Map<string, string>();
  const sent = new Map<string, string>();
  const model = new Map<string, string>();
  const clock = { ms: 1_700_000_000_000 };
  try {
    const aof = newAof(fs, model, clock);
    aof.start({ base: null, history: [], incrs: [] }, { baseBytes: 0, totalBytes: 0 });
    for (let i = 0; i < 30; i++) {
      const batch: [string, string][] = [];
      const n = 1 + Math.floor(random() * 3);
      for (let j = 0; j < n; j++) batch.push([`k${i}-${j}`, `v${Math.floor(random() * 1e6)}`]);
      for (const [k, v] of batch) {
        sent.set(k, v);
        model.set(k, v);
      }
      aof.propagate(batch.map(([k, v]) => ({ dbIndex: 0, args: ['SET', k, v] })));
      aof.beforeSleep();
      for (const [k, v] of batch) acked.set(k, v);
      clock.ms += Math.floor(random() * 700);
      if (random() < 0.15) aof.rewrite();
    }
  } catch (err) {
    // The crash surfaces as SimulatedCrash, or as the fatal stop `always` makes on any I/O error.
    if (!fs.dead) throw err;
  }
  return { acked, sent, ops: sim.opCount };
}

describe('AOF under power loss at every I/O operation (simulated disk)', () => {
  it(`never loses an acknowledged write (SEED=${SEED})`, () => {
    console.log(`aof-crash-sim: SEED=${SEED}`);
    const campaign = rng(SEED);
    let crashes = 0;
    for (let run = 0; run < 2; run++) {
      const workloadSeed = Math.floor(campaign() * 2 ** 31);
      const total = workload(new SimFileSystem(), rng(workloadSeed)).ops;
      for (let crashAt = 0; crashAt < total; crashAt++) {
        const fs = new SimFileSystem();
        fs.crashAtOp = crashAt;
        const { acked, sent } = workload(fs, rng(workloadSeed));
        fs.crashAtOp = -1;
        fs.crash(rng(workloadSeed ^ crashAt));
        crashes++;
        const where = `SEED=${SEED} run=${run} crashAt=${crashAt}`;
        let loaded: Map<string, string>;
        try {
          loaded = load(fs);
        } catch (err) {
          throw new Error(`${where}: the folder does not load after the crash: ${(err as Error).message}`);
        }
        for (const [k, v] of acked) expect(loaded.get(k), `${where}: acknowledged ${k} lost`).toBe(v);
        for (const [k, v] of loaded) expect(sent.get(k), `${where}: ${k} was never sent`).toBe(v);
      }
    }
    expect(crashes).toBeGreaterThan(100);
  });
});
