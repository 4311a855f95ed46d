/**
 * The embedded backend: one SQLite file in WAL mode.
 *
 * Two connections to the same file: `reader` serves the hot read path with prepared statements
 * (Kysely re-prepares every query, which halves read throughput); `writer` runs the migrations
 * (through Kysely) and every write. Writes are synchronous `BEGIN IMMEDIATE` transactions: the
 * write lock is taken before the first read, so a compare-and-set (If-Match, one running
 * operation, step leases) is exact even against other processes, and nothing else can run on
 * the connection while a transaction is open. Keeping reader and writer apart means a read never
 * sees a transaction that is still open.
 *
 * Reads are cached in memory and the cache is dropped whenever SQLite's `data_version` changes
 * on the reader: that counter moves on every commit made by any other connection — our writer,
 * a `cloudpartner token create` in another process, a second server on the same file — so a
 * cached value is never older than the last commit before the read. The counter is read at most
 * once per event-loop turn (a request's reads happen in one turn; each check costs ~2 µs), and
 * every commit through this store's writer forces the next read to check again.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { checkWriteCondition } from '../../domain/drafts.ts';
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../../domain/offers.ts';
import type { OperationRecord } from '../../domain/operations.ts';
import { type OfferState, type RunningOperation, checkOfferType, decideCancel, decideGoLive, decidePublish, decideStepEnd } from '../../domain/publishing.ts';
import { type OperationType, operationSlot, stepsOf } from '../../domain/workflow.ts';
import type { Publisher } from '../../domain/publishers.ts';
import type { Role } from '../../domain/roles.ts';
import { extractSecrets, type SecretValue } from '../../domain/secret-fields.ts';
import { etagFor, formatTicks, timestampAfter } from '../../domain/time.ts';
import { migrationProvider } from '../migrations/index.ts';
import type { Database } from '../schema.ts';
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

const MAX_CACHED_ENTRIES = 20_000;

/** The prepared write statements, used inside a transaction. */
type Writes = ReturnType<SqliteStore['prepareWrites']>;

/**
 * Migrations of one file within this process run one after another: better-sqlite3 waits for a
 * lock synchronously, so a second store waiting on the first would block the event loop the
 * first needs to finish.
 */
const migrationsInProcess = new Map<string, Promise<unknown>>();

/**
 * Commits made in this process, per file. A read re-checks data_version whenever this moved since
 * its last check, so a commit by any store of this process is seen by the very next read, even in
 * the same event-loop turn; commits by other processes are seen from the next turn on.
 */
const commitsInProcess = new Map<string, { count: number }>();

export interface SqliteStoreOptions {
  /** Path of the database file; created with its directory if missing. */
  file: string;
  secrets: SecretBox;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #reader: BetterSqlite3.Database;
  readonly #writer: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  readonly #secrets: SecretBox;
  readonly #file: string;
  #statements: ReturnType<SqliteStore['prepareReads']> | undefined;
  #writes: Writes | undefined;
  readonly #cache = new Map<string, unknown>();
  #seenDataVersion = -1;
  /** True from a data_version check until the end of the current event-loop turn. */
  #checkedThisTurn = false;
  readonly #commits: { count: number };
  #seenCommits = -1;
  readonly #endTurn = () => {
    this.#checkedThisTurn = false;
  };

  constructor(options: SqliteStoreOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.#file = resolve(options.file);
    let commits = commitsInProcess.get(this.#file);
    if (!commits) commitsInProcess.set(this.#file, (commits = { count: 0 }));
    this.#commits = commits;
    this.#writer = openConnection(options.file);
    this.#reader = openConnection(options.file);
    this.#db = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.#writer }) });
    this.#secrets = options.secrets;
  }

  async migrate(): Promise<void> {
    const previous = migrationsInProcess.get(this.#file) ?? Promise.resolve();
    const run = previous.then(
      () => this.migrateHoldingWriteLock(),
      () => this.migrateHoldingWriteLock(),
    );
    migrationsInProcess.set(this.#file, run);
    try {
      await run;
    } finally {
      if (migrationsInProcess.get(this.#file) === run) migrationsInProcess.delete(this.#file);
    }
    this.#statements = this.prepareReads();
    this.#writes = this.prepareWrites();
  }

  private async migrateHoldingWriteLock(): Promise<void> {
    // Several processes may start on one file at once, and Kysely's SQLite adapter takes no
    // migration lock. Holding SQLite's write lock for the whole run (DDL is transactional in
    // SQLite) serialises them: the second waits (busy_timeout), then finds nothing to do.
    this.#writer.exec('BEGIN IMMEDIATE');
    try {
      const { error } = await new Migrator({ db: this.#db, provider: migrationProvider }).migrateToLatest();
      if (error) throw error;
      this.#writer.exec('COMMIT');
    } catch (error) {
      if (this.#writer.inTransaction) this.#writer.exec('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    this.#reader.close();
  }

  private prepareReads() {
    const r = this.#reader;
    return {
      dataVersion: r.prepare('PRAGMA data_version').pluck(),
      publisher: r.prepare<[string], PublisherRow>('SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = ?'),
      offer: r.prepare<[string, string], OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND id = ?`),
      offers: r.prepare<[string], OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? ORDER BY id`),
      offersOfType: r.prepare<[string, string], OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND offer_type_id = ? ORDER BY id`),
      operation: r.prepare<[string, string, string], OperationRow>(
        `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id
          WHERE o.publisher_id = ? AND o.offer_id = ? AND o.id = ?`,
      ),
      operations: r.prepare<[string, string], OperationRow>(
        `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id
          WHERE o.publisher_id = ? AND o.offer_id = ? ORDER BY o.created_time, o.id`,
      ),
      steps: r.prepare<[string], StepRow>('SELECT * FROM operation_steps WHERE operation_id = ? ORDER BY position'),
      publisherIds: r.prepare<[], { id: string }>('SELECT id FROM publishers ORDER BY id'),
      memberGrants: r.prepare<[string, string], { publisher_id: string; role: string }>(
        'SELECT publisher_id, role FROM members WHERE tenant_id = ? AND object_id = ?',
      ),
      members: r.prepare<[string], MemberRow>('SELECT * FROM members WHERE publisher_id = ? ORDER BY display_name, object_id'),
      application: r.prepare<[string], ApplicationRow>('SELECT * FROM applications WHERE client_id = ?'),
      signingKeys: r.prepare<[], SigningKeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid'),
      setting: r.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      tokens: r.prepare<[], Parameters<typeof foldTokens>[0][number]>(
        `SELECT t.id, t.token_hash, t.description, t.created_at, t.expires_at, g.publisher_id, g.role
           FROM access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id WHERE t.revoked_at IS NULL ORDER BY t.id, g.publisher_id`,
      ),
      version: r.prepare<[string, string, number], { version: number; definition_json: string; changed_time: string }>(
        'SELECT version, definition_json, changed_time FROM offer_versions WHERE publisher_id = ? AND offer_id = ? AND version = ?',
      ),
      secrets: r.prepare<[string, string, number], { pointer: string; sealed_value: string }>(
        'SELECT pointer, sealed_value FROM offer_secrets WHERE publisher_id = ? AND offer_id = ? AND version = ? ORDER BY pointer',
      ),
      principal: r.prepare<[string], { id: string; expires_at: string | null; publisher_id: string | null; role: string | null }>(
        `SELECT t.id, t.expires_at, g.publisher_id, g.role
           FROM access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id
          WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
      ),
    };
  }

  /** Prepared read statements, after dropping the cache if any connection committed since the last read. */
  private reads() {
    const statements = this.#statements;
    if (!statements) throw new Error('the store is not migrated yet: call migrate() first');
    if (!this.#checkedThisTurn || this.#seenCommits !== this.#commits.count) {
      this.#seenCommits = this.#commits.count;
      const dataVersion = statements.dataVersion.get() as number;
      if (dataVersion !== this.#seenDataVersion) {
        this.#seenDataVersion = dataVersion;
        this.#cache.clear();
      }
      if (!this.#checkedThisTurn) {
        this.#checkedThisTurn = true;
        setImmediate(this.#endTurn);
      }
    }
    return statements;
  }

  private cached<T>(key: string, load: () => T): T {
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const value = load();
    if (this.#cache.size >= MAX_CACHED_ENTRIES) this.#cache.clear();
    this.#cache.set(key, value);
    return value;
  }

  // ---- writes: synchronous IMMEDIATE transactions on the writer ------------------------------

  private prepareWrites() {
    const w = this.#writer;
    return {
      offerForUpdate: w.prepare<[string, string], OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offers WHERE publisher_id = ? AND id = ?`),
      versionText: w.prepare<[string, string, number], { definition_json: string; changed_time: string }>(
        'SELECT definition_json, changed_time FROM offer_versions WHERE publisher_id = ? AND offer_id = ? AND version = ?',
      ),
      secrets: w.prepare<[string, string, number], { pointer: string; sealed_value: string }>(
        'SELECT pointer, sealed_value FROM offer_secrets WHERE publisher_id = ? AND offer_id = ? AND version = ?',
      ),
      insertPublisher: w.prepare(
        `INSERT INTO publishers (id, display_text, offer_type_categories, seller_id, version, created_at)
         VALUES (@id, @displayText, @categories, @sellerId, @version, @createdAt) ON CONFLICT (id) DO NOTHING`,
      ),
      insertOffer: w.prepare(
        `INSERT INTO offers (publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text,
                             changed_time, created_time, running_operation_id, notification_emails)
         VALUES (@publisherId, @id, @offerTypeId, @status, @version, @previewVersion, @productionVersion, @etag, @displayText,
                 @changedTime, @createdTime, NULL, NULL)`,
      ),
      updateDraftHeader: w.prepare(
        'UPDATE offers SET display_text = @displayText, etag = @etag, changed_time = @changedTime WHERE publisher_id = @publisherId AND id = @id',
      ),
      insertVersion: w.prepare(
        `INSERT INTO offer_versions (publisher_id, offer_id, version, definition_json, changed_time, frozen)
         VALUES (@publisherId, @offerId, @version, @definitionJson, @changedTime, @frozen)`,
      ),
      updateDraftVersion: w.prepare(
        `UPDATE offer_versions SET definition_json = @definitionJson, changed_time = @changedTime
          WHERE publisher_id = @publisherId AND offer_id = @offerId AND version = @version AND frozen = 0`,
      ),
      freezeVersion: w.prepare('UPDATE offer_versions SET frozen = 1 WHERE publisher_id = ? AND offer_id = ? AND version = ?'),
      deleteSecrets: w.prepare('DELETE FROM offer_secrets WHERE publisher_id = ? AND offer_id = ? AND version = ?'),
      insertSecret: w.prepare('INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value) VALUES (?, ?, ?, ?, ?)'),
      copySecrets: w.prepare(
        `INSERT INTO offer_secrets (publisher_id, offer_id, version, pointer, sealed_value)
         SELECT publisher_id, offer_id, ?, pointer, sealed_value FROM offer_secrets WHERE publisher_id = ? AND offer_id = ? AND version = ?`,
      ),
      startOperationOnOffer: w.prepare(
        `UPDATE offers SET status = 'running', running_operation_id = @operationId, version = @version, etag = @etag, changed_time = @changedTime,
                notification_emails = @notificationEmails
          WHERE publisher_id = @publisherId AND id = @id AND running_operation_id IS NULL`,
      ),
      insertOperation: w.prepare(
        `INSERT INTO operations (id, publisher_id, offer_id, type, status, publishing_version, offer_version, slot, notification_emails, draft_etag,
                                 target_operation_id, error, created_time, changed_time)
         VALUES (@id, @publisherId, @offerId, @type, 'running', @publishingVersion, @offerVersion, @slot, @notificationEmails, @draftEtag,
                 @targetOperationId, NULL, @now, @now)`,
      ),
      insertStep: w.prepare(
        `INSERT INTO operation_steps (operation_id, position, step_id, status, progress, messages_json, started_time, due_ms, lease_owner, lease_expires_ms)
         VALUES (@operationId, @position, @stepId, @status, 0, '[]', @startedTime, @dueMs, NULL, NULL)`,
      ),
      operationById: w.prepare<[string], OperationRow>(
        `SELECT ${OPERATION_COLUMNS} FROM operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id WHERE o.id = ?`,
      ),
      stepsOf: w.prepare<[string], StepRow>('SELECT * FROM operation_steps WHERE operation_id = ? ORDER BY position'),
      endOperation: w.prepare("UPDATE operations SET status = @status, error = @error, changed_time = @now WHERE id = @id AND status = 'running'"),
      touchOperation: w.prepare('UPDATE operations SET changed_time = ? WHERE id = ?'),
      cancelOpenSteps: w.prepare(
        `UPDATE operation_steps SET status = 'canceled', lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
          WHERE operation_id = ? AND status IN ('notStarted', 'inProgress')`,
      ),
      endOperationOnOffer: w.prepare(
        `UPDATE offers SET status = @status, running_operation_id = NULL, changed_time = @now, etag = @etag,
                preview_version = COALESCE(@previewVersion, preview_version), production_version = COALESCE(@productionVersion, production_version)
          WHERE publisher_id = @publisherId AND id = @offerId AND running_operation_id = @operationId`,
      ),
      handOverOffer: w.prepare(
        `UPDATE offers SET running_operation_id = @to, changed_time = @now, etag = @etag
          WHERE publisher_id = @publisherId AND id = @offerId AND running_operation_id = @from`,
      ),
      dueStep: w.prepare<[number, number], { operation_id: string; position: number; step_id: string }>(
        `SELECT operation_id, position, step_id FROM operation_steps
          WHERE status = 'inProgress' AND due_ms <= ? AND (lease_expires_ms IS NULL OR lease_expires_ms <= ?)
          ORDER BY due_ms LIMIT 1`,
      ),
      takeLease: w.prepare('UPDATE operation_steps SET lease_owner = ?, lease_expires_ms = ? WHERE operation_id = ? AND position = ?'),
      heldStep: w.prepare<[string, number, string], { status: string }>(
        "SELECT status FROM operation_steps WHERE operation_id = ? AND position = ? AND lease_owner = ? AND status = 'inProgress'",
      ),
      finishStep: w.prepare(
        `UPDATE operation_steps SET status = @status, progress = @progress, messages_json = @messages, lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
          WHERE operation_id = @operationId AND position = @position`,
      ),
      startStep: w.prepare(
        `UPDATE operation_steps SET status = 'inProgress', started_time = @startedTime, due_ms = @dueMs
          WHERE operation_id = @operationId AND position = @position AND status = 'notStarted'`,
      ),
      // A step leased by another instance is claimable only once its lease expires.
      nextDue: w.prepare<[], { due: number | null }>(
        "SELECT MIN(CASE WHEN lease_expires_ms > due_ms THEN lease_expires_ms ELSE due_ms END) AS due FROM operation_steps WHERE status = 'inProgress'",
      ),
      releaseLeases: w.prepare('UPDATE operation_steps SET lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = ?'),
      importOperation: w.prepare(
        `INSERT INTO operations (id, publisher_id, offer_id, type, status, publishing_version, offer_version, slot, notification_emails, draft_etag,
                                 target_operation_id, error, created_time, changed_time)
         VALUES (@id, @publisherId, @offerId, @type, @status, @publishingVersion, @offerVersion, @slot, @notificationEmails, NULL,
                 NULL, @error, @createdTime, @changedTime)`,
      ),
      importStep: w.prepare(
        `INSERT INTO operation_steps (operation_id, position, step_id, status, progress, messages_json, started_time, due_ms, lease_owner, lease_expires_ms)
         VALUES (@operationId, @position, @stepId, @status, @progress, @messages, @startedTime, NULL, NULL, NULL)`,
      ),
      setNotificationEmails: w.prepare('UPDATE offers SET notification_emails = ? WHERE publisher_id = ? AND id = ?'),
      insertSetting: w.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      countSigningKeys: w.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM signing_keys'),
      insertSigningKey: w.prepare(
        'INSERT INTO signing_keys (kid, algorithm, public_jwk, sealed_private_jwk, created_at) VALUES (@kid, @algorithm, @publicJwk, @sealed, @createdAt)',
      ),
      insertApplication: w.prepare(
        `INSERT INTO applications (client_id, tenant_id, object_id, display_name, secret_hash, created_at)
         VALUES (@clientId, @tenantId, @objectId, @displayName, @secretHash, @createdAt)`,
      ),
      upsertMember: w.prepare(
        `INSERT INTO members (publisher_id, tenant_id, object_id, role, display_name, created_at)
         VALUES (@publisherId, @tenantId, @objectId, @role, @displayName, @createdAt)
         ON CONFLICT (publisher_id, tenant_id, object_id) DO UPDATE SET role = excluded.role, display_name = excluded.display_name`,
      ),
      memberExists: w.prepare('SELECT 1 FROM members WHERE publisher_id = ? AND tenant_id = ? AND object_id = ?'),
      deleteMember: w.prepare('DELETE FROM members WHERE publisher_id = ? AND tenant_id = ? AND object_id = ?'),
      insertToken: w.prepare('INSERT INTO access_tokens (id, token_hash, description, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)'),
      insertGrant: w.prepare('INSERT INTO token_grants (token_id, publisher_id, role) VALUES (?, ?, ?)'),
    };
  }

  private writes() {
    if (!this.#writes) throw new Error('the store is not migrated yet: call migrate() first');
    return this.#writes;
  }

  /** Runs `work` as one IMMEDIATE transaction (write lock first: compare-and-set is exact). */
  private transact<T>(work: (w: Writes) => T): T {
    const w = this.writes();
    try {
      return this.#writer.transaction(() => work(w)).immediate();
    } finally {
      this.#commits.count++; // a commit in this process: the next read of any store must see it
    }
  }

  private sealInto(w: Writes, publisherId: string, offerId: string, version: number, secrets: readonly SecretValue[]) {
    for (const secret of secrets) {
      w.insertSecret.run(publisherId, offerId, version, secret.pointer, this.#secrets.seal(JSON.stringify(secret.value)));
    }
  }

  private operationRecord(w: Writes, id: string): OperationRecord {
    const row = w.operationById.get(id);
    if (!row) throw new Error(`operation ${id} vanished`);
    return toOperation(row, w.stepsOf.all(id));
  }

  private insertOperation(
    w: Writes,
    fields: { id: string; publisherId: string; offerId: string; type: OperationType; publishingVersion: number; offerVersion: number },
    extra: {
      notificationEmails: string | null;
      draftEtag: string | null;
      targetOperationId: string | null;
      now: string;
      firstStep: { startedMs: number; dueMs: number };
    },
  ): void {
    w.insertOperation.run({
      ...fields,
      slot: operationSlot(fields.type),
      notificationEmails: extra.notificationEmails,
      draftEtag: extra.draftEtag,
      targetOperationId: extra.targetOperationId,
      now: extra.now,
    });
    stepsOf(fields.type).forEach((step, position) => {
      const first = position === 0;
      w.insertStep.run({
        operationId: fields.id,
        position,
        stepId: step.id,
        status: first ? 'inProgress' : 'notStarted',
        startedTime: first ? formatTicks(BigInt(extra.firstStep.startedMs) * 10_000n) : null,
        dueMs: first ? extra.firstStep.dueMs : null,
      });
    });
  }

  // ---- publishers -------------------------------------------------------------------------

  async createPublisher(publisher: Publisher): Promise<boolean> {
    const result = this.transact((w) =>
      w.insertPublisher.run({
        id: publisher.id,
        displayText: publisher.displayText,
        categories: JSON.stringify(publisher.offerTypeCategories),
        sellerId: publisher.sellerId,
        version: publisher.version,
        createdAt: new Date().toISOString(),
      }),
    );
    return result.changes > 0;
  }

  async getPublisher(id: string): Promise<Publisher | null> {
    const reads = this.reads();
    return this.cached(`p:${id}`, () => {
      const row = reads.publisher.get(id);
      return row ? toPublisher(row) : null;
    });
  }

  async listAllPublisherIds(): Promise<string[]> {
    return this.reads()
      .publisherIds.all()
      .map((row) => row.id);
  }

  async listAccessTokens(): Promise<NewAccessToken[]> {
    return foldTokens(this.reads().tokens.all());
  }

  async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    const publishers: Publisher[] = [];
    for (const id of [...ids].sort()) {
      const publisher = await this.getPublisher(id);
      if (publisher) publishers.push(publisher);
    }
    return publishers;
  }

  // ---- offers -----------------------------------------------------------------------------

  async getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    const reads = this.reads();
    return this.cached(`o:${publisherId}/${offerId}`, () => {
      const row = reads.offer.get(publisherId, offerId);
      return row ? toOfferHeader(row) : null;
    });
  }

  async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    const reads = this.reads();
    return this.cached(`v:${publisherId}/${offerId}/${version}`, () => {
      const row = reads.version.get(publisherId, offerId, version);
      return row ? { version: row.version, definitionJson: row.definition_json, changedTime: row.changed_time } : null;
    });
  }

  async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const reads = this.reads();
    const type = filter.offerTypeId;
    return this.cached(`l:${publisherId}/${type ?? ''}`, () =>
      (type === undefined ? reads.offers.all(publisherId) : reads.offersOfType.all(publisherId, type)).map(toOfferHeader),
    );
  }

  async getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]> {
    // Deliberately not cached: decrypted secrets do not linger in memory.
    return this.reads()
      .secrets.all(publisherId, offerId, version)
      .map((row) => ({ pointer: row.pointer, value: JSON.parse(this.#secrets.open(row.sealed_value)) }));
  }

  async importOffer(snapshot: OfferSnapshot): Promise<void> {
    const draft = snapshot.versions.at(-1);
    if (!draft) throw new Error('an offer needs at least one version');
    this.transact((w) => {
      w.insertOffer.run({
        publisherId: snapshot.publisherId,
        id: snapshot.id,
        offerTypeId: snapshot.offerTypeId,
        status: snapshot.status,
        version: draft.version,
        previewVersion: snapshot.previewVersion,
        productionVersion: snapshot.productionVersion,
        etag: etagFor(snapshot.changedTime),
        displayText: String(draft.definition['displayText'] ?? ''),
        changedTime: snapshot.changedTime,
        createdTime: snapshot.createdTime,
      });
      for (const entry of snapshot.versions) {
        const definition = structuredClone(entry.definition);
        const secrets = extractSecrets(definition, snapshot.offerTypeId);
        w.insertVersion.run({
          publisherId: snapshot.publisherId,
          offerId: snapshot.id,
          version: entry.version,
          definitionJson: JSON.stringify(definition),
          changedTime: entry.changedTime,
          frozen: entry === draft ? 0 : 1,
        });
        this.sealInto(w, snapshot.publisherId, snapshot.id, entry.version, secrets);
      }
      for (const operation of snapshot.operations ?? []) {
        if (operation.status === 'running') throw new Error('only finished operations can be imported');
        w.importOperation.run({
          id: operation.id,
          publisherId: snapshot.publisherId,
          offerId: snapshot.id,
          type: operation.type,
          status: operation.status,
          publishingVersion: operation.publishingVersion,
          offerVersion: operation.offerVersion,
          slot: operationSlot(operation.type),
          notificationEmails: operation.notificationEmails,
          error: operation.error,
          createdTime: operation.createdTime,
          changedTime: operation.changedTime,
        });
        for (const step of operation.steps) {
          w.importStep.run({
            operationId: operation.id,
            position: step.position,
            stepId: step.stepId,
            status: step.status,
            progress: step.progress,
            messages: JSON.stringify(step.messages),
            startedTime: step.startedTime,
          });
        }
      }
      if (snapshot.notificationEmails) w.setNotificationEmails.run(snapshot.notificationEmails, snapshot.publisherId, snapshot.id);
    });
  }

  // ---- drafts and the publishing workflow ---------------------------------------------------

  async saveDraft(
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
  ): Promise<SaveDraftResult> {
    const result = this.transact((w) => {
      const row = w.offerForUpdate.get(publisherId, offerId);
      checkWriteCondition(condition, offerId, row ?? null);
      if (!row) {
        const content = build(null);
        const now = timestampAfter(null);
        w.insertOffer.run({
          publisherId,
          id: offerId,
          offerTypeId: content.offerTypeId,
          status: 'neverPublished',
          version: 1,
          previewVersion: null,
          productionVersion: null,
          etag: etagFor(now),
          displayText: content.displayText,
          changedTime: now,
          createdTime: now,
        });
        w.insertVersion.run({ publisherId, offerId, version: 1, definitionJson: content.definitionJson, changedTime: now, frozen: 0 });
        this.sealInto(w, publisherId, offerId, 1, content.secrets);
        return { created: true, version: 1, now };
      }
      const current = toOfferHeader(row);
      const secrets = w.secrets
        .all(publisherId, offerId, row.version)
        .map((s) => ({ pointer: s.pointer, value: JSON.parse(this.#secrets.open(s.sealed_value)) }));
      const content = build({ offer: current, secrets });
      checkOfferType(offerId, row.offer_type_id, content.offerTypeId);
      const now = timestampAfter(row.changed_time);
      w.updateDraftVersion.run({ publisherId, offerId, version: row.version, definitionJson: content.definitionJson, changedTime: now });
      w.deleteSecrets.run(publisherId, offerId, row.version);
      this.sealInto(w, publisherId, offerId, row.version, content.secrets);
      w.updateDraftHeader.run({ publisherId, id: offerId, displayText: content.displayText, etag: etagFor(now), changedTime: now });
      return { created: false, version: row.version, now };
    });
    const w = this.writes();
    const offer = toOfferHeader(w.offerForUpdate.get(publisherId, offerId)!);
    const version = w.versionText.get(publisherId, offerId, result.version)!;
    return {
      created: result.created,
      offer,
      document: { version: result.version, definitionJson: version.definition_json, changedTime: version.changed_time },
    };
  }

  /** The offer as it stands, and the operation running on it: what every workflow decision is made from. */
  private offerState(w: Writes, publisherId: string, offerId: string): OfferState {
    const row = w.offerForUpdate.get(publisherId, offerId);
    let running: RunningOperation | null = null;
    if (row?.running_operation_id) {
      const operation = this.operationRecord(w, row.running_operation_id);
      running = { ...operation, draftEtag: w.operationById.get(operation.id)?.draft_etag ?? null };
    }
    return { publisherId, offerId, offer: row ? toOfferHeader(row) : null, running };
  }

  async startPublish(
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
  ): Promise<{ operation: OperationRecord; reused: boolean }> {
    return this.transact((w) => {
      const state = this.offerState(w, publisherId, offerId);
      const decision = decidePublish(state);
      if (decision.kind === 'reuse') return { operation: this.operationRecord(w, decision.operationId), reused: true };
      const offer = state.offer!;
      const draft = w.versionText.get(publisherId, offerId, decision.freeze)!;
      validate(offer, draft.definition_json);
      const now = timestampAfter(offer.changedTime);
      w.freezeVersion.run(publisherId, offerId, decision.freeze);
      w.insertVersion.run({
        publisherId,
        offerId,
        version: decision.nextDraft,
        definitionJson: draft.definition_json,
        changedTime: draft.changed_time,
        frozen: 0,
      });
      w.copySecrets.run(decision.nextDraft, publisherId, offerId, decision.freeze);
      const etag = etagFor(now);
      const emails = options.notificationEmails ?? offer.notificationEmails;
      w.startOperationOnOffer.run({
        operationId: options.operationId,
        version: decision.nextDraft,
        etag,
        changedTime: now,
        notificationEmails: emails,
        publisherId,
        id: offerId,
      });
      this.insertOperation(
        w,
        { id: options.operationId, publisherId, offerId, type: 'publish', publishingVersion: decision.freeze, offerVersion: decision.freeze },
        { notificationEmails: emails, draftEtag: etag, targetOperationId: null, now, firstStep: options.firstStep },
      );
      return { operation: this.operationRecord(w, options.operationId), reused: false };
    });
  }

  async startGoLive(publisherId: string, offerId: string, options: StartOperationOptions): Promise<OperationRecord> {
    return this.transact((w) => {
      const state = this.offerState(w, publisherId, offerId);
      const { version } = decideGoLive(state);
      const offer = state.offer!;
      const now = timestampAfter(offer.changedTime);
      const emails = options.notificationEmails ?? offer.notificationEmails;
      w.startOperationOnOffer.run({
        operationId: options.operationId,
        version: offer.version,
        etag: etagFor(now),
        changedTime: now,
        notificationEmails: emails,
        publisherId,
        id: offerId,
      });
      this.insertOperation(
        w,
        { id: options.operationId, publisherId, offerId, type: 'golive', publishingVersion: version, offerVersion: version },
        { notificationEmails: emails, draftEtag: null, targetOperationId: null, now, firstStep: options.firstStep },
      );
      return this.operationRecord(w, options.operationId);
    });
  }

  async cancelOperation(publisherId: string, offerId: string, options: StartOperationOptions): Promise<CancelResult> {
    return this.transact((w) => {
      const state = this.offerState(w, publisherId, offerId);
      const decision = decideCancel(state);
      const running = decision.operation;
      const now = timestampAfter(state.offer!.changedTime);
      w.endOperation.run({ id: running.id, status: 'canceled', error: null, now });
      w.cancelOpenSteps.run(running.id);
      if (decision.kind === 'stop') {
        w.endOperationOnOffer.run({
          status: 'canceled',
          now,
          etag: etagFor(now),
          previewVersion: null,
          productionVersion: null,
          publisherId,
          offerId,
          operationId: running.id,
        });
        return { kind: 'canceled', operation: this.operationRecord(w, running.id) };
      }
      this.insertOperation(
        w,
        { id: options.operationId, publisherId, offerId, type: 'cancel', publishingVersion: running.publishingVersion, offerVersion: running.offerVersion },
        { notificationEmails: running.notificationEmails, draftEtag: null, targetOperationId: running.id, now, firstStep: options.firstStep },
      );
      w.handOverOffer.run({ to: options.operationId, from: running.id, now, etag: etagFor(now), publisherId, offerId });
      return { kind: 'canceling', operation: this.operationRecord(w, options.operationId) };
    });
  }

  async getOperation(publisherId: string, offerId: string, operationId: string): Promise<OperationRecord | null> {
    const reads = this.reads();
    const row = reads.operation.get(publisherId, offerId, operationId);
    return row ? toOperation(row, reads.steps.all(row.id)) : null;
  }

  async listOperations(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    const reads = this.reads();
    return reads.operations.all(publisherId, offerId).map((row) => toOperation(row, reads.steps.all(row.id)));
  }

  async claimDueStep(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedStep | null> {
    return this.transact((w) => {
      const due = w.dueStep.get(nowMs, nowMs);
      if (!due) return null;
      w.takeLease.run(owner, nowMs + leaseMs, due.operation_id, due.position);
      return { operation: this.operationRecord(w, due.operation_id), position: due.position, stepId: due.step_id, owner };
    });
  }

  async finishStep(claim: ClaimedStep, outcome: StepOutcome, nowMs: number): Promise<boolean> {
    return this.transact((w) => {
      if (!w.heldStep.get(claim.operation.id, claim.position, claim.owner)) return false; // lease lost, or canceled meanwhile
      const operation = this.operationRecord(w, claim.operation.id);
      const now = formatTicks(BigInt(nowMs) * 10_000n);
      w.finishStep.run({
        operationId: operation.id,
        position: claim.position,
        status: outcome.status,
        progress: outcome.status === 'blocked' ? 0 : 100,
        messages: JSON.stringify(outcome.messages),
      });
      const decision = decideStepEnd(operation, claim.position, outcome, nowMs);
      if (decision.kind === 'next') {
        w.startStep.run({ operationId: operation.id, position: decision.position, startedTime: now, dueMs: decision.dueMs });
        w.touchOperation.run(now, operation.id);
        return true;
      }
      w.endOperation.run({ id: operation.id, status: decision.operationStatus, error: decision.error, now });
      const offerRow = w.offerForUpdate.get(operation.publisherId, operation.offerId)!;
      const changed = timestampAfter(offerRow.changed_time);
      w.endOperationOnOffer.run({
        status: decision.offerStatus,
        now: changed,
        etag: etagFor(changed),
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
    return this.writes().nextDue.get()?.due ?? null;
  }

  async releaseLeases(owner: string): Promise<void> {
    this.transact((w) => w.releaseLeases.run(owner));
  }

  // ---- identity ---------------------------------------------------------------------------

  async ensureSetting(key: string, initial: () => string): Promise<string> {
    const existing = this.reads().setting.get(key);
    if (existing) return existing.value;
    this.transact((w) => w.insertSetting.run(key, initial()));
    return this.reads().setting.get(key)!.value;
  }

  async ensureSigningKeys(create: () => Promise<SigningKey>): Promise<SigningKey[]> {
    const read = () =>
      this.reads()
        .signingKeys.all()
        .map((row) => toSigningKey(row, this.#secrets));
    const keys = read();
    if (keys.length > 0) return keys;
    const key = await create();
    this.transact((w) => {
      if (w.countSigningKeys.get()!.n > 0) return; // another process made the first key meanwhile
      w.insertSigningKey.run({ ...key, sealed: this.#secrets.seal(key.privateJwk) });
    });
    return read();
  }

  async createApplication(application: Application): Promise<void> {
    this.transact((w) => w.insertApplication.run(application));
  }

  async findApplication(clientId: string): Promise<Application | null> {
    const row = this.reads().application.get(clientId);
    return row ? toApplication(row) : null;
  }

  async listMembers(publisherId: string): Promise<Member[]> {
    return this.reads().members.all(publisherId).map(toMember);
  }

  async putMember(member: Member): Promise<boolean> {
    return this.transact((w) => {
      const existed = w.memberExists.get(member.publisherId, member.tenantId, member.objectId) !== undefined;
      w.upsertMember.run(member);
      return !existed;
    });
  }

  async removeMember(publisherId: string, tenantId: string, objectId: string): Promise<boolean> {
    return this.transact((w) => w.deleteMember.run(publisherId, tenantId, objectId).changes > 0);
  }

  async findMemberGrants(tenantId: string, objectId: string): Promise<ReadonlyMap<string, Role>> {
    const reads = this.reads();
    return this.cached(
      `m:${tenantId}/${objectId}`,
      () => new Map(reads.memberGrants.all(tenantId, objectId).map((row) => [row.publisher_id, row.role as Role])),
    );
  }

  // ---- access tokens ----------------------------------------------------------------------

  async createAccessToken(token: NewAccessToken): Promise<void> {
    this.transact((w) => {
      w.insertToken.run(token.id, token.tokenHash, token.description, token.createdAt, token.expiresAt);
      for (const grant of token.grants) w.insertGrant.run(token.id, grant.publisherId, grant.role);
    });
  }

  async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    const reads = this.reads();
    const key = `t:${tokenHash}`;
    const cachedPrincipal = this.#cache.get(key) as Principal | undefined;
    if (cachedPrincipal) return cachedPrincipal;
    const rows = reads.principal.all(tokenHash);
    const first = rows[0];
    if (!first) return null; // unknown tokens are not cached: a flood of them must not evict real entries
    const grants = new Map<string, Role>();
    for (const row of rows) if (row.publisher_id && row.role) grants.set(row.publisher_id, row.role as Role);
    const principal: Principal = { id: first.id, grants, expiresAt: first.expires_at ? Date.parse(first.expires_at) : null };
    return this.cached(key, () => principal);
  }
}

function openConnection(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { timeout: 10_000 });
  // busy_timeout first: switching a fresh file to WAL takes a lock another process may hold.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged, so acknowledged writes survive power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}
