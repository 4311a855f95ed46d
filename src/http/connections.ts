/**
 * Limits against slow, idle and too many clients, and answers for the requests Node's HTTP server
 * would otherwise answer itself (an empty 400 for a missing Host, an empty 417 for an unknown
 * Expect) or not at all (CONNECT): each gets the one error shape.
 *
 * - Headers must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`,
 *   else 408 RequestTimeout and the connection is closed: a client trickling its headers or body
 *   holds one socket for a bounded time, and never holds up anyone else (nothing waits on it).
 * - A connection with no traffic at all for `idleTimeoutMs` is closed (a client that stopped
 *   reading its response, for one); an idle keep-alive connection after `keepAliveTimeoutMs`.
 * - At most `maxConnections` connections are open at once; beyond, new ones are closed at once.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { errorBody, errors } from '../domain/errors.ts';
import { languageOf } from '../domain/messages/index.ts';
import { rawErrorResponse } from './plugins/errors.ts';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  // Longer than the usual 60 s idle timeout of load balancers, so they close first.
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1024,
};

export function connectionLimits(given: Partial<ConnectionLimits> | undefined): ConnectionLimits {
  return { ...DEFAULT_CONNECTION_LIMITS, ...given };
}

/** Options for Node's http/https server: the timeouts, checked often enough to matter. */
export function nodeServerOptions(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts above every 30 s by default: a slow client would hold its
    // socket up to 30 s longer than configured.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2))),
    // Answered by requireHost below, in the error shape, instead of Node's empty 400.
    requireHostHeader: false,
  };
}

/** Installs the connection limit and the raw-server answers on the app's server. */
export function guardServer(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  // A client that half-closes its side after sending a request still gets the answer (Node
  // would otherwise close the connection at once, dropping answers still being computed).
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // An Expect other than 100-continue: Node would answer an empty 417.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const language = languageOf(request.headers['accept-language']);
    const body = errorBody(errors.expectationFailed(String(request.headers.expect)), language);
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-language': language,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
  // CONNECT (a proxy tunnel): Node would close the socket without a word.
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => {});
    socket.end(rawErrorResponse(errors.methodNotAllowed('CONNECT', true)));
  });
}

/** HTTP/1.1 requires a Host header (RFC 9112 §3.2): 400 without one. */
export function requireHost(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (request.headers.host === undefined && request.raw.httpVersion === '1.1') return done(errors.missingHost());
  done();
}
