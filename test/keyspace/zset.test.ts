// Proves the skip-list zset keeps Redis's order and rank arithmetic under random inserts, score updates and
// removals: every rank, rank -> node, neighbour link and range answer is checked against a sorted-array model.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ZSetValue, LEX_MAX, LEX_MIN, defaultKeyspaceConfig } from '../../src/keyspace/index.js';
import { runSeed } from '../commands/zset-harness.js';

type Entry = [string, number];

function modelOrder(map: Map<string, number>): Entry[] {
  return [...map].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('ZSetValue order structure against a sorted-array model', () => {
  test('random insert/update/remove sequences keep ranks, links and ranges exact', () => {
    const seed = runSeed('zset model');
    const op = fc.tuple(fc.constantFrom('set', 'set', 'set', 'remove'), fc.integer({ min: 0, max: 1500 }), fc.integer({ min: -40, max: 40 }));
    const runs = fc.sample(fc.array(op, { minLength: 200, maxLength: 3000 }), { seed, numRuns: 8 });
    for (const ops of runs) {
      const zset = ZSetValue.fromEntries([], defaultKeyspaceConfig());
      const model = new Map<string, number>();
      for (const [kind, id, score] of ops) {
        const member = `m${id}`;
        if (kind === 'remove') {
          expect(zset.remove(member)).toBe(model.delete(member));
          continue;
        }
        const node = zset.node(member);
        if (node === undefined) zset.insert(member, score);
        else zset.update(node, score);
        model.set(member, score);
      }
      const order = modelOrder(model);
      expect([...zset.entries()], `SEED=${seed}`).toEqual(order);
      expect(zset.size).toBe(order.length);
      for (let i = 0; i < order.length; i += 7) {
        const [member, score] = order[i]!;
        expect(zset.rank(member)).toBe(i);
        expect(zset.rank(member, true)).toBe(order.length - 1 - i);
        const node = zset.at(i);
        expect([node.member, node.score]).toEqual([member, score]);
        expect(zset.rankOf(node)).toBe(i);
        expect(zset.step(node, true)?.member ?? null).toBe(order[i - 1]?.[0] ?? null);
      }
      for (let lo = -45; lo <= 45; lo += 9) {
        const range = { min: lo, max: lo + 12, minExclusive: lo % 2 === 0, maxExclusive: false };
        const inRange = order.filter(([, s]) => (range.minExclusive ? s > range.min : s >= range.min) && s <= range.max);
        expect(zset.firstInScoreRange(range)?.member ?? null).toBe(inRange[0]?.[0] ?? null);
        expect(zset.lastInScoreRange(range)?.member ?? null).toBe(inRange[inRange.length - 1]?.[0] ?? null);
      }
    }
  });

  test('lex ranges over equal scores, in both encodings', () => {
    const members = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const config = defaultKeyspaceConfig();
    for (const size of [50, 300]) {
      const zset = ZSetValue.fromEntries(members.slice(0, size).map((m): Entry => [m, 0]), config);
      expect(zset.encoding).toBe(size <= 128 ? 'listpack' : 'skiplist');
      const range = { min: 'k010', max: 'k040', minExclusive: true, maxExclusive: false };
      expect(zset.firstInLexRange(range)?.member).toBe('k011');
      expect(zset.lastInLexRange(range)?.member).toBe('k040');
      expect(zset.lexCount(range)).toBe(30);
      expect(zset.lexCount({ min: LEX_MIN, max: LEX_MAX, minExclusive: true, maxExclusive: true })).toBe(size);
    }
  });
});
