// Proves the RESP request parser yields the same commands however the bytes are split across reads (including
// a split right after a `*N` header, regression: it read the byte past the end of the input), never throws on
// random bytes, and refuses an over-limit declared length without waiting for (or allocating) the bytes.
import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { RequestParser, type ProtocolError } from '../../formats/index.js';

function encode(commands: string[][]): Buffer {
  let out = '';
  for (const args of commands) {
    out += `*${args.length}\r\n`;
    for (const a of args) out += `$${a.length}\r\n${a}\r\n`;
  }
  return Buffer.from(out, 'latin1');
}

/**
 * Feeds `bytes` in pieces cut at `cuts`, the way the server does: unconsumed bytes stay at the front of a larger
 * buffer whose tail holds stale garbage (so reading past `end` shows up).
 */
function feed(bytes: Buffer, cuts: number[]): { commands: string[][]; error: ProtocolError | null } {
  const parser = new RequestParser();
  const commands: string[][] = [];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  points.push(bytes.length);
  let pending = Buffer.alloc(0);
  let previous = 0;
  for (const point of points) {
    const piece = bytes.subarray(previous, point);
    previous = point;
    const buf = Buffer.alloc(pending.length + piece.length + 16, 0x76); // 'v' garbage after the end
    pending.copy(buf, 0);
    piece.copy(buf, pending.length);
    const end = pending.length + piece.length;
    const result = parser.parse(buf, 0, end, (args) => {
      commands.push(args);
      return true;
    });
    if (typeof result !== 'number') return { commands, error: result };
    pending = Buffer.from(buf.subarray(result, end));
  }
  return { commands, error: null };
}

const arg = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const command = fc.array(arg, { minLength: 1, maxLength: 5 });

describe('RequestParser', () => {
  test.prop([fc.array(command, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 })])(
    'any chunking yields the same commands',
    (commands, cuts) => {
      const out = feed(encode(commands), cuts);
      expect(out.error).toBeNull();
      expect(out.commands).toEqual(commands);
    },
  );

  test('a split right after the multibulk header (regression: read past the end of input)', () => {
    const bytes = encode([['SET', 'k', 'v'.repeat(70)], ['GET', 'k']]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(feed(bytes, [cut]).commands).toEqual([['SET', 'k', 'v'.repeat(70)], ['GET', 'k']]);
    }
  });

  test.prop([fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 5 })])('random bytes never throw', (bytes, cuts) => {
    expect(() => feed(Buffer.from(bytes), cuts)).not.toThrow();
  });

  test('an over-limit bulk length is refused from the header alone', () => {
    const parser = new RequestParser({ maxBulkBytes: 1024, maxMultibulkCount: 16, maxInlineBytes: 64 });
    const header = Buffer.from('*2\r\n$3\r\nSET\r\n$1025\r\n', 'latin1');
    const result = parser.parse(header, 0, header.length, () => true);
    expect(result).toMatchObject({ kind: 'protocol-error', message: 'invalid bulk length' });
    const many = Buffer.from('*17\r\n', 'latin1');
    expect(new RequestParser({ maxBulkBytes: 1024, maxMultibulkCount: 16, maxInlineBytes: 64 }).parse(many, 0, many.length, () => true)).toMatchObject({
      message: 'invalid multibulk length',
    });
  });
});
