/**
 * Configure jobs of the product-ingestion face, once for both backends. A job's changes are
 * applied in ONE transaction with its end: the drafts of every product it touches (through the
 * catalog's own draft write) and, for a submission, the start of the publish or go-live (through
 * the workflow's own rules). Whatever the job's work throws rolls all of it back; the job then
 * ends `failed` in a transaction of its own, having changed nothing.
 */
import type { AuditContext, AuditWrite } from '../../domain/audit.ts';
import type { OfferHeader } from '../../domain/offers.ts';
import type { OperationRecord } from '../../domain/operations.ts';
import { offerSql, type VersionRow } from '../offers/statements.ts';
import type { SqlOfferStore } from '../offers/offer-store.ts';
import { type OfferRow, toOfferHeader } from '../rows.ts';
import type { SecretBox } from '../secret-box.ts';
import type { SqlDatabase, SqlRunner } from '../sql/statement.ts';
import type { CurrentDraft, DraftContent, StartOperationOptions } from '../store.ts';
import type { SqlWorkflowStore } from '../workflow/workflow-store.ts';
import { recordAuditWrite } from '../audit/audit-store.ts';
import { ingestionSql, type JobRow } from './statements.ts';

export interface IngestionJobRecord {
  id: string;
  publisherId: string;
  /** The product the job's submission is about (set once applied). */
  offerId: string | null;
  status: 'notStarted' | 'running' | 'completed';
  result: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  requestJson: string;
  errorsJson: string;
  detailJson: string | null;
  jobStart: string;
  jobEnd: string | null;
  createdMs: number;
  /** The workflow operation a submission job became: its state is the job's from then on. */
  operationId: string | null;
}

export interface NewIngestionJob {
  id: string;
  publisherId: string;
  requestJson: string;
  jobStart: string;
  createdMs: number;
}

/** What a job's work reads of the catalog, inside its transaction (rows locked). */
export interface JobCatalog {
  offer(publisherId: string, offerId: string): Promise<{ header: OfferHeader; draft: string; preview: string | null; production: string | null } | null>;
  offers(publisherId: string): Promise<OfferHeader[]>;
}

/** What a job's work decided: drafts to write, at most one submission to start, the detail to keep. */
export interface JobChanges {
  drafts: Array<{ publisherId: string; offerId: string; build: (current: CurrentDraft | null) => DraftContent }>;
  submission?: {
    kind: 'publish' | 'golive';
    publisherId: string;
    offerId: string;
    options: StartOperationOptions;
    validate: (offer: OfferHeader, definitionJson: string) => void;
  };
  /** The configure-detail resources, once the changes are written (ids filled in). */
  detail: () => Promise<unknown[]> | unknown[];
}

export type ClaimedJob = IngestionJobRecord & { owner: string };

/** A job's row as the runner and the routes see it; the request (which may hold secret values) is sealed at rest. */
export function toJob(row: JobRow, secrets: SecretBox): IngestionJobRecord {
  return {
    id: row.id,
    publisherId: row.publisher_id,
    offerId: row.offer_id,
    status: row.status as IngestionJobRecord['status'],
    result: row.result as IngestionJobRecord['result'],
    requestJson: secrets.open(row.request_json),
    errorsJson: row.errors_json,
    detailJson: row.detail_json,
    jobStart: row.job_start,
    jobEnd: row.job_end,
    createdMs: Number(row.created_ms),
    operationId: row.operation_id,
  };
}

export class SqlIngestionStore {
  readonly #db: SqlDatabase;
  readonly #offers: SqlOfferStore;
  readonly #workflow: SqlWorkflowStore;
  readonly #secrets: SecretBox;

  constructor(db: SqlDatabase, offers: SqlOfferStore, workflow: SqlWorkflowStore, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
    this.#offers = offers;
    this.#workflow = workflow;
  }

  async createIngestionJob(job: NewIngestionJob, audit: AuditWrite): Promise<void> {
    await this.#db.transact(async (tx) => {
      await tx.run(ingestionSql.insertJob, job.id, job.publisherId, null, this.#secrets.seal(job.requestJson), job.jobStart, job.createdMs);
      await recordAuditWrite(tx, audit);
    });
  }

  async getIngestionJob(id: string): Promise<IngestionJobRecord | null> {
    const row = await this.#db.get<JobRow>(ingestionSql.job, id);
    return row ? toJob(row, this.#secrets) : null;
  }

  /** Takes the lease on the oldest job that waits (or whose runner died), marking it running. */
  async claimIngestionJob(owner: string, nowMs: number, leaseMs: number): Promise<ClaimedJob | null> {
    if (!(await this.#db.get(ingestionSql.anyDueJob, nowMs))) return null;
    return this.#db.transact(async (tx) => {
      const due = await tx.get<{ id: string }>(ingestionSql.dueJob, nowMs);
      if (!due) return null;
      const taken = await tx.run(ingestionSql.takeJob, owner, nowMs + leaseMs, due.id, nowMs);
      if (taken === 0) return null;
      return { ...toJob((await tx.get<JobRow>(ingestionSql.job, due.id))!, this.#secrets), owner };
    });
  }

  /**
   * Runs the job's work and applies what it decided, with the job's end, in one transaction.
   * False when the job is no longer this runner's (canceled, or taken over): nothing is applied.
   * Its offer writes are audited with `audit` (the runner's: the system), naming the job.
   */
  applyIngestionJob(claim: ClaimedJob, jobEnd: string, work: (catalog: JobCatalog) => Promise<JobChanges>, audit: AuditContext): Promise<boolean> {
    return this.#db.transact(
      async (tx) => {
        const row = await tx.get<JobRow>(ingestionSql.lockJob, claim.id);
        if (!row || row.lease_owner !== claim.owner || row.status === 'completed') return false;
        const changes = await work(catalogIn(tx));
        for (const draft of changes.drafts) await this.#offers.writeDraft(tx, draft.publisherId, draft.offerId, { kind: 'any' }, draft.build, audit, claim.id);
        let operation: OperationRecord | null = null;
        const submission = changes.submission;
        if (submission?.kind === 'publish') {
          const { publisherId, offerId, options, validate } = submission;
          operation = (await this.#workflow.startPublishIn(tx, publisherId, offerId, options, validate, audit, claim.id)).operation;
        } else if (submission?.kind === 'golive') {
          operation = await this.#workflow.startGoLiveIn(tx, submission.publisherId, submission.offerId, submission.options, audit, claim.id);
        }
        const detail = JSON.stringify(await changes.detail());
        // A submission job runs on as its operation (running until that ends); a draft job ends here.
        const ended = operation === null;
        await tx.run(
          ingestionSql.finishJob,
          ended ? 'completed' : 'running',
          ended ? 'succeeded' : 'pending',
          '[]',
          detail,
          ended ? jobEnd : null,
          submission?.offerId ?? null,
          operation?.id ?? null,
          claim.id,
          claim.owner,
        );
        return true;
      },
      // A product the job creates may be created at the same moment by a CPP PUT: the job then runs again, on it.
      { retryOnDuplicateKey: true },
    );
  }

  /** Ends a job `failed` with its errors (nothing of it was applied); false when it is no longer this runner's. */
  async failIngestionJob(claim: ClaimedJob, errorsJson: string, jobEnd: string): Promise<boolean> {
    const changed = await this.#db.run(ingestionSql.finishJob, 'completed', 'failed', errorsJson, '[]', jobEnd, null, null, claim.id, claim.owner);
    return changed > 0;
  }

  /** Cancels a job that has not applied anything yet; false when it has ended or runs on as an operation. */
  cancelIngestionJob(id: string, jobEnd: string, audit: AuditWrite): Promise<boolean> {
    return this.#db.transact(async (tx) => {
      if ((await tx.run(ingestionSql.cancelJob, jobEnd, id)) === 0) return false;
      await recordAuditWrite(tx, audit);
      return true;
    });
  }

  async releaseIngestionJobs(owner: string): Promise<void> {
    await this.#db.run(ingestionSql.releaseJobs, owner);
  }
}

function catalogIn(tx: SqlRunner): JobCatalog {
  const definition = async (publisherId: string, offerId: string, version: number | null) =>
    version === null ? null : ((await tx.get<VersionRow>(offerSql.version, publisherId, offerId, version))?.definition_json ?? null);
  return {
    async offer(publisherId, offerId) {
      const row = await tx.get<OfferRow>(offerSql.lockOffer, publisherId, offerId);
      if (!row) return null;
      const header = toOfferHeader(row);
      return {
        header,
        draft: (await definition(publisherId, offerId, header.version))!,
        preview: await definition(publisherId, offerId, header.previewVersion),
        production: await definition(publisherId, offerId, header.productionVersion),
      };
    },
    async offers(publisherId) {
      return (await tx.all<OfferRow>(offerSql.offers, publisherId)).map(toOfferHeader);
    },
  };
}
