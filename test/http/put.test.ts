/** PUT: create and replace the draft, ETags and If-Match, validation, secrets across edits. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { JSON_HEADERS, offerPath, publishableOffer, put } from '../helpers/offers.ts';

const MARKETO = 'microsoft-azure-marketplace.marketoLeadConfiguration';
const SECRET_POINTER = `/offer/${MARKETO}/clientSecret`;

for (const transport of TRANSPORTS) {
  describe(`PUT an offer (${transport})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(transport)));
    after(async () => server.close());

    it('without If-Match a PUT creates (200) and then replaces (200): the last writer wins, as the live service answered', async () => {
      const id = 'put-basic';
      const created = await put(server, id, publishableOffer(id));
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json().version, 1);
      const changed = publishableOffer(id);
      changed['definition'].offer['microsoft-azure-marketplace.summary'] = 'replaced without If-Match';
      const again = await put(server, id, changed);
      assert.equal(again.status, 200, again.text);
      assert.notEqual(again.headers['etag'], created.headers['etag']);
      assert.equal((await server.call(offerPath(id))).json().definition.offer['microsoft-azure-marketplace.summary'], 'replaced without If-Match');
      const star = await put(server, id, publishableOffer(id), '*');
      assert.equal(star.status, 200);
      const stale = await put(server, id, publishableOffer(id), created.headers['etag']);
      assert.equal(stale.status, 412, 'an If-Match that is sent still means what it means');
      assert.equal(errorCode(stale), 'PreconditionFailed');
      const fresh = await put(server, id, publishableOffer(id), star.headers['etag']);
      assert.equal(fresh.status, 200);
      assert.equal((await server.call(offerPath(id))).headers['etag'], fresh.headers['etag']);
    });

    it('If-None-Match: * creates only: 200 for a new offer, 412 PreconditionFailed once it exists; anything else in it is 400', async () => {
      const id = 'put-create-only';
      const createOnly = (document: unknown, headers: Record<string, string> = {}) =>
        server.call(offerPath(id), { method: 'PUT', body: JSON.stringify(document), headers: { ...JSON_HEADERS, 'if-none-match': '*', ...headers } });
      assert.equal((await createOnly(publishableOffer(id))).status, 200);
      const etag = (await server.call(offerPath(id))).headers['etag'];
      const second = await createOnly(publishableOffer(id));
      assert.equal(second.status, 412);
      assert.equal(errorCode(second), 'PreconditionFailed');
      assert.match(second.json().error.message, /already exists/);
      assert.equal((await server.call(offerPath(id))).headers['etag'], etag, 'nothing was written');
      const bad = await server.call(offerPath(id), {
        method: 'PUT',
        body: JSON.stringify(publishableOffer(id)),
        headers: { ...JSON_HEADERS, 'if-none-match': '"abc"' },
      });
      assert.equal(errorCode(bad), 'InvalidIfNoneMatch');
      assert.equal(errorCode(await createOnly(publishableOffer(id), { 'if-match': '*' })), 'InvalidIfNoneMatch');
    });

    it('If-Match: * creates an offer that does not exist; an ETag for one that does not exist is 412', async () => {
      assert.equal((await put(server, 'put-star-create', publishableOffer('put-star-create'), '*')).status, 200);
      const res = await put(server, 'put-etag-missing', publishableOffer('put-etag-missing'), 'W/"datetime\'2020-01-01T00%3A00%3A00.0000000Z\'"');
      assert.equal(res.status, 412);
      assert.equal((await server.call(offerPath('put-etag-missing'))).status, 404);
      assert.equal(errorCode(await put(server, 'put-bad-if-match', publishableOffer('put-bad-if-match'), 'not-an-etag')), 'InvalidIfMatch');
    });

    it('ignores the version, status, changedTime and eTag a client sends', async () => {
      const document = { ...publishableOffer('put-ignored'), version: 99, status: 'succeeded', changedTime: '2000-01-01T00:00:00Z', eTag: 'x' };
      const res = await put(server, 'put-ignored', document);
      assert.equal(res.json().version, 1);
      assert.equal(res.json().status, 'neverPublished');
      assert.notEqual(res.json().changedTime, '2000-01-01T00:00:00Z');
    });

    it('accepts an incomplete draft and a smaller document than GET returned, without resurrecting fields', async () => {
      const minimal = await put(server, 'put-minimal', { offerTypeId: 'microsoft-azure-virtualmachines', definition: { displayText: 'WIP' } });
      assert.equal(minimal.status, 200);
      const full = publishableOffer('put-smaller');
      const first = await put(server, 'put-smaller', full);
      delete full['definition'].offer['microsoft-azure-marketplace.summary'];
      const second = await put(server, 'put-smaller', full, first.headers['etag']);
      assert.equal(second.status, 200);
      assert.equal('microsoft-azure-marketplace.summary' in (await server.call(offerPath('put-smaller'))).json().definition.offer, false);
    });

    it('rejects wrong types with every problem and its JSON path', async () => {
      const document = publishableOffer('put-invalid');
      document['definition'].plans[0]['microsoft-azure-virtualmachines.hideSKUForSolutionTemplate'] = 'yes';
      document['definition'].plans[0].regions = 'DZ';
      document['definition'].offer['microsoft-azure-marketplace.title'] = 42;
      const res = await put(server, 'put-invalid', document);
      assert.equal(res.status, 400);
      assert.equal(errorCode(res), 'InvalidDocument');
      const paths = res.json().error.problems.map((problem: { path: string }) => problem.path);
      assert.ok(paths.includes("$.definition.plans[0]['microsoft-azure-virtualmachines.hideSKUForSolutionTemplate']"), paths.join());
      assert.ok(paths.includes('$.definition.plans[0].regions'), paths.join());
      assert.ok(paths.includes("$.definition.offer['microsoft-azure-marketplace.title']"), paths.join());
      assert.equal((await server.call(offerPath('put-invalid'))).status, 404, 'nothing was stored');
    });

    it('rejects unknown offer types, a body that is not an object, and ids that differ from the URL', async () => {
      assert.equal(errorCode(await put(server, 'put-type', { offerTypeId: 'microsoft-azure-nonsense', definition: {} })), 'InvalidDocument');
      assert.equal(errorCode(await put(server, 'put-array', [1, 2])), 'InvalidDocument');
      assert.equal(errorCode(await put(server, 'put-id', { ...publishableOffer('other-id') })), 'IdMismatch');
      assert.equal(errorCode(await put(server, 'put-pub', { ...publishableOffer('put-pub'), publisherId: 'fabrikam' })), 'IdMismatch');
    });

    it('refuses to change the offer type of an existing offer', async () => {
      const created = await put(server, 'put-type-change', publishableOffer('put-type-change'));
      const res = await put(server, 'put-type-change', { offerTypeId: 'microsoft-azure-corevm', definition: { displayText: 'x' } }, created.headers['etag']);
      assert.equal(res.status, 409);
      assert.equal(errorCode(res), 'OfferTypeChange');
    });

    it('gives malformed, empty, oversized and mistyped bodies a clear 4xx', async () => {
      const call = (body: string, headers: Record<string, string> = JSON_HEADERS) => server.call(offerPath('put-bodies'), { method: 'PUT', body, headers });
      assert.equal(errorCode(await call('{"offerTypeId":')), 'InvalidJson');
      assert.equal(errorCode(await call('')), 'InvalidDocument');
      const large = await call(JSON.stringify({ offerTypeId: 'microsoft-azure-virtualmachines', definition: { displayText: 'x'.repeat(5 * 1024 * 1024) } }));
      assert.equal(large.status, 413);
      assert.equal(errorCode(large), 'PayloadTooLarge');
      const text = await call('hello', { 'content-type': 'text/plain' });
      assert.equal(text.status, 415);
      assert.equal(errorCode(text), 'UnsupportedMediaType');
      const depth = 100_000; // built as text: JSON.stringify itself cannot nest this deep
      const tooDeep = await call(`{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"offer":{"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}}}`);
      assert.equal(tooDeep.status, 400);
      assert.equal(errorCode(tooDeep), 'InvalidDocument');
      const bom = await call(`\uFEFF${JSON.stringify(publishableOffer('put-bodies'))}`);
      assert.equal(bom.status, 200, bom.text);
    });

    it('needs a Contributor or Owner: a Reader gets 403 InsufficientRole', async () => {
      const reader = await server.tokenFor(['contoso'], 'Reader');
      const res = await server.call(offerPath('put-reader'), {
        method: 'PUT',
        token: reader,
        headers: JSON_HEADERS,
        body: JSON.stringify(publishableOffer('put-reader')),
      });
      assert.equal(res.status, 403);
      assert.equal(errorCode(res), 'InsufficientRole');
      const contributor = await server.tokenFor(['contoso'], 'Contributor');
      const ok = await server.call(offerPath('put-contributor'), {
        method: 'PUT',
        token: contributor,
        headers: JSON_HEADERS,
        body: JSON.stringify(publishableOffer('put-contributor')),
      });
      assert.equal(ok.status, 200);
    });

    it('keeps a secret across a GET→PUT round trip, replaces it when sent, clears it on null', async () => {
      const id = 'put-secrets';
      const document = publishableOffer(id);
      document['definition'].offer[MARKETO] = { clientId: 'cid', clientSecret: 'SECRET-ONE' };
      const created = await put(server, id, document);
      assert.equal(created.status, 200);
      assert.equal(created.text.includes('SECRET-ONE'), false, 'the PUT response carries no secret');
      const secretOf = async () =>
        (await server.store.getVersionSecrets('contoso', id, (await server.store.getOffer('contoso', id))!.version)).find((s) => s.pointer === SECRET_POINTER)
          ?.value;
      assert.equal(await secretOf(), 'SECRET-ONE');

      const read = await server.call(offerPath(id));
      assert.equal(read.text.includes('SECRET-ONE'), false);
      assert.deepEqual(read.json().definition.offer[MARKETO], { clientId: 'cid' });
      const roundTrip = await put(server, id, read.json(), read.headers['etag']);
      assert.equal(roundTrip.status, 200);
      assert.equal(await secretOf(), 'SECRET-ONE', 'omitted on a round trip: kept');

      const replaced = read.json();
      replaced.definition.offer[MARKETO] = { clientId: 'cid', clientSecret: 'SECRET-TWO' };
      const afterReplace = await put(server, id, replaced, '*');
      assert.equal(await secretOf(), 'SECRET-TWO');
      assert.equal(afterReplace.text.includes('SECRET-TWO'), false);

      const cleared = read.json();
      cleared.definition.offer[MARKETO] = { clientId: 'cid', clientSecret: null };
      await put(server, id, cleared, '*');
      assert.equal(await secretOf(), undefined, 'null: cleared');
      assert.deepEqual((await server.call(offerPath(id))).json().definition.offer[MARKETO], { clientId: 'cid' });

      replaced.definition.offer[MARKETO] = { clientSecret: 'SECRET-THREE' };
      await put(server, id, replaced, '*');
      const withoutParent = read.json();
      delete withoutParent.definition.offer[MARKETO];
      await put(server, id, withoutParent, '*');
      assert.equal(await secretOf(), undefined, 'the object holding it was removed: so is the secret');
    });
  });
}

for (const transport of TRANSPORTS) {
  describe(`PUT as the documentation describes it: --put-mode documented (${transport})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(transport, { app: { putMode: 'documented' } })));
    after(async () => server.close());

    it('creates with 201 and replaces with 200 only with If-Match; 409 InvalidResourceId says to send it', async () => {
      const id = 'put-documented';
      const created = await put(server, id, publishableOffer(id));
      assert.equal(created.status, 201);
      const again = await put(server, id, publishableOffer(id));
      assert.equal(again.status, 409);
      assert.equal(errorCode(again), 'InvalidResourceId');
      assert.match(again.json().error.message, /If-Match/);
      assert.equal((await server.call(offerPath(id))).headers['etag'], created.headers['etag'], 'the refused PUT wrote nothing');
      const star = await put(server, id, publishableOffer(id), '*');
      assert.equal(star.status, 200);
      assert.notEqual(star.headers['etag'], created.headers['etag']);
      const stale = await put(server, id, publishableOffer(id), created.headers['etag']);
      assert.equal(stale.status, 412);
      assert.equal(errorCode(stale), 'PreconditionFailed');
      const fresh = await put(server, id, publishableOffer(id), star.headers['etag']);
      assert.equal(fresh.status, 200);
    });

    it('If-Match: * creates with 201; If-None-Match: * on an existing offer is 412', async () => {
      assert.equal((await put(server, 'put-documented-star', publishableOffer('put-documented-star'), '*')).status, 201);
      const res = await server.call(offerPath('put-documented-star'), {
        method: 'PUT',
        body: JSON.stringify(publishableOffer('put-documented-star')),
        headers: { ...JSON_HEADERS, 'if-none-match': '*' },
      });
      assert.equal(res.status, 412);
    });
  });
}
