// Seeded PRNG for the reference-comparison tests: every run prints its seed; SEED=... replays it.
import { testSeed } from '../../helpers/seed.js';

export interface Random {
  seed: number;
  next(): number; // [0, 1)
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): string; // latin1
}

export function seededRandom(label: string): Random {
  const seed = testSeed(label) >>> 0;
  console.log(`[${label}] SEED=${seed}`);
  let state = seed;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from empty list');
      return item;
    },
    bytes: (length: number): string => {
      let out = '';
      for (let i = 0; i < length; i++) out += String.fromCharCode(int(256));
      return out;
    },
  };
}
