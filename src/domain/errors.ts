/**
 * The error catalogue: every error a client can receive, in one place.
 *
 * Each error carries the HTTP status it maps to, a stable `code` clients can branch on, and a
 * message a person can act on, kept as a catalogue message (src/domain/messages) and rendered in the
 * request's language. The HTTP layer turns an ApiError into
 * `{"error":{"code":"...","message":"..."}}` (errorBody, below) and never invents codes of its own:
 * a code is one of ERROR_CODES, which the README's error table is checked against.
 */
import { SUPPORTED_API_VERSIONS } from './api-version.ts';
import { type Language, type Message, type MessageParam, message, render } from './messages/index.ts';

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
  /** The message as the catalogue keeps it (rendered per request by errorBody); `message` is its English. */
  readonly text: Message | string;
  /** Extra response headers the status requires (e.g. WWW-Authenticate on 401). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra members of the `error` object (e.g. `problems`, each with a JSON path). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, code: ErrorCode, text: Message | string, headers: Record<string, string> = {}, details: Record<string, unknown> = {}) {
    super(render(text));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.text = text;
    this.headers = headers;
    this.details = details;
  }
}

const bearerChallenge = (error?: string) => ({ 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' }) as Record<string, string>;

/** A reason given to an error: a catalogue message, or text that is not ours to translate (a library's own words). */
type Why = Message | string;

export const errors = {
  // 400 — the request itself is wrong
  invalidApiVersion: (given: string | undefined) =>
    new ApiError(
      400,
      'InvalidAPIVersion',
      given === undefined
        ? message('error.apiVersionMissing', { allowed: SUPPORTED_API_VERSIONS.join(', ') })
        : message('error.apiVersionInvalid', { given, allowed: SUPPORTED_API_VERSIONS.join(', ') }),
    ),
  invalidId: (what: 'publisherId' | 'offerId' | 'operationId', value: string, why: Why) =>
    new ApiError(
      400,
      what === 'publisherId' ? 'InvalidPublisherId' : what === 'offerId' ? 'InvalidOfferId' : 'InvalidOperationId',
      message('error.idInvalid', { what, value: truncate(value), why }),
    ),
  idTooLong: (what: 'publisherId' | 'offerId', value: string, max: number) =>
    new ApiError(
      400,
      what === 'publisherId' ? 'PublisherIdTooLong' : 'OfferIdTooLong',
      message('error.idTooLong', { what, value: truncate(value), length: value.length, max }),
    ),
  invalidVersion: (value: string) => new ApiError(400, 'InvalidVersion', message('error.versionInvalid', { value: truncate(value) })),
  invalidSlot: (value: string) => new ApiError(400, 'InvalidSlot', message('error.slotInvalid', { value: truncate(value) })),
  invalidFilter: (value: string) => new ApiError(400, 'InvalidFilter', message('error.filterInvalid', { value: truncate(value) })),
  invalidQueryParameter: (name: string, why: Why) =>
    new ApiError(400, 'InvalidQueryParameter', message('error.queryParameterInvalid', { name: truncate(name), why })),
  invalidRequest: (text: Why) => new ApiError(400, 'InvalidRequest', text),
  /** A sandbox or webhook request body (`what`: "fault rule", "webhook") with every problem and its JSON path. */
  invalidInput: (what: 'fault rule' | 'webhook', problems: ReadonlyArray<ProblemInput>) => {
    const listed = listProblems(problems);
    return new ApiError(
      400,
      'InvalidRequest',
      message(what === 'webhook' ? 'error.webhookInvalid' : 'error.faultRuleInvalid', { problems: listed.text }),
      {},
      {
        problems: listed.problems,
      },
    );
  },
  invalidJson: (detail: Why) => new ApiError(400, 'InvalidJson', message('error.jsonInvalid', { detail })),
  missingHost: () => new ApiError(400, 'MissingHost', message('error.hostMissing')),

  // 401 / 403 — who is calling, and may they
  missingToken: () => new ApiError(401, 'Unauthorized', message('error.tokenMissing'), bearerChallenge()),
  malformedAuthorization: () => new ApiError(401, 'InvalidAuthorizationHeader', message('error.authorizationMalformed'), bearerChallenge('invalid_request')),
  invalidToken: () => new ApiError(401, 'InvalidToken', message('error.tokenInvalid'), bearerChallenge('invalid_token')),
  invalidTokenBecause: (why: Why) => new ApiError(401, 'InvalidToken', message('error.tokenInvalidBecause', { why }), bearerChallenge('invalid_token')),
  forbiddenPublisher: (publisherId: string) => new ApiError(403, 'Forbidden', message('error.publisherForbidden', { publisherId })),
  forbiddenAction: (publisherId: string, role: string, action: string) =>
    new ApiError(403, 'InsufficientRole', message('error.roleForbidden', { publisherId, role, action })),

  auditNeedsPublisher: () => new ApiError(403, 'Forbidden', message('error.auditNeedsPublisher')),
  sandboxAdminRequired: () => new ApiError(403, 'SandboxAdminRequired', message('error.sandboxAdminRequired')),

  // 404 — the thing is not there
  routeNotFound: (method: string, url: string) =>
    new ApiError(404, 'NotFound', message('error.routeNotFound', { method, path: truncate(url.split('?')[0] ?? url, 200) })),
  publisherNotFound: (publisherId: string) => new ApiError(404, 'PublisherNotFound', message('error.publisherNotFound', { publisherId })),
  offerNotFound: (publisherId: string, offerId: string) => new ApiError(404, 'OfferNotFound', message('error.offerNotFound', { publisherId, offerId })),
  versionNotFound: (offerId: string, version: number, latest: number) =>
    new ApiError(404, 'VersionNotFound', message('error.versionNotFound', { offerId, version, latest })),
  slotEmpty: (offerId: string, slot: string) =>
    new ApiError(404, 'SlotEmpty', message(slot === 'Preview' ? 'error.previewSlotEmpty' : 'error.productionSlotEmpty', { offerId, slot })),

  // 409 / 412 / 422 — the request conflicts with the offer's state
  offerExists: (offerId: string) => new ApiError(409, 'InvalidResourceId', message('error.offerExists', { offerId })),
  /** If-None-Match: * (create only) on an offer that exists. */
  offerExistsCreateOnly: (offerId: string) => new ApiError(412, 'PreconditionFailed', message('error.offerExistsCreateOnly', { offerId })),
  offerTypeChange: (offerId: string, from: string, to: string) => new ApiError(409, 'OfferTypeChange', message('error.offerTypeChange', { offerId, from, to })),
  preconditionFailed: (offerId: string, exists: boolean) =>
    new ApiError(412, 'PreconditionFailed', message(exists ? 'error.etagStale' : 'error.etagNoOffer', { offerId })),
  idMismatch: (what: string, inBody: string, inPath: string) =>
    new ApiError(400, 'IdMismatch', message('error.idMismatch', { what, inBody: inBody.slice(0, 80), inPath })),
  invalidDocument: (problems: ReadonlyArray<ProblemInput>) => {
    const listed = listProblems(problems);
    return new ApiError(400, 'InvalidDocument', message('error.documentInvalid', { problems: listed.text }), {}, { problems: listed.problems });
  },
  invalidIfMatch: (value: string) => new ApiError(400, 'InvalidIfMatch', message('error.ifMatchInvalid', { value: value.slice(0, 80) })),
  invalidIfNoneMatch: (value: string) => new ApiError(400, 'InvalidIfNoneMatch', message('error.ifNoneMatchInvalid', { value: value.slice(0, 80) })),
  validationFailed: (offerId: string, problems: ReadonlyArray<ProblemInput>) => {
    const listed = listProblems(problems);
    return new ApiError(422, 'OfferValidationFailed', message('error.validationFailed', { offerId, problems: listed.text }), {}, { problems: listed.problems });
  },
  operationInProgress: (offerId: string, type: string) => new ApiError(409, 'OperationInProgress', message('error.operationInProgress', { offerId, type })),
  notReadyToGoLive: (offerId: string, why: Why) => new ApiError(409, 'NotReadyToGoLive', message('error.notReadyToGoLive', { offerId, why })),
  nothingToCancel: (offerId: string) => new ApiError(409, 'NoOperationToCancel', message('error.nothingToCancel', { offerId })),
  memberNotFound: (publisherId: string, objectId: string) =>
    new ApiError(404, 'MemberNotFound', message('error.memberNotFound', { publisherId, objectId: objectId.slice(0, 100) })),
  applicationNotFound: (publisherId: string, clientId: string) =>
    new ApiError(404, 'ApplicationNotFound', message('error.applicationNotFound', { publisherId, clientId: clientId.slice(0, 100) })),
  faultNotFound: (id: string) => new ApiError(404, 'FaultNotFound', message('error.faultNotFound', { id: truncate(id) })),
  webhookNotFound: (id: string) => new ApiError(404, 'WebhookNotFound', message('error.webhookNotFound', { id: truncate(id) })),
  snapshotNotFound: (name: string) => new ApiError(404, 'SnapshotNotFound', message('error.snapshotNotFound', { name: truncate(name) })),
  // the product-ingestion face (src/product-ingestion/)
  /** A configure request refused before any job is made: every problem with the resource it is about and its JSON path. */
  invalidConfigureRequest: (problems: ReadonlyArray<ProblemInput>) => {
    const listed = listProblems(Array.isArray(problems) ? problems : []);
    return new ApiError(400, 'InvalidConfigureRequest', message('error.configureRequestInvalid', { problems: listed.text }), {}, { problems: listed.problems });
  },
  jobAlreadyCompleted: () => new ApiError(400, 'JobAlreadyCompleted', message('error.jobAlreadyCompleted')),
  productNotFound: (id: string) => new ApiError(404, 'ProductNotFound', message('error.productNotFound', { id: truncate(id, 120) })),
  resourceNotFound: (id: string, why: Why = message('resource.notVisible')) =>
    new ApiError(
      404,
      'ResourceNotFound',
      message('error.resourceNotFound', { id: truncate(id, 200), why: typeof why === 'string' ? truncate(why, 200) : why }),
    ),
  jobNotFound: (id: string) => new ApiError(404, 'JobNotFound', message('error.jobNotFound', { id: truncate(id) })),
  jobDetailUnavailable: (id: string, why: Why) =>
    new ApiError(
      404,
      'JobDetailUnavailable',
      message('error.jobDetailUnavailable', { id: truncate(id), why: typeof why === 'string' ? truncate(why, 200) : why }),
    ),

  operationNotFound: (operationId: string) =>
    new ApiError(404, 'OperationNotFound', message('error.operationNotFound', { operationId: operationId.slice(0, 100) })),

  // other client mistakes, detected by Fastify or Node before our code runs
  /** A 4xx Fastify raises itself (its message is its own, never internal detail, and stays in its words). */
  clientError: (status: number, text: string) => new ApiError(status, status === 414 ? 'UriTooLong' : 'InvalidRequest', truncate(text, 200)),
  malformedRequest: () => new ApiError(400, 'MalformedRequest', message('error.malformedRequest')),
  requestTimeout: () => new ApiError(408, 'RequestTimeout', message('error.requestTimeout')),
  headersTooLarge: () => new ApiError(431, 'HeadersTooLarge', message('error.headersTooLarge')),
  expectationFailed: (expectation: string) =>
    new ApiError(417, 'ExpectationFailed', message('error.expectationFailed', { expectation: truncate(expectation) })),
  /** `proxy`: a CONNECT, which asks this server to be a proxy. */
  methodNotAllowed: (method: string, proxy = false) =>
    new ApiError(405, 'MethodNotAllowed', message(proxy ? 'error.methodNotProxy' : 'error.methodNotAllowed', { method: truncate(method, 20) })),
  payloadTooLarge: (limit: number | undefined) =>
    new ApiError(413, 'PayloadTooLarge', limit === undefined ? message('error.payloadTooLargeNoLimit') : message('error.payloadTooLarge', { limit })),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      'TooManyRequests',
      message(retryAfterSeconds === 1 ? 'error.tooManyRequestsOne' : 'error.tooManyRequests', { seconds: retryAfterSeconds }),
      {
        'retry-after': String(retryAfterSeconds),
      },
    ),
  unsupportedMediaType: (type: string | undefined) =>
    new ApiError(415, 'UnsupportedMediaType', message('error.unsupportedMediaType', { type: truncate(type ?? '') })),

  // 5xx — only for our own faults, or injected on purpose by a sandbox fault rule
  internal: () => new ApiError(500, 'InternalError', message('error.internal')),
  unavailable: (why: Why) => new ApiError(503, 'ServiceUnavailable', why),
  /** The database cannot be reached (PostgreSQL down or restarting): nothing was done; try again. */
  databaseUnavailable: () => new ApiError(503, 'ServiceUnavailable', message('error.databaseUnavailable'), { 'retry-after': '1' }),
  /** A request that arrives while the server shuts down (SIGTERM): another instance should take it. */
  shuttingDown: () => new ApiError(503, 'ServiceUnavailable', message('error.shuttingDown'), { 'retry-after': '1' }),
  /** GET /readyz while the server cannot serve: `why` names what is missing. */
  notReady: (why: Why) => new ApiError(503, 'ServiceUnavailable', message('error.notReady', { why }), { 'retry-after': '1' }),
  /** The answer a sandbox HTTP fault rule asked for, shaped as the service's own answer with that status. */
  injected: (status: InjectedStatus, ruleId: string, retryAfterSeconds?: number) => {
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    switch (status) {
      case 429:
        return new ApiError(429, 'TooManyRequests', message('error.injectedTooManyRequests', { ruleId }), headers);
      case 500:
        return new ApiError(500, 'InternalError', message('error.injectedInternal', { ruleId }), headers);
      case 502:
        return new ApiError(502, 'BadGateway', message('error.injectedBadGateway', { ruleId }), headers);
      case 503:
        return new ApiError(503, 'ServiceUnavailable', message('error.injectedUnavailable', { ruleId }), headers);
    }
  },
} as const;

/** A problem as checks report it: where, its English, and (for our own checks) the catalogue message to render per language. */
export interface ProblemInput {
  path: string;
  message: string;
  text?: Message;
  resourceId?: string;
}

/**
 * The error body every error answer carries, as the JSON text sent: Fastify's answers and
 * raw-socket ones alike; its messages in `language` (codes and paths never change).
 */
export function errorBody(error: ApiError, language: Language = 'en'): string {
  return JSON.stringify({ error: { code: error.code, message: errorMessage(error, language), ...renderDetails(error.details, language) } });
}

/** The error's message in a language. */
export function errorMessage(error: ApiError, language: Language): string {
  return language === 'en' || typeof error.text === 'string' ? error.message : render(error.text, language);
}

/** The problems of an error, each message in `language`, without the catalogue form. */
export function renderProblems(
  problems: ReadonlyArray<ProblemInput> | undefined,
  language: Language,
): Array<{ path: string; message: string; resourceId?: string }> | undefined {
  return problems?.map(({ text, ...rest }) => ({
    ...rest,
    message: text === undefined || language === 'en' ? rest.message : truncate(render(text, language), 500),
  }));
}

function renderDetails(details: Readonly<Record<string, unknown>>, language: Language): Record<string, unknown> {
  const problems = details['problems'] as ReadonlyArray<ProblemInput> | undefined;
  return problems === undefined ? details : { ...details, problems: renderProblems(problems, language) };
}

/** At most this many problems are listed in an error: a document with 400,000 bad plans must not get a 100 MB answer. */
export const MAX_LISTED_PROBLEMS = 100;

/** The problems an error lists (the first ones, paths shortened), and the message text naming how many more there are. */
function listProblems(all: ReadonlyArray<ProblemInput>): { problems: ProblemInput[]; text: MessageParam } {
  const problems = all.slice(0, MAX_LISTED_PROBLEMS).map((problem) => ({
    ...problem,
    path: truncate(problem.path, 300),
    message: truncate(problem.message, 500),
  }));
  const more = all.length - problems.length;
  const lines = problems.map((p) => message('problem.line', { path: p.path, message: p.text ?? p.message }));
  return {
    problems,
    text: more > 0 ? message(more === 1 ? 'problem.moreOne' : 'problem.more', { listed: lines, more, count: problems.length }) : lines,
  };
}

/** Echoing client input in messages helps, but never without bound. */
function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
