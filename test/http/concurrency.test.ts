/**
 * Concurrent clients over a real socket: optimistic concurrency of PUT (exactly one writer wins
 * an ETag), last-writer-wins with `If-Match: *`, idempotent publish under a burst, and publish,
 * go-live and cancel racing each other without ever leaving the offer inconsistent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withDisplayText(id: string, displayText: string): Record<string, any> {
  const document = publishableOffer(id);
  document['definition'].displayText = displayText;
  return document;
}

async function create(server: TestServer, id: string): Promise<Response> {
  const res = await put(server, id, withDisplayText(id, `${id} (created)`));
  assert.equal(res.status, 200, res.text);
  return res;
}

describe('concurrent draft writes (http)', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('100 PUTs with the same If-Match ETag: exactly one wins, 99 get 412, and the stored draft is the winner', async () => {
    const id = 'cas-race';
    const etag = (await create(server, id)).headers['etag']!;
    assert.ok(etag);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => put(server, id, withDisplayText(id, `writer ${i}`), etag)));

    const winners = results.flatMap((res, i) => (res.status === 200 ? [i] : []));
    assert.equal(winners.length, 1, `statuses: ${results.map((res) => res.status).join(',')}`);
    const losers = results.filter((res) => res.status !== 200);
    assert.equal(losers.length, 99);
    for (const res of losers) {
      assert.equal(res.status, 412, res.text);
      assert.equal(errorCode(res), 'PreconditionFailed');
    }

    const winner = results[winners[0]!]!;
    assert.equal(winner.json().definition.displayText, `writer ${winners[0]}`, 'the winner is answered with its own document');
    assert.ok(winner.headers['etag']);
    assert.notEqual(winner.headers['etag'], etag, 'the ETag changed');
    const stored = await server.call(offerPath(id));
    assert.equal(stored.status, 200);
    assert.equal(stored.headers['etag'], winner.headers['etag']);
    assert.deepEqual(stored.json(), winner.json());
    assert.equal(stored.json().version, 1, 'a draft edit makes no new version');

    const stale = await put(server, id, withDisplayText(id, 'late'), etag);
    assert.equal(stale.status, 412);
    assert.deepEqual((await server.call(offerPath(id))).json(), winner.json(), 'a stale write changes nothing');
  });

  it('concurrent If-Match: * writers all succeed with distinct ETags; the last one committed is stored', async () => {
    const id = 'lww-race';
    await create(server, id);
    const count = 30;
    const results = await Promise.all(Array.from({ length: count }, (_, i) => put(server, id, withDisplayText(id, `writer ${i}`), '*')));
    results.forEach((res, i) => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().definition.displayText, `writer ${i}`, 'each writer is answered with its own document');
    });
    const etags = results.map((res) => res.headers['etag']);
    assert.equal(new Set(etags).size, count, 'every write has its own ETag');

    const stored = await server.call(offerPath(id));
    const index = etags.indexOf(stored.headers['etag']);
    assert.ok(index >= 0, `the stored ETag ${stored.headers['etag']} is one of the writers'`);
    assert.deepEqual(stored.json(), results[index]!.json(), 'the stored draft is the document of the write with that ETag');
    // Last writer wins: the stored write is the latest one (document timestamps increase with each write).
    const latest = results.reduce((a, b) => (a.json().changedTime > b.json().changedTime ? a : b));
    assert.equal(stored.json().changedTime, latest.json().changedTime);
    assert.equal(new Set(results.map((res) => res.json().changedTime)).size, count);
  });
});

describe('concurrent publishes (http)', () => {
  let server: TestServer;
  // Steps take a minute: the publish is still running while the test looks at it.
  before(async () => (server = await startTestServer('http', { stepMs: 60_000 })));
  after(async () => server.close());

  const id = 'idempotent-publish';

  it('20 concurrent publishes of an unchanged draft start one operation and all answer 202 with it', async () => {
    await create(server, id);
    const results = await Promise.all(Array.from({ length: 20 }, () => post(server, id, 'publish')));
    for (const res of results) {
      assert.equal(res.status, 202, res.text);
      assert.equal(res.headers['operation-location'], res.headers['location']);
    }
    const ids = new Set(results.map((res) => res.json().id));
    assert.equal(ids.size, 1, `operation ids: ${[...ids].join(', ')}`);
    assert.equal(new Set(results.map((res) => res.headers['location'])).size, 1);
    const [operationId] = ids;

    const submissions = (await server.call(offerPath(id, '/submissions'))).json();
    assert.deepEqual(
      submissions.map((s: any) => [s.id, s.submissionType, s.status]),
      [[operationId, 'publish', 'running']],
    );
    const offer = (await server.call(offerPath(id))).json();
    assert.equal(offer.version, 2, 'one version was frozen, not twenty');
    assert.equal(offer.status, 'running');
    assert.equal((await server.call(offerPath(id, '/versions/3'))).status, 404);
  });

  it('publish after the draft was edited while a publish runs → 409 OperationInProgress, and nothing changes', async () => {
    const running = (await server.call(offerPath(id, '/submissions'))).json();
    assert.equal(running.length, 1);
    const draft = await server.call(offerPath(id));
    const edited = draft.json();
    edited.definition.displayText = 'edited while publishing';
    const saved = await put(server, id, edited, draft.headers['etag']);
    assert.equal(saved.status, 200, saved.text);

    const results = await Promise.all(Array.from({ length: 5 }, () => post(server, id, 'publish')));
    for (const res of results) {
      assert.equal(res.status, 409, res.text);
      assert.equal(errorCode(res), 'OperationInProgress');
    }
    assert.deepEqual((await server.call(offerPath(id, '/submissions'))).json(), running, 'still the one running operation');
    const offer = (await server.call(offerPath(id))).json();
    assert.equal(offer.version, 2);
    assert.equal(offer.definition.displayText, 'edited while publishing', 'the edit is kept');

    const cancel = await post(server, id, 'cancel');
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.json().id, running[0].id);
  });
});

/** The offer status an operation leaves behind (the workflow's documented outcome table). */
function statusAfter(operation: { submissionType: string; status: string }): string {
  if (operation.status === 'failed') return 'failed';
  if (operation.status === 'canceled' || operation.submissionType === 'cancel') return 'canceled';
  return operation.submissionType === 'publish' ? 'waitingForPublisherReview' : 'succeeded';
}

describe('publish racing go-live and cancel (http)', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { stepMs: 15 })));
  after(async () => server.close());

  const ACTIONS = ['publish', 'golive', 'cancel'] as const;
  const ORDERS = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ] as const;

  it('whatever wins, the offer ends consistent: one operation at a time, all terminal, status and slots matching', async (t) => {
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 12; round++) {
      const id = `race-${round}`;
      // Each launch order twice: on an offer with a version in Preview, and on a new one.
      const prepublished = round < ORDERS.length;
      await create(server, id);
      if (prepublished) {
        const first = await waitForOperation(server, (await post(server, id, 'publish')).headers['location']!);
        assert.equal(first.status, 'succeeded');
        const draft = await server.call(offerPath(id));
        const edited = draft.json();
        edited.definition.displayText = `${id} (second version)`;
        assert.equal((await put(server, id, edited, draft.headers['etag'])).status, 200);
      }
      const history = (await server.call(offerPath(id, '/submissions'))).json();
      assert.equal(history.length, prepublished ? 1 : 0);

      // Watch the offer while the race runs: never more than one operation running.
      let racing = true;
      let mostRunning = 0;
      const watcher = (async () => {
        while (racing) {
          const list = (await server.call(offerPath(id, '/submissions'))).json();
          mostRunning = Math.max(mostRunning, list.filter((s: any) => s.status === 'running').length);
          await sleep(2);
        }
      })();

      const order = ORDERS[round % ORDERS.length]!;
      const pending: Partial<Record<(typeof ACTIONS)[number], Promise<Response>>> = {};
      for (const index of order) pending[ACTIONS[index]] = post(server, id, ACTIONS[index]);
      const [publish, goLive, cancel] = await Promise.all([pending.publish!, pending.golive!, pending.cancel!]);
      outcomes.set(`${publish.status}/${goLive.status}/${cancel.status}`, (outcomes.get(`${publish.status}/${goLive.status}/${cancel.status}`) ?? 0) + 1);
      const where = `round ${round} (${order.map((i) => ACTIONS[i]).join(', ')}): publish ${publish.status}, golive ${goLive.status}, cancel ${cancel.status}`;

      // Every answer is one the API documents for the situation.
      if (publish.status !== 202) assert.equal(errorCode(publish), 'OperationInProgress', where);
      if (goLive.status !== 202) {
        assert.equal(goLive.status, 409, where);
        assert.ok(['OperationInProgress', ...(prepublished ? [] : ['NotReadyToGoLive'])].includes(errorCode(goLive)), `${where}: ${goLive.text}`);
      }
      if (cancel.status === 409) assert.equal(errorCode(cancel), 'NoOperationToCancel', where);
      else assert.ok([200, 202].includes(cancel.status), `${where}: ${cancel.text}`);

      // Let everything finish.
      const final = await (async () => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const list = (await server.call(offerPath(id, '/submissions'))).json();
          if (!list.some((s: any) => s.status === 'running')) return list;
          if (Date.now() > deadline) throw new Error(`${where}: operations still running after 15 s: ${JSON.stringify(list)}`);
          await sleep(20);
        }
      })();
      racing = false;
      await watcher;
      assert.ok(mostRunning <= 1, `${where}: ${mostRunning} operations were running at once`);

      // Every accepted request is one operation in the history, and nothing else is.
      const accepted = [publish, goLive, cancel].filter((res) => res.status === 202).map((res) => res.json().id);
      assert.equal(final.length, history.length + accepted.length, `${where}: ${JSON.stringify(final)}`);
      for (const operationId of accepted)
        assert.ok(
          final.some((s: any) => s.id === operationId),
          where,
        );
      assert.equal(new Set(final.map((s: any) => s.id)).size, final.length);
      for (const operation of final) assert.ok(['completed', 'canceled'].includes(operation.status), `${where}: ${JSON.stringify(operation)}`);

      if (publish.status === 202) {
        const operation = final.find((s: any) => s.id === publish.json().id);
        assert.equal(operation.submissionType, 'publish');
      }
      if (goLive.status === 202) assert.equal(final.find((s: any) => s.id === goLive.json().id).submissionType, 'golive', where);
      if (cancel.status === 200) {
        // Cancel stopped a publish at once: the operation it returned is that publish, canceled.
        assert.equal(cancel.json().status, 'canceled', where);
        const canceled = final.find((s: any) => s.id === cancel.json().id);
        assert.equal(canceled?.submissionType, 'publish', where);
        assert.equal(canceled.status, 'canceled', where);
      }
      if (cancel.status === 202) {
        // Cancel withdrew a go-live: its own operation completed, the go-live ended canceled.
        assert.equal(final.find((s: any) => s.id === cancel.json().id).submissionType, 'cancel', where);
        assert.equal(goLive.status, 202, where);
        assert.equal(final.find((s: any) => s.id === goLive.json().id).status, 'canceled', where);
      }

      // The offer reflects how the last operation ended.
      const offer = (await server.call(offerPath(id))).json();
      const last = final[0];
      if (last) assert.equal(offer.status, statusAfter(last), `${where}: ${JSON.stringify(final)}`);
      else assert.equal(offer.status, 'neverPublished', where);
      const status = (await server.call(offerPath(id, '/status'))).json();
      assert.equal(status.status, offer.status, where);
      // Every publish that started froze one version.
      assert.equal(offer.version, 1 + final.filter((s: any) => s.submissionType === 'publish').length, where);

      // Slots point to existing versions: Preview to the last completed publish, Production to the last completed go-live.
      const lastCompleted = (type: string) => final.find((s: any) => s.submissionType === type && s.status === 'completed');
      for (const [slot, type] of [
        ['Preview', 'publish'],
        ['Production', 'golive'],
      ] as const) {
        const res = await server.call(offerPath(id, `/slot/${slot}`));
        const expected = lastCompleted(type);
        if (!expected) {
          assert.equal(res.status, 404, `${where}: ${slot} ${res.text}`);
          assert.equal(errorCode(res), 'SlotEmpty');
          continue;
        }
        assert.equal(res.status, 200, `${where}: ${slot} ${res.text}`);
        assert.equal(res.json().version, expected.publishingVersion, `${where}: ${slot}`);
        assert.ok(res.json().version < offer.version, `${where}: ${slot} holds a frozen version`);
        const byNumber = await server.call(offerPath(id, `/versions/${res.json().version}`));
        assert.equal(byNumber.status, 200);
        assert.deepEqual(byNumber.json().definition, res.json().definition, where);
      }
    }
    // Which interleavings happened (publish/golive/cancel statuses → rounds).
    t.diagnostic(`race outcomes (publish/golive/cancel → rounds): ${JSON.stringify(Object.fromEntries(outcomes))}`);
  });
});
