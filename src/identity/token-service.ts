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
import type { Application, SigningKey, Store } from '../store/store.ts';

export const DEFAULT_AUDIENCE = 'https://cloudpartner.azure.com';
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
  static async open(store: Store, options: { audience?: string; publicUrl?: string } = {}): Promise<TokenService> {
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
    return new TokenService(tenantId, options.audience ?? DEFAULT_AUDIENCE, options.publicUrl ?? 'http://localhost', signing, keys.map((key) => JSON.parse(key.publicJwk) as JWK));
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
  async issue(application: Application, version: 1 | 2, nowSeconds = Math.floor(Date.now() / 1000)): Promise<IssuedToken> {
    const issuer = this.issuer(version, application.tenantId);
    const claims =
      version === 1
        ? { appid: application.clientId, appidacr: '1', idp: issuer, oid: application.objectId, tid: application.tenantId, ver: '1.0' }
        : { azp: application.clientId, azpacr: '1', oid: application.objectId, tid: application.tenantId, ver: '2.0' };
    const expiresOn = nowSeconds + TOKEN_LIFETIME_SECONDS;
    const accessToken = await new SignJWT({ ...claims, uti: randomUUID().replaceAll('-', '').slice(0, 22) })
      .setProtectedHeader({ alg: this.#signing.alg, typ: 'JWT', kid: this.#signing.kid })
      .setIssuer(issuer)
      .setAudience(this.audience)
      .setSubject(application.objectId)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(expiresOn)
      .sign(this.#signing.key);
    return { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS, expiresOn, notBefore: nowSeconds };
  }

  /** OpenID Connect metadata of one of the issuers. */
  openIdConfiguration(version: 1 | 2, tenantId = this.tenantId) {
    const base = `${this.#publicUrl}/${tenantId}`;
    return {
      issuer: this.issuer(version, tenantId),
      token_endpoint: version === 1 ? `${base}/oauth2/token` : `${base}/oauth2/v2.0/token`,
      jwks_uri: version === 1 ? `${base}/discovery/keys` : `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      grant_types_supported: ['client_credentials'],
      response_types_supported: ['token'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['pairwise'],
      tenant_region_scope: 'self-hosted',
    };
  }
}
