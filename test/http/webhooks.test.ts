/**
 * Webhooks over real sockets: who may subscribe, signed deliveries in order per offer, retries
 * with backoff, giving up, the delivery log, and unsubscribing.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CloudPartnerClient } from '../../src/client/client.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { type TestServer, errorCode, startTestServer } from '../helpers/harness.ts';
import { JSON_HEADERS, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const SECRET = 'a-webhook-secret-0123456789';
const ALL_EVENTS = ['operation.started', 'operation.succeeded', 'operation.failed', 'operation.canceled', 'offer.updated'];

describe('webhooks', () => {
  let server: TestServer;
  let receiver: Receiver;
  const subscribe = (body: unknown, token?: string) =>
    server.call('/_cloudpartner/webhooks', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body), ...(token === undefined ? {} : { token }) });
  const eventsOf = (offerId: string) => receiver.received.filter((received) => received.event.offerId === offerId).map((received) => received.event.type);

  before(async () => {
    server = await startTestServer('http', { app: { webhooks: { retryBaseMs: 20, timeoutMs: 2000, pollMs: 50 } } });
    receiver = await startReceiver();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('only Owners of the publisher (or the sandbox admin token) subscribe; the secret is never shown', async () => {
    const reader = await server.tokenFor(['contoso'], 'Reader');
    assert.equal(errorCode(await subscribe({ url: receiver.url, events: ALL_EVENTS, publisherId: 'contoso', secret: SECRET }, reader)), 'InsufficientRole');
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    assert.equal(errorCode(await subscribe({ url: receiver.url, events: ALL_EVENTS, publisherId: 'fabrikam', secret: SECRET })), 'Forbidden');
    assert.equal(errorCode(await subscribe({ url: receiver.url, events: ALL_EVENTS, publisherId: 'contoso', secret: SECRET }, '')), 'Unauthorized');
    const invalid = await subscribe({ url: 'ftp://example.com/x', events: ['offer.deleted'], publisherId: 'contoso', secret: 'short' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(
      invalid.json().error.problems.map((problem: { path: string }) => problem.path),
      ['$.url', '$.events[0]', '$.secret'],
    );

    const created = await subscribe({ url: receiver.url, events: ALL_EVENTS, publisherId: 'contoso', secret: SECRET });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json().secretSet, true);
    assert.ok(!created.text.includes(SECRET));
    const listed = await server.call('/_cloudpartner/webhooks');
    assert.deepEqual(
      listed.json().value.map((webhook: { id: string }) => webhook.id),
      [created.json().id],
    );
    assert.ok(!listed.text.includes(SECRET));
    assert.deepEqual((await server.call('/_cloudpartner/webhooks', { token: reader })).json().value, [], 'a Reader sees none');
    const admin = await server.sandboxAdminToken();
    assert.equal((await server.call('/_cloudpartner/webhooks', { token: admin })).json().value.length, 1);
  });

  it('delivers every event of an offer, signed, in the order it happened', async () => {
    assert.equal((await put(server, 'hooked', publishableOffer('hooked'))).status, 200);
    const location = (await post(server, 'hooked', 'publish')).headers['location']!;
    assert.equal((await waitForOperation(server, location)).status, 'succeeded');
    const golive = (await post(server, 'hooked', 'golive')).headers['location']!;
    assert.equal((await waitForOperation(server, golive)).status, 'succeeded');
    await until(
      'the deliveries',
      () => eventsOf('hooked'),
      (events) => events.length >= 5,
    );
    assert.deepEqual(eventsOf('hooked'), ['offer.updated', 'operation.started', 'operation.succeeded', 'operation.started', 'operation.succeeded']);
    const ofOffer = receiver.received.filter((received) => received.event.offerId === 'hooked');
    for (const received of ofOffer) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(received.body).digest('hex')}`;
      assert.equal(received.headers['x-cloudpartner-signature'], expected);
      assert.equal(received.headers['x-cloudpartner-event'], received.event.type);
      assert.equal(received.headers['content-type'], 'application/json');
    }
    assert.equal(new Set(ofOffer.map((received) => received.headers['x-cloudpartner-delivery'])).size, 5, 'each delivery its own id');
    assert.equal(new Set(ofOffer.map((received) => received.event.id)).size, 5, 'each event its own id');
    assert.deepEqual(
      ofOffer.map((received) => received.event.operation?.type ?? null),
      [null, 'publish', 'publish', 'golive', 'golive'],
    );
  });

  it('retries a failing receiver with backoff, and keeps the order per offer while it does', async () => {
    let failures = 0;
    receiver.answer = (received) => (received.event.offerId === 'flaky' && received.event.type === 'offer.updated' && failures++ < 2 ? 503 : 200);
    assert.equal((await put(server, 'flaky', publishableOffer('flaky'))).status, 200);
    const edited = publishableOffer('flaky');
    edited['definition'].displayText = 'second edit';
    assert.equal((await put(server, 'flaky', edited)).status, 200);
    await until(
      'the retried deliveries',
      () => eventsOf('flaky'),
      (events) => events.length >= 4,
    );
    const bodies = receiver.received.filter((received) => received.event.offerId === 'flaky');
    assert.deepEqual(
      bodies.map((received) => received.event.type),
      ['offer.updated', 'offer.updated', 'offer.updated', 'offer.updated'],
    );
    assert.equal(bodies[0]!.event.id, bodies[2]!.event.id, 'the first event was retried until it went through, before the second');
    assert.notEqual(bodies[3]!.event.id, bodies[2]!.event.id);

    const webhook = (await server.call('/_cloudpartner/webhooks')).json().value[0];
    const log = (await server.call(`/_cloudpartner/webhooks/${webhook.id}/deliveries`)).json().value;
    const first = log.find((delivery: { offerId: string; sequence: number }) => delivery.offerId === 'flaky' && delivery.sequence === 1);
    assert.deepEqual([first.state, first.attempts, first.lastStatus], ['delivered', 3, 200]);
    receiver.answer = () => 200;
  });

  it('are managed from the SDK', async () => {
    const client = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso' });
    const webhook = await client.webhooks.add({ url: `${receiver.url}/sdk`, events: ['operation.failed'], secret: SECRET });
    assert.equal(webhook.publisherId, 'contoso');
    assert.ok((await client.webhooks.list()).some((listed) => listed.id === webhook.id));
    assert.deepEqual(await client.webhooks.deliveries(webhook.id), []);
    await client.webhooks.remove(webhook.id);
    await assert.rejects(client.webhooks.remove(webhook.id), (error: { code?: string }) => error.code === 'WebhookNotFound');
  });

  it('carry no secret value and no token', async () => {
    const document = publishableOffer('secretive');
    document['definition'].offer['microsoft-azure-marketplace.marketoLeadConfiguration'] = {
      clientId: 'marketo-client-id',
      clientSecret: 'WEBHOOK-SECRET-MARKETO-7',
      munchkinId: '123-ABC-456',
    };
    assert.equal((await put(server, 'secretive', document)).status, 200);
    await until(
      'the delivery',
      () => eventsOf('secretive'),
      (events) => events.length >= 1,
    );
    const bodies = receiver.received.map((received) => received.body).join('\n');
    assert.doesNotMatch(bodies, /WEBHOOK-SECRET-MARKETO-7/);
    assert.ok(!bodies.includes(server.ownerToken));
    assert.ok(!bodies.includes(SECRET), "the webhook's own secret only signs");
  });

  it('gives a delivery up after its time, and a deleted webhook gets nothing more', async () => {
    // Time is the test's: the delivery fails, the clock moves past a day, and it is given up.
    const clock = new ManualClock();
    const patient = await startTestServer('http', { app: { clock, webhooks: { retryBaseMs: 1000, pollMs: 20 } } });
    const dead = await startReceiver();
    try {
      dead.answer = () => 500;
      const created = (
        await patient.call('/_cloudpartner/webhooks', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ url: dead.url, events: ['offer.updated'], publisherId: 'contoso', secret: SECRET }),
        })
      ).json();
      const log = async () => (await patient.call(`/_cloudpartner/webhooks/${created.id}/deliveries`)).json().value;
      assert.equal((await put(patient, 'abandoned', publishableOffer('abandoned'))).status, 200);
      const tried = await until('the first attempt', log, (deliveries) => deliveries[0]?.attempts === 1);
      assert.deepEqual([tried[0].state, tried[0].lastStatus], ['pending', 500]);
      assert.match(tried[0].lastError, /500/);
      assert.equal(Date.parse(tried[0].nextAttemptTime) - clock.now(), 1000, 'the first retry a second later');

      clock.advance(25 * 3600_000);
      const given = await until('giving up', log, (deliveries) => deliveries[0]?.state === 'failed');
      assert.equal(given[0].attempts, 2);
      assert.equal(dead.received.length, 2);

      assert.equal((await patient.call(`/_cloudpartner/webhooks/${created.id}`, { method: 'DELETE' })).status, 204);
      assert.equal(errorCode(await patient.call(`/_cloudpartner/webhooks/${created.id}/deliveries`)), 'WebhookNotFound');
      assert.equal((await put(patient, 'abandoned', publishableOffer('abandoned'))).status, 200);
      assert.deepEqual(await patient.store.listDeliveries(created.id), [], 'a deleted webhook has no deliveries, and gets no new ones');
    } finally {
      await patient.close();
      await dead.close();
    }
  });
});
