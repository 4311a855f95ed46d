/**
 * Identity — the token service's settings and signing keys, applications, members, access
 * tokens — once for both backends. The rules about them (who may add a member, how a token is
 * made and checked) live in src/identity/; this loads and writes their rows.
 */
import type { AuditWrite } from '../../domain/audit.ts';
import type { Role } from '../../domain/roles.ts';
import { recordAuditWrite } from '../audit/audit-store.ts';
import {
  type ApplicationMemberRow,
  type ApplicationRow,
  type MemberRow,
  type SigningKeyRow,
  foldTokens,
  toApplication,
  toApplicationMember,
  toMember,
  toSigningKey,
} from '../rows.ts';
import type { SecretBox } from '../secret-box.ts';
import type { SqlDatabase } from '../sql/statement.ts';
import type { Application, ApplicationMember, Member, NewAccessToken, Principal, SigningKey } from '../store.ts';
import { identitySql, type PrincipalRow } from './statements.ts';

export class SqlIdentityStore {
  readonly #db: SqlDatabase;
  readonly #secrets: SecretBox;

  constructor(db: SqlDatabase, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
  }

  async ensureSetting(key: string, initial: () => string): Promise<string> {
    const existing = await this.#db.get<{ value: string }>(identitySql.setting, key);
    if (existing) return existing.value;
    await this.#db.run(identitySql.insertSetting, key, initial());
    return (await this.#db.get<{ value: string }>(identitySql.setting, key))!.value; // ours, or another instance's that came first
  }

  async ensureSigningKeys(create: () => Promise<SigningKey>): Promise<SigningKey[]> {
    const read = async () => (await this.#db.all<SigningKeyRow>(identitySql.signingKeys)).map((row) => toSigningKey(row, this.#secrets));
    const keys = await read();
    if (keys.length > 0) return keys;
    const key = await create();
    await this.#db.transact(async (tx) => {
      await tx.run(identitySql.lockSigningKeys);
      const counted = await tx.get<{ n: number }>(identitySql.countSigningKeys);
      if (Number(counted?.n ?? 0) > 0) return; // another instance made the first key meanwhile
      await tx.run(identitySql.insertSigningKey, key.kid, key.algorithm, key.publicJwk, this.#secrets.seal(key.privateJwk), key.createdAt);
    });
    return read();
  }

  async createApplication(application: Application): Promise<void> {
    const { clientId, tenantId, objectId, displayName, secretHash, createdAt } = application;
    await this.#db.run(identitySql.insertApplication, clientId, tenantId, objectId, displayName, secretHash, createdAt);
  }

  async findApplication(clientId: string): Promise<Application | null> {
    const row = await this.#db.get<ApplicationRow>(identitySql.application, clientId);
    return row ? toApplication(row) : null;
  }

  async listApplications(publisherId: string): Promise<ApplicationMember[]> {
    return (await this.#db.all<ApplicationMemberRow>(identitySql.publisherApplications, publisherId)).map(toApplicationMember);
  }

  removeApplication(publisherId: string, clientId: string, audit?: AuditWrite): Promise<{ deleted: boolean } | null> {
    return this.#db.transact(async (tx) => {
      const application = await tx.get<{ tenant_id: string; object_id: string }>(identitySql.applicationToRemove, clientId);
      if (!application) return null;
      const removed = await tx.run(identitySql.deleteMember, publisherId, application.tenant_id, application.object_id);
      if (removed === 0) return null;
      await recordAuditWrite(tx, audit);
      const left = await tx.get<{ n: number | string }>(identitySql.countMemberships, application.tenant_id, application.object_id);
      if (Number(left?.n ?? 0) > 0) return { deleted: false };
      await tx.run(identitySql.deleteApplication, clientId);
      return { deleted: true };
    });
  }

  async listMembers(publisherId: string): Promise<Member[]> {
    return (await this.#db.all<MemberRow>(identitySql.members, publisherId)).map(toMember);
  }

  /** Adds or changes a member; true when it was added. */
  putMember(member: Member, audit?: AuditWrite): Promise<boolean> {
    const { publisherId, tenantId, objectId, role, displayName } = member;
    return this.#db.transact(async (tx) => {
      const added = await tx.get(identitySql.addMember, publisherId, tenantId, objectId, role, displayName, member.createdAt);
      if (!added) await tx.run(identitySql.updateMember, role, displayName, publisherId, tenantId, objectId);
      await recordAuditWrite(tx, audit);
      return added !== undefined;
    });
  }

  removeMember(publisherId: string, tenantId: string, objectId: string, audit?: AuditWrite): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      if ((await tx.run(identitySql.deleteMember, publisherId, tenantId, objectId)) === 0) return false;
      await recordAuditWrite(tx, audit);
      return true;
    });
  }

  async findMemberGrants(tenantId: string, objectId: string): Promise<ReadonlyMap<string, Role>> {
    const rows = await this.#db.all<{ publisher_id: string; role: string }>(identitySql.memberGrants, tenantId, objectId);
    return new Map(rows.map((row) => [row.publisher_id, row.role as Role]));
  }

  async createAccessToken(token: NewAccessToken, audit?: AuditWrite): Promise<void> {
    await this.#db.transact(async (tx) => {
      await tx.run(identitySql.insertToken, token.id, token.tokenHash, token.description, token.createdAt, token.expiresAt, token.sandboxAdmin ? 1 : 0);
      for (const grant of token.grants) await tx.run(identitySql.insertGrant, token.id, grant.publisherId, grant.role);
      await recordAuditWrite(tx, audit);
    });
  }

  async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    return toPrincipal(await this.#db.all<PrincipalRow>(identitySql.principal, tokenHash));
  }

  async listAccessTokens(): Promise<NewAccessToken[]> {
    return foldTokens(await this.#db.all(identitySql.tokens));
  }
}

/** The token's rows (one per grant) as a principal; null when there are none (unknown or revoked). */
export function toPrincipal(rows: readonly PrincipalRow[]): Principal | null {
  const first = rows[0];
  if (!first) return null;
  const grants = new Map<string, Role>();
  for (const row of rows) if (row.publisher_id && row.role) grants.set(row.publisher_id, row.role as Role);
  return {
    id: first.id,
    displayName: first.description === '' ? null : first.description,
    grants,
    expiresAt: first.expires_at ? Date.parse(first.expires_at) : null,
    ...(first.sandbox_admin === 1 ? { sandboxAdmin: true } : {}),
  };
}
