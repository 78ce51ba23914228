// Proves the crash-recovery promises on the simulated disk: seeded workloads in every mode (appendfsync
// always/everysec/no, and RDB-only with BGSAVE and a save schedule), with and without windows of injected disk
// faults, each crashed at every one of its I/O operations (>= 10,000 crash points), recover to an allowed state;
// a disk fault brings Redis's MISCONF refusal; a flipped bit in a synced RDB stops start-up with a named cause;
// that the checker does catch each broken promise (a lying fsync, a server ignoring disk errors, RDBs without a
// checksum, an AOF replay expiring keys); and that one seed replays one crash exactly. SEED=<n> replays the campaign.
import { describe, expect, test } from 'vitest';
import {
  CRASH_MODES,
  crashAt,
  crashEverywhere,
  crashSeedFor,
  prepareWorkload,
  replayCommandOf,
  runCampaign,
  type BrokenMode,
  type CampaignTotals,
  type CrashMode,
} from '../../src/fuzz/index.js';
import { testSeed } from '../helpers/seed.js';

const seed = testSeed('crash-campaign');

/** The violations of `broken` over workloads of `mode` (every crash point), up to the first one matching `wanted`. */
function brokenViolations(mode: CrashMode, broken: BrokenMode, wanted: RegExp, options: { fault?: boolean; corruptEvery?: number } = {}): string[] {
  const violations: string[] = [];
  for (let i = 0; i < 8 && !violations.some((v) => wanted.test(v)); i++) {
    const w = prepareWorkload(seed + i, mode, 40, options.fault === true);
    for (const f of crashEverywhere(w, { broken, corruptEvery: options.corruptEvery ?? 0 }).failures) violations.push(f.violation ?? '');
  }
  return violations;
}

describe('crash campaign', () => {
  test('>= 10,000 crash points across always/everysec/no/rdb, with and without disk faults: no violation', () => {
    console.log(`[crash-campaign] SEED=${seed}`);
    let totals: CampaignTotals = { runs: 0, crashPoints: 0, corruptedPoints: 0, faultPoints: 0, violations: [] };
    for (let i = 0; totals.crashPoints < 10_000; i++) {
      const step = runCampaign({ seed: seed + i * 1000, runs: 2, deadlineMs: Infinity, modes: CRASH_MODES, faults: 'both', commands: 80 });
      totals = {
        runs: totals.runs + step.runs,
        crashPoints: totals.crashPoints + step.crashPoints,
        corruptedPoints: 0,
        faultPoints: totals.faultPoints + step.faultPoints,
        violations: [...totals.violations, ...step.violations],
      };
    }
    const report = totals.violations.map((v) => `${v.result.violation} -- ${replayCommandOf(v.result, 80)}`);
    console.log(`crash-fuzz: ${totals.runs} runs, ${totals.crashPoints} crash points (${totals.faultPoints} with disk faults), ${totals.violations.length} violations`);
    expect(report).toEqual([]);
    expect(totals.crashPoints).toBeGreaterThanOrEqual(10_000);
    expect(totals.faultPoints).toBeGreaterThan(1000);
  }, 600_000);

  test('RDB mode saves, and a disk fault makes the server refuse writes with MISCONF as Redis words it', () => {
    const rdb = prepareWorkload(seed, 'rdb', 80);
    expect(rdb.stats.savesCompleted).toBeGreaterThan(0);
    const refused: string[] = [];
    for (const mode of ['everysec', 'no', 'rdb'] as const) {
      for (let i = 0; i < 6; i++) {
        const w = prepareWorkload(seed + i, mode, 80, true);
        expect(w.stats.problem).toBeNull();
        const commands = w.turns.flat();
        w.executedFull.forEach((e, n) => {
          if (e.refusal !== null && ['SET', 'RPUSH', 'HSET', 'SADD', 'ZADD', 'INCR', 'INCRBY'].includes(commands[n]![0]!)) refused.push(e.reply);
        });
      }
    }
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of refused) {
      expect(reply).toMatch(
        /^-MISCONF (Errors writing to the AOF file: (No space left on device|Input\/output error)|Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. .*)$/,
      );
    }
  }, 120_000);

  test('a flipped bit in a synced RDB (dump.rdb or the AOF preamble) stops start-up with a named cause, never loads', () => {
    const totals = runCampaign({ seed, runs: 2, deadlineMs: Infinity, modes: ['rdb', 'always'], faults: 'none', commands: 60, corruptEvery: 2 });
    expect(totals.violations.map((v) => `${v.result.violation} -- ${replayCommandOf(v.result, 60)}`)).toEqual([]);
    expect(totals.corruptedPoints).toBeGreaterThan(20);
    const w = prepareWorkload(seed, 'rdb', 60);
    const op = w.opsTotal;
    const r = crashAt(w, op, crashSeedFor(seed, op), { corrupt: true });
    expect(r.corrupted).not.toBeNull();
    expect(r.startupError).toMatch(/^CORRUPT: \/data\/dump\.rdb: /);
  }, 120_000);

  test('a disk whose fsync lies loses acknowledged writes, and the checker reports it with a replayable seed', () => {
    const totals = runCampaign({ seed, runs: 3, deadlineMs: Infinity, modes: ['always'], commands: 40, broken: 'lying-fsync' });
    expect(totals.violations.length).toBeGreaterThan(0);
    const first = totals.violations[0]!.result;
    expect(first.violation).toMatch(/acknowledged writes lost|start-up failed|no prefix/);
    // Replaying the printed seed and crash point gives the same outcome.
    const again = crashAt(prepareWorkload(first.seed, first.mode, 40), first.crashAtOp, crashSeedFor(first.seed, first.crashAtOp), { broken: 'lying-fsync' });
    expect(again.violation).toBe(first.violation);
    expect(again.recoveredDigest).toBe(first.recoveredDigest);
  }, 120_000);

  test('everysec: the 2 s bound binds (some crash points must keep earlier acknowledged writes, not the last ones)', () => {
    let binding = 0;
    for (let i = 0; i < 3; i++) {
      const w = prepareWorkload(seed + i, 'everysec', 80);
      for (let op = 0; op <= w.opsTotal; op += 2) {
        const r = crashAt(w, op, crashSeedFor(w.seed, op));
        expect(r.violation).toBeNull();
        expect(r.required).toBeLessThanOrEqual(r.acknowledged);
        if (r.required > 0 && r.required < r.acknowledged) binding++;
      }
    }
    expect(binding).toBeGreaterThan(0);
  }, 120_000);

  test('everysec: losing a write acknowledged 2 s or more before the crash is reported (lying fsync)', () => {
    const wanted = /acknowledged 2 s or more before the crash \(everysec\)$/;
    expect(brokenViolations('everysec', 'lying-fsync', wanted)).toContainEqual(expect.stringMatching(wanted));
  }, 120_000);

  test('rdb: losing the last completed save is reported (lying fsync)', () => {
    const wanted = /the last completed save \(rdb\)$|equals the state at no save|start-up failed/;
    expect(brokenViolations('rdb', 'lying-fsync', wanted)).toContainEqual(expect.stringMatching(wanted));
  }, 120_000);

  test('a server that keeps accepting writes after a disk fault is reported', () => {
    for (const mode of ['everysec', 'no', 'rdb'] as const) {
      expect(brokenViolations(mode, 'ignore-disk-errors', /no MISCONF/, { fault: true })).toContainEqual(expect.stringMatching(/no MISCONF/));
    }
  }, 120_000);

  test('an RDB without its checksum can load a flipped bit, and the checker reports it', () => {
    const wanted = /loaded without an error/;
    expect(brokenViolations('rdb', 'no-rdb-checksum', wanted, { corruptEvery: 1 })).toContainEqual(expect.stringMatching(wanted));
  }, 120_000);

  test('an AOF replay that expires keys while loading (a bug the server had) is reported', () => {
    // Rare per workload (a short TTL, then a logged change of that key before it expires, both kept): search.
    // About one workload in ten shows it (measured: first hit after 1 to 25 workloads over 20 seeds, ~20 ms
    // each), so 400 make a miss vanishingly unlikely; a CI seed once needed more than 40.
    let violation: string | null = null;
    for (let i = 0; i < 400 && violation === null; i++) {
      const w = prepareWorkload(seed + i, 'always', 80);
      violation = crashAt(w, w.opsTotal, crashSeedFor(w.seed, w.opsTotal), { broken: 'expire-while-loading' }).violation;
    }
    expect(violation).toMatch(/no prefix of the executed history|acknowledged writes lost/);
  }, 120_000);

  test('one seed replays one crash exactly: same crash point, fault, and recovered dataset', () => {
    for (const [mode, fault] of [['everysec', false], ['rdb', true], ['no', true]] as const) {
      const w1 = prepareWorkload(seed, mode, 60, fault);
      const w2 = prepareWorkload(seed, mode, 60, fault);
      expect(w2.opsTotal).toBe(w1.opsTotal);
      expect(w2.fault).toEqual(w1.fault);
      const op = Math.floor(w1.opsTotal / 2);
      const a = crashAt(w1, op, crashSeedFor(seed, op));
      const b = crashAt(w2, op, crashSeedFor(seed, op));
      expect(b).toEqual(a);
      expect(a.recoveredDigest).toMatch(/^[0-9a-f]{40}$/);
    }
  });
});
