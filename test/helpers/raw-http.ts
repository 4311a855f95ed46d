/**
 * A raw HTTP/1.1 client for hostile and malformed requests: the request is written byte for byte
 * as given (no normalisation of the path, headers or body, invalid UTF-8 and broken framing
 * allowed), and the responses are parsed from the socket. What fetch would refuse to send, or
 * would quietly fix, goes out unchanged.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  reason: string;
  /** Header names in lower case; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

export type RawResult =
  | { kind: 'responses'; responses: RawResponse[]; ms: number }
  /** The server closed the connection before a complete response (or any) arrived. */
  | { kind: 'closed'; responses: RawResponse[]; partial: Buffer; ms: number }
  /** Nothing conclusive within the time limit: a hang. */
  | { kind: 'timeout'; responses: RawResponse[]; partial: Buffer; ms: number }
  | { kind: 'error'; error: Error; responses: RawResponse[]; ms: number };

export interface RawOptions {
  host?: string;
  timeoutMs?: number;
  /** How many responses to wait for (pipelined requests); default 1. */
  responses?: number;
  /** HEAD responses have no body, whatever Content-Length says: one flag per expected response. */
  head?: boolean[];
  /** Half-close the socket once the request is written. */
  endAfterWrite?: boolean;
}

/** Writes `request` on a new connection and reads the responses. */
export function rawRequest(port: number, request: Buffer | string, options: RawOptions = {}): Promise<RawResult> {
  const started = performance.now();
  const wanted = options.responses ?? 1;
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: options.host ?? '127.0.0.1', allowHalfOpen: true });
    const parser = new ResponseParser(options.head ?? []);
    let done = false;
    const finish = (result: RawResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const ms = () => performance.now() - started;
    const timer = setTimeout(() => finish({ kind: 'timeout', responses: parser.responses, partial: parser.pending(), ms: ms() }), options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      socket.write(request);
      if (options.endAfterWrite) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        finish({ kind: 'error', error: error as Error, responses: parser.responses, ms: ms() });
        return;
      }
      if (parser.responses.length >= wanted) finish({ kind: 'responses', responses: parser.responses, ms: ms() });
    });
    const closed = () => {
      parser.end();
      if (parser.responses.length >= wanted) finish({ kind: 'responses', responses: parser.responses, ms: ms() });
      else finish({ kind: 'closed', responses: parser.responses, partial: parser.pending(), ms: ms() });
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', (error) => {
      // A reset after complete responses is still a result; before them, it is a close.
      if (parser.responses.length >= wanted) finish({ kind: 'responses', responses: parser.responses, ms: ms() });
      else if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE') closed();
      else finish({ kind: 'error', error, responses: parser.responses, ms: ms() });
    });
  });
}

/** Incremental HTTP/1.1 response parser: Content-Length, chunked, or until close. */
class ResponseParser {
  readonly responses: RawResponse[] = [];
  #buffer = Buffer.alloc(0);
  #head: { status: number; reason: string; headers: Record<string, string> } | undefined;
  readonly #headFlags: boolean[];

  constructor(headFlags: boolean[]) {
    this.#headFlags = headFlags;
  }

  pending(): Buffer {
    return this.#buffer;
  }

  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#step()) {
      // keep parsing: several responses may be in one chunk
    }
  }

  /** The connection ended: a response delimited by the close is complete now. */
  end(): void {
    if (this.#head && this.#bodyMode() === 'close') {
      this.#emit(this.#buffer);
      this.#buffer = Buffer.alloc(0);
    }
  }

  #step(): boolean {
    if (!this.#head) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const lines = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
      this.#buffer = this.#buffer.subarray(end + 4);
      const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
      if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) throw new Error(`malformed response header: ${JSON.stringify(line)}`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const status = Number(match[1]);
      if (status >= 100 && status < 200) return true; // interim (100 Continue): the real one follows
      this.#head = { status, reason: match[2] ?? '', headers };
    }
    const mode = this.#bodyMode();
    if (mode === 'none') return this.#emit(Buffer.alloc(0));
    if (typeof mode === 'number') {
      if (this.#buffer.length < mode) return false;
      const body = this.#buffer.subarray(0, mode);
      this.#buffer = this.#buffer.subarray(mode);
      return this.#emit(body);
    }
    if (mode === 'chunked') {
      const parts: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = this.#buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return false;
        const size = parseInt(this.#buffer.subarray(at, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) throw new Error('malformed chunk size');
        if (size === 0) {
          const trailerEnd = this.#buffer.indexOf('\r\n', lineEnd + 2);
          if (trailerEnd < 0) return false;
          this.#buffer = this.#buffer.subarray(trailerEnd + 2);
          return this.#emit(Buffer.concat(parts));
        }
        if (this.#buffer.length < lineEnd + 2 + size + 2) return false;
        parts.push(this.#buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    return false; // until close
  }

  #bodyMode(): 'none' | 'chunked' | 'close' | number {
    const head = this.#head!;
    if (this.#headFlags[this.responses.length] || head.status === 204 || head.status === 304) return 'none';
    if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) return 'chunked';
    const length = head.headers['content-length'];
    if (length !== undefined) return Number(length);
    return 'close';
  }

  #emit(body: Buffer): boolean {
    const head = this.#head!;
    this.responses.push({ ...head, body, text: body.toString('utf8') });
    this.#head = undefined;
    return true;
  }
}

/** Builds a request's bytes. Header values are written as given (latin1 for strings). */
export function buildRequest(parts: {
  method: string;
  target: string | Buffer;
  version?: string;
  headers?: ReadonlyArray<readonly [string, string | Buffer]>;
  body?: Buffer | string;
  /** 'auto' (default) adds Content-Length when there is a body; 'none' never adds one. */
  contentLength?: 'auto' | 'none';
}): Buffer {
  const chunks: Buffer[] = [Buffer.from(`${parts.method} `, 'latin1')];
  chunks.push(typeof parts.target === 'string' ? Buffer.from(parts.target, 'latin1') : parts.target);
  chunks.push(Buffer.from(` ${parts.version ?? 'HTTP/1.1'}\r\n`, 'latin1'));
  const body = parts.body === undefined ? undefined : typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
  for (const [name, value] of parts.headers ?? []) {
    chunks.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n'));
  }
  if (body !== undefined && (parts.contentLength ?? 'auto') === 'auto') chunks.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  chunks.push(Buffer.from('\r\n'));
  if (body !== undefined) chunks.push(body);
  return Buffer.concat(chunks);
}
