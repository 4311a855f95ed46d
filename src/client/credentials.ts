/**
 * Bearer tokens: a fixed string, or Azure AD's v1 client-credentials flow.
 *
 * The client-credentials flow posts a form (grant_type=client_credentials, client_id,
 * client_secret, resource=https://cloudpartner.azure.com) to `{authority}/{tenantId}/oauth2/token`.
 * The authority defaults to the API endpoint itself — cloudpartner's built-in token service — and
 * is https://login.microsoftonline.com for the hosted service. The token is cached until shortly
 * before it expires (a margin of a tenth of its lifetime, at most five minutes), concurrent
 * callers share one request, and the client asks for a new one once when the API answers 401.
 */
import { CloudPartnerError } from './errors.ts';
import { type HttpSettings, parseJson, send } from './http.ts';

export const CLOUD_PARTNER_RESOURCE = 'https://cloudpartner.azure.com';

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Token service base URL; default: the API endpoint (cloudpartner's own). https://login.microsoftonline.com for Azure AD. */
  authority?: string;
  /** The resource the token is for (default https://cloudpartner.azure.com). */
  resource?: string;
}

export interface TokenProvider {
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token; returns whether asking again can give another one. */
  invalidate(): boolean;
}

export class StaticToken implements TokenProvider {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async getToken(): Promise<string> {
    return this.#token;
  }
  invalidate(): boolean {
    return false;
  }
}

export class ClientCredentialsToken implements TokenProvider {
  readonly #options: Required<ClientCredentialsOptions>;
  readonly #http: HttpSettings;
  readonly #now: () => number;
  #cached: { token: string; refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: ClientCredentialsOptions & { authority: string }, http: HttpSettings, now: () => number = Date.now) {
    for (const key of ['tenantId', 'clientId', 'clientSecret'] as const) {
      if (!options[key]) throw new TypeError(`client credentials need ${key}`);
    }
    this.#options = { resource: CLOUD_PARTNER_RESOURCE, ...options, authority: options.authority.replace(/\/+$/, '') };
    this.#http = http;
    this.#now = now;
  }

  /** Where tokens come from (no secret in it). */
  get tokenUrl(): string {
    return `${this.#options.authority}/${encodeURIComponent(this.#options.tenantId)}/oauth2/token`;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    if (this.#cached && this.#now() < this.#cached.refreshAt) return this.#cached.token;
    this.#pending ??= this.#request(signal).finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  invalidate(): boolean {
    this.#cached = undefined;
    return true;
  }

  async #request(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret, resource } = this.#options;
    const request = {
      method: 'POST',
      url: this.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, resource }).toString(),
      // Asking for a token changes nothing: safe to repeat like a read.
      idempotent: true,
      signal,
    };
    const started = this.#now();
    let response;
    try {
      response = await send(this.#http, request);
    } catch (error) {
      if (error instanceof CloudPartnerError) {
        throw new CloudPartnerError({
          status: error.status,
          code: error.code,
          message: `The token service at ${this.#options.authority} refused the client credentials: ${error.message}`,
          requestId: error.requestId,
          method: 'POST',
          url: this.tokenUrl,
        });
      }
      throw error;
    }
    const body = parseJson<{ access_token?: unknown; expires_in?: unknown; expires_on?: unknown }>(response, request);
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new CloudPartnerError({
        status: response.status,
        code: 'InvalidTokenResponse',
        message: `The token service at ${this.#options.authority} answered without an access_token.`,
      });
    }
    const lifetimeMs = lifetimeOf(body, started);
    this.#cached = { token: body.access_token, refreshAt: started + lifetimeMs - Math.min(300_000, lifetimeMs / 10) };
    return body.access_token;
  }
}

/** expires_in (seconds, a string in v1 answers), else expires_on (epoch seconds), else an hour. */
function lifetimeOf(body: { expires_in?: unknown; expires_on?: unknown }, now: number): number {
  const expiresIn = Number(body.expires_in);
  if (Number.isFinite(expiresIn) && expiresIn > 0) return expiresIn * 1000;
  const expiresOn = Number(body.expires_on);
  if (Number.isFinite(expiresOn) && expiresOn * 1000 > now) return expiresOn * 1000 - now;
  return 3_600_000;
}
