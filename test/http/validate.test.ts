/**
 * POST …/offers/{offerId}/validate over real sockets: the dry run of a publish reports what a PUT,
 * POST publish and the certification step would find — the very problems they answer — and
 * changes nothing: no write, no ETag change, no operation, no event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudPartnerClient } from '../../src/client/client.ts';
import { CloudPartnerError } from '../../src/client/errors.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { MAX_LISTED_PROBLEMS } from '../../src/domain/errors.ts';
import { API, TEST_STORE, errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { JSON_HEADERS, offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';
import { localAudit } from '../../src/domain/audit.ts';

const IMAGES = 'microsoft-azure-virtualmachines.vmImages';
const TITLE = 'microsoft-azure-marketplace.title';
const OS_VHD_PATH = `$.definition.plans[0]['${IMAGES}']['1.0.1'].osVhdUrl`;
/** A SAS URL that expired long ago: certification refuses it, the schema and the publish check do not. */
const EXPIRED_VHD_URL = 'https://contosostorage.blob.core.windows.net/vhds/contoso.vhd?sp=rl&se=2017-06-25T18%3A30%3A00Z&sig=c2ln';

interface Report {
  valid: boolean;
  problemCount: number;
  problems: Array<{ path: string; message: string; stage: string }>;
  etag?: string;
}

describe(`POST …/offers/{offerId}/validate (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  const validate = (id: string, body?: unknown, options: { token?: string | null; raw?: string; query?: string } = {}): Promise<Response> =>
    server.call(`/api/publishers/contoso/offers/${id}/validate?${options.query ?? API}`, {
      method: 'POST',
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.raw !== undefined || body !== undefined ? { headers: JSON_HEADERS, body: options.raw ?? JSON.stringify(body) } : {}),
    });
  const report = async (id: string, body?: unknown): Promise<Report> => {
    const res = await validate(id, body);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    return res.json();
  };

  it('the demo draft (no body) is valid, and the report carries the ETag of the draft it validated', async () => {
    const draft = await server.call(offerPath(DEMO_OFFER_ID));
    const result = await report(DEMO_OFFER_ID);
    // Its image was certified with Preview's version already: certification does not check that SAS again, as the workflow's step does not.
    assert.deepEqual(result, { valid: true, problemCount: 0, problems: [], etag: draft.headers['etag'] });
  });

  it('a publishable document is valid; validating it does not create the offer', async () => {
    assert.deepEqual(await report('validate-new', publishableOffer('validate-new')), { valid: true, problemCount: 0, problems: [] });
    assert.equal(errorCode(await server.call(offerPath('validate-new'))), 'OfferNotFound');
  });

  it('a document a PUT would refuse: its problems with their JSON paths, stage document, and nothing more', async () => {
    const document = publishableOffer('validate-schema');
    delete document['definition'].plans[0].planId;
    document['definition'].plans[0].regions = 'US';
    const result = await report('validate-schema', document);
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.problems.map(({ path, stage }) => [stage, path]),
      [
        ['document', '$.definition.plans[0].planId'],
        ['document', '$.definition.plans[0].regions'],
      ],
    );
    assert.equal(result.problemCount, 2);
    // The same problems a PUT answers with.
    const refused = await put(server, 'validate-schema', document);
    assert.equal(errorCode(refused), 'InvalidDocument');
    assert.deepEqual(
      refused.json().error.problems,
      result.problems.map(({ path, message }) => ({ path, message })),
    );
  });

  it('an incomplete document: the problems POST publish answers (422), stage publish', async () => {
    const document = publishableOffer('validate-incomplete');
    document['definition'].offer[TITLE] = '';
    delete document['definition'].plans[0].regions;
    const result = await report('validate-incomplete', document);
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.problems.map(({ path, stage }) => [stage, path]),
      [
        ['publish', `$.definition.offer['${TITLE}']`],
        ['publish', '$.definition.plans[0].regions'],
      ],
    );
    assert.equal((await put(server, 'validate-incomplete', document)).status, 200, 'a PUT stores it: drafts may be incomplete');
    const refused = await post(server, 'validate-incomplete', 'publish');
    assert.equal(refused.status, 422);
    assert.deepEqual(
      refused.json().error.problems,
      result.problems.map(({ path, message }) => ({ path, message })),
    );
    // Without a body, the stored draft: the same report, with its ETag.
    const draft = await server.call(offerPath('validate-incomplete'));
    assert.deepEqual(await report('validate-incomplete'), { ...result, etag: draft.headers['etag'] });
  });

  it('a document certification would fail: stage certification, the finding the certification step reports', async () => {
    const document = publishableOffer('validate-expired');
    document['definition'].plans[0][IMAGES]['1.0.1'].osVhdUrl = EXPIRED_VHD_URL;
    const result = await report('validate-expired', document);
    assert.equal(result.valid, false);
    assert.equal(result.problems.length, 1);
    const [finding] = result.problems;
    assert.equal(finding!.stage, 'certification');
    assert.equal(finding!.path, OS_VHD_PATH);
    assert.match(finding!.message, /^The SAS URL of the image 1\.0\.1 of the plan contososkuidentifier expired on 2017-06-25T18:30:00Z: /);

    // The publish that follows fails at certification with that very message.
    assert.equal((await put(server, 'validate-expired', document)).status, 200);
    const started = await post(server, 'validate-expired', 'publish');
    assert.equal(started.status, 202, started.text);
    const operation = await waitForOperation(server, started.headers['location']!);
    assert.equal(operation.status, 'failed');
    const blocked = operation.steps.find((step: { status: string }) => step.status === 'blocked');
    assert.equal(blocked.id, 'displaycertify');
    assert.deepEqual(
      blocked.messages.map((message: { messageHtml: string }) => message.messageHtml),
      [finding!.message],
    );
  });

  it('publish and certification problems are listed together; a finding at a path publish reported is not repeated', async () => {
    const document = publishableOffer('validate-both');
    document['definition'].offer[TITLE] = '';
    document['definition'].plans[0][IMAGES]['1.0.1'].osVhdUrl = 'not a url';
    document['definition'].plans[0][IMAGES]['1.0.2'] = { osVhdUrl: EXPIRED_VHD_URL, lunVhdDetails: [] };
    const result = await report('validate-both', document);
    assert.deepEqual(
      result.problems.map(({ path, stage }) => [stage, path]),
      [
        ['publish', `$.definition.offer['${TITLE}']`],
        ['publish', OS_VHD_PATH],
        ['certification', `$.definition.plans[0]['${IMAGES}']['1.0.2'].osVhdUrl`],
      ],
    );
  });

  it('at most 100 problems are listed; problemCount counts them all', async () => {
    const document = publishableOffer('validate-many');
    document['definition'].plans = Array.from({ length: 60 }, (_, index) => ({ planId: `plan-${index}` }));
    const result = await report('validate-many', document);
    assert.equal(result.valid, false);
    assert.equal(result.problems.length, MAX_LISTED_PROBLEMS);
    assert.ok(result.problemCount > MAX_LISTED_PROBLEMS, `${result.problemCount}`);
  });

  it('a document for another offer gets what a PUT of it gets: 400 IdMismatch, 409 OfferTypeChange; a body that is no document, 400', async () => {
    const mismatched = { ...publishableOffer('someone-else') };
    const cases: Array<[string, Response, number, string]> = [
      ['another id', await validate('validate-ids', mismatched), 400, 'IdMismatch'],
      ['another publisher', await validate('validate-ids', { ...publishableOffer('validate-ids'), publisherId: 'fabrikam' }), 400, 'IdMismatch'],
      ['an array', await validate('validate-ids', [publishableOffer('validate-ids')]), 400, 'InvalidDocument'],
      ['null', await validate('validate-ids', null), 400, 'InvalidDocument'],
      ['a string', await validate('validate-ids', 'offer'), 400, 'InvalidDocument'],
      ['not JSON', await validate('validate-ids', undefined, { raw: '{"offerTypeId":' }), 400, 'InvalidJson'],
      ['no api-version', await validate(DEMO_OFFER_ID, undefined, { query: '' }), 400, 'InvalidAPIVersion'],
      ['an unknown api-version', await validate(DEMO_OFFER_ID, undefined, { query: 'api-version=2016-01-01' }), 400, 'InvalidAPIVersion'],
      ['a bad offer id', await validate('bad$id', publishableOffer('bad$id')), 400, 'InvalidOfferId'],
    ];
    for (const [what, res, status, code] of cases) {
      assert.equal(res.status, status, `${what}: ${res.text}`);
      assert.equal(errorCode(res), code, what);
    }
    const coreVm = { offerTypeId: 'microsoft-azure-corevm', id: DEMO_OFFER_ID, definition: { displayText: 'x', offer: {}, plans: [] } };
    const typeChange = await validate(DEMO_OFFER_ID, coreVm);
    assert.equal(typeChange.status, 409);
    assert.equal(errorCode(typeChange), 'OfferTypeChange');
    assert.equal(errorCode(await put(server, DEMO_OFFER_ID, coreVm)), 'OfferTypeChange', 'as a PUT answers');
    assert.equal(errorCode(await put(server, 'validate-ids', mismatched)), 'IdMismatch', 'as a PUT answers');
  });

  it('no body and no offer: 404 OfferNotFound', async () => {
    const res = await validate('validate-missing');
    assert.equal(res.status, 404);
    assert.equal(errorCode(res), 'OfferNotFound');
  });

  it('needs the write permission: a Reader gets 403 InsufficientRole, another publisher 403 Forbidden, no token 401', async () => {
    const reader = await server.tokenFor(['contoso'], 'Reader');
    const contributor = await server.tokenFor(['contoso'], 'Contributor');
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    const stranger = await server.tokenFor(['fabrikam'], 'Owner');
    const asReader = await validate(DEMO_OFFER_ID, undefined, { token: reader });
    assert.equal(asReader.status, 403);
    assert.equal(errorCode(asReader), 'InsufficientRole');
    const asStranger = await validate(DEMO_OFFER_ID, publishableOffer(DEMO_OFFER_ID), { token: stranger });
    assert.equal(asStranger.status, 403);
    assert.equal(errorCode(asStranger), 'Forbidden');
    assert.doesNotMatch(asStranger.text, /Contoso App/);
    assert.equal((await validate(DEMO_OFFER_ID, undefined, { token: null })).status, 401);
    assert.equal((await validate(DEMO_OFFER_ID, undefined, { token: contributor })).status, 200);
  });

  it('changes nothing: the documents, ETags, operations and events are as they were', async () => {
    const webhook = '5d0c9a7e-0f1b-4c2d-8e3f-a4b5c6d7e8f9';
    await server.store.createWebhook(
      {
        id: webhook,
        publisherId: 'contoso',
        url: 'http://127.0.0.1:9/hooks',
        events: ['offer.updated', 'operation.started'],
        createdTime: new Date().toISOString(),
      },
      'a-validate-webhook-secret-0123',
      { context: localAudit(), entries: [] },
    );
    assert.equal((await put(server, 'validate-still', publishableOffer('validate-still'))).status, 200);
    const deliveries = async () => (await server.call(`/_cloudpartner/webhooks/${webhook}/deliveries`)).json().value.length;
    const before = {
      offers: (await server.call(`/api/publishers/contoso/offers?${API}`)).text,
      demo: await server.call(offerPath(DEMO_OFFER_ID)),
      still: await server.call(offerPath('validate-still')),
      demoSubmissions: (await server.call(offerPath(DEMO_OFFER_ID, '/submissions'))).text,
      deliveries: await deliveries(),
    };

    const changed = publishableOffer('validate-still');
    changed['definition'].offer[TITLE] = 'Validated, never stored';
    assert.equal((await report('validate-still', changed)).valid, true);
    assert.equal((await report('validate-still')).valid, true);
    assert.equal((await report(DEMO_OFFER_ID)).valid, true);
    assert.equal((await report(DEMO_OFFER_ID, { ...publishableOffer(DEMO_OFFER_ID), definition: { plans: 'x' } })).valid, false);

    const demo = await server.call(offerPath(DEMO_OFFER_ID));
    const still = await server.call(offerPath('validate-still'));
    assert.equal(demo.text, before.demo.text);
    assert.equal(demo.headers['etag'], before.demo.headers['etag']);
    assert.equal(still.text, before.still.text);
    assert.equal(still.headers['etag'], before.still.headers['etag']);
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`)).text, before.offers);
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID, '/submissions'))).text, before.demoSubmissions);
    assert.deepEqual((await server.call(offerPath('validate-still', '/submissions'))).json(), [], 'no operation');
    assert.equal(await deliveries(), before.deliveries, 'no event');
  });

  it("the SDK's validateOffer: a document or the draft; PUT's errors as CloudPartnerError", async () => {
    const client = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso' });
    const draft = await client.getOffer(DEMO_OFFER_ID);
    assert.deepEqual(await client.validateOffer(DEMO_OFFER_ID), { valid: true, problemCount: 0, problems: [], etag: draft.etag });
    const copy = { ...draft.offer, id: 'validate-sdk' };
    const result = await client.validateOffer('validate-sdk', copy);
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.problems.map((problem) => [problem.stage, problem.path]),
      [['certification', OS_VHD_PATH]],
    );
    await assert.rejects(client.validateOffer('validate-sdk'), (error) => error instanceof CloudPartnerError && error.code === 'OfferNotFound');
    await assert.rejects(
      client.validateOffer('validate-other', copy),
      (error) => error instanceof CloudPartnerError && error.status === 400 && error.code === 'IdMismatch',
    );
  });
});
