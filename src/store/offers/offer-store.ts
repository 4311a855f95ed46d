/**
 * The catalog — publishers, offers, versions and their secret values — once for both backends.
 * Each write is one transaction that loads the offer's row, lets the rules decide
 * (src/domain/drafts.ts: If-Match and create-only; the offer type never changes) and writes what
 * they decided. Reads here are uncached; a backend serves the hot ones from its own cache.
 */
import { type AuditContext, auditEntry } from '../../domain/audit.ts';
import { checkWriteCondition } from '../../domain/drafts.ts';
import { offerEvent } from '../../domain/events.ts';
import { checkOfferType } from '../../domain/publishing.ts';
import type { Publisher } from '../../domain/publishers.ts';
import { extractSecrets, type SecretValue } from '../../domain/secret-fields.ts';
import { etagFor, timestampAfter } from '../../domain/time.ts';
import { operationSlot } from '../../domain/workflow.ts';
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../../domain/offers.ts';
import { type OfferRow, type PublisherRow, toOfferHeader, toPublisher } from '../rows.ts';
import type { SecretBox } from '../secret-box.ts';
import type { SqlDatabase, SqlRunner } from '../sql/statement.ts';
import type { CurrentDraft, DraftContent, OfferSnapshot, SaveDraftResult, WriteCondition } from '../store.ts';
import { recordAudit } from '../audit/audit-store.ts';
import { enqueueEvent } from '../webhooks/webhook-store.ts';
import { workflowSql } from '../workflow/statements.ts';
import { offerSql, type SecretRow, type VersionRow } from './statements.ts';

export class SqlOfferStore {
  readonly #db: SqlDatabase;
  readonly #secrets: SecretBox;

  constructor(db: SqlDatabase, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
  }

  async getPublisher(id: string): Promise<Publisher | null> {
    const row = await this.#db.get<PublisherRow>(offerSql.publisher, id);
    return row ? toPublisher(row) : null;
  }

  async listAllPublisherIds(): Promise<string[]> {
    return (await this.#db.all<{ id: string }>(offerSql.publisherIds)).map((row) => row.id);
  }

  async getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    const row = await this.#db.get<OfferRow>(offerSql.offer, publisherId, offerId);
    return row ? toOfferHeader(row) : null;
  }

  async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    const row = await this.#db.get<VersionRow>(offerSql.version, publisherId, offerId, version);
    return row ? toVersionDocument(row) : null;
  }

  async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const type = filter.offerTypeId;
    const rows =
      type === undefined ? await this.#db.all<OfferRow>(offerSql.offers, publisherId) : await this.#db.all<OfferRow>(offerSql.offersOfType, publisherId, type);
    return rows.map(toOfferHeader);
  }

  /** Never cached: decrypted secret values do not linger in memory. */
  async getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]> {
    return this.openSecrets(await this.#db.all<SecretRow>(offerSql.secrets, publisherId, offerId, version));
  }

  async createPublisher(publisher: Publisher): Promise<boolean> {
    const changed = await this.#db.run(
      offerSql.insertPublisher,
      publisher.id,
      publisher.displayText,
      JSON.stringify(publisher.offerTypeCategories),
      publisher.sellerId,
      publisher.version,
      new Date().toISOString(),
    );
    return changed > 0;
  }

  /** Creates or replaces the draft, as WorkflowStore.saveDraft describes. */
  saveDraft(
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
    audit: AuditContext,
  ): Promise<SaveDraftResult> {
    // Two creates of one offer race on its key: the loser runs again and then finds the winner's row.
    return this.#db.transact((tx) => this.writeDraft(tx, publisherId, offerId, condition, build, audit), { retryOnDuplicateKey: true });
  }

  /**
   * saveDraft's work inside a transaction of the caller's (a configure job writes several offers
   * in one; `target`: the job's id, on its audit record).
   */
  async writeDraft(
    tx: SqlRunner,
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
    audit: AuditContext,
    target: string | null = null,
  ): Promise<SaveDraftResult> {
    const row = await tx.get<OfferRow>(offerSql.lockOffer, publisherId, offerId);
    checkWriteCondition(condition, offerId, row ?? null);
    let version: number;
    if (!row) {
      const content = build(null);
      const now = timestampAfter(null);
      version = 1;
      await tx.run(
        offerSql.insertOffer,
        publisherId,
        offerId,
        content.offerTypeId,
        'neverPublished',
        version,
        null,
        null,
        etagFor(now),
        content.displayText,
        now,
        now,
        null,
      );
      await tx.run(offerSql.insertVersion, publisherId, offerId, version, content.definitionJson, now, 0);
      await this.sealSecrets(tx, publisherId, offerId, version, content.secrets);
    } else {
      version = row.version;
      const secrets = this.openSecrets(await tx.all<SecretRow>(offerSql.secrets, publisherId, offerId, version));
      const content = build({ offer: toOfferHeader(row), secrets });
      checkOfferType(offerId, row.offer_type_id, content.offerTypeId);
      const now = timestampAfter(row.changed_time);
      await tx.run(offerSql.updateDraftVersion, content.definitionJson, now, publisherId, offerId, version);
      await tx.run(offerSql.deleteSecrets, publisherId, offerId, version);
      await this.sealSecrets(tx, publisherId, offerId, version, content.secrets);
      await tx.run(offerSql.updateDraftHeader, content.displayText, etagFor(now), now, publisherId, offerId);
    }
    const offer = toOfferHeader((await tx.get<OfferRow>(offerSql.offer, publisherId, offerId))!);
    await enqueueEvent(tx, offerEvent('offer.updated', offer));
    await recordAudit(
      tx,
      audit,
      auditEntry(row ? 'offer.update' : 'offer.create', { publisherId, offerId: offer.id, etagBefore: row?.etag ?? null, etagAfter: offer.etag, target }),
    );
    const document = toVersionDocument((await tx.get<VersionRow>(offerSql.version, publisherId, offerId, version))!);
    return { created: !row, offer, document };
  }

  /** Writes a complete offer with its versions and finished operations; fails if the offer exists. */
  async importOffer(snapshot: OfferSnapshot): Promise<void> {
    const draft = snapshot.versions.at(-1);
    if (!draft) throw new Error('an offer needs at least one version');
    const { publisherId, id: offerId } = snapshot;
    await this.#db.transact(async (tx) => {
      await tx.run(
        offerSql.insertOffer,
        publisherId,
        offerId,
        snapshot.offerTypeId,
        snapshot.status,
        draft.version,
        snapshot.previewVersion,
        snapshot.productionVersion,
        etagFor(snapshot.changedTime),
        String(draft.definition['displayText'] ?? ''),
        snapshot.changedTime,
        snapshot.createdTime,
        snapshot.notificationEmails ?? null,
      );
      for (const entry of snapshot.versions) {
        const definition = structuredClone(entry.definition);
        const secrets = extractSecrets(definition, snapshot.offerTypeId);
        await tx.run(offerSql.insertVersion, publisherId, offerId, entry.version, JSON.stringify(definition), entry.changedTime, entry === draft ? 0 : 1);
        await this.sealSecrets(tx, publisherId, offerId, entry.version, secrets);
      }
      for (const operation of snapshot.operations ?? []) {
        if (operation.status === 'running') throw new Error('only finished operations can be imported');
        await tx.run(
          workflowSql.insertOperation,
          operation.id,
          publisherId,
          offerId,
          operation.type,
          operation.status,
          operation.publishingVersion,
          operation.offerVersion,
          operationSlot(operation.type),
          operation.notificationEmails,
          null,
          null,
          operation.error,
          operation.createdTime,
          operation.changedTime,
        );
        for (const step of operation.steps) {
          await tx.run(
            workflowSql.insertStep,
            operation.id,
            step.position,
            step.stepId,
            step.status,
            step.progress,
            JSON.stringify(step.messages),
            step.startedTime,
            null,
          );
        }
      }
    });
  }

  private async sealSecrets(tx: SqlRunner, publisherId: string, offerId: string, version: number, secrets: readonly SecretValue[]): Promise<void> {
    for (const secret of secrets) {
      await tx.run(offerSql.insertSecret, publisherId, offerId, version, secret.pointer, this.#secrets.seal(JSON.stringify(secret.value)));
    }
  }

  /** Decrypted secret values: used to carry them across edits, never served. */
  private openSecrets(rows: readonly SecretRow[]): SecretValue[] {
    return rows.map((row) => ({ pointer: row.pointer, value: JSON.parse(this.#secrets.open(row.sealed_value)) }));
  }
}

export function toVersionDocument(row: VersionRow): OfferVersionDocument {
  return { version: row.version, definitionJson: row.definition_json, changedTime: row.changed_time };
}
