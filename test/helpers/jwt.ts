/** Tokens for identity tests: real ones from the token service, and crafted ones that must fail. */
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import { registerApplication } from '../../src/identity/applications.ts';
import type { Role } from '../../src/domain/roles.ts';
import type { TestServer } from './harness.ts';

export interface TestApplication {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  objectId: string;
}

export async function registerApp(server: TestServer, publisherIds: string[], role: Role): Promise<TestApplication> {
  return registerApplication(server.store, server.app.tokens, { publisherIds, role, displayName: `test ${role}` });
}

/** Gets a token from the server's own v1 endpoint, as a client library would. */
export async function tokenFromService(server: TestServer, app: TestApplication): Promise<string> {
  const res = await server.call(`/${app.tenantId}/oauth2/token`, {
    method: 'POST',
    token: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      resource: 'https://cloudpartner.azure.com',
    }).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${res.text}`);
  return res.json().access_token;
}

/** A JWT signed with the server's own key, with claims chosen by the test. */
export async function craftToken(server: TestServer, claims: JWTPayload, options: { foreignKey?: boolean; kid?: string } = {}): Promise<string> {
  const [key] = await server.store.ensureSigningKeys(async () => {
    throw new Error('the server has its keys already');
  });
  const signingKey = options.foreignKey ? (await generateKeyPair('RS256')).privateKey : await importJWK(JSON.parse(key!.privateJwk) as JWK, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: server.app.tokens.tenantId, oid: randomUUID(), ver: '1.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? key!.kid })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : server.app.tokens.issuer(1))
    .setAudience(claims.aud ?? 'https://cloudpartner.azure.com')
    .setIssuedAt(now)
    .setNotBefore(typeof claims.nbf === 'number' ? claims.nbf : now)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 3600)
    .sign(signingKey);
}
