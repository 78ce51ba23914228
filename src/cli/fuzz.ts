/**
 * `strongbox fuzz crash|input ...`: crash-recovery campaigns on the simulated disk, and input fuzzing of the
 * RDB/AOF/RESP decoders. Both print their seed; a violation prints the exact command that replays it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Tool } from './main.js';
import {
  CRASH_MODES,
  replayCommandOf,
  respSamples,
  runCampaign,
  runInputFuzz,
  seededRandom,
  type BrokenMode,
  type CrashMode,
  type FaultChoice,
  type InputKind,
} from '../fuzz/index.js';

const USAGE = `Usage:
  strongbox fuzz crash [--seed S] [--runs N | --minutes M] [--mode always|everysec|no|rdb|all]
                       [--faults none|only|both] [--corrupt-every N] [--commands N] [--crash-op N]
                       [--lying-fsync | --ignore-disk-errors | --no-rdb-checksum | --expire-while-loading]
  strongbox fuzz input rdb|aof|resp [--runs N] [--seed S] [--corpus DIR]

crash: each run is one seeded workload per mode (appendfsync always/everysec/no, or rdb: appendonly no with
       BGSAVE and a save schedule), with and without a window of injected disk faults (ENOSPC, EIO), crashed at
       every one of its I/O operations on the simulated disk; every N-th crash point (default 10) is also crashed
       with a bit of the synced RDB flipped. Recovery must keep what the mode promised, a disk fault must bring
       MISCONF, and corruption must stop start-up (see SPEC.md, "Crash simulation"). --fsync is a synonym of
       --mode. --lying-fsync (fsync makes nothing durable), --ignore-disk-errors (no MISCONF after a disk
       fault), --no-rdb-checksum (RDBs without CRC64) and --expire-while-loading (AOF replay expiring keys)
       break the server on purpose, to see the checker catch it.
input: mutates corpus files (rdb, aof) or generated request streams (resp) and feeds them to the decoders.
`;

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function intOption(args: readonly string[], name: string, fallback: number): number {
  const v = option(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} takes a whole number, got '${v}'`);
  return n;
}

class UsageError extends Error {}

function modesOption(args: readonly string[]): CrashMode[] {
  const arg = option(args, '--mode') ?? option(args, '--fsync') ?? 'all';
  if (arg === 'all') return [...CRASH_MODES];
  if (!(CRASH_MODES as readonly string[]).includes(arg)) throw new UsageError('--mode takes always, everysec, no, rdb or all');
  return [arg as CrashMode];
}

function faultsOption(args: readonly string[]): FaultChoice {
  const arg = option(args, '--faults') ?? 'both';
  if (arg !== 'none' && arg !== 'only' && arg !== 'both') throw new UsageError('--faults takes none, only or both');
  return arg;
}

const BROKEN_MODES: readonly BrokenMode[] = ['lying-fsync', 'ignore-disk-errors', 'no-rdb-checksum', 'expire-while-loading'];

function brokenOption(args: readonly string[]): BrokenMode | null {
  const modes = BROKEN_MODES.filter((mode) => args.includes(`--${mode}`));
  if (modes.length > 1) throw new UsageError('choose one broken mode');
  return modes[0] ?? null;
}

function crash(args: readonly string[]): number {
  const seed = intOption(args, '--seed', Math.floor(Math.random() * 2 ** 31));
  const minutes = Number(option(args, '--minutes') ?? '0');
  const runs = option(args, '--runs') !== undefined ? intOption(args, '--runs', 1) : minutes > 0 ? 0 : 10;
  const modes = modesOption(args);
  const faults = faultsOption(args);
  const commands = intOption(args, '--commands', 80);
  const crashOpArg = option(args, '--crash-op');
  const broken = brokenOption(args);
  const corruptEvery = intOption(args, '--corrupt-every', 10);
  process.stdout.write(`crash-fuzz: seed ${seed}, modes ${modes.join(',')}, faults ${faults}, ${commands} commands per workload\n`);
  const totals = runCampaign({
    seed,
    runs,
    deadlineMs: minutes > 0 ? Date.now() + minutes * 60_000 : Infinity,
    modes,
    faults,
    commands,
    crashOp: crashOpArg === undefined ? undefined : intOption(args, '--crash-op', 0),
    broken,
    corruptEvery,
    onProgress: (t) => process.stderr.write(`\rcrash-fuzz: ${t.runs} runs, ${t.crashPoints} crash points, ${t.violations.length} violations`),
  });
  process.stderr.write('\n');
  for (const v of totals.violations) {
    const r = v.result;
    process.stdout.write(`VIOLATION seed ${r.seed} mode ${r.mode} crash at I/O op ${r.crashAtOp}: ${r.violation}\n`);
    process.stdout.write(`  replay: ${replayCommandOf(r, commands, broken)}\n`);
    if (v.shrunk !== null) {
      process.stdout.write(`  shrunk to a workload of ${v.shrunk.workload.length} commands (crash at op ${v.shrunk.crashAtOp}): ${replayCommandOf({ ...r, crashAtOp: v.shrunk.crashAtOp }, v.shrunk.commands, broken)}\n`);
      for (const command of v.shrunk.workload) process.stdout.write(`    ${command.join(' ')}\n`);
    }
  }
  process.stdout.write(
    `crash-fuzz: ${totals.runs} runs, ${totals.crashPoints} crash points (${totals.faultPoints} with disk faults, ${totals.corruptedPoints} more with a flipped RDB bit), ${totals.violations.length} violations\n`,
  );
  return totals.violations.length === 0 ? 0 : 1;
}

/** Files under `dir` (recursively) whose names end with one of `suffixes`. */
function collect(dir: string, suffixes: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path, suffixes));
    else if (suffixes.some((s) => name.endsWith(s)) && statSync(path).size <= 4 * 1024 * 1024) out.push(readFileSync(path));
  }
  return out;
}

function input(args: readonly string[]): number {
  const kind = args[0] as InputKind | undefined;
  if (kind !== 'rdb' && kind !== 'aof' && kind !== 'resp') throw new UsageError('fuzz input takes rdb, aof or resp');
  const seed = intOption(args, '--seed', Math.floor(Math.random() * 2 ** 31));
  const runs = intOption(args, '--runs', 1000);
  const corpus = option(args, '--corpus') ?? 'corpus';
  const samples =
    kind === 'resp' ? respSamples(seededRandom(seed), 64) : collect(corpus, kind === 'rdb' ? ['.rdb'] : ['.aof']);
  process.stdout.write(`input-fuzz ${kind}: seed ${seed}, ${samples.length} samples\n`);
  const result = runInputFuzz({ kind, seed, runs, samples });
  for (const v of result.violations) {
    process.stdout.write(`VIOLATION run ${v.run}: ${v.message}\n  replay: bin/strongbox fuzz input ${kind} --seed ${v.seed} --runs 1 --corpus ${corpus}\n`);
  }
  process.stdout.write(`input-fuzz ${kind}: ${result.runs} runs, ${result.rejected} rejected with a decoder error, ${result.violations.length} violations\n`);
  return result.violations.length === 0 ? 0 : 1;
}

export const fuzzTool: Tool = {
  name: 'fuzz',
  summary: 'crash-recovery campaigns on a simulated disk; input fuzzing of the decoders',
  async run(args: readonly string[]): Promise<number> {
    try {
      if (args[0] === 'crash') return crash(args.slice(1));
      if (args[0] === 'input') return input(args.slice(1));
      process.stdout.write(USAGE);
      return args[0] === '--help' || args[0] === '-h' ? 0 : 1;
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`strongbox fuzz: ${err.message}\n${USAGE}`);
        return 1;
      }
      throw err;
    }
  },
};
