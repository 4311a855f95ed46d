/**
 * The SDK's product-ingestion calls against a real server: products and plans (every page), the
 * resource tree, a configure job waited for, its detail, submissions, a cancel refused, typed errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudPartnerClient, CloudPartnerError } from '../../src/client/index.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';
import { MP } from '../helpers/ingestion.ts';

describe(`the SDK: product ingestion (${TEST_STORE})`, () => {
  let server: TestServer;
  let client: CloudPartnerClient;
  before(async () => {
    server = await startTestServer('http');
    client = new CloudPartnerClient({ endpoint: server.baseUrl, token: server.ownerToken, publisherId: 'contoso' });
  });
  after(async () => server.close());

  it('finds a product, reads its tree and plans, configures it and waits for the job', async () => {
    const product = await client.productIngestion.findProduct(DEMO_OFFER_ID);
    assert.ok(product?.id?.startsWith('product/'));
    assert.equal(await client.productIngestion.findProduct('no-such-offer'), undefined);
    const tree = await client.productIngestion.getResourceTree(product!.id!);
    assert.equal(tree.root, product!.id);
    const plans = await client.productIngestion.listPlans(product!.id!, { externalId: 'contososkuidentifier' });
    assert.equal(plans.length, 1);
    assert.equal((await client.productIngestion.getResource(plans[0]!.id!)).id, plans[0]!.id);

    const accepted = await client.productIngestion.configure([
      { $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product: product!.id, languageId: 'en-us', title: 'Set by the SDK' },
    ]);
    const progress: string[] = [];
    const done = await client.productIngestion.waitForJob(accepted.jobId, { intervalMs: 10, onProgress: (status) => progress.push(status.jobStatus) });
    assert.equal(done.jobResult, 'succeeded');
    assert.equal(progress.at(-1), 'completed');
    const detail = await client.productIngestion.getJobDetail(accepted.jobId);
    assert.equal(detail.resources[0]!['title'], 'Set by the SDK');
    assert.equal((await client.getOffer(DEMO_OFFER_ID)).offer.definition.offer?.['microsoft-azure-marketplace.title' as never], 'Set by the SDK');

    const cancel = await client.productIngestion.cancelJob(accepted.jobId).catch((error: unknown) => error);
    assert.ok(cancel instanceof CloudPartnerError);
    assert.deepEqual([cancel.status, cancel.code], [400, 'badRequest']);
    const submissions = await client.productIngestion.listSubmissions(product!.id!);
    assert.deepEqual(
      submissions.map((submission) => (submission['target'] as { targetType: string }).targetType),
      ['draft', 'preview', 'live'],
    );
    assert.equal((await client.productIngestion.listProducts()).length, 1);

    // Reads in an older schema version: $version on every read, a page's next link keeping it.
    const older = client.productIngestion.inVersion('2022-03-01-preview2');
    const olderTree = await older.getResourceTree(product!.id!);
    assert.ok(
      olderTree.resources.every((resource) => String(resource['$schema']).endsWith('/2022-03-01-preview2')),
      JSON.stringify(olderTree.resources.map((resource) => resource['$schema'])),
    );
    assert.equal((await older.findProduct(DEMO_OFFER_ID))!['$schema'], `${MP}/product/2022-03-01-preview2`);
    assert.equal((await client.productIngestion.findProduct(DEMO_OFFER_ID))!['$schema'], `${MP}/product/2022-03-01-preview3`);
  });
});
