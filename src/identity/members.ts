/**
 * Members: who may act on a publisher — service principals (by tenant and object id) with a role.
 * The rules are written here once, for the members API and `cloudpartner members` alike.
 */
import { errors } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';
import type { CatalogStore, IdentityStore, Member } from '../store/store.ts';
import { type AuditContext, auditEntry, localAudit } from '../domain/audit.ts';
import { message } from '../domain/messages/index.ts';

/** What the member rules read and write: members, and whether the publisher exists. */
type MemberStore = IdentityStore & Pick<CatalogStore, 'getPublisher'>;

export interface MemberChange {
  publisherId: string;
  tenantId: string;
  objectId: string;
  role: Role;
  displayName?: string;
}

/**
 * Adds a service principal to a publisher, or changes its role and name; says which, with the
 * member as stored. `audit`: who asks (default: the command line on the server's machine).
 */
export async function setMember(
  store: MemberStore,
  change: MemberChange,
  now = new Date(),
  audit: AuditContext = localAudit(now.getTime()),
): Promise<{ added: boolean; member: Member }> {
  if (!(await store.getPublisher(change.publisherId))) throw errors.publisherNotFound(change.publisherId);
  const added = await store.putMember(
    { ...change, displayName: change.displayName ?? '', createdAt: now.toISOString() },
    { context: audit, entries: [auditEntry('member.put', { publisherId: change.publisherId, target: change.objectId })] },
  );
  const member = (await store.listMembers(change.publisherId)).find((m) => m.tenantId === change.tenantId && m.objectId === change.objectId)!;
  return { added, member };
}

/**
 * Removes one member. An object id is enough while it is a member in one tenant only; when it is
 * one in several, the tenant must be named, so that one call never removes more than it meant to.
 */
export async function removeMember(
  store: IdentityStore,
  publisherId: string,
  objectId: string,
  tenantId?: string,
  audit: AuditContext = localAudit(),
): Promise<Member> {
  const candidates = (await store.listMembers(publisherId)).filter(
    (member) => member.objectId === objectId && (tenantId === undefined || member.tenantId === tenantId),
  );
  if (candidates.length === 0) throw errors.memberNotFound(publisherId, objectId);
  if (candidates.length > 1) throw errors.invalidRequest(message('error.memberInSeveralTenants', { objectId, publisherId }));
  const [member] = candidates as [Member];
  await store.removeMember(publisherId, member.tenantId, objectId, {
    context: audit,
    entries: [auditEntry('member.remove', { publisherId, target: objectId })],
  });
  return member;
}
