/**
 * GET /readyz over a real socket: ready, not ready while migrations are pending, 503 in the API's
 * error shape during a graceful shutdown, and — on PostgreSQL — while the database is down, with
 * no other 5xx answered by any route during the outage, and ready again once it is back.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { DEMO_OFFER_ID, loadDemoData } from '../../src/demo/demo-data.ts';
import { buildApp } from '../../src/http/app.ts';
import { createAccessToken } from '../../src/identity/access-tokens.ts';
import { DATABASE_FILE, openStore } from '../../src/store/open.ts';
import { fixedDurations } from '../../src/workflow/durations.ts';
import { API, TEST_STORE, makeDataDir, openTestStore, startTestServer, type TestServer } from '../helpers/harness.ts';
import { createDatabase, startOwnPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/wait.ts';

const OFFER = `/api/publishers/contoso/offers/${DEMO_OFFER_ID}?${API}`;

describe(`GET /readyz (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('is 200 {"status":"ready"} without a token or api-version', async () => {
    const res = await server.call('/readyz', { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ready' });
    assert.equal((await server.call('/healthz', { token: null })).status, 200, '/healthz stays the liveness check');
  });
});

describe(`GET /readyz while migrations are pending (${TEST_STORE})`, () => {
  it('is 503 ServiceUnavailable naming the migration, then 200 once it is recorded again', async () => {
    const backend = await openTestStore();
    const app = await buildApp({ store: backend.store, stepDurations: fixedDurations(20) });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    // The newest migration forgotten, as a database an older version left behind would have it.
    const exec = async (text: string) => {
      if (TEST_STORE === 'sqlite') {
        const db = new BetterSqlite3(join(backend.dataDir, DATABASE_FILE));
        try {
          const statement = db.prepare(text);
          if (statement.reader) return statement.all() as Array<Record<string, unknown>>;
          statement.run();
          return [];
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: backend.databaseUrl });
      await client.connect();
      try {
        return (await client.query(text)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    };
    try {
      const [newest] = await exec('SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1');
      assert.ok(newest);
      await exec(`DELETE FROM kysely_migration WHERE name = '${newest['name']}'`);
      const res = await fetch(`${base}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'ServiceUnavailable');
      assert.match(body.error.message, new RegExp(`migrations are pending: ${newest['name']}`));
      assert.equal(res.headers.get('retry-after'), '1');
      await exec(`INSERT INTO kysely_migration (name, timestamp) VALUES ('${newest['name']}', '${newest['timestamp']}')`);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
    } finally {
      await app.close();
      await backend.close();
    }
  });
});

/**
 * Writes `head` — a request without the blank line that ends its headers, so the connection is
 * receiving a request and a shutdown does not close it as idle — then, once `between` has run, the
 * blank line. Resolves with everything the server wrote before it closed the connection.
 */
function requestAcross(port: number, head: string, between: () => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(head);
      between().then(() => socket.write('\r\n'), reject);
    });
  });
}

describe(`GET /readyz during a graceful shutdown (${TEST_STORE})`, () => {
  it('answers 503 ServiceUnavailable in the error shape, with Connection: close', async () => {
    const server = await startTestServer('http');
    const port = Number(new URL(server.baseUrl).port);
    let closed: Promise<void> | undefined;
    try {
      assert.equal((await server.call('/readyz', { token: null })).status, 200);
      const text = await requestAcross(port, 'GET /readyz HTTP/1.1\r\nHost: x\r\n', async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        closed = server.app.close();
        await new Promise((resolve) => setTimeout(resolve, 50));
      });
      assert.match(text, /^HTTP\/1\.1 503 /, text);
      assert.match(text, /\r\nconnection: close\r\n/i);
      assert.match(text, /\r\ncontent-type: application\/json/i);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(body.error.code, 'ServiceUnavailable');
      assert.match(body.error.message, /shutting down/);
      await closed;
    } finally {
      await closed;
      await server.close().catch(() => {});
    }
  });
});

if (TEST_STORE === 'postgres') {
  describe('GET /readyz while PostgreSQL is down (a cluster of this suite’s own)', () => {
    it('is 503 during the outage and 200 after; no route answers another 5xx meanwhile', async () => {
      const postgres = await startOwnPostgres();
      const dataDir = makeDataDir();
      const database = await createDatabase(postgres);
      const store = await openStore({ dataDir, databaseUrl: database.url });
      await loadDemoData(store);
      const token = (await createAccessToken(store, { publisherIds: ['contoso'], role: 'Owner' })).token;
      const app = await buildApp({ store, stepDurations: fixedDurations(20), workflowPollMs: 50 });
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const answers: Array<{ path: string; status: number; text: string }> = [];
      let probing = true;
      // Every 25 ms: an API read with a token, a write, the liveness and readiness checks, the metrics.
      const probe = (async () => {
        const paths = [OFFER, `/api/publishers/contoso/offers?${API}`, '/healthz', '/readyz', '/metrics'];
        for (let i = 0; probing; i++) {
          const path = paths[i % paths.length]!;
          const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
          if (res) answers.push({ path, status: res.status, text: await res.text() });
          if (i % 7 === 0) {
            const put = await fetch(`${base}/api/publishers/contoso/offers/outage-offer?${API}`, {
              method: 'PUT',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({
                offerTypeId: 'microsoft-azure-virtualmachines',
                publisherId: 'contoso',
                id: 'outage-offer',
                definition: { displayText: 'x', offer: {}, plans: [] },
              }),
            }).catch(() => undefined);
            if (put) answers.push({ path: 'PUT outage-offer', status: put.status, text: await put.text() });
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      const readyz = async () => (await fetch(`${base}/readyz`)).status;
      try {
        assert.equal(await readyz(), 200);
        await postgres.pause();
        await until('/readyz is 503', readyz, (status) => status === 503, 15_000);
        const during = answers.length;
        await new Promise((resolve) => setTimeout(resolve, 1000)); // every route probed while it is down
        const scrape = await (await fetch(`${base}/metrics`)).text();
        assert.match(scrape, /^cloudpartner_database_up 0$/m);
        await postgres.resume();
        await until('/readyz is 200 again', readyz, (status) => status === 200, 30_000);
        const res = await fetch(base + OFFER, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, 'the API serves again');
        probing = false;
        await probe;
        const outage = answers.slice(during);
        for (const path of ['/readyz', OFFER]) {
          assert.ok(
            outage.some((answer) => answer.path === path && answer.status === 503),
            `${path} answered 503 during the outage: ${outage.map((a) => a.status).join(',')}`,
          );
        }
        // Liveness does not depend on the database: a probe must not restart a process that is fine.
        const liveness = outage.filter((answer) => answer.path === '/healthz');
        assert.ok(
          liveness.length > 0 && liveness.every((answer) => answer.status === 200),
          `/healthz during the outage: ${liveness.map((a) => a.status).join(',')}`,
        );
        for (const answer of answers.filter((a) => a.status >= 500)) {
          assert.equal(answer.status, 503, `${answer.path}: ${answer.status} ${answer.text}`);
          const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
          assert.deepEqual(Object.keys(body), ['error']);
          assert.equal(body.error.code, 'ServiceUnavailable', `${answer.path}: ${answer.text}`);
        }
      } finally {
        probing = false;
        await probe;
        await app.close();
        await store.close();
        await postgres.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
