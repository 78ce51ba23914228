/**
 * RESP reply decoding (RESP2 and RESP3): what a server sends back. Used where Strongbox is the client — the
 * replica's link to its primary, Sentinel, tools — and by tests that compare replies.
 *
 * `decodeReply(buf, start, end)` returns the value and the index after it, `null` when the buffer holds only part
 * of a reply, or a `ReplyDecodeError`. Nesting is limited by `maxDepth` so a hostile peer cannot exhaust the stack.
 */

export type ReplyValue =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'bulk'; v: string }
  | { t: 'null' }
  | { t: 'nullarray' }
  | { t: 'array'; v: ReplyValue[] }
  | { t: 'map'; v: [ReplyValue, ReplyValue][] }
  | { t: 'set'; v: ReplyValue[] }
  | { t: 'push'; v: ReplyValue[] }
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'verbatim'; format: string; v: string }
  | { t: 'bignum'; v: string }
  | { t: 'attribute'; attributes: [ReplyValue, ReplyValue][]; v: ReplyValue };

export interface ReplyDecodeError {
  kind: 'reply-error';
  offset: number;
  message: string;
}

export interface Decoded {
  value: ReplyValue;
  next: number;
}

export function decodeReply(
  buf: Uint8Array,
  start: number,
  end: number,
  maxDepth = 64,
  maxBulkBytes = 512 * 1024 * 1024,
): Decoded | null | ReplyDecodeError {
  const decoder = new Decoder(buf, end, maxDepth, maxBulkBytes);
  try {
    const value = decoder.value(start, 0);
    if (value === null) return null;
    return { value, next: decoder.pos };
  } catch (err) {
    if (err instanceof DecodeFailure) return { kind: 'reply-error', offset: err.offset, message: err.message };
    throw err;
  }
}

class DecodeFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

class Decoder {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly end: number,
    private readonly maxDepth: number,
    private readonly maxBulkBytes: number,
  ) {}

  private line(start: number): string | null {
    for (let i = start; i + 1 < this.end; i++) {
      if (this.buf[i] === 13 && this.buf[i + 1] === 10) {
        this.pos = i + 2;
        return latin1(this.buf, start, i);
      }
    }
    return null;
  }

  private count(start: number, text: string): number {
    if (!/^-?\d{1,19}$/.test(text)) throw new DecodeFailure(start, `invalid length '${text}'`);
    const n = Number(text);
    if (n > this.maxBulkBytes) throw new DecodeFailure(start, `length ${n} over limit`);
    return n;
  }

  value(start: number, depth: number): ReplyValue | null {
    if (depth > this.maxDepth) throw new DecodeFailure(start, 'reply nested too deep');
    if (start >= this.end) return null;
    const type = String.fromCharCode(this.buf[start]!);
    const text = this.line(start + 1);
    if (text === null) return null;
    switch (type) {
      case '+':
        return { t: 'simple', v: text };
      case '-':
        return { t: 'error', v: text };
      case ':':
        if (!/^[-+]?\d+$/.test(text)) throw new DecodeFailure(start, `invalid integer '${text}'`);
        return { t: 'int', v: BigInt(text) };
      case ',':
        return { t: 'double', v: text };
      case '#':
        return { t: 'bool', v: text === 't' };
      case '_':
        return { t: 'null' };
      case '(':
        return { t: 'bignum', v: text };
      case '$':
      case '=':
      case '!': {
        const n = this.count(start, text);
        if (n < 0) return { t: 'null' };
        const body = this.pos;
        if (this.end - body < n + 2) return null;
        this.pos = body + n + 2;
        const v = latin1(this.buf, body, body + n);
        if (type === '$') return { t: 'bulk', v };
        if (type === '!') return { t: 'error', v };
        return { t: 'verbatim', format: v.slice(0, 3), v: v.slice(4) };
      }
      case '*':
      case '~':
      case '>': {
        const n = this.count(start, text);
        if (n < 0) return { t: 'nullarray' };
        const items: ReplyValue[] = [];
        for (let i = 0; i < n; i++) {
          const item = this.value(this.pos, depth + 1);
          if (item === null) return null;
          items.push(item);
        }
        return type === '*' ? { t: 'array', v: items } : type === '~' ? { t: 'set', v: items } : { t: 'push', v: items };
      }
      case '%':
      case '|': {
        const n = this.count(start, text);
        const pairs: [ReplyValue, ReplyValue][] = [];
        for (let i = 0; i < n; i++) {
          const k = this.value(this.pos, depth + 1);
          if (k === null) return null;
          const v = this.value(this.pos, depth + 1);
          if (v === null) return null;
          pairs.push([k, v]);
        }
        if (type === '%') return { t: 'map', v: pairs };
        const inner = this.value(this.pos, depth + 1);
        if (inner === null) return null;
        return { t: 'attribute', attributes: pairs, v: inner };
      }
      default:
        throw new DecodeFailure(start, `unknown reply type byte ${this.buf[start]}`);
    }
  }
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}
