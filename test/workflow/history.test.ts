/**
 * The offer's status, its submissions list and the legacy operation id read only what they show
 * (operationsSinceLatestPublish, listSubmissions, findOperationOfVersion), not the whole history:
 * on an offer with a long history, each answer equals what the whole history renders.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { workflowSql } from '../../src/store/workflow/statements.ts';
import { renderOfferStatus, renderSubmission } from '../../src/domain/operations.ts';
import { TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

describe(`status and submissions on a long history (${TEST_STORE})`, () => {
  let server: TestServer;
  const id = 'history-long';

  before(async () => {
    server = await startTestServer('http');
    assert.equal((await put(server, id, publishableOffer(id))).status, 200);
    // A published and live version, then many canceled publishes, and a last publish that
    // completes and goes live: the status shows that publish's steps and that go-live's.
    await waitForOperation(server, (await post(server, id, 'publish')).headers['location']!);
    await waitForOperation(server, (await post(server, id, 'golive')).headers['location']!);
    for (let round = 0; round < 12; round++) {
      const started = await post(server, id, 'publish');
      assert.equal(started.status, 202, started.text);
      const canceled = await post(server, id, 'cancel');
      assert.equal(canceled.status, 200, canceled.text);
    }
    await waitForOperation(server, (await post(server, id, 'publish')).headers['location']!);
    await waitForOperation(server, (await post(server, id, 'golive')).headers['location']!);
  });
  after(() => server.close());

  it('GET /status equals the status rendered from the whole history', async () => {
    const answer = await server.call(offerPath(id, '/status'));
    assert.equal(answer.status, 200, answer.text);
    const offer = await server.store.getOffer('contoso', id);
    const history = await server.store.listOperations('contoso', id);
    assert.equal(history.length, 2 + 12 + 2);
    const expected = renderOfferStatus(offer!, history, server.app.workflow.now());
    assert.deepEqual(answer.json(), JSON.parse(JSON.stringify(expected)));
    // The go-live after the latest publish is read too: its step is the last, complete.
    assert.equal(answer.json().steps.at(-1).status, 'complete');
    assert.ok(answer.json().steps.length > 1);
  });

  it('GET /submissions, whole and filtered by state, equals the whole history newest first', async () => {
    const history = await server.store.listOperations('contoso', id);
    const newestFirst = [...history]
      .reverse()
      .map((operation) => renderSubmission({ ...operation, blockedSteps: operation.steps.filter((step) => step.status === 'blocked') }));
    const whole = await server.call(offerPath(id, '/submissions'));
    assert.equal(whole.status, 200, whole.text);
    assert.deepEqual(whole.json(), JSON.parse(JSON.stringify(newestFirst)));
    for (const state of ['canceled', 'completed', 'running']) {
      const filtered = await server.call(`${offerPath(id, '/submissions')}&status=${state}`);
      assert.equal(filtered.status, 200, filtered.text);
      const expected = newestFirst.filter((submission) => submission.status === state);
      assert.deepEqual(filtered.json(), JSON.parse(JSON.stringify(expected)), state);
    }
    assert.equal(newestFirst.filter((submission) => submission.status === 'canceled').length, 12);
  });

  it('the legacy operation id finds the newest operation of that version and kind', async () => {
    const history = await server.store.listOperations('contoso', id);
    const firstPublish = history[0]!;
    const answer = await server.call(`/api/operations/contoso$${id}$${firstPublish.publishingVersion}$preview?api-version=2017-10-31`);
    assert.equal(answer.status, 200, answer.text);
    const expected = [...history].reverse().find((operation) => operation.type === 'publish' && operation.publishingVersion === firstPublish.publishingVersion);
    assert.equal(answer.json().id, expected!.id);
    const live = await server.call(`/api/operations/contoso$${id}$${firstPublish.publishingVersion}$production?api-version=2017-10-31`);
    assert.equal(live.status, 200, live.text);
    assert.equal(live.json().id, history[1]!.id);
    assert.equal((await server.call(`/api/operations/contoso$${id}$999$preview?api-version=2017-10-31`)).status, 404);
  });

  it("the status's statements find the operations since the latest publish by time, a state's list by state (D108)", async () => {
    // The index each statement reads the offer's operations (`o`) by, as the database plans it for
    // any offer: PostgreSQL's generic plan of the prepared statement, SQLite's query plan.
    const indexOfOperations = async (text: { sqlite: string | null; postgres: string }, values: string[]): Promise<string[]> => {
      if (TEST_STORE === 'sqlite') {
        const db = new Database(join(server.dataDir, 'cloudpartner.db'), { readonly: true });
        try {
          const plan = db.prepare(`EXPLAIN QUERY PLAN ${text.sqlite}`).all(...values) as Array<{ detail: string }>;
          return plan.map((row) => /^(?:SEARCH|SCAN) o USING (?:COVERING )?INDEX (\w+)/.exec(row.detail)?.[1]).filter((name) => name !== undefined);
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: server.databaseUrl });
      await client.connect();
      try {
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE planned AS ${text.postgres}`);
        const plan = (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE planned(${values.map((v) => `'${v}'`).join(', ')})`)).rows[0]['QUERY PLAN'];
        const found: string[] = [];
        const walk = (node: Record<string, any>) => {
          if (node['Alias'] === 'o' && node['Relation Name'] === 'operations') found.push(node['Index Name'] ?? node['Node Type']);
          for (const child of node['Plans'] ?? []) walk(child);
        };
        walk(plan[0]['Plan']);
        return found;
      } finally {
        await client.end();
      }
    };
    assert.deepEqual(await indexOfOperations(workflowSql.sinceLatestPublish, ['contoso', id, 'contoso', id]), ['operations_by_offer']);
    assert.deepEqual(await indexOfOperations(workflowSql.stepsSinceLatestPublish, ['contoso', id, 'contoso', id]), ['operations_by_offer']);
    // What pollers send (status=running): by state, not along the whole history in time order.
    assert.deepEqual(await indexOfOperations(workflowSql.submissionsInState, ['contoso', id, 'running']), ['operations_by_offer_state']);
    // The legacy operation id: the newest of a kind and version, by kind.
    assert.deepEqual(await indexOfOperations(workflowSql.operationOfVersion, ['contoso', id, 'publish', '1']), ['operations_by_offer_type']);
  });
});
