// Proves the generic key commands match Redis 7.0.15 byte for byte: the same command sequences go to a real
// redis-server and to Strongbox, in RESP2 and RESP3, and replies, propagated commands (real Redis's AOF vs our
// propagate hook), keyspace notifications and DEBUG DIGEST after long random runs must be identical.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRaw, requireRealRedis, startRealRedis, arrayOf, parseResp, type RawClient, type RespValue, type RealRedis } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { captureOurs, readIncrAof } from '../helpers/aof.js';
import { seededRandom } from '../keyspace/algorithms/random.js';

const enabled = requireRealRedis();

/**
 * Case steps: a command; a command whose flat array reply is compared sorted (KEYS: hash-table order differs);
 * a SCAN whose cursor is compared exactly and its keys sorted.
 */
type Step = string[] | { sorted: string[] } | { scan: string[] };

async function runBoth(redis: RawClient, ours: RawClient, steps: Step[]): Promise<void> {
  for (const step of steps) {
    const args = Array.isArray(step) ? step : 'sorted' in step ? step.sorted : step.scan;
    const expected = await redis.call(...args);
    const actual = await ours.call(...args);
    if (Array.isArray(step)) {
      expect(actual.toString('latin1'), args.join(' ')).toBe(expected.toString('latin1'));
    } else if ('scan' in step) {
      const sortScan = (v: RespValue): RespValue => (Array.isArray(v) && Array.isArray(v[1]) ? [v[0]!, [...v[1]].sort()] : v);
      expect(sortScan(parseResp(actual)), args.join(' ')).toEqual(sortScan(parseResp(expected)));
    } else {
      expect(arrayOf(actual).sort(), args.join(' ')).toEqual(arrayOf(expected).sort());
    }
  }
}

const CASES: Step[] = [
  ['FLUSHALL'],
  ['SET', 'a', '1'],
  ['SET', 'b', 'hello'],
  ['SET', '', 'empty key'],
  { sorted: ['KEYS', '*'] },
  { sorted: ['KEYS', '?'] },
  ['KEYS', 'h*'],
  ['KEYS', 'b'],
  ['EXISTS', 'a', 'a', 'nope', ''],
  ['TYPE', 'a'],
  ['TYPE', 'nope'],
  ['TOUCH', 'a', 'b', 'nope'],
  ['DBSIZE'],
  // EXPIRE family: options, conflicts, overflow, vetoes.
  ['EXPIRE', 'a', '100', 'NX', 'XX'],
  ['EXPIRE', 'a', '100', 'nx', 'gt'],
  ['EXPIRE', 'a', '100', 'NX', 'LT'],
  ['EXPIRE', 'a', '100', 'GT', 'LT'],
  ['EXPIRE', 'a', '100', 'FOO'],
  ['EXPIRE', 'a', 'abc'],
  ['EXPIRE', 'a', '1.5'],
  ['EXPIRE', 'a', '9223372036854775807'],
  ['EXPIRE', 'a', '-9223372036854775808'],
  ['EXPIRE', 'a', '9223372036854775'],
  ['PEXPIRE', 'a', '9223372036854775807'],
  ['EXPIREAT', 'a', '9223372036854775807'],
  ['PEXPIREAT', 'a', '9223372036854775808'],
  ['EXPIRE', 'nope', '100'],
  ['EXPIRE', 'a', '100', 'XX'],
  ['EXPIRE', 'a', '100', 'GT'],
  ['EXPIRE', 'a', '100', 'LT'],
  ['TTL', 'a'],
  ['EXPIRE', 'a', '200', 'NX'],
  ['EXPIRE', 'a', '200', 'GT'],
  ['TTL', 'a'],
  ['EXPIRE', 'a', '50', 'GT'],
  ['EXPIRE', 'a', '50', 'LT'],
  ['TTL', 'a'],
  ['EXPIRE', 'a', '300', 'XX', 'GT'],
  ['TTL', 'a'],
  ['EXPIREAT', 'b', '4000000000'],
  ['EXPIRETIME', 'b'],
  ['PEXPIRETIME', 'b'],
  ['PEXPIREAT', 'b', '4000000000123'],
  ['PEXPIRETIME', 'b'],
  ['EXPIRETIME', 'b'],
  ['TTL', 'nope'],
  ['PTTL', 'nope'],
  ['EXPIRETIME', 'nope'],
  ['PEXPIRETIME', ''],
  ['TTL', ''],
  ['PERSIST', 'b'],
  ['PERSIST', 'b'],
  ['PERSIST', 'nope'],
  ['TTL', 'b'],
  ['SET', 'c', 'x'],
  ['EXPIRE', 'c', '-1'],
  ['EXISTS', 'c'],
  ['SET', 'c', 'x'],
  ['PEXPIREAT', 'c', '1'],
  ['GET', 'c'],
  ['SET', 'c', 'x'],
  ['EXPIREAT', 'c', '0', 'GT'],
  ['EXPIREAT', 'c', '0', 'LT'],
  ['EXISTS', 'c'],
  ['EXPIRE'],
  ['TTL'],
  ['PERSIST', 'a', 'b'],
  // RENAME, RENAMENX.
  ['RENAME', 'nope', 'x'],
  ['RENAMENX', 'nope', 'x'],
  ['RENAME', 'a', 'a'],
  ['RENAMENX', 'a', 'a'],
  ['RENAME', 'a', 'a2'],
  ['TTL', 'a2'],
  ['EXISTS', 'a'],
  ['SET', 'd', 'dd'],
  ['RENAMENX', 'a2', 'd'],
  ['RENAME', 'a2', 'd'],
  ['GET', 'd'],
  ['TTL', 'd'],
  ['RENAMENX', 'd', 'e'],
  ['GET', 'e'],
  // MOVE, COPY.
  ['MOVE', 'e', '16'],
  ['MOVE', 'e', '-1'],
  ['MOVE', 'e', 'x'],
  ['MOVE', 'e', '4294967296'],
  ['MOVE', 'e', '0'],
  ['MOVE', 'nope', '1'],
  ['MOVE', 'e', '1'],
  ['EXISTS', 'e'],
  ['SELECT', '1'],
  ['TTL', 'e'],
  ['SET', 'b', 'in db1'],
  ['SELECT', '0'],
  ['MOVE', 'b', '1'],
  ['COPY', 'b', 'b'],
  ['COPY', 'b', 'b', 'DB', '0'],
  ['COPY', 'b', 'b2', 'DB'],
  ['COPY', 'b', 'b2', 'FOO'],
  ['COPY', 'b', 'b2', 'DB', '16'],
  ['COPY', 'b', 'b2', 'DB', 'x'],
  ['COPY', 'nope', 'b2'],
  ['COPY', 'b', 'b2'],
  ['GET', 'b2'],
  ['COPY', 'b', 'b2'],
  ['SET', 'b', 'changed'],
  ['COPY', 'b', 'b2', 'REPLACE'],
  ['GET', 'b2'],
  ['COPY', 'b', 'b', 'DB', '1'],
  ['COPY', 'b', 'b', 'DB', '1', 'REPLACE'],
  ['SELECT', '1'],
  ['GET', 'b'],
  ['SELECT', '0'],
  ['EXPIRE', 'b', '1000'],
  ['COPY', 'b', 'b3', 'replace', 'db', '2'],
  ['SELECT', '2'],
  ['TTL', 'b3'],
  ['SELECT', '0'],
  // SCAN argument parsing.
  ['SCAN', 'x'],
  { scan: ['SCAN', ' 0'] },
  { scan: ['SCAN', '0 '] },
  { scan: ['SCAN', '+0'] },
  { scan: ['SCAN', '18446744073709551616'] },
  // A cursor near ULONG_MAX lands in Redis's last hash bucket: which keys it returns depends on the hash table.
  ['SCAN', '0', 'COUNT', '0'],
  ['SCAN', '0', 'COUNT', '-1'],
  ['SCAN', '0', 'COUNT', 'x'],
  ['SCAN', '0', 'COUNT'],
  ['SCAN', '0', 'MATCH'],
  ['SCAN', '0', 'TYPE'],
  ['SCAN', '0', 'FOO', 'bar'],
  { scan: ['SCAN', '0', 'MATCH', 'zzz*', 'COUNT', '100'] },
  { scan: ['SCAN', '0', 'TYPE', 'list', 'COUNT', '100'] },
  { sorted: ['KEYS', '*'] },
  // RANDOMKEY, DBSIZE, FLUSHDB, SWAPDB.
  ['SELECT', '5'],
  ['RANDOMKEY'],
  ['SET', 'only', '1'],
  ['RANDOMKEY'],
  ['DBSIZE'],
  ['FLUSHDB', 'x'],
  ['FLUSHDB', 'ASYNC', 'x'],
  ['FLUSHDB', 'sync'],
  ['DBSIZE'],
  ['SET', 'only', '5'],
  ['FLUSHDB', 'ASYNC'],
  ['DBSIZE'],
  ['SET', 'in5', 'x'],
  ['SWAPDB', 'x', '1'],
  ['SWAPDB', '0', 'x'],
  ['SWAPDB', '0', '16'],
  ['SWAPDB', '-1', '0'],
  ['SWAPDB', '5', '5'],
  ['SWAPDB', '5', '6'],
  ['DBSIZE'],
  ['SELECT', '6'],
  ['GET', 'in5'],
  ['SELECT', '0'],
  ['FLUSHALL', 'x'],
  // OBJECT.
  ['SET', 'i', '123'],
  ['SET', 'big', '12345678'],
  ['SET', 'neg', '-5'],
  ['SET', 's', 'short string'],
  ['SET', 'r', 'x'.repeat(45)],
  ['SET', 'e', 'x'.repeat(44)],
  ['OBJECT', 'ENCODING', 'i'],
  ['OBJECT', 'ENCODING', 'big'],
  ['OBJECT', 'ENCODING', 's'],
  ['OBJECT', 'ENCODING', 'r'],
  ['OBJECT', 'ENCODING', 'e'],
  ['OBJECT', 'ENCODING', 'nope'],
  ['OBJECT', 'REFCOUNT', 'i'],
  ['OBJECT', 'REFCOUNT', 'big'],
  ['OBJECT', 'REFCOUNT', 'neg'],
  ['OBJECT', 'REFCOUNT', 's'],
  ['OBJECT', 'REFCOUNT', 'nope'],
  // COPY duplicates a shared small integer into an object of its own (refcount 1, still int); an edit makes it raw.
  ['COPY', 'i', 'icopy'],
  ['OBJECT', 'REFCOUNT', 'icopy'],
  ['OBJECT', 'ENCODING', 'icopy'],
  ['COPY', 'icopy', 'icopy2'],
  ['OBJECT', 'REFCOUNT', 'icopy2'],
  ['OBJECT', 'ENCODING', 'icopy2'],
  ['INCRBY', 'icopy2', '0'],
  ['OBJECT', 'REFCOUNT', 'icopy2'],
  ['APPEND', 'icopy', '4'],
  ['OBJECT', 'ENCODING', 'icopy'],
  ['OBJECT', 'REFCOUNT', 'icopy'],
  ['GET', 'icopy'],
  ['COPY', 'big', 'bigcopy'],
  ['OBJECT', 'REFCOUNT', 'bigcopy'],
  ['OBJECT', 'ENCODING', 'bigcopy'],
  ['DEL', 'icopy', 'icopy2', 'bigcopy'],
  // OBJECT IDLETIME of a live key reads the 1-second LRU clock: it is 0 or 1 depending on when each server's
  // second turns, so only its error paths are compared byte for byte here.
  ['OBJECT', 'IDLETIME', 'nope'],
  ['OBJECT', 'FREQ', 's'],
  ['OBJECT', 'FREQ', 'nope'],
  ['OBJECT', 'HELP'],
  ['object', 'help'],
  ['OBJECT', 'HELP', 'x'],
  ['OBJECT', 'ENCODING'],
  ['OBJECT', 'ENCODING', 'a', 'b'],
  ['OBJECT', 'NOPE', 'a'],
  ['OBJECT'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
  ['OBJECT', 'IDLETIME', 's'],
  ['OBJECT', 'FREQ', 'nope'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  // DEL / UNLINK.
  ['DEL', 'i', 'big', 'nope', 'i'],
  ['UNLINK', 'neg', 's', 'nope'],
  ['DEL'],
  ['UNLINK'],
  ['DBSIZE'],
];

describe.runIf(enabled)('key commands, byte for byte against real Redis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis(['--enable-debug-command', 'yes']);
    ours = await startStrongbox(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await redis.stop();
    await ours.stop();
  });

  for (const protocol of ['2', '3']) {
    test(`every reply is identical in RESP${protocol}`, async () => {
      const r = await connectRaw(redis.port);
      const o = await ours.connect();
      await r.call('HELLO', protocol);
      await o.call('HELLO', protocol);
      await runBoth(r, o, CASES);
      r.socket.destroy();
      o.socket.destroy();
    });
  }

  test('SCAN walks a small keyspace like Redis (same keys, cursor ends at 0)', async () => {
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    await runBoth(r, o, [['FLUSHALL']]);
    for (let i = 0; i < 300; i++) {
      await r.call('SET', `k${i}`, String(i));
      await o.call('SET', `k${i}`, String(i));
    }
    for (const client of [r, o]) {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const reply = (await client.call('SCAN', cursor, 'MATCH', 'k1*', 'COUNT', '7')).toString('latin1');
        const lines = reply.split('\r\n');
        cursor = lines[2] ?? '0';
        for (let i = 5; i < lines.length; i += 2) if (lines[i] !== undefined && lines[i] !== '') seen.add(lines[i]!);
      } while (cursor !== '0');
      expect([...seen].sort()).toEqual(Array.from({ length: 300 }, (_, i) => `k${i}`).filter((k) => k.startsWith('k1')).sort());
    }
    r.socket.destroy();
    o.socket.destroy();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Propagation and notifications

describe.runIf(enabled)('key commands propagate and notify like Redis 7.0', () => {
  test('AOF stream of real Redis equals our propagation', async () => {
    const redis = await startRealRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no']);
    const ours = await startStrongbox();
    const captured = captureOurs(ours);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const seq: string[][] = [
      ['SET', 'a', '1'],
      ['EXPIRE', 'a', '1000'],
      ['PEXPIRE', 'a', '500000', 'GT'],
      ['EXPIREAT', 'a', '4000000000', 'XX'],
      ['PEXPIREAT', 'a', '4000000000001'],
      ['EXPIRE', 'a', '100', 'NX'],
      ['PERSIST', 'a'],
      ['PERSIST', 'a'],
      ['EXPIRE', 'nope', '10'],
      ['SET', 'b', '2'],
      ['EXPIRE', 'b', '-5'],
      ['SET', 'b', '2'],
      ['PEXPIREAT', 'b', '5'],
      ['SET', 'c', '3'],
      ['RENAME', 'c', 'd'],
      ['RENAMENX', 'd', 'a'],
      ['RENAMENX', 'd', 'e'],
      ['MOVE', 'e', '3'],
      ['COPY', 'a', 'f', 'DB', '4'],
      ['COPY', 'a', 'f', 'DB', '4'],
      ['DEL', 'a', 'nope'],
      ['UNLINK', 'f', 'nope'],
      ['DEL', 'nope'],
      ['SELECT', '3'],
      ['SET', 'g', '1'],
      ['SWAPDB', '3', '7'],
      ['FLUSHDB'],
      ['FLUSHDB', 'ASYNC'],
      ['SELECT', '0'],
      ['MULTI'],
      ['SET', 'm', '1'],
      ['EXPIRE', 'm', '100'],
      ['EXEC'],
      ['SET', 'x', '1'],
      ['PEXPIRE', 'x', '1'],
      ['FLUSHALL'],
      ['FLUSHALL', 'SYNC'],
    ];
    for (const args of seq) {
      expect((await o.call(...args)).toString('latin1'), args.join(' ')).toBe((await r.call(...args)).toString('latin1'));
    }
    // A lazily expired key propagates as DEL.
    await r.call('SET', 'lazy', '1');
    await o.call('SET', 'lazy', '1');
    await r.call('PEXPIRE', 'lazy', '1');
    await o.call('PEXPIRE', 'lazy', '1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await o.call('GET', 'lazy')).toString('latin1')).toBe((await r.call('GET', 'lazy')).toString('latin1'));
    const dir = arrayOf(await r.call('CONFIG', 'GET', 'dir'))[1]!;
    const expected = readIncrAof(dir);
    const normalize = (cmds: string[][]): string[][] =>
      cmds.map((c) => (c[0]?.toUpperCase() === 'PEXPIREAT' && /^\d+$/.test(c[2] ?? '') && Number(c[2]) > 1e12 && Number(c[2]) < 3e12 ? [c[0]!.toUpperCase(), c[1]!, 'T', ...c.slice(3)] : c.map((x, i) => (i === 0 ? x.toUpperCase() : x))));
    expect(JSON.stringify(normalize(captured.commands))).toEqual(JSON.stringify(normalize(expected)));
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });

  test('under lazyfree-lazy-expire, expired keys and past expires propagate as UNLINK', async () => {
    const args = ['--lazyfree-lazy-expire', 'yes'];
    const redis = await startRealRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no', ...args]);
    const ours = await startStrongbox(args);
    const captured = captureOurs(ours);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (const c of [['SET', 'a', '1'], ['EXPIRE', 'a', '-1'], ['SET', 'b', '1'], ['PEXPIRE', 'b', '1']]) {
      expect((await o.call(...c)).toString('latin1')).toBe((await r.call(...c)).toString('latin1'));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await o.call('GET', 'b')).toString('latin1')).toBe((await r.call('GET', 'b')).toString('latin1'));
    const expected = readIncrAof(arrayOf(await r.call('CONFIG', 'GET', 'dir'))[1]!);
    const names = (cmds: string[][]): string[] => cmds.map((c) => c[0]!.toUpperCase());
    expect(names(captured.commands)).toEqual(names(expected));
    expect(names(expected)).toContain('UNLINK');
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });

  test('SWAPDB wakes clients blocked on a key that now exists and fails transactions watching swapped keys', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    const results: string[][] = [];
    for (const port of [redis.port, ours.port]) {
      const a = await connectRaw(port);
      const b = await connectRaw(port);
      const w = await connectRaw(port);
      const out: string[] = [];
      const popped = a.call('BLPOP', 'q', '5');
      await w.call('WATCH', 'k');
      await b.call('SELECT', '1');
      await b.call('RPUSH', 'q', 'x');
      await b.call('SET', 'k', 'in1');
      out.push((await b.call('SWAPDB', '0', '1')).toString('latin1'));
      out.push((await popped).toString('latin1'));
      await w.call('MULTI');
      await w.call('GET', 'k');
      out.push((await w.call('EXEC')).toString('latin1'));
      out.push((await b.call('DBSIZE')).toString('latin1'));
      for (const c of [a, b, w]) c.socket.destroy();
      results.push(out);
    }
    expect(results[0]![1]).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    expect(results[0]![2]).toBe('*-1\r\n');
    expect(results[1]).toEqual(results[0]);
    await redis.stop();
    await ours.stop();
  });

  test('keyspace notifications are the same messages in the same order', async () => {
    const redis = await startRealRedis(['--notify-keyspace-events', 'KEA']);
    const ours = await startStrongbox(['--notify-keyspace-events', 'KEA']);
    const collect = async (port: number): Promise<{ data: Buffer[]; client: RawClient }> => {
      const client = await connectRaw(port);
      const data: Buffer[] = [];
      await client.call('PSUBSCRIBE', '*');
      client.socket.on('data', (chunk: Buffer) => data.push(chunk));
      return { data, client };
    };
    const rs = await collect(redis.port);
    const os = await collect(ours.port);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const seq: string[][] = [
      ['SET', 'a', '1'], ['EXPIRE', 'a', '100'], ['PERSIST', 'a'], ['EXPIRE', 'a', '-1'], ['SET', 'a', '1'],
      ['RENAME', 'a', 'b'], ['MOVE', 'b', '2'], ['SELECT', '2'], ['COPY', 'b', 'c', 'DB', '3'], ['DEL', 'b', 'zz'],
      ['EXISTS', 'nope'], ['TYPE', 'nope'], ['TTL', 'nope'], ['TOUCH', 'nope'], ['OBJECT', 'ENCODING', 'nope'],
      ['COPY', 'nope', 'x'], ['SET', 'u', '1'], ['UNLINK', 'u'], ['SET', 'p', '1'], ['PEXPIRE', 'p', '1'],
    ];
    for (const args of seq) {
      await r.call(...args);
      await o.call(...args);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    await r.call('GET', 'p');
    await o.call('GET', 'p');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const expected = Buffer.concat(rs.data).toString('latin1');
    expect(expected).toContain('rename_from');
    expect(expected).toContain('expired');
    expect(Buffer.concat(os.data).toString('latin1')).toBe(expected);
    for (const c of [rs.client, os.client, r, o]) c.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Long random runs compared by DEBUG DIGEST

describe.runIf(enabled)('random string/key command sequences keep the same dataset', () => {
  test('DEBUG DIGEST equal after every 500 of 12,000 commands', async () => {
    const random = seededRandom('keys random sequence');
    const seed = random.seed;
    const redis = await startRealRedis(['--enable-debug-command', 'yes']);
    const ours = await startStrongbox(['--enable-debug-command', 'yes']);
    const key = (): string => `k${random.int(40)}`;
    const value = (): string => (random.next() < 0.5 ? String(random.int(2000) - 1000) : random.bytes(random.int(20)));
    const db = (): string => String(random.int(4));
    const generators: (() => string[])[] = [
      () => ['SET', key(), value()],
      () => ['SET', key(), value()],
      () => ['DEL', key(), key()],
      () => ['UNLINK', key()],
      () => ['EXPIRE', key(), String(100 + random.int(1000)), ...random.pick([[], ['NX'], ['XX'], ['GT'], ['LT']])],
      () => ['PEXPIREAT', key(), String(4_000_000_000_000 + random.int(1000))],
      () => ['EXPIRE', key(), String(-random.int(3))],
      () => ['PERSIST', key()],
      () => ['RENAME', key(), key()],
      () => ['RENAMENX', key(), key()],
      () => ['COPY', key(), key(), ...random.pick([[], ['REPLACE'], ['DB', db()], ['DB', db(), 'REPLACE']])],
      () => ['MOVE', key(), db()],
      () => ['SELECT', db()],
      () => ['EXISTS', key(), key()],
      () => ['TTL', key()],
      () => ['TYPE', key()],
      () => ['GET', key()],
      () => (random.next() < 0.05 ? ['FLUSHDB'] : ['TOUCH', key()]),
      () => (random.next() < 0.02 ? ['SWAPDB', db(), db()] : ['DBSIZE']),
      () => (random.next() < 0.01 ? ['FLUSHALL'] : ['RANDOMKEY']),
    ];
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const total = 12_000;
    const batch: string[][] = [];
    for (let i = 1; i <= total; i++) {
      const args = random.pick(generators)();
      batch.push(args);
      if (i % 500 !== 0) continue;
      // Pipeline the batch; RANDOMKEY's pick is random by design, so only its kind of reply is compared.
      const [rr, oo] = await Promise.all([
        Promise.all(batch.map((a) => r.call(...a))),
        Promise.all(batch.map((a) => o.call(...a))),
      ]);
      for (let j = 0; j < batch.length; j++) {
        const a = batch[j]!;
        const exp = rr[j]!.toString('latin1');
        const act = oo[j]!.toString('latin1');
        const where = `SEED=${seed} #${i - 500 + j} ${a.join(' ')}`;
        if (a[0] === 'RANDOMKEY') expect(act[0], where).toBe(exp[0]);
        // The two servers run the command a few ms apart: a TTL may round to the neighbouring second.
        else if (a[0] === 'TTL' && exp !== act) expect(Math.abs(Number(act.slice(1, -2)) - Number(exp.slice(1, -2))), where).toBe(1);
        else expect(act, `SEED=${seed} #${i - 500 + j} ${a.join(' ')}`).toBe(exp);
      }
      batch.length = 0;
      const digestR = (await r.call('DEBUG', 'DIGEST')).toString('latin1');
      const digestO = (await o.call('DEBUG', 'DIGEST')).toString('latin1');
      expect(digestO, `SEED=${seed} after ${i} commands`).toBe(digestR);
    }
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});

// ---------------------------------------------------------------------------------------------------------
// SCAN guarantees and active expiry (Strongbox alone: properties, not byte comparisons)

describe('SCAN under concurrent writes', () => {
  let ours: Strongbox;
  beforeAll(async () => {
    ours = await startStrongbox();
  });
  afterAll(async () => {
    await ours.stop();
  });

  test('every key present for the whole iteration is returned, despite inserts and deletes between calls', async () => {
    const random = seededRandom('SCAN concurrency');
    const seed = random.seed;
    const c = await ours.connect();
    await c.call('FLUSHALL');
    const stable: string[] = [];
    for (let i = 0; i < 2000; i++) {
      stable.push(`stable:${i}`);
      await c.call('SET', `stable:${i}`, '1');
    }
    let churn = 0;
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = arrayFromScan((await c.call('SCAN', cursor, 'COUNT', String(1 + random.int(50)))).toString('latin1'));
      cursor = reply.cursor;
      for (const k of reply.keys) seen.add(k);
      calls++;
      // Between calls: add and remove volatile keys, which may or may not be returned.
      for (let j = 0; j < 20; j++) await c.call('SET', `churn:${churn++}`, '1');
      for (let j = 0; j < 15; j++) await c.call('DEL', `churn:${random.int(churn)}`);
    } while (cursor !== '0');
    for (const k of stable) expect(seen.has(k), `${k} missing, SEED=${seed}`).toBe(true);
    expect(calls).toBeGreaterThan(10);
    c.socket.destroy();
  });
});

function arrayFromScan(text: string): { cursor: string; keys: string[] } {
  const lines = text.split('\r\n');
  const keys: string[] = [];
  for (let i = 5; i + 1 < lines.length; i += 2) keys.push(lines[i]!);
  return { cursor: lines[2]!, keys };
}

describe('active expiry', () => {
  test('100k keys with a TTL disappear over time while PING stays fast', async () => {
    const ours = await startStrongbox(['--hz', '10']);
    // Loaded through the keyspace API: a 200k-command pipeline currently trips a query-buffer bug in the
    // connection layer, which is not what this test is about.
    const db = ours.server.engine.keyspace.db(0);
    const now = Date.now();
    for (let i = 0; i < 100_000; i++) {
      db.set(`t:${i}`, 'v');
      db.setExpire(`t:${i}`, now + 1000 + (i % 1000));
    }
    const c = await ours.connect();
    expect(await dbsize(c)).toBeGreaterThan(90_000);
    const deadline = Date.now() + 30_000;
    let worstPingMs = 0;
    const pings: number[] = [];
    let size = 100_000;
    const sizes: number[] = [];
    while (Date.now() < deadline) {
      const started = performance.now();
      await c.call('PING');
      worstPingMs = Math.max(worstPingMs, performance.now() - started);
      pings.push(performance.now() - started);
      size = await dbsize(c);
      sizes.push(size);
      if (size === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(size).toBe(0);
    // Keys went away in many steps (the cycle is time-bounded), not in one blocking sweep.
    expect(new Set(sizes).size).toBeGreaterThan(3);
    // Redis bounds each active-expiry step to 25% of a cron period (25 ms at hz 10). Typical PINGs stay at a few
    // ms; the worst one is bounded loosely because the test machine is shared.
    pings.sort((a, b) => a - b);
    const median = pings[Math.floor(pings.length / 2)]!;
    console.log(`active expiry: ${pings.length} PINGs, median ${median.toFixed(1)} ms, worst ${worstPingMs.toFixed(1)} ms`);
    expect(median).toBeLessThan(10);
    expect(worstPingMs).toBeLessThan(250);
    c.socket.destroy();
    await ours.stop();
  });
});

async function dbsize(client: RawClient): Promise<number> {
  const reply = (await client.call('DBSIZE')).toString('latin1');
  return Number(reply.slice(1, -2));
}
