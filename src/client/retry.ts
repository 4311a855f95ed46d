/**
 * When a failed request is tried again, and after how long.
 *
 * Only where repeating it cannot do anything twice:
 * - GET and HEAD (reads, and polling an operation): on a network failure, 429, 502, 503, 504.
 * - PUT and POST (a draft write; publish, golive, cancel): only when the server certainly did not
 *   act on it — the connection was never made (refused, unknown host), or 429 (the rate limit
 *   refuses a request before anything runs). Never after a 5xx, a reset or a timeout: the server
 *   may have done it. A publish is idempotent only while the same draft is still publishing; once
 *   that publish has ended (a fast certification failure, say), a blind repeat would freeze and
 *   publish another version. A PUT with If-Match repeated after it succeeded would get 412 for
 *   its own write. So those failures reach the caller, who can look (GET the offer, list the
 *   submissions) before deciding.
 *
 * Delays: exponential backoff (base · 2^attempt, capped), half of it random so clients spread out; or the server's
 * Retry-After (seconds or an HTTP date) when it sent one, up to `maxRetryAfterMs`.
 */
import { NOT_SENT_CODES, TRANSIENT_CODES } from './errors.ts';

export interface RetryOptions {
  /** Further attempts after the first (default 3; 0 turns retries off). */
  maxRetries?: number;
  /** First backoff delay, ms (default 250). */
  baseDelayMs?: number;
  /** Longest backoff delay, ms (default 8000). */
  maxDelayMs?: number;
  /** Longest Retry-After the client waits for; a longer one fails the request at once (default 60000). */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** Whether an answer with this status may be tried again. */
export function retryableStatus(method: string, status: number): boolean {
  if (status === 429) return true;
  return isSafeMethod(method) && RETRYABLE_STATUSES.has(status);
}

/** Whether a network failure with this code may be tried again. */
export function retryableNetworkCode(method: string, code: string): boolean {
  return isSafeMethod(method) ? TRANSIENT_CODES.has(code) : NOT_SENT_CODES.has(code) && code !== 'ENOTFOUND';
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Backoff before attempt `attempt` (1 = the first retry): between half and all of base · 2^(attempt-1), capped. */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
