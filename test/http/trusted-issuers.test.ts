/**
 * Tokens from issuers other than the built-in one: a second server trusts the first one's token
 * service through OIDC discovery or its JWKS URL (real HTTP), or a key from a PEM file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { API, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { registerApp, tokenFromService, type TestApplication } from '../helpers/jwt.ts';

describe('trusted issuers', () => {
  let issuer: TestServer;
  let app: TestApplication;
  let keyDir: string;
  const relying: TestServer[] = [];
  let esKey: CryptoKey;

  before(async () => {
    issuer = await startTestServer('http');
    app = await registerApp(issuer, ['contoso'], 'Reader');
    keyDir = mkdtempSync(join(tmpdir(), 'cloudpartner-keys-'));
    const pair = await generateKeyPair('ES256', { extractable: true });
    esKey = pair.privateKey;
    writeFileSync(join(keyDir, 'issuer.pem'), await exportSPKI(pair.publicKey));
  });
  after(async () => {
    for (const server of relying) await server.close();
    await issuer.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  /** A second server trusting `trusted`, where the app's service principal is a Reader of contoso. */
  async function relyingServer(
    trusted: { issuer: string; jwksUri?: string; keyFile?: string; algorithm?: 'ES256' },
    member: { tenantId: string; objectId: string },
  ) {
    const server = await startTestServer('inject', { identity: { trustedIssuers: [trusted] } });
    relying.push(server);
    await server.store.putMember({ publisherId: 'contoso', ...member, role: 'Reader', displayName: 'external', createdAt: new Date().toISOString() });
    return server;
  }

  it('by OIDC discovery from the issuer URL', async () => {
    const server = await relyingServer({ issuer: issuer.app.tokens.issuer(1) }, app);
    const token = await tokenFromService(issuer, app);
    const res = await server.call(`/api/publishers/contoso/offers?${API}`, { token });
    assert.equal(res.status, 200, res.text);
  });

  it('by a JWKS URL, for v2 tokens', async () => {
    const server = await relyingServer({ issuer: issuer.app.tokens.issuer(2), jwksUri: `${issuer.baseUrl}/${app.tenantId}/discovery/v2.0/keys` }, app);
    const v2 = await issuer.call(`/${app.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'https://cloudpartner.azure.com/.default',
      }).toString(),
    });
    const res = await server.call(`/api/publishers/contoso/offers?${API}`, { token: v2.json().access_token });
    assert.equal(res.status, 200, res.text);
    // the v1 issuer is not trusted by this server
    const v1 = await server.call(`/api/publishers/contoso/offers?${API}`, { token: await tokenFromService(issuer, app) });
    assert.equal(v1.status, 401);
    assert.equal(errorCode(v1), 'InvalidToken');
  });

  it('by an ES256 public key file', async () => {
    const member = { tenantId: randomUUID(), objectId: randomUUID() };
    const server = await relyingServer({ issuer: 'https://issuer.example/tenant/', keyFile: join(keyDir, 'issuer.pem'), algorithm: 'ES256' }, member);
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ tid: member.tenantId, oid: member.objectId, ...claims })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('https://issuer.example/tenant/')
        .setAudience('https://cloudpartner.azure.com')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(esKey);
    assert.equal((await server.call(`/api/publishers/contoso/offers?${API}`, { token: await sign({}) })).status, 200);
    const stranger = await sign({ oid: randomUUID() });
    const res = await server.call(`/api/publishers/contoso/offers?${API}`, { token: stranger });
    assert.equal(res.status, 403, 'a valid token of a principal that is no member');
  });
});
