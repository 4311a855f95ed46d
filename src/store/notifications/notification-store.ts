/**
 * The notifications outbox: the e-mails the hosted service would have sent, kept instead of sent,
 * written in the transaction of the operation event they tell of. The newest 10,000 are kept.
 */
import { randomUUID } from 'node:crypto';
import type { Notification } from '../../domain/notifications.ts';
import { sql, type SqlDatabase, type SqlRunner } from '../sql/statement.ts';
import type { OutboxMessage } from '../store.ts';

export const OUTBOX_SIZE = 10_000;

const COLUMNS = 'id, seq, publisher_id, offer_id, operation_id, recipients, subject, body, created_time';

const notificationSql = {
  nextSeq: sql('notification-seq', 'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM notifications'),
  insert: sql(
    'insert-notification',
    'INSERT INTO notifications (id, seq, publisher_id, offer_id, operation_id, recipients, subject, body, created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  prune: sql('prune-notifications', 'DELETE FROM notifications WHERE seq <= ?'),
  newest: sql('notifications', `SELECT ${COLUMNS} FROM notifications ORDER BY seq DESC LIMIT ?`),
  newestOfOffer: sql('notifications-of-offer', `SELECT ${COLUMNS} FROM notifications WHERE offer_id = ? ORDER BY seq DESC LIMIT ?`),
};

interface NotificationRow {
  id: string;
  seq: number;
  publisher_id: string;
  offer_id: string;
  operation_id: string;
  recipients: string;
  subject: string;
  body: string;
  created_time: string;
}

/** Keeps `notification` in the outbox, in the transaction of the event it tells of. */
export async function enqueueNotification(
  tx: SqlRunner,
  notification: Notification,
  about: { publisherId: string; offerId: string; operationId: string; time: string },
): Promise<void> {
  const seq = Number((await tx.get<{ seq: number }>(notificationSql.nextSeq))?.seq ?? 1);
  await tx.run(
    notificationSql.insert,
    randomUUID(),
    seq,
    about.publisherId,
    about.offerId,
    about.operationId,
    notification.recipients.join(','),
    notification.subject,
    notification.text,
    about.time,
  );
  if (seq > OUTBOX_SIZE) await tx.run(notificationSql.prune, seq - OUTBOX_SIZE);
}

export class SqlNotificationStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Newest first; `to` keeps the messages one of whose recipients is that address (any case). */
  async listOutbox(filter: { offerId?: string; to?: string; limit: number }): Promise<OutboxMessage[]> {
    // Filtering by recipient happens here: the list is short, and addresses are compared whole.
    const scan = filter.to === undefined ? filter.limit : OUTBOX_SIZE;
    const rows =
      filter.offerId === undefined
        ? await this.#db.all<NotificationRow>(notificationSql.newest, scan)
        : await this.#db.all<NotificationRow>(notificationSql.newestOfOffer, filter.offerId.toLowerCase(), scan);
    const to = filter.to?.toLowerCase();
    return rows
      .map((row) => ({
        id: row.id,
        time: row.created_time,
        to: row.recipients.split(','),
        subject: row.subject,
        text: row.body,
        publisherId: row.publisher_id,
        offerId: row.offer_id,
        operationId: row.operation_id,
      }))
      .filter((message) => to === undefined || message.to.some((address) => address.toLowerCase() === to))
      .slice(0, filter.limit);
  }
}
