/**
 * The audit trail's rows (D95): written by `recordAudit` inside the transaction of the write they
 * tell of, read newest first in pages, and pruned by age. What a record says is decided in
 * src/domain/audit.ts; this only writes and reads it.
 */
import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditEntry, AuditPrincipal, AuditRecord, AuditWrite, PrincipalKind } from '../../domain/audit.ts';
import { sql, type SqlDatabase, type SqlRunner } from '../sql/statement.ts';

const COLUMNS =
  'seq, id, time, action, principal_kind, principal_id, principal_name, request_id, publisher_id, offer_id, etag_before, etag_after, operation_id, target';

/** Newest first, below a sequence number (the continuation), at or after a time. */
const PAGE_FILTER = 'seq < ? AND time_ms >= ?';

export const auditSql = {
  insert: sql(
    'insert-audit-record',
    `INSERT INTO audit_records (id, time, time_ms, action, principal_kind, principal_id, principal_name, request_id, publisher_id, offer_id, etag_before, etag_after, operation_id, target)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  memberName: sql('audit-member-name', 'SELECT display_name FROM members WHERE tenant_id = ? AND object_id = ? ORDER BY publisher_id LIMIT 1'),
  all: sql('audit-records', `SELECT ${COLUMNS} FROM audit_records WHERE ${PAGE_FILTER} ORDER BY seq DESC LIMIT ?`),
  ofPublisher: sql('audit-records-of-publisher', `SELECT ${COLUMNS} FROM audit_records WHERE publisher_id = ? AND ${PAGE_FILTER} ORDER BY seq DESC LIMIT ?`),
  ofOffer: sql(
    'audit-records-of-offer',
    `SELECT ${COLUMNS} FROM audit_records WHERE publisher_id = ? AND offer_id = ? AND ${PAGE_FILTER} ORDER BY seq DESC LIMIT ?`,
  ),
  prune: sql('prune-audit-records', 'DELETE FROM audit_records WHERE time_ms < ?'),
};

interface AuditRow {
  seq: number | string;
  id: string;
  time: string;
  action: string;
  principal_kind: string;
  principal_id: string;
  principal_name: string | null;
  request_id: string | null;
  publisher_id: string | null;
  offer_id: string | null;
  etag_before: string | null;
  etag_after: string | null;
  operation_id: string | null;
  target: string | null;
}

/** A record read back, with its sequence number (the continuation of a page ending there). */
export type StoredAuditRecord = AuditRecord & { seq: number };

export interface AuditFilter {
  /** Undefined: every publisher's (and records about none). */
  publisherId?: string;
  offerId?: string;
  sinceMs?: number;
  /** Only records before this sequence number (the continuation). */
  beforeSeq?: number;
  limit: number;
}

/** Writes a write's records, when it has any, in the caller's transaction: the write's own. */
export async function recordAuditWrite(tx: SqlRunner, write: AuditWrite | undefined): Promise<void> {
  for (const entry of write?.entries ?? []) await recordAudit(tx, write!.context, entry);
}

/** Writes one audit record in the caller's transaction: the write's own. */
export async function recordAudit(tx: SqlRunner, context: AuditContext, entry: AuditEntry): Promise<void> {
  const principal = await named(tx, context.principal);
  await tx.run(
    auditSql.insert,
    randomUUID(),
    new Date(context.timeMs).toISOString(),
    context.timeMs,
    entry.action,
    principal.kind,
    principal.id,
    principal.displayName,
    context.requestId,
    entry.publisherId,
    entry.offerId,
    entry.etagBefore,
    entry.etagAfter,
    entry.operationId,
    entry.target,
  );
}

/** A service principal is named as a member of some publisher names it (a JWT carries no name). */
async function named(tx: SqlRunner, principal: AuditPrincipal): Promise<AuditPrincipal> {
  if (principal.kind !== 'servicePrincipal' || principal.displayName !== null) return principal;
  const [tenantId, objectId] = principal.id.split('/');
  const row = await tx.get<{ display_name: string }>(auditSql.memberName, tenantId ?? '', objectId ?? '');
  return row && row.display_name !== '' ? { ...principal, displayName: row.display_name } : principal;
}

export class SqlAuditStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** A write that has no transaction of its own to share (the sandbox's rules and clock live in memory). */
  async recordAudit(write: AuditWrite): Promise<void> {
    await this.#db.transact((tx) => recordAuditWrite(tx, write));
  }

  async listAudit(filter: AuditFilter): Promise<StoredAuditRecord[]> {
    const page = [filter.beforeSeq ?? Number.MAX_SAFE_INTEGER, filter.sinceMs ?? 0, filter.limit] as const;
    const rows =
      filter.publisherId === undefined
        ? await this.#db.all<AuditRow>(auditSql.all, ...page)
        : filter.offerId === undefined
          ? await this.#db.all<AuditRow>(auditSql.ofPublisher, filter.publisherId, ...page)
          : await this.#db.all<AuditRow>(auditSql.ofOffer, filter.publisherId, filter.offerId, ...page);
    return rows.map(toAuditRecord);
  }

  /** Deletes the records older than `beforeMs`; answers how many. */
  pruneAudit(beforeMs: number): Promise<number> {
    return this.#db.run(auditSql.prune, beforeMs);
  }
}

function toAuditRecord(row: AuditRow): StoredAuditRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    time: row.time,
    action: row.action as AuditRecord['action'],
    principal: { kind: row.principal_kind as PrincipalKind, id: row.principal_id, displayName: row.principal_name },
    requestId: row.request_id,
    publisherId: row.publisher_id,
    offerId: row.offer_id,
    etagBefore: row.etag_before,
    etagAfter: row.etag_after,
    operationId: row.operation_id,
    target: row.target,
  };
}
