/**
 * The built-in token service: an Azure AD look-alike that issues signed JWTs to registered
 * applications through the client-credentials flow, so clients that fetch their own tokens run
 * unchanged against cloudpartner.
 *
 * Its signing keys live in the store (the private half sealed), so every instance on one
 * database signs and verifies with the same keys. Its tenant is generated once per store.
 * Issuers follow Azure AD's shapes: `{publicUrl}/{tenant}/` for v1 tokens and
 * `{publicUrl}/{tenant}/v2.0` for v2 tokens, each with OIDC metadata and JWKS under it.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Application, IdentityStore, SigningKey } from '../store/store.ts';

export { DEFAULT_AUDIENCE } from './defaults.ts';
import { DEFAULT_AUDIENCE } from './defaults.ts';
export const TOKEN_LIFETIME_SECONDS = 3600;
const TENANT_SETTING = 'tenant_id';

type PrivateKey = Awaited<ReturnType<typeof importJWK>>;
interface Signing {
  kid: string;
  alg: SigningKey['algorithm'];
  key: PrivateKey;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  /** Unix seconds. */
  expiresOn: number;
  notBefore: number;
}

export class TokenService {
  readonly tenantId: string;
  readonly audience: string;
  #publicUrl: string;
  readonly #signing: Signing;
  readonly #publicJwks: JWK[];

  private constructor(tenantId: string, audience: string, publicUrl: string, signing: Signing, publicJwks: JWK[]) {
    this.tenantId = tenantId;
    this.audience = audience;
    this.#publicUrl = publicUrl;
    this.#signing = signing;
    this.#publicJwks = publicJwks;
  }

  /** Loads (or on first start creates) the tenant and the signing key; imports keys once. */
  static async open(store: IdentityStore, options: { audience?: string; publicUrl?: string } = {}): Promise<TokenService> {
    const tenantId = await store.ensureSetting(TENANT_SETTING, () => randomUUID());
    const keys = await store.ensureSigningKeys(async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      const kid = randomUUID();
      return {
        kid,
        algorithm: 'RS256',
        publicJwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }),
        privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'RS256' }),
        createdAt: new Date().toISOString(),
      };
    });
    const newest = keys.at(-1)!;
    const signing = { kid: newest.kid, alg: newest.algorithm, key: await importJWK(JSON.parse(newest.privateJwk) as JWK, newest.algorithm) };
    return new TokenService(
      tenantId,
      options.audience ?? DEFAULT_AUDIENCE,
      options.publicUrl ?? 'http://localhost',
      signing,
      keys.map((key) => JSON.parse(key.publicJwk) as JWK),
    );
  }

  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** Set once the server knows where it listens (unless configured): the issuer URLs derive from it. */
  setPublicUrl(url: string): void {
    this.#publicUrl = url.replace(/\/+$/, '');
  }

  issuer(version: 1 | 2, tenantId = this.tenantId): string {
    return version === 1 ? `${this.#publicUrl}/${tenantId}/` : `${this.#publicUrl}/${tenantId}/v2.0`;
  }

  /** The public keys, as a JWK set. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#publicJwks };
  }

  publicJwk(kid: string): JWK | undefined {
    return this.#publicJwks.find((jwk) => jwk.kid === kid);
  }

  /** An access token for an application, shaped as Azure AD v1 or v2 tokens are. */
  async issue(application: Application, version: 1 | 2, nowSeconds = Math.floor(Date.now() / 1000), audience = this.audience): Promise<IssuedToken> {
    const issuer = this.issuer(version, application.tenantId);
    const claims =
      version === 1
        ? { appid: application.clientId, appidacr: '1', idp: issuer, oid: application.objectId, tid: application.tenantId, ver: '1.0' }
        : { azp: application.clientId, azpacr: '1', oid: application.objectId, tid: application.tenantId, ver: '2.0' };
    const expiresOn = nowSeconds + TOKEN_LIFETIME_SECONDS;
    const accessToken = await new SignJWT({ ...claims, uti: randomUUID().replaceAll('-', '').slice(0, 22) })
      .setProtectedHeader({ alg: this.#signing.alg, typ: 'JWT', kid: this.#signing.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(application.objectId)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(expiresOn)
      .sign(this.#signing.key);
    return { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS, expiresOn, notBefore: nowSeconds };
  }

  /** Where a tenant's endpoints live: `{publicUrl}/{tenant}`. */
  tenantBase(tenantId = this.tenantId): string {
    return `${this.#publicUrl}/${tenantId}`;
  }

  /**
   * OpenID Connect metadata of one of the issuers (OpenID Connect Discovery 1.0 §3): every member
   * the specification requires, at the public address, as Azure AD lays them out. MSAL refuses an
   * authority whose document lacks `authorization_endpoint` or names an endpoint that is not https.
   * The authorization endpoint exists but offers no flow (only client credentials are served), so
   * no response type is claimed.
   */
  openIdConfiguration(version: 1 | 2, tenantId = this.tenantId) {
    const base = this.tenantBase(tenantId);
    const v = version === 1 ? '' : '/v2.0';
    return {
      issuer: this.issuer(version, tenantId),
      authorization_endpoint: `${base}/oauth2${v}/authorize`,
      token_endpoint: `${base}/oauth2${v}/token`,
      jwks_uri: `${base}/discovery${v}/keys`,
      response_types_supported: [] as string[],
      response_modes_supported: [] as string[],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: [version === 1 ? this.audience : `${this.audience}/.default`],
      claims_supported:
        version === 1
          ? ['aud', 'iss', 'iat', 'nbf', 'exp', 'sub', 'oid', 'tid', 'appid', 'appidacr', 'idp', 'ver', 'uti']
          : ['aud', 'iss', 'iat', 'nbf', 'exp', 'sub', 'oid', 'tid', 'azp', 'azpacr', 'ver', 'uti'],
      request_uri_parameter_supported: false,
      tenant_region_scope: 'self-hosted',
      cloud_instance_name: new URL(this.#publicUrl).host,
    };
  }

  /**
   * Azure AD's instance discovery (`/common/discovery/instance`), which MSAL asks before it trusts
   * an authority host: this server is its own cloud, with one alias (its public host).
   */
  instanceDiscovery(tenantId: string) {
    const host = new URL(this.#publicUrl).host;
    return {
      tenant_discovery_endpoint: `${this.tenantBase(tenantId)}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }
}
