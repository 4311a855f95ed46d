/**
 * The whole publishing life of an offer over HTTP: create → publish → poll → preview → go live →
 * production, then edit → publish v2 while production still serves v1. In-process and over a
 * real socket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { API, TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

for (const transport of TRANSPORTS) {
  describe(`the life of an offer (${transport})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(transport)));
    after(async () => server.close());

    it('goes from draft to preview to production, and publishes v2 while production serves v1', async () => {
      const id = 'lifecycle-offer';
      // create
      const created = await put(server, id, publishableOffer(id));
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json().status, 'neverPublished');
      assert.equal(created.json().version, 1);
      assert.ok(created.headers['etag']);
      const read = await server.call(offerPath(id));
      assert.equal(read.headers['etag'], created.headers['etag']);
      assert.equal((await server.call(offerPath(id, '/slot/Preview'))).status, 404);

      // publish → preview
      const publish = await post(server, id, 'publish', { metadata: { 'notification-emails': 'jdoe@contoso.com' } });
      assert.equal(publish.status, 202, publish.text);
      const location = publish.headers['location']!;
      assert.equal(publish.headers['operation-location'], location);
      assert.match(location, new RegExp(`^/api/publishers/contoso/offers/${id}/operations/[0-9a-f-]{36}\\?api-version=2017-10-31$`));
      const published = await waitForOperation(server, location);
      assert.equal(published.status, 'succeeded');
      assert.equal(published.publishingVersion, 1);
      assert.equal(published.notificationEmails, 'jdoe@contoso.com');
      assert.deepEqual(
        published.steps.map((step: { id: string; status: string }) => `${step.id}:${step.status}`),
        [
          'displaydummycertify:complete',
          'displaycertify:complete',
          'displayprovision:complete',
          'displaypackage:complete',
          'publisher-signoff:waitingForPublisherReview',
        ],
      );
      const status = (await server.call(offerPath(id, '/status'))).json();
      assert.equal(status.status, 'waitingForPublisherReview');
      assert.equal(status.steps.find((step: { id: string }) => step.id === 'publisher-signoff').status, 'waitingForPublisherReview');
      assert.equal(status.steps.at(-1).id, 'live');
      assert.equal(status.steps.at(-1).status, 'notStarted');
      const preview = await server.call(offerPath(id, '/slot/Preview'));
      assert.equal(preview.status, 200);
      assert.equal(preview.json().version, 1);
      assert.equal((await server.call(offerPath(id))).json().version, 2, 'the draft continues as version 2');

      // go live → production
      const golive = await post(server, id, 'golive');
      assert.equal(golive.status, 202, golive.text);
      assert.equal(golive.headers['operation-location'], golive.headers['location']);
      const live = await waitForOperation(server, golive.headers['location']!);
      assert.equal(live.status, 'succeeded');
      assert.equal(live.notificationEmails, 'jdoe@contoso.com', 'go-live reuses the notification e-mails of publish');
      const production = await server.call(offerPath(id, '/slot/Production'));
      assert.equal(production.status, 200);
      assert.equal(production.json().version, 1);
      assert.equal(production.json().status, 'succeeded');

      // edit and publish v2 while production serves v1
      const draft = await server.call(offerPath(id));
      const edited = draft.json();
      edited.definition.offer['microsoft-azure-marketplace.title'] = 'Contoso App 2';
      const update = await put(server, id, edited, draft.headers['etag']);
      assert.equal(update.status, 200, update.text);
      assert.notEqual(update.headers['etag'], draft.headers['etag']);
      const publish2 = await post(server, id, 'publish');
      assert.equal(publish2.status, 202);
      const whileRunning = await server.call(offerPath(id, '/slot/Production'));
      assert.equal(whileRunning.json().version, 1);
      assert.equal(whileRunning.json().definition.offer['microsoft-azure-marketplace.title'], 'Contoso App');
      const second = await waitForOperation(server, publish2.headers['location']!);
      assert.equal(second.status, 'succeeded');
      assert.equal(second.publishingVersion, 2);
      assert.equal((await server.call(offerPath(id, '/slot/Preview'))).json().definition.offer['microsoft-azure-marketplace.title'], 'Contoso App 2');
      assert.equal((await server.call(offerPath(id, '/slot/Production'))).json().version, 1);

      // history: every published version stays readable; the submissions are the history
      assert.equal((await server.call(offerPath(id, '/versions/1'))).json().definition.offer['microsoft-azure-marketplace.title'], 'Contoso App');
      assert.equal((await server.call(offerPath(id, '/versions/2'))).json().definition.offer['microsoft-azure-marketplace.title'], 'Contoso App 2');
      const history = (await server.call(offerPath(id, '/submissions/'))).json();
      assert.deepEqual(
        history.map(
          (entry: { submissionType: string; publishingVersion: number; submissionState: string }) =>
            `${entry.submissionType}:${entry.publishingVersion}:${entry.submissionState}`,
        ),
        ['publish:2:completed', 'golive:1:completed', 'publish:1:completed'],
      );
      assert.equal(history[2].slot, 'staging');
      assert.equal(history[1].slot, 'production');
      assert.equal(history[2].definition.metadata.emails, 'jdoe@contoso.com');
      assert.equal(typeof history[0].version, 'number');
    });

    it('answers both operation location forms and filters submissions by status or submissionState', async () => {
      const id = 'locations-offer';
      assert.equal((await put(server, id, publishableOffer(id))).status, 200);
      const publish = await post(server, id, 'publish');
      const operation = await waitForOperation(server, publish.headers['location']!);
      for (const key of [`contoso$${id}$1$preview`, `contoso$${id}$1$staging`, `Contoso$${id.toUpperCase()}$1$Preview`]) {
        const legacy = await server.call(`/api/operations/${encodeURIComponent(key)}?${API}`);
        assert.equal(legacy.status, 200, key);
        assert.equal(legacy.json().id, operation.id);
      }
      const trailing = await server.call(`${publish.headers['location']!.replace('?', '/?')}`);
      assert.equal(trailing.status, 200);
      assert.equal(errorCode(await server.call(`/api/operations/contoso$${id}$9$preview?${API}`)), 'OperationNotFound');
      assert.equal(errorCode(await server.call(`/api/operations/not-a-key?${API}`)), 'InvalidOperationId');
      assert.equal(errorCode(await server.call(`/api/operations/fabrikam$x$1$preview?${API}`)), 'Forbidden');
      for (const query of ['status=completed', 'submissionState=completed', 'status=COMPLETED', 'filteredStatus=completed']) {
        const list = await server.call(`/api/publishers/contoso/offers/${id}/submissions/?${API}&${query}`);
        assert.equal(list.status, 200);
        assert.equal(list.json().length, 1, query);
      }
      assert.equal((await server.call(`/api/publishers/contoso/offers/${id}/submissions?${API}&status=running`)).json().length, 0);
      assert.equal(errorCode(await server.call(`/api/publishers/contoso/offers/${id}/submissions?${API}&status=done`)), 'InvalidQueryParameter');
      assert.equal(errorCode(await server.call(offerPath(id, '/operations/00000000-0000-0000-0000-000000000000'))), 'OperationNotFound');
      assert.equal(errorCode(await server.call(offerPath(id, '/operations/not-a-guid'))), 'InvalidOperationId');
    });
  });
}

describe('workflow time comes from the server clock', () => {
  const clock = new ManualClock();
  let server: TestServer;
  before(async () => (server = await startTestServer('inject', { stepMs: 60_000, app: { clock } })));
  after(async () => server.close());

  /** The operation once `ready` holds of it: the engine works in the background, as soon as the clock says a step is due. */
  async function operationWhen(location: string, ready: (operation: any) => boolean): Promise<any> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const operation = (await server.call(location)).json();
      if (ready(operation)) return operation;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`the operation at ${location} never got there: ${(await server.call(location)).text}`);
  }

  it('a publish whose steps take a minute each moves exactly as far as the clock is moved, however long the test takes', async () => {
    const id = 'clock-driven';
    await put(server, id, publishableOffer(id));
    const location = (await post(server, id, 'publish')).headers['location']!;
    const first = (await server.call(location)).json();
    assert.deepEqual(first.steps.map((step: any) => [step.status, step.progressPercentage]).slice(0, 2), [
      ['inProgress', 0],
      ['notStarted', 0],
    ]);
    clock.advance(30_000);
    assert.equal((await server.call(location)).json().steps[0].progressPercentage, 50, 'half its minute has passed on the server clock');
    clock.advance(30_000);
    const second = await operationWhen(location, (operation) => operation.steps[1].status === 'inProgress');
    assert.equal(second.steps[0].status, 'complete');
    assert.equal(second.status, 'running');
    for (let step = 1; step < 4; step++) {
      clock.advance(59_999);
      assert.equal((await server.call(location)).json().steps[step].status, 'inProgress', 'a millisecond early, the step is not due');
      clock.advance(1);
      await operationWhen(location, (operation) => operation.steps[step].status === 'complete');
    }
    clock.advance(60_000); // publisher-signoff
    const done = await operationWhen(location, (operation) => operation.status !== 'running');
    assert.equal(done.status, 'succeeded');
    assert.equal(done.steps.at(-1).status, 'waitingForPublisherReview');
  });
});
