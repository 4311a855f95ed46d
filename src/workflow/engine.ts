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
import { type OperationType, type StepTarget, stepsOf } from '../domain/workflow.ts';
import type { CatalogStore, ClaimedStep, WorkflowStore } from '../store/store.ts';
import { DEFAULT_STEP_LEASE_MS, type StepDurations } from './durations.ts';
import { failedStep, runStep } from './steps.ts';

/** What may change a step on its way (the sandbox's fault rules, src/sandbox/faults.ts). */
export interface StepInterventions {
  /** A step fell due: fail it with these messages, hold it, or let it run. */
  atStepDue(target: StepTarget): { fail: string[] } | { hold: true } | undefined;
  /** The duration of a step about to start, when something sets it. */
  durationOf(target: StepTarget): number | undefined;
}

/** A held step is looked at again this often (and at once when its hold is lifted). */
const HOLD_RECHECK_MS = 1000;

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
  interventions?: StepInterventions;
}

export class WorkflowEngine {
  readonly instanceId: string;
  #durations: StepDurations;
  readonly #interventions: StepInterventions | undefined;
  readonly #store: WorkflowStore & CatalogStore;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  #stopListening: (() => void) | undefined;
  #onStepRecorded: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(store: WorkflowStore & CatalogStore, options: WorkflowOptions) {
    this.#store = store;
    this.#durations = options.durations;
    this.#interventions = options.interventions;
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

  /** Workflow time: when steps are due, and how far along they are. */
  now(): number {
    return this.#clock.now();
  }

  get durations(): StepDurations {
    return this.#durations;
  }

  /** How long steps take from now on (steps already running keep their due time). */
  setDurations(durations: StepDurations): void {
    this.#durations = durations;
  }

  /** When the first step of a new `operation` on an offer starts and is due: now, and after the step's duration. */
  firstStep(operation: OperationType, publisherId: string, offerId: string, operationId: string): { startedMs: number; dueMs: number } {
    const startedMs = this.#clock.now();
    const stepId = stepsOf(operation)[0]!.id;
    return { startedMs, dueMs: startedMs + this.#durationOf({ publisherId, offerId, operationId, operation, stepId, position: 0 }) };
  }

  /** Calls `listener` after each step's outcome is recorded (its events are committed then). */
  onStepRecorded(listener: () => void): void {
    this.#onStepRecorded = listener;
  }

  /** Held steps (`operationId/position`) may run: they are due now. */
  async release(steps: readonly string[]): Promise<void> {
    for (const step of steps) {
      const [operationId, position] = step.split('/');
      await this.#store.rescheduleStep(operationId!, Number(position), this.#clock.now());
    }
    this.wake();
  }

  #durationOf(target: StepTarget): number {
    return this.#interventions?.durationOf(target) ?? this.#durations(target.stepId);
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
      const now = this.#clock.now();
      const claim = await this.#store.claimDueStep(this.instanceId, now, this.#leaseMs);
      if (!claim) return;
      await this.#runClaimed(claim, now);
    }
  }

  async #runClaimed(claim: ClaimedStep, now: number): Promise<void> {
    const { operation } = claim;
    const target = (stepId: string, position: number): StepTarget => ({
      publisherId: operation.publisherId,
      offerId: operation.offerId,
      operationId: operation.id,
      operation: operation.type,
      stepId,
      position,
    });
    const intervention = this.#interventions?.atStepDue(target(claim.stepId, claim.position));
    if (intervention && 'hold' in intervention) {
      await this.#store.rescheduleStep(operation.id, claim.position, now + HOLD_RECHECK_MS);
      return;
    }
    // A step ends when its work was due, however late the engine comes to it (after a restart, or
    // when the sandbox moves time ahead): the next step's time runs from there, so moving time a
    // week ahead carries an operation through every step that fits in the week.
    const dueMs = operation.steps.find((step) => step.position === claim.position)?.dueMs ?? now;
    const endedMs = Math.min(now, dueMs);
    const durations = (stepId: string) => this.#durationOf(target(stepId, claim.position + 1));
    const outcome = intervention ? failedStep(intervention.fail, endedMs, 0) : await runStep(this.#store, claim, endedMs, durations);
    const recorded = await this.#store.finishStep(claim, outcome, endedMs);
    if (recorded) this.#onStepRecorded?.();
    this.#logger?.debug({ operation: operation.id, step: claim.stepId, status: outcome.status, recorded }, 'workflow step');
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
