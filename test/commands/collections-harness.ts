// Shared driver for the list, hash and set differential tests: a real redis-server and an in-process Strongbox
// with RESP2 and RESP3 connections, raw-byte and canonical reply comparison, propagation capture (real Redis's
// AOF vs our propagate hook) and keyspace-notification capture.
import { expect } from 'vitest';
import fc from 'fast-check';
import { arrayOf, connectRaw, parseResp, startRealRedis, type RawClient, type RealRedis, type RespValue } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { captureOurs, readIncrAof } from '../helpers/aof.js';

export { captureOurs };
import { both } from './zset-harness.js';

export { startPair, both, runSeed, type Pair } from './zset-harness.js';

/** Sends `args` to both sides and expects byte-identical replies. */
export async function same(clients: [RawClient, RawClient], args: string[]): Promise<string> {
  const [expected, actual] = await both(clients, args);
  expect(actual, args.join(' ')).toBe(expected);
  return expected;
}

/** Sorts the elements of every array in a decoded reply (for hash-table order). */
export function canonical(v: RespValue): RespValue {
  if (!Array.isArray(v)) return v;
  return v.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** Flat [k1, v1, k2, v2] reply as sorted pairs. */
export function canonicalPairs(v: RespValue): RespValue {
  if (!Array.isArray(v)) return v;
  const pairs: RespValue[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) pairs.push([v[i]!, v[i + 1]!]);
  return canonical(pairs);
}

/** Sends `args` to both sides (RESP2) and compares after `normalize`; the RESP3 type byte is compared as is. */
export async function sameCanonical(
  clients: [RawClient, RawClient],
  args: string[],
  normalize: (v: RespValue) => RespValue = canonical,
): Promise<void> {
  const [expected, actual] = await both(clients, args);
  expect(actual[0], args.join(' ')).toBe(expected[0]);
  expect(normalize(parseResp(Buffer.from(actual, 'latin1'))), args.join(' ')).toEqual(
    normalize(parseResp(Buffer.from(expected, 'latin1'))),
  );
}

/** `count` values of `arbitrary`, drawn with fast-check from `seed`. */
export function drawSequence<T>(arbitrary: fc.Arbitrary<T>, seed: number, count: number): T[] {
  return fc.sample(fc.array(arbitrary, { minLength: count, maxLength: count }), { seed, numRuns: 1 })[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Propagation

/** Real Redis's incremental AOF as argument vectors (start it with `AOF_CONFIG`). */
export async function readRedisAof(redis: RealRedis): Promise<string[][]> {
  return readIncrAof(arrayOf(await redis.call('CONFIG', 'GET', 'dir'))[1]!);
}

export const AOF_CONFIG = ['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no'];


/** A PSUBSCRIBE * connection collecting every notification byte. */
export async function collectNotifications(port: number): Promise<{ text(): string; client: RawClient }> {
  const client = await connectRaw(port);
  const data: Buffer[] = [];
  await client.call('PSUBSCRIBE', '*');
  client.socket.on('data', (chunk: Buffer) => data.push(chunk));
  return { text: () => Buffer.concat(data).toString('latin1'), client };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a propagation test sees: both servers (Redis writing an AOF), a client to each, our captured stream. */
export interface AofContext {
  redis: RealRedis;
  ours: Strongbox;
  r: RawClient;
  o: RawClient;
  captured: { commands: string[][] };
  /** Sends `args` to both and expects identical replies. */
  run(args: string[]): Promise<void>;
}

/** Runs `body` against a real Redis with AOF on and a Strongbox whose propagation is captured, then cleans up. */
export async function withAofPair(body: (context: AofContext) => Promise<void>): Promise<void> {
  const redis = await startRealRedis(AOF_CONFIG);
  const ours = await startStrongbox();
  const captured = captureOurs(ours);
  const r = await connectRaw(redis.port);
  const o = await ours.connect();
  const run = async (args: string[]): Promise<void> => {
    expect((await o.call(...args)).toString('latin1'), args.join(' ')).toBe((await r.call(...args)).toString('latin1'));
  };
  try {
    await body({ redis, ours, r, o, captured, run });
  } finally {
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  }
}

/**
 * Runs `sequence` (then `extra`, given each server's port and client) on two servers with every keyspace event
 * enabled and expects the same notification bytes, which must mention `mustContain`.
 */
export async function expectSameNotifications(
  sequence: string[][],
  mustContain: string,
  extra?: (port: number, client: RawClient) => Promise<void>,
): Promise<void> {
  const redis = await startRealRedis(['--notify-keyspace-events', 'KEA']);
  const ours = await startStrongbox(['--notify-keyspace-events', 'KEA']);
  const rs = await collectNotifications(redis.port);
  const os = await collectNotifications(ours.port);
  const r = await connectRaw(redis.port);
  const o = await ours.connect();
  try {
    for (const args of sequence) {
      await r.call(...args);
      await o.call(...args);
    }
    if (extra !== undefined) {
      await extra(redis.port, r);
      await extra(ours.port, o);
    }
    await sleep(100);
    expect(rs.text()).toContain(mustContain);
    expect(os.text()).toBe(rs.text());
  } finally {
    for (const c of [rs.client, os.client, r, o]) c.socket.destroy();
    await redis.stop();
    await ours.stop();
  }
}
