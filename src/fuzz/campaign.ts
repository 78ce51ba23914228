/**
 * Crash campaigns: many seeded workloads, each crashed at every one of its I/O operations (CrashMonkey's
 * "crash at every persistence point", in the three fsync modes and RDB-only), with and without an injected window
 * of disk faults, some crash points with a flipped bit in the synced RDB; violations shrunk to the shortest
 * workload that still shows them. The CLI (`strongbox fuzz crash`) and CI's campaign test run this.
 */
import type { Bytes } from '../../formats/index.js';
import { crashAt, prepareWorkload, type BrokenMode, type CrashMode, type CrashRunResult, type PreparedWorkload } from './simulator.js';

/** Workloads without faults, with an injected fault window, or one of each per mode and seed. */
export type FaultChoice = 'none' | 'only' | 'both';

export interface CampaignOptions {
  /** First seed; workload i uses seed + i. */
  seed: number;
  /** Workloads per mode (and fault choice); 0 means until `deadlineMs`. */
  runs: number;
  /** Wall-clock deadline (ms since epoch) for open-ended campaigns; Infinity when bounded by `runs`. */
  deadlineMs: number;
  modes: readonly CrashMode[];
  faults?: FaultChoice;
  /** Commands per workload. */
  commands: number;
  /** Crash only at this operation (replay); default every operation. */
  crashOp?: number;
  broken?: BrokenMode | null;
  /** Every n-th crash point is crashed a second time with a bit of the synced RDB flipped (0: never). */
  corruptEvery?: number;
  /** Called after each workload with the totals so far. */
  onProgress?(totals: CampaignTotals): void;
  now?(): number;
}

export interface CampaignTotals {
  runs: number;
  crashPoints: number;
  /** Crash points whose synced RDB had a bit flipped (all must have failed start-up with a named cause). */
  corruptedPoints: number;
  /** Crash points of workloads with an injected fault window. */
  faultPoints: number;
  violations: Violation[];
}

export interface Violation {
  result: CrashRunResult;
  /** The smallest workload (commands per run) that still fails, and its commands. */
  shrunk: { commands: number; crashAtOp: number; workload: Bytes[][] } | null;
}

type PointOptions = Pick<CampaignOptions, 'crashOp' | 'broken' | 'corruptEvery'>;

/** Disk choices for one crash point, derived from the workload seed and the operation: replayable. */
export function crashSeedFor(seed: number, op: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(op + 1, 0x85ebca6b)) >>> 0;
}

/** Crashes `w` at each operation (or the one given); returns the violations. */
export function crashEverywhere(w: PreparedWorkload, options: PointOptions): { points: number; corrupted: number; failures: CrashRunResult[] } {
  const failures: CrashRunResult[] = [];
  const ops = options.crashOp !== undefined ? [options.crashOp] : Array.from({ length: w.opsTotal + 1 }, (_, i) => i);
  const corruptEvery = options.corruptEvery ?? 0;
  let corrupted = 0;
  for (const op of ops) {
    const seed = crashSeedFor(w.seed, op);
    const result = crashAt(w, op, seed, { broken: options.broken ?? null });
    if (result.violation !== null) failures.push(result);
    if (corruptEvery > 0 && op % corruptEvery === 0) {
      const flipped = crashAt(w, op, seed, { broken: options.broken ?? null, corrupt: true });
      if (flipped.corrupted !== null) corrupted++;
      if (flipped.violation !== null) failures.push(flipped);
    }
  }
  return { points: ops.length, corrupted, failures };
}

/** The shortest prefix workload (same seed, mode and fault choice) that still violates, at any crash point. */
export function shrink(result: CrashRunResult, commands: number, options: PointOptions): Violation['shrunk'] {
  for (let n = 1; n <= commands; n = n < 8 ? n + 1 : Math.ceil(n * 1.25)) {
    const w = prepareWorkload(result.seed, result.mode, n, result.fault !== null);
    const { failures } = crashEverywhere(w, { ...options, crashOp: undefined });
    if (failures.length > 0) return { commands: n, crashAtOp: failures[0]!.crashAtOp, workload: w.turns.flat() };
  }
  return null;
}

export function runCampaign(options: CampaignOptions): CampaignTotals {
  const now = options.now ?? Date.now;
  const totals: CampaignTotals = { runs: 0, crashPoints: 0, corruptedPoints: 0, faultPoints: 0, violations: [] };
  const faultChoices = options.faults === 'only' ? [true] : options.faults === 'both' ? [false, true] : [false];
  for (let i = 0; options.runs === 0 || i < options.runs; i++) {
    if (options.runs === 0 && now() >= options.deadlineMs) break;
    for (const mode of options.modes) {
      for (const fault of faultChoices) {
        const w = prepareWorkload(options.seed + i, mode, options.commands, fault);
        const { points, corrupted, failures } = crashEverywhere(w, options);
        totals.runs++;
        totals.crashPoints += points;
        totals.corruptedPoints += corrupted;
        if (w.fault !== null) totals.faultPoints += points;
        for (const result of failures.slice(0, 1)) {
          totals.violations.push({ result, shrunk: shrink(result, options.commands, options) });
        }
      }
    }
    options.onProgress?.(totals);
  }
  return totals;
}

/** The command line that replays one violation exactly. */
export function replayCommandOf(v: CrashRunResult, commands: number, broken: BrokenMode | null = null): string {
  const flags = [
    `--seed ${v.seed}`,
    '--runs 1',
    `--mode ${v.mode}`,
    `--faults ${v.fault !== null ? 'only' : 'none'}`,
    `--commands ${commands}`,
    `--crash-op ${v.crashAtOp}`,
  ];
  if (v.corrupted !== null) flags.push('--corrupt-every 1');
  if (broken !== null) flags.push(`--${broken}`);
  return `bin/strongbox fuzz crash ${flags.join(' ')}`;
}
