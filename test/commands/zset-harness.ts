// Shared driver for the sorted-set, GEO and SORT differential tests: one real redis-server and one in-process
// Strongbox, each with a RESP2 and a RESP3 connection, and a comparison of raw reply bytes.
import { connectRaw, startRealRedis, type RawClient, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { testSeed } from '../helpers/seed.js';

export interface Pair {
  redis: RealRedis;
  ours: Strongbox;
  /** [redis, ours] clients per protocol. */
  resp2: [RawClient, RawClient];
  resp3: [RawClient, RawClient];
  stop(): Promise<void>;
}

export async function startPair(config: string[] = []): Promise<Pair> {
  const redis = await startRealRedis(config);
  const ours = await startStrongbox(config);
  const resp2: [RawClient, RawClient] = [await connectRaw(redis.port), await ours.connect()];
  const resp3: [RawClient, RawClient] = [await connectRaw(redis.port), await ours.connect()];
  await resp3[0].call('HELLO', '3');
  await resp3[1].call('HELLO', '3');
  return {
    redis,
    ours,
    resp2,
    resp3,
    async stop() {
      for (const c of [...resp2, ...resp3]) c.socket.destroy();
      await redis.stop();
      await ours.stop();
    },
  };
}

/** Sends `args` to both sides on one protocol; returns both replies as latin1 text. */
export async function both(clients: [RawClient, RawClient], args: string[]): Promise<[string, string]> {
  const [a, b] = await Promise.all([clients[0].call(...args), clients[1].call(...args)]);
  return [a.toString('latin1'), b.toString('latin1')];
}

/** The seed of a randomised run: SEED from the environment, else fresh; printed so a failure can be replayed. */
export function runSeed(label: string): number {
  const seed = testSeed(label);
  console.log(`${label}: SEED=${seed}`);
  return seed;
}
