/**
 * The durable publishing engine. Operations and their steps live in the database; this loop
 * takes the lease on a step that is due, runs it, and records the outcome (which starts the next
 * step or ends the operation) in one transaction. A process killed mid-step leaves a lease that
 * expires; any instance — the restarted one, or another on the same database — then runs the
 * step again, so every operation reaches a terminal state. Steps are idempotent for that reason.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { CatalogStore, WorkflowStore } from '../store/store.ts';
import { DEFAULT_STEP_LEASE_MS, type StepDurations } from './durations.ts';
import { runStep } from './steps.ts';

export interface WorkflowOptions {
  durations: StepDurations;
  /** How long a claimed step stays ours without being finished. */
  leaseMs?: number;
  /** How often to look for work made by other processes. */
  pollMs?: number;
  instanceId?: string;
  logger?: Logger;
  /** When steps are due and leases expire (default: the system clock; a manual clock wakes the engine when moved). */
  clock?: Clock;
}

export class WorkflowEngine {
  readonly instanceId: string;
  readonly durations: StepDurations;
  readonly #store: WorkflowStore & CatalogStore;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  #stopListening: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(store: WorkflowStore & CatalogStore, options: WorkflowOptions) {
    this.#store = store;
    this.durations = options.durations;
    this.#leaseMs = options.leaseMs ?? DEFAULT_STEP_LEASE_MS;
    this.#pollMs = options.pollMs ?? 250;
    this.#logger = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#stopped = false;
    this.#stopListening = this.#clock.onJump?.(() => this.wake());
    this.wake();
  }

  /** When an operation's first step, `stepId`, starts and is due: now on the engine's clock, and after the step's duration. */
  firstStep(stepId: string): { startedMs: number; dueMs: number } {
    const startedMs = this.#clock.now();
    return { startedMs, dueMs: startedMs + this.durations(stepId) };
  }

  /** Looks for due work now (after an operation started or a step was scheduled). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), 0);
  }

  /** Stops taking work, waits for the step in hand, and gives up this instance's leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopListening?.();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await this.#store.releaseLeases(this.instanceId);
  }

  #tick(): Promise<void> {
    if (this.#running || this.#stopped) return this.#running ?? Promise.resolve();
    this.#running = this.#drain()
      .catch((error: unknown) => this.#logger?.error({ err: error }, 'workflow step failed; it will be retried'))
      .finally(() => {
        this.#running = undefined;
        void this.#scheduleNext();
      });
    return this.#running;
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const claim = await this.#store.claimDueStep(this.instanceId, this.#clock.now(), this.#leaseMs);
      if (!claim) return;
      const outcome = await runStep(this.#store, claim, this.#clock.now(), this.durations);
      const recorded = await this.#store.finishStep(claim, outcome, this.#clock.now());
      this.#logger?.debug({ operation: claim.operation.id, step: claim.stepId, status: outcome.status, recorded }, 'workflow step');
    }
  }

  async #scheduleNext(): Promise<void> {
    if (this.#stopped) return;
    let delay = this.#pollMs;
    try {
      const due = await this.#store.nextDueMs();
      if (due !== null) delay = Math.max(0, Math.min(delay, due - this.#clock.now()));
    } catch (error) {
      this.#logger?.error({ err: error }, 'could not read the workflow schedule');
    }
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delay);
  }
}
