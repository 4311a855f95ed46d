/**
 * The error catalogue: every error a client can receive, in one place.
 *
 * Each error carries the HTTP status it maps to, a stable `code` clients can branch on, and a
 * message a person can act on. The HTTP layer turns an ApiError into
 * `{"error":{"code":"...","message":"..."}}` and never invents codes of its own.
 */
import { SUPPORTED_API_VERSIONS } from './api-version.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers the status requires (e.g. WWW-Authenticate on 401). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra members of the `error` object (e.g. `problems`, each with a JSON path). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }
}

const bearerChallenge = (error?: string) =>
  ({ 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' }) as Record<string, string>;

export const errors = {
  // 400 — the request itself is wrong
  invalidApiVersion: (given: string | undefined) =>
    new ApiError(
      400,
      'InvalidAPIVersion',
      `${given === undefined ? 'The api-version query parameter is required.' : `Invalid api version '${given}'.`} Allowed values are [${SUPPORTED_API_VERSIONS.join(', ')}]`,
    ),
  invalidId: (what: 'publisherId' | 'offerId' | 'operationId', value: string, why: string) =>
    new ApiError(400, what === 'publisherId' ? 'InvalidPublisherId' : what === 'offerId' ? 'InvalidOfferId' : 'InvalidOperationId', `The ${what} '${truncate(value)}' is not valid: ${why}`),
  idTooLong: (what: 'publisherId' | 'offerId', value: string, max: number) =>
    new ApiError(400, what === 'publisherId' ? 'PublisherIdTooLong' : 'OfferIdTooLong', `The ${what} '${truncate(value)}' is ${value.length} characters long; at most ${max} are allowed.`),
  invalidVersion: (value: string) =>
    new ApiError(400, 'InvalidVersion', `The version '${truncate(value)}' is not valid: it must be a whole number from 1 to 2147483647.`),
  invalidSlot: (value: string) =>
    new ApiError(400, 'InvalidSlot', `The slot '${truncate(value)}' is not valid. Allowed values are [Draft, Preview, Production] (any letter case).`),
  invalidFilter: (value: string) =>
    new ApiError(400, 'InvalidFilter', `The $filter '${truncate(value)}' is not supported. The only supported filter is: offerTypeId eq '<offer type id>'.`),
  invalidQueryParameter: (name: string, why: string) =>
    new ApiError(400, 'InvalidQueryParameter', `The query parameter '${truncate(name)}' is not valid: ${why}`),
  invalidRequest: (message: string) => new ApiError(400, 'InvalidRequest', message),
  invalidJson: (message: string) => new ApiError(400, 'InvalidJson', `The request body is not valid JSON: ${message}`),
  missingHost: () => new ApiError(400, 'MissingHost', 'An HTTP/1.1 request must have a Host header.'),

  // 401 / 403 — who is calling, and may they
  missingToken: () =>
    new ApiError(401, 'Unauthorized', 'The Authorization header is missing. Send "Authorization: Bearer <token>".', bearerChallenge()),
  malformedAuthorization: () =>
    new ApiError(401, 'InvalidAuthorizationHeader', 'The Authorization header is malformed. Send "Authorization: Bearer <token>".', bearerChallenge('invalid_request')),
  invalidToken: () =>
    new ApiError(401, 'InvalidToken', 'The access token is not valid: it is unknown, revoked or expired.', bearerChallenge('invalid_token')),
  invalidTokenBecause: (why: string) =>
    new ApiError(401, 'InvalidToken', `The access token is not valid: ${why}.`, bearerChallenge('invalid_token')),
  forbiddenPublisher: (publisherId: string) =>
    new ApiError(403, 'Forbidden', `The caller does not have access to the publisher namespace '${publisherId}'.`),
  forbiddenAction: (publisherId: string, role: string, action: string) =>
    new ApiError(403, 'InsufficientRole', `The caller's role ${role} on publisher '${publisherId}' does not allow ${action}.`),

  // 404 — the thing is not there
  routeNotFound: (method: string, url: string) =>
    new ApiError(404, 'NotFound', `No API matches ${method} ${truncate(url.split('?')[0] ?? url, 200)}.`),
  publisherNotFound: (publisherId: string) =>
    new ApiError(404, 'PublisherNotFound', `The publisher '${publisherId}' does not exist.`),
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
    new ApiError(400, 'InvalidIfNoneMatch', `The If-None-Match header '${value.slice(0, 80)}' is not valid: only * (create the offer only if it does not exist) is supported, without If-Match.`),
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
  operationNotFound: (operationId: string) => new ApiError(404, 'OperationNotFound', `The operation '${operationId.slice(0, 100)}' does not exist for this offer.`),

  // other client mistakes Fastify detects before our code runs
  methodNotAllowed: (method: string) => new ApiError(405, 'MethodNotAllowed', `The method ${method} is not allowed here.`),
  payloadTooLarge: (limit: number | undefined) =>
    new ApiError(413, 'PayloadTooLarge', `The request body is larger than ${limit === undefined ? 'the limit' : `the limit of ${limit} bytes`}.`),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      'TooManyRequests',
      `Too many requests from this caller: try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  unsupportedMediaType: (type: string | undefined) =>
    new ApiError(415, 'UnsupportedMediaType', `The content type '${truncate(type ?? '')}' is not supported; send application/json.`),

  // 5xx — only for our own faults
  internal: () => new ApiError(500, 'InternalError', 'An internal error occurred. It has been logged.'),
  unavailable: (why: string) => new ApiError(503, 'ServiceUnavailable', why),
} as const;

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
