/**
 * The SDK (src/client) against a real listening server: every call, typed errors, retries only
 * where safe (through a real fault-injecting proxy), the client-credentials flow with its token
 * cache, ETags and updateOffer, waitForOperation with progress.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudPartnerClient as PackageClient, CloudPartnerError as PackageError } from 'cloudpartner';
import {
  ClientCredentialsToken,
  CloudPartnerClient,
  CloudPartnerError,
  CloudPartnerNetworkError,
  CloudPartnerTimeoutError,
  DEFAULT_RETRY,
  type OfferDocument,
  type Operation,
  type RetryEvent,
} from '../../src/client/index.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { startTestServer, type TestServer } from '../helpers/harness.ts';
import { registerApp } from '../helpers/jwt.ts';
import { publishableOffer as publishableDocument } from '../helpers/offers.ts';
import { closedPort, startFaultProxy, type FaultProxy } from '../helpers/proxy.ts';

/** Runs `work` and returns the error it throws, asserting it throws one of `type`. */
async function rejection<T extends Error>(work: () => Promise<unknown>, type: new (...args: any[]) => T): Promise<T> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`);
    return error;
  }
  assert.fail(`expected ${type.name}, but it succeeded`);
}

const TITLE = 'microsoft-azure-marketplace.title';

/** The seed document, publishable, as the SDK types it. */
const publishableOffer = (id: string) => publishableDocument(id) as OfferDocument & Record<string, any>;

describe('the SDK against a real server', () => {
  let server: TestServer;
  let client: CloudPartnerClient;

  before(async () => {
    server = await startTestServer('http', { stepMs: 20 });
    client = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso' });
  });
  after(async () => server.close());

  it("is the package's export", () => {
    assert.equal(PackageClient, CloudPartnerClient);
    assert.equal(PackageError, CloudPartnerError);
  });

  it('reads publishers, offer types, offers and one offer by draft, version and slot', async () => {
    const publishers = await client.listPublishers();
    assert.deepEqual(
      publishers.map((p) => p.id),
      ['contoso'],
    );
    assert.equal(publishers[0]!.definition.sellerId, 10034567);
    assert.ok((await client.listOfferTypes()).some((type) => type.id === 'microsoft-azure-virtualmachines'));
    assert.equal((await client.health()).status, 'ok');

    const offers = await client.listOffers();
    assert.deepEqual(
      offers.map((o) => o.id),
      [DEMO_OFFER_ID],
    );
    assert.equal((await client.listOffers({ offerTypeId: 'microsoft-azure-virtualmachines' })).length, 1);
    assert.equal((await client.listOffers({ offerTypeId: "nobody's type" })).length, 0, 'a quote in the filter is escaped');

    const draft = await client.getOffer(DEMO_OFFER_ID);
    assert.equal(draft.offer.version, 5);
    assert.match(draft.etag, /^W\/"datetime'/);
    assert.equal((await client.getOffer(DEMO_OFFER_ID, { version: 3 })).offer.version, 3);
    assert.equal((await client.getOffer(DEMO_OFFER_ID, { slot: 'Production' })).offer.version, 2);
    assert.equal((await client.getOffer(DEMO_OFFER_ID, { slot: 'preview' })).offer.version, 3);
    assert.equal((await client.getOffer(DEMO_OFFER_ID.toUpperCase())).offer.id, DEMO_OFFER_ID);
  });

  it('creates and updates with ETags: create only, optimistic, last writer wins', async () => {
    const id = 'sdk-etags';
    const created = await client.putOffer(publishableOffer(id));
    assert.equal(created.created, true);
    assert.equal(created.offer.status, 'neverPublished');
    assert.match(created.etag, /^W\//);

    // Create only (If-None-Match: *): an offer that exists is not overwritten.
    const exists = await rejection(() => client.putOffer(publishableOffer(id)), CloudPartnerError);
    assert.equal(exists.status, 412);
    assert.equal(exists.code, 'PreconditionFailed');
    assert.equal((await client.getOffer(id)).etag, created.etag);

    const edited = structuredClone(created.offer);
    edited.definition.offer![TITLE] = 'First edit';
    const updated = await client.putOffer(edited, { etag: created.etag });
    assert.equal(updated.created, false);
    assert.notEqual(updated.etag, created.etag);

    edited.definition.offer![TITLE] = 'Stale edit';
    const stale = await rejection(() => client.putOffer(edited, { etag: created.etag }), CloudPartnerError);
    assert.equal(stale.status, 412);
    assert.equal(stale.code, 'PreconditionFailed');
    assert.equal((await client.getOffer(id)).offer.definition.offer![TITLE], 'First edit', 'the stale write changed nothing');

    const forced = await client.putOffer(edited, { force: true });
    assert.equal(forced.created, false);
    assert.equal((await client.getOffer(id)).offer.definition.offer![TITLE], 'Stale edit');
  });

  it('updateOffer re-reads and reapplies when another writer got in between (412), up to maxAttempts', async () => {
    const id = 'sdk-update';
    await client.putOffer(publishableOffer(id));
    let calls = 0;
    const result = await client.updateOffer(id, async (offer) => {
      calls++;
      if (calls === 1) {
        // someone else writes after our read: our PUT with the ETag we read must fail with 412
        const other = await client.getOffer(id);
        other.offer.definition.displayText = 'changed by another writer';
        await client.putOffer(other.offer, { etag: other.etag });
      }
      offer.definition.offer![TITLE] = `ours after ${calls} attempt(s)`;
    });
    assert.equal(calls, 2);
    assert.equal(result.offer.definition.offer![TITLE], 'ours after 2 attempt(s)');
    assert.equal(result.offer.definition.displayText, 'changed by another writer', "the other writer's change is kept, not overwritten");

    const gaveUp = await rejection(
      () =>
        client.updateOffer(
          id,
          async (offer) => {
            await client.putOffer({ ...offer, definition: { ...offer.definition, displayText: 'interloper' } }, { force: true });
            offer.definition.displayText = 'never stored';
          },
          { maxAttempts: 2 },
        ),
      CloudPartnerError,
    );
    assert.equal(gaveUp.status, 412);
    assert.equal((await client.getOffer(id)).offer.definition.displayText, 'interloper');

    // the callback may also return a new document
    const replaced = await client.updateOffer(id, (offer) => ({ ...offer, definition: { ...offer.definition, displayText: 'returned' } }));
    assert.equal(replaced.offer.definition.displayText, 'returned');
  });

  it('publishes and waits with progress, goes live, and reads the history every way', async () => {
    const id = 'sdk-lifecycle';
    await client.putOffer(publishableOffer(id));
    const started = await client.publish(id, { notificationEmails: ['jdoe@contoso.com', 'ops@contoso.com'] });
    assert.equal(started.offerId, id);
    assert.equal(started.operation.status, 'running');
    assert.match(started.location, new RegExp(`^/api/publishers/contoso/offers/${id}/operations/${started.operationId}\\?api-version=2017-10-31$`));

    const seen: Operation[] = [];
    const done = await client.waitForOperation(started, { intervalMs: 5, onProgress: (operation) => seen.push(operation) });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.notificationEmails, 'jdoe@contoso.com,ops@contoso.com');
    assert.equal(seen[0]!.status, 'running', 'the first report is the operation publish returned');
    assert.equal(seen.at(-1), done);
    assert.ok(seen.length >= 3, `progress reported ${seen.length} times`);
    assert.ok(
      seen.some((op) => op.steps.some((step) => step.status === 'inProgress' && step.id !== 'displaydummycertify')),
      'progress shows later steps running',
    );
    for (let i = 1; i < seen.length; i++) {
      for (const step of seen[i]!.steps) {
        const before = seen[i - 1]!.steps.find((s) => s.id === step.id)!;
        assert.ok(step.progressPercentage >= before.progressPercentage || before.status !== step.status, `${step.id} never goes backwards`);
      }
    }
    assert.equal(done.steps.at(-1)!.id, 'publisher-signoff');
    assert.equal(done.steps.at(-1)!.status, 'waitingForPublisherReview');
    assert.equal((await client.getStatus(id)).status, 'waitingForPublisherReview');
    assert.equal((await client.getOffer(id, { slot: 'Preview' })).offer.version, 1);

    const live = await client.goLive(id);
    const wentLive = await client.waitForOperation(live.location, { intervalMs: 5 });
    assert.equal(wentLive.status, 'succeeded');
    assert.equal(wentLive.submissionType, 'golive');
    assert.equal((await client.getOffer(id, { slot: 'Production' })).offer.version, 1);
    assert.equal((await client.getStatus(id)).status, 'succeeded');

    const submissions = await client.listSubmissions(id);
    assert.deepEqual(
      submissions.map((s) => `${s.submissionType}:${s.status}`),
      ['golive:completed', 'publish:completed'],
    );
    assert.equal((await client.listSubmissions(id, { status: 'running' })).length, 0);
    assert.equal((await client.listSubmissions(id, { status: 'completed' })).length, 2);

    assert.equal((await client.getOperation(id, started.operationId)).id, started.operationId);
    assert.equal((await client.getOperationAt(started.location)).id, started.operationId);
    assert.equal((await client.getOperationAt(`/api/operations/contoso$${id}$1$preview?api-version=2017-10-31`)).id, started.operationId);
    // an absolute Location naming another host is read from the endpoint: the token goes nowhere else
    assert.equal(
      (await client.getOperationAt(`https://elsewhere.invalid/api/publishers/contoso/offers/${id}/operations/${started.operationId}`)).id,
      started.operationId,
    );
    assert.equal((await client.waitForOperation({ offerId: id, operationId: live.operationId })).id, live.operationId);
  });

  it('throws CloudPartnerError with status, code and message for 401, 403, 404, 409, 400 and 422 (with problems)', async () => {
    const wrong = new CloudPartnerClient({ endpoint: server.baseUrl, token: 'cpat_not-a-real-token', publisherId: 'contoso' });
    const unauthorized = await rejection(() => wrong.listOffers(), CloudPartnerError);
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.code, 'InvalidToken');
    assert.match(unauthorized.message, /not valid/);
    assert.equal(unauthorized.method, 'GET');
    assert.ok(unauthorized.url?.endsWith('/api/publishers/contoso/offers'));

    const forbidden = await rejection(() => client.withPublisher('fabrikam').listOffers(), CloudPartnerError);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.code, 'Forbidden');
    const reader = new CloudPartnerClient({ endpoint: server.baseUrl, token: await server.tokenFor(['contoso'], 'Reader'), publisherId: 'contoso' });
    const insufficient = await rejection(() => reader.putOffer(publishableOffer('reader-offer')), CloudPartnerError);
    assert.equal(insufficient.status, 403);
    assert.equal(insufficient.code, 'InsufficientRole');

    const missing = await rejection(() => client.getOffer('no-such-offer'), CloudPartnerError);
    assert.deepEqual([missing.status, missing.code], [404, 'OfferNotFound']);
    assert.match(missing.message, /no-such-offer/);
    // The language option: the server's messages in Dutch, the code the same.
    const dutch = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso', language: 'nl' });
    const ontbreekt = await rejection(() => dutch.getOffer('no-such-offer'), CloudPartnerError);
    assert.deepEqual([ontbreekt.status, ontbreekt.code], [404, 'OfferNotFound']);
    assert.equal(ontbreekt.message, "De aanbieding 'no-such-offer' bestaat niet in de naamruimte van de uitgever 'contoso'.");
    await client.putOffer(publishableOffer('sdk-errors'));
    const empty = await rejection(() => client.getOffer('sdk-errors', { slot: 'Production' }), CloudPartnerError);
    assert.deepEqual([empty.status, empty.code], [404, 'SlotEmpty']);

    const notReady = await rejection(() => client.goLive('sdk-errors'), CloudPartnerError);
    assert.deepEqual([notReady.status, notReady.code], [409, 'NotReadyToGoLive']);
    const nothing = await rejection(() => client.cancel('sdk-errors'), CloudPartnerError);
    assert.deepEqual([nothing.status, nothing.code], [409, 'NoOperationToCancel']);

    const invalid: Record<string, any> = publishableDocument('sdk-invalid');
    invalid['definition'].plans = 'not a list';
    const badDocument = await rejection(() => client.putOffer(invalid as OfferDocument), CloudPartnerError);
    assert.deepEqual([badDocument.status, badDocument.code], [400, 'InvalidDocument']);
    assert.ok(
      badDocument.problems.some((p) => p.path.includes('plans')),
      JSON.stringify(badDocument.problems),
    );

    const incomplete = publishableOffer('sdk-incomplete');
    incomplete.definition.offer!['microsoft-azure-marketplace.engineeringContactEmail'] = '';
    await client.putOffer(incomplete);
    const unpublishable = await rejection(() => client.publish('sdk-incomplete'), CloudPartnerError);
    assert.deepEqual([unpublishable.status, unpublishable.code], [422, 'OfferValidationFailed']);
    assert.equal(unpublishable.problems.length, 1);
    assert.match(unpublishable.problems[0]!.path, /engineeringContactEmail/);
    assert.equal((await client.getOffer('sdk-incomplete')).offer.version, 1, 'a refused publish freezes nothing');
  });

  it('manages members of the publisher (Owners only)', async () => {
    const objectId = '3f8a9c2e-1b4d-4e6f-8a0b-2c4d6e8f0a1b';
    const tenantId = '9e7c5a3b-1d2f-4a6b-8c0d-2e4f6a8b0c1d';
    const added = await client.putMember(objectId, { tenantId, role: 'Reader', displayName: 'sdk reader' });
    assert.equal(added.created, true);
    assert.equal(added.member.role, 'Reader');
    const changed = await client.putMember(objectId, { tenantId, role: 'Contributor' });
    assert.equal(changed.created, false);
    assert.ok((await client.listMembers()).some((m) => m.objectId === objectId && m.role === 'Contributor'));
    await client.removeMember(objectId, { tenantId });
    assert.ok(!(await client.listMembers()).some((m) => m.objectId === objectId));
    const gone = await rejection(() => client.removeMember(objectId), CloudPartnerError);
    assert.deepEqual([gone.status, gone.code], [404, 'MemberNotFound']);
    const reader = new CloudPartnerClient({ endpoint: server.baseUrl, token: await server.tokenFor(['contoso'], 'Reader'), publisherId: 'contoso' });
    assert.equal((await rejection(() => reader.listMembers(), CloudPartnerError)).status, 403);
  });

  it('registers, lists and removes applications of the built-in token service (Owners only)', async () => {
    const created = await client.createApplication({ role: 'Contributor', displayName: 'sdk pipeline' });
    assert.equal(created.role, 'Contributor');
    assert.equal(created.displayName, 'sdk pipeline');
    assert.ok(created.clientSecret.length >= 40);
    const app = new CloudPartnerClient({
      endpoint: server.baseUrl,
      credentials: { tenantId: created.tenantId, clientId: created.clientId, clientSecret: created.clientSecret },
      publisherId: 'contoso',
    });
    assert.ok((await app.listOffers()).length >= 1, 'its secret gets tokens that act on the publisher');
    const listed = (await client.listApplications()).find((item) => item.clientId === created.clientId);
    assert.ok(listed);
    const { clientSecret, ...shown } = created;
    assert.deepEqual(listed, shown, 'the list shows it, never its secret');
    assert.equal(JSON.stringify(await client.listApplications()).includes(clientSecret), false);
    await client.removeApplication(created.clientId);
    assert.ok(!(await client.listApplications()).some((item) => item.clientId === created.clientId));
    const gone = await rejection(() => client.removeApplication(created.clientId), CloudPartnerError);
    assert.deepEqual([gone.status, gone.code], [404, 'ApplicationNotFound']);
    const bad = await rejection(() => client.createApplication({ role: 'Admin' as 'Owner' }), CloudPartnerError);
    assert.deepEqual([bad.status, bad.code], [400, 'InvalidRequest']);
    const reader = new CloudPartnerClient({ endpoint: server.baseUrl, token: await server.tokenFor(['contoso'], 'Reader'), publisherId: 'contoso' });
    assert.equal((await rejection(() => reader.createApplication({ role: 'Owner' }), CloudPartnerError)).status, 403);
  });

  it('refuses to be built without what it needs', async () => {
    assert.throws(() => new CloudPartnerClient({ endpoint: 'not a url', token: 't' }), TypeError);
    assert.throws(() => new CloudPartnerClient({ endpoint: 'ftp://example.com', token: 't' }), TypeError);
    assert.throws(() => new CloudPartnerClient({ endpoint: server.baseUrl }), /token or client credentials/);
    const unscoped = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken });
    await assert.rejects(() => unscoped.listOffers(), /no publisherId/);
    assert.equal((await unscoped.withPublisher('Contoso').listOffers()).length >= 1, true);
  });

  describe('when the endpoint cannot be reached', () => {
    it('throws CloudPartnerNetworkError naming the endpoint; a refused connection is retried, an unknown host is not', async () => {
      const port = await closedPort();
      const retries: RetryEvent[] = [];
      const offline = new CloudPartnerClient({
        endpoint: `http://127.0.0.1:${port}`,
        token: 't',
        publisherId: 'contoso',
        retry: { maxRetries: 2, baseDelayMs: 5 },
        onRetry: (event) => retries.push(event),
      });
      const refused = await rejection(() => offline.listOffers(), CloudPartnerNetworkError);
      assert.equal(refused.code, 'ECONNREFUSED');
      assert.equal(refused.endpoint, `http://127.0.0.1:${port}`);
      assert.match(refused.message, new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port}: connection refused`));
      assert.deepEqual(
        retries.map((r) => r.reason),
        ['ECONNREFUSED', 'ECONNREFUSED'],
      );

      const nowhere = new CloudPartnerClient({
        endpoint: 'http://cloudpartner.invalid',
        token: 't',
        publisherId: 'contoso',
        onRetry: (event) => retries.push(event),
      });
      retries.length = 0;
      const unknown = await rejection(() => nowhere.putOffer(publishableOffer('x')), CloudPartnerNetworkError);
      assert.equal(unknown.code, 'ENOTFOUND');
      assert.equal(retries.length, 0);
    });
  });

  describe('retries, through a real proxy that fails requests', () => {
    let proxy: FaultProxy;
    let retries: RetryEvent[];
    let viaProxy: CloudPartnerClient;
    before(async () => {
      proxy = await startFaultProxy(server.baseUrl);
      viaProxy = new CloudPartnerClient({
        endpoint: proxy.url,
        token: server.ownerToken,
        publisherId: 'contoso',
        retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 },
        onRetry: (event) => retries.push(event),
      });
    });
    after(async () => proxy.close());
    const reset = () => {
      proxy.clear();
      proxy.seen.length = 0;
      retries = [];
    };

    it('repeats a GET after 503 and 502 until it succeeds', async () => {
      reset();
      proxy.fail({ times: 1, status: 503, method: 'GET', pathIncludes: '/offers' });
      proxy.fail({ times: 1, status: 502, method: 'GET', pathIncludes: '/offers', body: '<html><body>Bad Gateway</body></html>' });
      const offers = await viaProxy.listOffers();
      assert.ok(offers.length >= 1);
      assert.equal(proxy.count('/offers', 'GET'), 3);
      assert.deepEqual(
        retries.map((r) => r.reason),
        [503, 502],
      );
    });

    it('gives up after maxRetries with the last error, parsed even when it is not the API speaking', async () => {
      reset();
      proxy.fail({ times: 10, status: 502, method: 'GET', path: '/api/publishers', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
      const error = await rejection(() => viaProxy.listPublishers(), CloudPartnerError);
      proxy.clear();
      assert.equal(error.status, 502);
      assert.equal(error.code, 'Http502');
      assert.match(error.message, /502 Bad Gateway/);
      assert.equal(proxy.count('/api/publishers', 'GET'), 4, 'the first try and three retries');
    });

    it('never repeats a PUT or a publish after a 5xx: the server may have acted', async () => {
      reset();
      const id = 'sdk-no-retry';
      await client.putOffer(publishableOffer(id));
      proxy.fail({ times: 1, status: 503, method: 'PUT' });
      const { offer, etag } = await viaProxy.getOffer(id);
      const put = await rejection(() => viaProxy.putOffer(offer, { etag }), CloudPartnerError);
      assert.equal(put.status, 503);
      assert.equal(proxy.count(`/offers/${id}`, 'PUT'), 1);

      proxy.fail({ times: 1, status: 504, method: 'POST' });
      const publish = await rejection(() => viaProxy.publish(id), CloudPartnerError);
      assert.equal(publish.status, 504);
      assert.equal(proxy.count('/publish', 'POST'), 1);
      assert.equal(retries.length, 0);
    });

    it('repeats any request after 429, waiting as long as Retry-After says', async () => {
      reset();
      const id = 'sdk-429';
      await client.putOffer(publishableOffer(id));
      proxy.fail({ times: 1, status: 429, method: 'POST', headers: { 'retry-after': '1' } });
      const startedAt = Date.now();
      const started = await viaProxy.publish(id);
      assert.ok(Date.now() - startedAt >= 950, `waited ${Date.now() - startedAt} ms`);
      assert.equal(started.operation.status, 'running');
      assert.equal(proxy.count('/publish', 'POST'), 2);
      assert.deepEqual(
        retries.map((r) => [r.reason, r.delayMs]),
        [[429, 1000]],
      );
      await viaProxy.waitForOperation(started, { intervalMs: 5 });

      reset();
      proxy.fail({ times: 1, status: 429, method: 'GET', headers: { 'retry-after': '3600' } });
      const tooLong = await rejection(() => viaProxy.listOffers(), CloudPartnerError);
      assert.equal(tooLong.status, 429);
      assert.equal(tooLong.retryAfterMs, 3_600_000, 'a wait longer than maxRetryAfterMs is left to the caller');
      assert.equal(retries.length, 0);
    });

    it('keeps polling through a 503 while waiting for an operation', async () => {
      reset();
      const id = 'sdk-poll';
      await client.putOffer(publishableOffer(id));
      const started = await viaProxy.publish(id);
      proxy.fail({ times: 2, status: 503, method: 'GET', pathIncludes: '/operations/' });
      const done = await viaProxy.waitForOperation(started, { intervalMs: 5 });
      assert.equal(done.status, 'succeeded');
      assert.equal(retries.filter((r) => r.reason === 503).length, 2);
    });
  });

  describe('client credentials', () => {
    let proxy: FaultProxy;
    before(async () => (proxy = await startFaultProxy(server.baseUrl)));
    after(async () => proxy.close());

    it('gets a token from the endpoint’s own token service, caches it, and refreshes it once after a 401', async () => {
      const app = await registerApp(server, ['contoso'], 'Contributor');
      const sdk = new CloudPartnerClient({
        endpoint: proxy.url,
        credentials: { tenantId: app.tenantId, clientId: app.clientId, clientSecret: app.clientSecret },
        publisherId: 'contoso',
      });
      const tokenPath = `/${app.tenantId}/oauth2/token`;
      proxy.seen.length = 0;
      await sdk.listOffers();
      await sdk.getOffer(DEMO_OFFER_ID);
      await Promise.all([sdk.listPublishers(), sdk.getStatus(DEMO_OFFER_ID), sdk.listSubmissions(DEMO_OFFER_ID)]);
      assert.equal(proxy.count(tokenPath, 'POST'), 1, 'one token for five calls');
      const bearer = proxy.seen.filter((s) => s.path.startsWith('/api/')).map((s) => s.authorization);
      assert.equal(new Set(bearer).size, 1);
      assert.match(bearer[0]!, /^Bearer eyJ/);

      // the API turns the token down once (expired, revoked): one new token, one more try
      proxy.fail({ times: 1, status: 401, method: 'GET', pathIncludes: '/offers' });
      assert.ok((await sdk.listOffers()).length >= 1);
      assert.equal(proxy.count(tokenPath, 'POST'), 2);

      // a withPublisher client shares the cache
      await sdk.withPublisher('contoso').listOffers();
      assert.equal(proxy.count(tokenPath, 'POST'), 2);

      // a static token is not "refreshed": the 401 is the answer
      const fixed = new CloudPartnerClient({ endpoint: proxy.url, token: server.ownerToken, publisherId: 'contoso' });
      proxy.fail({ times: 1, status: 401, method: 'GET', pathIncludes: '/offers' });
      const before = proxy.count('/offers', 'GET');
      assert.equal((await rejection(() => fixed.listOffers(), CloudPartnerError)).status, 401);
      assert.equal(proxy.count('/offers', 'GET'), before + 1);
    });

    it('takes the authority apart from the endpoint, and reports refused credentials without the secret', async () => {
      const app = await registerApp(server, ['contoso'], 'Reader');
      const direct = new CloudPartnerClient({
        endpoint: server.baseUrl,
        credentials: { tenantId: app.tenantId, clientId: app.clientId, clientSecret: app.clientSecret, authority: `${proxy.url}/` },
        publisherId: 'contoso',
      });
      const before = proxy.count('/oauth2/token', 'POST');
      assert.ok((await direct.listOffers()).length >= 1);
      assert.equal(proxy.count('/oauth2/token', 'POST'), before + 1, 'the token came from the authority');

      const secret = 'definitely-not-the-secret-0123456789';
      const wrong = new CloudPartnerClient({
        endpoint: server.baseUrl,
        credentials: { tenantId: app.tenantId, clientId: app.clientId, clientSecret: secret },
        publisherId: 'contoso',
      });
      const refused = await rejection(() => wrong.listOffers(), CloudPartnerError);
      assert.equal(refused.status, 401);
      assert.equal(refused.code, 'invalid_client');
      assert.match(refused.message, /token service .* refused the client credentials: AADSTS7000215/);
      assert.ok(!refused.message.includes(secret));
    });

    it('keeps a token until shortly before it expires, then gets a new one', async () => {
      const app = await registerApp(server, ['contoso'], 'Reader');
      let now = Date.now();
      const http = { fetch: globalThis.fetch, retry: DEFAULT_RETRY, timeoutMs: 10_000, userAgent: 'test' };
      const provider = new ClientCredentialsToken({ ...app, authority: proxy.url }, http, () => now);
      const baseline = proxy.count(`/${app.tenantId}/oauth2/token`, 'POST');
      const count = () => proxy.count(`/${app.tenantId}/oauth2/token`, 'POST') - baseline;
      const first = await provider.getToken();
      const [second, third] = await Promise.all([provider.getToken(), provider.getToken()]);
      assert.equal(count(), 1);
      assert.equal(second, first);
      assert.equal(third, first);
      const lifetimeMs = Number(JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()).exp) * 1000 - now;
      now += lifetimeMs - 6 * 60_000; // still more than the five-minute margin left
      await provider.getToken();
      assert.equal(count(), 1);
      now += 2 * 60_000; // inside the margin
      await provider.getToken();
      assert.equal(count(), 2);
      assert.equal(provider.invalidate(), true);
      await provider.getToken();
      assert.equal(count(), 3);
    });
  });
});

describe('the SDK and long operations', () => {
  let server: TestServer;
  let client: CloudPartnerClient;
  before(async () => {
    // Publishing steps are quick, go-live (and its rollback) take a minute: there is time to cancel.
    server = await startTestServer('http', { stepDurations: (step) => (step === 'live' ? 60_000 : step === 'rollback' ? 30 : 20) });
    client = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso' });
  });
  after(async () => server.close());

  it('cancels a go-live through its own operation, and stops waiting at the timeout', async () => {
    const id = 'sdk-cancel';
    await client.putOffer(publishableOffer(id));
    await client.waitForOperation(await client.publish(id), { intervalMs: 5 });
    const live = await client.goLive(id);

    const timedOut = await rejection(() => client.waitForOperation(live, { intervalMs: 20, timeoutMs: 150 }), CloudPartnerTimeoutError);
    assert.match(timedOut.message, /still running after 150 ms/);

    const inProgress = await rejection(() => client.publish(id), CloudPartnerError);
    assert.deepEqual([inProgress.status, inProgress.code], [409, 'OperationInProgress']);

    const canceled = await client.cancel(id);
    assert.equal(canceled.completed, false, 'withdrawing a go-live takes its own operation (202)');
    assert.equal(canceled.operation.submissionType, 'cancel');
    assert.notEqual(canceled.operationId, live.operationId);
    const rollback = await client.waitForOperation(canceled, { intervalMs: 5 });
    assert.equal(rollback.status, 'succeeded');
    assert.equal((await client.getOperation(id, live.operationId)).status, 'canceled');
    assert.equal((await client.getStatus(id)).status, 'canceled');
  });

  it('cancels a publish at once', async () => {
    const slow = await startTestServer('http', { stepMs: 60_000 });
    try {
      const sdk = new CloudPartnerClient({ endpoint: slow.baseUrl, token: slow.ownerToken, publisherId: 'contoso' });
      await sdk.putOffer(publishableOffer('sdk-cancel-publish'));
      const started = await sdk.publish('sdk-cancel-publish');
      const again = await sdk.publish('sdk-cancel-publish');
      assert.equal(again.operationId, started.operationId, 'publishing the same draft again returns the running operation');
      const canceled = await sdk.cancel('sdk-cancel-publish');
      assert.equal(canceled.completed, true);
      assert.equal(canceled.operationId, started.operationId);
      assert.equal(canceled.operation.status, 'canceled');
      const waited = await sdk.waitForOperation(canceled, { onProgress: () => undefined });
      assert.equal(waited.status, 'canceled', 'an operation already over is returned at once');
    } finally {
      await slow.close();
    }
  });
});
