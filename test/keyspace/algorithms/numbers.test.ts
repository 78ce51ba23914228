// Proves our C-number emulation replies exactly like Redis 7.0: thousands of seeded random
// INCRBYFLOAT/HINCRBYFLOAT sequences (80-bit long double sums, strtold acceptance, "%.17Lf" human
// output), ZADD/ZSCORE round trips ("%.17g" incl. exact ties, strtod acceptance) and INCRBY
// (string2ll) are sent to a real redis-server and its reply bytes compared with ours.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  formatDouble, hincrByFloat, incrByFloat, parseInteger, string2d, string2ll, type IncrByFloatError,
} from '../../../src/keyspace/algorithms/index.js';
import { requireRealRedis, startRealRedis, type RealRedis } from '../../helpers/real-redis.js';
import { seededRandom, type Random } from './random.js';

const available = requireRealRedis();
let redis: RealRedis;

beforeAll(async () => { if (available) redis = await startRealRedis(); });
afterAll(async () => { if (available) await redis.stop(); });

const bulk = (text: string): string => `$${text.length}\r\n${text}\r\n`;

function incrError(error: IncrByFloatError, hash: boolean): string {
  switch (error) {
    case 'current-not-a-float': return hash ? '-ERR hash value is not a float\r\n' : '-ERR value is not a valid float\r\n';
    case 'increment-not-a-float': return '-ERR value is not a valid float\r\n';
    case 'increment-nan-or-infinity': return '-ERR value is NaN or Infinity\r\n';
    case 'nan-or-infinity': return '-ERR increment would produce NaN or Infinity\r\n';
    default: { const never: never = error; return never; }
  }
}

function randomDigits(random: Random, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(random.int(10));
  return out;
}

/** Float-ish strings across the grammar, valid and not. */
function randomFloatText(random: Random): string {
  const sign = random.pick(['', '', '-', '+']);
  switch (random.int(14)) {
    case 0: return `${sign}${randomDigits(random, 1 + random.int(20))}`;
    case 1: return `${sign}${randomDigits(random, random.int(6))}.${randomDigits(random, random.int(25))}`;
    case 2: return `${sign}${randomDigits(random, 1 + random.int(3))}e${random.pick(['', '-', '+'])}${random.int(400)}`;
    case 3: return `${sign}0x${random.int(0xffffff).toString(16)}${random.pick(['', '.8', '.ff'])}p${random.pick(['', '-'])}${random.int(80)}`;
    case 4: return random.pick(['inf', '-inf', '+inf', 'Infinity', 'INF', 'nan', '-nan', 'infinit', 'infx']);
    case 5: return random.pick([' 1', '1 ', '1x', '', '.', '-', '+', '1e', '1e+', '0x', '0x.p1', '1..2', '--1', '\t2', '1\x00']);
    case 6: return random.pick(['1e-400', '1e-5000', '-1e-4940', '1e4932', '1.2e4932', '1e5000', '0e-9999', '4.9e-324', '1e-4950']);
    case 7: return `${sign}${(random.next() * 10 ** (random.int(40) - 20)).toString()}`;
    case 8: return `${sign}0.${randomDigits(random, 1 + random.int(3))}`;
    case 9: return `${sign}${random.int(1000)}.${random.pick(['5', '25', '125', '0625', '1'])}`;
    case 10: return `${sign}${randomDigits(random, 17)}.${randomDigits(random, 3)}`;
    case 11: return `${sign}.${randomDigits(random, 1 + random.int(30))}e-${random.int(30)}`;
    case 12: return `${sign}1${'0'.repeat(random.int(30))}`;
    default: return `${sign}${random.int(100)}`;
  }
}

describe.skipIf(!available)('numbers vs real Redis 7.0', () => {
  test('random INCRBYFLOAT sequences reply byte-equal', async () => {
    const random = seededRandom('incrbyfloat');
    for (let sequence = 0; sequence < 60; sequence++) {
      const key = `f${sequence}`;
      let current: string | null = null;
      await redis.call('DEL', key);
      if (random.next() < 0.4) {
        current = randomFloatText(random);
        await redis.call('SET', key, current);
      }
      const increments: string[] = [];
      for (let i = 0; i < 60; i++) increments.push(randomFloatText(random));
      const replies = await Promise.all(increments.map((increment) => redis.call('INCRBYFLOAT', key, increment)));
      increments.forEach((increment, i) => {
        const result = incrByFloat(current, increment);
        const ours = result.ok ? bulk(result.value) : incrError(result.error, false);
        expect(ours, `INCRBYFLOAT ${JSON.stringify(current)} + ${JSON.stringify(increment)}`).toBe(replies[i]?.toString('latin1'));
        if (result.ok) current = result.value;
      });
    }
  });

  test('random HINCRBYFLOAT reply byte-equal', async () => {
    const random = seededRandom('hincrbyfloat');
    const cases: [string | null, string][] = [];
    for (let i = 0; i < 1500; i++) cases.push([random.next() < 0.3 ? null : randomFloatText(random), randomFloatText(random)]);
    await redis.call('DEL', 'h');
    const replies = await Promise.all(cases.map(([current, increment], i) => {
      if (current !== null) void redis.call('HSET', 'h', `f${i}`, current);
      return redis.call('HINCRBYFLOAT', 'h', `f${i}`, increment);
    }));
    cases.forEach(([current, increment], i) => {
      const result = hincrByFloat(current, increment);
      const ours = result.ok ? bulk(result.value) : incrError(result.error, true);
      expect(ours, `HINCRBYFLOAT ${JSON.stringify(current)} + ${JSON.stringify(increment)}`).toBe(replies[i]?.toString('latin1'));
    });
  });

  test('ZADD accepts exactly what string2d accepts, and ZSCORE prints formatDouble', async () => {
    const random = seededRandom('zscore');
    const texts: string[] = [];
    for (let i = 0; i < 1500; i++) texts.push(randomFloatText(random));
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 1500; i++) {
      view.setUint32(0, random.int(2 ** 32));
      view.setUint32(4, random.int(2 ** 32));
      const d = view.getFloat64(0);
      if (Number.isFinite(d)) texts.push(String(d));
    }
    // Exact ties at the 17th significant digit (18-digit dyadic expansions) and friends.
    for (const tie of ['1125899906842624.25', '1125899906842624.75', '562949953421312.125', '0.5', '2.5',
      '4503599627370495.5', '0.1', '1e21', '1e-5', '0.0001', '123456789012345678', '-0', '1e300', '2.2250738585072014e-308']) texts.push(tie);
    for (let k = 1; k <= 25; k++) for (let j = 0; j < 8; j++) texts.push(String((random.int(2 ** 30) * 2 ** 23 + random.int(2 ** 23)) / 2 ** k));
    // Skiplist encoding keeps every double as is (a listpack stores "-0" as the integer 0).
    await redis.call('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await redis.call('DEL', 'z');
    const adds = await Promise.all(texts.map((text, i) => redis.call('ZADD', 'z', text, `m${i}`)));
    const scores = await Promise.all(texts.map((_, i) => redis.call('ZSCORE', 'z', `m${i}`)));
    texts.forEach((text, i) => {
      const parsed = string2d(text);
      expect(parsed === null ? '-ERR value is not a valid float\r\n' : ':1\r\n', `ZADD ${JSON.stringify(text)}`).toBe(adds[i]?.toString('latin1'));
      if (parsed !== null) expect(bulk(formatDouble(parsed)), `ZSCORE of ${JSON.stringify(text)}`).toBe(scores[i]?.toString('latin1'));
    });
    await redis.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  test('INCRBY increments parse with string2ll', async () => {
    const random = seededRandom('string2ll');
    const texts = ['0', '-0', '+1', '01', ' 1', '1 ', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
      '-9223372036854775809', '', '-', '18446744073709551616', '99999999999999999999', '123456789012345678901', '9007199254740993'];
    for (let i = 0; i < 300; i++) texts.push(random.pick(['', '-']) + randomDigits(random, 1 + random.int(20)));
    const replies = await Promise.all(texts.map((text, i) => {
      void redis.call('SET', `n${i}`, '0');
      return redis.call('INCRBY', `n${i}`, text);
    }));
    texts.forEach((text, i) => {
      const value = string2ll(text);
      expect(value === null ? '-ERR value is not an integer or out of range\r\n' : `:${value}\r\n`, JSON.stringify(text)).toBe(replies[i]?.toString('latin1'));
      const fast = parseInteger(text);
      expect(fast === null ? null : BigInt(fast)).toBe(value);
    });
  });
});
