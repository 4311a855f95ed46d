/**
 * The error catalogue: every error a client can receive, in one place.
 *
 * Each error carries the HTTP status it maps to, a stable `code` clients can branch on, and a
 * message a person can act on. The HTTP layer turns an ApiError into
 * `{"error":{"code":"...","message":"..."}}` (errorBody, below) and never invents codes of its own:
 * a code is one of ERROR_CODES, which the README's error table is checked against.
 */
import { SUPPORTED_API_VERSIONS } from './api-version.ts';

/** Every error code a client can receive, and its HTTP status. Closed: ApiError takes no other. */
export const ERROR_CODES = {
  // 400 — the request itself is wrong
  InvalidAPIVersion: 400,
  InvalidVersion: 400,
  InvalidSlot: 400,
  InvalidPublisherId: 400,
  InvalidOfferId: 400,
  InvalidOperationId: 400,
  PublisherIdTooLong: 400,
  OfferIdTooLong: 400,
  InvalidFilter: 400,
  InvalidQueryParameter: 400,
  InvalidDocument: 400,
  InvalidJson: 400,
  InvalidIfMatch: 400,
  InvalidIfNoneMatch: 400,
  IdMismatch: 400,
  InvalidConfigureRequest: 400,
  JobAlreadyCompleted: 400,
  /** 400, or another 4xx status Fastify gives a request it cannot route or read. */
  InvalidRequest: 400,
  MalformedRequest: 400,
  MissingHost: 400,
  // 401 / 403 — who is calling, and may they
  Unauthorized: 401,
  InvalidAuthorizationHeader: 401,
  InvalidToken: 401,
  Forbidden: 403,
  InsufficientRole: 403,
  SandboxAdminRequired: 403,
  // 404 — the thing is not there
  NotFound: 404,
  PublisherNotFound: 404,
  OfferNotFound: 404,
  VersionNotFound: 404,
  SlotEmpty: 404,
  OperationNotFound: 404,
  MemberNotFound: 404,
  ApplicationNotFound: 404,
  FaultNotFound: 404,
  SnapshotNotFound: 404,
  WebhookNotFound: 404,
  ProductNotFound: 404,
  ResourceNotFound: 404,
  JobNotFound: 404,
  JobDetailUnavailable: 404,
  // the request conflicts with the offer's state
  InvalidResourceId: 409,
  OfferTypeChange: 409,
  OperationInProgress: 409,
  NotReadyToGoLive: 409,
  NoOperationToCancel: 409,
  PreconditionFailed: 412,
  OfferValidationFailed: 422,
  // HTTP itself
  MethodNotAllowed: 405,
  RequestTimeout: 408,
  PayloadTooLarge: 413,
  UriTooLong: 414,
  UnsupportedMediaType: 415,
  ExpectationFailed: 417,
  TooManyRequests: 429,
  HeadersTooLarge: 431,
  // 5xx — only for our own faults
  InternalError: 500,
  /** Only ever injected by a sandbox fault rule: the hosted service's gateway answered it. */
  BadGateway: 502,
  ServiceUnavailable: 503,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ERROR_CODES;

/** The statuses a sandbox HTTP fault rule can make the API answer. */
export const INJECTED_STATUSES = [429, 500, 502, 503] as const;
export type InjectedStatus = (typeof INJECTED_STATUSES)[number];

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra response headers the status requires (e.g. WWW-Authenticate on 401). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra members of the `error` object (e.g. `problems`, each with a JSON path). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }
}

const bearerChallenge = (error?: string) => ({ 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' }) as Record<string, string>;

export const errors = {
  // 400 — the request itself is wrong
  invalidApiVersion: (given: string | undefined) =>
    new ApiError(
      400,
      'InvalidAPIVersion',
      `${given === undefined ? 'The api-version query parameter is required.' : `Invalid api version '${given}'.`} Allowed values are [${SUPPORTED_API_VERSIONS.join(', ')}]`,
    ),
  invalidId: (what: 'publisherId' | 'offerId' | 'operationId', value: string, why: string) =>
    new ApiError(
      400,
      what === 'publisherId' ? 'InvalidPublisherId' : what === 'offerId' ? 'InvalidOfferId' : 'InvalidOperationId',
      `The ${what} '${truncate(value)}' is not valid: ${why}`,
    ),
  idTooLong: (what: 'publisherId' | 'offerId', value: string, max: number) =>
    new ApiError(
      400,
      what === 'publisherId' ? 'PublisherIdTooLong' : 'OfferIdTooLong',
      `The ${what} '${truncate(value)}' is ${value.length} characters long; at most ${max} are allowed.`,
    ),
  invalidVersion: (value: string) =>
    new ApiError(400, 'InvalidVersion', `The version '${truncate(value)}' is not valid: it must be a whole number from 1 to 2147483647.`),
  invalidSlot: (value: string) =>
    new ApiError(400, 'InvalidSlot', `The slot '${truncate(value)}' is not valid. Allowed values are [Draft, Preview, Production] (any letter case).`),
  invalidFilter: (value: string) =>
    new ApiError(400, 'InvalidFilter', `The $filter '${truncate(value)}' is not supported. The only supported filter is: offerTypeId eq '<offer type id>'.`),
  invalidQueryParameter: (name: string, why: string) =>
    new ApiError(400, 'InvalidQueryParameter', `The query parameter '${truncate(name)}' is not valid: ${why}`),
  invalidRequest: (message: string) => new ApiError(400, 'InvalidRequest', message),
  /** A sandbox or webhook request body (`what`: "fault rule", "webhook") with every problem and its JSON path. */
  invalidInput: (what: string, problems: ReadonlyArray<{ path: string; message: string }>) => {
    const listed = listProblems(problems);
    return new ApiError(400, 'InvalidRequest', `The ${what} is not valid: ${listed.text}`, {}, { problems: listed.problems });
  },
  invalidJson: (message: string) => new ApiError(400, 'InvalidJson', `The request body is not valid JSON: ${message}`),
  missingHost: () => new ApiError(400, 'MissingHost', 'An HTTP/1.1 request must have a Host header.'),

  // 401 / 403 — who is calling, and may they
  missingToken: () => new ApiError(401, 'Unauthorized', 'The Authorization header is missing. Send "Authorization: Bearer <token>".', bearerChallenge()),
  malformedAuthorization: () =>
    new ApiError(
      401,
      'InvalidAuthorizationHeader',
      'The Authorization header is malformed. Send "Authorization: Bearer <token>".',
      bearerChallenge('invalid_request'),
    ),
  invalidToken: () => new ApiError(401, 'InvalidToken', 'The access token is not valid: it is unknown, revoked or expired.', bearerChallenge('invalid_token')),
  invalidTokenBecause: (why: string) => new ApiError(401, 'InvalidToken', `The access token is not valid: ${why}.`, bearerChallenge('invalid_token')),
  forbiddenPublisher: (publisherId: string) => new ApiError(403, 'Forbidden', `The caller does not have access to the publisher namespace '${publisherId}'.`),
  forbiddenAction: (publisherId: string, role: string, action: string) =>
    new ApiError(403, 'InsufficientRole', `The caller's role ${role} on publisher '${publisherId}' does not allow ${action}.`),

  auditNeedsPublisher: () =>
    new ApiError(403, 'Forbidden', "Name the publisher (publisherId=…): only the sandbox admin token reads every publisher's audit records."),
  sandboxAdminRequired: () =>
    new ApiError(403, 'SandboxAdminRequired', 'The sandbox controls need the sandbox admin token (cloudpartner token create --sandbox-admin).'),

  // 404 — the thing is not there
  routeNotFound: (method: string, url: string) => new ApiError(404, 'NotFound', `No API matches ${method} ${truncate(url.split('?')[0] ?? url, 200)}.`),
  publisherNotFound: (publisherId: string) => new ApiError(404, 'PublisherNotFound', `The publisher '${publisherId}' does not exist.`),
  offerNotFound: (publisherId: string, offerId: string) =>
    new ApiError(404, 'OfferNotFound', `The offer '${offerId}' does not exist in the publisher namespace '${publisherId}'.`),
  versionNotFound: (offerId: string, version: number, latest: number) =>
    new ApiError(404, 'VersionNotFound', `The offer '${offerId}' has no version ${version}; its versions are 1 to ${latest}.`),
  slotEmpty: (offerId: string, slot: string) =>
    new ApiError(
      404,
      'SlotEmpty',
      `The offer '${offerId}' has nothing in the ${slot} slot: it has not been ${slot === 'Preview' ? 'published to preview' : 'taken live'} yet.`,
    ),

  // 409 / 412 / 422 — the request conflicts with the offer's state
  offerExists: (offerId: string) =>
    new ApiError(
      409,
      'InvalidResourceId',
      `The offer '${offerId}' already exists. To update it, send If-Match with its ETag (optimistic concurrency) or If-Match: * (last writer wins).`,
    ),
  /** If-None-Match: * (create only) on an offer that exists. */
  offerExistsCreateOnly: (offerId: string) =>
    new ApiError(
      412,
      'PreconditionFailed',
      `The offer '${offerId}' already exists, and If-None-Match: * asks to create it only. To update it, send If-Match with its ETag, or leave out If-None-Match.`,
    ),
  offerTypeChange: (offerId: string, from: string, to: string) =>
    new ApiError(409, 'OfferTypeChange', `The offer '${offerId}' is of type '${from}'; its type cannot change to '${to}'.`),
  preconditionFailed: (offerId: string, exists: boolean) =>
    new ApiError(
      412,
      'PreconditionFailed',
      exists
        ? `The offer '${offerId}' has changed since the ETag sent in If-Match was read. GET it again, reapply your change and send its current ETag.`
        : `The offer '${offerId}' does not exist, so no ETag can match. Create it without If-Match (or with If-Match: *).`,
    ),
  idMismatch: (what: string, inBody: string, inPath: string) =>
    new ApiError(400, 'IdMismatch', `The body's ${what} '${inBody.slice(0, 80)}' differs from '${inPath}' in the URL.`),
  invalidDocument: (problems: ReadonlyArray<{ path: string; message: string }>) => {
    const listed = listProblems(problems);
    return new ApiError(400, 'InvalidDocument', `The offer document is not valid: ${listed.text}`, {}, { problems: listed.problems });
  },
  invalidIfMatch: (value: string) =>
    new ApiError(400, 'InvalidIfMatch', `The If-Match header '${value.slice(0, 80)}' is not valid: send an ETag as returned by GET, or *.`),
  invalidIfNoneMatch: (value: string) =>
    new ApiError(
      400,
      'InvalidIfNoneMatch',
      `The If-None-Match header '${value.slice(0, 80)}' is not valid: only * (create the offer only if it does not exist) is supported, without If-Match.`,
    ),
  validationFailed: (offerId: string, problems: ReadonlyArray<{ path: string; message: string }>) => {
    const listed = listProblems(problems);
    return new ApiError(422, 'OfferValidationFailed', `The offer '${offerId}' cannot be published: ${listed.text}`, {}, { problems: listed.problems });
  },
  operationInProgress: (offerId: string, type: string) =>
    new ApiError(409, 'OperationInProgress', `A ${type} operation is running on the offer '${offerId}'. Wait for it to finish, or cancel it.`),
  notReadyToGoLive: (offerId: string, why: string) => new ApiError(409, 'NotReadyToGoLive', `The offer '${offerId}' cannot go live: ${why}.`),
  nothingToCancel: (offerId: string) => new ApiError(409, 'NoOperationToCancel', `No operation is running on the offer '${offerId}'.`),
  memberNotFound: (publisherId: string, objectId: string) =>
    new ApiError(404, 'MemberNotFound', `The publisher '${publisherId}' has no member '${objectId.slice(0, 100)}'.`),
  applicationNotFound: (publisherId: string, clientId: string) =>
    new ApiError(404, 'ApplicationNotFound', `The publisher '${publisherId}' has no application '${clientId.slice(0, 100)}'.`),
  faultNotFound: (id: string) => new ApiError(404, 'FaultNotFound', `There is no fault rule '${truncate(id)}'.`),
  webhookNotFound: (id: string) => new ApiError(404, 'WebhookNotFound', `There is no webhook '${truncate(id)}'.`),
  snapshotNotFound: (name: string) => new ApiError(404, 'SnapshotNotFound', `There is no snapshot '${truncate(name)}'.`),
  // the product-ingestion face (src/product-ingestion/)
  /** A configure request refused before any job is made: every problem with the resource it is about and its JSON path. */
  invalidConfigureRequest: (problems: ReadonlyArray<{ path: string; message: string }>) => {
    const listed = listProblems(Array.isArray(problems) ? problems : []);
    return new ApiError(400, 'InvalidConfigureRequest', `The configure request is not valid: ${listed.text}`, {}, { problems: listed.problems });
  },
  jobAlreadyCompleted: () => new ApiError(400, 'JobAlreadyCompleted', 'Cannot cancel job, job has already completed.'),
  productNotFound: (id: string) => new ApiError(404, 'ProductNotFound', `There is no product '${truncate(id, 120)}' that the caller can see.`),
  resourceNotFound: (id: string, why = 'the caller can see no such resource') =>
    new ApiError(404, 'ResourceNotFound', `The resource '${truncate(id, 200)}' was not found: ${truncate(why, 200)}.`),
  jobNotFound: (id: string) => new ApiError(404, 'JobNotFound', `There is no configure job '${truncate(id)}' that the caller can see.`),
  jobDetailUnavailable: (id: string, why: string) =>
    new ApiError(404, 'JobDetailUnavailable', `The configure job '${truncate(id)}' has no detail: ${truncate(why, 200)}. Read its status instead.`),

  operationNotFound: (operationId: string) =>
    new ApiError(404, 'OperationNotFound', `The operation '${operationId.slice(0, 100)}' does not exist for this offer.`),

  // other client mistakes, detected by Fastify or Node before our code runs
  /** A 4xx Fastify raises itself (its message is its own, never internal detail). */
  clientError: (status: number, message: string) => new ApiError(status, status === 414 ? 'UriTooLong' : 'InvalidRequest', truncate(message, 200)),
  malformedRequest: () => new ApiError(400, 'MalformedRequest', 'The request is not valid HTTP.'),
  requestTimeout: () => new ApiError(408, 'RequestTimeout', 'The request was not received in time.'),
  headersTooLarge: () => new ApiError(431, 'HeadersTooLarge', 'The request line and headers exceed 16 KiB.'),
  expectationFailed: (expectation: string) =>
    new ApiError(417, 'ExpectationFailed', `The expectation '${truncate(expectation)}' is not supported; only 100-continue is.`),
  methodNotAllowed: (method: string, why = 'is not allowed here') => new ApiError(405, 'MethodNotAllowed', `The method ${truncate(method, 20)} ${why}.`),
  payloadTooLarge: (limit: number | undefined) =>
    new ApiError(413, 'PayloadTooLarge', `The request body is larger than ${limit === undefined ? 'the limit' : `the limit of ${limit} bytes`}.`),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, 'TooManyRequests', `Too many requests from this caller: try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`, {
      'retry-after': String(retryAfterSeconds),
    }),
  unsupportedMediaType: (type: string | undefined) =>
    new ApiError(415, 'UnsupportedMediaType', `The content type '${truncate(type ?? '')}' is not supported; send application/json.`),

  // 5xx — only for our own faults, or injected on purpose by a sandbox fault rule
  internal: () => new ApiError(500, 'InternalError', 'An internal error occurred. It has been logged.'),
  unavailable: (why: string) => new ApiError(503, 'ServiceUnavailable', why),
  /** The database cannot be reached (PostgreSQL down or restarting): nothing was done; try again. */
  databaseUnavailable: () =>
    new ApiError(503, 'ServiceUnavailable', 'The service cannot reach its database; nothing was changed. Try again shortly.', { 'retry-after': '1' }),
  /** A request that arrives while the server shuts down (SIGTERM): another instance should take it. */
  shuttingDown: () =>
    new ApiError(503, 'ServiceUnavailable', 'The server is shutting down. Try again (another instance, or this one once restarted).', { 'retry-after': '1' }),
  /** GET /readyz while the server cannot serve: `why` names what is missing. */
  notReady: (why: string) => new ApiError(503, 'ServiceUnavailable', `The server is not ready: ${why}.`, { 'retry-after': '1' }),
  /** The answer a sandbox HTTP fault rule asked for, shaped as the service's own answer with that status. */
  injected: (status: InjectedStatus, ruleId: string, retryAfterSeconds?: number) => {
    const why = `(injected by the sandbox fault rule ${ruleId})`;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    switch (status) {
      case 429:
        return new ApiError(429, 'TooManyRequests', `Too many requests from this caller ${why}.`, headers);
      case 500:
        return new ApiError(500, 'InternalError', `An internal error occurred ${why}.`, headers);
      case 502:
        return new ApiError(502, 'BadGateway', `The gateway could not reach the service ${why}.`, headers);
      case 503:
        return new ApiError(503, 'ServiceUnavailable', `The service is unavailable ${why}.`, headers);
    }
  },
} as const;

/** The error body every error answer carries, as the JSON text sent: Fastify's answers and raw-socket ones alike. */
export function errorBody(error: ApiError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, ...error.details } });
}

/** At most this many problems are listed in an error: a document with 400,000 bad plans must not get a 100 MB answer. */
export const MAX_LISTED_PROBLEMS = 100;

/** The problems an error lists (the first ones, paths shortened), and the message text naming how many more there are. */
function listProblems(all: ReadonlyArray<{ path: string; message: string }>): { problems: Array<{ path: string; message: string }>; text: string } {
  const problems = all.slice(0, MAX_LISTED_PROBLEMS).map((problem) => ({ path: truncate(problem.path, 300), message: truncate(problem.message, 500) }));
  const more = all.length - problems.length;
  const text = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return { problems, text: more > 0 ? `${text}; and ${more} more problem${more === 1 ? '' : 's'} (the first ${problems.length} are listed)` : text };
}

/** Echoing client input in messages helps, but never without bound. */
function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
