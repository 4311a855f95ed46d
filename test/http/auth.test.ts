/** Bearer tokens: 401 for no/bad tokens, 403 outside the granted publishers, roles. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../../src/identity/access-tokens.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { API, TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';

const OFFER = `/api/publishers/contoso/offers/${DEMO_OFFER_ID}?${API}`;

for (const transport of TRANSPORTS) {
  describe(`authentication and access (${transport})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(transport);
      await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    });
    after(async () => server.close());

    it('no Authorization header → 401 with WWW-Authenticate: Bearer, and no data', async () => {
      for (const path of [OFFER, `/api/publishers?${API}`, `/api/offerTypes?${API}`, `/api/publishers/contoso/offers?${API}`]) {
        const res = await server.call(path, { token: null });
        assert.equal(res.status, 401);
        assert.equal(errorCode(res), 'Unauthorized');
        assert.equal(res.headers['www-authenticate'], 'Bearer');
        assert.doesNotMatch(res.text, /Contoso App/);
      }
    });

    it('a malformed Authorization header → 401 InvalidAuthorizationHeader', async () => {
      for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc', server.ownerToken]) {
        const res = await server.call(OFFER, { headers: { authorization: value } });
        assert.equal(res.status, 401, value);
        assert.equal(errorCode(res), 'InvalidAuthorizationHeader');
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
      }
    });

    it('an unknown, tampered or expired token → 401 InvalidToken', async () => {
      await server.store.createAccessToken({
        id: 'expired-token',
        tokenHash: hashToken('cpat_expired'),
        description: '',
        grants: [{ publisherId: 'contoso', role: 'Owner' }],
        createdAt: '2020-01-01T00:00:00.000Z',
        expiresAt: '2020-01-02T00:00:00.000Z',
      });
      for (const token of ['cpat_unknown', `${server.ownerToken}x`, server.ownerToken.slice(0, -1), 'cpat_expired']) {
        const res = await server.call(OFFER, { token });
        assert.equal(res.status, 401, token);
        assert.equal(errorCode(res), 'InvalidToken');
      }
    });

    it('the scheme name is case-insensitive', async () => {
      const res = await server.call(OFFER, { headers: { authorization: `bearer ${server.ownerToken}` } });
      assert.equal(res.status, 200);
    });

    it('Reader, Contributor and Owner may all read', async () => {
      for (const role of ['Reader', 'Contributor', 'Owner'] as const) {
        const token = await server.tokenFor(['contoso'], role);
        assert.equal((await server.call(OFFER, { token })).status, 200, role);
      }
    });

    it("another publisher's token → 403 on contoso, and /api/publishers shows only its own", async () => {
      const token = await server.tokenFor(['fabrikam'], 'Owner');
      const res = await server.call(OFFER, { token });
      assert.equal(res.status, 403);
      assert.equal(errorCode(res), 'Forbidden');
      assert.doesNotMatch(res.text, /Contoso App/);
      const list = await server.call(`/api/publishers?${API}`, { token });
      assert.deepEqual(
        list.json().map((p: { id: string }) => p.id),
        ['fabrikam'],
      );
      assert.equal((await server.call(`/api/publishers/fabrikam/offers?${API}`, { token })).json().length, 0);
    });

    it('a token on several publishers sees each of them', async () => {
      const token = await server.tokenFor(['contoso', 'fabrikam'], 'Reader');
      const list = await server.call(`/api/publishers?${API}`, { token });
      assert.deepEqual(
        list.json().map((p: { id: string }) => p.id),
        ['contoso', 'fabrikam'],
      );
    });

    it('tokens are stored only as hashes', async () => {
      const token = await server.tokenFor(['contoso'], 'Reader');
      const everything = await server.storedText();
      assert.ok(everything.length > 0);
      assert.equal(everything.includes(token), false);
      assert.equal(everything.includes(hashToken(token)), true);
    });
  });
}
