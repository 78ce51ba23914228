// Proves node-redis (v5+ API, RESP3 via `RESP: 3`, and RESP2) works against Strongbox: the same script of
// strings, keys, MULTI/EXEC, pipelines and pub/sub runs against real Redis and Strongbox with the same results.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient } from 'redis';
import { requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

async function script(port: number, resp: 2 | 3): Promise<unknown[]> {
  const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP: resp });
  client.on('error', () => {});
  await client.connect();
  const subscriber = client.duplicate();
  subscriber.on('error', () => {});
  await subscriber.connect();
  const seen: unknown[] = [];
  try {
    await client.flushAll();
    seen.push(await client.set('greeting', 'hello'));
    seen.push(await client.get('greeting'));
    seen.push(await client.set('greeting', 'again', { condition: 'NX' }).catch(() => client.set('greeting', 'again', { NX: true })));
    seen.push(await client.incr('counter'));
    seen.push(await client.incrByFloat('counter', 0.5));
    seen.push(await client.mSet({ a: '1', b: '2' }));
    seen.push(await client.mGet(['a', 'b', 'missing']));
    seen.push(await client.exists(['a', 'b', 'missing']));
    seen.push(await client.del(['a', 'missing']));
    seen.push(await client.hello());
    seen.push(await client.multi().set('t', '1').incr('t').get('t').exec());
    seen.push(await client.multi().set('t', 'x').incr('t').exec().catch((e: Error) => e.constructor.name));
    const pipeline = client.multi();
    for (let i = 0; i < 100; i++) pipeline.set(`p${i}`, String(i));
    for (let i = 0; i < 100; i++) pipeline.get(`p${i}`);
    seen.push(await pipeline.execAsPipeline());
    seen.push(await client.sendCommand(['NOSUCHCOMMAND']).catch((e: Error) => e.message));

    const messages: string[] = [];
    const received = new Promise<void>((resolve) => {
      const listener = (message: string, channel: string): void => {
        messages.push(`${channel}:${message}`);
        if (messages.length === 2) resolve();
      };
      void subscriber.subscribe(['news', 'sports'], listener);
    });
    for (let i = 0; i < 50 && (await client.pubSubNumSub(['news']))['news'] !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    seen.push(await client.publish('news', 'first'));
    seen.push(await client.publish('sports', 'second'));
    await received;
    seen.push(messages.sort());
    await subscriber.unsubscribe();
  } finally {
    client.destroy();
    subscriber.destroy();
  }
  return seen;
}

/** HELLO's `id` is each server's own connection counter. */
function withoutClientIds(seen: unknown[]): unknown[] {
  return seen.map((v) => (v !== null && typeof v === 'object' && 'id' in v ? { ...v, id: '<id>' } : v));
}

describe.runIf(enabled)('node-redis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    [redis, ours] = await Promise.all([startRealRedis(), startStrongbox()]);
  });
  afterAll(async () => {
    await redis?.stop();
    await ours?.stop();
  });

  for (const resp of [2, 3] as const) {
    test(`RESP${resp}: the same script observes the same results on Redis and Strongbox`, async () => {
      const expected = withoutClientIds(await script(redis.port, resp));
      const actual = withoutClientIds(await script(ours.port, resp));
      expect(actual).toEqual(expected);
    });
  }
});
