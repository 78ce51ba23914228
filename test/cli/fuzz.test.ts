// Proves `strongbox fuzz crash` end to end, in process: a clean campaign over RDB mode with disk faults and flipped
// RDB bits prints its summary line and exits 0; a deliberately broken server (ignoring disk errors) exits 1 with
// a VIOLATION line and a replay command, and running that command reproduces the same violation; bad options
// are refused with the usage.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fuzzTool } from '../../src/cli/fuzz.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await fuzzTool.run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('strongbox fuzz crash', () => {
  test('a clean campaign prints its seed and summary line and exits 0', async () => {
    const { code, out } = await run(['crash', '--seed', '5', '--runs', '1', '--mode', 'rdb', '--faults', 'both', '--commands', '30', '--corrupt-every', '2']);
    expect(out).toContain('crash-fuzz: seed 5, modes rdb, faults both, 30 commands per workload');
    expect(out).toMatch(/\ncrash-fuzz: 2 runs, \d+ crash points \(\d+ with disk faults, [1-9]\d* more with a flipped RDB bit\), 0 violations\n$/);
    expect(code).toBe(0);
  }, 60_000);

  test('a violation prints its replay command, which reproduces it', async () => {
    const first = await run(['crash', '--seed', '11', '--runs', '3', '--mode', 'everysec', '--faults', 'only', '--commands', '30', '--ignore-disk-errors']);
    expect(first.code).toBe(1);
    const violation = /^VIOLATION .*$/m.exec(first.out)?.[0];
    expect(violation).toMatch(/no MISCONF/);
    const replay = /^ {2}replay: bin\/strongbox fuzz (crash .*)$/m.exec(first.out)?.[1];
    expect(replay).toContain('--ignore-disk-errors');
    const again = await run(replay!.split(' '));
    expect(again.code).toBe(1);
    expect(/^VIOLATION .*$/m.exec(again.out)?.[0]).toBe(violation);
  }, 60_000);

  test('bad options are refused with the usage', async () => {
    const { code, err } = await run(['crash', '--mode', 'sometimes']);
    expect(code).toBe(1);
    expect(err).toContain('--mode takes always, everysec, no, rdb or all');
    expect(err).toContain('Usage:');
  });
});
