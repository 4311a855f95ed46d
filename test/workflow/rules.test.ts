/** The rules of publish, go-live and cancel: validation, preconditions, certification, cancellation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID, seedOfferDocument } from '../../src/demo/demo-data.ts';
import { errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

describe('publish, go-live and cancel rules', () => {
  let server: TestServer;
  let slow: TestServer;
  before(async () => {
    server = await startTestServer('inject');
    slow = await startTestServer('inject', { stepMs: 60_000 });
  });
  after(async () => {
    await server.close();
    await slow.close();
  });

  it('an incomplete draft → 422 with every problem, and no operation starts', async () => {
    const id = 'rules-incomplete';
    await put(server, id, { offerTypeId: 'microsoft-azure-virtualmachines', definition: { displayText: 'WIP', offer: {}, plans: [{ planId: 'p1' }] } });
    const res = await post(server, id, 'publish');
    assert.equal(res.status, 422);
    assert.equal(errorCode(res), 'OfferValidationFailed');
    const problems = res.json().error.problems as Array<{ path: string; message: string }>;
    assert.ok(problems.length >= 5);
    assert.ok(problems.some((problem) => problem.path.includes("['microsoft-azure-marketplace.title']")));
    assert.ok(
      problems.some((problem) => /image/i.test(problem.message)),
      JSON.stringify(problems),
    );
    assert.deepEqual((await server.call(offerPath(id, '/submissions'))).json(), []);
    assert.equal((await server.call(offerPath(id))).json().version, 1, 'no version was frozen');
  });

  it('certification checks the document: an expired SAS URL fails the publish with a message the publisher can act on', async () => {
    const id = 'rules-expired-sas';
    const document = publishableOffer(id);
    document['definition'].plans[0]['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl = (seedOfferDocument().definition['plans'] as any)[0][
      'microsoft-azure-virtualmachines.vmImages'
    ]['1.0.1'].osVhdUrl;
    assert.equal((await put(server, id, document)).status, 200);
    const res = await post(server, id, 'publish');
    assert.equal(res.status, 202);
    const operation = await waitForOperation(server, res.headers['location']!);
    assert.equal(operation.status, 'failed');
    const certify = operation.steps.find((step: { id: string }) => step.id === 'displaycertify');
    assert.equal(certify.status, 'blocked');
    assert.equal(certify.messages[0].level, 'error');
    assert.match(certify.messages[0].messageHtml, /contososkuidentifier/);
    assert.match(certify.messages[0].messageHtml, /expired/);
    const status = (await server.call(offerPath(id, '/status'))).json();
    assert.equal(status.status, 'failed');
    assert.match(status.messages[0].messageHtml, /expired/);
    assert.equal((await server.call(offerPath(id, '/slot/Preview'))).status, 404, 'nothing reached Preview');
  });

  it('an image already certified in Preview is not failed again for its SAS URL expiring since', async () => {
    // The demo offer's Preview (v3) holds image 1.0.1 with the seed's (now expired) SAS URL.
    const res = await post(server, DEMO_OFFER_ID, 'publish');
    assert.equal(res.status, 202);
    const operation = await waitForOperation(server, res.headers['location']!);
    assert.equal(operation.status, 'succeeded', JSON.stringify(operation.steps));
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID, '/slot/Preview'))).json().version, 5);
  });

  it('go-live needs a version in Preview that is not live yet', async () => {
    const id = 'rules-golive';
    await put(server, id, publishableOffer(id));
    const early = await post(server, id, 'golive');
    assert.equal(early.status, 409);
    assert.equal(errorCode(early), 'NotReadyToGoLive');
    await waitForOperation(server, (await post(server, id, 'publish')).headers['location']!);
    await waitForOperation(server, (await post(server, id, 'golive')).headers['location']!);
    const twice = await post(server, id, 'golive');
    assert.equal(twice.status, 409);
    assert.match(twice.json().error.message, /already live/);
  });

  it('nothing to cancel → 409 NoOperationToCancel; unknown offers → 404', async () => {
    await put(server, 'rules-idle', publishableOffer('rules-idle'));
    assert.equal(errorCode(await post(server, 'rules-idle', 'cancel')), 'NoOperationToCancel');
    for (const action of ['publish', 'golive', 'cancel'] as const) {
      assert.equal(errorCode(await post(server, 'rules-nothing-here', action)), 'OfferNotFound');
    }
  });

  it('rejects bad notification e-mails and bodies with 400', async () => {
    await put(server, 'rules-emails', publishableOffer('rules-emails'));
    assert.equal(errorCode(await post(server, 'rules-emails', 'publish', { metadata: { 'notification-emails': 'not an email' } })), 'InvalidRequest');
    assert.equal(errorCode(await post(server, 'rules-emails', 'publish', { metadata: 'x' })), 'InvalidRequest');
    assert.equal(errorCode(await post(server, 'rules-emails', 'publish', [1])), 'InvalidRequest');
    assert.deepEqual((await server.call(offerPath('rules-emails', '/submissions'))).json(), []);
  });

  it('a publish is idempotent while the same draft publishes; anything else while it runs → 409', async () => {
    const id = 'rules-running';
    const created = await put(slow, id, publishableOffer(id));
    assert.equal(created.status, 200);
    const first = await post(slow, id, 'publish');
    const second = await post(slow, id, 'publish');
    assert.equal(second.status, 202);
    assert.equal(second.headers['location'], first.headers['location']);
    assert.equal(errorCode(await post(slow, id, 'golive')), 'OperationInProgress');
    const draft = await slow.call(offerPath(id));
    const edited = draft.json();
    edited.definition.displayText = 'Edited while publishing';
    assert.equal((await put(slow, id, edited, draft.headers['etag'])).status, 200, 'the draft stays editable');
    const third = await post(slow, id, 'publish');
    assert.equal(third.status, 409);
    assert.equal(errorCode(third), 'OperationInProgress');
  });

  it('cancel stops a publish at once with 200; the offer is canceled and Preview untouched', async () => {
    const id = 'rules-cancel-publish';
    await put(slow, id, publishableOffer(id));
    const publish = await post(slow, id, 'publish');
    const cancel = await post(slow, id, 'cancel');
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.json().status, 'canceled');
    assert.equal(cancel.json().steps[0].status, 'canceled');
    const operation = (await slow.call(publish.headers['location']!)).json();
    assert.equal(operation.status, 'canceled');
    assert.equal((await slow.call(offerPath(id, '/status'))).json().status, 'canceled');
    assert.equal((await slow.call(offerPath(id, '/slot/Preview'))).status, 404);
    assert.equal(errorCode(await post(slow, id, 'cancel')), 'NoOperationToCancel');
  });

  it('cancel of a go-live takes its own operation: 202 + locations; Production keeps its version', async () => {
    const slowLive = await startTestServer('inject', { stepDurations: (stepId) => (stepId === 'live' ? 60_000 : 20) });
    try {
      const id = 'rules-cancel-golive';
      await put(slowLive, id, publishableOffer(id));
      await waitForOperation(slowLive, (await post(slowLive, id, 'publish')).headers['location']!);
      const live = await post(slowLive, id, 'golive');
      assert.equal(live.status, 202);
      const cancel = await post(slowLive, id, 'cancel');
      assert.equal(cancel.status, 202, cancel.text);
      assert.equal(cancel.headers['operation-location'], cancel.headers['location']);
      assert.notEqual(cancel.headers['location'], live.headers['location']);
      assert.equal(errorCode(await post(slowLive, id, 'cancel')), 'OperationInProgress', 'a cancel cannot be canceled');
      const rollback = await waitForOperation(slowLive, cancel.headers['location']!);
      assert.equal(rollback.submissionType, 'cancel');
      assert.equal(rollback.status, 'succeeded');
      assert.equal(rollback.steps[0].id, 'rollback');
      assert.equal((await slowLive.call(live.headers['location']!)).json().status, 'canceled');
      assert.equal((await slowLive.call(offerPath(id, '/status'))).json().status, 'canceled');
      assert.equal((await slowLive.call(offerPath(id, '/slot/Production'))).status, 404, 'nothing went live');
      const again = await post(slowLive, id, 'golive');
      assert.equal(again.status, 202, 'the preview version can go live again');
    } finally {
      await slowLive.close();
    }
  });
});
