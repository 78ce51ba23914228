/**
 * Regenerates `src/commands/redis-commands.json`: the COMMAND INFO and COMMAND DOCS entries of real redis-server
 * (the version on PATH, Redis 7.0 for this project), so COMMAND, COMMAND INFO/DOCS/COUNT answer byte for byte
 * as Redis does. Run after `npm run build`: `node dist/scripts/gen-command-table.js`.
 * Only interface metadata is kept (names, arity, flags, key specs, doc summaries); no code.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeReply, type ReplyValue } from '../formats/resp-reply.js';

function encode(args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-commands-'));
  const port = 16379 + Math.floor(Math.random() * 1000);
  const server = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 300));
  const socket = connect(port, '127.0.0.1');
  let pending = Buffer.alloc(0);
  const waiters: ((v: ReplyValue) => void)[] = [];
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const decoded = decodeReply(pending, 0, pending.length);
      if (decoded === null) return;
      if ('kind' in decoded) throw new Error(decoded.message);
      pending = pending.subarray(decoded.next);
      waiters.shift()!(decoded.value);
    }
  });
  const call = (...args: string[]): Promise<ReplyValue> =>
    new Promise((resolve) => {
      waiters.push(resolve);
      socket.write(encode(args));
    });
  await call('HELLO', '3');
  const info = await call('COMMAND');
  const docs = await call('COMMAND', 'DOCS');
  socket.end();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
  const json = JSON.stringify({ info, docs }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  writeFileSync(new URL('../../src/commands/redis-commands.json', import.meta.url), json + '\n');
}

void main();
