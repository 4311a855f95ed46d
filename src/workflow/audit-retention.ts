/**
 * Retention of the audit trail (D96): records older than the retention (in days of workflow time)
 * are deleted — at start, every hour, and whenever workflow time jumps (the sandbox's clock
 * advanced). The rule is a plain DELETE by age, so it is safe from any instance at any moment and
 * a run missed (the process down) is made up by the next one: nothing needs to remember it.
 */
import type { Logger } from 'pino';
import { auditCutoffMs } from '../domain/audit.ts';
import type { Clock } from '../domain/clock.ts';
import type { AuditStore } from '../store/store.ts';

export const AUDIT_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export class AuditRetention {
  readonly #store: AuditStore;
  readonly #clock: Clock;
  readonly #retentionDays: number;
  readonly #logger: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;
  #running: Promise<number> | undefined;

  constructor(store: AuditStore, options: { retentionDays: number; clock: Clock; logger?: Logger | undefined }) {
    this.#store = store;
    this.#clock = options.clock;
    this.#retentionDays = options.retentionDays;
    this.#logger = options.logger;
  }

  /** Days records are kept; 0: forever. */
  get retentionDays(): number {
    return this.#retentionDays;
  }

  start(): void {
    if (this.#retentionDays === 0) return;
    this.#stopListening = this.#clock.onJump?.(() => void this.#pruneLogged());
    this.#timer = setInterval(() => void this.#pruneLogged(), AUDIT_PRUNE_INTERVAL_MS);
    this.#timer.unref();
    void this.#pruneLogged();
  }

  async stop(): Promise<void> {
    this.#stopListening?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  /** Deletes what is older than the retention now (after a prune in progress, if any); answers how many. */
  async prune(): Promise<number> {
    while (this.#running) await this.#running.catch(() => {});
    const cutoff = auditCutoffMs(this.#clock.now(), this.#retentionDays);
    if (cutoff === null) return 0;
    this.#running = this.#store.pruneAudit(cutoff).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #pruneLogged(): Promise<void> {
    try {
      const pruned = await this.prune();
      if (pruned > 0) this.#logger?.info({ pruned, retentionDays: this.#retentionDays }, 'audit records past their retention deleted');
    } catch (error) {
      // The database unreachable: the next run deletes them.
      this.#logger?.warn({ err: error }, 'audit retention could not run; it will again');
    }
  }
}
