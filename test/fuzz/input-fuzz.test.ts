// Proves the decoders of untrusted bytes never fail other than with their own error value: 20,000 mutated
// corpus RDB files, and mutated AOF logs and RESP request streams, each fed in random chunks. SEED=<n> replays.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { respSamples, runInputFuzz, seededRandom } from '../../src/fuzz/index.js';
import { testSeed } from '../helpers/seed.js';

const seed = testSeed('input-fuzz');
const corpus = fileURLToPath(new URL('../../corpus/', import.meta.url));

function files(dir: string, suffix: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, suffix));
    else if (name.endsWith(suffix) && statSync(path).size <= 1024 * 1024) out.push(readFileSync(path));
  }
  return out;
}

describe('input fuzzing', () => {
  test('20,000 mutated RDB files: only RdbError, no hang', () => {
    console.log(`[input-fuzz] SEED=${seed}`);
    const result = runInputFuzz({ kind: 'rdb', seed, runs: 20_000, samples: files(corpus, '.rdb') });
    expect(result.violations).toEqual([]);
    expect(result.rejected).toBeGreaterThan(10_000);
  }, 600_000);

  test('mutated AOF logs: only AofFormatError, no hang', () => {
    const result = runInputFuzz({ kind: 'aof', seed, runs: 3000, samples: files(corpus, '.aof') });
    expect(result.violations).toEqual([]);
    expect(result.rejected).toBeGreaterThan(0);
  }, 120_000);

  test('mutated RESP request streams: only protocol errors, no hang', () => {
    const result = runInputFuzz({ kind: 'resp', seed, runs: 3000, samples: respSamples(seededRandom(seed), 64) });
    expect(result.violations).toEqual([]);
    expect(result.rejected).toBeGreaterThan(0);
  }, 120_000);
});
