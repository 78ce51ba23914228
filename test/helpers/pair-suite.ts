// Shared set-up of small differential suites: one DifferentialPair (real Redis and Strongbox) for the enclosing
// describe block, and `same`, which sends a command to both and expects byte-identical replies.
import { afterAll, beforeAll, expect } from 'vitest';
import { DifferentialPair } from './differential.js';

/** Starts a pair before the block's tests and stops it after them; returns a getter for it. */
export function usePair(): () => DifferentialPair {
  let pair: DifferentialPair | undefined;
  beforeAll(async () => {
    pair = await DifferentialPair.start();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  return () => {
    if (pair === undefined) throw new Error('assertion failed: the pair is used outside its tests');
    return pair;
  };
}

/** Sends `args` to both servers, expects the same reply bytes, and returns Redis's reply as latin1 text. */
export async function same(pair: DifferentialPair, args: string[]): Promise<string> {
  const [redis, ours] = await pair.raw(args);
  expect(ours.toString('latin1'), args.join(' ')).toBe(redis.toString('latin1'));
  return redis.toString('latin1');
}
