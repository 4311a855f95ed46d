/**
 * Opaque bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash, each
 * granting one role on one or more publishers.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';
import type { Store } from '../store/store.ts';
import { type AuditContext, auditEntry, localAudit } from '../domain/audit.ts';

/** Recognisable prefix, so leaked tokens can be found by secret scanners. */
export const TOKEN_PREFIX = 'cpat_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Hashes of recently seen tokens: hashing costs more than the rest of authentication, and a
 * client sends the same token on every call. Bounded; a flood of distinct tokens only resets it.
 */
const recentHashes = new Map<string, string>();
const MAX_RECENT_HASHES = 10_000;

export function hashOf(token: string): string {
  let hash = recentHashes.get(token);
  if (hash === undefined) {
    hash = hashToken(token);
    if (recentHashes.size >= MAX_RECENT_HASHES) recentHashes.clear();
    recentHashes.set(token, hash);
  }
  return hash;
}

interface TokenLifetime {
  description?: string;
  /** Lifetime in days; none = does not expire. */
  expiresInDays?: number;
}

/** A token granting `role` on publishers, or the sandbox admin token: the sandbox controls, and no publisher. */
export type CreateTokenRequest = TokenLifetime & ({ publisherIds: readonly string[]; role: Role } | { sandboxAdmin: true });

/** Creates a token and returns it; this is the only time the token exists outside the caller. */
export async function createAccessToken(
  store: Store,
  request: CreateTokenRequest,
  audit: AuditContext = localAudit(),
): Promise<{ id: string; token: string; expiresAt: string | null }> {
  const grants = 'sandboxAdmin' in request ? [] : request.publisherIds.map((publisherId) => ({ publisherId, role: request.role }));
  if (!('sandboxAdmin' in request) && grants.length === 0) throw new Error('a token needs at least one publisher');
  for (const { publisherId } of grants) {
    if (!(await store.getPublisher(publisherId))) throw errors.publisherNotFound(publisherId);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const now = new Date();
  const expiresAt = request.expiresInDays ? new Date(now.getTime() + request.expiresInDays * 86_400_000).toISOString() : null;
  // One record per publisher the token acts on (its Owners read it); a sandbox admin token's names none.
  const entries =
    grants.length > 0 ? grants.map(({ publisherId }) => auditEntry('token.create', { publisherId, target: id })) : [auditEntry('token.create', { target: id })];
  await store.createAccessToken(
    {
      id,
      tokenHash: hashToken(token),
      description: request.description ?? '',
      grants,
      createdAt: now.toISOString(),
      expiresAt,
      ...('sandboxAdmin' in request ? { sandboxAdmin: true } : {}),
    },
    { context: audit, entries },
  );
  return { id, token, expiresAt };
}
