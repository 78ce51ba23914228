// Proves the crash-recovery promise on the simulated disk: seeded workloads in all three fsync modes, each
// crashed at every one of its I/O operations (>= 10,000 crash points), recover to an allowed prefix of the
// acknowledged history; that the checker does catch lost writes (a disk whose fsync lies); and that one seed
// replays one crash exactly. SEED=<n> replays the campaign.
import { describe, expect, test } from 'vitest';
import { crashAt, crashSeedFor, prepareWorkload, runCampaign, replayCommandOf } from '../../src/fuzz/index.js';

const seed = process.env['SEED'] !== undefined ? Number(process.env['SEED']) : Math.floor(Math.random() * 2 ** 31);

describe('crash campaign', () => {
  test('>= 10,000 crash points across always/everysec/no: no violation', () => {
    console.log(`[crash-campaign] SEED=${seed}`);
    let totals = { runs: 0, crashPoints: 0, violations: [] as ReturnType<typeof runCampaign>['violations'] };
    for (let i = 0; totals.crashPoints < 10_000; i++) {
      const step = runCampaign({ seed: seed + i * 1000, runs: 5, deadlineMs: Infinity, fsyncs: ['always', 'everysec', 'no'], commands: 80 });
      totals = { runs: totals.runs + step.runs, crashPoints: totals.crashPoints + step.crashPoints, violations: [...totals.violations, ...step.violations] };
    }
    const report = totals.violations.map((v) => `${v.result.violation} -- ${replayCommandOf(v.result, 80)}`);
    console.log(`crash-fuzz: ${totals.runs} runs, ${totals.crashPoints} crash points, ${totals.violations.length} violations`);
    expect(report).toEqual([]);
    expect(totals.crashPoints).toBeGreaterThanOrEqual(10_000);
  }, 600_000);

  test('a disk whose fsync lies loses acknowledged writes, and the checker reports it with a replayable seed', () => {
    const totals = runCampaign({ seed, runs: 3, deadlineMs: Infinity, fsyncs: ['always'], commands: 40, lyingFsync: true });
    expect(totals.violations.length).toBeGreaterThan(0);
    const first = totals.violations[0]!.result;
    expect(first.violation).toMatch(/acknowledged writes lost|start-up failed|no prefix/);
    // Replaying the printed seed and crash point gives the same outcome.
    const again = crashAt(prepareWorkload(first.seed, first.fsync, 40), first.crashAtOp, crashSeedFor(first.seed, first.crashAtOp), true);
    expect(again.violation).toBe(first.violation);
    expect(again.recoveredDigest).toBe(first.recoveredDigest);
  }, 120_000);

  test('one seed replays one crash exactly: same crash point, same recovered dataset', () => {
    const w1 = prepareWorkload(seed, 'everysec', 60);
    const w2 = prepareWorkload(seed, 'everysec', 60);
    expect(w2.opsTotal).toBe(w1.opsTotal);
    const op = Math.floor(w1.opsTotal / 2);
    const a = crashAt(w1, op, crashSeedFor(seed, op));
    const b = crashAt(w2, op, crashSeedFor(seed, op));
    expect(b).toEqual(a);
    expect(a.recoveredDigest).toMatch(/^[0-9a-f]{40}$/);
  });
});
