/**
 * The seed pages' calls, reproduced one by one against the demo data: same fields, same shapes,
 * same codes. Runs in-process and over a real socket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID, seedOfferDocument } from '../../src/demo/demo-data.ts';
import { API, TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';

const OFFERS = '/api/publishers/contoso/offers';
const OFFER = `${OFFERS}/${DEMO_OFFER_ID}`;
const SEED = seedOfferDocument();
const CLIENT_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

for (const transport of TRANSPORTS) {
  describe(`seed calls (${transport})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(transport)));
    after(async () => server.close());

    it('Retrieve offers: an array of summaries with exactly the seed fields', async () => {
      const res = await server.call(`${OFFERS}?${API}`, { headers: CLIENT_HEADERS });
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^application\/json/);
      const body = res.json();
      assert.ok(Array.isArray(body));
      assert.equal(body.length, 1);
      assert.deepEqual(Object.keys(body[0]), ['offerTypeId', 'publisherId', 'status', 'id', 'version', 'definition', 'changedTime']);
      assert.deepEqual(body[0], {
        offerTypeId: 'microsoft-azure-virtualmachines',
        publisherId: 'contoso',
        status: 'failed',
        id: DEMO_OFFER_ID,
        version: 5,
        definition: { displayText: 'Contoso Virtual Machine Offer' },
        changedTime: '2017-06-07T06:15:39.7349221Z',
      });
    });

    it('Retrieve a specific offer: the draft is the seed document, field for field and in order', async () => {
      const res = await server.call(`${OFFER}?${API}`, { headers: CLIENT_HEADERS });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), SEED);
      assert.deepEqual(Object.keys(res.json()), Object.keys(SEED));
      assert.match(res.headers['etag'] ?? '', /^W\/"datetime'\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{7}Z'"$/);
    });

    it('the draft is the default slot: /slot/Draft and /versions/{current} return the same document', async () => {
      const draft = (await server.call(`${OFFER}?${API}`)).text;
      for (const path of [`${OFFER}/slot/Draft`, `${OFFER}/slot/draft`, `${OFFER}/slot/DRAFT`, `${OFFER}/versions/5`]) {
        const res = await server.call(`${path}?${API}`);
        assert.equal(res.status, 200, path);
        assert.equal(res.text, draft, path);
      }
    });

    it('Preview and Production slots serve their own versions', async () => {
      const preview = await server.call(`${OFFER}/slot/Preview?${API}`);
      assert.equal(preview.status, 200);
      assert.equal(preview.json().version, 3);
      assert.deepEqual(Object.keys(preview.json().definition.plans[0]['microsoft-azure-virtualmachines.vmImages']), ['1.0.1']);
      const production = await server.call(`${OFFER}/slot/production?${API}`);
      assert.equal(production.status, 200);
      assert.equal(production.json().version, 2);
      assert.deepEqual(Object.keys(production.json().definition.plans[0]['microsoft-azure-virtualmachines.vmImages']), ['1.0.0']);
      assert.equal(production.json().definition.displayText, 'Contoso Virtual Machine');
    });

    it('every numbered version from 1 to the current one is readable, and only those', async () => {
      for (let version = 1; version <= 5; version++) {
        const res = await server.call(`${OFFER}/versions/${version}?${API}`);
        assert.equal(res.status, 200);
        assert.equal(res.json().version, version);
        assert.equal(res.json().id, DEMO_OFFER_ID);
      }
      const missing = await server.call(`${OFFER}/versions/6?${API}`);
      assert.equal(missing.status, 404);
      assert.equal(errorCode(missing), 'VersionNotFound');
    });

    it('an unknown offer is a 404', async () => {
      const res = await server.call(`${OFFERS}/contosovirtualmachine?${API}`);
      assert.equal(res.status, 404);
      assert.equal(errorCode(res), 'OfferNotFound');
    });

    it('accepts every path with a trailing slash', async () => {
      for (const path of ['/api/publishers/', `${OFFERS}/`, `${OFFER}/`, `${OFFER}/versions/2/`, `${OFFER}/slot/Preview/`, '/api/offerTypes/']) {
        const res = await server.call(`${path}?${API}`);
        assert.equal(res.status, 200, path);
      }
    });

    it('ids in the path match case-insensitively', async () => {
      const res = await server.call(`/api/publishers/Contoso/offers/${DEMO_OFFER_ID.toUpperCase()}?${API}`);
      assert.equal(res.status, 200);
      assert.equal(res.json().publisherId, 'contoso');
    });

    it("honours $filter=offerTypeId eq '<type>'", async () => {
      const vm = await server.call(`${OFFERS}?${API}&$filter=${encodeURIComponent("offerTypeId eq 'microsoft-azure-virtualmachines'")}`);
      assert.equal(vm.status, 200);
      assert.equal(vm.json().length, 1);
      const core = await server.call(`${OFFERS}?${API}&$filter=${encodeURIComponent("offerTypeId eq 'microsoft-azure-corevm'")}`);
      assert.equal(core.status, 200);
      assert.deepEqual(core.json(), []);
    });

    it('GET /api/publishers lists the publishers the caller has a role on', async () => {
      const res = await server.call(`/api/publishers?${API}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), [
        {
          id: 'contoso',
          version: 1,
          definition: { displayText: 'Contoso', offerTypeCategories: ['microsoft-azure-virtualmachines'], sellerId: 10034567 },
        },
      ]);
    });

    it('GET /api/offerTypes lists the accepted offer types', async () => {
      const res = await server.call(`/api/offerTypes?${API}`);
      assert.equal(res.status, 200);
      const ids = res.json().map((type: { id: string }) => type.id);
      assert.ok(ids.includes('microsoft-azure-virtualmachines'));
      assert.ok(ids.includes('microsoft-azure-corevm'));
      for (const type of res.json()) {
        assert.equal(typeof type.displayText, 'string');
        assert.equal(typeof type.offerTypeVersions, 'object');
      }
    });
  });
}

describe('an offer that was never published', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('inject');
    await server.store.importOffer({
      publisherId: 'contoso',
      id: 'fresh-offer',
      offerTypeId: 'microsoft-azure-corevm',
      status: 'neverPublished',
      previewVersion: null,
      productionVersion: null,
      createdTime: '2020-01-01T00:00:00.0000000Z',
      changedTime: '2020-01-02T00:00:00.0000000Z',
      versions: [{ version: 1, definition: { displayText: 'Fresh', offer: {}, plans: [] }, changedTime: '2020-01-02T00:00:00.0000000Z' }],
    });
  });
  after(async () => server.close());

  it('serves its draft as version 1 with status neverPublished', async () => {
    const res = await server.call(`/api/publishers/contoso/offers/fresh-offer?${API}`);
    assert.equal(res.status, 200);
    assert.equal(res.json().status, 'neverPublished');
    assert.equal(res.json().version, 1);
    assert.equal((await server.call(`/api/publishers/contoso/offers/fresh-offer/versions/1?${API}`)).status, 200);
  });

  it('answers 404 SlotEmpty for Preview and Production', async () => {
    for (const slot of ['Preview', 'Production']) {
      const res = await server.call(`/api/publishers/contoso/offers/fresh-offer/slot/${slot}?${API}`);
      assert.equal(res.status, 404);
      assert.equal(errorCode(res), 'SlotEmpty');
      assert.match(res.json().error.message, new RegExp(slot));
    }
  });

  it('appears in the list, sorted by id, and in the filter of its type only', async () => {
    const all = (await server.call(`/api/publishers/contoso/offers?${API}`)).json();
    assert.deepEqual(
      all.map((offer: { id: string }) => offer.id),
      [DEMO_OFFER_ID, 'fresh-offer'],
    );
    const core = await server.call(`/api/publishers/contoso/offers?${API}&$filter=${encodeURIComponent("offerTypeId eq 'microsoft-azure-corevm'")}`);
    assert.deepEqual(
      core.json().map((offer: { id: string }) => offer.id),
      ['fresh-offer'],
    );
  });
});

describe('the demo offer has its publishing history', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('inject')));
  after(async () => server.close());

  it('lists six finished operations, newest first, and a failed status with the certification message', async () => {
    const history = (await server.call(`${OFFER}/submissions?${API}`)).json();
    assert.deepEqual(
      history.map(
        (entry: { submissionType: string; publishingVersion: number; submissionState: string }) =>
          `${entry.submissionType}:${entry.publishingVersion}:${entry.submissionState}`,
      ),
      ['publish:4:failed', 'publish:3:completed', 'golive:2:completed', 'publish:2:completed', 'golive:1:completed', 'publish:1:completed'],
    );
    const status = (await server.call(`${OFFER}/status?${API}`)).json();
    assert.equal(status.status, 'failed');
    assert.equal(status.notificationEmails, 'jondoe@contoso.com');
    const certify = status.steps.find((step: { id: string }) => step.id === 'displaycertify');
    assert.equal(certify.status, 'blocked');
    assert.equal(certify.messages[0].messageHtml, 'No virtual machine image was found for the plan contososkuidentifier.');
    const operation = await server.call(`/api/operations/contoso$${DEMO_OFFER_ID}$3$preview?${API}`);
    assert.equal(operation.json().id, '56615b67-2185-49fe-80d2-c4ddf77bb2e8');
  });
});
