/** The OpenAPI document is generated from the route schemas and describes every API route. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';

describe('service routes', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('/openapi.json needs no token and lists every API path with its error responses', async () => {
    const res = await server.call('/openapi.json', { token: null });
    assert.equal(res.status, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/api/offerTypes',
      '/api/publishers',
      '/api/publishers/{publisherId}/offers',
      '/api/publishers/{publisherId}/offers/{offerId}',
      '/api/publishers/{publisherId}/offers/{offerId}/versions/{version}',
      '/api/publishers/{publisherId}/offers/{offerId}/slot/{slotId}',
    ]) {
      assert.ok(paths.includes(path), path);
      const get = doc.paths[path].get;
      assert.ok(get.responses['200'], `${path} 200`);
      assert.ok(get.responses['401'] && get.responses['403'], `${path} errors`);
      assert.ok(
        get.parameters.some((p: { name: string; in: string }) => p.name === 'api-version' && p.in === 'query'),
        `${path} api-version`,
      );
    }
    // Every API operation declares the errors any request can get, and those with a body 413 and 415.
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>,
    )) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of ['400', '401', '403', '404', '429', '500', '503']) assert.ok(operation.responses[status], `${method} ${path} ${status}`);
        if (method === 'put' || method === 'post') for (const status of ['413', '415']) assert.ok(operation.responses[status], `${method} ${path} ${status}`);
      }
    }
    assert.ok(doc.components.schemas.Offer && doc.components.schemas.ErrorBody);
    assert.ok(!paths.includes('/openapi.json'));
  });

  it('/healthz needs no token and names the store', async () => {
    const res = await server.call('/healthz', { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok', store: TEST_STORE });
  });
});
