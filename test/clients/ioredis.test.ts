// Proves a mainstream client library (ioredis) works against Strongbox: the same script of strings, keys,
// MULTI/EXEC, pipelines and pub/sub runs against real Redis and Strongbox and must observe the same results.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { requireRealRedis, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

const enabled = requireRealRedis();

/** What a client observes from the script; compared between the two servers. */
async function script(port: number): Promise<unknown[]> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  const subscriber = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  await subscriber.connect();
  const seen: unknown[] = [];
  try {
    await client.flushall();
    seen.push(await client.set('greeting', 'hello'));
    seen.push(await client.get('greeting'));
    seen.push(await client.set('greeting', 'again', 'NX'));
    seen.push(await client.incr('counter'));
    seen.push(await client.incrby('counter', 41));
    seen.push(await client.incrbyfloat('counter', '0.5'));
    seen.push(await client.mset({ a: '1', b: '2' }));
    seen.push(await client.mget('a', 'b', 'missing'));
    seen.push(await client.append('a', 'xyz'));
    seen.push(await client.getBuffer('a'));
    seen.push(await client.exists('a', 'b', 'missing'));
    seen.push(await client.del('a', 'missing'));
    seen.push(await client.dbsize());
    seen.push(await client.multi().set('t', '1').incr('t').get('t').exec());
    seen.push(await client.multi().set('t', 'x').incr('t').exec());
    const pipeline = client.pipeline();
    for (let i = 0; i < 100; i++) pipeline.set(`p${i}`, String(i));
    for (let i = 0; i < 100; i++) pipeline.get(`p${i}`);
    seen.push(await pipeline.exec());
    seen.push(await client.get('nope').catch((e: Error) => e.message));
    seen.push(await client.call('NOSUCHCOMMAND').catch((e: Error) => e.message));

    const messages: string[] = [];
    const received = new Promise<void>((resolve) => {
      subscriber.on('message', (channel: string, message: string) => {
        messages.push(`${channel}:${message}`);
        if (messages.length === 2) resolve();
      });
    });
    seen.push(await subscriber.subscribe('news', 'sports'));
    seen.push(await client.publish('news', 'first'));
    seen.push(await client.publish('sports', 'second'));
    seen.push(await client.publish('nobody', 'third'));
    await received;
    seen.push(messages);
    seen.push(await subscriber.unsubscribe());
  } finally {
    client.disconnect();
    subscriber.disconnect();
  }
  return seen;
}

describe.runIf(enabled)('ioredis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    [redis, ours] = await Promise.all([startRealRedis(), startStrongbox()]);
  });
  afterAll(async () => {
    await redis?.stop();
    await ours?.stop();
  });

  test('the same script observes the same results on Redis and Strongbox', async () => {
    const expected = await script(redis.port);
    const actual = await script(ours.port);
    expect(actual).toEqual(expected);
  });
});
