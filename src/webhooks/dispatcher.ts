/**
 * Delivers webhook events from the durable outbox (src/store/webhooks/): claims a delivery that
 * may go (the first pending of its offer, due, not leased), POSTs it signed, records how it went,
 * and retries with backoff until it is delivered or too old. Several deliveries go at once, each
 * with a time limit, so one slow or dead URL holds up neither the API nor other webhooks. A server
 * killed mid-delivery leaves a lease that expires; the delivery is then made again (at least once).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { ClaimedDelivery, DeliveryAttempt, WebhookStore } from '../store/store.ts';
import { PACKAGE_VERSION } from '../version.ts';

export interface DispatcherOptions {
  clock?: Clock;
  /** How long one attempt may take, ms. */
  timeoutMs?: number;
  /** The first retry waits this long; each next one twice as long, up to five minutes. */
  retryBaseMs?: number;
  /** A delivery still failing this long after its first attempt is given up. */
  maxAgeMs?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  pollMs?: number;
  logger?: Logger | undefined;
}

export const WEBHOOK_DEFAULTS = { timeoutMs: 10_000, retryBaseMs: 1000, maxAgeMs: 24 * 3600_000, concurrency: 4, pollMs: 500 };
const MAX_BACKOFF_MS = 5 * 60_000;

/** The signature header's value: HMAC-SHA256 of the exact body with the webhook's secret, hex. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookDispatcher {
  readonly instanceId = randomUUID();
  readonly #store: WebhookStore;
  readonly #clock: Clock;
  readonly #settings: typeof WEBHOOK_DEFAULTS;
  readonly #logger: Logger | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #onDelivery: ((outcome: 'delivered' | 'failed' | 'given_up') => void) | undefined;
  #filling = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(store: WebhookStore, options: DispatcherOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#settings = {
      timeoutMs: options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
      retryBaseMs: options.retryBaseMs ?? WEBHOOK_DEFAULTS.retryBaseMs,
      maxAgeMs: options.maxAgeMs ?? WEBHOOK_DEFAULTS.maxAgeMs,
      concurrency: options.concurrency ?? WEBHOOK_DEFAULTS.concurrency,
      pollMs: options.pollMs ?? WEBHOOK_DEFAULTS.pollMs,
    };
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Calls `listener` after each attempt with how it went (the metrics count them). */
  onDelivery(listener: (outcome: 'delivered' | 'failed' | 'given_up') => void): void {
    this.#onDelivery = listener;
  }

  /** Looks for deliveries now (a change was just committed). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    void this.#fill();
  }

  /** Takes no more deliveries, waits for those in flight, and gives up this instance's leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
    await this.#store.releaseDeliveryLeases(this.instanceId).catch(() => {});
  }

  async #fill(): Promise<void> {
    this.#filling = true;
    try {
      do {
        this.#again = false;
        while (!this.#stopped && this.#inFlight.size < this.#settings.concurrency) {
          // A read first: when nothing is due (nearly always), no write transaction is taken.
          const due = await this.#store.nextDeliveryDueMs();
          if (due === null || due > this.#clock.now()) break;
          const claim = await this.#store.claimDelivery(this.instanceId, this.#clock.now(), this.#settings.timeoutMs * 2);
          if (!claim) break;
          const attempt = this.#deliver(claim).finally(() => {
            this.#inFlight.delete(attempt);
            this.wake();
          });
          this.#inFlight.add(attempt);
        }
      } while (this.#again && !this.#stopped);
    } catch (error) {
      this.#logger?.error({ err: error }, 'could not claim a webhook delivery; will try again');
    } finally {
      this.#filling = false;
      await this.#scheduleNext();
    }
  }

  async #scheduleNext(): Promise<void> {
    if (this.#stopped) return;
    let delay = this.#settings.pollMs;
    try {
      const due = await this.#store.nextDeliveryDueMs();
      if (due !== null) delay = Math.max(0, Math.min(delay, due - this.#clock.now()));
    } catch {
      // the next poll tries again
    }
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), delay);
  }

  async #deliver(claim: ClaimedDelivery): Promise<void> {
    let attempt: DeliveryAttempt;
    try {
      const response = await fetch(claim.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `cloudpartner-webhooks/${PACKAGE_VERSION}`,
          'x-cloudpartner-event': claim.event,
          'x-cloudpartner-delivery': claim.id,
          'x-cloudpartner-signature': signatureOf(claim.secret, claim.body),
        },
        body: claim.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      attempt = response.ok
        ? { kind: 'delivered', status: response.status, atMs: this.#clock.now() }
        : this.#failed(claim, `the receiver answered ${response.status}`, response.status);
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.#settings.timeoutMs} ms`
          : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      attempt = this.#failed(claim, `could not deliver: ${reason}`);
    }
    this.#onDelivery?.(attempt.kind === 'delivered' ? 'delivered' : attempt.giveUp ? 'given_up' : 'failed');
    try {
      await this.#store.finishDelivery(claim, attempt);
    } catch (error) {
      this.#logger?.error({ err: error, delivery: claim.id }, 'could not record a webhook delivery; it will be made again');
    }
  }

  #failed(claim: ClaimedDelivery, error: string, status?: number): DeliveryAttempt {
    const now = this.#clock.now();
    const backoff = Math.min(this.#settings.retryBaseMs * 2 ** claim.attempts, MAX_BACKOFF_MS);
    const giveUp = now + backoff - claim.firstAttemptMs > this.#settings.maxAgeMs;
    this.#logger?.warn({ delivery: claim.id, webhook: claim.webhookId, error, giveUp }, 'webhook delivery failed');
    return { kind: 'failed', error, nextAttemptMs: now + backoff, giveUp, ...(status !== undefined ? { status } : {}) };
  }
}
