/**
 * Client conformance: the wire habits of the public clients of this API (Go, Python and shell
 * publishing tools, a vendor CLI, release pipelines, Ansible and libcloud-based tools), as
 * `../shared/docs/api-reference.md` §11–12 lists them — one test per habit, named after it,
 * replayed over a real socket on the run's store. Each test sends what those clients send and
 * checks only what they read back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TEST_STORE, errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { registerApp } from '../helpers/jwt.ts';
import { JSON_HEADERS, VALID_VHD_URL, offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

const VM = 'microsoft-azure-virtualmachines';
const COREVM = 'microsoft-azure-corevm';
/** A container SAS of the shape release pipelines generate (§12.4): sr=c, a start, an expiry, read+list. */
const CONTAINER_SAS =
  'https://pipelinestore.blob.core.windows.net/vhds/image-1.0.0.vhd?sv=2018-03-28&sr=c&st=2020-01-01T00%3A00%3A00Z&se=2099-01-01T00%3A00%3A00Z&sp=rl&sig=c2lnbmF0dXJl';

/** What the clients read of a location header: a relative path they append to `https://<host>`. */
function relativeLocation(res: Response): string {
  const location = res.headers['location'];
  assert.ok(location?.startsWith('/api/'), `a relative Location: ${location}`);
  assert.equal(res.headers['operation-location'], location, 'Operation-Location carries the same value');
  return location!;
}

/** A poller as the release pipelines write it: compare `status` case-insensitively against the terminal words they know. */
async function pollUntilTerminal(server: TestServer, location: string): Promise<any> {
  return waitForOperation(server, location);
}

/** A Core VM offer with its plan's images also under a Gen2 disk generation (§12.4), and the typed client's extra keys. */
function coreVmOffer(id: string): Record<string, any> {
  const image = (name: string) => ({
    mediaName: name,
    showInGui: true,
    label: name,
    description: name,
    osVhdUrl: CONTAINER_SAS.replace('image-1.0.0', name),
    lunVhdDetails: [],
  });
  return {
    id,
    offerTypeId: COREVM,
    publisherId: 'contoso',
    definition: {
      displayText: 'Core VM from a Go CLI',
      offer: {
        [`${COREVM}.leadDestination`]: 'None',
        [`${COREVM}.title`]: 'Core VM',
        [`${COREVM}.summary`]: 'summary',
        [`${COREVM}.description`]: 'description',
        [`${COREVM}.allowedSubscriptions`]: [],
        'microsoft-azure-marketplace.someForeignKey': null,
      },
      plans: [
        {
          planId: 'gen1-plan',
          [`${COREVM}.skuTitle`]: 'Gen 1',
          [`${COREVM}.skuSummary`]: 'Gen 1',
          [`${COREVM}.skuLongSummary`]: 'Gen 1',
          [`${COREVM}.operatingSystemFamily`]: 'Linux',
          [`${COREVM}.osType`]: 'Ubuntu',
          [`${COREVM}.vmImagesPublicAzure`]: { '1.0.0': image('gen1') },
          diskGenerations: [{ planId: 'gen2-plan', [`${COREVM}.vmImagesPublicAzure`]: { '1.0.0': image('gen2') } }],
        },
      ],
    },
    // A typed client sends the entity tag back inside the document, under its own spelling.
    Etag: `W/"datetime'2019-10-30T22%3A03%3A51.6562051Z'"`,
  };
}

describe(`client conformance: the wire habits of public clients (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('§11.1 operation locations are relative paths, in Location and Operation-Location, and both documented forms answer', async () => {
    const id = 'habit-locations';
    await put(server, id, publishableOffer(id));
    const publish = await post(server, id, 'publish');
    assert.equal(publish.status, 202);
    const location = relativeLocation(publish);
    assert.match(location, new RegExp(`^/api/publishers/contoso/offers/${id}/operations/[0-9a-f-]{36}\\?api-version=2017-10-31$`));
    const operation = await pollUntilTerminal(server, location);
    const legacy = await server.call(`/api/operations/contoso$${id}$${operation.publishingVersion}$preview?${API}`);
    assert.equal(legacy.status, 200, legacy.text);
    assert.equal(legacy.json().id, operation.id, 'the non-migrated form names the same operation');
  });

  it('§11.2 trailing slashes vary: …/submissions/?… and …/operations/{id}/?… answer as without', async () => {
    const id = 'habit-slashes';
    await put(server, id, publishableOffer(id));
    const location = relativeLocation(await post(server, id, 'publish'));
    await pollUntilTerminal(server, location);
    const [path, query] = location.split('?');
    assert.deepEqual((await server.call(`${path}/?${query}`)).json(), (await server.call(location)).json());
    const withSlash = await server.call(`/api/publishers/contoso/offers/${id}/submissions/?${API}`);
    assert.equal(withSlash.status, 200);
    assert.deepEqual(withSlash.json(), (await server.call(offerPath(id, '/submissions'))).json());
    assert.equal((await server.call(`/api/publishers/contoso/offers/${id}/?${API}`)).status, 200);
  });

  it('§11.3 the operations filter arrives as status= or submissionState= (e.g. running)', async () => {
    const slow = await startTestServer('http', { stepMs: 60_000 });
    try {
      const id = 'habit-filter';
      await put(slow, id, publishableOffer(id));
      const operationId = (await post(slow, id, 'publish')).json().id;
      for (const name of ['status', 'submissionState']) {
        const running = (await slow.call(`/api/publishers/contoso/offers/${id}/submissions/?${API}&${name}=running`)).json();
        assert.deepEqual(
          running.map((s: any) => s.id),
          [operationId],
          name,
        );
        assert.deepEqual((await slow.call(`/api/publishers/contoso/offers/${id}/submissions/?${API}&${name}=Completed`)).json(), [], name);
      }
    } finally {
      await slow.close();
    }
  });

  it("§11.4 a vendor CLI lists with $filter=offerTypeId eq '<type>'; any other filter is a clear 400", async () => {
    await put(server, 'habit-corevm-listed', coreVmOffer('habit-corevm-listed'));
    const vms = await server.call(`/api/publishers/contoso/offers?${API}&$filter=${encodeURIComponent(`offerTypeId eq '${VM}'`)}`);
    assert.equal(vms.status, 200);
    assert.ok(vms.json().length > 0 && vms.json().every((offer: any) => offer.offerTypeId === VM));
    const core = (await server.call(`/api/publishers/contoso/offers?${API}&$filter=${encodeURIComponent(`offerTypeId eq '${COREVM}'`)}`)).json();
    assert.ok(core.some((offer: any) => offer.id === 'habit-corevm-listed') && core.every((offer: any) => offer.offerTypeId === COREVM));
    const other = await server.call(`/api/publishers/contoso/offers?${API}&$filter=${encodeURIComponent("status eq 'failed'")}`);
    assert.equal(other.status, 400);
    assert.equal(errorCode(other), 'InvalidFilter');
    assert.match(other.json().error.message, /offerTypeId eq/);
  });

  it('§11.5 ETags come in the ETag header of GET and PUT, in the weak Azure-Table form; If-Match: * wins, a stale one is 412', async () => {
    const id = 'habit-etags';
    const created = await put(server, id, publishableOffer(id));
    assert.match(created.headers['etag']!, /^W\/"datetime'\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{7}Z'"$/);
    const read = await server.call(offerPath(id));
    assert.equal(read.headers['etag'], created.headers['etag']);
    const star = await put(server, id, read.json(), '*');
    assert.equal(star.status, 200);
    const stale = await put(server, id, read.json(), read.headers['etag']);
    assert.equal(stale.status, 412);
    assert.equal((await put(server, id, read.json(), star.headers['etag'])).status, 200);
  });

  it('§11.6 status codes clients hard-check: PUT 200, publish and golive 202, cancel 200 at once (a publish) or 202 (a go-live); a client error is never a 5xx', async () => {
    const id = 'habit-codes';
    assert.equal((await put(server, id, publishableOffer(id))).status, 200);
    const publish = await post(server, id, 'publish');
    assert.equal(publish.status, 202);
    await pollUntilTerminal(server, relativeLocation(publish));
    const golive = await post(server, id, 'golive');
    assert.equal(golive.status, 202);
    await pollUntilTerminal(server, relativeLocation(golive));

    // A slow step to cancel while it runs: certification (a publish), then the go-live.
    for (const [slowStep, action, expected] of [
      ['displaycertify', 'publish', 200],
      ['live', 'golive', 202],
    ] as const) {
      const slow = await startTestServer('http', { stepDurations: (step) => (step === slowStep ? 60_000 : 20) });
      try {
        await put(slow, id, publishableOffer(id));
        if (action === 'golive') await pollUntilTerminal(slow, relativeLocation(await post(slow, id, 'publish')));
        assert.equal((await post(slow, id, action)).status, 202);
        const cancel = await post(slow, id, 'cancel');
        assert.equal(cancel.status, expected, `cancel of a ${action}: ${cancel.text}`);
        if (expected === 202) assert.equal((await pollUntilTerminal(slow, relativeLocation(cancel))).status, 'succeeded');
      } finally {
        await slow.close();
      }
    }
    for (const res of [
      await server.call(offerPath('habit-codes-missing')),
      await server.call(offerPath(id), { method: 'PUT', headers: JSON_HEADERS, body: '{"offerTypeId":' }),
      await post(server, 'habit-codes-missing', 'publish'),
      await server.call(`/api/publishers/contoso/offers?api-version=2016-08-01-preview`),
    ]) {
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text}`);
      errorCode(res);
    }
  });

  it('§11.7 typed clients drop unknown fields: a smaller document on the GET→PUT round trip is accepted, and what it left out stays out', async () => {
    const id = 'habit-smaller';
    await put(server, id, publishableOffer(id));
    const read = await server.call(offerPath(id));
    const typed = read.json();
    delete typed.definition.offer['microsoft-azure-marketplace.longSummary'];
    delete typed.definition.plans[0]['microsoft-azure-virtualmachines.skuLongSummary'];
    const written = await put(server, id, typed, read.headers['etag']);
    assert.equal(written.status, 200, written.text);
    const after = (await server.call(offerPath(id))).json();
    assert.equal('microsoft-azure-marketplace.longSummary' in after.definition.offer, false);
    assert.equal('microsoft-azure-virtualmachines.skuLongSummary' in after.definition.plans[0], false);
    assert.equal((await post(server, id, 'publish')).status, 202, 'what the offer type truly requires is all publish needs');
  });

  it('§11.8 pollers read status case-insensitively and wait for publisher-signoff in waitingForPublisherReview before golive', async () => {
    const id = 'habit-pollers';
    await put(server, id, publishableOffer(id));
    const operation = await pollUntilTerminal(server, relativeLocation(await post(server, id, 'publish')));
    assert.ok(['complete', 'completed', 'succeeded'].includes(operation.status.toLowerCase()), operation.status);
    const status = (await server.call(offerPath(id, '/status'))).json();
    assert.equal(status.status.toLowerCase(), 'waitingforpublisherreview');
    const signoff = status.steps.find((step: any) => step.id === 'publisher-signoff');
    assert.equal(signoff?.status, 'waitingForPublisherReview');
    const live = await pollUntilTerminal(server, relativeLocation(await post(server, id, 'golive')));
    assert.equal(live.status, 'succeeded');
    assert.equal((await server.call(offerPath(id, '/status'))).json().status, 'succeeded');
  });

  it('§11.9 clients also read GET /api/publishers and GET /api/offerTypes', async () => {
    const publishers = (await server.call(`/api/publishers?${API}`)).json();
    assert.deepEqual(Object.keys(publishers[0]).sort(), ['definition', 'id', 'version']);
    assert.equal(publishers[0].id, 'contoso');
    assert.equal(typeof publishers[0].definition.displayText, 'string');
    assert.ok(Array.isArray(publishers[0].definition.offerTypeCategories));
    assert.equal(typeof publishers[0].definition.sellerId, 'number');
    const types = (await server.call(`/api/offerTypes?${API}`)).json();
    assert.ok(types.some((type: any) => type.id === VM && typeof type.offerTypeVersions === 'object'));
  });

  it('§11.10 Content-Type: application/json on GET, Accept: application/json, and publish bodies empty or with metadata.notification-emails', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const read = await server.call(offerPath(DEMO_OFFER_ID), { headers });
    assert.equal(read.status, 200);
    assert.match(read.headers['content-type']!, /^application\/json/);
    const id = 'habit-bodies';
    await put(server, id, publishableOffer(id));
    const empty = await server.call(offerPath(id, '/publish'), { method: 'POST', headers, body: '' });
    assert.equal(empty.status, 202, empty.text);
    await pollUntilTerminal(server, relativeLocation(empty));
    const second = publishableOffer(id);
    second['definition'].displayText = 'second';
    await put(server, id, second, '*');
    const withEmails = await server.call(offerPath(id, '/publish'), {
      method: 'POST',
      headers,
      body: JSON.stringify({ metadata: { 'notification-emails': 'a@x.com,b@y.com' } }),
    });
    assert.equal(withEmails.status, 202, withEmails.text);
    assert.equal(withEmails.json().notificationEmails, 'a@x.com,b@y.com');
  });

  it('§12.1 an MSAL client finds the authority: instance discovery → tenant discovery → the token endpoint it names', async () => {
    const app = await registerApp(server, ['contoso'], 'Reader');
    const authority = `${server.baseUrl}/${app.tenantId}`;
    const instance = await server.call(
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority}/oauth2/v2.0/authorize`)}`,
      { token: null },
    );
    const configuration = await server.call(new URL(instance.json().tenant_discovery_endpoint).pathname, { token: null });
    const metadata = configuration.json();
    assert.ok(metadata.authorization_endpoint && metadata.token_endpoint, 'both endpoints, or MSAL refuses the authority');
    const token = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'https://cloudpartner.azure.com/.default',
        client_info: '1',
      }),
    });
    assert.equal(token.status, 200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token: accessToken })).status, 200);
  });

  it('§12.2 a release pipeline polls GET …/operations/{id} until succeeded; the submissions list says completed for the same operation', async () => {
    const id = 'habit-succeeded';
    await put(server, id, publishableOffer(id));
    const location = relativeLocation(await post(server, id, 'publish'));
    const operation = await pollUntilTerminal(server, location);
    assert.equal(operation.status, 'succeeded');
    const listed = (await server.call(offerPath(id, '/submissions'))).json().find((s: any) => s.id === operation.id);
    assert.equal(listed.submissionState, 'completed');
    assert.equal(listed.status, 'completed');
    assert.deepEqual(
      (await server.call(`${offerPath(id, '/submissions')}&status=succeeded`)).json().map((s: any) => s.id),
      [operation.id],
    );
  });

  it('§12.3 a vendor CLI PUTs without If-Match and accepts only 200: create, then update', async () => {
    const id = 'habit-vendor-put';
    const created = await put(server, id, publishableOffer(id));
    assert.equal(created.status, 200, created.text);
    const changed = publishableOffer(id);
    changed['definition'].offer['microsoft-azure-marketplace.summary'] = 'updated by the vendor CLI';
    const updated = await put(server, id, changed);
    assert.equal(updated.status, 200, updated.text);
    assert.equal((await server.call(offerPath(id))).json().definition.offer['microsoft-azure-marketplace.summary'], 'updated by the vendor CLI');
  });

  it('§12.4 clients send more than the samples show: a container SAS, an Etag key in the document, null foreign keys, Gen2 images under diskGenerations — and it publishes', async () => {
    const vm = publishableOffer('habit-container-sas');
    vm['definition'].plans[0]['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl = CONTAINER_SAS;
    assert.notEqual(CONTAINER_SAS, VALID_VHD_URL);
    for (const document of [vm, coreVmOffer('habit-corevm')]) {
      const id = document['id'];
      const written = await put(server, id, document);
      assert.equal(written.status, 200, written.text);
      assert.equal('Etag' in written.json(), false, 'the server owns the entity tag');
      const operation = await pollUntilTerminal(server, relativeLocation(await post(server, id, 'publish')));
      assert.equal(operation.status, 'succeeded', JSON.stringify(operation.steps.flatMap((step: any) => step.messages)));
    }
  });
});
