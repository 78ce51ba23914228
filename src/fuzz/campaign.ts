/**
 * Crash campaigns: many seeded workloads, each crashed at every one of its I/O operations (CrashMonkey's
 * "crash at every persistence point", in all three fsync modes), with violations shrunk to the shortest workload
 * that still shows them. The CLI (`strongbox fuzz crash`) and CI's campaign test run this.
 */
import type { Bytes } from '../../formats/index.js';
import type { FsyncPolicy } from '../persistence/aof/index.js';
import { crashAt, prepareWorkload, type CrashRunResult, type PreparedWorkload } from './simulator.js';

export interface CampaignOptions {
  /** First seed; workload i uses seed + i. */
  seed: number;
  /** Workloads per fsync mode; 0 means until `deadlineMs`. */
  runs: number;
  /** Wall-clock deadline (ms since epoch) for open-ended campaigns; Infinity when bounded by `runs`. */
  deadlineMs: number;
  fsyncs: readonly FsyncPolicy[];
  /** Commands per workload. */
  commands: number;
  /** Crash only at this operation (replay); default every operation. */
  crashOp?: number;
  lyingFsync?: boolean;
  /** Called after each workload with the totals so far. */
  onProgress?(totals: CampaignTotals): void;
  now?(): number;
}

export interface CampaignTotals {
  runs: number;
  crashPoints: number;
  violations: Violation[];
}

export interface Violation {
  result: CrashRunResult;
  /** The smallest workload (commands per run) that still fails, and its commands. */
  shrunk: { commands: number; crashAtOp: number; workload: Bytes[][] } | null;
}

/** Disk choices for one crash point, derived from the workload seed and the operation: replayable. */
export function crashSeedFor(seed: number, op: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(op + 1, 0x85ebca6b)) >>> 0;
}

/** Crashes `w` at each operation (or the one given); returns the violations. */
export function crashEverywhere(w: PreparedWorkload, options: Pick<CampaignOptions, 'crashOp' | 'lyingFsync'>): { points: number; failures: CrashRunResult[] } {
  const failures: CrashRunResult[] = [];
  const ops = options.crashOp !== undefined ? [options.crashOp] : Array.from({ length: w.opsTotal + 1 }, (_, i) => i);
  for (const op of ops) {
    const result = crashAt(w, op, crashSeedFor(w.seed, op), options.lyingFsync === true);
    if (result.violation !== null) failures.push(result);
  }
  return { points: ops.length, failures };
}

/** The shortest prefix workload (same seed) that still violates, at any crash point. */
export function shrink(result: CrashRunResult, commands: number, lyingFsync: boolean): Violation['shrunk'] {
  for (let n = 1; n <= commands; n = n < 8 ? n + 1 : Math.ceil(n * 1.25)) {
    const w = prepareWorkload(result.seed, result.fsync, n);
    const { failures } = crashEverywhere(w, { lyingFsync });
    if (failures.length > 0) return { commands: n, crashAtOp: failures[0]!.crashAtOp, workload: w.turns.flat() };
  }
  return null;
}

export function runCampaign(options: CampaignOptions): CampaignTotals {
  const now = options.now ?? Date.now;
  const totals: CampaignTotals = { runs: 0, crashPoints: 0, violations: [] };
  for (let i = 0; options.runs === 0 || i < options.runs; i++) {
    if (options.runs === 0 && now() >= options.deadlineMs) break;
    for (const fsync of options.fsyncs) {
      const w = prepareWorkload(options.seed + i, fsync, options.commands);
      const { points, failures } = crashEverywhere(w, options);
      totals.runs++;
      totals.crashPoints += points;
      for (const result of failures.slice(0, 1)) {
        totals.violations.push({ result, shrunk: shrink(result, options.commands, options.lyingFsync === true) });
      }
    }
    options.onProgress?.(totals);
  }
  return totals;
}

/** The command line that replays one violation exactly. */
export function replayCommandOf(v: CrashRunResult, commands: number, lyingFsync = false): string {
  return `bin/strongbox fuzz crash --seed ${v.seed} --runs 1 --fsync ${v.fsync} --commands ${commands} --crash-op ${v.crashAtOp}${lyingFsync ? ' --lying-fsync' : ''}`;
}
