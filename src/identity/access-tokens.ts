/**
 * Opaque bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash, each
 * granting one role on one or more publishers.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';
import type { Store } from '../store/store.ts';

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

export interface CreateTokenRequest {
  publisherIds: readonly string[];
  role: Role;
  description?: string;
  /** Lifetime in days; none = does not expire. */
  expiresInDays?: number;
}

/** Creates a token and returns it; this is the only time the token exists outside the caller. */
export async function createAccessToken(store: Store, request: CreateTokenRequest): Promise<{ id: string; token: string; expiresAt: string | null }> {
  if (request.publisherIds.length === 0) throw new Error('a token needs at least one publisher');
  for (const publisherId of request.publisherIds) {
    if (!(await store.getPublisher(publisherId))) throw errors.publisherNotFound(publisherId);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const now = new Date();
  const expiresAt = request.expiresInDays ? new Date(now.getTime() + request.expiresInDays * 86_400_000).toISOString() : null;
  await store.createAccessToken({
    id,
    tokenHash: hashToken(token),
    description: request.description ?? '',
    grants: request.publisherIds.map((publisherId) => ({ publisherId, role: request.role })),
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { id, token, expiresAt };
}
