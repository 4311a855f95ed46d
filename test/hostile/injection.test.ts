/**
 * Injection attempts — SQL, JSON path, header (CR LF) — in every parameter are inert: each is
 * answered with a 2xx or a 4xx in the error shape, never a 5xx; no answer grows a header from
 * the input; the data is untouched afterwards; and a payload stored as text comes back as the
 * very same text (it was data, never code).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TEST_STORE, errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { offerPath, publishableOffer, put } from '../helpers/offers.ts';
import { buildRequest, rawRequest } from '../helpers/raw-http.ts';

const PAYLOADS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE offers; --",
  '"; DROP TABLE offer_versions; --',
  "x' UNION SELECT token_hash, NULL FROM access_tokens --",
  '1; DELETE FROM access_tokens',
  "contoso' --",
  '%',
  '_',
  '\\',
  '$..*',
  '$.definition',
  "$[?(@.offerTypeId=='x')]",
  '@.offerTypeId',
  '{"$gt": ""}',
  '\r\nSet-Cookie: injected=1',
  'x\r\nX-Injected: 1',
];

const enc = encodeURIComponent;

describe(`injection attempts are inert (${TEST_STORE})`, () => {
  let server: TestServer;
  let before_: { list: string; demo: string; publishers: string };
  const answers: Array<{ what: string; res: Response }> = [];
  before(async () => {
    server = await startTestServer('http');
    assert.equal((await put(server, 'inj-target', publishableOffer('inj-target'))).status, 200);
    before_ = {
      list: (await server.call(`/api/publishers/contoso/offers?${API}`)).text,
      demo: (await server.call(offerPath(DEMO_OFFER_ID))).text,
      publishers: (await server.call(`/api/publishers?${API}`)).text,
    };
  });
  after(async () => server.close());

  const send = async (what: string, path: string, options: Parameters<TestServer['call']>[1] = {}) => {
    const res = await server.call(path, options);
    answers.push({ what, res });
    return res;
  };

  it('in every path parameter', async () => {
    for (const payload of PAYLOADS) {
      const p = enc(payload);
      await send(`publisherId ${payload}`, `/api/publishers/${p}/offers?${API}`);
      await send(`offerId ${payload}`, `/api/publishers/contoso/offers/${p}?${API}`);
      await send(`version ${payload}`, `/api/publishers/contoso/offers/inj-target/versions/${p}?${API}`);
      await send(`slot ${payload}`, `/api/publishers/contoso/offers/inj-target/slot/${p}?${API}`);
      await send(`operationId ${payload}`, `/api/publishers/contoso/offers/inj-target/operations/${p}?${API}`);
      await send(`legacy key ${payload}`, `/api/operations/${enc(`contoso$inj-target$1$${payload}`)}?${API}`);
      await send(`legacy key publisher ${payload}`, `/api/operations/${enc(`${payload}$inj-target$1$preview`)}?${API}`);
      await send(`PUT offerId ${payload}`, `/api/publishers/contoso/offers/${p}?${API}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(publishableOffer('x')),
      });
      await send(`publish offerId ${payload}`, `/api/publishers/contoso/offers/${p}/publish?${API}`, { method: 'POST' });
      await send(`member ${payload}`, `/api/publishers/contoso/members/${p}?${API}`);
    }
  });

  it('in every query parameter', async () => {
    for (const payload of PAYLOADS) {
      const quoted = payload.replaceAll("'", "''");
      const filtered = await send(`$filter ${payload}`, `/api/publishers/contoso/offers?${API}&$filter=${enc(`offerTypeId eq '${quoted}'`)}`);
      if (filtered.status === 200) assert.deepEqual(filtered.json(), [], `$filter with ${payload} matched offers: it must match no offer type`);
      await send(`raw $filter ${payload}`, `/api/publishers/contoso/offers?${API}&$filter=${enc(payload)}`);
      await send(`api-version ${payload}`, `/api/publishers/contoso/offers?api-version=${enc(payload)}`);
      for (const name of ['status', 'submissionState', 'filteredStatus']) {
        await send(`${name} ${payload}`, `/api/publishers/contoso/offers/inj-target/submissions?${API}&${name}=${enc(payload)}`);
      }
      await send(`tenantId ${payload}`, `/api/publishers/contoso/members/${'a'.repeat(8)}-aaaa-4aaa-8aaa-${'a'.repeat(12)}?${API}&tenantId=${enc(payload)}`, {
        method: 'DELETE',
      });
      await send(`parameter name ${payload}`, `/api/publishers/contoso/offers?${API}&${enc(payload)}=1`);
    }
  });

  it('in every header and body field', async () => {
    const port = (server.app.server.address() as import('node:net').AddressInfo).port;
    for (const payload of PAYLOADS) {
      // Header values cannot carry CR LF through fetch: those go out raw, where they start a header line of their own.
      const raw = await rawRequest(
        port,
        buildRequest({
          method: 'PUT',
          target: offerPath('inj-target'),
          headers: [
            ['Host', 'x'],
            ['Authorization', `Bearer ${server.ownerToken}`],
            ['Content-Type', 'application/json'],
            ['If-Match', payload],
            ['Connection', 'close'],
          ],
          body: JSON.stringify(publishableOffer('inj-target')),
        }),
      );
      const first = raw.responses[0];
      assert.ok(first, `If-Match ${JSON.stringify(payload)}: ${raw.kind}`);
      answers.push({
        what: `If-Match ${payload}`,
        res: { status: first.status, headers: first.headers, text: first.text, json: () => JSON.parse(first.text) },
      });
      if (!/[\r\n]/.test(payload)) {
        await send(`Authorization ${payload}`, `/api/publishers/contoso/offers?${API}`, { token: null, headers: { authorization: `Bearer ${payload}` } });
        await send(`Content-Type ${payload}`, offerPath('inj-target', '/publish'), { method: 'POST', headers: { 'content-type': payload }, body: '{}' });
      }
      for (const field of ['publisherId', 'id', 'offerTypeId']) {
        const document = publishableOffer('inj-target');
        document[field] = payload;
        await send(`body ${field} ${payload}`, offerPath('inj-target'), {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify(document),
        });
      }
      const plan = publishableOffer('inj-target');
      plan['definition'].plans[0].planId = payload;
      await send(`planId ${payload}`, offerPath('inj-target'), {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'if-match': '*' },
        body: JSON.stringify(plan),
      });
      await send(`notification-emails ${payload}`, offerPath('inj-target', '/cancel'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { 'notification-emails': `a@contoso.com,${payload}` } }),
      });
    }
  });

  it('every answer was a 2xx or a 4xx in the error shape, and none grew a header from the input', () => {
    assert.ok(answers.length > 300, `${answers.length} answers`);
    const statuses = new Map<number, number>();
    for (const { what, res } of answers) {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status >= 400) errorCode(res);
      assert.equal(res.headers['set-cookie'], undefined, `${what}: a Set-Cookie header`);
      assert.equal(res.headers['x-injected'], undefined, `${what}: an injected header`);
      for (const [name, value] of Object.entries(res.headers)) assert.doesNotMatch(`${name}: ${value}`, /injected|DROP TABLE|UNION SELECT/i, what);
    }
    assert.ok((statuses.get(400) ?? 0) > 100, JSON.stringify([...statuses]));
  });

  it('afterwards the data is untouched, and payloads stored as text come back as the very same text', async () => {
    // The same offers, versions and states (a planId of '_' is a valid one, so inj-target may have been saved).
    const shape = (text: string) => (JSON.parse(text) as any[]).map((offer) => [offer.id, offer.version, offer.status, offer.offerTypeId]);
    assert.deepEqual(shape((await server.call(`/api/publishers/contoso/offers?${API}`)).text), shape(before_.list), 'the offers');
    assert.equal((await server.call(offerPath(DEMO_OFFER_ID))).text, before_.demo, 'the demo offer');
    assert.equal((await server.call(`/api/publishers?${API}`)).text, before_.publishers, 'the publishers');
    for (const payload of PAYLOADS.filter((text) => !/[\r\n]/.test(text))) {
      const document = publishableOffer('inj-target');
      document['definition'].displayText = payload;
      document['definition'].offer['microsoft-azure-marketplace.title'] = payload;
      // A secret value stored next to each payload: the leak scan looks for it in every answer and log line.
      document['definition'].offer['microsoft-azure-marketplace.marketoLeadConfiguration'] = {
        clientId: payload,
        clientSecret: `INJ-SECRET-${PAYLOADS.indexOf(payload)}-${payload}`,
        munchkinId: '1',
      };
      const saved = await put(server, 'inj-target', document, '*');
      assert.equal(saved.status, 200, saved.text);
      const read = (await server.call(offerPath('inj-target'))).json();
      assert.equal(read.definition.displayText, payload);
      assert.equal(read.definition.offer['microsoft-azure-marketplace.title'], payload);
      assert.deepEqual(read.definition.offer['microsoft-azure-marketplace.marketoLeadConfiguration'], { clientId: payload, munchkinId: '1' });
      const listed = (await server.call(`/api/publishers/contoso/offers?${API}`)).json();
      assert.equal(listed.length, 2, 'still two offers');
      assert.equal(listed.find((offer: any) => offer.id === 'inj-target').definition.displayText, payload);
    }
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`)).status, 200, 'the token still works');
  });
});
