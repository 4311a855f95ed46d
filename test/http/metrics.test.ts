/**
 * GET /metrics over a real socket: the metric names, a request counted under its route template
 * (never its URL), no id or token in any label, the setting that turns it off and the one that
 * requires a token, and the sandbox leaving it alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TEST_STORE, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';

const OFFER_ROUTE = '/api/publishers/:publisherId/offers/:offerId';

const METRIC_NAMES = [
  ['cloudpartner_http_request_duration_seconds', 'histogram'],
  ['cloudpartner_build_info', 'gauge'],
  ['cloudpartner_db_query_duration_seconds', 'histogram'],
  ['cloudpartner_db_transaction_duration_seconds', 'histogram'],
  ['cloudpartner_cache_requests_total', 'counter'],
  ['cloudpartner_database_up', 'gauge'],
  ['cloudpartner_operations', 'gauge'],
  ['cloudpartner_workflow_steps_waiting', 'gauge'],
  ['cloudpartner_workflow_step_lag_seconds', 'gauge'],
  ['cloudpartner_notifications_total', 'counter'],
  ['cloudpartner_webhook_deliveries_total', 'counter'],
  ['process_cpu_seconds_total', 'counter'],
  ['process_resident_memory_bytes', 'gauge'],
  ['nodejs_eventloop_lag_seconds', 'gauge'],
] as const;

const POOL_METRICS = ['cloudpartner_db_pool_connections', 'cloudpartner_db_pool_idle_connections', 'cloudpartner_db_pool_waiting_requests'];

/** The value of one series, by its exact label text (`{route="…",method="GET",status="200"}`); 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Every label value of the exposition. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/[a-z_]+="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!);
}

describe(`GET /metrics (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  const scrape = async () => {
    const res = await fetch(`${server.baseUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('names every metric with its type, without a token', async () => {
    const text = await scrape();
    for (const [name, type] of METRIC_NAMES) assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `${name} (${type})`);
    for (const name of POOL_METRICS) assert.equal(text.includes(`# TYPE ${name} gauge`), TEST_STORE === 'postgres', name);
    assert.equal(sample(text, 'cloudpartner_build_info', `{version="0.1.0",store="${TEST_STORE}"}`), 1);
    assert.equal(sample(text, 'cloudpartner_database_up'), 1);
  });

  it('counts a request under its route template, method and status, with its latency', async () => {
    const labels = `{route="${OFFER_ROUTE}",method="GET",status="200"}`;
    const before = await scrape();
    const res = await server.call(`/api/publishers/contoso/offers/${DEMO_OFFER_ID}?${API}`);
    assert.equal(res.status, 200);
    const after = await scrape();
    assert.equal(
      sample(after, 'cloudpartner_http_request_duration_seconds_count', labels) - sample(before, 'cloudpartner_http_request_duration_seconds_count', labels),
      1,
    );
    assert.ok(
      sample(after, 'cloudpartner_http_request_duration_seconds_sum', labels) > sample(before, 'cloudpartner_http_request_duration_seconds_sum', labels),
    );
    assert.equal(
      sample(after, 'cloudpartner_http_request_duration_seconds_bucket', `{le="+Inf",route="${OFFER_ROUTE}",method="GET",status="200"}`),
      sample(after, 'cloudpartner_http_request_duration_seconds_count', labels),
    );
    // A 404 of a route, and a URL no route matches.
    await server.call(`/api/publishers/contoso/offers/no-such-offer?${API}`);
    await server.call('/no/such/path/at-all');
    const later = await scrape();
    assert.equal(sample(later, 'cloudpartner_http_request_duration_seconds_count', `{route="${OFFER_ROUTE}",method="GET",status="404"}`), 1);
    assert.equal(sample(later, 'cloudpartner_http_request_duration_seconds_count', '{route="(unmatched)",method="GET",status="404"}'), 1);
    // The offer was read from the store, through a cache and the database's statements.
    const caches = later.split('\n').filter((line) => line.startsWith('cloudpartner_cache_requests_total{'));
    assert.ok(caches.length >= 2, caches.join('\n'));
    // On PostgreSQL the read cache asks for the change counter with the row (D85): `publisher+epoch`.
    const publisherReads = ['publisher', 'publisher+epoch'].map((name) =>
      sample(later, 'cloudpartner_db_query_duration_seconds_count', `{statement="${name}"}`),
    );
    assert.ok(publisherReads[0]! + publisherReads[1]! >= 1, publisherReads.join(', '));
  });

  it('carries no id, token or URL in any label', async () => {
    await server.call(`/api/publishers/contoso/offers/${DEMO_OFFER_ID}/versions/1?${API}`);
    await server.call(`/api/publishers/contoso/offers/${DEMO_OFFER_ID}?${API}`, { token: 'not-a-real-token-4711' });
    const text = await scrape();
    assert.ok(!text.includes(DEMO_OFFER_ID), 'the offer id');
    assert.ok(!text.includes(server.ownerToken), 'the token');
    assert.ok(!text.includes('not-a-real-token-4711'), 'a rejected token');
    assert.ok(!text.includes('contoso'), 'the publisher id');
    assert.ok(!text.includes('api-version'), 'a query string');
    for (const value of labelValues(text)) {
      // Route templates, methods, status codes, statement names, closed enums and versions only.
      assert.match(value, /^(\/[A-Za-z0-9_.:/{}*-]*|\(unmatched\)|[A-Za-z0-9_.+-]*)$/, value);
    }
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((match) => match[1]));
    assert.ok(routes.has('/api/publishers/:publisherId/offers/:offerId/versions/:version'));
  });
});

describe(`GET /metrics, turned off (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { app: { metrics: false } })));
  after(async () => server.close());

  it('is 404, in the error shape', async () => {
    const res = await server.call('/metrics', { token: null });
    assert.equal(res.status, 404);
    assert.equal(errorCode(res), 'NotFound');
    assert.equal((await server.call('/readyz', { token: null })).status, 200, 'readiness stays');
  });
});

describe(`GET /metrics with a token (${TEST_STORE})`, () => {
  const TOKEN = 'metrics-scrape-token-1f2e3d';
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { app: { metrics: { token: TOKEN } } })));
  after(async () => server.close());

  it('is 401 without the token or with another, 200 with it', async () => {
    const none = await server.call('/metrics', { token: null });
    assert.equal(none.status, 401);
    assert.equal(errorCode(none), 'Unauthorized');
    const wrong = await server.call('/metrics', { token: server.ownerToken });
    assert.equal(wrong.status, 401);
    assert.equal(errorCode(wrong), 'InvalidToken');
    const malformed = await server.call('/metrics', { headers: { authorization: 'Basic eDp5' }, token: null });
    assert.equal(malformed.status, 401);
    const ok = await server.call('/metrics', { token: TOKEN });
    assert.equal(ok.status, 200);
    assert.ok(ok.text.includes('cloudpartner_http_request_duration_seconds_count{route="/metrics",method="GET",status="401"} 3'), 'the refusals are counted');
    assert.ok(!ok.text.includes(TOKEN));
  });
});

describe(`GET /metrics and /readyz under the sandbox (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { app: { sandbox: true } })));
  after(async () => server.close());

  it('are never faulted nor journaled', async () => {
    const admin = await server.sandboxAdminToken();
    const rule = await server.call('/_cloudpartner/faults', {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: {}, effect: { status: 503 } }),
    });
    assert.equal(rule.status, 201, rule.text);
    assert.equal((await server.call('/healthz', { token: null })).status, 503, 'the rule acts on everything else');
    assert.equal((await server.call('/metrics', { token: null })).status, 200);
    assert.equal((await server.call('/readyz', { token: null })).status, 200);
    const journal = await server.call('/_cloudpartner/journal', { token: admin });
    const paths = (journal.json().value as Array<{ path: string }>).map((entry) => entry.path);
    assert.ok(paths.includes('/healthz'));
    assert.ok(!paths.includes('/metrics') && !paths.includes('/readyz'), paths.join(' '));
  });
});
