/**
 * The harness checks every answer of every suite against its route's declared responses
 * (test/helpers/wire.ts): this proves the check refuses what it should.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, startTestServer, type TestServer } from '../helpers/harness.ts';
import { type WireCheck, wireChecker } from '../helpers/wire.ts';

describe('the wire check of every answer', () => {
  let server: TestServer;
  let check: WireCheck;
  before(async () => {
    server = await startTestServer('inject');
    check = wireChecker(server.app);
  });
  after(async () => server.close());

  it('refuses a body that does not match the schema, a status the route does not declare, and an error that is not the error body', () => {
    assert.match(check('GET', `/api/publishers/contoso/offers/x?${API}`, 200, '{"id":1}')!, /required property 'offerTypeId'/);
    assert.match(check('GET', `/api/publishers/contoso/offers?${API}`, 200, '[{"id":"x"}]')!, /data\/0 must have required property/);
    assert.match(check('POST', `/api/publishers/contoso/offers/x/publish?${API}`, 200, '{}')!, /answered 200, which it does not declare/);
    assert.match(check('GET', `/api/publishers/contoso/offers/x?${API}`, 404, '{"error":{"code":"X"}}')!, /must have required property 'message'/);
    assert.match(check('GET', `/api/offerTypes?${API}`, 200, 'not json')!, /not JSON/);
  });

  it('accepts the real answers (every suite goes through it)', async () => {
    for (const path of [`/api/publishers/contoso/offers?${API}`, `/api/publishers?${API}`, `/api/offerTypes?${API}`]) {
      const res = await server.call(path);
      assert.equal(res.status, 200);
      assert.equal(check('GET', path, res.status, res.text), undefined, path);
    }
  });
});
