/**
 * Applications registered with the built-in token service. The client secret is shown once and
 * stored as a scrypt hash; registering an application makes its service principal a member of
 * the publishers named, with the role given. The rules are written here once, for the
 * applications API and `cloudpartner app create` alike.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { errors } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';
import type { Application, IdentityStore, Store } from '../store/store.ts';
import type { TokenService } from './token-service.ts';
import { type AuditContext, auditEntry, localAudit } from '../domain/audit.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32);
  return `scrypt:${salt.toString('base64')}:${hash.toString('base64')}`;
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export interface RegisteredApplication {
  clientId: string;
  /** Shown once; only its hash is stored. */
  clientSecret: string;
  tenantId: string;
  objectId: string;
  displayName: string;
  createdAt: string;
}

export async function registerApplication(
  store: Store,
  tokens: TokenService,
  request: { publisherIds: readonly string[]; role: Role; displayName?: string },
  audit: AuditContext = localAudit(),
): Promise<RegisteredApplication> {
  for (const publisherId of request.publisherIds) {
    if (!(await store.getPublisher(publisherId))) throw errors.publisherNotFound(publisherId);
  }
  const clientSecret = randomBytes(30).toString('base64url');
  const application: Application = {
    clientId: randomUUID(),
    tenantId: tokens.tenantId,
    objectId: randomUUID(),
    displayName: request.displayName ?? 'cloudpartner application',
    secretHash: await hashSecret(clientSecret),
    createdAt: new Date().toISOString(),
  };
  await store.createApplication(application);
  for (const publisherId of request.publisherIds) {
    // Its membership is what makes the application act: its creation is recorded with it.
    await store.putMember(
      {
        publisherId,
        tenantId: application.tenantId,
        objectId: application.objectId,
        role: request.role,
        displayName: application.displayName,
        createdAt: application.createdAt,
      },
      { context: audit, entries: [auditEntry('application.create', { publisherId, target: application.clientId })] },
    );
  }
  return {
    clientId: application.clientId,
    clientSecret,
    tenantId: application.tenantId,
    objectId: application.objectId,
    displayName: application.displayName,
    createdAt: application.createdAt,
  };
}

/**
 * Ends an application's membership of one publisher; the application itself is deleted (its
 * secret stops working) when that leaves it a member of no publisher. Says which.
 */
export async function removeApplication(
  store: IdentityStore,
  publisherId: string,
  clientId: string,
  audit: AuditContext = localAudit(),
): Promise<{ deleted: boolean }> {
  const removed = await store.removeApplication(publisherId, clientId, {
    context: audit,
    entries: [auditEntry('application.remove', { publisherId, target: clientId })],
  });
  if (!removed) throw errors.applicationNotFound(publisherId, clientId);
  return removed;
}
