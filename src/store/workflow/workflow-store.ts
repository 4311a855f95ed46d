/**
 * The publishing workflow — operations, steps, leases — once for both backends. Each write loads the offer as it
 * stands (its row, locked, and the operation running on it), asks the state machine
 * (src/domain/publishing.ts) and writes what it decided; the step leases follow the rule in
 * ./statements.ts.
 */
import { type AuditContext, auditEntry, systemAudit } from '../../domain/audit.ts';
import type { OfferHeader } from '../../domain/offers.ts';
import type { OperationRecord, SubmissionRecord } from '../../domain/operations.ts';
import { type OfferState, type RunningOperation, decideCancel, decideGoLive, decidePublish, decideStepEnd } from '../../domain/publishing.ts';
import { etagFor, formatTicks, timestampAfter } from '../../domain/time.ts';
import { type EventType, endEventType, offerEvent } from '../../domain/events.ts';
import { type OperationStatus, type OperationType, operationSlot, statusOfOneOperation, stepsOf } from '../../domain/workflow.ts';
import { notificationFor } from '../../domain/notifications.ts';
import { enqueueNotification } from '../notifications/notification-store.ts';
import { enqueueEvent } from '../webhooks/webhook-store.ts';
import { recordAudit } from '../audit/audit-store.ts';
import { offerSql, type VersionRow } from '../offers/statements.ts';
import { type OfferRow, type OperationRow, type StepRow, toOfferHeader, toOperation } from '../rows.ts';
import type { SqlDatabase, SqlRunner } from '../sql/statement.ts';
import type { CancelResult, ClaimedStep, StartOperationOptions, StepOutcome } from '../store.ts';
import type { WorkflowGauges } from '../telemetry.ts';
import { type DueStepRow, workflowSql } from './statements.ts';

/**
 * A step's claim and end are told to no client: the worker goes on at COMMIT rather than after
 * the sync (SQLite, D90). A crash loses neither (the WAL is in the page cache); after a power loss
 * the step runs again from its last durable state, and every acknowledged write after it — a
 * go-live, a webhook delivery's claim — is synced with it, the WAL being ordered.
 */
const STEP_WRITE = { waitForDurability: false } as const;

/** What a new operation's row says besides its identity. */
interface NewOperation {
  id: string;
  publisherId: string;
  offerId: string;
  type: OperationType;
  publishingVersion: number;
  offerVersion: number;
  notificationEmails: string | null;
  draftEtag: string | null;
  targetOperationId: string | null;
  now: string;
  firstStep: StartOperationOptions['firstStep'];
}

function ticksOf(epochMs: number): string {
  return formatTicks(BigInt(epochMs) * 10_000n);
}

export class SqlWorkflowStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  startPublish(
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
    audit: AuditContext,
  ): Promise<{ operation: OperationRecord; reused: boolean }> {
    return this.#db.transact((tx) => this.startPublishIn(tx, publisherId, offerId, options, validate, audit));
  }

  /** startPublish's work inside a transaction of the caller's (a configure job's: `target` is its id, on the audit record). */
  async startPublishIn(
    tx: SqlRunner,
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    validate: (offer: OfferHeader, definitionJson: string) => void,
    audit: AuditContext,
    target: string | null = null,
  ): Promise<{ operation: OperationRecord; reused: boolean }> {
    const state = await offerState(tx, publisherId, offerId);
    const decision = decidePublish(state);
    if (decision.kind === 'reuse') return { operation: await operationRecord(tx, decision.operationId), reused: true };
    const offer = state.offer!;
    const draft = (await tx.get<VersionRow>(offerSql.version, publisherId, offerId, decision.freeze))!;
    validate(offer, draft.definition_json);
    const now = timestampAfter(offer.changedTime);
    await tx.run(offerSql.freezeVersion, publisherId, offerId, decision.freeze);
    await tx.run(offerSql.insertVersion, publisherId, offerId, decision.nextDraft, draft.definition_json, draft.changed_time, 0);
    await tx.run(offerSql.copySecrets, decision.nextDraft, publisherId, offerId, decision.freeze);
    const operation = await startOperation(tx, options, offer, { type: 'publish', version: decision.freeze, draftVersion: decision.nextDraft, now });
    await recordAudit(tx, audit, auditEntry('offer.publish', { ...auditedOffer(offer, now), operationId: operation.id, target }));
    return { operation, reused: false };
  }

  startGoLive(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<OperationRecord> {
    return this.#db.transact((tx) => this.startGoLiveIn(tx, publisherId, offerId, options, audit));
  }

  /** startGoLive's work inside a transaction of the caller's (a configure job's: `target` is its id, on the audit record). */
  async startGoLiveIn(
    tx: SqlRunner,
    publisherId: string,
    offerId: string,
    options: StartOperationOptions,
    audit: AuditContext,
    target: string | null = null,
  ): Promise<OperationRecord> {
    const state = await offerState(tx, publisherId, offerId);
    const { version } = decideGoLive(state);
    const offer = state.offer!;
    const now = timestampAfter(offer.changedTime);
    const operation = await startOperation(tx, options, offer, { type: 'golive', version, draftVersion: offer.version, now });
    await recordAudit(tx, audit, auditEntry('offer.golive', { ...auditedOffer(offer, now), operationId: operation.id, target }));
    return operation;
  }

  cancelOperation(publisherId: string, offerId: string, options: StartOperationOptions, audit: AuditContext): Promise<CancelResult> {
    return this.#db.transact(async (tx): Promise<CancelResult> => {
      const state = await offerState(tx, publisherId, offerId);
      const decision = decideCancel(state);
      const running = decision.operation;
      const now = timestampAfter(state.offer!.changedTime);
      // Either way the offer's ETag moves to `now`; the record names the operation canceled.
      await recordAudit(tx, audit, auditEntry('offer.cancel', { ...auditedOffer(state.offer!, now), operationId: running.id }));
      await tx.run(workflowSql.endOperation, 'canceled', null, now, running.id);
      await tx.run(workflowSql.cancelOpenSteps, running.id);
      if (decision.kind === 'stop') {
        await tx.run(workflowSql.endOperationOnOffer, 'canceled', now, etagFor(now), null, null, publisherId, offerId, running.id);
        const canceled = await operationRecord(tx, running.id);
        await tellOf(tx, 'operation.canceled', { publisherId, offerId, version: state.offer!.version, status: 'canceled', now }, canceled);
        return { kind: 'canceled', operation: canceled };
      }
      await insertOperation(tx, {
        id: options.operationId,
        publisherId,
        offerId,
        type: 'cancel',
        publishingVersion: running.publishingVersion,
        offerVersion: running.offerVersion,
        notificationEmails: running.notificationEmails,
        draftEtag: null,
        targetOperationId: running.id,
        now,
        firstStep: options.firstStep,
      });
      await tx.run(workflowSql.handOverOffer, options.operationId, now, etagFor(now), publisherId, offerId, running.id);
      const offerNow = { publisherId, offerId, version: state.offer!.version, status: 'running', now };
      await tellOf(tx, 'operation.canceled', offerNow, await operationRecord(tx, running.id));
      const cancel = await operationRecord(tx, options.operationId);
      await tellOf(tx, 'operation.started', offerNow, cancel);
      return { kind: 'canceling', operation: cancel };
    });
  }

  async getOperation(publisherId: string, offerId: string, operationId: string): Promise<OperationRecord | null> {
    const row = await this.#db.get<OperationRow>(workflowSql.operation, publisherId, offerId, operationId);
    return row ? toOperation(row, await this.#db.all<StepRow>(workflowSql.steps, row.id)) : null;
  }

  /** The offer's operations with only their blocked steps, newest first, optionally only those in one state. */
  async listSubmissions(publisherId: string, offerId: string, status?: OperationStatus): Promise<SubmissionRecord[]> {
    const rows =
      status === undefined
        ? await this.#db.all<OperationRow>(workflowSql.submissions, publisherId, offerId)
        : await this.#db.all<OperationRow>(workflowSql.submissionsInState, publisherId, offerId, status);
    // Only failed operations have a blocked step; a list without them (status=running) reads none.
    const blocked = status === undefined || status === 'failed' ? await this.#db.all<StepRow>(workflowSql.blockedSteps, publisherId, offerId) : [];
    return withSteps(rows, blocked).map(({ steps, ...summary }) => ({ ...summary, blockedSteps: steps }));
  }

  /** The latest publish and the operations after it, with their steps, oldest first (none before any publish). */
  async operationsSinceLatestPublish(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    const rows = await this.#db.all<OperationRow>(workflowSql.sinceLatestPublish, publisherId, offerId, publisherId, offerId);
    if (rows.length === 0) return [];
    const steps = await this.#db.all<StepRow>(workflowSql.stepsSinceLatestPublish, publisherId, offerId, publisherId, offerId);
    return withSteps(rows, steps);
  }

  /** The newest operation of `type` for publishing version `publishingVersion`. */
  async findOperationOfVersion(publisherId: string, offerId: string, type: OperationType, publishingVersion: number): Promise<OperationRecord | null> {
    const row = await this.#db.get<OperationRow>(workflowSql.operationOfVersion, publisherId, offerId, type, publishingVersion);
    return row ? toOperation(row, await this.#db.all<StepRow>(workflowSql.steps, row.id)) : null;
  }

  /** The offer's operations, oldest first, in two statements however long its history is. */
  async listOperations(publisherId: string, offerId: string): Promise<OperationRecord[]> {
    const rows = await this.#db.all<OperationRow>(workflowSql.operations, publisherId, offerId);
    if (rows.length === 0) return [];
    return withSteps(rows, await this.#db.all<StepRow>(workflowSql.stepsOfOffer, publisherId, offerId));
  }

  /** Takes the lease on the step due first, if any (the rule: ./statements.ts). */
  claimDueStep(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedStep | null> {
    return this.#db.transact(async (tx) => {
      const due = await tx.get<DueStepRow>(workflowSql.dueStep, nowMs, nowMs);
      if (!due) return null;
      const taken = await tx.run(workflowSql.takeLease, owner, nowMs + leaseMs, due.operation_id, due.position, nowMs, nowMs);
      if (taken === 0) return null;
      return { operation: await operationRecord(tx, due.operation_id), position: due.position, stepId: due.step_id, owner };
    }, STEP_WRITE);
  }

  /** Records a claimed step's outcome and moves the operation on; false if the lease was lost meanwhile. */
  finishStep(claim: ClaimedStep, outcome: StepOutcome, nowMs: number): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      // The offer's row first, as every other write locks it: no deadlock with a cancel.
      const offerRow = await tx.get<OfferRow>(offerSql.lockOffer, claim.operation.publisherId, claim.operation.offerId);
      const held = await tx.get(workflowSql.heldStep, claim.operation.id, claim.position, claim.owner);
      if (!held || !offerRow) return false; // lease lost, or canceled meanwhile
      const operation = await operationRecord(tx, claim.operation.id);
      const now = ticksOf(nowMs);
      const progress = outcome.status === 'blocked' ? 0 : 100;
      await tx.run(workflowSql.finishStep, outcome.status, progress, JSON.stringify(outcome.messages), operation.id, claim.position);
      const decision = decideStepEnd(operation, claim.position, outcome, nowMs);
      if (decision.kind === 'next') {
        await tx.run(workflowSql.startStep, now, decision.dueMs, operation.id, decision.position);
        await tx.run(workflowSql.touchOperation, now, operation.id);
        return true;
      }
      await tx.run(workflowSql.endOperation, decision.operationStatus, decision.error, now, operation.id);
      const changed = timestampAfter(offerRow.changed_time);
      await tx.run(
        workflowSql.endOperationOnOffer,
        decision.offerStatus,
        changed,
        etagFor(changed),
        decision.previewVersion,
        decision.productionVersion,
        operation.publisherId,
        operation.offerId,
        operation.id,
      );
      const offerNow = {
        publisherId: operation.publisherId,
        offerId: operation.offerId,
        version: offerRow.version,
        status: decision.offerStatus,
        now: changed,
      };
      await tellOf(tx, endEventType(decision.operationStatus), offerNow, { ...operation, status: decision.operationStatus, error: decision.error });
      await recordAudit(
        tx,
        systemAudit(nowMs),
        auditEntry('operation.end', {
          publisherId: operation.publisherId,
          offerId: operation.offerId,
          etagBefore: offerRow.etag,
          etagAfter: etagFor(changed),
          operationId: operation.id,
        }),
      );
      return true;
    }, STEP_WRITE);
  }

  async nextDueMs(): Promise<number | null> {
    return (await this.#db.get<{ due: number | null }>(workflowSql.nextDue))?.due ?? null;
  }

  async rescheduleStep(operationId: string, position: number, dueMs: number): Promise<void> {
    await this.#db.run(workflowSql.rescheduleStep, dueMs, operationId, position);
  }

  /** Read at scrape time: three small aggregates (operations by type and state, steps due, the outbox's sequence). */
  async workflowGauges(nowMs: number): Promise<WorkflowGauges> {
    const operations = await this.#db.all<{ type: OperationType; status: OperationStatus; count: number }>(workflowSql.operationCounts);
    const steps = await this.#db.get<{ waiting: number; oldest: number | null }>(workflowSql.stepsWaiting, nowMs);
    const kept = await this.#db.get<{ kept: number }>(workflowSql.notificationsKept);
    return {
      operations: operations.map((row) => ({ type: row.type, status: row.status, count: Number(row.count) })),
      stepsWaiting: Number(steps?.waiting ?? 0),
      oldestDueMs: steps?.oldest === null || steps?.oldest === undefined ? null : Number(steps.oldest),
      notifications: Number(kept?.kept ?? 0),
    };
  }

  async releaseLeases(owner: string): Promise<void> {
    await this.#db.run(workflowSql.releaseLeases, owner);
  }
}

/** The offer an operation's start or cancel changes: its ETag before, and after (at `now`). */
function auditedOffer(offer: OfferHeader, now: string) {
  return { publisherId: offer.publisherId, offerId: offer.id, etagBefore: offer.etag, etagAfter: etagFor(now) };
}

/**
 * Starts a publish or a go-live of `version` on the offer: the offer runs it (its draft then at
 * `draftVersion`), the operation and its steps are written, and the start is told of.
 */
async function startOperation(
  tx: SqlRunner,
  options: StartOperationOptions,
  offer: OfferHeader,
  start: { type: 'publish' | 'golive'; version: number; draftVersion: number; now: string },
): Promise<OperationRecord> {
  const { publisherId, id: offerId } = offer;
  const { now } = start;
  const etag = etagFor(now);
  const emails = options.notificationEmails ?? offer.notificationEmails;
  await tx.run(workflowSql.startOperationOnOffer, options.operationId, start.draftVersion, etag, now, emails, publisherId, offerId);
  await insertOperation(tx, {
    id: options.operationId,
    publisherId,
    offerId,
    type: start.type,
    publishingVersion: start.version,
    offerVersion: start.version,
    notificationEmails: emails,
    // A publish remembers the draft's ETag it started from: the same draft published again is the same publish (D30).
    draftEtag: start.type === 'publish' ? etag : null,
    targetOperationId: null,
    now,
    firstStep: options.firstStep,
  });
  const operation = await operationRecord(tx, options.operationId);
  await tellOf(tx, 'operation.started', { publisherId, offerId, version: start.draftVersion, status: 'running', now }, operation);
  return operation;
}

/**
 * Records an event about the offer as it now stands — for the webhooks that asked for it
 * (src/store/webhooks/) and, as the e-mail the hosted service would send, in the notifications
 * outbox (src/store/notifications/).
 */
async function tellOf(
  tx: SqlRunner,
  type: EventType,
  offer: { publisherId: string; offerId: string; version: number; status: string; now: string },
  operation: Pick<OperationRecord, 'id' | 'type' | 'publishingVersion' | 'notificationEmails'> & { status: OperationStatus; error?: string | null },
): Promise<void> {
  const email = notificationFor(type, offer, operation);
  if (email) await enqueueNotification(tx, email, { publisherId: offer.publisherId, offerId: offer.offerId, operationId: operation.id, time: offer.now });
  const header = {
    publisherId: offer.publisherId,
    id: offer.offerId,
    version: offer.version,
    status: offer.status,
    etag: etagFor(offer.now),
    changedTime: offer.now,
  };
  await enqueueEvent(
    tx,
    offerEvent(type, header as Parameters<typeof offerEvent>[1], {
      id: operation.id,
      type: operation.type,
      status: statusOfOneOperation(operation.status),
      publishingVersion: operation.publishingVersion,
    }),
  );
}

/** The offer as it stands (locked), and the operation running on it: what every workflow decision is made from. */
async function offerState(tx: SqlRunner, publisherId: string, offerId: string): Promise<OfferState> {
  const row = await tx.get<OfferRow>(offerSql.lockOffer, publisherId, offerId);
  let running: RunningOperation | null = null;
  if (row?.running_operation_id) {
    const operation = await operationRecord(tx, row.running_operation_id);
    const found = await tx.get<{ draft_etag: string | null }>(workflowSql.draftEtag, operation.id);
    running = { ...operation, draftEtag: found?.draft_etag ?? null };
  }
  return { publisherId, offerId, offer: row ? toOfferHeader(row) : null, running };
}

async function operationRecord(tx: SqlRunner, id: string): Promise<OperationRecord> {
  const row = await tx.get<OperationRow>(workflowSql.operationById, id);
  if (!row) throw new Error(`operation ${id} vanished`);
  return toOperation(row, await tx.all<StepRow>(workflowSql.steps, id));
}

/** The operation's row and its steps: the first in progress and due, the others not started. */
async function insertOperation(tx: SqlRunner, operation: NewOperation): Promise<void> {
  await tx.run(
    workflowSql.insertOperation,
    operation.id,
    operation.publisherId,
    operation.offerId,
    operation.type,
    'running',
    operation.publishingVersion,
    operation.offerVersion,
    operationSlot(operation.type),
    operation.notificationEmails,
    operation.draftEtag,
    operation.targetOperationId,
    null,
    operation.now,
    operation.now,
  );
  for (const [position, step] of stepsOf(operation.type).entries()) {
    const first = position === 0;
    await tx.run(
      workflowSql.insertStep,
      operation.id,
      position,
      step.id,
      first ? 'inProgress' : 'notStarted',
      0,
      '[]',
      first ? ticksOf(operation.firstStep.startedMs) : null,
      first ? operation.firstStep.dueMs : null,
    );
  }
}

/** Operations with their steps, read in one statement for all of them. */
function withSteps(rows: OperationRow[], steps: StepRow[]): OperationRecord[] {
  const byOperation = new Map<string, StepRow[]>();
  for (const step of steps) {
    const ofOperation = byOperation.get(step.operation_id);
    if (ofOperation) ofOperation.push(step);
    else byOperation.set(step.operation_id, [step]);
  }
  return rows.map((row) => toOperation(row, byOperation.get(row.id) ?? []));
}
