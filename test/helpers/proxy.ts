/**
 * A real HTTP proxy (node:http) in front of a server, for client tests: it forwards every
 * request, records what passed, and can answer the next matching requests itself with a chosen
 * status (a 503 before success, a 429 with Retry-After, a 401) — the failures a client meets
 * between it and the API. It is a real listening server, not a mock of the API.
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  /** Whether the proxy answered it itself (a fault) instead of forwarding it. */
  faulted: boolean;
  at: number;
  authorization: string | undefined;
}

export interface Fault {
  /** How many matching requests to answer with the fault (then forward again). */
  times: number;
  status: number;
  headers?: Record<string, string>;
  body?: string;
  method?: string;
  /** A substring of the path (without query) the fault applies to. */
  pathIncludes?: string;
  /** Or the exact path (without query). */
  path?: string;
}

export interface FaultProxy {
  url: string;
  seen: Seen[];
  fail(fault: Fault): void;
  /** Drops the faults not used up. */
  clear(): void;
  /** Requests seen whose path includes this (and method, if given). */
  count(pathIncludes: string, method?: string): number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults: Fault[] = [];
  const seen: Seen[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const fault = faults.find(
      (f) => f.times > 0 && (!f.method || f.method === req.method) && (!f.pathIncludes || path.includes(f.pathIncludes)) && (!f.path || f.path === path),
    );
    seen.push({ method: req.method ?? '', path, faulted: Boolean(fault), at: Date.now(), authorization: req.headers.authorization });
    if (fault) {
      fault.times--;
      req.resume();
      req.on('end', () => {
        const body = fault.body ?? JSON.stringify({ error: { code: `Injected${fault.status}`, message: `injected by the test proxy (${fault.status})` } });
        res.writeHead(fault.status, { 'content-type': fault.body?.startsWith('<') ? 'text/html' : 'application/json', ...fault.headers });
        res.end(body);
      });
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unreachable');
    });
    req.pipe(forward);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    fail: (fault) => faults.push({ ...fault }),
    clear: () => (faults.length = 0),
    count: (pathIncludes, method) => seen.filter((s) => s.path.includes(pathIncludes) && (!method || s.method === method)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
