/**
 * SQL of webhooks and their deliveries, one text for both backends.
 *
 * Deliveries of one webhook about one offer go out in the order their changes were made: `seq`
 * counts them per (webhook, offer) — the offer's row lock serialises the transactions that add
 * them — and only the first delivery still pending of each (webhook, offer) can be claimed.
 * A claim is a lease, as for workflow steps: a server killed mid-delivery leaves it to expire,
 * and the delivery is made again (at least once).
 */
import { sql } from '../sql/statement.ts';

/** The first delivery still pending of its (webhook, offer): the only one of them that may go. */
const FIRST_OF_ITS_OFFER = `d.state = 'pending'
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.offer_key = d.offer_key AND e.state = 'pending' AND e.seq < d.seq)`;
const CLAIMABLE = `${FIRST_OF_ITS_OFFER} AND d.next_attempt_ms <= ? AND (d.lease_expires_ms IS NULL OR d.lease_expires_ms <= ?)`;

const WEBHOOK_COLUMNS = 'id, publisher_id, url, events_json, created_time';
const DELIVERY_COLUMNS =
  'id, webhook_id, offer_key, seq, event_type, state, attempts, next_attempt_ms, first_attempt_ms, delivered_ms, last_status, last_error';

export const webhookSql = {
  insertWebhook: sql('insert-webhook', 'INSERT INTO webhooks (id, publisher_id, url, events_json, sealed_secret, created_time) VALUES (?, ?, ?, ?, ?, ?)'),
  webhook: sql('webhook', `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`),
  webhooks: sql('webhooks', `SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_time, id`),
  webhooksOf: sql('webhooks-of', `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE publisher_id = ? ORDER BY created_time, id`),
  deleteDeliveries: sql('delete-deliveries', 'DELETE FROM webhook_deliveries WHERE webhook_id = ?'),
  deleteWebhook: sql('delete-webhook', 'DELETE FROM webhooks WHERE id = ?'),

  nextSeq: sql('delivery-seq', 'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM webhook_deliveries WHERE webhook_id = ? AND offer_key = ?'),
  insertDelivery: sql(
    'insert-delivery',
    `INSERT INTO webhook_deliveries (id, webhook_id, offer_key, seq, event_type, body, state, attempts, next_attempt_ms)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, 0)`,
  ),
  dueDelivery: sql(
    'due-delivery',
    `SELECT d.id, d.webhook_id, d.body, d.event_type, d.attempts, d.first_attempt_ms FROM webhook_deliveries d WHERE ${CLAIMABLE} ORDER BY d.next_attempt_ms, d.seq LIMIT 1`,
    'skip-locked',
  ),
  takeDelivery: sql(
    'take-delivery',
    `UPDATE webhook_deliveries SET lease_owner = ?, lease_expires_ms = ?, first_attempt_ms = COALESCE(first_attempt_ms, ?)
      WHERE id = ? AND state = 'pending' AND (lease_expires_ms IS NULL OR lease_expires_ms <= ?)`,
  ),
  target: sql('delivery-target', 'SELECT url, sealed_secret FROM webhooks WHERE id = ?'),
  delivered: sql(
    'delivered',
    `UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_ms = ?, last_status = ?, last_error = NULL,
            lease_owner = NULL, lease_expires_ms = NULL
      WHERE id = ? AND lease_owner = ?`,
  ),
  attemptFailed: sql(
    'attempt-failed',
    `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_ms = ?, last_status = ?, last_error = ?, lease_owner = NULL, lease_expires_ms = NULL
      WHERE id = ? AND lease_owner = ?`,
  ),
  nextDue: sql(
    'delivery-next-due',
    "SELECT MIN(CASE WHEN lease_expires_ms > next_attempt_ms THEN lease_expires_ms ELSE next_attempt_ms END) AS due FROM webhook_deliveries WHERE state = 'pending'",
  ),
  deliveries: sql('deliveries', `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY offer_key, seq DESC`),
  releaseLeases: sql('release-delivery-leases', 'UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = ?'),
};

export interface WebhookRow {
  id: string;
  publisher_id: string;
  url: string;
  events_json: string;
  created_time: string;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  offer_key: string;
  seq: number;
  event_type: string;
  state: string;
  attempts: number;
  next_attempt_ms: number;
  first_attempt_ms: number | null;
  delivered_ms: number | null;
  last_status: number | null;
  last_error: string | null;
}
