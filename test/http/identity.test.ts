/**
 * Identity as the original service did it: Azure AD-style tokens from the built-in token service
 * (client credentials, v1 and v2), JWT verification, members and roles, and the authorization
 * matrix over every endpoint.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { createAccessToken } from '../../src/identity/access-tokens.ts';
import { createLogger } from '../../src/server.ts';
import { API, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { craftToken, registerApp, tokenFromService, type TestApplication } from '../helpers/jwt.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { localAudit } from '../../src/domain/audit.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('the built-in token service', () => {
  let server: TestServer;
  let app: TestApplication;
  const logLines: string[] = [];
  before(async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) });
    server = await startTestServer('http', { logger: createLogger('trace', sink) });
    app = await registerApp(server, ['contoso'], 'Contributor');
  });
  after(async () => server.close());

  it('v1: client credentials for resource https://cloudpartner.azure.com give a working JWT', async () => {
    const res = await server.call(`/${app.tenantId}/oauth2/token`, {
      method: 'POST',
      token: null,
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://cloudpartner.azure.com' }),
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, '3600');
    assert.equal(body.resource, 'https://cloudpartner.azure.com');
    assert.equal(res.headers['cache-control'], 'no-store');
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.aud, 'https://cloudpartner.azure.com');
    assert.equal(claims['tid'], app.tenantId);
    assert.equal(claims['oid'], app.objectId);
    assert.equal(claims['appid'], app.clientId);
    assert.equal(claims.iss, `${server.baseUrl}/${app.tenantId}/`);
    assert.equal(decodeProtectedHeader(body.access_token).alg, 'RS256');
    const offers = await server.call(`/api/publishers/contoso/offers?${API}`, { token: body.access_token });
    assert.equal(offers.status, 200);
  });

  it('v2: scope …/.default, and client_secret_basic, work too', async () => {
    const res = await server.call(`/${app.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      token: null,
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      body: form({ grant_type: 'client_credentials', scope: 'https://cloudpartner.azure.com/.default' }),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().expires_in, 3600);
    const claims = decodeJwt(res.json().access_token);
    assert.equal(claims.iss, `${server.baseUrl}/${app.tenantId}/v2.0`);
    assert.equal(claims['azp'], app.clientId);
    assert.equal((await server.call(`/api/publishers?${API}`, { token: res.json().access_token })).json()[0].id, 'contoso');
  });

  it('answers wrong requests as OAuth 2.0 errors', async () => {
    const cases: Array<[Record<string, string>, number, string, string?]> = [
      [
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'wrong', resource: 'https://cloudpartner.azure.com' },
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'client_credentials', client_id: crypto.randomUUID(), client_secret: 'x', resource: 'https://cloudpartner.azure.com' },
        400,
        'unauthorized_client',
      ],
      [
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://management.azure.com' },
        400,
        'invalid_resource',
      ],
      [
        { grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://cloudpartner.azure.com' },
        400,
        'unsupported_grant_type',
      ],
      [{ grant_type: 'client_credentials', resource: 'https://cloudpartner.azure.com' }, 400, 'invalid_request'],
      [
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: 'https://cloudpartner.azure.com' },
        400,
        'unauthorized_client',
        '00000000-0000-0000-0000-000000000000',
      ],
    ];
    for (const [fields, status, error, tenant] of cases) {
      const res = await server.call(`/${tenant ?? app.tenantId}/oauth2/token`, { method: 'POST', token: null, headers: FORM, body: form(fields) });
      assert.equal(res.status, status, `${error}: ${res.text}`);
      assert.equal(res.json().error, error);
      assert.match(res.json().error_description, /^AADSTS\d+: /);
      assert.equal(res.text.includes(app.clientSecret), false);
    }
    const badBasic = await server.call(`/${app.tenantId}/oauth2/token`, {
      method: 'POST',
      token: null,
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${app.clientId}:%zz`).toString('base64')}` },
      body: form({ grant_type: 'client_credentials', resource: 'https://cloudpartner.azure.com' }),
    });
    assert.equal(badBasic.status, 400, badBasic.text);
    assert.equal(badBasic.json().error, 'invalid_request');
    const v2 = await server.call(`/${app.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      token: null,
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'openid' }),
    });
    assert.equal(v2.json().error, 'invalid_scope');
  });

  it('publishes OpenID Connect metadata and its signing keys', async () => {
    for (const [path, issuer] of [
      [`/${app.tenantId}/.well-known/openid-configuration`, `${server.baseUrl}/${app.tenantId}/`],
      [`/${app.tenantId}/v2.0/.well-known/openid-configuration`, `${server.baseUrl}/${app.tenantId}/v2.0`],
    ] as const) {
      const metadata = (await server.call(path, { token: null })).json();
      assert.equal(metadata.issuer, issuer);
      const keys = (await (await fetch(metadata.jwks_uri)).json()) as { keys: Array<{ kid: string; kty: string; d?: string }> };
      assert.equal(keys.keys[0]!.kty, 'RSA');
      assert.equal('d' in keys.keys[0]!, false, 'no private key material');
      const token = await tokenFromService(server, app);
      assert.ok(keys.keys.some((key) => key.kid === decodeProtectedHeader(token).kid));
    }
  });

  it('the metadata is a complete OpenID Connect Discovery 1.0 §3 document, every endpoint at the public address (what MSAL insists on)', async () => {
    for (const [version, prefix] of [
      ['', ''],
      ['/v2.0', '/v2.0'],
    ] as const) {
      const metadata = (await server.call(`/${app.tenantId}${prefix}/.well-known/openid-configuration`, { token: null })).json();
      for (const member of [
        'issuer',
        'authorization_endpoint',
        'token_endpoint',
        'jwks_uri',
        'response_types_supported',
        'subject_types_supported',
        'id_token_signing_alg_values_supported',
      ]) {
        assert.ok(member in metadata, `${prefix || 'v1'}: ${member} (required by Discovery §3)`);
      }
      assert.equal(metadata.authorization_endpoint, `${server.baseUrl}/${app.tenantId}/oauth2${version}/authorize`);
      assert.equal(metadata.token_endpoint, `${server.baseUrl}/${app.tenantId}/oauth2${version}/token`);
      assert.equal(metadata.jwks_uri, `${server.baseUrl}/${app.tenantId}/discovery${version}/keys`);
      assert.deepEqual(metadata.grant_types_supported, ['client_credentials']);
      assert.ok(Array.isArray(metadata.response_types_supported) && Array.isArray(metadata.subject_types_supported));
      // common and organizations resolve to the service's own tenant, as an authority MSAL was given may say.
      const common = (await server.call(`/common${prefix}/.well-known/openid-configuration`, { token: null })).json();
      assert.equal(common.token_endpoint, `${server.baseUrl}/${server.app.tokens.tenantId}/oauth2${version}/token`);
    }
  });

  it('the authorization endpoints refuse interactive flows with an OAuth error, never a redirect', async () => {
    for (const path of [`/${app.tenantId}/oauth2/authorize`, `/${app.tenantId}/oauth2/v2.0/authorize`]) {
      const res = await server.call(`${path}?response_type=code&client_id=${app.clientId}&redirect_uri=https%3A%2F%2Fevil.example%2F`, { token: null });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.headers['location'], undefined);
      assert.equal(res.json().error, 'unsupported_response_type');
      assert.match(res.json().error_description, /^AADSTS\d+: .*client-credentials/);
      assert.equal(
        (await server.call(path, { method: 'POST', token: null, headers: FORM, body: 'response_type=token' })).json().error,
        'unsupported_response_type',
      );
    }
  });

  it('instance discovery names the tenant discovery document of the authority, and refuses what is no authority', async () => {
    const authorize = encodeURIComponent(`${server.baseUrl}/${app.tenantId}/oauth2/v2.0/authorize`);
    const res = await server.call(`/common/discovery/instance?api-version=1.1&authorization_endpoint=${authorize}`, { token: null });
    assert.equal(res.status, 200, res.text);
    const host = new URL(server.baseUrl).host;
    assert.equal(res.json().tenant_discovery_endpoint, `${server.baseUrl}/${app.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(res.json().metadata, [{ preferred_network: host, preferred_cache: host, aliases: [host] }]);
    const discovered = await server.call(new URL(res.json().tenant_discovery_endpoint).pathname, { token: null });
    assert.equal(discovered.json().issuer, `${server.baseUrl}/${app.tenantId}/v2.0`);
    for (const bad of [
      '',
      '&authorization_endpoint=nonsense',
      `&authorization_endpoint=${encodeURIComponent('https://x/bad%20tenant/oauth2/v2.0/authorize')}`,
    ]) {
      const refused = await server.call(`/common/discovery/instance?api-version=1.1${bad}`, { token: null });
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.json().error, 'invalid_instance');
    }
  });

  it("v2 scope: …/.default beside OpenID Connect's own scopes is accepted; another resource is not", async () => {
    const ask = (scope: string) =>
      server.call(`/${app.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        token: null,
        headers: FORM,
        body: form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope }),
      });
    assert.equal((await ask('https://cloudpartner.azure.com/.default openid profile offline_access')).status, 200);
    assert.equal((await ask('https://cloudpartner.azure.com/.default https://management.azure.com/.default')).json().error, 'invalid_scope');
  });

  it('the log carries no token and no client secret', () => {
    const log = logLines.join('');
    assert.ok(log.includes('oauth2/token'), 'token requests are logged');
    assert.equal(log.includes(app.clientSecret), false);
    assert.equal(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(log), false, 'no JWT in the log');
  });
});

const MATRIX_WEBHOOK = '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b';

describe('authorization matrix', () => {
  let server: TestServer;
  let operationPath: string;
  const tokens: Record<string, string> = {};
  const OFFER = `/api/publishers/contoso/offers/${DEMO_OFFER_ID}`;

  before(async () => {
    server = await startTestServer('inject');
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    const history = (await server.call(`${OFFER}/submissions?${API}`)).json();
    operationPath = `${OFFER}/operations/${history[0].id}`;
    const now = Math.floor(Date.now() / 1000);
    for (const role of ['Owner', 'Contributor', 'Reader'] as const) tokens[role] = await tokenFromService(server, await registerApp(server, ['contoso'], role));
    tokens['otherPublisher'] = await tokenFromService(server, await registerApp(server, ['fabrikam'], 'Owner'));
    tokens['expired'] = await craftToken(server, { exp: now - 3600, nbf: now - 7200 });
    tokens['notYetValid'] = await craftToken(server, { nbf: now + 3600, exp: now + 7200 });
    tokens['wrongAudience'] = await craftToken(server, { aud: 'https://management.azure.com' });
    tokens['unknownIssuer'] = await craftToken(server, { iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/' });
    tokens['badSignature'] = await craftToken(server, {}, { foreignKey: true });
    tokens['unknownKey'] = await craftToken(server, {}, { kid: 'no-such-key' });
    await server.store.createWebhook(
      { id: MATRIX_WEBHOOK, publisherId: 'contoso', url: 'http://127.0.0.1:9/hooks', events: ['offer.updated'], createdTime: new Date().toISOString() },
      'a-matrix-webhook-secret-0123',
      { context: localAudit(), entries: [] },
    );
  });
  after(async () => server.close());

  const endpoints: Array<{ method: string; path: () => string; needs: 'read' | 'write' | 'manageAccess'; body?: () => string }> = [
    { method: 'GET', path: () => `/api/publishers/contoso/offers?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}/versions/1?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}/slot/Preview?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}/status?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}/secrets?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${OFFER}/submissions?${API}`, needs: 'read' },
    { method: 'GET', path: () => `${operationPath}?${API}`, needs: 'read' },
    { method: 'GET', path: () => `/api/operations/contoso$${DEMO_OFFER_ID}$3$preview?${API}`, needs: 'read' },
    {
      method: 'PUT',
      path: () => `/api/publishers/contoso/offers/matrix-offer?${API}`,
      needs: 'write',
      body: () => JSON.stringify(publishableOffer('matrix-offer')),
    },
    // The dry run is part of editing: the write permission, with a document or without (the draft).
    { method: 'POST', path: () => `${OFFER}/validate?${API}`, needs: 'write', body: () => JSON.stringify(publishableOffer(DEMO_OFFER_ID)) },
    { method: 'POST', path: () => `${OFFER}/validate?${API}`, needs: 'write' },
    { method: 'POST', path: () => `/api/publishers/contoso/offers/matrix-none/publish?${API}`, needs: 'write' },
    { method: 'POST', path: () => `/api/publishers/contoso/offers/matrix-none/golive?${API}`, needs: 'write' },
    { method: 'POST', path: () => `/api/publishers/contoso/offers/matrix-none/cancel?${API}`, needs: 'write' },
    { method: 'GET', path: () => `/api/publishers/contoso/members?${API}`, needs: 'manageAccess' },
    {
      method: 'PUT',
      path: () => `/api/publishers/contoso/members/11111111-2222-3333-4444-555555555555?${API}`,
      needs: 'manageAccess',
      body: () => JSON.stringify({ tenantId: '66666666-7777-8888-9999-000000000000', role: 'Reader' }),
    },
    { method: 'DELETE', path: () => `/api/publishers/contoso/members/99999999-2222-3333-4444-555555555555?${API}`, needs: 'manageAccess' },
    { method: 'GET', path: () => `/api/publishers/contoso/applications?${API}`, needs: 'manageAccess' },
    {
      method: 'POST',
      path: () => `/api/publishers/contoso/applications?${API}`,
      needs: 'manageAccess',
      body: () => JSON.stringify({ role: 'Reader', displayName: 'matrix application' }),
    },
    { method: 'DELETE', path: () => `/api/publishers/contoso/applications/99999999-2222-3333-4444-555555555555?${API}`, needs: 'manageAccess' },
    // Webhooks (served with or without the sandbox): a publisher's Owners only.
    {
      method: 'POST',
      path: () => '/_cloudpartner/webhooks',
      needs: 'manageAccess',
      body: () =>
        JSON.stringify({ url: 'http://127.0.0.1:9/hooks', events: ['offer.updated'], publisherId: 'contoso', secret: 'a-matrix-webhook-secret-0123' }),
    },
    { method: 'GET', path: () => `/_cloudpartner/webhooks/${MATRIX_WEBHOOK}/deliveries`, needs: 'manageAccess' },
    // The audit trail (served with or without the sandbox): a publisher's Owners only.
    { method: 'GET', path: () => '/_cloudpartner/audit?publisherId=contoso', needs: 'manageAccess' },
    { method: 'GET', path: () => `/_cloudpartner/audit?publisherId=contoso&offerId=${DEMO_OFFER_ID}&limit=5`, needs: 'manageAccess' },
  ];

  const call = (endpoint: (typeof endpoints)[number], authorization: string | null) =>
    server.call(endpoint.path(), {
      method: endpoint.method,
      token: null,
      headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
      ...(endpoint.body ? { body: endpoint.body() } : {}),
    });

  it('every endpoint × every bad token → 401 InvalidToken/Unauthorized with WWW-Authenticate, never data', async () => {
    const cases: Array<[string, string | null, string]> = [
      ['no token', null, 'Unauthorized'],
      ['malformed header', 'Bearer', 'InvalidAuthorizationHeader'],
      ['not a JWT nor a known token', 'Bearer abc.def', 'InvalidToken'],
      ['expired', `Bearer ${tokens['expired']}`, 'InvalidToken'],
      ['not yet valid', `Bearer ${tokens['notYetValid']}`, 'InvalidToken'],
      ['wrong audience', `Bearer ${tokens['wrongAudience']}`, 'InvalidToken'],
      ['unknown issuer', `Bearer ${tokens['unknownIssuer']}`, 'InvalidToken'],
      ['bad signature', `Bearer ${tokens['badSignature']}`, 'InvalidToken'],
      ['unknown key', `Bearer ${tokens['unknownKey']}`, 'InvalidToken'],
    ];
    for (const endpoint of endpoints) {
      for (const [name, authorization, code] of cases) {
        const res = await call(endpoint, authorization);
        assert.equal(res.status, 401, `${endpoint.method} ${endpoint.path()} with ${name}: ${res.text}`);
        assert.equal(errorCode(res), code, `${name}`);
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
        assert.doesNotMatch(res.text, /Contoso App|contososkuidentifier/);
      }
    }
  });

  it('says why a JWT is refused', async () => {
    const reason = async (token: string) => (await call(endpoints[0]!, `Bearer ${token}`)).json().error.message;
    assert.match(await reason(tokens['expired']!), /expired/);
    assert.match(await reason(tokens['notYetValid']!), /not valid yet/);
    assert.match(await reason(tokens['wrongAudience']!), /audience/);
    assert.match(await reason(tokens['unknownIssuer']!), /issuer .* not trusted/);
    assert.match(await reason(tokens['badSignature']!), /signature/);
  });

  it("another publisher's principal → 403 on every endpoint of contoso", async () => {
    for (const endpoint of endpoints) {
      const res = await call(endpoint, `Bearer ${tokens['otherPublisher']}`);
      assert.equal(res.status, 403, `${endpoint.method} ${endpoint.path()}`);
      assert.equal(errorCode(res), 'Forbidden');
      assert.doesNotMatch(res.text, /Contoso App/);
    }
  });

  it("the audit trail without a publisher is the sandbox admin token's alone; a JWT writer is named by its service principal", async () => {
    for (const principal of ['Reader', 'Contributor', 'Owner', 'otherPublisher']) {
      const res = await call({ method: 'GET', path: () => '/_cloudpartner/audit', needs: 'manageAccess' }, `Bearer ${tokens[principal]}`);
      assert.equal(res.status, 403, principal);
      assert.equal(errorCode(res), 'Forbidden', principal);
    }
    const written = await call(
      endpoints.find((endpoint) => endpoint.method === 'PUT')!,
      `Bearer ${tokens['Contributor']}`,
    );
    assert.equal(written.status, 200, written.text);
    const records = await call(
      { method: 'GET', path: () => '/_cloudpartner/audit?publisherId=contoso&offerId=matrix-offer', needs: 'manageAccess' },
      `Bearer ${tokens['Owner']}`,
    );
    const [last] = records.json().value;
    assert.equal(last.principal.kind, 'servicePrincipal');
    assert.match(last.principal.id, /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    assert.equal(last.principal.displayName, 'test Contributor');
    assert.equal(last.etagAfter, written.headers['etag']);
    assert.ok(!records.text.includes(tokens['Contributor']!) && !records.text.includes(tokens['Owner']!), 'no token');
  });

  it('roles: Reader reads only, Contributor also writes, Owner also manages access', async () => {
    const allowed = { Reader: ['read'], Contributor: ['read', 'write'], Owner: ['read', 'write', 'manageAccess'] } as const;
    for (const role of ['Reader', 'Contributor', 'Owner'] as const) {
      for (const endpoint of endpoints) {
        const res = await call(endpoint, `Bearer ${tokens[role]}`);
        const label = `${role} ${endpoint.method} ${endpoint.path()}: ${res.status} ${res.text.slice(0, 200)}`;
        if ((allowed[role] as readonly string[]).includes(endpoint.needs)) {
          assert.notEqual(res.status, 401, label);
          assert.notEqual(res.status, 403, label);
          assert.ok(res.status < 500, label);
        } else {
          assert.equal(res.status, 403, label);
          assert.equal(errorCode(res), 'InsufficientRole', label);
        }
      }
    }
  });
});

describe('authorization matrix: the product-ingestion face', () => {
  let server: TestServer;
  let productId: string;
  let jobId: string;
  const tokens: Record<string, string> = {};
  const PI = '/rp/product-ingestion';

  before(async () => {
    server = await startTestServer('inject');
    await server.store.createPublisher({ id: 'fabrikam', version: 1, displayText: 'Fabrikam', offerTypeCategories: [], sellerId: 2 });
    productId = (await server.call(`${PI}/product?externalId=${DEMO_OFFER_ID}`)).json().value[0].id;
    const job = await server.call(`${PI}/configure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        $schema: 'https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview2',
        resources: [{ $schema: 'https://schema.mp.microsoft.com/schema/reseller/2022-03-01-preview2', product: productId, resellerChannelState: 'none' }],
      }),
    });
    jobId = job.json().jobId;
    const now = Math.floor(Date.now() / 1000);
    for (const role of ['Owner', 'Contributor', 'Reader'] as const) tokens[role] = await tokenFromService(server, await registerApp(server, ['contoso'], role));
    tokens['otherPublisher'] = await tokenFromService(server, await registerApp(server, ['fabrikam'], 'Owner'));
    tokens['expired'] = await craftToken(server, { exp: now - 3600, nbf: now - 7200 });
    tokens['wrongAudience'] = await craftToken(server, { aud: 'https://management.azure.com' });
    tokens['badSignature'] = await craftToken(server, {}, { foreignKey: true });
    tokens['graphAudience'] = await craftToken(server, { aud: 'https://graph.microsoft.com' });
  });
  after(async () => server.close());

  const guid = () => productId.split('/')[1]!;
  const configureBody = () =>
    JSON.stringify({
      $schema: 'https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview2',
      resources: [{ $schema: 'https://schema.mp.microsoft.com/schema/reseller/2022-03-01-preview2', product: productId, resellerChannelState: 'all' }],
    });
  /** `stranger`: what a principal of another publisher gets — never the product's data. */
  const endpoints: Array<{ method: string; path: () => string; needs: 'read' | 'write'; body?: () => string; stranger: number }> = [
    { method: 'GET', path: () => `${PI}/product`, needs: 'read', stranger: 200 },
    { method: 'GET', path: () => `${PI}/product?externalId=${DEMO_OFFER_ID}`, needs: 'read', stranger: 200 },
    { method: 'GET', path: () => `${PI}/${productId}`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/resource-tree/${productId}?targetType=live`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/plan?product=${productId}`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/submission/${guid()}`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/submission/${guid()}/0`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/configure/${jobId}/status`, needs: 'read', stranger: 404 },
    { method: 'GET', path: () => `${PI}/configure/${jobId}`, needs: 'read', stranger: 404 },
    // A request naming a product the caller cannot see is a job that fails: accepted, never applied.
    { method: 'POST', path: () => `${PI}/configure`, needs: 'write', body: configureBody, stranger: 202 },
    { method: 'POST', path: () => `${PI}/configure/${jobId}/cancel`, needs: 'write', stranger: 404 },
  ];

  const call = (endpoint: (typeof endpoints)[number], authorization: string | null) =>
    server.call(endpoint.path(), {
      method: endpoint.method,
      token: null,
      headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
      ...(endpoint.body ? { body: endpoint.body() } : {}),
    });

  it('every endpoint × every bad token → 401 unauthorized with WWW-Authenticate and details [], never data', async () => {
    const cases: Array<[string, string | null]> = [
      ['no token', null],
      ['malformed header', 'Bearer'],
      ['not a JWT nor a known token', 'Bearer abc.def'],
      ['expired', `Bearer ${tokens['expired']}`],
      ['wrong audience', `Bearer ${tokens['wrongAudience']}`],
      ['bad signature', `Bearer ${tokens['badSignature']}`],
    ];
    for (const endpoint of endpoints) {
      for (const [name, authorization] of cases) {
        const res = await call(endpoint, authorization);
        assert.equal(res.status, 401, `${endpoint.method} ${endpoint.path()} with ${name}: ${res.text}`);
        assert.deepEqual(res.json().error.code, 'unauthorized');
        assert.deepEqual(res.json().error.details, []);
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
        assert.doesNotMatch(res.text, /Contoso|contososkuidentifier/);
      }
    }
  });

  it("another publisher's principal sees nothing of contoso's products and changes nothing", async () => {
    for (const endpoint of endpoints) {
      const res = await call(endpoint, `Bearer ${tokens['otherPublisher']}`);
      assert.equal(res.status, endpoint.stranger, `${endpoint.method} ${endpoint.path()}: ${res.text}`);
      assert.doesNotMatch(res.text, /Contoso|contososkuidentifier/);
      if (res.status === 200) assert.deepEqual(res.json(), { value: [] });
    }
  });

  it('roles: Reader reads only; Contributor and Owner also configure and cancel; a token for Graph works like one for the API', async () => {
    const allowed = { Reader: ['read'], Contributor: ['read', 'write'], Owner: ['read', 'write'] } as const;
    for (const role of ['Reader', 'Contributor', 'Owner'] as const) {
      for (const endpoint of endpoints) {
        const res = await call(endpoint, `Bearer ${tokens[role]}`);
        const label = `${role} ${endpoint.method} ${endpoint.path()}: ${res.status} ${res.text.slice(0, 200)}`;
        if ((allowed[role] as readonly string[]).includes(endpoint.needs)) {
          assert.ok(res.status !== 401 && res.status !== 403 && res.status < 500, label);
        } else {
          assert.equal(res.status, 403, label);
          assert.equal(res.json().error.code, 'forbidden', label);
        }
      }
    }
    const graph = await call(endpoints[3]!, `Bearer ${tokens['graphAudience']}`);
    assert.notEqual(graph.status, 401, graph.text);
  });
});

describe('members', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('inject')));
  after(async () => server.close());

  it('an Owner adds, changes and removes members, and access follows at once', async () => {
    const app = await registerApp(server, ['contoso'], 'Reader');
    const jwt = await tokenFromService(server, app);
    const path = `/api/publishers/contoso/members/${app.objectId}?${API}`;
    const members = (await server.call(`/api/publishers/contoso/members?${API}`)).json();
    assert.ok(members.some((member: { objectId: string; role: string }) => member.objectId === app.objectId && member.role === 'Reader'));

    const put = (role: string) =>
      server.call(path, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: app.tenantId, role, displayName: 'pipeline' }),
      });
    const write = () =>
      server.call(`/api/publishers/contoso/offers/member-offer?${API}`, {
        method: 'PUT',
        token: jwt,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(publishableOffer('member-offer')),
      });

    assert.equal((await write()).status, 403, 'a Reader cannot write');
    const promoted = await put('Contributor');
    assert.equal(promoted.status, 200);
    assert.equal(promoted.json().role, 'Contributor');
    assert.equal((await write()).status, 200, 'promoted: the same token writes now');

    const removed = await server.call(path, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token: jwt })).status, 403, 'removed: access ends at once');
    assert.equal(errorCode(await server.call(path, { method: 'DELETE' })), 'MemberNotFound');
    const added = await put('Reader');
    assert.equal(added.status, 201);
  });

  it('rejects ids that are not GUIDs and unknown roles', async () => {
    const bad = await server.call(`/api/publishers/contoso/members/not-a-guid?${API}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: crypto.randomUUID(), role: 'Reader' }),
    });
    assert.equal(bad.status, 400);
    errorCode(bad);
    const role = await server.call(`/api/publishers/contoso/members/${crypto.randomUUID()}?${API}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: crypto.randomUUID(), role: 'Admin' }),
    });
    assert.equal(role.status, 400);
    assert.match(role.json().error.message, /Owner, Contributor, Reader/);
  });
});

describe('verified tokens are cached until they expire, and not beyond', () => {
  let server: TestServer;
  const clock = new ManualClock();
  before(async () => (server = await startTestServer('inject', { identity: { clockToleranceSeconds: 0 }, app: { clock } })));
  after(async () => server.close());

  it('a token expiring in two seconds works until then, then gets 401', async () => {
    const app = await registerApp(server, ['contoso'], 'Reader');
    const nowSeconds = Math.floor(clock.now() / 1000);
    const token = await craftToken(server, { nbf: nowSeconds, iat: nowSeconds, exp: nowSeconds + 2, oid: app.objectId, tid: app.tenantId });
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token })).status, 200);
    clock.advance(1_000);
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token })).status, 200, 'still valid, from the cache');
    clock.advance(2_100);
    const late = await server.call(`/api/publishers/contoso/offers?${API}`, { token });
    assert.equal(late.status, 401);
    assert.match(late.json().error.message, /expired/);
  });

  it('a remembered token answers only to its own bytes: another spelling of the header works, a tampered copy does not', async () => {
    const app = await registerApp(server, ['contoso'], 'Reader');
    const nowSeconds = Math.floor(clock.now() / 1000);
    const token = await craftToken(server, { nbf: nowSeconds, iat: nowSeconds, exp: nowSeconds + 600, oid: app.objectId, tid: app.tenantId });
    const path = `/api/publishers/contoso/offers?${API}`;
    const withHeader = (authorization: string) => server.call(path, { token: null, headers: { authorization } });
    assert.equal((await withHeader(`Bearer ${token}`)).status, 200);
    assert.equal((await withHeader(`bearer  ${token} `)).status, 200, 'the same token, spelt otherwise');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    const rejected = await withHeader(`Bearer ${tampered}`);
    assert.equal(rejected.status, 401);
    assert.equal(errorCode(rejected), 'InvalidToken');
    assert.equal((await withHeader(`Bearer ${token}`)).status, 200, 'the real one still works');
  });

  it('an opaque access token made to expire in a day works until then, then gets 401', async () => {
    const { token, expiresAt } = await createAccessToken(server.store, { publisherIds: ['contoso'], role: 'Reader', expiresInDays: 1 });
    clock.advance(Date.parse(expiresAt!) - clock.now() - 60_000);
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token })).status, 200);
    clock.advance(60_000);
    assert.equal(errorCode(await server.call(`/api/publishers/contoso/offers?${API}`, { token })), 'InvalidToken');
  });
});
