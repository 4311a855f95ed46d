/** SQL of publishers, offers, their versions and sealed secret values: one text for both backends. */
import { sql } from '../sql/statement.ts';
import { OFFER_COLUMNS } from '../rows.ts';

const PUBLISHER_COLUMNS = 'id, display_text, offer_type_categories, seller_id, version';
const VERSION_KEY = 'publisher_id = ? AND offer_id = ? AND version = ?';

export const offerSql = {
  publisher: sql('publisher', `SELECT ${PUBLISHER_COLUMNS} FROM publishers WHERE id = ?`),
  publisherIds: sql('publisher-ids', 'SELECT id FROM publishers ORDER BY id'),
  insertPublisher: sql(
    'insert-publisher',
    `INSERT INTO publishers (id, display_text, offer_type_categories, seller_id, version, created_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  ),

  offer: sql('offer', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND id = ?`),
  /** The offer row every write decides from; PostgreSQL locks it until the transaction ends. */
  lockOffer: sql('lock-offer', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND id = ?`, 'lock'),
  offers: sql('offers', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? ORDER BY id`),
  offersOfType: sql('offers-of-type', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND offer_type_id = ? ORDER BY id`),
  insertOffer: sql(
    'insert-offer',
    `INSERT INTO offers (publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text,
                         changed_time, created_time, running_operation_id, notification_emails)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  ),
  updateDraftHeader: sql('update-draft-header', 'UPDATE offers SET display_text = ?, etag = ?, changed_time = ? WHERE publisher_id = ? AND id = ?'),

  version: sql('offer-version', `SELECT version, definition_json, changed_time, frozen FROM offer_versions WHERE ${VERSION_KEY}`),
  insertVersion: sql(
    'insert-version',
    'INSERT INTO offer_versions (publisher_id, offer_id, version, definition_json, changed_time, frozen) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  /** Only the draft (frozen = 0) can change: a published version is immutable. */
  updateDraftVersion: sql('update-draft-version', `UPDATE offer_versions SET definition_json = ?, changed_time = ? WHERE ${VERSION_KEY} AND frozen = 0`),
  freezeVersion: sql('freeze-version', `UPDATE offer_versions SET frozen = 1 WHERE ${VERSION_KEY}`),

  secrets: sql('version-secrets', `SELECT pointer, sealed_value FROM offer_secrets WHERE ${VERSION_KEY} ORDER BY pointer`),
  insertSecret: sql('insert-secret', 'INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value) VALUES (?, ?, ?, ?, ?)'),
  deleteSecrets: sql('delete-secrets', `DELETE FROM offer_secrets WHERE ${VERSION_KEY}`),
  /** The draft that continues after a publish keeps the frozen version's secret values. */
  copySecrets: sql(
    'copy-secrets',
    `INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value)
     SELECT publisher_id, offer_id, ?, pointer, sealed_value FROM offer_secrets WHERE ${VERSION_KEY}`,
  ),
};

export interface VersionRow {
  version: number;
  definition_json: string;
  changed_time: string;
  frozen: number;
}

export interface SecretRow {
  pointer: string;
  sealed_value: string;
}
