/**
 * Connection: one client socket — its query buffer, the RESP parser over it, and the flushing of replies.
 *
 * Input is parsed in place: bytes are appended to a growable query buffer and commands are sliced out of it, so
 * a pipeline of thousands of commands costs one read and one write. When the parser is inside a large bulk
 * argument whose length is known, the buffer is grown once to hold it (no quadratic re-copying). Replies are not
 * written per command: the server flushes every connection once per event-loop turn, after the AOF had its
 * chance to write (and under `appendfsync always`, fsync) what those commands changed — group commit.
 */
import type { Socket } from 'node:net';
import { RequestParser, type RequestLimits, type ProtocolError } from '../../formats/index.js';
import type { Session, Transport } from '../commands/index.js';
import type { Server } from './server.js';

const READ_CHUNK_BYTES = 16 * 1024;

/**
 * The buffer every socket reads into. Node's default read path allocates a 64 KB buffer per read, wraps it in a
 * new Buffer and pushes it through the Readable stream machinery (`push`, `emit('data')`, a `nextTick` per read);
 * at redis-benchmark -P 1 that was about a tenth of the server's CPU time per request (BENCHMARKS.md). Reading
 * into one buffer is safe because reads are delivered one at a time on the loop thread and `onData` consumes the
 * bytes before it returns: arguments are copied out as strings and an unfinished tail into the query buffer.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Makes `socket` deliver its reads to `onRead(bytes, buffer)` from SHARED_READ_BUFFER: the `onread` option that
 * `net.Socket` documents for sockets it creates, which `net.Server` offers no way to pass for accepted ones, so
 * it is applied to the accepted socket through the same fields the constructor sets. Returns false, changing
 * nothing, when this Node does not have those fields (the caller then listens to 'data' as usual).
 */
function readIntoSharedBuffer(socket: Socket, onRead: (bytes: number, buffer: Buffer) => void): boolean {
  const fields = socket as unknown as Record<symbol, unknown>;
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (buffer: Buffer) => void } | null })._handle;
  let buffer: symbol | undefined;
  let callback: symbol | undefined;
  let generator: symbol | undefined;
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description === 'kBuffer') buffer = symbol;
    else if (symbol.description === 'kBufferCb') callback = symbol;
    else if (symbol.description === 'kBufferGen') generator = symbol;
  }
  if (buffer === undefined || callback === undefined || generator === undefined) return false;
  if (fields[buffer] !== null || fields[callback] !== null || fields[generator] !== null) return false;
  if (handle === undefined || handle === null || typeof handle.useUserBuffer !== 'function') return false;
  fields[buffer] = SHARED_READ_BUFFER;
  fields[callback] = onRead;
  handle.useUserBuffer(SHARED_READ_BUFFER);
  return true;
}

export class Connection implements Transport {
  readonly session: Session;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  private readonly socket: Socket;
  private readonly server: Server;
  private readonly parser: RequestParser;
  private qbuf: Buffer = Buffer.alloc(0);
  private qpos = 0;
  private qlen = 0;
  private closing = false;
  closed = false;
  private paused = false;

  constructor(server: Server, socket: Socket, session: Session, limits: RequestLimits, fd: number) {
    this.server = server;
    this.socket = socket;
    this.session = session;
    this.fd = fd;
    this.parser = new RequestParser(limits);
    this.addr = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`.replace(/^::ffff:/, '');
    this.laddr = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`.replace(/^::ffff:/, '');
    session.transport = this;
    socket.setNoDelay(true);
    if (!readIntoSharedBuffer(socket, this.onRead)) socket.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  queryBufferBytes(): number {
    return this.qlen - this.qpos;
  }

  outputBufferBytes(): number {
    return this.session.reply.pendingBytes + this.socket.writableLength;
  }

  wake(): void {
    this.server.scheduleFlush(this);
  }

  resume(): void {
    if (this.session.blocked !== null || this.closed) return;
    this.paused = false;
    this.processInput();
    this.server.scheduleFlush(this);
  }

  close(): void {
    this.closing = true;
    this.server.scheduleFlush(this);
  }

  private readonly onRead = (bytes: number, buf: Buffer): void => {
    this.onData(buf, bytes);
  };

  /** Bytes 0..`end` of `chunk` arrived. `chunk` may be the shared read buffer: nothing may keep a view of it. */
  private onData(chunk: Buffer, end: number): void {
    if (this.closed || this.closing) return;
    if (this.qpos === this.qlen && !this.paused && end <= this.server.queryBufferLimitBytes()) {
      // Nothing buffered (the common case): parse the chunk where it lies and keep only an unfinished tail,
      // instead of copying every read into the query buffer first.
      const result = this.parser.parse(chunk, 0, end, this.onCommand);
      if (typeof result !== 'number') this.protocolError(result, chunk, 0, end);
      else if (result < end) this.append(chunk.subarray(result, end));
      this.server.scheduleFlush(this);
      return;
    }
    this.append(end === chunk.length ? chunk : chunk.subarray(0, end));
    const limit = this.server.queryBufferLimitBytes();
    if (this.qlen - this.qpos > limit) {
      this.server.logger.warning(`Closing client that reached max query buffer length: id=${this.session.id} addr=${this.addr} qbuf=${this.qlen - this.qpos} (qbuf initial bytes: ${JSON.stringify(this.qbuf.latin1Slice(this.qpos, Math.min(this.qpos + 64, this.qlen)))})`);
      this.destroy();
      return;
    }
    if (!this.paused) this.processInput();
    this.server.scheduleFlush(this);
  }

  private append(chunk: Buffer): void {
    if (this.qpos === this.qlen) {
      this.qpos = 0;
      this.qlen = 0;
    }
    const needed = this.qlen - this.qpos + chunk.length;
    if (this.qlen + chunk.length > this.qbuf.length) {
      // Grow (or compact) once: to the size of the bulk being read when known, else double.
      const expected = this.parser.bulkBytesExpected + 64;
      let size = Math.max(READ_CHUNK_BYTES, needed, Math.min(expected, this.server.queryBufferLimitBytes() + 64));
      if (size < this.qbuf.length * 2 && needed > this.qbuf.length / 2) size = this.qbuf.length * 2;
      const next = size <= this.qbuf.length ? this.qbuf : Buffer.allocUnsafe(size);
      this.qbuf.copy(next, 0, this.qpos, this.qlen);
      this.qbuf = next;
      this.qlen -= this.qpos;
      this.qpos = 0;
    }
    chunk.copy(this.qbuf, this.qlen);
    this.qlen += chunk.length;
  }

  private readonly onCommand = (args: string[]): boolean => {
    const session = this.session;
    this.server.engine.execute(session, args);
    if (session.blocked !== null) {
      this.paused = true;
      return false;
    }
    if (session.closeAfterReply) {
      this.close();
      return false;
    }
    return true;
  };

  private processInput(): void {
    const result = this.parser.parse(this.qbuf, this.qpos, this.qlen, this.onCommand);
    if (typeof result === 'number') {
      this.qpos = result;
      if (this.qpos === this.qlen && this.qbuf.length > 1024 * 1024) {
        this.qbuf = Buffer.alloc(0);
        this.qpos = this.qlen = 0;
      }
      return;
    }
    this.protocolError(result, this.qbuf, this.qpos, this.qlen);
    this.qpos = this.qlen;
  }

  /** Replies and closes; `start`..`end` are the bytes the failed parse was given (a sample goes to the log). */
  private protocolError(error: ProtocolError, buf: Buffer, start: number, end: number): void {
    const sample = buf.latin1Slice(start, Math.min(end, start + 128));
    this.server.logger.verbose(
      `Protocol error (${error.message}) from client: id=${this.session.id} addr=${this.addr}. Query buffer during protocol error: '${sample.replace(/[^\x20-\x7e]/g, '?')}'`,
    );
    this.session.reply.error(`ERR Protocol error: ${error.message}`);
    this.close();
  }

  /** Writes pending replies; closes the socket if asked to. Called by the server once per turn. */
  flush(): void {
    if (this.closed) return;
    const reply = this.session.reply;
    if (reply.pendingBytes > 0) this.socket.write(reply.take());
    if (this.closing) {
      this.closed = true;
      this.socket.end();
      this.server.forget(this);
    }
  }

  destroy(): void {
    if (this.closed) {
      this.socket.destroy();
      return;
    }
    this.closed = true;
    this.socket.destroy();
    this.server.forget(this);
  }
}
