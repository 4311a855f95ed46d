/**
 * Errors the client throws. Every failure is one of these, never a bare fetch TypeError:
 *
 * - CloudPartnerError: the server (or the token service) answered with an error status.
 *   `status`, `code` (e.g. OfferNotFound, PreconditionFailed, invalid_client) and `message` come
 *   from the body; `problems` lists every problem of a 400 InvalidDocument / 422
 *   OfferValidationFailed.
 * - CloudPartnerNetworkError: no answer at all — the endpoint is unreachable (refused, unknown
 *   host, reset, TLS failure) or did not answer in time.
 * - CloudPartnerTimeoutError: waitForOperation gave up before the operation ended.
 */
import type { Problem } from './types.ts';

export interface CloudPartnerErrorInit {
  status: number;
  code: string;
  message: string;
  requestId?: string | undefined;
  problems?: Problem[] | undefined;
  /** Milliseconds the server asked to wait (Retry-After), when it did. */
  retryAfterMs?: number | undefined;
  method?: string | undefined;
  url?: string | undefined;
}

export class CloudPartnerError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly problems: Problem[];
  readonly retryAfterMs: number | undefined;
  /** The request that failed, for messages (never carries a token). */
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(init: CloudPartnerErrorInit) {
    super(init.message);
    this.name = 'CloudPartnerError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.problems = init.problems ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.url = init.url;
  }
}

export class CloudPartnerNetworkError extends Error {
  /** The endpoint (origin) that could not be reached. */
  readonly endpoint: string;
  /** The system error code when there is one: ECONNREFUSED, ENOTFOUND, ECONNRESET, ETIMEDOUT… */
  readonly code: string;

  constructor(endpoint: string, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudPartnerNetworkError';
    this.endpoint = endpoint;
    this.code = code;
  }
}

export class CloudPartnerTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudPartnerTimeoutError';
  }
}

/** Codes of network failures where the request never reached the server (safe to repeat any request). */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Codes of network failures worth another try for a safe request. */
export const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

/** Turns what fetch threw into a CloudPartnerNetworkError naming the endpoint and the cause. */
export function networkError(endpoint: string, error: unknown): CloudPartnerNetworkError {
  if (error instanceof CloudPartnerNetworkError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  const name = (error as { name?: string })?.name;
  let code = ((cause as { code?: string })?.code ?? (error as { code?: string })?.code ?? '') as string;
  if (!code && (name === 'TimeoutError' || (cause as { name?: string })?.name === 'TimeoutError')) code = 'ETIMEDOUT';
  // an AggregateError (several addresses tried) carries the codes in its errors
  if (!code && Array.isArray((cause as { errors?: unknown[] })?.errors)) {
    code = ((cause as { errors: Array<{ code?: string }> }).errors.find((e) => e.code)?.code ?? '') as string;
  }
  code ||= 'ENETWORK';
  const description = DESCRIPTIONS[code] ?? ((cause as Error)?.message || (error as Error)?.message || 'no answer');
  return new CloudPartnerNetworkError(endpoint, code, `Cannot reach ${endpoint}: ${description}${DESCRIPTIONS[code] ? ` (${code})` : ''}.`, { cause: error });
}
