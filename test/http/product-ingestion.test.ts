/**
 * The product-ingestion face over real sockets, on the run's store: the flows of the reference's
 * client checklists (§8, §10) — create a VM product with plans and a technical configuration, add
 * an image version, publish to preview, go live, deprecate an image version, read every target,
 * page through products — and the cross-face cases: an edit in one face reads in the other, and a
 * publish started in one face blocks one in the other. Jobs never half-apply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';
import { AZUREEDGE, MP, PI, configure, configureCall, productIdOf, tree, waitForJob } from '../helpers/ingestion.ts';
import { JSON_HEADERS, VALID_VHD_URL, offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';

const VHD_2 = VALID_VHD_URL.replace('contoso-1.0.1.vhd', 'contoso-2.0.0.vhd');

/** A new VM product with one plan, everything a publish needs, as a client sends it (references by resourceName and externalId). */
function newProductResources(externalId: string, planId: string): unknown[] {
  return [
    { $schema: `${MP}/product/2022-03-01-preview3`, resourceName: 'prod', identity: { externalId }, type: 'azureVirtualMachine', alias: `${externalId} VM` },
    {
      $schema: `${MP}/listing/2022-03-01-preview5`,
      kind: 'azureVM',
      product: { resourceName: 'prod' },
      languageId: 'en-us',
      title: 'Fabrikam VM',
      description: 'A virtual machine for tests.',
      shortDescription: 'A VM.',
      searchResultSummary: 'A VM for tests',
      privacyPolicyLink: 'https://example.com/privacy',
      supportContact: { name: 'Support', email: 'support@example.com', phone: '555-0100' },
      engineeringContact: { name: 'Engineering', email: 'eng@example.com', phone: '555-0101' },
    },
    {
      $schema: `${MP}/property/2022-03-01-preview5`,
      kind: 'azureVM',
      product: { externalId },
      categories: { compute: ['operating-systems'] },
      termsConditions: 'custom',
      termsOfUse: 'Terms.',
    },
    {
      $schema: `${MP}/plan/2022-03-01-preview2`,
      resourceName: 'plan',
      product: { resourceName: 'prod' },
      identity: { externalId: planId },
      alias: 'Plan one',
      azureRegions: ['azureGlobal'],
    },
    {
      $schema: `${MP}/plan-listing/2022-03-01-preview5`,
      kind: 'azureVM-plan',
      product: { resourceName: 'prod' },
      plan: { resourceName: 'plan' },
      languageId: 'en-us',
      name: 'Plan one',
      summary: 'The first plan',
      description: 'The first plan, described.',
    },
    {
      $schema: `${MP}/price-and-availability-plan/2022-03-01-preview4`,
      product: { externalId },
      plan: { externalId: planId },
      visibility: 'visible',
      audience: 'public',
      customerMarkets: 'customMarkets',
      markets: ['us', 'de'],
      pricing: { licenseModel: 'byol' },
      trial: null,
    },
    {
      $schema: `${MP}/virtual-machine-plan-technical-configuration/2022-03-01-preview6`,
      product: { externalId },
      plan: { externalId: planId },
      operatingSystem: { family: 'linux', type: 'ubuntu', friendlyName: 'Ubuntu 22.04' },
      recommendedVmSizes: ['d2s-standard-v4'],
      openPorts: [],
      vmProperties: { supportsExtensions: true, supportsCloudInit: true },
      skus: [
        { imageType: 'x64Gen1', skuId: planId },
        { imageType: 'x64Gen2', skuId: `${planId}-gen2` },
      ],
      vmImageVersions: [
        {
          versionNumber: '1.0.1',
          lifecycleState: 'generallyAvailable',
          vmImages: [
            { imageType: 'x64Gen1', source: { sourceType: 'sasUri', osDisk: { uri: VALID_VHD_URL }, dataDisks: [] } },
            { imageType: 'x64Gen2', source: { sourceType: 'sasUri', osDisk: { uri: VALID_VHD_URL }, dataDisks: [] } },
          ],
        },
      ],
    },
  ];
}

const byType = (resources: any[], type: string) => resources.filter((resource) => (resource.id as string).startsWith(`${type}/`));

describe(`the product-ingestion face (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('tokens for https://graph.microsoft.com (v1 with expires_on, v2 .default) act on the publisher an application holds a role on', async () => {
    const created = await server.call(`/api/publishers/contoso/applications?${API}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ role: 'Contributor' }),
    });
    assert.equal(created.status, 201, created.text);
    const app = created.json();
    const ask = (version: 1 | 2, field: Record<string, string>) =>
      server.call(`/${app.tenantId}/oauth2/${version === 1 ? 'token' : 'v2.0/token'}`, {
        method: 'POST',
        token: null,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, ...field }).toString(),
      });
    const v1 = await ask(1, { resource: 'https://graph.microsoft.com/' });
    assert.equal(v1.status, 200, v1.text);
    assert.match(v1.json().expires_on, /^\d+$/);
    const v2 = await ask(2, { scope: 'https://graph.microsoft.com/.default' });
    assert.equal(v2.status, 200, v2.text);
    for (const token of [v1.json().access_token, v2.json().access_token]) {
      const res = await server.call(`${PI}/product?externalId=${DEMO_OFFER_ID}`, { token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().value.length, 1);
    }
    assert.equal((await ask(2, { scope: 'https://graph.microsoft.com/other' })).status, 400);
  });

  it('products: looked up by externalId (any letter case of the name, quoted value), a filter that matches nothing is 200 with value []', async () => {
    const id = await productIdOf(server, DEMO_OFFER_ID);
    assert.match(id, /^product\/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const lower = await server.call(`${PI}//product?externalid=${DEMO_OFFER_ID}`);
    assert.equal(lower.json().value[0].id, id);
    const quoted = await server.call(`${PI}/product/?externalID="${DEMO_OFFER_ID}"&$version=2022-07-01`);
    assert.equal(quoted.json().value[0].id, id);
    const none = await server.call(`${PI}/product?externalId=no-such-offer`);
    assert.deepEqual([none.status, none.json()], [200, { value: [] }]);
    assert.equal((await server.call(`${PI}/product?type=coreVirtualMachine`)).json().value.length, 0);
  });

  let productId: string;
  let planIdDurable: string;

  it('creates a VM product with a plan and a technical configuration in one job; the detail lists the resources in request order with ids', async () => {
    const request = newProductResources('fabrikam-vm', 'plan-one');
    const res = await configureCall(server, request, { path: `${PI}//configure?$version=2022-03-01-preview2` });
    assert.equal(res.status, 202, res.text);
    const accepted = res.json();
    assert.deepEqual(Object.keys(accepted).sort(), ['$schema', 'errors', 'jobEnd', 'jobId', 'jobResult', 'jobStart', 'jobStatus']);
    assert.equal(accepted.jobEnd, '0001-01-01T00:00:00');
    assert.match(accepted.jobStart, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    assert.ok(['notStarted', 'running'].includes(accepted.jobStatus));
    const status = await waitForJob(server, accepted.jobId);
    assert.deepEqual([status.jobResult, status.errors], ['succeeded', []], JSON.stringify(status));
    assert.match(status.jobEnd, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    const detail = await server.call(`${PI}/configure/${accepted.jobId}`);
    assert.equal(detail.status, 200, detail.text);
    const resources = detail.json().resources;
    assert.equal(resources.length, request.length);
    assert.match(resources[0].id, /^product\//);
    assert.match(resources[3].id, /^plan\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    productId = resources[0].id;
    planIdDurable = resources[3].id;
    assert.equal(await productIdOf(server, 'fabrikam-vm'), productId);
  });

  it('the job’s changes are the CPP draft; a CPP PUT shows in resource-tree?targetType=draft', async () => {
    const cpp = await server.call(offerPath('fabrikam-vm'));
    assert.equal(cpp.status, 200, cpp.text);
    const document = cpp.json();
    assert.equal(document.offerTypeId, 'microsoft-azure-virtualmachines');
    assert.equal(document.definition.offer['microsoft-azure-marketplace.title'], 'Fabrikam VM');
    const plan = document.definition.plans[0];
    assert.equal(plan.planId, 'plan-one');
    assert.equal(plan['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl, VALID_VHD_URL);
    assert.deepEqual(plan.regions, ['US', 'DE']);

    // Read before the edit too: a draft tree is kept until the draft changes, and must not outlive it.
    const before = await tree(server, productId, 'draft');
    assert.equal(byType(before.resources, 'listing')[0].title, 'Fabrikam VM');
    assert.deepEqual(await tree(server, productId, 'draft'), before, 'read again unchanged');

    document.definition.offer['microsoft-azure-marketplace.title'] = 'Fabrikam VM, edited in CPP';
    assert.equal((await put(server, 'fabrikam-vm', document, cpp.headers['etag'])).status, 200);
    const draft = await tree(server, productId, 'draft');
    assert.equal(draft.root, productId);
    assert.deepEqual(draft.target, { targetType: 'draft' });
    assert.equal(byType(draft.resources, 'listing')[0].title, 'Fabrikam VM, edited in CPP');
    // The plan's technical configuration names the plan by its exact id; the draft submission is in the tree.
    const techConfig = byType(draft.resources, 'virtual-machine-plan-technical-configuration')[0];
    assert.equal(techConfig.plan, planIdDurable);
    assert.deepEqual(
      techConfig.skus.map((sku: any) => sku.imageType),
      ['x64Gen1', 'x64Gen2'],
    );
    assert.equal(techConfig.vmImageVersions[0].vmImages.length, 2);
    assert.equal(byType(draft.resources, 'submission')[0].id, `submission/${productId.split('/')[1]}/0`);
    // Every resource's id prefix is one a client's fixed table knows.
    const known = [
      'product',
      'customer-leads',
      'plan',
      'property',
      'plan-listing',
      'listing',
      'listing-asset',
      'listing-trailer',
      'test-drive',
      'price-and-availability-offer',
      'price-and-availability-plan',
      'virtual-machine-plan-technical-configuration',
      'reseller',
      'submission',
    ];
    for (const resource of draft.resources) assert.ok(known.includes(resource.id.split('/')[0]), resource.id);
  });

  it('reads by durable id (draft), plan queries, and 404s for what is not there', async () => {
    const product = await server.call(`${PI}/${productId}`);
    assert.equal(product.json().identity.externalId, 'fabrikam-vm');
    const plans = await server.call(`${PI}/plan?product=${productId}&externalId=plan-one`);
    assert.equal(plans.json().value[0].id, planIdDurable);
    const [, g, p] = planIdDurable.split('/');
    const techConfig = await server.call(`${PI}/virtual-machine-plan-technical-configuration/${g}/${p}`);
    assert.equal(techConfig.status, 200, techConfig.text);
    assert.equal(techConfig.json().plan, planIdDurable);
    const missing = await server.call(`${PI}/plan/${g}/00000000-0000-5000-8000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json().error.code, 'notFound');
    assert.ok(Array.isArray(missing.json().error.details));
    assert.equal((await server.call(`${PI}/plan`)).status, 400);
    assert.equal((await server.call(`${PI}/resource-tree/${productId}?targetType=preview`)).status, 404);
    assert.equal((await server.call(`${PI}/resource-tree/${productId}?targetType=staging`)).status, 400);
  });

  it('a resource reads back on the schema host it was written with (clients find it by that prefix); the others on the current host', async () => {
    const status = await configure(server, [
      { $schema: `${AZUREEDGE}/listing/2022-03-01-preview3`, kind: 'azureVM', product: productId, languageId: 'en-us', title: 'Fabrikam VM, edited in CPP' },
    ]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const draft = await tree(server, productId);
    assert.ok(byType(draft.resources, 'listing')[0].$schema.startsWith(`${AZUREEDGE}/listing/`));
    assert.ok(byType(draft.resources, 'product')[0].$schema.startsWith(`${MP}/product/`));
    assert.ok(byType(draft.resources, 'plan')[0].$schema.startsWith(`${MP}/plan/`));
  });

  it('customer leads: a secret value posted in a job is stored sealed and never answered (tree, detail, status); its mask means unchanged', async () => {
    const secret = 'DefaultEndpointsProtocol=https;AccountName=leads;AccountKey=PI-SECRET-0123456789';
    const leads = (configuration: Record<string, string>) => ({
      $schema: `${MP}/customer-leads/2022-03-01-preview3`,
      product: productId,
      leadDestination: 'table',
      tableLeadConfiguration: configuration,
    });
    const res = await configureCall(server, [leads({ storageAccountConnectionString: secret })]);
    const status = await waitForJob(server, res.json().jobId);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const detail = await server.call(`${PI}/configure/${res.json().jobId}`);
    const draft = await server.call(`${PI}/resource-tree/${productId}`);
    for (const answer of [detail.text, draft.text, JSON.stringify(status)]) assert.ok(!answer.includes('PI-SECRET'), answer.slice(0, 300));
    assert.equal(byType(draft.json().resources, 'customer-leads')[0].leadDestination, 'table');
    assert.ok(!(await server.storedText()).includes('PI-SECRET'));
    const secrets = (await server.call(offerPath('fabrikam-vm', '/secrets'))).json();
    const held = (fields: any[]) => fields.find((field: any) => field.pointer.endsWith('tableLeadConfiguration/storageAccountConnectionString'))?.set;
    assert.ok(Array.isArray(secrets.value), JSON.stringify(secrets));
    assert.equal(held(secrets.value), true);
    assert.equal((await configure(server, [leads({ storageAccountConnectionString: '*********' })])).jobResult, 'succeeded');
    assert.equal(held((await server.call(offerPath('fabrikam-vm', '/secrets'))).json().value), true);
  });

  it('a job that fails validation changes nothing: every error with its resource, the draft’s ETag unchanged; its detail is 404', async () => {
    const before = await server.call(offerPath('fabrikam-vm'));
    const res = await configureCall(server, [
      { $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product: productId, languageId: 'en-us', title: 'Must not be stored' },
      {
        $schema: `${MP}/plan-listing/2022-03-01-preview5`,
        kind: 'azureVM-plan',
        product: productId,
        plan: { externalId: 'no-such-plan' },
        languageId: 'en-us',
        name: 'x',
      },
      { $schema: `${MP}/property/2022-03-01-preview5`, kind: 'azureVM', product: 'product/00000000-0000-5000-8000-000000000000', categories: {} },
    ]);
    assert.equal(res.status, 202, res.text);
    const status = await waitForJob(server, res.json().jobId);
    assert.equal(status.jobResult, 'failed');
    assert.equal(status.errors.length, 2, JSON.stringify(status.errors));
    for (const error of status.errors) {
      assert.ok(Array.isArray(error.details) && error.details.length > 0);
      assert.match(error.resourceId, /^resources\[\d\]$/);
      assert.equal(error.details[0].code, 'resourceNotFound');
    }
    const after = await server.call(offerPath('fabrikam-vm'));
    assert.equal(after.headers['etag'], before.headers['etag']);
    assert.equal((await server.call(`${PI}/configure/${res.json().jobId}`)).status, 404);
  });

  it('a request that does not match the schemas is 400 badRequest with every problem and its path, and makes no job', async () => {
    const res = await configureCall(server, [
      { $schema: `${MP}/plan/2022-03-01-preview2`, product: productId, identity: { externalId: 'Bad Plan' } },
      { $schema: `${MP}/no-such-type/2022-03-01-preview2` },
    ]);
    assert.equal(res.status, 400, res.text);
    const error = res.json().error;
    assert.equal(error.code, 'badRequest');
    const messages = error.details.map((detail: any) => detail.message).join('\n');
    assert.match(messages, /\$\.resources\[0\]\.identity\.externalId/);
    assert.match(messages, /\$\.resources\[0\]/);
    assert.match(messages, /\$\.resources\[1\]\.\$schema/);
    assert.ok(error.details.every((detail: any) => detail.code === 'schemaValidationError' && Array.isArray(detail.details)));
    const unknownJob = await server.call(`${PI}/configure/00000000-0000-4000-8000-000000000000/status`);
    assert.deepEqual([unknownJob.status, unknownJob.json().error.code], [404, 'notFound']);
  });

  let previewId: string;

  it('publishes to preview through the CPP workflow: the job runs until publisher sign-off, the submission lists the preview', async () => {
    const guid = productId.split('/')[1];
    const res = await configureCall(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }]);
    assert.equal(res.status, 202, res.text);
    const jobId = res.json().jobId;
    const status = await waitForJob(server, jobId);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    // The job is the CPP operation: one run, described by both faces.
    const operation = await server.call(offerPath('fabrikam-vm', `/operations/${jobId}`));
    assert.equal(operation.status, 200, operation.text);
    assert.equal(operation.json().status, 'succeeded');
    const offer = (await server.call(offerPath('fabrikam-vm'))).json();
    assert.deepEqual([offer.status, offer.version], ['waitingForPublisherReview', 2]);
    const submissions = (await server.call(`${PI}/submission/${guid}`)).json().value;
    const preview = submissions.find((entry: any) => entry.target.targetType === 'preview');
    assert.deepEqual([preview.status, preview.result], ['completed', 'succeeded']);
    assert.equal(preview.id, `submission/${guid}/1152921504606846977`);
    previewId = preview.id;
    const one = await server.call(`${PI}/submission/${guid}/1152921504606846977`);
    assert.equal(one.json().id, previewId);
    const previewTree = await tree(server, productId, 'preview');
    assert.equal(byType(previewTree.resources, 'submission')[0].target.targetType, 'preview');
    assert.equal((await server.call(`${PI}/resource-tree/${productId}?targetType=live`)).status, 404);
    // Cancelling a job that completed is refused, as the service does.
    const cancel = await server.call(`${PI}/configure/${jobId}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 400);
    assert.deepEqual(cancel.json().error.code, 'badRequest');
    assert.match(cancel.json().error.message, /already completed/);
  });

  it('goes live with the preview submission’s id; the live tree and the CPP Production slot agree', async () => {
    const guid = productId.split('/')[1];
    const status = await configure(server, [
      {
        $schema: `${AZUREEDGE}/submission/2022-03-01-preview2`,
        id: previewId,
        product: productId,
        target: { targetType: 'live' },
        status: 'completed',
        result: 'succeeded',
      },
    ]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const live = await tree(server, productId, 'live');
    assert.equal(byType(live.resources, 'submission')[0].target.targetType, 'live');
    const production = (await server.call(offerPath('fabrikam-vm', '/slot/Production'))).json();
    assert.equal(production.version, 1);
    const submissions = (await server.call(`${PI}/submission/${guid}`)).json().value;
    assert.deepEqual(
      submissions.map((entry: any) => entry.target.targetType),
      ['draft', 'live'],
    );
  });

  it('adds an image version as azure-img-utils does after a go-live: the tech config posted back as read, only that resource', async () => {
    const draft = await tree(server, productId, 'draft');
    const plan = draft.resources.find((resource: any) => resource.$schema.startsWith(`${MP}/plan/`) && resource.identity.externalId === 'plan-one');
    const techConfig = draft.resources.find(
      (resource: any) => resource.$schema.includes('virtual-machine-plan-technical-configuration') && resource.plan === plan.id,
    );
    techConfig.validations = [];
    techConfig.vmImageVersions.push({
      versionNumber: '2.0.0',
      lifecycleState: 'generallyAvailable',
      vmImages: [
        { imageType: 'x64Gen1', source: { sourceType: 'sasUri', osDisk: { uri: VHD_2 }, dataDisks: [null] } },
        { imageType: 'x64Gen2', source: { sourceType: 'sasUri', osDisk: { uri: VHD_2 }, dataDisks: [] } },
      ],
    });
    const status = await configure(server, [techConfig]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const cpp = (await server.call(offerPath('fabrikam-vm'))).json();
    assert.deepEqual(Object.keys(cpp.definition.plans[0]['microsoft-azure-virtualmachines.vmImages']), ['1.0.1', '2.0.0']);
  });

  it('deprecates a published image version; a published version cannot be changed or deleted', async () => {
    const draft = await tree(server, productId);
    const techConfig = byType(draft.resources, 'virtual-machine-plan-technical-configuration')[0];
    const changed = structuredClone(techConfig);
    changed.vmImageVersions[0].vmImages[0].source.osDisk.uri = VHD_2;
    const refused = await configure(server, [changed]);
    assert.equal(refused.jobResult, 'failed');
    assert.match(JSON.stringify(refused.errors), /locked by a previous submission/);
    techConfig.vmImageVersions[0].lifecycleState = 'deprecated';
    // A client that does not model disks posts the published source degraded: it means "unchanged".
    techConfig.vmImageVersions[0].vmImages[0].source = { sourceType: 'sasUri', osDisk: null, dataDisks: [] };
    const status = await configure(server, [techConfig]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const image = (await server.call(offerPath('fabrikam-vm'))).json().definition.plans[0]['microsoft-azure-virtualmachines.vmImages']['1.0.1'];
    assert.deepEqual([image.osVhdUrl, image.showInGui], [VALID_VHD_URL, false]);
    const reread = byType((await tree(server, productId)).resources, 'virtual-machine-plan-technical-configuration')[0];
    assert.equal(reread.vmImageVersions[0].lifecycleState, 'deprecated');
  });

  it('pages through products with $maxpagesize and @nextLink (tokens of [A-Za-z0-9_-] only)', async () => {
    for (const id of ['page-a', 'page-b']) assert.equal((await put(server, id, publishableOffer(id))).status, 200);
    const seen: string[] = [];
    let next: string | undefined = `${server.baseUrl}${PI}/product?$maxpagesize=1`;
    let pages = 0;
    while (next) {
      const url = new URL(next);
      const token = url.searchParams.get('continuationToken');
      if (token !== null) assert.match(token, /^[A-Za-z0-9_-]+$/);
      const res = await server.call(url.pathname + url.search);
      assert.equal(res.status, 200, res.text);
      const page = res.json();
      assert.ok(page.value.length <= 1);
      seen.push(...page.value.map((product: any) => product.identity.externalId));
      next = page['@nextLink'];
      pages++;
    }
    assert.deepEqual(seen, [DEMO_OFFER_ID, 'fabrikam-vm', 'page-a', 'page-b'].sort());
    assert.equal(pages, 4);
  });

  it('going live with "id": null when there is no preview submission is a clear job error, not a crash', async () => {
    const productId = await productIdOf(server, 'page-a');
    const status = await configure(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, id: null, product: productId, target: { targetType: 'live' } }]);
    assert.equal(status.jobResult, 'failed');
    assert.equal(status.errors[0].details[0].code, 'invalidState');
    assert.match(status.errors[0].details[0].message, /cannot go live: nothing has been published to preview yet/);
  });

  it('Core VM: a coreVirtualMachine product is a microsoft-azure-corevm offer; its plans have core technical configurations', async () => {
    const status = await configure(server, [
      { $schema: `${MP}/product/2022-03-01-preview3`, identity: { externalId: 'core-vm' }, type: 'coreVirtualMachine', alias: 'Core VM' },
      { $schema: `${MP}/plan/2022-03-01-preview2`, product: { externalId: 'core-vm' }, identity: { externalId: 'core-plan' }, alias: 'Core plan' },
      {
        $schema: `${AZUREEDGE}/core-virtual-machine-plan-technical-configuration/2022-03-01-preview5`,
        product: { externalId: 'core-vm' },
        plan: { externalId: 'core-plan' },
        softwareType: 'operatingSystem',
        operatingSystem: { family: 'linux', type: 'other' },
        skus: [{ imageType: 'arm64Gen2', skuId: 'core-plan' }],
        vmImageVersions: [
          { versionNumber: '2024.1.0', vmImages: [{ imageType: 'arm64Gen2', source: { sourceType: 'sasUri', osDisk: { uri: VALID_VHD_URL } } }] },
        ],
      },
    ]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const cpp = (await server.call(offerPath('core-vm'))).json();
    assert.equal(cpp.offerTypeId, 'microsoft-azure-corevm');
    assert.equal(cpp.definition.plans[0]['microsoft-azure-corevm.vmImagesPublicAzure']['2024.1.0'].osVhdUrl, VALID_VHD_URL);
    const coreId = await productIdOf(server, 'core-vm');
    const techConfig = byType((await tree(server, coreId)).resources, 'core-virtual-machine-plan-technical-configuration')[0];
    assert.equal(techConfig.softwareType, 'operatingSystem');
    assert.deepEqual(techConfig.vmImageVersions[0].vmImages[0].imageType, 'arm64Gen2');
    assert.ok(techConfig.$schema.startsWith(`${AZUREEDGE}/core-virtual-machine-plan-technical-configuration/`));
    assert.equal((await server.call(`${PI}/product?type=coreVirtualMachine`)).json().value[0].id, coreId);
  });

  it('a caller sees only its publishers’ products; a Reader may read but not configure', async () => {
    const reader = await server.tokenFor(['contoso'], 'Reader');
    assert.equal((await server.call(`${PI}/resource-tree/${productId}`, { token: reader })).status, 200);
    const refused = await configureCall(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }], {
      token: reader,
    });
    assert.deepEqual([refused.status, refused.json().error.code], [403, 'forbidden']);
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    const stranger = await server.tokenFor(['fabrikam'], 'Owner');
    assert.equal((await server.call(`${PI}/resource-tree/${productId}`, { token: stranger })).status, 404);
    assert.deepEqual((await server.call(`${PI}/product`, { token: stranger })).json(), { value: [] });
    const anonymous = await server.call(`${PI}/product`, { token: null });
    assert.deepEqual([anonymous.status, anonymous.json().error.code], [401, 'unauthorized']);
  });
});

describe(`the product-ingestion face: one running operation across both faces (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  // Steps that take an hour: a publish stays running for as long as the test needs.
  before(async () => (server = await startTestServer('http', { stepMs: 3_600_000 })));
  after(async () => server.close());

  it('a CPP publish blocks a preview submission (the job fails with conflict/productLocked), and a PI publish blocks a CPP one; cancel stops it', async () => {
    assert.equal((await put(server, 'cross-face', publishableOffer('cross-face'))).status, 200);
    const productId = await productIdOf(server, 'cross-face');
    const started = await post(server, 'cross-face', 'publish');
    assert.equal(started.status, 202, started.text);
    const submit = [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }];
    const blocked = await configure(server, [
      ...submit,
      { $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product: productId, languageId: 'en-us', title: 'Not while blocked' },
    ]);
    assert.equal(blocked.jobResult, 'failed');
    assert.equal(blocked.errors[0].code, 'conflict');
    assert.equal(blocked.errors[0].details[0].code, 'productLocked');
    // Nothing of the job was applied: the listing change went with the refused submission.
    assert.notEqual((await server.call(offerPath('cross-face'))).json().definition.offer['microsoft-azure-marketplace.title'], 'Not while blocked');

    assert.equal((await post(server, 'cross-face', 'cancel')).status, 200);
    const res = await configureCall(server, submit);
    const jobId = res.json().jobId;
    let status = await server.call(`${PI}/configure/${jobId}/status`);
    for (let i = 0; status.json().jobStatus !== 'running' && i < 500; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await server.call(`${PI}/configure/${jobId}/status`);
    }
    assert.deepEqual([status.json().jobStatus, status.json().jobResult], ['running', 'pending']);
    // A job reads `running` once claimed, before its runner has started the publish: wait for that too.
    for (let i = 0; (await server.call(offerPath('cross-face'))).json().status !== 'running' && i < 500; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The same draft published from the CPP face is the same run (D30): the job's operation.
    const samePublish = await post(server, 'cross-face', 'publish');
    assert.equal(samePublish.status, 202, samePublish.text);
    assert.equal(samePublish.json().id, jobId);
    // Anything else is refused while it runs: a publish of a changed draft, a go-live.
    const edited = publishableOffer('cross-face');
    edited.definition.offer['microsoft-azure-marketplace.title'] = 'Changed meanwhile';
    assert.equal((await put(server, 'cross-face', edited)).status, 200);
    for (const action of ['publish', 'golive'] as const) {
      const refused = await post(server, 'cross-face', action);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.json().error.code, 'OperationInProgress');
    }
    const submissions = (await server.call(`${PI}/submission/${productId.split('/')[1]}`)).json().value;
    assert.deepEqual(
      submissions.filter((entry: any) => entry.target.targetType === 'preview').map((entry: any) => [entry.status, entry.result]),
      [['running', 'pending']],
    );

    const cancelled = await server.call(`${PI}/configure/${jobId}/cancel`, { method: 'POST' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.deepEqual([cancelled.json().jobStatus, cancelled.json().jobResult], ['completed', 'cancelled']);
    assert.equal((await server.call(offerPath('cross-face', `/operations/${jobId}`))).json().status, 'canceled');
  });
});

describe(`the product-ingestion face: the strict profile (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { app: { ingestionProfile: 'strict' } })));
  after(async () => server.close());

  it('refuses the retired schema host with 400, and fails a job that echoes an id or names an older version', async () => {
    const productId = await productIdOf(server, DEMO_OFFER_ID);
    const retired = await configureCall(server, [{ $schema: `${AZUREEDGE}/property/2022-03-01-preview5`, kind: 'azureVM', product: productId }]);
    assert.equal(retired.status, 400, retired.text);
    assert.match(retired.json().error.message, /could not be accessed/);
    const echoed = await configure(server, [
      { $schema: `${MP}/product/2022-03-01-preview3`, id: productId, identity: { externalId: DEMO_OFFER_ID }, type: 'azureVirtualMachine', alias: 'x' },
    ]);
    assert.equal(echoed.jobResult, 'failed');
    assert.equal(echoed.errors[0].message, 'Invalid resource');
    const older = await configure(server, [{ $schema: `${MP}/property/2022-03-01-preview2`, kind: 'azureVM', product: productId }]);
    assert.equal(older.jobResult, 'failed');
  });
});

export { waitForOperation };

describe(`the product-ingestion face under the sandbox (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  let admin: string;
  before(async () => {
    server = await startTestServer('http', { stepMs: 3_600_000, app: { sandbox: true } });
    admin = await server.sandboxAdminToken();
  });
  after(async () => server.close());

  it('a step fault fails a preview submission as certification does; the workflow clock carries a submission to sign-off', async () => {
    assert.equal((await put(server, 'sandboxed', publishableOffer('sandboxed'))).status, 200);
    const productId = await productIdOf(server, 'sandboxed');
    const fault = await server.call('/_cloudpartner/faults', {
      method: 'POST',
      token: admin,
      headers: JSON_HEADERS,
      body: JSON.stringify({ match: { offerId: 'sandboxed', step: 'displaycertify' }, effect: { fail: { messages: ['The image does not boot.'] } }, times: 1 }),
    });
    assert.equal(fault.status, 201, fault.text);
    const submit = [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }];
    const advance = async () =>
      assert.equal(
        (await server.call('/_cloudpartner/clock/advance', { method: 'POST', token: admin, headers: JSON_HEADERS, body: JSON.stringify({ ms: 86_400_000 }) }))
          .status,
        200,
      );

    /** The job has handed over to the workflow: its operation runs on the offer (then moving time ahead moves it). */
    const handedOver = async (jobId: string) => {
      for (let i = 0; i < 750; i++) {
        const status = (await server.call(offerPath('sandboxed', `/operations/${jobId}`))).status;
        if (status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.fail(`job ${jobId} never started its operation`);
    };
    let res = await configureCall(server, submit);
    await handedOver(res.json().jobId);
    await advance();
    const failed = await waitForJob(server, res.json().jobId);
    assert.equal(failed.jobResult, 'failed', JSON.stringify(failed));
    // As a client detects certification failures: an invalidState node that says "Certification", every node with details[].
    const [error] = failed.errors;
    assert.equal(error.code, 'internalServerError');
    assert.match(error.resourceId, /^submission\/[0-9a-f-]{36}\/1152921504606846977$/);
    assert.deepEqual([error.details[0].code, error.details[0].message], ['invalidState', 'Certification']);
    assert.match(JSON.stringify(error.details[0].details), /The image does not boot\./);
    const preview = (await server.call(`${PI}/submission/${productId.split('/')[1]}`)).json().value.find((entry: any) => entry.target.targetType === 'preview');
    assert.deepEqual([preview.status, preview.result], ['completed', 'failed']);

    res = await configureCall(server, submit);
    await handedOver(res.json().jobId);
    await advance();
    const published = await waitForJob(server, res.json().jobId);
    assert.equal(published.jobResult, 'succeeded', JSON.stringify(published));

    // The journal keeps configure requests, their lead configurations masked.
    const leads = await configure(server, [
      {
        $schema: `${MP}/customer-leads/2022-03-01-preview3`,
        product: productId,
        leadDestination: 'blob',
        blobLeadConfiguration: { storageAccountConnectionString: 'JOURNAL-SECRET-42', containerName: 'leads' },
      },
    ]);
    assert.equal(leads.jobResult, 'succeeded', JSON.stringify(leads));
    const journal = await server.call('/_cloudpartner/journal?limit=200', { token: admin });
    assert.equal(journal.status, 200, journal.text);
    assert.ok(journal.text.includes('/rp/product-ingestion/configure'));
    assert.ok(!journal.text.includes('JOURNAL-SECRET-42'));
  });
});

describe(`the product-ingestion face: short submission jobs (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { stepMs: 3_600_000, app: { ingestionPublishJob: 'short' } })));
  after(async () => server.close());

  it('a submission’s job completes once the submission is accepted; the submission shows the publish running', async () => {
    assert.equal((await put(server, 'short-job', publishableOffer('short-job'))).status, 200);
    const productId = await productIdOf(server, 'short-job');
    const status = await configure(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }]);
    assert.deepEqual([status.jobStatus, status.jobResult, status.errors], ['completed', 'succeeded', []]);
    const preview = (await server.call(`${PI}/submission/${productId.split('/')[1]}`)).json().value.find((entry: any) => entry.target.targetType === 'preview');
    assert.deepEqual([preview.status, preview.result], ['running', 'pending']);
    assert.equal((await server.call(`${PI}/configure/${status.jobId}/cancel`, { method: 'POST' })).status, 400);
  });
});

describe(`the product-ingestion face: listing media, test drive, $version, business rules, deprecation (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  let productId: string;
  let guid: string;
  before(async () => {
    server = await startTestServer('http');
    const status = await configure(server, newProductResources('media-vm', 'plan-m'));
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    productId = await productIdOf(server, 'media-vm');
    guid = productId.split('/')[1]!;
  });
  after(async () => server.close());

  const listingOf = () => `listing/${guid}/public/main/default/en-us`;
  const screenshot = (fields: Record<string, unknown>) => ({
    $schema: `${MP}/listing-asset/2022-03-01-preview5`,
    kind: 'azure',
    product: productId,
    listing: listingOf(),
    languageId: 'en-us',
    type: 'azureLogoScreenshot',
    ...fields,
  });
  const trailer = (fields: Record<string, unknown>) => ({
    $schema: `${MP}/listing-trailer/2022-03-01-preview5`,
    kind: 'azure',
    product: productId,
    listing: listingOf(),
    ...fields,
  });
  const etagOf = async () => (await server.call(offerPath('media-vm'))).headers['etag'];
  const failedDetails = (status: any) =>
    status.errors.flatMap((error: any) => error.details.map((detail: any) => ({ ...detail, resourceId: error.resourceId })));

  it('screenshots, PDF documents and trailers: written to the CPP listing, numbered in their ids, re-posts without an id update in place, deleted removes', async () => {
    const res = await configureCall(server, [
      screenshot({ url: 'https://example.com/a.png', fileName: 'a.png', description: 'First' }),
      screenshot({ url: 'https://example.com/b.png', fileName: 'b.png' }),
      { ...screenshot({ url: 'https://example.com/guide.pdf', fileName: 'guide.pdf', friendlyName: 'Guide' }), type: 'pdfDocument' },
      trailer({
        streamingUrl: 'https://video.example.com/intro',
        assets: { 'en-us': { title: 'Intro', imageList: [{ url: 'https://example.com/thumb.png' }] } },
      }),
    ]);
    const status = await waitForJob(server, res.json().jobId);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const detail = (await server.call(`${PI}/configure/${res.json().jobId}`)).json().resources;
    assert.deepEqual(
      detail.map((resource: any) => resource.id),
      [
        `listing-asset/${guid}/public/main/default/en-us/azurelogoscreenshot/1`,
        `listing-asset/${guid}/public/main/default/en-us/azurelogoscreenshot/2`,
        `listing-asset/${guid}/public/main/default/en-us/pdfdocument/1`,
        `listing-trailer/${guid}/public/main/default/1`,
      ],
    );
    const offer = (await server.call(offerPath('media-vm'))).json().definition;
    assert.deepEqual(
      offer.offer['microsoft-azure-marketplace.screenshots'].map((item: any) => item.fileName),
      ['a.png', 'b.png'],
    );
    assert.deepEqual(offer.offer['microsoft-azure-marketplace.videos'], [
      { streamingUrl: 'https://video.example.com/intro', title: 'Intro', thumbnailUrl: 'https://example.com/thumb.png' },
    ]);
    assert.equal(offer.productIngestion.documents[0].fileName, 'guide.pdf');
    const draft = await tree(server, productId);
    const read = byType(draft.resources, 'listing-trailer')[0];
    assert.deepEqual(read.assets, { 'en-us': { title: 'Intro', imageList: [{ url: 'https://example.com/thumb.png' }] } });

    // Posted again without an id, matched by fileName: updated, not added.
    assert.equal((await configure(server, [screenshot({ fileName: 'a.png', description: 'First, again' })])).jobResult, 'succeeded');
    const shots = byType((await tree(server, productId)).resources, 'listing-asset').filter((asset: any) => asset.type === 'azureLogoScreenshot');
    assert.deepEqual(
      shots.map((asset: any) => [asset.fileName, asset.description ?? null]),
      [
        ['a.png', 'First, again'],
        ['b.png', null],
      ],
    );
    // Deleted by its echoed id: the rest move up.
    const deleted = await configure(server, [{ ...screenshot({ lifecycleState: 'deleted' }), id: shots[0].id }]);
    assert.equal(deleted.jobResult, 'succeeded', JSON.stringify(deleted));
    const left = byType((await tree(server, productId)).resources, 'listing-asset').filter((asset: any) => asset.type === 'azureLogoScreenshot');
    assert.deepEqual(
      left.map((asset: any) => [asset.id.split('/').at(-1), asset.fileName]),
      [['1', 'b.png']],
    );
  });

  it('listing media rules: a document is a PDF, at most 5 screenshots, a new trailer needs its thumbnail — failing jobs change nothing', async () => {
    const before = await etagOf();
    const notPdf = await configure(server, [{ ...screenshot({ url: 'https://example.com/notes.txt', fileName: 'notes.txt' }), type: 'pdfDocument' }]);
    assert.equal(notPdf.jobResult, 'failed');
    assert.deepEqual(
      failedDetails(notPdf).map((detail: any) => [detail.code, detail.resourceId]),
      [['businessValidationError', 'resources[0]']],
    );
    assert.match(failedDetails(notPdf)[0].message, /^\$\.fileName: .*PDF/);
    const tooMany = await configure(
      server,
      [1, 2, 3, 4, 5].map((n) => screenshot({ url: `https://example.com/s${n}.png`, fileName: `s${n}.png` })),
    );
    assert.equal(tooMany.jobResult, 'failed');
    assert.equal(failedDetails(tooMany)[0].code, 'collectionLimitExceeded');
    assert.equal(failedDetails(tooMany)[0].resourceId, 'resources[4]');
    const bare = await configure(server, [trailer({ streamingUrl: 'https://video.example.com/other' })]);
    assert.equal(bare.jobResult, 'failed');
    assert.match(failedDetails(bare)[0].message, /^\$\.assets: /);
    assert.equal(await etagOf(), before);
  });

  it('the CPP face writes the same media: a video put through CPP reads as a trailer', async () => {
    const document = (await server.call(offerPath('media-vm'))).json();
    document.definition.offer['microsoft-azure-marketplace.videos'].push({
      title: 'Deep dive',
      streamingUrl: 'https://video.example.com/deep',
      thumbnailUrl: 'https://example.com/deep.png',
    });
    assert.equal((await put(server, 'media-vm', document, '*')).status, 200);
    const trailers = byType((await tree(server, productId)).resources, 'listing-trailer');
    assert.deepEqual(
      trailers.map((item: any) => [item.id, item.assets['en-us'].title]),
      [
        [`listing-trailer/${guid}/public/main/default/1`, 'Intro'],
        [`listing-trailer/${guid}/public/main/default/2`, 'Deep dive'],
      ],
    );
  });

  it('test drive: the test-drive resource is the offer’s microsoft-azure-marketplace-testdrive.enabled; its type only while enabled', async () => {
    const testDrive = (fields: Record<string, unknown>) => ({ $schema: `${AZUREEDGE}/test-drive/2022-03-01-preview2`, product: productId, ...fields });
    assert.deepEqual(byType((await tree(server, productId)).resources, 'test-drive'), [
      { $schema: `${MP}/test-drive/2022-03-01-preview2`, id: `test-drive/${guid}`, product: productId, enabled: false },
    ]);
    const missingType = await configureCall(server, [testDrive({ enabled: true })]);
    assert.equal(missingType.status, 400, missingType.text);
    assert.match(JSON.stringify(missingType.json().error.details), /resources\[0\]\.type/);
    const res = await configureCall(server, [testDrive({ enabled: true, type: 'azureResourceManager' })]);
    assert.equal((await waitForJob(server, res.json().jobId)).jobResult, 'succeeded');
    assert.equal((await server.call(`${PI}/configure/${res.json().jobId}`)).json().resources[0].id, `test-drive/${guid}`);
    const document = (await server.call(offerPath('media-vm'))).json();
    assert.equal(document.definition.offer['microsoft-azure-marketplace-testdrive.enabled'], true);
    const read = (await server.call(`${PI}/test-drive/${guid}`)).json();
    assert.deepEqual([read.$schema, read.enabled, read.type], [`${AZUREEDGE}/test-drive/2022-03-01-preview2`, true, 'azureResourceManager']);
    // Turned off through the CPP face: the type goes with it.
    document.definition.offer['microsoft-azure-marketplace-testdrive.enabled'] = false;
    assert.equal((await put(server, 'media-vm', document, '*')).status, 200);
    const off = (await server.call(`${PI}/test-drive/${guid}`)).json();
    assert.deepEqual([off.enabled, 'type' in off], [false, false]);
  });

  it('$version is a maximum: each resource in its newest version not above it, later fields left out; no $version reads the current ones', async () => {
    const techConfig = byType((await tree(server, productId)).resources, 'virtual-machine-plan-technical-configuration')[0];
    techConfig.skus[1].securityType = ['trusted'];
    techConfig.vmProperties = { ...techConfig.vmProperties, supportsSriov: true };
    assert.equal((await configure(server, [techConfig])).jobResult, 'succeeded');
    const versionOf = (resource: any) => resource.$schema.split('/').slice(-2).join('/');
    const treeIn = async (version?: string) =>
      (await server.call(`${PI}/resource-tree/${productId}${version ? `?$version=${version}` : ''}`)).json().resources as any[];

    const current = await treeIn();
    const currentTech = byType(current, 'virtual-machine-plan-technical-configuration')[0];
    assert.equal(versionOf(currentTech), 'virtual-machine-plan-technical-configuration/2022-03-01-preview6');
    assert.deepEqual([currentTech.skus[1].securityType, currentTech.vmProperties.supportsSriov], [['trusted'], true]);

    const p2 = await treeIn('2022-03-01-preview2');
    assert.ok(
      p2.every((resource) => resource.$schema.endsWith('/2022-03-01-preview2')),
      JSON.stringify(p2.map(versionOf)),
    );
    const p2Tech = byType(p2, 'virtual-machine-plan-technical-configuration')[0];
    assert.deepEqual(['securityType' in p2Tech.skus[1], 'supportsSriov' in p2Tech.vmProperties], [false, false]);
    // The host a resource reads on is kept (test-drive was written on azureedge).
    assert.equal(byType(p2, 'test-drive')[0].$schema, `${AZUREEDGE}/test-drive/2022-03-01-preview2`);

    const p3 = await treeIn('2022-03-01-preview3');
    assert.deepEqual(
      ['product', 'listing', 'price-and-availability-plan', 'virtual-machine-plan-technical-configuration'].map((type) => versionOf(byType(p3, type)[0])),
      [
        'product/2022-03-01-preview3',
        'listing/2022-03-01-preview3',
        'price-and-availability-plan/2022-03-01-preview2',
        'virtual-machine-plan-technical-configuration/2022-03-01-preview3',
      ],
    );
    assert.deepEqual(byType(p3, 'virtual-machine-plan-technical-configuration')[0].skus[1].securityType, ['trusted']);

    // cloudpub's 2022-07-01 is above every preview of 2022-03-01: the current versions.
    assert.deepEqual((await treeIn('2022-07-01')).map(versionOf), current.map(versionOf));

    // Every read takes it: a resource by id, the queries, the submissions.
    assert.equal(
      versionOf((await server.call(`${PI}/${currentTech.id}?$version=2022-03-01-preview5`)).json()),
      'virtual-machine-plan-technical-configuration/2022-03-01-preview5',
    );
    assert.equal(
      versionOf((await server.call(`${PI}/product?externalId=media-vm&$version=2022-03-01-preview2`)).json().value[0]),
      'product/2022-03-01-preview2',
    );
    assert.equal(versionOf((await server.call(`${PI}/submission/${guid}?$version=2022-03-01-preview2`)).json().value[0]), 'submission/2022-03-01-preview2');
    const bad = await server.call(`${PI}/resource-tree/${productId}?$version=latest`);
    assert.deepEqual([bad.status, bad.json().error.code], [400, 'badRequest']);
  });

  it('business rules of technical configurations fail the job with the resource and the path, and change nothing', async () => {
    const before = await etagOf();
    const techConfig = byType((await tree(server, productId)).resources, 'virtual-machine-plan-technical-configuration')[0];
    const version = (number: string) => ({
      versionNumber: number,
      lifecycleState: 'generallyAvailable',
      vmImages: [
        { imageType: 'x64Gen1', source: { sourceType: 'sasUri', osDisk: { uri: VHD_2 }, dataDisks: [] } },
        { imageType: 'x64Gen2', source: { sourceType: 'sasUri', osDisk: { uri: VHD_2 }, dataDisks: [] } },
      ],
    });

    // 1.0.1 was never published: a second new version in the same submission is refused.
    const twoNew = await configure(server, [{ ...techConfig, vmImageVersions: [...techConfig.vmImageVersions, version('2.0.0')] }]);
    assert.equal(twoNew.jobResult, 'failed');
    assert.deepEqual(
      failedDetails(twoNew).map((detail: any) => [detail.code, detail.resourceId]),
      [['businessValidationError', techConfig.id]],
    );
    assert.match(failedDetails(twoNew)[0].message, /^\$\.vmImageVersions: Only one new image version .*1\.0\.1, 2\.0\.0/);

    // A SKU generation without an active image.
    const inactive = structuredClone(techConfig);
    inactive.vmImageVersions[0].lifecycleState = 'deprecated';
    const noActive = await configure(server, [inactive]);
    assert.deepEqual(
      failedDetails(noActive).map((detail: any) => detail.message.replace(/:.*$/, '')),
      ['$.vmImageVersions', '$.vmImageVersions'],
    );
    assert.match(failedDetails(noActive)[0].message, /x64Gen1 has no active image/);

    // A skuId another plan of the offer uses: the second plan's configuration is blamed, at the SKU's path.
    const secondPlan = newProductResources('media-vm', 'plan-n')
      .slice(3)
      .map((resource: any) => ({ ...resource, product: productId }));
    const secondTech: any = secondPlan.at(-1);
    secondTech.skus = [
      { imageType: 'x64Gen1', skuId: 'plan-n' },
      { imageType: 'x64Gen2', skuId: 'plan-m-gen2' },
    ];
    const shared = await configure(server, secondPlan);
    assert.equal(shared.jobResult, 'failed');
    assert.deepEqual(
      failedDetails(shared).map((detail: any) => [detail.code, detail.resourceId, detail.message.replace(/ .*$/, '')]),
      [['businessValidationError', 'resources[3]', '$.skus[1].skuId:']],
    );
    assert.match(failedDetails(shared)[0].message, /'plan-m-gen2' is already used by the plan 'plan-m'/);
    assert.equal(await etagOf(), before);
  });

  it('deprecating the product: refused before it is live and as a product edit; a live submission with lifecycleState deprecated deprecates it at once', async () => {
    const deprecate = (fields: Record<string, unknown> = {}) => ({
      $schema: `${MP}/submission/2022-03-01-preview2`,
      product: productId,
      target: { targetType: 'live' },
      lifecycleState: 'deprecated',
      deprecationSchedule: { dateOffset: 'P30D', reason: 'endOfSupport' },
      ...fields,
    });
    const early = await configure(server, [deprecate()]);
    assert.deepEqual(
      failedDetails(early).map((detail: any) => detail.code),
      ['invalidState'],
    );
    const asEdit = await configure(server, [{ ...byType((await tree(server, productId)).resources, 'product')[0], lifecycleState: 'deprecated' }]);
    assert.match(failedDetails(asEdit)[0].message, /submission to live/);

    const preview = await configure(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }]);
    assert.equal(preview.jobResult, 'succeeded', JSON.stringify(preview));
    const previewId = (await server.call(`${PI}/submission/${guid}`)).json().value.find((entry: any) => entry.target.targetType === 'preview').id;
    const live = await configure(server, [
      { $schema: `${MP}/submission/2022-03-01-preview2`, id: previewId, product: productId, target: { targetType: 'live' } },
    ]);
    assert.equal(live.jobResult, 'succeeded', JSON.stringify(live));
    const operationsBefore = (await server.call(offerPath('media-vm', '/submissions/'))).json().length;
    assert.equal(operationsBefore, 2);

    const deprecated = await configure(server, [deprecate({ id: previewId })]);
    assert.equal(deprecated.jobResult, 'succeeded', JSON.stringify(deprecated));
    // No pipeline ran: no operation was started.
    assert.equal((await server.call(offerPath('media-vm', '/submissions/'))).json().length, operationsBefore);
    const endMs = Date.parse(deprecated.jobEnd.replace(/(\.\d{3})\d{4}Z$/, '$1Z'));
    const schedule = { date: new Date(endMs + 30 * 86_400_000).toISOString(), dateOffset: 'P30D', reason: 'endOfSupport' };
    for (const target of ['draft', 'live']) {
      const product = byType((await tree(server, productId, target)).resources, 'product')[0];
      assert.deepEqual([product.lifecycleState, product.deprecationSchedule], ['deprecated', schedule], target);
    }
    const liveEntry = (await server.call(`${PI}/submission/${guid}`)).json().value.find((entry: any) => entry.target.targetType === 'live');
    assert.deepEqual([liveEntry.lifecycleState, liveEntry.deprecationSchedule], ['deprecated', schedule]);
    // The same deprecation posted again (as cloudpub re-posts the live submission it read) does not move the date.
    assert.equal((await configure(server, [{ ...liveEntry, target: { targetType: 'live' } }])).jobResult, 'succeeded');
    assert.deepEqual(byType((await tree(server, productId, 'live')).resources, 'product')[0].deprecationSchedule, schedule);

    // The CPP face: the draft carries it, a round trip keeps it, and no version is published while it holds.
    const document = (await server.call(offerPath('media-vm'))).json();
    assert.equal(document.definition.productIngestion.product.lifecycleState, 'deprecated');
    assert.equal((await put(server, 'media-vm', document, '*')).status, 200);
    const refused = await post(server, 'media-vm', 'publish');
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.text, /productIngestion\.product\.lifecycleState/);
    const again = await configure(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'preview' } }]);
    assert.equal(again.jobResult, 'failed');
    assert.match(JSON.stringify(again.errors), /deprecated/);

    // generallyAvailable on the product withdraws it.
    const product = byType((await tree(server, productId)).resources, 'product')[0];
    const restored = await configure(server, [{ ...product, lifecycleState: 'generallyAvailable' }]);
    assert.equal(restored.jobResult, 'succeeded', JSON.stringify(restored));
    const liveProduct = byType((await tree(server, productId, 'live')).resources, 'product')[0];
    assert.deepEqual([liveProduct.lifecycleState, 'deprecationSchedule' in liveProduct], ['generallyAvailable', false]);
    assert.equal((await server.call(offerPath('media-vm'))).json().definition.productIngestion?.product, undefined);
  });

  it('deprecating a plan: only a published one (a draft plan is deleted); its schedule dated by the job', async () => {
    const plan = byType((await tree(server, productId)).resources, 'plan').find((candidate: any) => candidate.identity.externalId === 'plan-m');
    const status = await configure(server, [{ ...plan, lifecycleState: 'deprecated', deprecationSchedule: { dateOffset: 'P1M', reason: 'other' } }]);
    assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
    const endMs = Date.parse(status.jobEnd.replace(/(\.\d{3})\d{4}Z$/, '$1Z'));
    const read = (await server.call(`${PI}/${plan.id}`)).json();
    assert.deepEqual(
      [read.lifecycleState, read.deprecationSchedule],
      ['deprecated', { date: new Date(endMs + 30 * 86_400_000).toISOString(), dateOffset: 'P1M', reason: 'other' }],
    );
    // Posted back as read (the date is read-only): the schedule, its date included, stays as it was.
    assert.equal((await configure(server, [read])).jobResult, 'succeeded');
    assert.deepEqual((await server.call(`${PI}/${plan.id}`)).json().deprecationSchedule, read.deprecationSchedule);
    const draftPlan = await configure(server, [
      {
        $schema: `${MP}/plan/2022-03-01-preview2`,
        product: productId,
        identity: { externalId: 'plan-draft' },
        alias: 'Draft plan',
        lifecycleState: 'deprecated',
      },
    ]);
    assert.match(failedDetails(draftPlan)[0].message, /never been published: delete it/);
  });
});
