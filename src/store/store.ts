/**
 * The storage interface. Every backend (embedded SQLite, PostgreSQL) implements it, and the
 * same test suite runs against each. Reads return what the wire needs — document text exactly
 * as served — so the HTTP layer never re-serialises documents.
 *
 * A backend may cache reads, but a read must never return data older than the last write
 * committed before the read began, whichever process or instance made that write.
 */
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../domain/offers.ts';
import type { OfferStatus } from '../domain/offer-status.ts';
import type { Publisher } from '../domain/publishers.ts';
import type { Role } from '../domain/roles.ts';
import type { SecretValue } from '../domain/secret-fields.ts';
import type { OperationRecord, SubmissionRecord } from '../domain/operations.ts';
import type { OperationStatus, OperationType } from '../domain/workflow.ts';
import type { EventType } from '../domain/events.ts';
import type { CacheCount, DatabaseObserver, PoolStats, WorkflowGauges } from './telemetry.ts';
import type { AuditContext, AuditWrite } from '../domain/audit.ts';
import type { AuditFilter, StoredAuditRecord } from './audit/audit-store.ts';
export type { AuditContext, AuditFilter, AuditWrite, StoredAuditRecord };

import type { CurrentDraft, DraftContent, WriteCondition } from '../domain/drafts.ts';
export type { CurrentDraft, DraftContent, WriteCondition };

export interface SaveDraftResult {
  created: boolean;
  offer: OfferHeader;
  document: OfferVersionDocument;
}

export interface StartOperationOptions {
  operationId: string;
  notificationEmails: string | null;
  /** When the operation's first step starts (now) and is due (now plus its duration), epoch ms on the server's clock. */
  firstStep: { startedMs: number; dueMs: number };
}

export type CancelResult = { kind: 'canceled'; operation: OperationRecord } | { kind: 'canceling'; operation: OperationRecord };

/** A step this instance holds the lease on, due to finish now. */
export interface ClaimedStep {
  operation: OperationRecord;
  position: number;
  stepId: string;
  owner: string;
}

/** What running a step decided. */
export type { StepOutcome } from '../domain/publishing.ts';
import type { StepOutcome } from '../domain/publishing.ts';

export interface Principal {
  /** Stable id of the caller (the access token's id). Never the token itself. */
  id: string;
  /** Publisher id → role on that publisher. */
  grants: ReadonlyMap<string, Role>;
  /** Epoch milliseconds after which the principal must be looked up again (token expiry). */
  expiresAt: number | null;
  /** The sandbox admin token: may use the sandbox controls, and nothing else. */
  sandboxAdmin?: boolean;
  /** A JWT's service principal (`id` is `<tenantId>/<objectId>`), not an opaque access token. */
  servicePrincipal?: boolean;
  /** The access token's description, as the audit trail names the caller. */
  displayName?: string | null;
}

/** A publisher member: a service principal (tenant + object id) holding a role. */
export interface Member {
  publisherId: string;
  tenantId: string;
  objectId: string;
  role: Role;
  displayName: string;
  createdAt: string;
}

/** A key the built-in token service signs with. The private half is sealed at rest. */
export interface SigningKey {
  kid: string;
  algorithm: 'RS256' | 'ES256';
  publicJwk: string;
  privateJwk: string;
  createdAt: string;
}

/** An application registered with the built-in token service (client-credentials flow). */
export interface Application {
  clientId: string;
  tenantId: string;
  /** Object id of its service principal: the `oid` of the tokens it gets. */
  objectId: string;
  displayName: string;
  /** scrypt hash of the client secret; the secret itself is never stored. */
  secretHash: string;
  createdAt: string;
}

/** An application whose service principal is a member of a publisher, with its role there. Never its secret hash. */
export interface ApplicationMember {
  clientId: string;
  tenantId: string;
  objectId: string;
  displayName: string;
  /** Its service principal's role on the publisher. */
  role: Role;
  /** When the application was registered. */
  createdAt: string;
}

export interface NewAccessToken {
  id: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  tokenHash: string;
  description: string;
  grants: ReadonlyArray<{ publisherId: string; role: Role }>;
  createdAt: string;
  expiresAt: string | null;
  /** The sandbox admin token (it has no grants). */
  sandboxAdmin?: boolean;
}

/** A whole offer with its history, as loaded by the demo data and store migration. */
export interface OfferSnapshot {
  publisherId: string;
  id: string;
  offerTypeId: string;
  status: OfferStatus;
  previewVersion: number | null;
  productionVersion: number | null;
  changedTime: string;
  createdTime: string;
  /** Versions 1..n in order; the last one is the draft. Definitions may still hold secret values. */
  versions: ReadonlyArray<{ version: number; definition: Record<string, unknown>; changedTime: string }>;
  /** Finished operations (the publishing history), oldest first. */
  operations?: ReadonlyArray<Omit<OperationRecord, 'publisherId' | 'offerId' | 'offerTypeId'>>;
  notificationEmails?: string | null;
}

export type { OperationType };

/**
 * The store, by concern: what a caller needs is one of these (the catalog, the workflow, identity);
 * `Store` is all of them, as each backend implements it.
 */
export interface Store extends CatalogStore, WorkflowStore, IdentityStore, SandboxStore, WebhookStore, NotificationStore, IngestionStore, AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Brings the schema up to date. Safe to call on every start, from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Null when the database answers and its schema is this version's; otherwise why not (the readiness check). */
  readiness(): Promise<string | null>;
  /** Times every statement and transaction from now on (the metrics). */
  observe(observer: DatabaseObserver): void;
  /** Hits and misses of the backend's read caches. */
  cacheCounts(): CacheCount[];
  /** The PostgreSQL pool's connections; null on the embedded store. */
  poolStats(): PoolStats | null;
  /** Operations by type and state, the steps waiting, the notifications kept: read now, for a scrape. */
  workflowGauges(nowMs: number): Promise<WorkflowGauges>;
}

/**
 * When a request began, as the store counts it (D85). Reads given one mark may share a single
 * freshness check (PostgreSQL: one change-counter query) and each still reflects every write
 * acknowledged — by any instance — before the mark was taken. A read without a mark is fresh as
 * of its own start. The embedded store is always fresh and ignores marks.
 */
export type ReadMark = number;

/** Publishers, offers and their versions. */
export interface CatalogStore {
  /** A mark for the reads of a request about to begin (stores without a shared cache have none). */
  readMark?(): ReadMark;

  // publishers
  createPublisher(publisher: Publisher): Promise<boolean>;
  getPublisher(id: string): Promise<Publisher | null>;
  /** Publishers with the given ids (those that exist), ordered by id. */
  listPublishers(ids: readonly string[]): Promise<Publisher[]>;
  /** Every publisher id, ordered (for copying a whole store). */
  listAllPublisherIds(): Promise<string[]>;

  // offers
  getOffer(publisherId: string, offerId: string, mark?: ReadMark): Promise<OfferHeader | null>;
  getOfferVersion(publisherId: string, offerId: string, version: number, mark?: ReadMark): Promise<OfferVersionDocument | null>;
  listOffers(publisherId: string, filter: OfferListFilter, mark?: ReadMark): Promise<OfferHeader[]>;
  /** Secret values of one version, decrypted. Never served; used to carry secrets across edits. */
  getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]>;
  /** Writes a complete offer with its versions; fails if the offer exists. */
  importOffer(snapshot: OfferSnapshot): Promise<void>;
}

/**
 * Drafts and the publishing workflow: every method is one atomic transaction that loads the
 * offer's rows, asks the rules (src/domain/drafts.ts, src/domain/publishing.ts) and applies
 * their decision.
 */
export interface WorkflowStore {
  /**
   * Creates or replaces the draft. `build` runs inside the transaction on the current draft (or
   * null when the offer does not exist) and returns the new content; the condition is checked
   * atomically (409 when creating over an existing offer, 412 on an ETag mismatch).
   */
  saveDraft(
    publisherId: string,
    offerId: string,
    condition: WriteCondition,
    build: (current: CurrentDraft | null) => DraftContent,
    audit: AuditContext,
  ): Promise<SaveDraftResult>;
  /**
   * Freezes the draft and starts a publish. `validate` runs inside the transaction on the draft
   * (throws 422). An identical re-publish while the same version publishes returns the running
   * operation with `reused: true`; anything else while an operation runs is a 409.
   */
  startPublish(
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
    audit: AuditContext,
  ): Promise<{ operation: OperationRecord; reused: boolean }>;
  /** Starts a go-live of the Preview version (409 when there is none or something runs). */
  startGoLive(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<OperationRecord>;
  /** Cancels the running operation: at once, or (a go-live) through a cancel operation. */
  cancelOperation(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<CancelResult>;
  getOperation(publisherId: string, offerId: string, operationId: string): Promise<OperationRecord | null>;
  /** The offer's operations, oldest first: its publishing history. */
  listOperations(publisherId: string, offerId: string): Promise<OperationRecord[]>;
  /** The submissions list: operations without steps, newest first, optionally in one state only. */
  listSubmissions(publisherId: string, offerId: string, status?: OperationStatus): Promise<SubmissionRecord[]>;
  /** What the offer's status shows: its latest publish and the operations after it, oldest first. */
  operationsSinceLatestPublish(publisherId: string, offerId: string): Promise<OperationRecord[]>;
  /** The newest operation of a type for one publishing version (the legacy operation id). */
  findOperationOfVersion(publisherId: string, offerId: string, type: OperationType, publishingVersion: number): Promise<OperationRecord | null>;
  /** Takes the lease on one step that is due, if any. */
  claimDueStep(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedStep | null>;
  /** Records a claimed step's outcome and moves the operation on (an operation's end is audited as the system's); false if the lease was lost. */
  finishStep(claim: ClaimedStep, outcome: StepOutcome, nowMs: number): Promise<boolean>;
  /** Epoch ms when a step can next be claimed (due, and its lease, if any, expired), or null when nothing runs. */
  nextDueMs(): Promise<number | null>;
  /** Makes a running step due at `dueMs` and frees its lease (a step held, or let go again). */
  rescheduleStep(operationId: string, position: number, dueMs: number): Promise<void>;
  /** Gives up this instance's leases (graceful shutdown), so another can continue at once. */
  releaseLeases(owner: string): Promise<void>;
}

import type { ClaimedJob, IngestionJobRecord, JobCatalog, JobChanges, NewIngestionJob } from './ingestion/job-store.ts';
export type { ClaimedJob, IngestionJobRecord, JobCatalog, JobChanges, NewIngestionJob };

/** Configure jobs of the product-ingestion face (src/store/ingestion/job-store.ts). */
export interface IngestionStore {
  createIngestionJob(job: NewIngestionJob, audit: AuditWrite): Promise<void>;
  getIngestionJob(id: string): Promise<IngestionJobRecord | null>;
  /** Takes the lease on the oldest job that waits, or whose runner's lease expired. */
  claimIngestionJob(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedJob | null>;
  /** Runs the job's work and applies its changes with the job's end, in one transaction; false when the job is no longer the runner's. */
  applyIngestionJob(claim: ClaimedJob, jobEnd: string, work: (catalog: JobCatalog) => Promise<JobChanges>, audit: AuditContext): Promise<boolean>;
  failIngestionJob(claim: ClaimedJob, errorsJson: string, jobEnd: string): Promise<boolean>;
  /** Cancels a job that has applied nothing yet; false when it has ended or runs on as an operation. */
  cancelIngestionJob(id: string, jobEnd: string, audit: AuditWrite): Promise<boolean>;
  releaseIngestionJobs(owner: string): Promise<void>;
}

/** The token service's tenant and keys, applications, members, and opaque access tokens. */
export interface IdentityStore {
  /** A setting, created with `initial` if absent (atomically: every instance gets the same value). */
  ensureSetting(key: string, initial: () => string): Promise<string>;
  /** The signing keys, oldest first; when there are none, `create` makes the first (atomically). */
  ensureSigningKeys(create: () => Promise<SigningKey>): Promise<SigningKey[]>;
  /** Registers an application; its memberships (putMember) record its creation in the audit trail. */
  createApplication(application: Application): Promise<void>;
  findApplication(clientId: string): Promise<Application | null>;
  /** The applications whose service principal is a member of the publisher, oldest first. */
  listApplications(publisherId: string): Promise<ApplicationMember[]>;
  /**
   * Ends the membership of an application's service principal in a publisher and, in the same
   * transaction, deletes the application when that leaves it a member of no publisher. Null (and
   * nothing changed) when the application does not exist or is no member of that publisher.
   */
  removeApplication(publisherId: string, clientId: string, audit?: AuditWrite): Promise<{ deleted: boolean } | null>;
  listMembers(publisherId: string): Promise<Member[]>;
  /** Adds or changes a member; true when it was added. */
  putMember(member: Member, audit?: AuditWrite): Promise<boolean>;
  /** Removes a member; false (and nothing recorded) when there was none. */
  removeMember(publisherId: string, tenantId: string, objectId: string, audit?: AuditWrite): Promise<boolean>;
  /** A service principal's roles, by publisher. */
  findMemberGrants(tenantId: string, objectId: string, mark?: ReadMark): Promise<ReadonlyMap<string, Role>>;

  // access tokens
  /** `audit`: absent only when a token is copied between stores (it was created, and recorded, before). */
  createAccessToken(token: NewAccessToken, audit?: AuditWrite): Promise<void>;
  /** The grants and expiry of an access token that is not revoked (whether it has expired, the authenticator decides). */
  findPrincipalByTokenHash(tokenHash: string, mark?: ReadMark): Promise<Principal | null>;
  /** Every access token (hashes only) with its grants, for copying a whole store. */
  listAccessTokens(): Promise<NewAccessToken[]>;
}

/** A saved snapshot of the catalog. */
export interface SnapshotSummary {
  name: string;
  createdTime: string;
  /** Bytes the snapshot takes. */
  size: number;
}

/** The sandbox's reset and snapshots of the catalog (src/store/sandbox/snapshot-store.ts). */
export interface SandboxStore {
  /** Empties the catalog; with `identities`, also publishers, members, applications and every token but sandbox admin tokens. */
  resetCatalog(options: { identities: boolean }, audit: AuditWrite): Promise<void>;
  saveSnapshot(name: string, createdTime: string, audit: AuditWrite): Promise<SnapshotSummary>;
  /** False (and nothing recorded) when there is no snapshot of that name. */
  restoreSnapshot(name: string, nowMs: number, audit: AuditWrite): Promise<boolean>;
  listSnapshots(): Promise<SnapshotSummary[]>;
  deleteSnapshot(name: string, audit: AuditWrite): Promise<boolean>;
  /** Forgets what this instance cached of the catalog (after a reset or a restore replaced it). */
  dropCaches(): void;
}

/** A subscription to a publisher's events, delivered to `url`. Its secret is sealed at rest and never shown. */
export interface Webhook {
  id: string;
  publisherId: string;
  url: string;
  events: EventType[];
  createdTime: string;
}

export interface DeliveryRecord {
  id: string;
  event: EventType;
  offerId: string;
  /** Its place among the deliveries of this webhook about this offer (1, 2, …): the order they go out in. */
  sequence: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  firstAttemptTime: string | null;
  deliveredTime: string | null;
  nextAttemptTime: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

/** A delivery this instance holds the lease on: what to send, where, signed with what. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: EventType;
  body: string;
  url: string;
  secret: string;
  attempts: number;
  firstAttemptMs: number;
  owner: string;
}

export type DeliveryAttempt =
  { kind: 'delivered'; status: number; atMs: number } | { kind: 'failed'; status?: number; error: string; nextAttemptMs: number; giveUp: boolean };

/** Webhooks and the durable outbox of their deliveries (src/store/webhooks/webhook-store.ts). */
export interface WebhookStore {
  createWebhook(webhook: Webhook, secret: string, audit: AuditWrite): Promise<void>;
  getWebhook(id: string): Promise<Webhook | null>;
  listWebhooks(publisherId?: string): Promise<Webhook[]>;
  deleteWebhook(id: string, audit: AuditWrite): Promise<boolean>;
  listDeliveries(webhookId: string): Promise<DeliveryRecord[]>;
  claimDelivery(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedDelivery | null>;
  finishDelivery(claim: ClaimedDelivery, attempt: DeliveryAttempt): Promise<boolean>;
  nextDeliveryDueMs(): Promise<number | null>;
  releaseDeliveryLeases(owner: string): Promise<void>;
}

/** The audit trail (src/store/audit/audit-store.ts): writes record into it in their own transactions. */
export interface AuditStore {
  /** Records a write that has no transaction to share (the sandbox's fault rules and clock live in memory). */
  recordAudit(write: AuditWrite): Promise<void>;
  /** Newest first. */
  listAudit(filter: AuditFilter): Promise<StoredAuditRecord[]>;
  /** Deletes the records older than `beforeMs` (epoch ms); answers how many. */
  pruneAudit(beforeMs: number): Promise<number>;
}

/** An e-mail the hosted service would have sent, kept in the outbox. */
export interface OutboxMessage {
  id: string;
  time: string;
  to: string[];
  subject: string;
  text: string;
  publisherId: string;
  offerId: string;
  operationId: string;
}

/** The notifications outbox (src/store/notifications/notification-store.ts). */
export interface NotificationStore {
  listOutbox(filter: { offerId?: string; to?: string; limit: number }): Promise<OutboxMessage[]>;
}
