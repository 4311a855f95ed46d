/**
 * The store both backends are: the catalog, the workflow and identity, each written once over a
 * SqlDatabase (./sql/statement.ts). A backend gives the database — its connections, transactions
 * and dialect — and may serve hot reads from its own cache by overriding them; it decides nothing.
 */
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../domain/offers.ts';
import type { OperationRecord, SubmissionRecord } from '../domain/operations.ts';
import type { OperationStatus, OperationType } from '../domain/workflow.ts';
import type { Publisher } from '../domain/publishers.ts';
import type { Role } from '../domain/roles.ts';
import type { SecretValue } from '../domain/secret-fields.ts';
import { SqlIdentityStore } from './identity/identity-store.ts';
import { SqlOfferStore } from './offers/offer-store.ts';
import { SqlSnapshotStore } from './sandbox/snapshot-store.ts';
import { SqlWebhookStore } from './webhooks/webhook-store.ts';
import { SqlNotificationStore } from './notifications/notification-store.ts';
import { SqlAuditStore } from './audit/audit-store.ts';
import type { SecretBox } from './secret-box.ts';
import { sql, type SqlDatabase } from './sql/statement.ts';
import { migrationProvider } from './migrations/index.ts';
import { type CacheCount, type DatabaseObserver, type PoolStats, type WorkflowGauges, isConnectionFailure } from './telemetry.ts';
import type {
  AuditContext,
  AuditFilter,
  AuditWrite,
  StoredAuditRecord,
  Application,
  ApplicationMember,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryRecord,
  OutboxMessage,
  Webhook,
  CancelResult,
  ClaimedStep,
  CurrentDraft,
  DraftContent,
  Member,
  NewAccessToken,
  OfferSnapshot,
  Principal,
  SaveDraftResult,
  SigningKey,
  SnapshotSummary,
  StartOperationOptions,
  StepOutcome,
  Store,
  WriteCondition,
} from './store.ts';
import { SqlWorkflowStore } from './workflow/workflow-store.ts';
import { type ClaimedJob, type IngestionJobRecord, type JobCatalog, type JobChanges, type NewIngestionJob, SqlIngestionStore } from './ingestion/job-store.ts';

/** The migrations the database has run (Kysely's table). */
const migrationsRun = sql('migrations-run', 'SELECT name FROM kysely_migration');

export abstract class SqlStore implements Store {
  abstract readonly kind: Store['kind'];
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;

  protected readonly offers: SqlOfferStore;
  protected readonly workflow: SqlWorkflowStore;
  protected readonly identity: SqlIdentityStore;
  protected readonly snapshots: SqlSnapshotStore;
  protected readonly webhooks: SqlWebhookStore;
  protected readonly notifications: SqlNotificationStore;
  protected readonly ingestion: SqlIngestionStore;
  protected readonly audit: SqlAuditStore;

  readonly #db: SqlDatabase & { observer: DatabaseObserver | undefined };

  constructor(db: SqlDatabase & { observer: DatabaseObserver | undefined }, secrets: SecretBox) {
    this.#db = db;
    this.offers = new SqlOfferStore(db, secrets);
    this.workflow = new SqlWorkflowStore(db);
    this.identity = new SqlIdentityStore(db, secrets);
    this.snapshots = new SqlSnapshotStore(db);
    this.webhooks = new SqlWebhookStore(db, secrets);
    this.notifications = new SqlNotificationStore(db);
    this.ingestion = new SqlIngestionStore(db, this.offers, this.workflow, secrets);
    this.audit = new SqlAuditStore(db);
  }

  // ---- configure jobs ----
  createIngestionJob(job: NewIngestionJob, audit: AuditWrite): Promise<void> {
    return this.ingestion.createIngestionJob(job, audit);
  }
  getIngestionJob(id: string): Promise<IngestionJobRecord | null> {
    return this.ingestion.getIngestionJob(id);
  }
  claimIngestionJob(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedJob | null> {
    return this.ingestion.claimIngestionJob(owner, nowMs, leaseMs);
  }
  applyIngestionJob(claim: ClaimedJob, jobEnd: string, work: (catalog: JobCatalog) => Promise<JobChanges>, audit: AuditContext): Promise<boolean> {
    return this.ingestion.applyIngestionJob(claim, jobEnd, work, audit);
  }
  failIngestionJob(claim: ClaimedJob, errorsJson: string, jobEnd: string): Promise<boolean> {
    return this.ingestion.failIngestionJob(claim, errorsJson, jobEnd);
  }
  cancelIngestionJob(id: string, jobEnd: string, audit: AuditWrite): Promise<boolean> {
    return this.ingestion.cancelIngestionJob(id, jobEnd, audit);
  }
  releaseIngestionJobs(owner: string): Promise<void> {
    return this.ingestion.releaseIngestionJobs(owner);
  }

  // ---- operating it: readiness and metrics ----
  async readiness(): Promise<string | null> {
    let run: Array<{ name: string }>;
    try {
      run = await this.#db.all<{ name: string }>(migrationsRun);
    } catch (error) {
      return isConnectionFailure(error) ? 'the database cannot be reached' : 'the database has no schema: migrations are pending';
    }
    const done = new Set(run.map((row) => row.name));
    const pending = Object.keys(await migrationProvider.getMigrations()).filter((name) => !done.has(name));
    return pending.length === 0 ? null : `migrations are pending: ${pending.join(', ')}`;
  }
  observe(observer: DatabaseObserver): void {
    this.#db.observer = observer;
  }
  abstract cacheCounts(): CacheCount[];
  poolStats(): PoolStats | null {
    return null;
  }
  workflowGauges(nowMs: number): Promise<WorkflowGauges> {
    return this.workflow.workflowGauges(nowMs);
  }

  // ---- the catalog ----
  createPublisher(publisher: Publisher): Promise<boolean> {
    return this.offers.createPublisher(publisher);
  }
  getPublisher(id: string): Promise<Publisher | null> {
    return this.offers.getPublisher(id);
  }
  async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    const publishers: Publisher[] = [];
    for (const id of [...ids].sort()) {
      const publisher = await this.getPublisher(id);
      if (publisher) publishers.push(publisher);
    }
    return publishers;
  }
  listAllPublisherIds(): Promise<string[]> {
    return this.offers.listAllPublisherIds();
  }
  getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    return this.offers.getOffer(publisherId, offerId);
  }
  getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    return this.offers.getOfferVersion(publisherId, offerId, version);
  }
  listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    return this.offers.listOffers(publisherId, filter);
  }
  getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]> {
    return this.offers.getVersionSecrets(publisherId, offerId, version);
  }
  importOffer(snapshot: OfferSnapshot): Promise<void> {
    return this.offers.importOffer(snapshot);
  }

  // ---- drafts and the workflow ----
  saveDraft(
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
    audit: AuditContext,
  ): Promise<SaveDraftResult> {
    return this.offers.saveDraft(publisherId, offerId, condition, build, audit);
  }
  startPublish(
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
    audit: AuditContext,
  ): Promise<{ operation: OperationRecord; reused: boolean }> {
    return this.workflow.startPublish(publisherId, offerId, options, validate, audit);
  }
  startGoLive(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<OperationRecord> {
    return this.workflow.startGoLive(publisherId, offerId, options, audit);
  }
  cancelOperation(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<CancelResult> {
    return this.workflow.cancelOperation(publisherId, offerId, options, audit);
  }
  getOperation(publisherId: string, offerId: string, operationId: string): Promise<OperationRecord | null> {
    return this.workflow.getOperation(publisherId, offerId, operationId);
  }
  listOperations(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    return this.workflow.listOperations(publisherId, offerId);
  }
  listSubmissions(publisherId: string, offerId: string, status?: OperationStatus): Promise<SubmissionRecord[]> {
    return this.workflow.listSubmissions(publisherId, offerId, status);
  }
  operationsSinceLatestPublish(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    return this.workflow.operationsSinceLatestPublish(publisherId, offerId);
  }
  findOperationOfVersion(publisherId: string, offerId: string, type: OperationType, publishingVersion: number): Promise<OperationRecord | null> {
    return this.workflow.findOperationOfVersion(publisherId, offerId, type, publishingVersion);
  }
  claimDueStep(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedStep | null> {
    return this.workflow.claimDueStep(owner, nowMs, leaseMs);
  }
  finishStep(claim: ClaimedStep, outcome: StepOutcome, nowMs: number): Promise<boolean> {
    return this.workflow.finishStep(claim, outcome, nowMs);
  }
  nextDueMs(): Promise<number | null> {
    return this.workflow.nextDueMs();
  }
  rescheduleStep(operationId: string, position: number, dueMs: number): Promise<void> {
    return this.workflow.rescheduleStep(operationId, position, dueMs);
  }
  releaseLeases(owner: string): Promise<void> {
    return this.workflow.releaseLeases(owner);
  }

  // ---- identity ----
  ensureSetting(key: string, initial: () => string): Promise<string> {
    return this.identity.ensureSetting(key, initial);
  }
  ensureSigningKeys(create: () => Promise<SigningKey>): Promise<SigningKey[]> {
    return this.identity.ensureSigningKeys(create);
  }
  createApplication(application: Application): Promise<void> {
    return this.identity.createApplication(application);
  }
  findApplication(clientId: string): Promise<Application | null> {
    return this.identity.findApplication(clientId);
  }
  listApplications(publisherId: string): Promise<ApplicationMember[]> {
    return this.identity.listApplications(publisherId);
  }
  removeApplication(publisherId: string, clientId: string, audit?: AuditWrite): Promise<{ deleted: boolean } | null> {
    return this.identity.removeApplication(publisherId, clientId, audit);
  }
  listMembers(publisherId: string): Promise<Member[]> {
    return this.identity.listMembers(publisherId);
  }
  putMember(member: Member, audit?: AuditWrite): Promise<boolean> {
    return this.identity.putMember(member, audit);
  }
  removeMember(publisherId: string, tenantId: string, objectId: string, audit?: AuditWrite): Promise<boolean> {
    return this.identity.removeMember(publisherId, tenantId, objectId, audit);
  }
  findMemberGrants(tenantId: string, objectId: string): Promise<ReadonlyMap<string, Role>> {
    return this.identity.findMemberGrants(tenantId, objectId);
  }
  createAccessToken(token: NewAccessToken, audit?: AuditWrite): Promise<void> {
    return this.identity.createAccessToken(token, audit);
  }
  findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    return this.identity.findPrincipalByTokenHash(tokenHash);
  }
  listAccessTokens(): Promise<NewAccessToken[]> {
    return this.identity.listAccessTokens();
  }

  // ---- the sandbox ----
  async resetCatalog(options: { identities: boolean }, audit: AuditWrite): Promise<void> {
    await this.snapshots.resetCatalog(options, audit);
    this.dropCaches();
  }
  saveSnapshot(name: string, createdTime: string, audit: AuditWrite): Promise<SnapshotSummary> {
    return this.snapshots.saveSnapshot(name, createdTime, audit);
  }
  async restoreSnapshot(name: string, nowMs: number, audit: AuditWrite): Promise<boolean> {
    const restored = await this.snapshots.restoreSnapshot(name, nowMs, audit);
    this.dropCaches();
    return restored;
  }
  listSnapshots(): Promise<SnapshotSummary[]> {
    return this.snapshots.listSnapshots();
  }
  deleteSnapshot(name: string, audit: AuditWrite): Promise<boolean> {
    return this.snapshots.deleteSnapshot(name, audit);
  }
  /** A backend with caches that a reset or a restore could make wrong forgets them here. */
  dropCaches(): void {}

  // ---- webhooks ----
  createWebhook(webhook: Webhook, secret: string, audit: AuditWrite): Promise<void> {
    return this.webhooks.createWebhook(webhook, secret, audit);
  }
  getWebhook(id: string): Promise<Webhook | null> {
    return this.webhooks.getWebhook(id);
  }
  listWebhooks(publisherId?: string): Promise<Webhook[]> {
    return this.webhooks.listWebhooks(publisherId);
  }
  deleteWebhook(id: string, audit: AuditWrite): Promise<boolean> {
    return this.webhooks.deleteWebhook(id, audit);
  }
  listDeliveries(webhookId: string): Promise<DeliveryRecord[]> {
    return this.webhooks.listDeliveries(webhookId);
  }
  claimDelivery(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedDelivery | null> {
    return this.webhooks.claimDelivery(owner, nowMs, leaseMs);
  }
  finishDelivery(claim: ClaimedDelivery, attempt: DeliveryAttempt): Promise<boolean> {
    return this.webhooks.finishDelivery(claim, attempt);
  }
  nextDeliveryDueMs(): Promise<number | null> {
    return this.webhooks.nextDeliveryDueMs();
  }
  releaseDeliveryLeases(owner: string): Promise<void> {
    return this.webhooks.releaseDeliveryLeases(owner);
  }

  // ---- the audit trail ----
  recordAudit(write: AuditWrite): Promise<void> {
    return this.audit.recordAudit(write);
  }
  listAudit(filter: AuditFilter): Promise<StoredAuditRecord[]> {
    return this.audit.listAudit(filter);
  }
  pruneAudit(beforeMs: number): Promise<number> {
    return this.audit.pruneAudit(beforeMs);
  }

  // ---- the notifications outbox ----
  listOutbox(filter: { offerId?: string; to?: string; limit: number }): Promise<OutboxMessage[]> {
    return this.notifications.listOutbox(filter);
  }
}
