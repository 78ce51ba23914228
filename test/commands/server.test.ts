// Proves the server introspection commands match Redis 7.0.15: fixed replies byte for byte against a real
// redis-server in RESP2 and RESP3 (COMMAND, CONFIG, SLOWLOG, LATENCY, MEMORY, ROLE, WAIT, INFO selection), and,
// where values are timing or process dependent, the same structure (INFO field layout, SLOWLOG entries, LATENCY
// samples, commandstats counters).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRaw, parseResp, requireRealRedis, startRealRedis, type RawClient, type RealRedis, type RespValue } from '../helpers/real-redis.js';
import { startStrongbox, type Strongbox } from '../helpers/strongbox.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const enabled = requireRealRedis();

async function same(r: RawClient, o: RawClient, args: string[]): Promise<string> {
  const expected = (await r.call(...args)).toString('latin1');
  expect((await o.call(...args)).toString('latin1'), args.join(' ')).toBe(expected);
  return expected;
}

/** A map/array-of-pairs reply (CONFIG GET, hash-ordered in Redis) as sorted pairs. */
function sortedPairs(v: RespValue): string[] {
  if (!Array.isArray(v)) return [String(v)];
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 2) out.push(`${String(v[i])}=${String(v[i + 1])}`);
  return out.sort();
}

/** Field names of an INFO reply, per section. */
function infoLayout(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (current = []));
    else if (line.includes(':')) current.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

function bulkText(reply: Buffer): string {
  const text = reply.toString('latin1');
  const body = text.slice(text.indexOf('\r\n') + 2, -2);
  return text.startsWith('=') ? body.slice(4) : body;
}

const FIXED: string[][] = [
  ['COMMAND', 'HELP'],
  ['COMMAND', 'INFO', 'get', 'set', 'nope', 'config|get'],
  ['COMMAND', 'DOCS', 'get', 'nope'],
  ['COMMAND', 'LIST', 'FOO'],
  ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
  ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcat'],
  ['COMMAND', 'LIST', 'FILTERBY', 'NOPE', 'x'],
  ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'],
  ['COMMAND', 'GETKEYS'],
  ['COMMAND', 'GETKEYS', 'nope', 'x'],
  ['COMMAND', 'GETKEYS', 'get'],
  ['COMMAND', 'GETKEYS', 'get', 'a'],
  ['COMMAND', 'GETKEYS', 'ping'],
  ['COMMAND', 'GETKEYS', 'config', 'get', 'x'],
  ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
  ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c'],
  ['COMMAND', 'GETKEYS', 'del', 'a', 'b', 'c'],
  ['COMMAND', 'GETKEYS', 'rename', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'copy', 'a', 'b', 'DB', '1'],
  ['COMMAND', 'GETKEYS', 'zunionstore', 'd', '2', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'zunionstore', 'd', 'x', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'zunionstore', 'd', '5', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'xread', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'],
  ['COMMAND', 'GETKEYS', 'sort', 'a', 'BY', 'w', 'GET', 'x', 'STORE', 'b'],
  ['COMMAND', 'GETKEYS', 'georadius', 'k', '1', '2', '3', 'm', 'STOREDIST', 'd'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'get'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'lmove', 'a', 'b', 'LEFT', 'RIGHT'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'sort', 'a', 'STORE', 'b'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'SET', 'u8', '0', '1'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'del', 'a'],
  ['COMMAND', 'NOPE'],
  ['CONFIG', 'HELP'],
  ['CONFIG', 'NOPE'],
  ['CONFIG', 'GET'],
  ['CONFIG', 'SET', 'hz'],
  ['CONFIG', 'SET', 'hz', '10', 'maxmemory'],
  ['CONFIG', 'SET', 'hz', '10', 'hz', '11'],
  ['CONFIG', 'SET', 'hz', '10', 'HZ', '11'],
  ['CONFIG', 'SET', 'nope', '1'],
  ['CONFIG', 'SET', 'nope', '1', 'hz', '1'],
  ['CONFIG', 'SET', 'maxmemory', 'abc'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'foo'],
  ['CONFIG', 'SET', 'appendonly', 'maybe'],
  ['CONFIG', 'SET', 'daemonize', 'yes'],
  ['CONFIG', 'SET', 'hz', 'abc'],
  ['ROLE'],
  ['ROLE', 'x'],
  ['WAIT', '0', '0'],
  ['WAIT', 'x', '0'],
  ['WAIT', '0', 'x'],
  ['WAIT', '0', '-1'],
  ['WAIT', '-1', '0'],
  ['WAIT'],
  ['READONLY'],
  ['READWRITE'],
  ['MEMORY', 'HELP'],
  ['MEMORY', 'NOPE'],
  ['MEMORY', 'USAGE'],
  ['MEMORY', 'USAGE', 'nope'],
  ['MEMORY', 'DOCTOR'],
  ['MEMORY', 'PURGE'],
  ['SET', 'str', 'bar'],
  ['SET', 'int', '12345'],
  ['SET', 'bigint', '123456789012'],
  ['SET', 'emb', 'e'.repeat(44)],
  ['SET', 'raw', 'r'.repeat(45)],
  ['SET', 'long', 'l'.repeat(5000)],
  ['SET', 'k'.repeat(40), 'v'],
  ['MEMORY', 'USAGE', 'str'],
  ['MEMORY', 'USAGE', 'int'],
  ['MEMORY', 'USAGE', 'bigint'],
  ['MEMORY', 'USAGE', 'emb'],
  ['MEMORY', 'USAGE', 'raw'],
  ['MEMORY', 'USAGE', 'long'],
  ['MEMORY', 'USAGE', 'k'.repeat(40)],
  ['MEMORY', 'USAGE', 'str', 'SAMPLES'],
  ['MEMORY', 'USAGE', 'str', 'SAMPLES', '-1'],
  ['MEMORY', 'USAGE', 'str', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'str', 'SAMPLES', '0'],
  ['MEMORY', 'USAGE', 'str', 'FOO'],
  ['SLOWLOG', 'HELP'],
  ['SLOWLOG', 'NOPE'],
  ['SLOWLOG', 'GET', 'x'],
  ['SLOWLOG', 'GET', '-2'],
  ['SLOWLOG', 'GET', '1', '2'],
  ['SLOWLOG', 'LEN', 'x'],
  ['SLOWLOG', 'RESET'],
  ['SLOWLOG', 'LEN'],
  ['SLOWLOG', 'GET'],
  ['LATENCY', 'HELP'],
  ['LATENCY', 'NOPE'],
  ['LATENCY', 'LATEST'],
  ['LATENCY', 'HISTORY', 'command'],
  ['LATENCY', 'HISTORY'],
  ['LATENCY', 'GRAPH', 'command'],
  ['LATENCY', 'RESET'],
  ['LATENCY', 'RESET', 'a', 'b'],
  ['LATENCY', 'DOCTOR'],
  ['INFO', 'nosuch'],
  ['INFO', 'keyspace'],
  ['INFO', 'KEYSPACE', 'cluster'],
  ['INFO', 'cluster', 'modules', 'nosuch'],
  ['INFO', 'module_list'],
  ['DBSIZE'],
];

describe.runIf(enabled)('server commands, byte for byte against real Redis', () => {
  let redis: RealRedis;
  let ours: Strongbox;
  beforeAll(async () => {
    redis = await startRealRedis(['--slowlog-log-slower-than', '1000000']);
    ours = await startStrongbox(['--slowlog-log-slower-than', '1000000']);
  });
  afterAll(async () => {
    await redis.stop();
    await ours.stop();
  });

  for (const protocol of ['2', '3']) {
    test(`fixed replies are identical in RESP${protocol}`, async () => {
      const r = await connectRaw(redis.port);
      const o = await ours.connect();
      await r.call('HELLO', protocol);
      await o.call('HELLO', protocol);
      await r.call('FLUSHALL');
      await o.call('FLUSHALL');
      for (const args of FIXED) await same(r, o, args);
      r.socket.destroy();
      o.socket.destroy();
    });
  }

  test('CONFIG GET with several names and patterns returns the same pairs', async () => {
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (const args of [['hz', 'maxmemory'], ['maxmemory*'], ['HZ', 'hz', 'nosuch'], ['*max-*-entries*']]) {
      const expected = sortedPairs(parseResp(await r.call('CONFIG', 'GET', ...args)));
      expect(sortedPairs(parseResp(await o.call('CONFIG', 'GET', ...args))), args.join(' ')).toEqual(expected);
    }
    r.socket.destroy();
    o.socket.destroy();
  });

  test('CONFIG SET of protected configs (dir, dbfilename) is refused as enable-protected-configs no says', async () => {
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (const args of [['dir', '/tmp'], ['dbfilename', 'x.rdb'], ['hz', '10', 'dir', '/tmp'], ['nosuch', '1', 'dir', '/tmp'], ['enable-protected-configs', 'yes']]) {
      await same(r, o, ['CONFIG', 'SET', ...args]);
    }
    r.socket.destroy();
    o.socket.destroy();
  });

  test('with enable-protected-configs yes, CONFIG SET dir moves where SAVE writes and what CONFIG GET dir says', async () => {
    const target = mkdtempSync(join(tmpdir(), 'strongbox-config-dir-'));
    const cwd = process.cwd(); // CONFIG SET dir changes this process's directory, as redis-server's
    const sb = await startStrongbox(['--enable-protected-configs', 'yes', '--appendonly', 'no', '--save', '']);
    try {
      await sb.call('SET', 'k', 'v');
      expect((await sb.call('CONFIG', 'SET', 'dir', target)).toString()).toBe('+OK\r\n');
      expect((await sb.call('CONFIG', 'SET', 'dbfilename', 'moved.rdb')).toString()).toBe('+OK\r\n');
      expect(parseResp(await sb.call('CONFIG', 'GET', 'dir'))).toEqual(['dir', target]);
      expect((await sb.call('SAVE')).toString()).toBe('+OK\r\n');
      expect(existsSync(join(target, 'moved.rdb'))).toBe(true);
      expect(existsSync(join(sb.dir, 'moved.rdb'))).toBe(false);
    } finally {
      await sb.stop();
      process.chdir(cwd);
      rmSync(target, { recursive: true, force: true });
    }
  });

  test('COMMAND LIST FILTERBY PATTERN / ACLCAT name the same implemented commands', async () => {
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const implemented = new Set((parseResp(await o.call('COMMAND', 'LIST')) as string[]).map(String));
    expect(implemented.size).toBeGreaterThan(50);
    for (const filter of [['PATTERN', 'x*'], ['PATTERN', 'config|*'], ['ACLCAT', 'keyspace'], ['ACLCAT', 'string'], ['ACLCAT', 'admin']]) {
      const all = parseResp(await r.call('COMMAND', 'LIST', 'FILTERBY', ...filter)) as string[];
      const ourNames = (parseResp(await o.call('COMMAND', 'LIST', 'FILTERBY', ...filter)) as string[]).sort();
      expect(ourNames, filter.join(' ')).toEqual(all.filter((name) => implemented.has(name)).sort());
    }
    r.socket.destroy();
    o.socket.destroy();
  });
});

describe.runIf(enabled)('INFO layout', () => {
  test('section selection and every Redis field in Redis order', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (const args of [[], ['default'], ['all'], ['everything'], ['server', 'keyspace'], ['STATS'], ['commandstats'], ['errorstats', 'cpu', 'nosuch']]) {
      const expected = infoLayout(bulkText(await r.call('INFO', ...args)));
      const actual = infoLayout(bulkText(await o.call('INFO', ...args)));
      expect([...actual.keys()], `INFO ${args.join(' ')}`).toEqual([...expected.keys()]);
      for (const [section, fields] of expected) {
        if (['Commandstats', 'Errorstats', 'Keyspace', 'Latencystats', 'Replication', 'Modules'].includes(section)) continue;
        expect(actual.get(section)!.slice(0, fields.length), `${section} fields`).toEqual(fields);
      }
    }
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });

  test('errorstats, commandstats and keyspace count the same things', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const steps: string[][] = [
      ['SET', 'a', '1'], ['GET', 'a'], ['GET', 'a', 'b'], ['NOSUCH'], ['EXPIRE', 'a', 'x'], ['CONFIG', 'NOPE'],
      ['SELECT', '2'], ['SET', 'b', '1'], ['EXPIRE', 'b', '1000'], ['SELECT', '0'], ['MULTI'], ['GET', 'a'], ['EXEC'],
      ['OBJECT', 'ENCODING', 'a'], ['DEBUG', 'DIGEST'],
    ];
    for (const args of steps) await same(r, o, args);
    await same(r, o, ['INFO', 'errorstats']);
    const stats = (c: string): string[] =>
      c.split('\r\n').filter((l) => l.startsWith('cmdstat_')).map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort();
    expect(stats(bulkText(await o.call('INFO', 'commandstats')))).toEqual(stats(bulkText(await r.call('INFO', 'commandstats'))));
    const keyspace = (c: string): string => c.replace(/avg_ttl=\d+/g, 'avg_ttl=T');
    expect(keyspace(bulkText(await o.call('INFO', 'keyspace')))).toBe(keyspace(bulkText(await r.call('INFO', 'keyspace'))));
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});

describe.runIf(enabled)('MEMORY USAGE of collections', () => {
  test('the estimate stays within 15% of Redis for lists, hashes, sorted sets and streams', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    const writes: string[][] = [
      ['RPUSH', 'l1', 'a', 'b', '1', '2'],
      ['RPUSH', 'l2', ...Array.from({ length: 2000 }, (_, i) => `element-${i}`)],
      ['HSET', 'h1', 'f', 'v', 'g', '1'],
      ['ZADD', 'z1', '1', 'a', '2.5', 'b'],
      ['XADD', 'x1', '1-1', 'f', 'v'],
    ];
    for (const args of writes) await same(r, o, args);
    for (const key of ['l1', 'l2', 'h1', 'z1', 'x1']) {
      const expected = Number((await r.call('MEMORY', 'USAGE', key)).toString().slice(1, -2));
      const actual = Number((await o.call('MEMORY', 'USAGE', key)).toString().slice(1, -2));
      expect(Math.abs(actual - expected) / expected, `${key}: ours ${actual}, Redis ${expected}`).toBeLessThan(0.15);
    }
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });
});

describe.runIf(enabled)('SLOWLOG and LATENCY record the same events', () => {
  test('slowlog entries: ids, argument truncation, client name; latency samples of a slow command', async () => {
    const args = ['--slowlog-log-slower-than', '0', '--slowlog-max-len', '5', '--enable-debug-command', 'yes', '--latency-monitor-threshold', '10'];
    const redis = await startRealRedis(args);
    const ours = await startStrongbox(args);
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    await same(r, o, ['CLIENT', 'SETNAME', 'tester']);
    await same(r, o, ['SLOWLOG', 'RESET']);
    const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
    await same(r, o, ['DEL', ...many]);
    await same(r, o, ['SET', 'k', 'v'.repeat(300)]);
    await same(r, o, ['DEBUG', 'SLEEP', '0.03']);
    const shape = (reply: RespValue): RespValue =>
      Array.isArray(reply) ? reply.map((e) => (Array.isArray(e) ? [e[0]!, 'T', 'D', e[3]!, 'ADDR', e[5]!] : e)) : reply;
    const expectedLog = shape(parseResp(await r.call('SLOWLOG', 'GET', '-1')));
    expect(shape(parseResp(await o.call('SLOWLOG', 'GET', '-1')))).toEqual(expectedLog);
    await same(r, o, ['SLOWLOG', 'LEN']);
    const latest = (reply: RespValue): RespValue => (Array.isArray(reply) ? reply.map((e) => (Array.isArray(e) ? [e[0]!] : e)) : reply);
    expect(latest(parseResp(await o.call('LATENCY', 'LATEST')))).toEqual(latest(parseResp(await r.call('LATENCY', 'LATEST'))));
    const history = parseResp(await o.call('LATENCY', 'HISTORY', 'command')) as string[][];
    expect(history.length).toBe(1);
    expect(Number(String(history[0]![1]).slice(1))).toBeGreaterThanOrEqual(30);
    await same(r, o, ['LATENCY', 'RESET', 'command', 'nosuch']);
    await same(r, o, ['LATENCY', 'LATEST']);
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });

  test('latency tracking: LATENCY HISTOGRAM and INFO latencystats cover the same commands and calls', async () => {
    const redis = await startRealRedis();
    const ours = await startStrongbox();
    const r = await connectRaw(redis.port);
    const o = await ours.connect();
    for (const args of [['SET', 'a', '1'], ['GET', 'a'], ['GET', 'a'], ['CONFIG', 'GET', 'hz'], ['DEL', 'a']]) await same(r, o, args);
    const calls = (reply: RespValue): string[] => {
      const out: string[] = [];
      if (!Array.isArray(reply)) return out;
      for (let i = 0; i < reply.length; i += 2) out.push(`${String(reply[i])} ${String((reply[i + 1] as RespValue[])[1])}`);
      return out.sort();
    };
    for (const args of [['LATENCY', 'HISTOGRAM', 'get', 'config', 'nope'], ['LATENCY', 'HISTOGRAM', 'set', 'del']]) {
      expect(calls(parseResp(await o.call(...args))), args.join(' ')).toEqual(calls(parseResp(await r.call(...args))));
    }
    const names = (text: string): string[] => text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.replace(/:p50=[\d.]+,p99=[\d.]+,p99.9=[\d.]+$/, '')).sort();
    expect(names(bulkText(await o.call('INFO', 'latencystats')))).toEqual(names(bulkText(await r.call('INFO', 'latencystats'))));
    r.socket.destroy();
    o.socket.destroy();
    await redis.stop();
    await ours.stop();
  });

  test('WAIT with replicas wanted blocks until its timeout, then answers 0', async () => {
    const ours = await startStrongbox();
    const o = await ours.connect();
    const started = performance.now();
    expect((await o.call('WAIT', '1', '150')).toString()).toBe(':0\r\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    o.socket.destroy();
    await ours.stop();
  });
});
