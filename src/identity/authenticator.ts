/**
 * Who is calling: resolves an Authorization header to a principal, from either kind of bearer
 * token — an Azure AD-style JWT (verified, then the service principal's roles come from the
 * publishers' members) or an opaque access token (its grants are its own).
 */
import { type Clock, systemClock } from '../domain/clock.ts';
import { errors } from '../domain/errors.ts';
import type { IdentityStore, Principal, ReadMark } from '../store/store.ts';
import { hashOf } from './access-tokens.ts';
import type { JwtVerifier } from './jwt-verifier.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export class Authenticator {
  readonly #store: IdentityStore;
  readonly #jwt: JwtVerifier;

  readonly #clock: Clock;

  constructor(store: IdentityStore, jwt: JwtVerifier, clock: Clock = systemClock) {
    this.#store = store;
    this.#jwt = jwt;
    this.#clock = clock;
  }

  /** 401 for a missing or malformed header or a token that is not valid. Tokens are never echoed. `mark`: the request's (store.ts). */
  async authenticate(authorization: string | undefined, mark?: ReadMark): Promise<Principal> {
    if (authorization === undefined || authorization === '') throw errors.missingToken();
    const match = BEARER.exec(authorization);
    if (!match) throw errors.malformedAuthorization();
    const token = match[1]!;
    if (JWT_SHAPE.test(token)) {
      const identity = await this.#jwt.verify(token);
      return {
        id: `${identity.tenantId}/${identity.objectId}`,
        grants: await this.#store.findMemberGrants(identity.tenantId, identity.objectId, mark),
        expiresAt: identity.expiresAt,
        servicePrincipal: true,
      };
    }
    const principal = await this.#store.findPrincipalByTokenHash(hashOf(token), mark);
    if (!principal || (principal.expiresAt !== null && principal.expiresAt <= this.#clock.now())) throw errors.invalidToken();
    return principal;
  }
}
