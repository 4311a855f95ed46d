/**
 * The scale-out backend: PostgreSQL, shared by any number of stateless API instances.
 *
 * Documents are `text` columns holding the exact JSON that is served (jsonb would be slower on
 * the read path and would change the bytes). An instance caches only what cannot go stale —
 * published (frozen) versions, which never change — and revalidates a cached offer list with a
 * one-row fingerprint of the offers' ETags on every request; everything else is read from the
 * database each time, so no instance serves a document another instance has since changed.
 *
 * Every write is one transaction that first locks the offer's row (`SELECT … FOR UPDATE`), so
 * the If-Match compare-and-set and the one-running-operation rule hold across instances, and
 * locks are always taken offer first, steps second (no deadlock between a cancel and a step
 * finishing). Workflow steps are claimed with `FOR UPDATE SKIP LOCKED` and a lease: an instance
 * killed mid-step has its step taken over by another once the lease expires.
 */
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { errors } from '../../domain/errors.ts';
import { checkWriteCondition } from '../../domain/drafts.ts';
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../../domain/offers.ts';
import type { OperationRecord } from '../../domain/operations.ts';
import type { Publisher } from '../../domain/publishers.ts';
import type { Role } from '../../domain/roles.ts';
import { extractSecrets, type SecretValue } from '../../domain/secret-fields.ts';
import { etagFor, formatTicks, timestampAfter } from '../../domain/time.ts';
import { type OfferState, type RunningOperation, checkOfferType, decideCancel, decideGoLive, decidePublish, decideStepEnd } from '../../domain/publishing.ts';
import { type OperationType, operationSlot, stepsOf } from '../../domain/workflow.ts';
import { migrationProvider } from '../migrations/index.ts';
import {
  OFFER_COLUMNS,
  OPERATION_COLUMNS,
  type OfferRow,
  type OperationRow,
  type PublisherRow,
  type StepRow,
  foldTokens,
  toOfferHeader,
  toOperation,
  toPublisher,
  type MemberRow,
  type ApplicationRow,
  type SigningKeyRow,
  toMember,
  toApplication,
  toSigningKey,
} from '../rows.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import type {
  CancelResult,
  Application,
  ClaimedStep,
  CurrentDraft,
  Member,
  SigningKey,
  DraftContent,
  NewAccessToken,
  OfferSnapshot,
  Principal,
  SaveDraftResult,
  StartOperationOptions,
  StepOutcome,
  Store,
  WriteCondition,
} from '../store.ts';

export interface PostgresStoreOptions {
  url: string;
  secrets: SecretBox;
  /** Connections per instance. */
  poolSize?: number;
  /** Longest a statement may run, ms. */
  statementTimeoutMs?: number;
}

/** bigint (epoch ms) as numbers; every value we store fits a double exactly. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

type Query = <R extends pg.QueryResultRow>(name: string, text: string, values?: unknown[]) => Promise<R[]>;

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATE 22021: text `text` columns cannot hold (U+0000). Our own statements are ASCII, so it
 * can only have come from a request: a client mistake (400), not a fault of ours. Offer documents
 * are checked before they get here (domain/text.ts); this covers every other text.
 */
function clientTextError(error: unknown): unknown {
  if ((error as { code?: string }).code !== '22021') return error;
  return errors.invalidRequest('The request carries text with the character U+0000 (NUL), which cannot be stored.');
}

const MAX_CACHED = 20_000;

/** Adds to a bounded cache: when full, it starts over (simple, and a flood cannot grow it). */
function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** Frozen (published) versions: immutable, so they can be kept. */
  readonly #frozenVersions = new Map<string, OfferVersionDocument>();
  /** Offer lists with the fingerprint they were read at. */
  readonly #lists = new Map<string, { fingerprint: string; offers: OfferHeader[] }>();
  readonly #pool: pg.Pool;
  readonly #db: Kysely<Database>;
  readonly #secrets: SecretBox;

  constructor(options: PostgresStoreOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 5000,
      types,
    });
    // A broken idle connection must not take the process down; the pool replaces it.
    this.#pool.on('error', () => {});
    this.#db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.#pool }) });
    this.#secrets = options.secrets;
  }

  async migrate(): Promise<void> {
    // Kysely takes a PostgreSQL advisory lock: instances starting together migrate once.
    const { error } = await new Migrator({ db: this.#db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.#db.destroy(); // ends the pool
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** One statement outside a transaction, as a named (server-side prepared) statement. */
  private async query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ name, text, values })).rows;
    } catch (error) {
      throw clientTextError(error);
    }
  }

  /** Runs `work` in one transaction; retried on deadlock or serialization failure. */
  private async transact<T>(work: (query: Query) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        const query: Query = async (name, text, values = []) => (await client.query({ name, text, values })).rows;
        const result = await work(query);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        if (attempt < 4 && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
        throw clientTextError(error);
      } finally {
        client.release();
      }
    }
  }

  private seal(secret: SecretValue): string {
    return this.#secrets.seal(JSON.stringify(secret.value));
  }

  private async insertSecrets(query: Query, publisherId: string, offerId: string, version: number, secrets: readonly SecretValue[]) {
    for (const secret of secrets) {
      await query('insert-secret', 'INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value) VALUES ($1, $2, $3, $4, $5)', [
        publisherId,
        offerId,
        version,
        secret.pointer,
        this.seal(secret),
      ]);
    }
  }

  private async lockOffer(query: Query, publisherId: string, offerId: string): Promise<OfferRow | undefined> {
    const rows = await query<OfferRow>('lock-offer', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = $1 AND id = $2 FOR UPDATE`, [
      publisherId,
      offerId,
    ]);
    return rows[0];
  }

  private async operationRecord(query: Query, id: string): Promise<OperationRecord> {
    const [row] = await query<OperationRow>(
      'operation-by-id',
      `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id WHERE o.id = $1`,
      [id],
    );
    if (!row) throw new Error(`operation ${id} vanished`);
    const steps = await query<StepRow>('steps-of', 'SELECT * FROM operation_steps WHERE operation_id = $1 ORDER BY position', [id]);
    return toOperation(row, steps);
  }

  private async insertOperation(
    query: Query,
    fields: { id: string; publisherId: string; offerId: string; type: OperationType; publishingVersion: number; offerVersion: number },
    extra: {
      notificationEmails: string | null;
      draftEtag: string | null;
      targetOperationId: string | null;
      now: string;
      firstStep: { startedMs: number; dueMs: number };
    },
  ): Promise<void> {
    await query(
      'insert-operation',
      `INSERT INTO operations (id, publisher_id, offer_id, type, status, publishing_version, offer_version, slot, notification_emails, draft_etag,
                               target_operation_id, error, created_time, changed_time)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, NULL, $11, $11)`,
      [
        fields.id,
        fields.publisherId,
        fields.offerId,
        fields.type,
        fields.publishingVersion,
        fields.offerVersion,
        operationSlot(fields.type),
        extra.notificationEmails,
        extra.draftEtag,
        extra.targetOperationId,
        extra.now,
      ],
    );
    const steps = stepsOf(fields.type);
    for (const [position, step] of steps.entries()) {
      const first = position === 0;
      await query(
        'insert-step',
        `INSERT INTO operation_steps (operation_id, position, step_id, status, progress, messages_json, started_time, due_ms, lease_owner, lease_expires_ms)
         VALUES ($1, $2, $3, $4, 0, '[]', $5, $6, NULL, NULL)`,
        [
          fields.id,
          position,
          step.id,
          first ? 'inProgress' : 'notStarted',
          first ? formatTicks(BigInt(extra.firstStep.startedMs) * 10_000n) : null,
          first ? extra.firstStep.dueMs : null,
        ],
      );
    }
  }

  private async startOperationOnOffer(
    query: Query,
    values: { operationId: string; version: number; now: string; notificationEmails: string | null; publisherId: string; offerId: string },
  ): Promise<void> {
    await query(
      'start-operation-on-offer',
      `UPDATE offers SET status = 'running', running_operation_id = $1, version = $2, etag = $3, changed_time = $4, notification_emails = $5
        WHERE publisher_id = $6 AND id = $7 AND running_operation_id IS NULL`,
      [values.operationId, values.version, etagFor(values.now), values.now, values.notificationEmails, values.publisherId, values.offerId],
    );
  }

  // ---- publishers -------------------------------------------------------------------------

  async createPublisher(publisher: Publisher): Promise<boolean> {
    const rows = await this.query(
      'insert-publisher',
      `INSERT INTO publishers (id, display_text, offer_type_categories, seller_id, version, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [publisher.id, publisher.displayText, JSON.stringify(publisher.offerTypeCategories), publisher.sellerId, publisher.version, new Date().toISOString()],
    );
    return rows.length > 0;
  }

  async getPublisher(id: string): Promise<Publisher | null> {
    const [row] = await this.query<PublisherRow>(
      'publisher',
      'SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = $1',
      [id],
    );
    return row ? toPublisher(row) : null;
  }

  async listAllPublisherIds(): Promise<string[]> {
    return (await this.query<{ id: string }>('publisher-ids', 'SELECT id FROM publishers ORDER BY id')).map((row) => row.id);
  }

  async listAccessTokens(): Promise<NewAccessToken[]> {
    return foldTokens(
      await this.query<Parameters<typeof foldTokens>[0][number]>(
        'tokens',
        `SELECT t.id, t.token_hash, t.description, t.created_at, t.expires_at, g.publisher_id, g.role
           FROM access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id WHERE t.revoked_at IS NULL ORDER BY t.id, g.publisher_id`,
      ),
    );
  }

  async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<PublisherRow>(
      'publishers',
      'SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = ANY($1) ORDER BY id',
      [[...ids]],
    );
    return rows.map(toPublisher);
  }

  // ---- offers -----------------------------------------------------------------------------

  async getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    const [row] = await this.query<OfferRow>('offer', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = $1 AND id = $2`, [publisherId, offerId]);
    return row ? toOfferHeader(row) : null;
  }

  async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    const key = `${publisherId}/${offerId}/${version}`;
    const frozen = this.#frozenVersions.get(key);
    if (frozen) return frozen;
    const [row] = await this.query<{ version: number; definition_json: string; changed_time: string; frozen: number }>(
      'offer-version',
      'SELECT version, definition_json, changed_time, frozen FROM offer_versions WHERE publisher_id = $1 AND offer_id = $2 AND version = $3',
      [publisherId, offerId, version],
    );
    if (!row) return null;
    const document = { version: row.version, definitionJson: row.definition_json, changedTime: row.changed_time };
    return row.frozen === 1 ? remember(this.#frozenVersions, key, document) : document;
  }

  async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const type = filter.offerTypeId;
    const where = type === undefined ? 'publisher_id = $1' : 'publisher_id = $1 AND offer_type_id = $2';
    const values = type === undefined ? [publisherId] : [publisherId, type];
    // Every change to an offer row gives it a new ETag: the ETags in order fingerprint the list.
    const [{ fingerprint } = { fingerprint: '' }] = await this.query<{ fingerprint: string | null }>(
      type === undefined ? 'offers-fingerprint' : 'offers-of-type-fingerprint',
      `SELECT COALESCE(md5(string_agg(id || ' ' || etag, ',' ORDER BY id)), '') AS fingerprint FROM offers WHERE ${where}`,
      values,
    );
    const key = `${publisherId}/${type ?? ''}`;
    const cached = this.#lists.get(key);
    if (cached && cached.fingerprint === fingerprint) return cached.offers;
    const rows = await this.query<OfferRow>(
      type === undefined ? 'offers' : 'offers-of-type',
      `SELECT ${OFFER_COLUMNS} FROM offers WHERE ${where} ORDER BY id`,
      values,
    );
    return remember(this.#lists, key, { fingerprint: fingerprint ?? '', offers: rows.map(toOfferHeader) }).offers;
  }

  async getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]> {
    const rows = await this.query<{ pointer: string; sealed_value: string }>(
      'version-secrets',
      'SELECT pointer, sealed_value FROM offer_secrets WHERE publisher_id = $1 AND offer_id = $2 AND version = $3 ORDER BY pointer',
      [publisherId, offerId, version],
    );
    return rows.map((row) => ({ pointer: row.pointer, value: JSON.parse(this.#secrets.open(row.sealed_value)) }));
  }

  async importOffer(snapshot: OfferSnapshot): Promise<void> {
    const draft = snapshot.versions.at(-1);
    if (!draft) throw new Error('an offer needs at least one version');
    await this.transact(async (query) => {
      await query(
        'import-offer',
        `INSERT INTO offers (publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text,
                             changed_time, created_time, running_operation_id, notification_emails)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)`,
        [
          snapshot.publisherId,
          snapshot.id,
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
        ],
      );
      for (const entry of snapshot.versions) {
        const definition = structuredClone(entry.definition);
        const secrets = extractSecrets(definition, snapshot.offerTypeId);
        await query(
          'insert-version',
          'INSERT INTO offer_versions (publisher_id, offer_id, version, definition_json, changed_time, frozen) VALUES ($1, $2, $3, $4, $5, $6)',
          [snapshot.publisherId, snapshot.id, entry.version, JSON.stringify(definition), entry.changedTime, entry === draft ? 0 : 1],
        );
        await this.insertSecrets(query, snapshot.publisherId, snapshot.id, entry.version, secrets);
      }
      for (const operation of snapshot.operations ?? []) {
        if (operation.status === 'running') throw new Error('only finished operations can be imported');
        await query(
          'import-operation',
          `INSERT INTO operations (id, publisher_id, offer_id, type, status, publishing_version, offer_version, slot, notification_emails, draft_etag,
                                   target_operation_id, error, created_time, changed_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10, $11, $12)`,
          [
            operation.id,
            snapshot.publisherId,
            snapshot.id,
            operation.type,
            operation.status,
            operation.publishingVersion,
            operation.offerVersion,
            operationSlot(operation.type),
            operation.notificationEmails,
            operation.error,
            operation.createdTime,
            operation.changedTime,
          ],
        );
        for (const step of operation.steps) {
          await query(
            'import-step',
            `INSERT INTO operation_steps (operation_id, position, step_id, status, progress, messages_json, started_time, due_ms, lease_owner, lease_expires_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL)`,
            [operation.id, step.position, step.stepId, step.status, step.progress, JSON.stringify(step.messages), step.startedTime],
          );
        }
      }
    });
  }

  // ---- drafts and the publishing workflow ---------------------------------------------------

  async saveDraft(
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
  ): Promise<SaveDraftResult> {
    for (;;) {
      try {
        return await this.transact((query) => this.saveDraftOnce(query, publisherId, offerId, condition, build));
      } catch (error) {
        // Two creates raced and the other won: try again, now as if it had come first.
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
  }

  private async saveDraftOnce(
    query: Query,
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
  ): Promise<SaveDraftResult> {
    const row = await this.lockOffer(query, publisherId, offerId);
    let created = false;
    let version: number;
    checkWriteCondition(condition, offerId, row ?? null);
    if (!row) {
      const content = build(null);
      const now = timestampAfter(null);
      await query(
        'create-offer',
        `INSERT INTO offers (publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text,
                             changed_time, created_time, running_operation_id, notification_emails)
         VALUES ($1, $2, $3, 'neverPublished', 1, NULL, NULL, $4, $5, $6, $6, NULL, NULL)`,
        [publisherId, offerId, content.offerTypeId, etagFor(now), content.displayText, now],
      );
      await query(
        'insert-version',
        'INSERT INTO offer_versions (publisher_id, offer_id, version, definition_json, changed_time, frozen) VALUES ($1, $2, $3, $4, $5, $6)',
        [publisherId, offerId, 1, content.definitionJson, now, 0],
      );
      await this.insertSecrets(query, publisherId, offerId, 1, content.secrets);
      created = true;
      version = 1;
    } else {
      const stored = await query<{ pointer: string; sealed_value: string }>(
        'draft-secrets',
        'SELECT pointer, sealed_value FROM offer_secrets WHERE publisher_id = $1 AND offer_id = $2 AND version = $3',
        [publisherId, offerId, row.version],
      );
      const secrets = stored.map((s) => ({ pointer: s.pointer, value: JSON.parse(this.#secrets.open(s.sealed_value)) }));
      const content = build({ offer: toOfferHeader(row), secrets });
      checkOfferType(offerId, row.offer_type_id, content.offerTypeId);
      const now = timestampAfter(row.changed_time);
      await query(
        'update-draft-version',
        'UPDATE offer_versions SET definition_json = $1, changed_time = $2 WHERE publisher_id = $3 AND offer_id = $4 AND version = $5 AND frozen = 0',
        [content.definitionJson, now, publisherId, offerId, row.version],
      );
      await query('delete-secrets', 'DELETE FROM offer_secrets WHERE publisher_id = $1 AND offer_id = $2 AND version = $3', [
        publisherId,
        offerId,
        row.version,
      ]);
      await this.insertSecrets(query, publisherId, offerId, row.version, content.secrets);
      await query('update-draft-header', 'UPDATE offers SET display_text = $1, etag = $2, changed_time = $3 WHERE publisher_id = $4 AND id = $5', [
        content.displayText,
        etagFor(now),
        now,
        publisherId,
        offerId,
      ]);
      version = row.version;
    }
    const offer = toOfferHeader(
      (await query<OfferRow>('offer-in-tx', `SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = $1 AND id = $2`, [publisherId, offerId]))[0]!,
    );
    const [document] = await query<{ definition_json: string; changed_time: string }>(
      'version-in-tx',
      'SELECT definition_json, changed_time FROM offer_versions WHERE publisher_id = $1 AND offer_id = $2 AND version = $3',
      [publisherId, offerId, version],
    );
    return { created, offer, document: { version, definitionJson: document!.definition_json, changedTime: document!.changed_time } };
  }

  /** The offer as it stands (locked), and the operation running on it: what every workflow decision is made from. */
  private async offerState(query: Query, publisherId: string, offerId: string): Promise<OfferState> {
    const row = await this.lockOffer(query, publisherId, offerId);
    let running: RunningOperation | null = null;
    if (row?.running_operation_id) {
      const operation = await this.operationRecord(query, row.running_operation_id);
      const [found] = await query<{ draft_etag: string | null }>('operation-draft-etag', 'SELECT draft_etag FROM operations WHERE id = $1', [operation.id]);
      running = { ...operation, draftEtag: found?.draft_etag ?? null };
    }
    return { publisherId, offerId, offer: row ? toOfferHeader(row) : null, running };
  }

  async startPublish(
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
  ): Promise<{ operation: OperationRecord; reused: boolean }> {
    return this.transact(async (query) => {
      const state = await this.offerState(query, publisherId, offerId);
      const decision = decidePublish(state);
      if (decision.kind === 'reuse') return { operation: await this.operationRecord(query, decision.operationId), reused: true };
      const offer = state.offer!;
      const [draft] = await query<{ definition_json: string; changed_time: string }>(
        'draft-text',
        'SELECT definition_json, changed_time FROM offer_versions WHERE publisher_id = $1 AND offer_id = $2 AND version = $3',
        [publisherId, offerId, decision.freeze],
      );
      validate(offer, draft!.definition_json);
      const now = timestampAfter(offer.changedTime);
      await query('freeze-version', 'UPDATE offer_versions SET frozen = 1 WHERE publisher_id = $1 AND offer_id = $2 AND version = $3', [
        publisherId,
        offerId,
        decision.freeze,
      ]);
      await query(
        'insert-version',
        'INSERT INTO offer_versions (publisher_id, offer_id, version, definition_json, changed_time, frozen) VALUES ($1, $2, $3, $4, $5, $6)',
        [publisherId, offerId, decision.nextDraft, draft!.definition_json, draft!.changed_time, 0],
      );
      await query(
        'copy-secrets',
        `INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value)
         SELECT publisher_id, offer_id, $1, pointer, sealed_value FROM offer_secrets WHERE publisher_id = $2 AND offer_id = $3 AND version = $4`,
        [decision.nextDraft, publisherId, offerId, decision.freeze],
      );
      const emails = options.notificationEmails ?? offer.notificationEmails;
      await this.startOperationOnOffer(query, {
        operationId: options.operationId,
        version: decision.nextDraft,
        now,
        notificationEmails: emails,
        publisherId,
        offerId,
      });
      await this.insertOperation(
        query,
        { id: options.operationId, publisherId, offerId, type: 'publish', publishingVersion: decision.freeze, offerVersion: decision.freeze },
        { notificationEmails: emails, draftEtag: etagFor(now), targetOperationId: null, now, firstStep: options.firstStep },
      );
      return { operation: await this.operationRecord(query, options.operationId), reused: false };
    });
  }

  async startGoLive(publisherId: string, offerId: string, options: StartOperationOptions): Promise<OperationRecord> {
    return this.transact(async (query) => {
      const state = await this.offerState(query, publisherId, offerId);
      const { version } = decideGoLive(state);
      const offer = state.offer!;
      const now = timestampAfter(offer.changedTime);
      const emails = options.notificationEmails ?? offer.notificationEmails;
      await this.startOperationOnOffer(query, {
        operationId: options.operationId,
        version: offer.version,
        now,
        notificationEmails: emails,
        publisherId,
        offerId,
      });
      await this.insertOperation(
        query,
        { id: options.operationId, publisherId, offerId, type: 'golive', publishingVersion: version, offerVersion: version },
        { notificationEmails: emails, draftEtag: null, targetOperationId: null, now, firstStep: options.firstStep },
      );
      return this.operationRecord(query, options.operationId);
    });
  }

  async cancelOperation(publisherId: string, offerId: string, options: StartOperationOptions): Promise<CancelResult> {
    return this.transact(async (query) => {
      const state = await this.offerState(query, publisherId, offerId);
      const decision = decideCancel(state);
      const running = decision.operation;
      const now = timestampAfter(state.offer!.changedTime);
      await query('end-operation', "UPDATE operations SET status = $1, error = $2, changed_time = $3 WHERE id = $4 AND status = 'running'", [
        'canceled',
        null,
        now,
        running.id,
      ]);
      await query(
        'cancel-open-steps',
        `UPDATE operation_steps SET status = 'canceled', lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
          WHERE operation_id = $1 AND status IN ('notStarted', 'inProgress')`,
        [running.id],
      );
      if (decision.kind === 'stop') {
        await this.endOperationOnOffer(query, {
          status: 'canceled',
          now,
          previewVersion: null,
          productionVersion: null,
          publisherId,
          offerId,
          operationId: running.id,
        });
        return { kind: 'canceled', operation: await this.operationRecord(query, running.id) };
      }
      await this.insertOperation(
        query,
        { id: options.operationId, publisherId, offerId, type: 'cancel', publishingVersion: running.publishingVersion, offerVersion: running.offerVersion },
        { notificationEmails: running.notificationEmails, draftEtag: null, targetOperationId: running.id, now, firstStep: options.firstStep },
      );
      await query(
        'hand-over-offer',
        'UPDATE offers SET running_operation_id = $1, changed_time = $2, etag = $3 WHERE publisher_id = $4 AND id = $5 AND running_operation_id = $6',
        [options.operationId, now, etagFor(now), publisherId, offerId, running.id],
      );
      return { kind: 'canceling', operation: await this.operationRecord(query, options.operationId) };
    });
  }

  private async endOperationOnOffer(
    query: Query,
    values: {
      status: string;
      now: string;
      previewVersion: number | null;
      productionVersion: number | null;
      publisherId: string;
      offerId: string;
      operationId: string;
    },
  ): Promise<void> {
    await query(
      'end-operation-on-offer',
      `UPDATE offers SET status = $1, running_operation_id = NULL, changed_time = $2, etag = $3,
              preview_version = COALESCE($4, preview_version), production_version = COALESCE($5, production_version)
        WHERE publisher_id = $6 AND id = $7 AND running_operation_id = $8`,
      [values.status, values.now, etagFor(values.now), values.previewVersion, values.productionVersion, values.publisherId, values.offerId, values.operationId],
    );
  }

  async getOperation(publisherId: string, offerId: string, operationId: string): Promise<OperationRecord | null> {
    const [row] = await this.query<OperationRow>(
      'operation',
      `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id
        WHERE o.publisher_id = $1 AND o.offer_id = $2 AND o.id = $3`,
      [publisherId, offerId, operationId],
    );
    if (!row) return null;
    const steps = await this.query<StepRow>('steps-of', 'SELECT * FROM operation_steps WHERE operation_id = $1 ORDER BY position', [row.id]);
    return toOperation(row, steps);
  }

  async listOperations(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    const rows = await this.query<OperationRow>(
      'operations',
      `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id
        WHERE o.publisher_id = $1 AND o.offer_id = $2 ORDER BY o.created_time, o.id`,
      [publisherId, offerId],
    );
    if (rows.length === 0) return [];
    const steps = await this.query<StepRow>(
      'steps-of-offer',
      `SELECT s.* FROM operation_steps s JOIN operations o ON o.id = s.operation_id
        WHERE o.publisher_id = $1 AND o.offer_id = $2 ORDER BY s.operation_id, s.position`,
      [publisherId, offerId],
    );
    const byOperation = new Map<string, StepRow[]>();
    for (const step of steps) byOperation.set(step.operation_id, [...(byOperation.get(step.operation_id) ?? []), step]);
    return rows.map((row) => toOperation(row, byOperation.get(row.id) ?? []));
  }

  async claimDueStep(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedStep | null> {
    const [due] = await this.query<{ operation_id: string; position: number; step_id: string }>(
      'claim-step',
      `UPDATE operation_steps s SET lease_owner = $1, lease_expires_ms = $2
         FROM (SELECT operation_id, position FROM operation_steps
                WHERE status = 'inProgress' AND due_ms <= $3 AND (lease_expires_ms IS NULL OR lease_expires_ms <= $3)
                ORDER BY due_ms LIMIT 1 FOR UPDATE SKIP LOCKED) due
        WHERE s.operation_id = due.operation_id AND s.position = due.position
       RETURNING s.operation_id, s.position, s.step_id`,
      [owner, nowMs + leaseMs, nowMs],
    );
    if (!due) return null;
    const operation = await this.transact((query) => this.operationRecord(query, due.operation_id));
    return { operation, position: due.position, stepId: due.step_id, owner };
  }

  async finishStep(claim: ClaimedStep, outcome: StepOutcome, nowMs: number): Promise<boolean> {
    return this.transact(async (query) => {
      // Offer row first, as every other write does.
      const offerRow = await this.lockOffer(query, claim.operation.publisherId, claim.operation.offerId);
      const held = await query(
        'held-step',
        "SELECT status FROM operation_steps WHERE operation_id = $1 AND position = $2 AND lease_owner = $3 AND status = 'inProgress' FOR UPDATE",
        [claim.operation.id, claim.position, claim.owner],
      );
      if (held.length === 0 || !offerRow) return false; // lease lost, or canceled meanwhile
      const operation = await this.operationRecord(query, claim.operation.id);
      const now = formatTicks(BigInt(nowMs) * 10_000n);
      await query(
        'finish-step',
        `UPDATE operation_steps SET status = $1, progress = $2, messages_json = $3, lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
          WHERE operation_id = $4 AND position = $5`,
        [outcome.status, outcome.status === 'blocked' ? 0 : 100, JSON.stringify(outcome.messages), operation.id, claim.position],
      );
      const decision = decideStepEnd(operation, claim.position, outcome, nowMs);
      if (decision.kind === 'next') {
        await query(
          'start-step',
          "UPDATE operation_steps SET status = 'inProgress', started_time = $1, due_ms = $2 WHERE operation_id = $3 AND position = $4 AND status = 'notStarted'",
          [now, decision.dueMs, operation.id, decision.position],
        );
        await query('touch-operation', 'UPDATE operations SET changed_time = $1 WHERE id = $2', [now, operation.id]);
        return true;
      }
      await query('end-operation', "UPDATE operations SET status = $1, error = $2, changed_time = $3 WHERE id = $4 AND status = 'running'", [
        decision.operationStatus,
        decision.error,
        now,
        operation.id,
      ]);
      await this.endOperationOnOffer(query, {
        status: decision.offerStatus,
        now: timestampAfter(offerRow.changed_time),
        previewVersion: decision.previewVersion,
        productionVersion: decision.productionVersion,
        publisherId: operation.publisherId,
        offerId: operation.offerId,
        operationId: operation.id,
      });
      return true;
    });
  }

  async nextDueMs(): Promise<number | null> {
    // A step leased by another instance is claimable only once its lease expires.
    const [row] = await this.query<{ due: number | null }>(
      'next-due',
      "SELECT MIN(GREATEST(due_ms, COALESCE(lease_expires_ms, due_ms))) AS due FROM operation_steps WHERE status = 'inProgress'",
    );
    return row?.due ?? null;
  }

  async releaseLeases(owner: string): Promise<void> {
    await this.query('release-leases', 'UPDATE operation_steps SET lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = $1', [owner]);
  }

  // ---- identity ---------------------------------------------------------------------------

  async ensureSetting(key: string, initial: () => string): Promise<string> {
    await this.query('insert-setting', 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, initial()]);
    return (await this.query<{ value: string }>('setting', 'SELECT value FROM settings WHERE key = $1', [key]))[0]!.value;
  }

  async ensureSigningKeys(create: () => Promise<SigningKey>): Promise<SigningKey[]> {
    const read = async () =>
      (await this.query<SigningKeyRow>('signing-keys', 'SELECT * FROM signing_keys ORDER BY created_at, kid')).map((row) => toSigningKey(row, this.#secrets));
    const keys = await read();
    if (keys.length > 0) return keys;
    const key = await create();
    await this.transact(async (query) => {
      // One first key, whichever instance gets here first.
      await query('lock-signing-keys', 'LOCK TABLE signing_keys IN EXCLUSIVE MODE');
      const [{ n }] = (await query<{ n: number }>('count-signing-keys', 'SELECT COUNT(*)::int AS n FROM signing_keys')) as [{ n: number }];
      if (n > 0) return;
      await query('insert-signing-key', 'INSERT INTO signing_keys (kid, algorithm, public_jwk, sealed_private_jwk, created_at) VALUES ($1, $2, $3, $4, $5)', [
        key.kid,
        key.algorithm,
        key.publicJwk,
        this.#secrets.seal(key.privateJwk),
        key.createdAt,
      ]);
    });
    return read();
  }

  async createApplication(application: Application): Promise<void> {
    await this.query(
      'insert-application',
      'INSERT INTO applications (client_id, tenant_id, object_id, display_name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [application.clientId, application.tenantId, application.objectId, application.displayName, application.secretHash, application.createdAt],
    );
  }

  async findApplication(clientId: string): Promise<Application | null> {
    const [row] = await this.query<ApplicationRow>('application', 'SELECT * FROM applications WHERE client_id = $1', [clientId]);
    return row ? toApplication(row) : null;
  }

  async listMembers(publisherId: string): Promise<Member[]> {
    return (await this.query<MemberRow>('members', 'SELECT * FROM members WHERE publisher_id = $1 ORDER BY display_name, object_id', [publisherId])).map(
      toMember,
    );
  }

  async putMember(member: Member): Promise<boolean> {
    const [row] = await this.query<{ inserted: boolean }>(
      'upsert-member',
      `INSERT INTO members (publisher_id, tenant_id, object_id, role, display_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (publisher_id, tenant_id, object_id) DO UPDATE SET role = excluded.role, display_name = excluded.display_name
       RETURNING (xmax = 0) AS inserted`,
      [member.publisherId, member.tenantId, member.objectId, member.role, member.displayName, member.createdAt],
    );
    return row!.inserted;
  }

  async removeMember(publisherId: string, tenantId: string, objectId: string): Promise<boolean> {
    const rows = await this.query('delete-member', 'DELETE FROM members WHERE publisher_id = $1 AND tenant_id = $2 AND object_id = $3 RETURNING object_id', [
      publisherId,
      tenantId,
      objectId,
    ]);
    return rows.length > 0;
  }

  async findMemberGrants(tenantId: string, objectId: string): Promise<ReadonlyMap<string, Role>> {
    const rows = await this.query<{ publisher_id: string; role: string }>(
      'member-grants',
      'SELECT publisher_id, role FROM members WHERE tenant_id = $1 AND object_id = $2',
      [tenantId, objectId],
    );
    return new Map(rows.map((row) => [row.publisher_id, row.role as Role]));
  }

  // ---- access tokens ----------------------------------------------------------------------

  async createAccessToken(token: NewAccessToken): Promise<void> {
    await this.transact(async (query) => {
      await query(
        'insert-token',
        'INSERT INTO access_tokens (id, token_hash, description, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)',
        [token.id, token.tokenHash, token.description, token.createdAt, token.expiresAt],
      );
      for (const grant of token.grants) {
        await query('insert-grant', 'INSERT INTO token_grants (token_id, publisher_id, role) VALUES ($1, $2, $3)', [token.id, grant.publisherId, grant.role]);
      }
    });
  }

  async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    const rows = await this.query<{ id: string; expires_at: string | null; publisher_id: string | null; role: string | null }>(
      'principal',
      `SELECT t.id, t.expires_at, g.publisher_id, g.role
         FROM access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [tokenHash],
    );
    const first = rows[0];
    if (!first) return null;
    const grants = new Map<string, Role>();
    for (const row of rows) if (row.publisher_id && row.role) grants.set(row.publisher_id, row.role as Role);
    return { id: first.id, grants, expiresAt: first.expires_at ? Date.parse(first.expires_at) : null };
  }
}
