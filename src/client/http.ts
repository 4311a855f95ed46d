/**
 * One HTTP exchange with retries: Node's fetch, a timeout per attempt, the retry policy of
 * retry.ts, and every failure turned into a CloudPartnerError or CloudPartnerNetworkError.
 * Used by the client for the API and by the client-credentials flow for the token service.
 */
import { CloudPartnerError, type CloudPartnerErrorInit, networkError } from './errors.ts';
import type { Problem } from './types.ts';
import { type RetryOptions, backoffDelay, parseRetryAfter, retryableNetworkCode, retryableStatus, sleep } from './retry.ts';

export interface RetryEvent {
  method: string;
  /** The URL without its query string. */
  url: string;
  /** The retry about to be made: 1 for the first. */
  attempt: number;
  delayMs: number;
  /** What failed: an HTTP status, or a network error code. */
  reason: number | string;
}

export interface HttpSettings {
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
  /** Longest one attempt may take, ms. */
  timeoutMs: number;
  userAgent: string;
  /** Sent as Accept-Language: the language of the server's messages (en, ru, nl, zh); unset, the server's English. */
  language?: string | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Treat as safe to repeat whatever the method (the token request). */
  idempotent?: boolean;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a request, retrying where the policy allows; an error status becomes a CloudPartnerError. */
export async function send(settings: HttpSettings, request: HttpRequest): Promise<HttpResponse> {
  const origin = new URL(request.url).origin;
  const policyMethod = request.idempotent ? 'GET' : request.method;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      response = await settings.fetch(request.url, {
        method: request.method,
        headers: {
          'user-agent': settings.userAgent,
          accept: 'application/json',
          ...(settings.language ? { 'accept-language': settings.language } : {}),
          ...request.headers,
        },
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
        redirect: 'manual',
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const failure = networkError(origin, error);
      if (attempt < settings.retry.maxRetries && retryableNetworkCode(policyMethod, failure.code)) {
        await pause(settings, request, attempt + 1, backoffDelay(attempt + 1, settings.retry), failure.code);
        continue;
      }
      throw failure;
    }
    const text = await response.text();
    if (response.status < 400) return { status: response.status, headers: response.headers, text };

    const error = errorFromResponse(response.status, response.headers, text, request);
    if (attempt < settings.retry.maxRetries && retryableStatus(policyMethod, response.status)) {
      const asked = error.retryAfterMs;
      if (asked === undefined || asked <= settings.retry.maxRetryAfterMs) {
        await pause(settings, request, attempt + 1, asked ?? backoffDelay(attempt + 1, settings.retry), response.status);
        continue;
      }
    }
    throw error;
  }
}

async function pause(settings: HttpSettings, request: HttpRequest, attempt: number, delayMs: number, reason: number | string): Promise<void> {
  settings.onRetry?.({ method: request.method, url: request.url.split('?')[0]!, attempt, delayMs, reason });
  await sleep(delayMs, request.signal);
}

const REQUEST_ID_HEADERS = ['x-ms-request-id', 'x-request-id', 'request-id', 'x-ms-correlation-request-id'];

/**
 * The error of an answer: the API's `{"error":{"code","message","problems"?}}`, the token
 * service's OAuth `{"error":"invalid_client","error_description":…}`, or — from something that
 * does not speak the API (a proxy, a wrong URL) — the status and a short excerpt of the body.
 */
export function errorFromResponse(status: number, headers: Headers, text: string, request?: { method: string; url: string }): CloudPartnerError {
  const init: CloudPartnerErrorInit = {
    status,
    code: `Http${status}`,
    message: `The server answered ${status}${text.trim() ? `: ${excerpt(text)}` : ' with no body'}.`,
    requestId: REQUEST_ID_HEADERS.map((name) => headers.get(name)).find((value) => value) ?? undefined,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    method: request?.method,
    url: request?.url.split('?')[0],
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new CloudPartnerError(init);
  }
  const error = (body as { error?: unknown })?.error;
  if (error && typeof error === 'object') {
    const { code, message, problems } = error as { code?: unknown; message?: unknown; problems?: unknown };
    if (typeof code === 'string') init.code = code;
    if (typeof message === 'string') init.message = message;
    if (Array.isArray(problems)) init.problems = problems.filter((p): p is Problem => typeof p?.path === 'string' && typeof p?.message === 'string');
  } else if (typeof error === 'string') {
    init.code = error;
    const description = (body as { error_description?: unknown }).error_description;
    if (typeof description === 'string') init.message = description;
  }
  return new CloudPartnerError(init);
}

/** A successful body, parsed; a body that is not JSON means the endpoint does not speak this API. */
export function parseJson<T>(response: HttpResponse, request: { method: string; url: string }): T {
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new CloudPartnerError({
      status: response.status,
      code: 'InvalidResponse',
      message: `The server answered ${response.status} with a body that is not JSON (${excerpt(response.text) || 'empty'}): is the endpoint a Cloud Partner Portal API?`,
      method: request.method,
      url: request.url.split('?')[0],
    });
  }
}

function excerpt(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
