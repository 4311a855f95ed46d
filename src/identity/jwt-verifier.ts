/**
 * Verifies Azure AD-style JWT bearer tokens: RS256 or ES256, from the built-in token service or
 * from configured issuers (OIDC discovery, a JWKS URL, or a local public key file), checking the
 * signature, `iss`, `aud`, `exp` and `nbf` with a clock-skew tolerance.
 *
 * Verifying a signature on every request would cost most of the throughput, so a verified token's
 * identity is cached until the token expires (a bounded cache; a flood of distinct tokens only
 * empties it). Keys are imported once; remote key sets are fetched once and refreshed by jose.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../domain/clock.ts';
import { errors } from '../domain/errors.ts';
import type { TokenService } from './token-service.ts';
import { type Message, message } from '../domain/messages/index.ts';

export interface TrustedIssuer {
  issuer: string;
  /** Key set URL; when absent (and no keyFile), discovered from `{issuer}/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** PEM public key (SPKI) file, for an issuer without a key set endpoint. */
  keyFile?: string;
  /** Algorithm of keyFile keys: RS256 (default) or ES256. */
  algorithm?: 'RS256' | 'ES256';
}

export interface VerifiedIdentity {
  tenantId: string;
  /** Object id of the caller (its service principal); `appid`/`azp` when a token has no `oid`. */
  objectId: string;
  appId: string | undefined;
  /** Epoch ms. */
  expiresAt: number;
}

export interface JwtVerifierOptions {
  audiences: readonly string[];
  clockToleranceSeconds: number;
  trustedIssuers: readonly TrustedIssuer[];
  builtIn: TokenService;
  /** Where `exp` and `nbf` are measured from (default: the system clock). */
  clock?: Clock;
}

const ALGORITHMS = ['RS256', 'ES256'];
const MAX_CACHED = 10_000;

export class JwtVerifier {
  readonly #options: JwtVerifierOptions;
  readonly #keySets = new Map<string, JWTVerifyGetKey>();
  readonly #cache = new Map<string, VerifiedIdentity>();

  constructor(options: JwtVerifierOptions) {
    this.#options = options;
  }

  #now(): number {
    return (this.#options.clock ?? systemClock).now();
  }

  /** Whether a verified identity has not yet expired (with the clock-skew tolerance). */
  isCurrent(identity: VerifiedIdentity): boolean {
    return identity.expiresAt > this.#now() - this.#options.clockToleranceSeconds * 1000;
  }

  /** Verifies a JWT or throws 401 InvalidToken saying what is wrong with it. */
  async verify(token: string): Promise<VerifiedIdentity> {
    const cached = this.#cache.get(token);
    if (cached) {
      if (this.isCurrent(cached)) return cached;
      this.#cache.delete(token);
    }
    const payload = await this.#verifySignatureAndClaims(token);
    const tenantId = typeof payload['tid'] === 'string' ? payload['tid'] : undefined;
    const appId = typeof payload['appid'] === 'string' ? payload['appid'] : typeof payload['azp'] === 'string' ? payload['azp'] : undefined;
    const objectId = typeof payload['oid'] === 'string' ? payload['oid'] : appId;
    if (!tenantId || !objectId) throw errors.invalidTokenBecause(message('token.noTenantOrCaller'));
    if (typeof payload.exp !== 'number') throw errors.invalidTokenBecause(message('token.noExpiry'));
    const identity: VerifiedIdentity = { tenantId, objectId, appId, expiresAt: payload.exp * 1000 };
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(token, identity);
    return identity;
  }

  async #verifySignatureAndClaims(token: string): Promise<JWTPayload> {
    const issuer = this.#unverifiedIssuer(token);
    const keys = await this.#keysFor(issuer);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...this.#options.audiences],
        algorithms: ALGORITHMS,
        clockTolerance: this.#options.clockToleranceSeconds,
        currentDate: new Date(this.#now()),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      throw errors.invalidTokenBecause(describe(error));
    }
  }

  /** The `iss` claim, read before verification only to pick the keys to verify with. */
  #unverifiedIssuer(token: string): string {
    const parts = token.split('.');
    let issuer: unknown;
    try {
      issuer = parts.length === 3 ? (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as JWTPayload).iss : undefined;
    } catch {
      throw errors.invalidTokenBecause(message('token.notJwt'));
    }
    if (typeof issuer !== 'string') throw errors.invalidTokenBecause(message('token.noIssuer'));
    return issuer;
  }

  async #keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const known = this.#keySets.get(issuer);
    if (known) return known;
    const builtIn = this.#options.builtIn;
    let keys: JWTVerifyGetKey | undefined;
    if (issuer === builtIn.issuer(1) || issuer === builtIn.issuer(2)) {
      keys = createLocalJWKSet(builtIn.jwks());
    } else {
      const trusted = this.#options.trustedIssuers.find((candidate) => candidate.issuer === issuer);
      if (!trusted) throw errors.invalidTokenBecause(message('token.issuerNotTrusted', { issuer: issuer.slice(0, 200) }));
      keys = await this.#keysOfTrusted(trusted);
    }
    this.#keySets.set(issuer, keys);
    return keys;
  }

  async #keysOfTrusted(trusted: TrustedIssuer): Promise<JWTVerifyGetKey> {
    if (trusted.keyFile) {
      const key = await importSPKI(readFileSync(trusted.keyFile, 'utf8'), trusted.algorithm ?? 'RS256');
      return async () => key;
    }
    let jwksUri = trusted.jwksUri;
    if (!jwksUri) {
      const discovery = `${trusted.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      try {
        const response = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
        jwksUri = ((await response.json()) as { jwks_uri?: string }).jwks_uri;
      } catch {
        jwksUri = undefined;
      }
      if (!jwksUri) throw errors.unavailable(message('error.issuerKeysUndiscoverable', { issuer: trusted.issuer }));
    }
    return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  }
}

function describe(error: unknown): Message {
  if (error instanceof joseErrors.JWTExpired) return message('token.expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return message('token.notYetValid');
    if (error.claim === 'aud') return message('token.otherAudience');
    if (error.claim === 'iss') return message('token.issuerMismatch');
    return message('token.claimInvalid', { claim: error.claim });
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return message('token.signatureInvalid');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return message('token.unknownKey');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return message('token.algorithm');
  if (error instanceof joseErrors.JWKSTimeout) return message('token.keysTimeout');
  return message('token.notValidJwt');
}
