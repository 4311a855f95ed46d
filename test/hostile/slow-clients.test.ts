/**
 * Slow and idle clients: a client trickling its headers or its body, or sending nothing at all,
 * holds its connection for a bounded time and then gets 408 RequestTimeout in the error shape —
 * while everyone else is served at full speed; idle keep-alive connections are closed; and the
 * number of connections open at once is bounded. (Timeouts are shortened here; the defaults are
 * in src/http/connections.ts.)
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../../src/http/connections.ts';
import { API, TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';
import { recordResponse } from '../helpers/capture.ts';

const LIMITS: ConnectionLimits = { headersTimeoutMs: 800, requestTimeoutMs: 1_600, idleTimeoutMs: 5_000, keepAliveTimeoutMs: 600, maxConnections: 100 };
/** Node checks the two request timeouts every half of the shorter one (connections.ts): a timeout may fire that much late. */
const CHECK_MS = LIMITS.headersTimeoutMs / 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SlowClient {
  socket: Socket;
  opened: number;
  /** When the server closed the connection, and what it said before. */
  closed: Promise<{ afterMs: number; data: string }>;
}

/** Opens a connection, writes `first`, then `drip` every `everyMs` until the server closes it. */
function slowClient(port: number, first: string, drip?: string, everyMs = 100): SlowClient {
  const socket = connect(port, '127.0.0.1');
  const opened = performance.now();
  let data = '';
  socket.on('data', (chunk) => (data += chunk));
  socket.on('error', () => {});
  const timer = drip ? setInterval(() => socket.writable && socket.write(drip), everyMs) : undefined;
  socket.on('connect', () => first && socket.write(first));
  const closed = new Promise<{ afterMs: number; data: string }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - opened, data });
    }),
  );
  return { socket, opened, closed };
}

function assertTimedOut(result: { afterMs: number; data: string }, limitMs: number, what: string): void {
  assert.match(result.data, /^HTTP\/1\.1 408 /, `${what}: ${result.data.slice(0, 200)}`);
  const body = JSON.parse(result.data.slice(result.data.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, 'RequestTimeout');
  recordResponse('raw', 'GET', '/slow', 408, result.data);
  assert.ok(result.afterMs >= limitMs - 50, `${what}: closed after ${Math.round(result.afterMs)} ms, before the ${limitMs} ms limit`);
  assert.ok(result.afterMs <= limitMs + CHECK_MS + 1_000, `${what}: closed only after ${Math.round(result.afterMs)} ms (limit ${limitMs} ms)`);
}

describe(`slow and idle clients (${TEST_STORE})`, () => {
  let server: TestServer;
  let port = 0;
  before(async () => {
    server = await startTestServer('http', { app: { connectionLimits: LIMITS } });
    port = (server.app.server.address() as import('node:net').AddressInfo).port;
  });
  after(async () => server.close());

  /** Normal clients for `ms`: GETs one after another on one keep-alive connection; returns their latencies. */
  const normalTraffic = async (ms: number) => {
    const latencies: number[] = [];
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const started = performance.now();
      const res = await server.call(`/api/publishers/contoso/offers?${API}`);
      latencies.push(performance.now() - started);
      assert.equal(res.status, 200, res.text);
    }
    return latencies.sort((a, b) => a - b);
  };

  it('50 clients trickling their headers get 408 once the headers timeout passes; everyone else is served at full speed meanwhile', async () => {
    const slow = Array.from({ length: 50 }, () => slowClient(port, `GET /api/publishers?${API} HTTP/1.1\r\nHost: x\r\n`, 'X-Slow: 1\r\n'));
    const latencies = await normalTraffic(LIMITS.headersTimeoutMs);
    const results = await Promise.all(slow.map((client) => client.closed));
    results.forEach((result, i) => assertTimedOut(result, LIMITS.headersTimeoutMs, `slow client ${i}`));
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    assert.ok(latencies.length >= 20, `only ${latencies.length} normal requests in ${LIMITS.headersTimeoutMs} ms`);
    assert.ok(p99 < 250, `normal requests p99 ${Math.round(p99)} ms while the slow clients trickled`);
  });

  it('clients trickling their body get 408 once the request timeout passes; everyone else is served meanwhile', async () => {
    const head = `PUT /api/publishers/contoso/offers/slow-body?${API} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.ownerToken}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"offerTypeId":`;
    const slow = Array.from({ length: 20 }, () => slowClient(port, head, ' '));
    const latencies = await normalTraffic(LIMITS.requestTimeoutMs);
    const results = await Promise.all(slow.map((client) => client.closed));
    results.forEach((result, i) => assertTimedOut(result, LIMITS.requestTimeoutMs, `slow body ${i}`));
    assert.ok(latencies[Math.floor(latencies.length * 0.99)]! < 250, 'normal requests stayed fast');
    assert.equal((await server.call(`/api/publishers/contoso/offers/slow-body?${API}`)).status, 404, 'nothing of the trickled body was stored');
  });

  it('a connection that sends nothing is closed with 408 after the headers timeout', async () => {
    const idle = Array.from({ length: 20 }, () => slowClient(port, ''));
    const results = await Promise.all(idle.map((client) => client.closed));
    results.forEach((result, i) => assertTimedOut(result, LIMITS.headersTimeoutMs, `idle connection ${i}`));
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout, its answer delivered', async () => {
    const client = slowClient(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    const result = await client.closed;
    assert.match(result.data, /^HTTP\/1\.1 200 /);
    assert.match(result.data, /Connection: keep-alive/i);
    // Node keeps the socket up to a second longer than it advertises, for answers crossing a close.
    assert.ok(
      result.afterMs >= LIMITS.keepAliveTimeoutMs - 50 && result.afterMs < LIMITS.keepAliveTimeoutMs + 1_500,
      `closed after ${Math.round(result.afterMs)} ms`,
    );
  });
});

describe(`connections at once are bounded (${TEST_STORE})`, () => {
  let server: TestServer;
  let port = 0;
  const limits: ConnectionLimits = { ...LIMITS, maxConnections: 40 };
  before(async () => {
    server = await startTestServer('http', { app: { connectionLimits: limits } });
    port = (server.app.server.address() as import('node:net').AddressInfo).port;
  });
  after(async () => server.close());

  it(`with ${limits.maxConnections} idle connections open, more are closed at once; once the idle ones time out, service resumes`, async () => {
    const idle = Array.from({ length: limits.maxConnections }, () => slowClient(port, ''));
    await Promise.all(idle.map((client) => new Promise((resolve) => client.socket.once('connect', resolve))));
    await sleep(100);
    const extra = Array.from({ length: 20 }, () => slowClient(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`));
    const refused = await Promise.all(extra.map((client) => client.closed));
    for (const result of refused) {
      assert.equal(result.data, '', 'refused without an answer');
      assert.ok(result.afterMs < 500, `refused after ${Math.round(result.afterMs)} ms`);
    }
    const timedOut = await Promise.all(idle.map((client) => client.closed));
    for (const result of timedOut) assertTimedOut(result, limits.headersTimeoutMs, 'idle connection');
    const health = await server.call('/healthz');
    assert.equal(health.status, 200);
  });

  it('the defaults bound every client: headers in 10 s, the whole request in 30 s, 1024 connections', () => {
    assert.deepEqual(DEFAULT_CONNECTION_LIMITS, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 1024,
    });
  });
});
