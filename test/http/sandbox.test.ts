/**
 * The sandbox controls over a real socket: who may use them, workflow faults (fail, block,
 * duration), HTTP faults (status, delay, drop) and the workflow clock (durations, advance).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudPartnerClient } from '../../src/client/client.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, type TestServer, errorCode, startTestServer } from '../helpers/harness.ts';
import { registerApp, tokenFromService } from '../helpers/jwt.ts';
import { JSON_HEADERS, offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';
import { until } from '../helpers/wait.ts';

const DAY = 24 * 3600_000;

async function status(server: TestServer, offerId: string) {
  return (await server.call(offerPath(offerId, '/status'))).json();
}

async function addRule(server: TestServer, admin: string, rule: unknown) {
  const res = await server.call('/_cloudpartner/faults', { method: 'POST', token: admin, headers: JSON_HEADERS, body: JSON.stringify(rule) });
  assert.equal(res.status, 201, res.text);
  return res.json() as { id: string };
}

describe('the sandbox controls', () => {
  let server: TestServer;
  let admin: string;

  const control = (path: string, method = 'GET', body?: unknown, token: string | null = admin) =>
    server.call(`/_cloudpartner/${path}`, { method, token, headers: JSON_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const addFault = async (rule: unknown) => {
    const res = await control('faults', 'POST', rule);
    assert.equal(res.status, 201, res.text);
    return res.json() as { id: string; kind: string; hits: number };
  };

  before(async () => {
    server = await startTestServer('http', { app: { sandbox: true } });
    admin = await server.sandboxAdminToken();
  });
  after(async () => server.close());

  it('take the sandbox admin token: none is 401, a publisher token or a JWT 403, and the admin token reaches no publisher', async () => {
    assert.equal(errorCode(await control('faults', 'GET', undefined, null)), 'Unauthorized');
    const publisherToken = await control('faults', 'GET', undefined, server.ownerToken);
    assert.equal(publisherToken.status, 403);
    assert.equal(errorCode(publisherToken), 'SandboxAdminRequired');
    const jwt = await tokenFromService(server, await registerApp(server, ['contoso'], 'Owner'));
    assert.equal(errorCode(await control('clock', 'GET', undefined, jwt)), 'SandboxAdminRequired');
    const offers = await server.call(offerPath('contosovirtualmachine'), { token: admin });
    assert.equal(offers.status, 403);
    assert.equal(errorCode(offers), 'Forbidden');
    assert.equal((await control('faults')).status, 200);
  });

  it('refuse a rule that is not one, naming each problem with its JSON path', async () => {
    const res = await control('faults', 'POST', { match: { operation: 'deploy', step: 'live', extra: 1 }, effect: { fail: { messages: [] } }, times: 0 });
    assert.equal(res.status, 400);
    const paths = res.json().error.problems.map((problem: { path: string }) => problem.path);
    assert.deepEqual(paths.sort(), ['$.effect.fail.messages', '$.match.extra', '$.match.operation', '$.times']);
    assert.equal(errorCode(await control('faults', 'POST', { effect: { status: 418 } })), 'InvalidRequest');
    assert.equal(errorCode(await control('faults', 'POST', { effect: { fail: { messages: ['x'] }, status: 503 } })), 'InvalidRequest');
    assert.equal(errorCode(await control('faults/00000000-0000-0000-0000-000000000000', 'DELETE')), 'FaultNotFound');
  });

  it('fail a certification exactly as a real finding, once; the next publish succeeds', async () => {
    assert.equal((await put(server, 'failonce', publishableOffer('failonce'))).status, 200);
    const finding = 'The OS disk VHD is not generalized: run sysprep (Windows) or waagent -deprovision (Linux), then capture it again.';
    const rule = await addFault({
      match: { publisherId: 'contoso', offerId: 'failonce', operation: 'publish' },
      effect: { fail: { messages: [finding] } },
      times: 1,
    });
    assert.equal(rule.kind, 'step');

    const failed = await waitForOperation(server, (await post(server, 'failonce', 'publish')).headers['location']!);
    assert.equal(failed.status, 'failed');
    const certification = failed.steps.find((step: { stepName: string }) => step.stepName === 'Certification');
    assert.equal(certification.status, 'blocked');
    assert.deepEqual(
      certification.messages.map((message: { messageHtml: string; level: string }) => [message.level, message.messageHtml]),
      [['error', finding]],
    );
    const afterFailure = await status(server, 'failonce');
    assert.equal(afterFailure.status, 'failed');
    assert.equal((await server.call(offerPath('failonce', '/slot/Preview'))).status, 404, 'a failed publish leaves Preview empty');
    assert.deepEqual((await control('faults')).json().value, [], 'a rule with times: 1 goes away once it acted');

    const again = await waitForOperation(server, (await post(server, 'failonce', 'publish')).headers['location']!);
    assert.equal(again.status, 'succeeded');
  });

  it('block a step until the rule is deleted, and the automation can cancel the publish meanwhile', async () => {
    assert.equal((await put(server, 'blocked', publishableOffer('blocked'))).status, 200);
    const rule = await addFault({ match: { offerId: 'blocked', step: 'displaycertify' }, effect: { block: true } });
    const location = (await post(server, 'blocked', 'publish')).headers['location']!;
    const held = await until(
      'the certification step',
      async () => (await server.call(location)).json(),
      (operation) => operation.steps[1].status === 'inProgress' && (server.app.sandbox!.faults.get(rule.id)?.hits ?? 0) > 0,
    );
    assert.equal(held.status, 'running');
    const canceled = await post(server, 'blocked', 'cancel');
    assert.equal(canceled.status, 200, 'a publish stops at once');
    assert.equal(canceled.json().status, 'canceled');
    assert.equal((await server.call(location)).json().status, 'canceled');
    assert.equal((await control(`faults/${rule.id}`, 'DELETE')).status, 204);

    // A hold lifted: the held step runs at once.
    const second = await addFault({ match: { offerId: 'blocked' }, effect: { block: true } });
    const next = (await post(server, 'blocked', 'publish')).headers['location']!;
    await until(
      'the hold',
      async () => server.app.sandbox!.faults.get(second.id)?.hits ?? 0,
      (hits) => hits > 0,
    );
    assert.equal((await server.call(next)).json().status, 'running');
    assert.equal((await control(`faults/${second.id}`, 'DELETE')).status, 204);
    assert.equal((await waitForOperation(server, next)).status, 'succeeded');
  });

  it('answer an injected 503 twice and then stop; the SDK retries ride it out', async () => {
    const path = `/api/publishers/contoso/offers/${DEMO_OFFER_ID}`;
    const rule = await addFault({ match: { method: 'GET', path: '/api/publishers/*/offers/*' }, effect: { status: 503, retryAfter: 0 }, times: 2 });
    assert.equal(rule.kind, 'http');
    const first = await server.call(`${path}?api-version=2017-10-31`);
    assert.equal(first.status, 503);
    assert.equal(errorCode(first), 'ServiceUnavailable');
    assert.equal(first.headers['retry-after'], '0');
    assert.match(first.json().error.message, new RegExp(rule.id));
    assert.equal((await server.call(`${path}?api-version=2017-10-31`)).status, 503);
    assert.equal((await server.call(`${path}?api-version=2017-10-31`)).status, 200);

    await addFault({ match: { path: '/api/publishers/contoso/**' }, effect: { status: 503 }, times: 2 });
    const retries: number[] = [];
    const client = new CloudPartnerClient({
      endpoint: server.baseUrl,
      token: server.ownerToken,
      publisherId: 'contoso',
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      onRetry: (event) => retries.push(event.attempt),
    });
    const offer = await client.getOffer(DEMO_OFFER_ID);
    assert.equal(offer.offer.id, DEMO_OFFER_ID);
    assert.deepEqual(retries, [1, 2]);
  });

  it('never fault the controls themselves, so a rule on every path can still be removed', async () => {
    const everything = await addFault({ match: { path: '/**' }, effect: { status: 500 } });
    const faulted = await server.call(offerPath(DEMO_OFFER_ID));
    assert.equal(faulted.status, 500);
    assert.equal(errorCode(faulted), 'InternalError');
    assert.equal((await control('faults')).status, 200);
    assert.equal((await control(`faults/${everything.id}`, 'DELETE')).status, 204);
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).status, 200);
  });

  it('hold a request, or drop its connection, before any work is done', async () => {
    const delayed = await addFault({ match: { method: 'PUT', publisherId: 'contoso' }, effect: { delayMs: 150 }, times: 1 });
    const started = Date.now();
    assert.equal((await put(server, 'delayed', publishableOffer('delayed'))).status, 200);
    assert.ok(Date.now() - started >= 140, 'the request waited'); // timers may fire a millisecond early by the wall clock
    assert.equal(server.app.sandbox!.faults.get(delayed.id), undefined);

    await addFault({ match: { method: 'PUT', path: '/api/publishers/contoso/offers/dropped' }, effect: { drop: true }, times: 1 });
    await assert.rejects(put(server, 'dropped', publishableOffer('dropped')));
    assert.equal((await server.call(offerPath('dropped'))).status, 404, 'a dropped write changed nothing');
    assert.equal((await put(server, 'dropped', publishableOffer('dropped'))).status, 200);
  });

  it('run a realistic publish — days of certification — to sign-off by moving workflow time ahead', async () => {
    const realistic = await control('clock', 'PUT', { stepDurations: 'realistic' });
    assert.equal(realistic.status, 200, realistic.text);
    assert.equal(realistic.json().stepDurations.displaycertify, 2 * DAY);
    assert.equal((await put(server, 'weeklong', publishableOffer('weeklong'))).status, 200);
    const location = (await post(server, 'weeklong', 'publish')).headers['location']!;
    assert.equal((await server.call(location)).json().status, 'running');

    const before = (await control('clock')).json();
    const advanced = await control('clock/advance', 'POST', { ms: 7 * DAY });
    assert.equal(advanced.status, 200);
    assert.equal(advanced.json().offsetMs, before.offsetMs + 7 * DAY);
    const operation = await waitForOperation(server, location);
    assert.equal(operation.status, 'succeeded');
    assert.equal((await status(server, 'weeklong')).status, 'waitingForPublisherReview');

    assert.equal(errorCode(await control('clock/advance', 'POST', { ms: -1 })), 'InvalidRequest');
    assert.equal(errorCode(await control('clock', 'PUT', { stepDurations: { nosuchstep: 1 } })), 'InvalidRequest');
    const fast = await control('clock', 'PUT', { stepDurations: { displaycertify: 5 } });
    assert.equal(fast.json().stepDurations.displaycertify, 5);
    assert.equal(fast.json().stepDurations.live, 2 * DAY, 'steps not listed keep their durations');
    assert.equal((await control('clock', 'PUT', { stepDurations: 'zero' })).json().stepDurations.live, 0);
  });

  it('set how long one step takes for one offer with a duration rule', async () => {
    await control('clock', 'PUT', { stepDurations: 'zero' });
    assert.equal((await put(server, 'slowlive', publishableOffer('slowlive'))).status, 200);
    assert.equal((await waitForOperation(server, (await post(server, 'slowlive', 'publish')).headers['location']!)).status, 'succeeded');
    await addFault({ match: { offerId: 'slowlive', step: 'live' }, effect: { durationMs: DAY } });
    const location = (await post(server, 'slowlive', 'golive')).headers['location']!;
    const running = (await server.call(location)).json();
    assert.equal(running.status, 'running');
    await control('clock/advance', 'POST', { ms: DAY });
    assert.equal((await waitForOperation(server, location)).status, 'succeeded');
  });
});

describe('sandbox reset and snapshots', () => {
  let server: TestServer;
  let admin: string;
  const control = (path: string, method = 'GET', body?: unknown) =>
    server.call(`/_cloudpartner/${path}`, { method, token: admin, ...(body === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(body) }) });
  /** What a client can see of an offer: every version's bytes and ETag, its status and its history. */
  const view = async (offerId: string) => {
    const draft = await server.call(offerPath(offerId));
    if (draft.status !== 200) return { status: draft.status };
    const versions = [];
    for (let version = 1; version <= draft.json().version; version++) versions.push((await server.call(offerPath(offerId, `/versions/${version}`))).text);
    return {
      status: draft.status,
      draft: draft.text,
      etag: draft.headers['etag'],
      versions,
      offerStatus: (await server.call(offerPath(offerId, '/status'))).text,
      history: (await server.call(offerPath(offerId, '/submissions'))).text,
    };
  };

  before(async () => {
    server = await startTestServer('http', { app: { sandbox: true } });
    admin = await server.sandboxAdminToken();
  });
  after(async () => server.close());

  it('restore brings back byte-identical documents, ETags, versions, history and secret values', async () => {
    assert.equal((await put(server, 'snap-vm', publishableOffer('snap-vm'))).status, 200);
    assert.equal((await waitForOperation(server, (await post(server, 'snap-vm', 'publish')).headers['location']!)).status, 'succeeded');
    const before = { demo: await view(DEMO_OFFER_ID), snap: await view('snap-vm') };
    const secrets = await server.store.getVersionSecrets('contoso', DEMO_OFFER_ID, 5);
    const saved = await control('snapshots/base', 'PUT');
    assert.equal(saved.status, 200, saved.text);
    assert.ok(saved.json().size > 10_000);

    const edited = publishableOffer('snap-vm');
    edited['definition'].displayText = 'changed after the snapshot';
    assert.equal((await put(server, 'snap-vm', edited)).status, 200);
    assert.equal((await waitForOperation(server, (await post(server, 'snap-vm', 'publish')).headers['location']!)).status, 'succeeded');
    assert.equal((await put(server, 'snap-new', publishableOffer('snap-new'))).status, 200);
    assert.notDeepEqual(await view('snap-vm'), before.snap);

    const restored = await control('snapshots/base/restore', 'POST');
    assert.equal(restored.status, 200, restored.text);
    assert.deepEqual(await view('snap-vm'), before.snap);
    assert.deepEqual(await view(DEMO_OFFER_ID), before.demo);
    assert.deepEqual(await view('snap-new'), { status: 404 });
    assert.deepEqual(await server.store.getVersionSecrets('contoso', DEMO_OFFER_ID, 5), secrets);
    // The restored offer goes on: it can be edited, published and taken live.
    assert.equal((await waitForOperation(server, (await post(server, 'snap-vm', 'golive')).headers['location']!)).status, 'succeeded');

    assert.deepEqual(
      (await control('snapshots')).json().value.map((snapshot: { name: string }) => snapshot.name),
      ['base'],
    );
    assert.equal(errorCode(await control('snapshots/nothing/restore', 'POST')), 'SnapshotNotFound');
    assert.equal(errorCode(await control('snapshots/bad%20name', 'PUT')), 'InvalidRequest');
    assert.equal((await control('snapshots/base', 'DELETE')).status, 204);
    assert.equal(errorCode(await control('snapshots/base', 'DELETE')), 'SnapshotNotFound');
  });

  it('a restore while operations run is safe: a step in progress runs again, an operation started since is gone', async () => {
    assert.equal((await put(server, 'mid-vm', publishableOffer('mid-vm'))).status, 200);
    const hold = (await control('faults', 'POST', { match: { offerId: 'mid-vm' }, effect: { block: true } })).json();
    const location = (await post(server, 'mid-vm', 'publish')).headers['location']!;
    await until(
      'the hold',
      async () => server.app.sandbox!.faults.get(hold.id)?.hits ?? 0,
      (hits) => hits > 0,
    );
    assert.equal((await control('snapshots/mid', 'PUT')).status, 200);
    assert.equal((await control(`faults/${hold.id}`, 'DELETE')).status, 204);
    assert.equal((await waitForOperation(server, location)).status, 'succeeded');

    assert.equal((await control('snapshots/mid/restore', 'POST')).status, 200);
    assert.equal((await waitForOperation(server, location)).status, 'succeeded', 'the restored publish runs to its end again');
    assert.equal((await status(server, 'mid-vm')).status, 'waitingForPublisherReview');

    const later = (await post(server, 'mid-vm', 'golive')).headers['location']!;
    assert.equal((await control('snapshots/mid/restore', 'POST')).status, 200);
    assert.equal((await server.call(later)).status, 404, 'an operation started after the snapshot is gone');
    await waitForOperation(server, location);
  });

  it('reset empties the catalog, brings the demo back, and with identities removes every token but the admin token', async () => {
    assert.equal((await control('reset', 'POST', {})).status, 200);
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).status, 404);
    assert.deepEqual((await server.call(`/api/publishers/contoso/offers?${API}`)).json(), []);
    assert.equal((await server.call(`/api/publishers?${API}`)).json()[0].id, 'contoso', 'publishers and tokens stay');
    assert.deepEqual((await control('faults')).json().value, []);

    assert.deepEqual((await control('reset', 'POST', { demo: true })).json(), { demo: true, identities: false });
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).status, 200);

    assert.equal((await control('reset', 'POST', { identities: true, demo: true })).status, 200);
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).status, 401, 'the publisher token is gone');
    assert.equal((await control('clock')).status, 200, 'the admin token stays');
    assert.equal((await server.store.getPublisher('contoso'))?.id, 'contoso');
    const fresh = await server.tokenFor(['contoso'], 'Owner');
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID), { token: fresh })).status, 200);

    assert.equal(errorCode(await control('reset', 'POST', { everything: true })), 'InvalidRequest');
    assert.equal(errorCode(await control('reset', 'POST', { demo: 'yes' })), 'InvalidRequest');
  });
});

describe('the request journal', () => {
  it('keeps the latest requests and answers, newest first, filtered by offer — never a token or a secret value', async () => {
    const server = await startTestServer('http', { app: { sandbox: true } });
    try {
      const admin = await server.sandboxAdminToken();
      const document = publishableOffer('journaled');
      document['definition'].offer['microsoft-azure-marketplace.marketoLeadConfiguration'] = {
        clientId: 'marketo-client-id',
        clientSecret: 'JOURNAL-SECRET-MARKETO-1',
        munchkinId: '123-ABC-456',
      };
      assert.equal((await put(server, 'journaled', document)).status, 200);
      assert.equal((await server.call(offerPath('journaled'))).status, 200);
      assert.equal((await server.call(offerPath('nosuchoffer'))).status, 404);
      const application = await registerApp(server, ['contoso'], 'Reader');
      await tokenFromService(server, application);

      const journal = await server.call('/_cloudpartner/journal?offerId=journaled', { token: admin });
      assert.equal(journal.status, 200, journal.text);
      const entries = journal.json().value;
      assert.deepEqual(
        entries.map((entry: { method: string; status: number }) => [entry.method, entry.status]),
        [
          ['GET', 200],
          ['PUT', 200],
        ],
      );
      const [read, write] = entries;
      assert.equal(write.publisherId, 'contoso');
      assert.match(write.requestBody, /marketo-client-id/, 'the request body is kept');
      assert.match(read.responseBody, /"id":"journaled"/);
      assert.ok(write.principalId && typeof write.durationMs === 'number');

      const everything = (await server.call('/_cloudpartner/journal?limit=1000', { token: admin })).text;
      assert.doesNotMatch(everything, /JOURNAL-SECRET-MARKETO-1/);
      assert.ok(!everything.includes(server.ownerToken), 'no token');
      assert.ok(!everything.includes(application.clientSecret), 'no client secret');
      assert.doesNotMatch(everything, /eyJ[A-Za-z0-9_-]+\.eyJ/, 'no JWT');
      assert.doesNotMatch(everything, /_cloudpartner/, 'the controls are not journaled');
      assert.equal(errorCode(await server.call('/_cloudpartner/journal?limit=0', { token: admin })), 'InvalidQueryParameter');
    } finally {
      await server.close();
    }
  });
});

describe('the notifications outbox', () => {
  it('keeps the e-mails the service would send about operations, to their notification-emails, newest first', async () => {
    const server = await startTestServer('http', { app: { sandbox: true } });
    try {
      const admin = await server.sandboxAdminToken();
      const outbox = async (query: string) => {
        const res = await server.call(`/_cloudpartner/outbox${query}`, { token: admin });
        assert.equal(res.status, 200, res.text);
        return res.json().value as Array<{ to: string[]; subject: string; text: string; offerId: string; operationId: string }>;
      };
      assert.equal((await put(server, 'mailed', publishableOffer('mailed'))).status, 200);
      await addRule(server, admin, { match: { offerId: 'mailed' }, effect: { fail: { messages: ['The VHD is not generalized.'] } }, times: 1 });
      const failed = await post(server, 'mailed', 'publish', { metadata: { 'notification-emails': 'jdoe@contoso.com, ops@contoso.com' } });
      assert.equal((await waitForOperation(server, failed.headers['location']!)).status, 'failed');
      const published = await post(server, 'mailed', 'publish', { metadata: { 'notification-emails': 'jdoe@contoso.com' } });
      assert.equal((await waitForOperation(server, published.headers['location']!)).status, 'succeeded');

      const messages = await outbox('?offerId=mailed');
      assert.deepEqual(
        messages.map((message) => message.subject),
        ['Ready for your review: mailed', 'Started: publish of mailed', 'Action needed: publish of mailed failed', 'Started: publish of mailed'],
      );
      assert.deepEqual(messages[2]!.to, ['jdoe@contoso.com', 'ops@contoso.com']);
      assert.match(messages[2]!.text, /failed: The VHD is not generalized\./);
      assert.equal(messages[0]!.operationId, published.json().id);
      assert.deepEqual(
        (await outbox('?to=OPS@contoso.com')).map((message) => message.subject),
        ['Action needed: publish of mailed failed', 'Started: publish of mailed'],
      );
      assert.equal((await outbox('?offerId=mailed&limit=1')).length, 1);
      assert.equal(errorCode(await server.call('/_cloudpartner/outbox?limit=x', { token: admin })), 'InvalidQueryParameter');
      const sdk = new CloudPartnerClient({ endpoint: server.baseUrl, token: admin }).sandbox;
      assert.equal((await sdk.outbox({ offerId: 'mailed' })).length, 4);
    } finally {
      await server.close();
    }
  });
});

describe('the sandbox controls from the SDK', () => {
  it('add, list and remove rules, and read, set and move the clock', async () => {
    const server = await startTestServer('http', { app: { sandbox: true } });
    try {
      const sandbox = new CloudPartnerClient({ endpoint: server.baseUrl, token: await server.sandboxAdminToken() }).sandbox;
      const rule = await sandbox.addFault({ match: { offerId: 'sdk-vm' }, effect: { block: true } });
      assert.equal(rule.kind, 'step');
      assert.deepEqual(
        (await sandbox.listFaults()).map((listed) => listed.id),
        [rule.id],
      );
      await sandbox.removeFault(rule.id);
      assert.deepEqual(await sandbox.listFaults(), []);
      await assert.rejects(sandbox.removeFault(rule.id), (error: { code?: string }) => error.code === 'FaultNotFound');

      const clock = await sandbox.setStepDurations({ live: 1234 });
      assert.equal(clock.stepDurations['live'], 1234);
      const moved = await sandbox.advanceClock(60_000);
      assert.equal(moved.offsetMs, clock.offsetMs + 60_000);
      assert.equal((await sandbox.getClock()).offsetMs, moved.offsetMs);
      const snapshot = await sandbox.saveSnapshot('sdk');
      assert.equal(snapshot.name, 'sdk');
      assert.deepEqual(
        (await sandbox.listSnapshots()).map((saved) => saved.name),
        ['sdk'],
      );
      assert.deepEqual(await sandbox.reset(), { demo: false, identities: false });
      await sandbox.restoreSnapshot('sdk');
      assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).status, 200, 'the restore brought the demo offer back');
      await sandbox.deleteSnapshot('sdk');
      assert.deepEqual(await sandbox.listSnapshots(), []);
      const publisher = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken }).sandbox;
      await assert.rejects(publisher.getClock(), (error: { status?: number; code?: string }) => error.status === 403 && error.code === 'SandboxAdminRequired');
    } finally {
      await server.close();
    }
  });
});

describe('without --sandbox', () => {
  it('every sandbox path is 404, whatever the token', async () => {
    const server = await startTestServer('http');
    try {
      const admin = await server.sandboxAdminToken();
      for (const [method, path] of [
        ['GET', '/_cloudpartner/faults'],
        ['POST', '/_cloudpartner/faults'],
        ['GET', '/_cloudpartner/clock'],
        ['POST', '/_cloudpartner/clock/advance'],
      ] as const) {
        const res = await server.call(path, { method, token: admin, ...(method === 'POST' ? { headers: JSON_HEADERS, body: '{}' } : {}) });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(errorCode(res), 'NotFound');
      }
    } finally {
      await server.close();
    }
  });
});
