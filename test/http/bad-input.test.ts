/**
 * Every kind of bad input gets a 4xx with the error shape, never a 5xx.
 * Runs in-process and over a real socket.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';

const OFFERS = '/api/publishers/contoso/offers';
const OFFER = `${OFFERS}/${DEMO_OFFER_ID}`;

for (const transport of TRANSPORTS) {
  describe(`bad input (${transport})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(transport)));
    after(async () => server.close());

    const expect = async (path: string, status: number, code: string, options: Parameters<TestServer['call']>[1] = {}) => {
      const res = await server.call(path, options);
      assert.equal(res.status, status, `${path.slice(0, 120)}: ${res.text.slice(0, 300)}`);
      assert.equal(errorCode(res), code, path.slice(0, 120));
      return res;
    };

    it('missing, unknown or repeated api-version → 400 InvalidAPIVersion listing the allowed versions', async () => {
      for (const query of [
        '',
        '?api-version=',
        '?api-version=2016-08-01-preview',
        '?api-version=2017-10-31&api-version=2017-10-31',
        '?API-VERSION=2017-10-31',
      ]) {
        for (const path of [OFFERS, OFFER, `${OFFER}/slot/Draft`, '/api/publishers', '/api/offerTypes']) {
          const res = await expect(path + query, 400, 'InvalidAPIVersion');
          assert.match(res.json().error.message, /Allowed values are \[2017-10-31\]/);
        }
      }
    });

    it('a version that is not a whole number from 1 to 2^31-1 → 400 InvalidVersion', async () => {
      for (const version of ['abc', '0', '-1', '1.5', '1e3', '01x', '2147483648', '99999999999', '%20', 'ー']) {
        await expect(`${OFFER}/versions/${encodeURIComponent(version)}?${API}`, 400, 'InvalidVersion');
      }
      await expect(`${OFFER}/versions/2147483647?${API}`, 404, 'VersionNotFound');
    });

    it('an unknown slot → 400 InvalidSlot naming the allowed slots', async () => {
      for (const slot of ['staging', 'live', 'previews', '%24', 'Dräft']) {
        const res = await expect(`${OFFER}/slot/${slot}?${API}`, 400, 'InvalidSlot');
        assert.match(res.json().error.message, /Draft, Preview, Production/);
      }
    });

    it('malformed ids → 400 naming which id and why', async () => {
      for (const id of ['con%24oso', 'contoso%20x', 'cont%C3%B6so', '-contoso', 'a.b', '%27%20OR%201%3D1--']) {
        await expect(`/api/publishers/${id}/offers?${API}`, 400, 'InvalidPublisherId');
        await expect(`${OFFERS}/${id}?${API}`, 400, 'InvalidOfferId');
      }
    });

    it('over-long ids → 400 *IdTooLong', async () => {
      const long = 'a'.repeat(51);
      await expect(`/api/publishers/${long}/offers?${API}`, 400, 'PublisherIdTooLong');
      await expect(`${OFFERS}/${long}?${API}`, 400, 'OfferIdTooLong');
      await expect(`${OFFERS}/${'b'.repeat(5000)}?${API}`, 400, 'OfferIdTooLong');
      await expect(`${OFFERS}/${'a'.repeat(50)}?${API}`, 404, 'OfferNotFound');
    });

    it('unsupported $filter expressions → 400 InvalidFilter saying what is supported', async () => {
      for (const filter of ["status eq 'failed'", "offerTypeId ne 'x'", 'offerTypeId eq x', "offerTypeId eq 'a' or 1 eq 1", '']) {
        const res = await expect(`${OFFERS}?${API}&$filter=${encodeURIComponent(filter)}`, 400, 'InvalidFilter');
        assert.match(res.json().error.message, /offerTypeId eq/);
      }
      const repeated = await server.call(`${OFFERS}?${API}&$filter=a&$filter=b`);
      assert.equal(repeated.status, 400);
      errorCode(repeated);
    });

    it('unknown paths and methods → 404 with the error shape', async () => {
      await expect(`/api/publishers/contoso/nothing?${API}`, 404, 'NotFound');
      await expect(`/nothing`, 404, 'NotFound');
      await expect(`${OFFER}/versions?${API}`, 404, 'NotFound');
      await expect(`${OFFER}?${API}`, 404, 'NotFound', { method: 'DELETE' });
    });

    it('a publisher the caller has no role on → 403, whether it exists or not', async () => {
      await expect(`/api/publishers/fabrikam/offers?${API}`, 403, 'Forbidden');
      await expect(`/api/publishers/fabrikam/offers/${DEMO_OFFER_ID}?${API}`, 403, 'Forbidden');
    });

    it('odd but harmless request details do not break reads', async () => {
      const extras = await server.call(`${OFFER}?${API}&includeAllPricing=true&unknown=1`);
      assert.equal(extras.status, 200);
      const withBody = await server.call(`${OFFER}?${API}`, { headers: { 'content-type': 'application/json' } });
      assert.equal(withBody.status, 200);
      const head = await server.call(`${OFFER}?${API}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
    });
  });
}

describe('malformed HTTP on a real socket', () => {
  let server: TestServer;
  let port = 0;
  before(async () => {
    server = await startTestServer('http');
    port = (server.app.server.address() as import('node:net').AddressInfo).port;
  });
  after(async () => server.close());

  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });

  it('headers over 16 KiB → 431 with the error shape', async () => {
    const response = await raw(`GET /api/publishers?${API} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(response, /^HTTP\/1.1 431 /);
    assert.deepEqual(JSON.parse(response.split('\r\n\r\n')[1]!).error.code, 'HeadersTooLarge');
  });

  it('a malformed request line → 400 with the error shape', async () => {
    const response = await raw('GARBAGE\r\n\r\n');
    assert.match(response, /^HTTP\/1.1 400 /);
    assert.deepEqual(JSON.parse(response.split('\r\n\r\n')[1]!).error.code, 'MalformedRequest');
  });
});
