// Proves that requests cut into many socket reads, from several clients writing at once, reach the engine intact:
// connections parse each read where it lies, keep only unfinished tails, and all read through one shared buffer,
// so a tail that still pointed into that buffer would be overwritten by another client's read and show here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { encodeCommand } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';

let ours: Strongbox;

beforeAll(async () => {
  ours = await startStrongbox();
});

afterAll(async () => {
  await ours.stop();
});

async function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `bytes` in slices of the given sizes, yielding to the event loop between slices. */
async function writeInSlices(socket: Socket, bytes: Buffer, sizes: number[]): Promise<void> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    socket.write(bytes.subarray(at, at + size));
    at += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads until `bytes` bytes arrived. */
async function readBytes(socket: Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Pseudo-random bytes (CR, LF and NUL included) from a seed, so a value can span several 64 KB reads cheaply. */
function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % 7 === 0 ? 13 + (i % 2) * -3 : x & 0xff;
  }
  return out;
}

/** Values sized from empty to several reads. */
const value = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 150_000 })), fc.integer())
  .map(([length, seed]) => bytesOf(length, seed));
const client = fc.record({
  values: fc.array(value, { minLength: 1, maxLength: 12 }),
  sizes: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
});

test('pipelines from several clients, written in odd slices, set exactly the values sent', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(client, { minLength: 2, maxLength: 4 }), async (clients) => {
      await ours.call('FLUSHALL');
      const sockets = await Promise.all(clients.map(() => open(ours.port)));
      try {
        await Promise.all(
          clients.map(async (c, i) => {
            const socket = sockets[i]!;
            const requests = Buffer.concat(c.values.map((v, j) => encodeCommand(['SET', `client:${i}:${j}`, v])));
            const replies = readBytes(socket, c.values.length * 5);
            await writeInSlices(socket, requests, c.sizes);
            expect((await replies).toString('latin1')).toBe('+OK\r\n'.repeat(c.values.length));
          }),
        );
        for (const [i, c] of clients.entries()) {
          for (const [j, v] of c.values.entries()) {
            const expected = Buffer.concat([Buffer.from(`$${v.length}\r\n`), v, Buffer.from('\r\n')]);
            expect((await ours.call('GET', `client:${i}:${j}`)).equals(expected)).toBe(true);
          }
        }
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    }),
    { numRuns: 15 },
  );
}, 120_000);
