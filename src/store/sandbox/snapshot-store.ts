/**
 * The sandbox's reset and snapshots, once for both backends. A snapshot is the catalog's rows as
 * they are stored — ETags, versions, operations and their steps, secret values still sealed — so
 * a restore brings back byte-identical documents. Each is one transaction: a reader sees the
 * catalog before or after, never half of it.
 */
import type { AuditWrite } from '../../domain/audit.ts';
import { recordAuditWrite } from '../audit/audit-store.ts';
import type { SqlDatabase, SqlRunner, SqlValue } from '../sql/statement.ts';
import type { SnapshotSummary } from '../store.ts';
import { CATALOG_TABLES, sandboxSql } from './statements.ts';

type Rows = Record<string, Array<Record<string, SqlValue>>>;

const CHILDREN_FIRST = [...CATALOG_TABLES].reverse();

export class SqlSnapshotStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Empties the catalog: every offer with its versions, secrets and history; with `identities`, also publishers with their members, applications, webhooks and tokens (but sandbox admin tokens). */
  resetCatalog(options: { identities: boolean }, audit: AuditWrite): Promise<void> {
    return this.#db.transact(async (tx) => {
      await emptyCatalog(tx);
      await tx.run(sandboxSql.deleteNotifications);
      await recordAuditWrite(tx, audit);
      if (!options.identities) return;
      for (const statement of [
        sandboxSql.deleteGrants,
        sandboxSql.deleteTokens,
        sandboxSql.deleteMembers,
        sandboxSql.deleteApplications,
        sandboxSql.deletePublishers,
      ])
        await tx.run(statement);
    });
  }

  /** Saves the catalog under `name` (replacing a snapshot of that name); answers its size in bytes. */
  saveSnapshot(name: string, createdTime: string, audit: AuditWrite): Promise<SnapshotSummary> {
    return this.#db.transact(async (tx) => {
      const rows: Rows = { publishers: await tx.all(sandboxSql.publishers) };
      for (const { table } of CATALOG_TABLES) rows[table] = await tx.all(sandboxSql.selectAll[table]);
      const data = JSON.stringify(rows);
      const size = Buffer.byteLength(data);
      await tx.run(sandboxSql.saveSnapshot, name, createdTime, size, data);
      await recordAuditWrite(tx, audit);
      return { name, createdTime, size };
    });
  }

  /**
   * Brings the catalog back as `name` saved it; false when there is no such snapshot. Publishers
   * are restored but never removed (members and tokens refer to them). Steps in progress run again
   * from `nowMs`, leased by nobody: a step some instance was running when the restore came cannot
   * be finished by it (its lease is gone).
   */
  restoreSnapshot(name: string, nowMs: number, audit: AuditWrite): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      const found = await tx.get<{ data: string }>(sandboxSql.snapshot, name);
      if (!found) return false;
      const rows = JSON.parse(found.data) as Rows;
      await emptyCatalog(tx);
      for (const publisher of rows['publishers'] ?? []) {
        await tx.run(
          sandboxSql.restorePublisher,
          publisher['id']!,
          publisher['display_text']!,
          publisher['offer_type_categories']!,
          publisher['seller_id']!,
          publisher['version']!,
          publisher['created_at']!,
        );
      }
      for (const { table, columns } of CATALOG_TABLES) {
        for (const row of rows[table] ?? []) await tx.run(sandboxSql.insertRow[table], ...columns.map((column) => row[column] ?? null));
      }
      await tx.run(sandboxSql.rearmSteps, nowMs);
      await recordAuditWrite(tx, audit);
      return true;
    });
  }

  async listSnapshots(): Promise<SnapshotSummary[]> {
    const rows = await this.#db.all<{ name: string; created_time: string; size: number }>(sandboxSql.snapshotNames);
    return rows.map((row) => ({ name: row.name, createdTime: row.created_time, size: row.size }));
  }

  deleteSnapshot(name: string, audit: AuditWrite): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      if ((await tx.run(sandboxSql.deleteSnapshot, name)) === 0) return false;
      await recordAuditWrite(tx, audit);
      return true;
    });
  }
}

async function emptyCatalog(tx: SqlRunner): Promise<void> {
  for (const { table } of CHILDREN_FIRST) await tx.run(sandboxSql.deleteAll[table]);
}
