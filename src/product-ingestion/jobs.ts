/**
 * The runner of configure jobs: like the workflow engine (src/workflow/engine.ts), it takes the
 * lease on a job that waits, runs it, and records its end in the same transaction as its changes.
 * A process killed mid-job leaves a lease that expires; any instance then runs the job again from
 * the start — nothing of it was applied, since its changes commit only with its end. A submission
 * job hands over to the workflow engine: its operation carries the job's id, and its state is the
 * job's from then on.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.ts';
import { ApiError } from '../domain/errors.ts';
import type { WorkflowEngine } from '../workflow/engine.ts';
import type { ClaimedJob, Store } from '../store/store.ts';
import { jobError } from './errors.ts';
import { productGuid } from './ids.ts';
import { JobFailure, jobErrorsOf, planJob, type StoredRequest, ticksOf } from './configure.ts';
import { systemAudit } from '../domain/audit.ts';

export const DEFAULT_JOB_LEASE_MS = 30_000;

export interface JobRunnerOptions {
  workflow: WorkflowEngine;
  clock?: Clock;
  leaseMs?: number;
  pollMs?: number;
  logger?: Logger | undefined;
  instanceId?: string;
}

export class IngestionJobRunner {
  readonly instanceId: string;
  readonly #store: Store;
  readonly #workflow: WorkflowEngine;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(store: Store, options: JobRunnerOptions) {
    this.#store = store;
    this.#workflow = options.workflow;
    this.#clock = options.clock ?? systemClock;
    this.#leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.#pollMs = options.pollMs ?? 250;
    this.#logger = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Looks for waiting jobs now (a job was just made). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await this.#store.releaseIngestionJobs(this.instanceId);
  }

  #tick(): void {
    if (this.#running || this.#stopped) return;
    this.#again = false;
    this.#running = this.#drain()
      .catch((error: unknown) => this.#logger?.error({ err: error }, 'configure job failed; it will be retried'))
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        this.#timer = setTimeout(() => void this.#tick(), this.#again ? 0 : this.#pollMs);
      });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const claim = await this.#store.claimIngestionJob(this.instanceId, this.#clock.now(), this.#leaseMs);
      if (!claim) return;
      await this.run(claim);
    }
  }

  /** Runs one claimed job to its end (or its hand-over to the workflow engine). */
  async run(claim: ClaimedJob): Promise<void> {
    const request = JSON.parse(claim.requestJson) as StoredRequest;
    // One time for the job's work and its end: a deprecation's date counts from the jobEnd clients read.
    const now = this.#clock.now();
    const context = {
      jobId: claim.id,
      publisherId: claim.publisherId,
      now,
      firstStep: (kind: 'publish' | 'golive', offerId: string) => this.#workflow.firstStep(kind, claim.publisherId, offerId, claim.id),
    };
    let submissionId: string | undefined;
    try {
      // The runner's writes are the system's; the job's id on each record leads to the request that asked (configure.create).
      const applied = await this.#store.applyIngestionJob(
        claim,
        ticksOf(now),
        async (catalog) => {
          const changes = await planJob(request, context, catalog);
          submissionId = changes.submission?.offerId;
          return changes;
        },
        systemAudit(now),
      );
      if (applied) this.#workflow.wake();
    } catch (error) {
      let failures;
      if (error instanceof JobFailure) failures = error.errors;
      else if (error instanceof ApiError && error.status < 500)
        failures = jobErrorsOf(error, submissionId === undefined ? undefined : `product/${productGuid(claim.publisherId, submissionId)}`);
      else {
        this.#logger?.error({ err: error, job: claim.id }, 'configure job failed');
        failures = [jobError('internalServerError', 'Operation failed', undefined, [])];
      }
      await this.#store.failIngestionJob(claim, JSON.stringify(failures), ticksOf(this.#clock.now()));
    }
  }
}
