/**
 * Errors as the product-ingestion face words them (reference §5): `{"error":{"code","message",
 * "details":[…]}}` with the top code one of the service's camelCase codes and every node carrying
 * a `details` array. The error itself is the catalogue's (src/domain/errors.ts) — one closed list
 * for both faces; only its rendering differs by face. Job errors (`errors[]` of a failed job) use
 * the same nodes, with the resource they are about.
 */
import { type ApiError, type ErrorCode, errorMessage, renderProblems } from '../domain/errors.ts';
import { type Language, type Message, message, render } from '../domain/messages/index.ts';

export const INGESTION_PREFIX = '/rp/product-ingestion';

/** Whether a request URL is on this face (repeated slashes count as one, as the router reads them). */
export function isIngestionUrl(url: string): boolean {
  const path = url.split('?')[0]!.replace(/\/{2,}/g, '/');
  return path === INGESTION_PREFIX || path.startsWith(`${INGESTION_PREFIX}/`);
}

export const TOP_CODES = [
  'badRequest',
  'unauthorized',
  'forbidden',
  'notFound',
  'methodNotAllowed',
  'requestTimeout',
  'conflict',
  'locked',
  'internalServerError',
  'notImplemented',
  'serviceUnavailable',
] as const;
export type TopCode = (typeof TOP_CODES)[number];

export const INNER_CODES = [
  'businessValidationError',
  'collectionLimitExceeded',
  'invalidId',
  'invalidEntityStatus',
  'invalidRequest',
  'invalidResource',
  'invalidState',
  'notDeployed',
  'notSupported',
  'operationCanceled',
  'productLocked',
  'resourceNotFound',
  'schemaValidationError',
] as const;
export type InnerCode = (typeof INNER_CODES)[number];

export interface ErrorNode {
  code: string;
  /** In English, as the job stores it. */
  message: string;
  resourceId?: string;
  details: ErrorNode[];
  /** The catalogue form of `message`, stored with a job's errors and rendered for each reader (D99); never in an answer. */
  text?: Message;
}

/** A job's errors as a reader gets them: each message in `language`, without the catalogue form. */
export function renderJobErrors(nodes: readonly ErrorNode[], language: Language): ErrorNode[] {
  return nodes.map(({ text, details, ...node }) => ({
    ...node,
    ...(text !== undefined && language !== 'en' ? { message: render(text, language) } : {}),
    details: renderJobErrors(details, language),
  }));
}

/** A job error's detail for one problem (`path: message`), keeping its catalogue form when it has one. */
export function problemNode(code: string, problem: { path: string; message: string; text?: Message | undefined }): ErrorNode {
  return {
    code,
    message: `${problem.path}: ${problem.message}`,
    details: [],
    ...(problem.text ? { text: message('problem.line', { path: problem.path, message: problem.text }) } : {}),
  };
}

export function topCodeFor(status: number): TopCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 405) return 'methodNotAllowed';
  if (status === 408) return 'requestTimeout';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 501) return 'notImplemented';
  if (status === 503 || status === 429) return 'serviceUnavailable';
  if (status >= 500) return 'internalServerError';
  return 'badRequest';
}

const INNER: Partial<Record<ErrorCode, InnerCode>> = {
  InvalidConfigureRequest: 'schemaValidationError',
  InvalidDocument: 'schemaValidationError',
  InvalidJson: 'invalidRequest',
  InvalidRequest: 'invalidRequest',
  InvalidQueryParameter: 'invalidRequest',
  JobAlreadyCompleted: 'invalidState',
  ProductNotFound: 'resourceNotFound',
  ResourceNotFound: 'resourceNotFound',
  JobNotFound: 'resourceNotFound',
  JobDetailUnavailable: 'invalidState',
  OfferNotFound: 'resourceNotFound',
  OperationInProgress: 'productLocked',
  NotReadyToGoLive: 'invalidState',
  NoOperationToCancel: 'invalidState',
  OfferValidationFailed: 'businessValidationError',
  OfferTypeChange: 'invalidResource',
};

/** The answer body of an error on this face, its messages in `language`. */
export function ingestionErrorBody(error: ApiError, language: Language = 'en'): string {
  const problems = renderProblems(error.details['problems'] as Array<{ path: string; message: string; resourceId?: string }> | undefined, language) ?? [];
  const text = errorMessage(error, language);
  const inner = INNER[error.code] ?? 'invalidRequest';
  const details: ErrorNode[] =
    problems.length > 0
      ? problems.map((problem) => ({
          code: inner,
          message: `${problem.path}: ${problem.message}`,
          ...(problem.resourceId ? { resourceId: problem.resourceId } : {}),
          details: [],
        }))
      : error.status === 401 || error.status === 403
        ? []
        : [{ code: inner, message: text, details: [] }];
  return JSON.stringify({ error: { code: topCodeFor(error.status), message: text, details } });
}

/** One error of a failed job, about one resource (or the request). */
export function jobError(top: TopCode, message: string, resourceId: string | undefined, details: ErrorNode[]): ErrorNode {
  return { code: top, message, ...(resourceId ? { resourceId } : {}), details };
}
