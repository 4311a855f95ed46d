/**
 * SQL of the sandbox's reset and snapshots: the catalog's tables, row by row, one text for both
 * backends. The catalog is publishers, offers and everything under them; identities (tokens,
 * members, applications, keys) are kept apart and only a reset with `identities` touches them.
 */
import { sql, type Statement } from '../sql/statement.ts';

/** The catalog's tables with their columns, parents first (the order rows are written back in). */
export const CATALOG_TABLES = [
  {
    table: 'offers',
    columns: [
      'publisher_id',
      'id',
      'offer_type_id',
      'status',
      'version',
      'preview_version',
      'production_version',
      'etag',
      'display_text',
      'changed_time',
      'created_time',
      'running_operation_id',
      'notification_emails',
    ],
  },
  { table: 'offer_versions', columns: ['publisher_id', 'offer_id', 'version', 'definition_json', 'changed_time', 'frozen'] },
  { table: 'offer_secrets', columns: ['publisher_id', 'offer_id', 'version', 'pointer', 'sealed_value'] },
  {
    table: 'operations',
    columns: [
      'id',
      'publisher_id',
      'offer_id',
      'type',
      'status',
      'publishing_version',
      'offer_version',
      'slot',
      'notification_emails',
      'draft_etag',
      'target_operation_id',
      'error',
      'created_time',
      'changed_time',
    ],
  },
  {
    table: 'operation_steps',
    columns: ['operation_id', 'position', 'step_id', 'status', 'progress', 'messages_json', 'started_time', 'due_ms', 'lease_owner', 'lease_expires_ms'],
  },
  {
    table: 'ingestion_jobs',
    columns: [
      'id',
      'publisher_id',
      'offer_id',
      'status',
      'result',
      'request_json',
      'errors_json',
      'detail_json',
      'job_start',
      'job_end',
      'created_ms',
      'lease_owner',
      'lease_expires_ms',
      'operation_id',
    ],
  },
] as const;

export type CatalogTable = (typeof CATALOG_TABLES)[number]['table'];

const statements = (verb: string, make: (table: (typeof CATALOG_TABLES)[number]) => string) =>
  Object.fromEntries(CATALOG_TABLES.map((entry) => [entry.table, sql(`${verb}-${entry.table}`, make(entry))])) as Record<CatalogTable, Statement>;

export const sandboxSql = {
  selectAll: statements('snapshot', ({ table, columns }) => `SELECT ${columns.join(', ')} FROM ${table}`),
  insertRow: statements('restore', ({ table, columns }) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
  deleteAll: statements('empty', ({ table }) => `DELETE FROM ${table}`),

  publishers: sql('snapshot-publishers', 'SELECT id, display_text, offer_type_categories, seller_id, version, created_at FROM publishers'),
  restorePublisher: sql(
    'restore-publisher',
    `INSERT INTO publishers (id, display_text, offer_type_categories, seller_id, version, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET display_text = excluded.display_text, offer_type_categories = excluded.offer_type_categories,
       seller_id = excluded.seller_id, version = excluded.version`,
  ),
  /** A restored step in progress runs again from now, leased by nobody: whatever ran it before the restore lets go. */
  rearmSteps: sql(
    'rearm-steps',
    "UPDATE operation_steps SET lease_owner = NULL, lease_expires_ms = NULL, due_ms = CASE WHEN status = 'inProgress' THEN ? ELSE due_ms END",
  ),

  // identities, for a reset that takes them too (sandbox admin tokens stay: the caller keeps its access)
  deleteGrants: sql('reset-grants', 'DELETE FROM token_grants'),
  deleteTokens: sql('reset-tokens', 'DELETE FROM access_tokens WHERE sandbox_admin = 0'),
  deleteMembers: sql('reset-members', 'DELETE FROM members'),
  deleteApplications: sql('reset-applications', 'DELETE FROM applications'),
  deleteNotifications: sql('reset-notifications', 'DELETE FROM notifications'),
  deleteWebhookDeliveries: sql('reset-webhook-deliveries', 'DELETE FROM webhook_deliveries'),
  deleteWebhooks: sql('reset-webhooks', 'DELETE FROM webhooks'),
  deletePublishers: sql('reset-publishers', 'DELETE FROM publishers'),

  snapshotNames: sql('snapshot-names', 'SELECT name, created_time, size FROM sandbox_snapshots ORDER BY name'),
  snapshot: sql('snapshot', 'SELECT data FROM sandbox_snapshots WHERE name = ?'),
  saveSnapshot: sql(
    'save-snapshot',
    `INSERT INTO sandbox_snapshots (name, created_time, size, data) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET created_time = excluded.created_time, size = excluded.size, data = excluded.data`,
  ),
  deleteSnapshot: sql('delete-snapshot', 'DELETE FROM sandbox_snapshots WHERE name = ?'),
};
