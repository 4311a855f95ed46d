/**
 * Webhooks and their deliveries, once for both backends. `enqueueEvent` runs inside the
 * transaction of the change it tells of — the durable outbox: an event is recorded if and only if
 * its change commits, and survives a restart. The dispatcher (src/webhooks/dispatcher.ts) claims
 * deliveries in order per offer and records how each attempt went.
 */
import { randomUUID } from 'node:crypto';
import type { AuditWrite } from '../../domain/audit.ts';
import type { CatalogEvent, EventType } from '../../domain/events.ts';
import { recordAuditWrite } from '../audit/audit-store.ts';
import type { SecretBox } from '../secret-box.ts';
import type { SqlDatabase, SqlRunner } from '../sql/statement.ts';
import type { ClaimedDelivery, DeliveryAttempt, DeliveryRecord, Webhook } from '../store.ts';
import { type DeliveryRow, type WebhookRow, webhookSql } from './statements.ts';

function toWebhook(row: WebhookRow): Webhook {
  return { id: row.id, publisherId: row.publisher_id, url: row.url, events: JSON.parse(row.events_json) as EventType[], createdTime: row.created_time };
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    event: row.event_type as EventType,
    offerId: row.offer_key.slice(row.offer_key.indexOf('/') + 1),
    sequence: row.seq,
    state: row.state as DeliveryRecord['state'],
    attempts: row.attempts,
    firstAttemptTime: iso(row.first_attempt_ms),
    deliveredTime: iso(row.delivered_ms),
    nextAttemptTime: row.state === 'pending' ? iso(row.next_attempt_ms) : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
  };
}

/** Records `event` for every webhook of its publisher that asked for it, in the transaction that made it happen. */
export async function enqueueEvent(tx: SqlRunner, event: CatalogEvent): Promise<void> {
  const offerKey = `${event.publisherId}/${event.offerId}`;
  for (const row of await tx.all<WebhookRow>(webhookSql.webhooksOf, event.publisherId)) {
    if (!(JSON.parse(row.events_json) as string[]).includes(event.type)) continue;
    const next = await tx.get<{ seq: number }>(webhookSql.nextSeq, row.id, offerKey);
    await tx.run(webhookSql.insertDelivery, randomUUID(), row.id, offerKey, Number(next?.seq ?? 1), event.type, JSON.stringify(event));
  }
}

export class SqlWebhookStore {
  readonly #db: SqlDatabase;
  readonly #secrets: SecretBox;

  constructor(db: SqlDatabase, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
  }

  async createWebhook(webhook: Webhook, secret: string, audit: AuditWrite): Promise<void> {
    const { id, publisherId, url, events, createdTime } = webhook;
    await this.#db.transact(async (tx) => {
      await tx.run(webhookSql.insertWebhook, id, publisherId, url, JSON.stringify(events), this.#secrets.seal(secret), createdTime);
      await recordAuditWrite(tx, audit);
    });
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    const row = await this.#db.get<WebhookRow>(webhookSql.webhook, id);
    return row ? toWebhook(row) : null;
  }

  /** Every webhook, or those of one publisher. */
  async listWebhooks(publisherId?: string): Promise<Webhook[]> {
    const rows =
      publisherId === undefined ? await this.#db.all<WebhookRow>(webhookSql.webhooks) : await this.#db.all<WebhookRow>(webhookSql.webhooksOf, publisherId);
    return rows.map(toWebhook);
  }

  /** Removes a webhook with its deliveries (those not made are dropped). */
  deleteWebhook(id: string, audit: AuditWrite): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      await tx.run(webhookSql.deleteDeliveries, id);
      if ((await tx.run(webhookSql.deleteWebhook, id)) === 0) return false;
      await recordAuditWrite(tx, audit);
      return true;
    });
  }

  async listDeliveries(webhookId: string): Promise<DeliveryRecord[]> {
    return (await this.#db.all<DeliveryRow>(webhookSql.deliveries, webhookId)).map(toDelivery);
  }

  /** Takes the lease on the delivery due first that may go now (the first pending of its offer). */
  claimDelivery(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedDelivery | null> {
    return this.#db.transact(async (tx) => {
      const due = await tx.get<{ id: string; webhook_id: string; body: string; event_type: string; attempts: number; first_attempt_ms: number | null }>(
        webhookSql.dueDelivery,
        nowMs,
        nowMs,
      );
      if (!due) return null;
      if ((await tx.run(webhookSql.takeDelivery, owner, nowMs + leaseMs, nowMs, due.id, nowMs)) === 0) return null;
      const target = await tx.get<{ url: string; sealed_secret: string }>(webhookSql.target, due.webhook_id);
      if (!target) return null;
      return {
        id: due.id,
        webhookId: due.webhook_id,
        event: due.event_type as EventType,
        body: due.body,
        url: target.url,
        secret: this.#secrets.open(target.sealed_secret),
        attempts: due.attempts,
        firstAttemptMs: Number(due.first_attempt_ms ?? nowMs),
        owner,
      };
    });
  }

  /** Records an attempt; false when the lease was lost meanwhile (another instance made it). */
  async finishDelivery(claim: ClaimedDelivery, attempt: DeliveryAttempt): Promise<boolean> {
    const changed =
      attempt.kind === 'delivered'
        ? await this.#db.run(webhookSql.delivered, attempt.atMs, attempt.status, claim.id, claim.owner)
        : await this.#db.run(
            webhookSql.attemptFailed,
            attempt.giveUp ? 'failed' : 'pending',
            attempt.nextAttemptMs,
            attempt.status ?? null,
            attempt.error,
            claim.id,
            claim.owner,
          );
    return changed > 0;
  }

  async nextDeliveryDueMs(): Promise<number | null> {
    const row = await this.#db.get<{ due: number | null }>(webhookSql.nextDue);
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  async releaseDeliveryLeases(owner: string): Promise<void> {
    await this.#db.run(webhookSql.releaseLeases, owner);
  }
}
