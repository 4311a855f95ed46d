/**
 * Who is calling: resolves an Authorization header to a principal, from either kind of bearer
 * token — an Azure AD-style JWT (verified, then the service principal's roles come from the
 * publishers' members) or an opaque access token (its grants are its own).
 */
import { type Clock, systemClock } from '../domain/clock.ts';
import { errors } from '../domain/errors.ts';
import type { IdentityStore, Principal, ReadMark } from '../store/store.ts';
import { hashOf } from './access-tokens.ts';
import type { JwtVerifier, VerifiedIdentity } from './jwt-verifier.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Authorization headers of verified JWTs remembered at once; beyond, the memory starts over. */
const MAX_REMEMBERED = 10_000;

/**
 * Characters from the end of a JWT Authorization header that key it (its signature's last ones):
 * hashing a kilobyte-long key on every request costs more than the rest of the lookup, and the
 * whole header is compared on a hit anyway.
 */
const HEADER_KEY_LENGTH = 48;

/** A verified JWT's Authorization header, and the principal last built for it. */
interface RememberedJwt {
  header: string;
  identity: VerifiedIdentity;
  id: string;
  principal: Principal | undefined;
}

export class Authenticator {
  readonly #store: IdentityStore;
  readonly #jwt: JwtVerifier;
  readonly #clock: Clock;
  /**
   * Verified JWTs by their Authorization header (keyed by its end, matched whole): a JWT is a
   * kilobyte, and a repeated one is then one lookup — no pattern match over it, no second lookup
   * in the verifier — and, while its grants are the same (cached) map, the same principal object.
   */
  readonly #jwtHeaders = new Map<string, RememberedJwt>();

  constructor(store: IdentityStore, jwt: JwtVerifier, clock: Clock = systemClock) {
    this.#store = store;
    this.#jwt = jwt;
    this.#clock = clock;
  }

  /** 401 for a missing or malformed header or a token that is not valid. Tokens are never echoed. `mark`: the request's (store.ts). */
  async authenticate(authorization: string | undefined, mark?: ReadMark): Promise<Principal> {
    if (authorization === undefined || authorization === '') throw errors.missingToken();
    const key = authorization.slice(-HEADER_KEY_LENGTH);
    const remembered = this.#jwtHeaders.get(key);
    if (remembered?.header === authorization) {
      if (this.#jwt.isCurrent(remembered.identity)) return this.#servicePrincipal(remembered, mark);
      this.#jwtHeaders.delete(key); // verified again below: it answers why it is no longer valid
    }
    const match = BEARER.exec(authorization);
    if (!match) throw errors.malformedAuthorization();
    const token = match[1]!;
    if (JWT_SHAPE.test(token)) {
      const identity = await this.#jwt.verify(token);
      const entry: RememberedJwt = { header: authorization, identity, id: `${identity.tenantId}/${identity.objectId}`, principal: undefined };
      if (this.#jwtHeaders.size >= MAX_REMEMBERED) this.#jwtHeaders.clear();
      this.#jwtHeaders.set(key, entry);
      return this.#servicePrincipal(entry, mark);
    }
    const principal = await this.#store.findPrincipalByTokenHash(hashOf(token), mark);
    if (!principal || (principal.expiresAt !== null && principal.expiresAt <= this.#clock.now())) throw errors.invalidToken();
    return principal;
  }

  /** The JWT's service principal, with its roles as the publishers' members say now. */
  async #servicePrincipal(entry: RememberedJwt, mark: ReadMark | undefined): Promise<Principal> {
    const { identity } = entry;
    const grants = await this.#store.findMemberGrants(identity.tenantId, identity.objectId, mark);
    if (entry.principal?.grants !== grants) {
      entry.principal = { id: entry.id, grants, expiresAt: identity.expiresAt, servicePrincipal: true };
    }
    return entry.principal;
  }
}
