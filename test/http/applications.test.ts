/**
 * The applications API over real sockets: an Owner registers an application of the built-in token
 * service for the publisher, its secret works at once and is shown only in that answer, the list
 * shows it without a secret, and removing it ends its access. Only Owners; every mistake a 4xx in
 * the API's error shape; the secret in no log line and not in the sandbox's journal.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createLogger } from '../../src/server.ts';
import { captureLogStream } from '../helpers/capture.ts';
import { API, type Response, type TestServer, errorCode, startTestServer } from '../helpers/harness.ts';
import { registerApp } from '../helpers/jwt.ts';
import { JSON_HEADERS, publishableOffer } from '../helpers/offers.ts';

const APPS = `/api/publishers/contoso/applications?${API}`;
const app = (clientId: string, publisherId = 'contoso') => `/api/publishers/${publisherId}/applications/${clientId}?${API}`;

interface NewApplication {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  objectId: string;
  displayName: string;
  role: string;
  createdTime: string;
}

describe('the applications API', () => {
  let server: TestServer;
  let admin: string;
  const logLines: string[] = [];
  const secrets: string[] = [];

  const create = async (body: unknown, token?: string | null, path = APPS): Promise<Response> =>
    server.call(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body), ...(token === undefined ? {} : { token }) });

  /** A client-credentials request to the token service, as a pipeline makes it. */
  const askToken = (application: Pick<NewApplication, 'clientId' | 'clientSecret' | 'tenantId'>) =>
    server.call(`/${application.tenantId}/oauth2/token`, {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: application.clientId,
        client_secret: application.clientSecret,
        resource: 'https://cloudpartner.azure.com',
      }).toString(),
    });

  const register = async (role: string, displayName?: string): Promise<NewApplication> => {
    const res = await create({ role, ...(displayName === undefined ? {} : { displayName }) });
    assert.equal(res.status, 201, res.text);
    const registered = res.json() as NewApplication;
    secrets.push(registered.clientSecret);
    return registered;
  };

  before(async () => {
    // Every line goes to the test's own list and, when the leak scan records, to its record too.
    const capture = captureLogStream();
    const sink = new Writable({
      write: (chunk, encoding, done) => {
        logLines.push(String(chunk));
        if (capture) capture.write(chunk, encoding, done);
        else done();
      },
    });
    server = await startTestServer('http', { app: { sandbox: true }, logger: createLogger('trace', sink) });
    admin = await server.sandboxAdminToken();
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
  });
  after(async () => server.close());

  it('create → the secret gets a token → the token acts on the publisher → the list shows it without a secret → delete → no more tokens', async () => {
    const res = await create({ role: 'Contributor', displayName: 'release pipeline' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers['cache-control'], 'no-store', 'the one answer with the secret is not cached');
    const registered = res.json() as NewApplication;
    secrets.push(registered.clientSecret);
    assert.deepEqual(Object.keys(registered).sort(), ['clientId', 'clientSecret', 'createdTime', 'displayName', 'objectId', 'role', 'tenantId']);
    assert.match(registered.clientId, /^[0-9a-f-]{36}$/);
    assert.match(registered.objectId, /^[0-9a-f-]{36}$/);
    assert.equal(registered.tenantId, server.app.tokens.tenantId);
    assert.equal(registered.role, 'Contributor');
    assert.equal(registered.displayName, 'release pipeline');
    assert.ok(registered.clientSecret.length >= 40);
    assert.ok(Math.abs(Date.parse(registered.createdTime) - Date.now()) < 60_000);

    const issued = await askToken(registered);
    assert.equal(issued.status, 200, issued.text);
    const jwt = issued.json().access_token as string;
    assert.equal(decodeJwt(jwt)['oid'], registered.objectId);
    assert.equal(decodeJwt(jwt)['appid'], registered.clientId);

    const write = await server.call(`/api/publishers/contoso/offers/app-offer?${API}`, {
      method: 'PUT',
      token: jwt,
      headers: JSON_HEADERS,
      body: JSON.stringify(publishableOffer('app-offer')),
    });
    assert.equal(write.status, 200, `a Contributor writes: ${write.text}`);
    assert.equal((await server.call(`/api/publishers/contoso/members?${API}`, { token: jwt })).status, 403, 'but does not manage access');
    const members = (await server.call(`/api/publishers/contoso/members?${API}`)).json() as Array<{ objectId: string; role: string }>;
    assert.ok(
      members.some((member) => member.objectId === registered.objectId && member.role === 'Contributor'),
      'its service principal is a member',
    );

    const list = await server.call(APPS);
    assert.equal(list.status, 200, list.text);
    const listed = (list.json() as Array<Record<string, unknown>>).find((item) => item['clientId'] === registered.clientId);
    const { clientSecret, ...shown } = registered;
    assert.deepEqual(listed, shown);
    assert.equal(list.text.includes(clientSecret), false, 'never the secret');
    assert.doesNotMatch(list.text, /clientSecret|secretHash|scrypt/, 'nor its hash');

    const removed = await server.call(app(registered.clientId), { method: 'DELETE' });
    assert.equal(removed.status, 204, removed.text);
    assert.equal(removed.text, '');
    const refused = await askToken(registered);
    assert.equal(refused.status, 400, 'a member of no other publisher: the application is gone');
    assert.equal(refused.json().error, 'unauthorized_client');
    assert.equal(errorCode(await server.call(`/api/publishers/contoso/offers?${API}`, { token: jwt })), 'Forbidden', 'the token issued before acts no more');
    assert.equal(
      ((await server.call(APPS)).json() as Array<{ clientId: string }>).some((item) => item.clientId === registered.clientId),
      false,
    );
    assert.equal(
      ((await server.call(`/api/publishers/contoso/members?${API}`)).json() as Array<{ objectId: string }>).some((m) => m.objectId === registered.objectId),
      false,
      'its membership is gone',
    );
    assert.equal(errorCode(await server.call(app(registered.clientId), { method: 'DELETE' })), 'ApplicationNotFound');
  });

  it('an application that is also a member of another publisher loses only this one; deleted with its last', async () => {
    const both = await registerApp(server, ['contoso', 'fabrikam'], 'Reader');
    secrets.push(both.clientSecret);
    const fabrikamOwner = await server.tokenFor(['fabrikam'], 'Owner');
    const fabrikamApps = `/api/publishers/fabrikam/applications?${API}`;
    assert.ok(((await server.call(fabrikamApps, { token: fabrikamOwner })).json() as Array<{ clientId: string }>).some((a) => a.clientId === both.clientId));

    assert.equal((await server.call(app(both.clientId), { method: 'DELETE' })).status, 204);
    const issued = await askToken(both);
    assert.equal(issued.status, 200, 'still a member of fabrikam: its secret works');
    const jwt = issued.json().access_token as string;
    assert.equal((await server.call(`/api/publishers/fabrikam/offers?${API}`, { token: jwt })).status, 200);
    assert.equal(errorCode(await server.call(`/api/publishers/contoso/offers?${API}`, { token: jwt })), 'Forbidden');
    assert.equal(errorCode(await server.call(app(both.clientId), { method: 'DELETE' })), 'ApplicationNotFound', 'no more a member of contoso');

    assert.equal((await server.call(app(both.clientId, 'fabrikam'), { method: 'DELETE', token: fabrikamOwner })).status, 204);
    assert.equal((await askToken(both)).json().error, 'unauthorized_client');
  });

  it("an Owner of another publisher sees and removes none of this one's applications", async () => {
    const registered = await register('Reader', 'contoso only');
    const fabrikamOwner = await server.tokenFor(['fabrikam'], 'Owner');
    const theirs = await server.call(`/api/publishers/fabrikam/applications?${API}`, { token: fabrikamOwner });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.text.includes(registered.clientId), false);
    assert.equal(
      errorCode(await server.call(app(registered.clientId, 'fabrikam'), { method: 'DELETE', token: fabrikamOwner })),
      'ApplicationNotFound',
      'a member of contoso only: not found under fabrikam',
    );
    assert.equal((await askToken(registered)).status, 200, 'and it still works');
  });

  it('only Owners: Contributors and Readers get 403 InsufficientRole, other publishers 403 Forbidden, no token 401', async () => {
    const registered = await register('Reader');
    for (const role of ['Contributor', 'Reader'] as const) {
      const token = await server.tokenFor(['contoso'], role);
      for (const res of [
        await server.call(APPS, { token }),
        await create({ role: 'Owner' }, token),
        await server.call(app(registered.clientId), { method: 'DELETE', token }),
      ]) {
        assert.equal(res.status, 403, `${role}: ${res.text}`);
        assert.equal(errorCode(res), 'InsufficientRole');
      }
    }
    const fabrikamOwner = await server.tokenFor(['fabrikam'], 'Owner');
    assert.equal(errorCode(await create({ role: 'Owner' }, fabrikamOwner)), 'Forbidden');
    assert.equal(errorCode(await server.call(APPS, { token: fabrikamOwner })), 'Forbidden');
    assert.equal(errorCode(await server.call(app(registered.clientId), { method: 'DELETE', token: fabrikamOwner })), 'Forbidden');
    const anonymous = await create({ role: 'Owner' }, null);
    assert.equal(anonymous.status, 401);
    assert.equal(errorCode(anonymous), 'Unauthorized');
    assert.equal((await askToken(registered)).status, 200, 'none of it removed the application');
  });

  it('an application registered as Owner manages access itself, applications included', async () => {
    const owner = await register('Owner', 'access manager');
    const jwt = (await askToken(owner)).json().access_token as string;
    const made = await create({ role: 'Reader', displayName: 'made by an application' }, jwt);
    assert.equal(made.status, 201, made.text);
    secrets.push(made.json().clientSecret);
    assert.equal((await server.call(APPS, { token: jwt })).status, 200);
    assert.equal((await server.call(app(made.json().clientId), { method: 'DELETE', token: jwt })).status, 204);
  });

  it('unknown publisher → 403 (no caller has access to a namespace that does not exist); unknown application → 404 ApplicationNotFound', async () => {
    for (const res of [
      await server.call(`/api/publishers/no-such-publisher/applications?${API}`),
      await create({ role: 'Reader' }, undefined, `/api/publishers/no-such-publisher/applications?${API}`),
      await server.call(app(crypto.randomUUID(), 'no-such-publisher'), { method: 'DELETE' }),
    ]) {
      assert.equal(res.status, 403, res.text);
      assert.equal(errorCode(res), 'Forbidden');
    }
    const unknown = await server.call(app(crypto.randomUUID()), { method: 'DELETE' });
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), 'ApplicationNotFound');
    assert.match(unknown.json().error.message, /has no application/);
    const upper = await register('Reader');
    assert.equal((await server.call(app(upper.clientId.toUpperCase()), { method: 'DELETE' })).status, 204, 'client ids match case-insensitively');
  });

  it('every client mistake is a 4xx in the error shape', async () => {
    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['unknown role', create({ role: 'Admin' }), 400, 'InvalidRequest'],
      ['no role', create({ displayName: 'x' }), 400, 'InvalidRequest'],
      ['role not a string', create({ role: 3 }), 400, 'InvalidRequest'],
      ['empty display name', create({ role: 'Reader', displayName: '' }), 400, 'InvalidRequest'],
      ['display name too long', create({ role: 'Reader', displayName: 'x'.repeat(257) }), 400, 'InvalidRequest'],
      ['body not an object', create(['Reader']), 400, 'InvalidRequest'],
      ['body not JSON', server.call(APPS, { method: 'POST', headers: JSON_HEADERS, body: '{"role":' }), 400, 'InvalidJson'],
      ['no body', server.call(APPS, { method: 'POST', headers: JSON_HEADERS }), 400, 'InvalidRequest'],
      ['not JSON content', server.call(APPS, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'role=Reader' }), 415, 'UnsupportedMediaType'],
      ['no api-version', create({ role: 'Reader' }, undefined, '/api/publishers/contoso/applications'), 400, 'InvalidAPIVersion'],
      ['list without api-version', server.call('/api/publishers/contoso/applications'), 400, 'InvalidAPIVersion'],
      ['client id not a GUID', server.call(app('not-a-guid'), { method: 'DELETE' }), 400, 'InvalidRequest'],
      ['bad publisher id', server.call(`/api/publishers/bad%20id/applications?${API}`), 400, 'InvalidPublisherId'],
      ['delete the collection (no such route)', server.call(APPS, { method: 'DELETE' }), 404, 'NotFound'],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${name}: ${res.text}`);
      assert.equal(errorCode(res), code, name);
    }
    const role = await create({ role: 'Admin' });
    assert.match(role.json().error.message, /Owner, Contributor, Reader/);
    const named = await register('reader');
    assert.equal(named.role, 'Reader', 'a role in any letter case, as the members API takes it');
    assert.equal(named.displayName, 'cloudpartner application', 'the default name');
  });

  it('the client secret is in no log line and not in the journal; the journal shows the call with the secret masked', async () => {
    const registered = await register('Reader', 'journaled');
    const journal = await server.call('/_cloudpartner/journal?publisherId=contoso&limit=1000', { token: admin });
    assert.equal(journal.status, 200, journal.text);
    const entry = (journal.json().value as Array<{ method: string; path: string; status: number; requestBody: string; responseBody: string }>).find(
      (item) => item.method === 'POST' && item.status === 201 && item.responseBody?.includes(registered.clientId),
    );
    assert.ok(entry, 'the registration is journaled');
    assert.match(entry.responseBody, /"clientSecret":"\*\*\*"/);
    assert.match(entry.requestBody, /"displayName":"journaled"/);
    assert.ok(secrets.length >= 8);
    const log = logLines.join('');
    assert.ok(log.includes('/applications'), 'the calls are logged');
    for (const secret of secrets) {
      assert.equal(journal.text.includes(secret), false, 'no client secret in the journal');
      assert.equal(log.includes(secret), false, 'no client secret in the log');
    }
    assert.doesNotMatch(journal.text, /scrypt:/);
    assert.doesNotMatch(log, /scrypt:/);
  });
});
