/**
 * CloudPartnerClient: a typed client of the Cloud Partner Portal offer publishing API
 * (api-version 2017-10-31), for cloudpartner and for any endpoint that speaks the same API.
 *
 *   const client = new CloudPartnerClient({ endpoint: 'http://127.0.0.1:8080', token, publisherId: 'contoso' });
 *   const { offer, etag } = await client.getOffer('contoso-vm');
 *   const started = await client.publish('contoso-vm');
 *   const done = await client.waitForOperation(started, { onProgress: (op) => console.log(op.status) });
 *
 * Offer calls act in the client's publisher namespace (`publisherId`; `withPublisher()` gives a
 * client for another one, sharing the token cache). Errors are CloudPartnerError (status, code,
 * message) or CloudPartnerNetworkError; retries follow retry.ts.
 */
import { CloudPartnerError, CloudPartnerTimeoutError } from './errors.ts';
import { type ClientCredentialsOptions, ClientCredentialsToken, StaticToken, type TokenProvider } from './credentials.ts';
import { type HttpResponse, type HttpSettings, type RetryEvent, parseJson, send } from './http.ts';
import { DEFAULT_RETRY, type RetryOptions, parseRetryAfter, sleep } from './retry.ts';
import type {
  Application,
  CancelResult,
  FaultRule,
  JournalEntry,
  Member,
  NewApplication,
  NewFaultRule,
  NotificationOptions,
  Offer,
  OfferDocument,
  OfferStatus,
  OfferSummary,
  OfferType,
  OfferWithETag,
  Operation,
  OperationHandle,
  OperationStatus,
  OutboxMessage,
  AuditPage,
  AuditQuery,
  AuditRecord,
  Publisher,
  PutResult,
  Role,
  SecretField,
  SandboxClock,
  Snapshot,
  StepDurationsSetting,
  Submission,
  ValidationReport,
  VersionSelector,
  ConfigureDetail,
  ConfigureStatus,
  IngestionResource,
  ResourceTree,
  TargetType,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
} from './types.ts';

export const API_VERSION = '2017-10-31';
const SDK_VERSION = '0.1.0';

export interface CloudPartnerClientOptions {
  /** Base URL of the API: http://127.0.0.1:8080, https://cloudpartner.azure.com… */
  endpoint: string;
  /** A bearer token. */
  token?: string;
  /** Or client credentials, for tokens from the client-credentials flow. */
  credentials?: ClientCredentialsOptions;
  /** The publisher namespace offer calls act in. */
  publisherId?: string;
  apiVersion?: string;
  retry?: RetryOptions;
  /** Longest a single attempt may take, ms (default 60000). */
  timeoutMs?: number;
  /** Called before each retry (for logs). */
  onRetry?: (event: RetryEvent) => void;
  /** Another fetch implementation (default: Node's). */
  fetch?: typeof fetch;
  userAgent?: string;
  /** The language of the server's error and step messages, as Accept-Language (`ru`, `nl-NL`, `zh-Hans`…); codes never change. Default: English. */
  language?: string;
}

/** What updateOffer's callback gets and may return: the draft, to change in place or replace. */
export type OfferMutation = (offer: Offer) => Offer | OfferDocument | void | Promise<Offer | OfferDocument | void>;

/** How a PUT is conditioned: the ETag read (optimistic), `force` (If-Match: *, last writer wins), or neither (create only: If-None-Match: *). */
export type PutOptions = { etag: string; force?: never } | { force: true; etag?: never } | { etag?: undefined; force?: undefined | false };

export interface WaitOptions {
  /** Called with the operation after every poll (and first with the one already known). */
  onProgress?: (operation: Operation) => void;
  /** Time between polls, ms (default 2000; a Retry-After from the server wins when longer). */
  intervalMs?: number;
  /** Give up after this long (CloudPartnerTimeoutError); default: never. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An operation to wait for: what publish/golive/cancel returned, its Location, or its ids. */
export type OperationTarget = OperationHandle | string | { offerId: string; operationId: string };

const TERMINAL = new Set(['completed', 'complete', 'succeeded', 'failed', 'canceled', 'cancelled']);

/** Whether an operation (or offer) status is final. Compared case-insensitively, as the API's values vary. */
export function isTerminal(status: OperationStatus | string): boolean {
  return TERMINAL.has(status.toLowerCase());
}

/** Whether an operation ended well: `succeeded` (one operation), `completed` (the submissions list), or `complete`. */
export function isSucceeded(operation: Pick<Operation, 'status'>): boolean {
  return ['completed', 'complete', 'succeeded'].includes(operation.status.toLowerCase());
}

export class CloudPartnerClient {
  readonly endpoint: string;
  readonly publisherId: string | undefined;
  readonly apiVersion: string;
  readonly #http: HttpSettings;
  readonly #tokens: TokenProvider;

  constructor(options: CloudPartnerClientOptions);
  constructor(options: CloudPartnerClientOptions, shared: { http: HttpSettings; tokens: TokenProvider });
  constructor(options: CloudPartnerClientOptions, shared?: { http: HttpSettings; tokens: TokenProvider }) {
    let endpoint: URL;
    try {
      endpoint = new URL(options.endpoint);
    } catch {
      throw new TypeError(`The endpoint '${options.endpoint}' is not a URL: give one like http://127.0.0.1:8080 or https://cloudpartner.azure.com.`);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new TypeError(`The endpoint '${options.endpoint}' is not an http(s) URL.`);
    this.endpoint = endpoint.href.replace(/\/+$/, '');
    this.publisherId = options.publisherId?.toLowerCase();
    this.apiVersion = options.apiVersion ?? API_VERSION;
    if (shared) {
      this.#http = shared.http;
      this.#tokens = shared.tokens;
      return;
    }
    this.#http = {
      // Called as a method of these settings, a browser's fetch would throw 'Illegal invocation'.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      retry: { ...DEFAULT_RETRY, ...options.retry },
      timeoutMs: options.timeoutMs ?? 60_000,
      userAgent: options.userAgent ?? `cloudpartner-client/${SDK_VERSION} node/${process.versions.node}`,
      language: options.language,
      onRetry: options.onRetry,
    };
    if (options.token !== undefined && options.credentials) throw new TypeError('Give either a token or client credentials, not both.');
    if (options.credentials) {
      this.#tokens = new ClientCredentialsToken({ ...options.credentials, authority: options.credentials.authority ?? this.endpoint }, this.#http);
    } else if (options.token) {
      this.#tokens = new StaticToken(options.token);
    } else {
      throw new TypeError('The client needs a token or client credentials.');
    }
  }

  /** A client for another publisher namespace, sharing this one's settings and token cache. */
  withPublisher(publisherId: string): CloudPartnerClient {
    return new CloudPartnerClient({ endpoint: this.endpoint, publisherId, apiVersion: this.apiVersion }, { http: this.#http, tokens: this.#tokens });
  }

  // ---- catalogue ---------------------------------------------------------------------------

  /** GET /api/publishers — the publishers the caller can see. */
  async listPublishers(signal?: AbortSignal): Promise<Publisher[]> {
    return this.#json<Publisher[]>('GET', '/api/publishers', { signal });
  }

  /** GET /api/offerTypes. */
  async listOfferTypes(signal?: AbortSignal): Promise<OfferType[]> {
    return this.#json<OfferType[]>('GET', '/api/offerTypes', { signal });
  }

  /** GET /healthz (cloudpartner; no token). */
  async health(signal?: AbortSignal): Promise<{ status: string; store?: string }> {
    const response = await this.#request('GET', '/healthz', { signal, anonymous: true, noApiVersion: true });
    return parseJson(response, { method: 'GET', url: `${this.endpoint}/healthz` });
  }

  // ---- offers ------------------------------------------------------------------------------

  /** GET …/offers — summaries of every offer, optionally of one offer type only (`$filter=offerTypeId eq '…'`). */
  async listOffers(options: { offerTypeId?: string; signal?: AbortSignal } = {}): Promise<OfferSummary[]> {
    const query: Record<string, string> = options.offerTypeId === undefined ? {} : { $filter: `offerTypeId eq '${options.offerTypeId.replaceAll("'", "''")}'` };
    return this.#json<OfferSummary[]>('GET', this.#offers(), { query, signal: options.signal });
  }

  /** GET …/offers/{offerId}[/versions/{n} | /slot/{slot}] — the document and its ETag. */
  async getOffer(offerId: string, selector: VersionSelector = {}, signal?: AbortSignal): Promise<OfferWithETag> {
    let path = this.#offer(offerId);
    if (selector.version !== undefined) {
      if (!Number.isInteger(selector.version) || selector.version < 1) throw new TypeError(`version must be a whole number from 1, not ${selector.version}`);
      path += `/versions/${selector.version}`;
    } else if (selector.slot !== undefined) {
      path += `/slot/${encodeURIComponent(selector.slot)}`;
    }
    const response = await this.#request('GET', path, { signal });
    return { offer: this.#parse<Offer>(response, 'GET', path), etag: response.headers.get('etag') ?? '' };
  }

  /**
   * PUT …/offers/{offer.id} — create the offer, or replace its draft. With `{etag}` the write is
   * optimistic (412 PreconditionFailed when the offer changed since it was read); with
   * `{force: true}` the last writer wins; with neither it only creates (`If-None-Match: *`: 412
   * PreconditionFailed when the offer exists, or 409 InvalidResourceId from a server that follows
   * the documentation). `created` is true when the server answered 201 or the write was create-only.
   */
  async putOffer(offer: OfferDocument | Offer, options: PutOptions = {}, signal?: AbortSignal): Promise<PutResult> {
    if (typeof offer?.id !== 'string' || !offer.id) throw new TypeError('The offer document needs its id.');
    const ifMatch = options.force ? '*' : options.etag;
    const path = this.#offer(offer.id);
    const response = await this.#request('PUT', path, {
      body: JSON.stringify(offer),
      headers: ifMatch === undefined ? { 'if-none-match': '*' } : { 'if-match': ifMatch },
      signal,
    });
    const created = response.status === 201 || ifMatch === undefined;
    return { offer: this.#parse<Offer>(response, 'PUT', path), etag: response.headers.get('etag') ?? '', created };
  }

  /**
   * Read-modify-write of the draft with optimistic concurrency: GET it, apply `mutate` (change the
   * document in place, or return a new one), PUT it with If-Match; when someone else wrote in
   * between (412), start again from a fresh read — up to `maxAttempts` times (default 5).
   */
  async updateOffer(offerId: string, mutate: OfferMutation, options: { maxAttempts?: number; signal?: AbortSignal } = {}): Promise<PutResult> {
    const maxAttempts = options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const { offer, etag } = await this.getOffer(offerId, {}, options.signal);
      const draft = structuredClone(offer);
      const changed = (await mutate(draft)) ?? draft;
      try {
        return await this.putOffer({ ...changed, id: offer.id }, { etag }, options.signal);
      } catch (error) {
        if (!(error instanceof CloudPartnerError && error.status === 412) || attempt >= maxAttempts) throw error;
      }
    }
  }

  /**
   * POST …/offers/{offerId}/validate (cloudpartner) — the dry run of a publish: what a PUT of
   * `document` (without one: the current draft, whose `etag` the report carries) and a publish of
   * it would find, every problem with its JSON path and stage (`document`, `publish`,
   * `certification`). It changes nothing, so it is retried like a read. A document for another
   * offer gets PUT's error (400 IdMismatch, 409 OfferTypeChange); no draft, 404 OfferNotFound.
   */
  async validateOffer(offerId: string, document?: OfferDocument | Offer, signal?: AbortSignal): Promise<ValidationReport> {
    return this.#json<ValidationReport>('POST', `${this.#offer(offerId)}/validate`, {
      ...(document === undefined ? {} : { body: JSON.stringify(document) }),
      idempotent: true,
      signal,
    });
  }

  // ---- the publishing workflow -------------------------------------------------------------

  /** POST …/publish — validate (422 with every problem), freeze the draft as a new version, start publishing. */
  async publish(offerId: string, options: NotificationOptions & { signal?: AbortSignal } = {}): Promise<OperationHandle> {
    return this.#start(offerId, 'publish', options);
  }

  /** POST …/golive — take the Preview version live. */
  async goLive(offerId: string, options: NotificationOptions & { signal?: AbortSignal } = {}): Promise<OperationHandle> {
    return this.#start(offerId, 'golive', options);
  }

  /** POST …/cancel — cancel the running operation: at once (a publish), or through a cancel operation to wait for (a go-live). */
  async cancel(offerId: string, options: NotificationOptions & { signal?: AbortSignal } = {}): Promise<CancelResult> {
    const { handle, status } = await this.#post(offerId, 'cancel', options);
    return { ...handle, completed: status === 200 };
  }

  /** GET …/status — the offer status and the steps of its latest publish and go-live. */
  async getStatus(offerId: string, signal?: AbortSignal): Promise<OfferStatus> {
    return this.#json<OfferStatus>('GET', `${this.#offer(offerId)}/status`, { signal });
  }

  /** GET …/secrets — which secret-type fields of the draft hold a value; never the values (cloudpartner). */
  async listSecretFields(offerId: string, signal?: AbortSignal): Promise<SecretField[]> {
    return (await this.#json<{ value: SecretField[] }>('GET', `${this.#offer(offerId)}/secrets`, { signal })).value;
  }

  /** GET …/submissions — the offer's operations, newest first; `status` filters (running, completed, failed, canceled). */
  async listSubmissions(offerId: string, options: { status?: OperationStatus; signal?: AbortSignal } = {}): Promise<Submission[]> {
    return this.#json<Submission[]>('GET', `${this.#offer(offerId)}/submissions`, {
      query: options.status ? { status: options.status } : {},
      signal: options.signal,
    });
  }

  /** GET …/operations/{operationId}. */
  async getOperation(offerId: string, operationId: string, signal?: AbortSignal): Promise<Operation> {
    return this.#json<Operation>('GET', `${this.#offer(offerId)}/operations/${encodeURIComponent(operationId)}`, { signal });
  }

  /**
   * GET an operation by the Location (or Operation-Location) a start call answered: a relative
   * path in either documented form, or an absolute URL. It is always read from this client's
   * endpoint, so the token never goes to another host.
   */
  async getOperationAt(location: string, signal?: AbortSignal): Promise<Operation> {
    return this.#parse<Operation>(await this.#pollLocation(location, signal), 'GET', location);
  }

  /**
   * Polls an operation until it ends (completed, failed or canceled) and returns it; it does not
   * throw when the operation failed — look at `status`, and at the `messages` of its blocked
   * step. `onProgress` gets the operation after every poll. Polling retries like any read.
   */
  async waitForOperation(target: OperationTarget, options: WaitOptions = {}): Promise<Operation> {
    const location = typeof target === 'string' ? target : 'location' in target ? target.location : this.#operationLocation(target.offerId, target.operationId);
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const intervalMs = options.intervalMs ?? 2000;
    let operation = typeof target === 'object' && 'operation' in target ? target.operation : undefined;
    let waitMs = 0;
    if (operation) {
      options.onProgress?.(operation);
      if (isTerminal(operation.status)) return operation;
      waitMs = intervalMs;
    }
    for (;;) {
      if (Date.now() + waitMs > deadline) {
        throw new CloudPartnerTimeoutError(
          `The operation at ${location.split('?')[0]} was still ${operation?.status ?? 'running'} after ${options.timeoutMs} ms.`,
        );
      }
      if (waitMs > 0) await sleep(waitMs, options.signal);
      const response = await this.#pollLocation(location, options.signal);
      operation = this.#parse<Operation>(response, 'GET', location);
      options.onProgress?.(operation);
      if (isTerminal(operation.status)) return operation;
      waitMs = Math.max(intervalMs, parseRetryAfter(response.headers.get('retry-after')) ?? 0);
    }
  }

  // ---- members (cloudpartner) --------------------------------------------------------------

  /** GET /api/publishers/{p}/members — who has which role (Owners only). */
  async listMembers(signal?: AbortSignal): Promise<Member[]> {
    return this.#json<Member[]>('GET', `${this.#publisher()}/members`, { signal });
  }

  /** PUT /api/publishers/{p}/members/{objectId} — add a service principal, or change its role. */
  async putMember(
    objectId: string,
    member: { tenantId: string; role: Role; displayName?: string },
    signal?: AbortSignal,
  ): Promise<{ member: Member; created: boolean }> {
    const path = `${this.#publisher()}/members/${encodeURIComponent(objectId)}`;
    const response = await this.#request('PUT', path, { body: JSON.stringify(member), signal });
    return { member: this.#parse<Member>(response, 'PUT', path), created: response.status === 201 };
  }

  /** DELETE /api/publishers/{p}/members/{objectId}. */
  async removeMember(objectId: string, options: { tenantId?: string; signal?: AbortSignal } = {}): Promise<void> {
    await this.#request('DELETE', `${this.#publisher()}/members/${encodeURIComponent(objectId)}`, {
      query: options.tenantId ? { tenantId: options.tenantId } : {},
      signal: options.signal,
    });
  }

  // ---- applications of the built-in token service (cloudpartner) ---------------------------

  /** GET /api/publishers/{p}/applications — the applications whose service principal is a member (Owners only; never a secret). */
  async listApplications(signal?: AbortSignal): Promise<Application[]> {
    return this.#json<Application[]>('GET', `${this.#publisher()}/applications`, { signal });
  }

  /**
   * POST /api/publishers/{p}/applications — registers an application whose service principal gets
   * `role` on the publisher. The answer's `clientSecret` is shown this once: keep it.
   */
  async createApplication(application: { role: Role; displayName?: string }, signal?: AbortSignal): Promise<NewApplication> {
    return this.#json<NewApplication>('POST', `${this.#publisher()}/applications`, { body: JSON.stringify(application), signal });
  }

  /** DELETE /api/publishers/{p}/applications/{clientId} — its membership ends; the application is deleted when it is a member of no other publisher. */
  async removeApplication(clientId: string, signal?: AbortSignal): Promise<void> {
    await this.#request('DELETE', `${this.#publisher()}/applications/${encodeURIComponent(clientId)}`, { signal });
  }

  // ---- the sandbox controls (cloudpartner --sandbox; the token must be the sandbox admin token) --

  /** The sandbox controls: fault rules and the workflow clock (see the README's "Testing your automation against failures"). */
  get sandbox(): SandboxControls {
    const call = <T>(method: string, path: string, body?: unknown) =>
      this.#json<T>(method, `/_cloudpartner/${path}`, { noApiVersion: true, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return {
      addFault: (rule) => call<FaultRule>('POST', 'faults', rule),
      listFaults: async () => (await call<{ value: FaultRule[] }>('GET', 'faults')).value,
      removeFault: async (id) => {
        await this.#request('DELETE', `/_cloudpartner/faults/${encodeURIComponent(id)}`, { noApiVersion: true });
      },
      getClock: () => call<SandboxClock>('GET', 'clock'),
      setStepDurations: (stepDurations) => call<SandboxClock>('PUT', 'clock', { stepDurations }),
      advanceClock: (ms) => call<SandboxClock>('POST', 'clock/advance', { ms }),
      reset: (options = {}) => call<{ demo: boolean; identities: boolean }>('POST', 'reset', options),
      saveSnapshot: (name) => call<Snapshot>('PUT', `snapshots/${encodeURIComponent(name)}`),
      restoreSnapshot: async (name) => {
        await call('POST', `snapshots/${encodeURIComponent(name)}/restore`);
      },
      listSnapshots: async () => (await call<{ value: Snapshot[] }>('GET', 'snapshots')).value,
      journal: async (filter = {}) => {
        const query = Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, String(value)]));
        return (await this.#json<{ value: JournalEntry[] }>('GET', '/_cloudpartner/journal', { noApiVersion: true, query })).value;
      },
      outbox: async (filter = {}) => {
        const query = Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, String(value)]));
        return (await this.#json<{ value: OutboxMessage[] }>('GET', '/_cloudpartner/outbox', { noApiVersion: true, query })).value;
      },
      deleteSnapshot: async (name) => {
        await this.#request('DELETE', `/_cloudpartner/snapshots/${encodeURIComponent(name)}`, { noApiVersion: true });
      },
    };
  }

  // ---- webhooks (cloudpartner; Owners of the publisher) -------------------------------------

  /** Webhooks: a URL that receives the events of a publisher's offers, each delivery signed with the secret. */
  get webhooks(): WebhookControls {
    const path = (id?: string, suffix = '') => `/_cloudpartner/webhooks${id === undefined ? '' : `/${encodeURIComponent(id)}`}${suffix}`;
    return {
      add: (webhook) => this.#json<Webhook>('POST', path(), { noApiVersion: true, body: JSON.stringify({ publisherId: this.publisherId, ...webhook }) }),
      list: async () => (await this.#json<{ value: Webhook[] }>('GET', path(), { noApiVersion: true })).value,
      remove: async (id) => {
        await this.#request('DELETE', path(id), { noApiVersion: true });
      },
      deliveries: async (id) => (await this.#json<{ value: WebhookDelivery[] }>('GET', path(id, '/deliveries'), { noApiVersion: true })).value,
    };
  }

  // ---- the audit trail (cloudpartner; Owners of the publisher, or the sandbox admin token) --

  /** GET /_cloudpartner/audit — one page of the audit trail, newest first. */
  async listAudit(query: AuditQuery & { signal?: AbortSignal } = {}): Promise<AuditPage> {
    const publisherId = query.publisherId === undefined ? this.publisherId : query.publisherId;
    const params: Record<string, string> = {};
    if (publisherId) params['publisherId'] = publisherId;
    if (query.offerId !== undefined) params['offerId'] = query.offerId;
    if (query.since !== undefined) params['since'] = query.since instanceof Date ? query.since.toISOString() : query.since;
    if (query.limit !== undefined) params['limit'] = String(query.limit);
    if (query.continuationToken !== undefined) params['continuationToken'] = query.continuationToken;
    const page = await this.#json<{ value: AuditRecord[]; '@nextLink'?: string }>('GET', '/_cloudpartner/audit', {
      noApiVersion: true,
      query: params,
      signal: query.signal,
    });
    const next = page['@nextLink'] ? new URL(page['@nextLink'], 'http://next').searchParams.get('continuationToken') : null;
    return { value: page.value, ...(next ? { continuationToken: next } : {}) };
  }

  /** Every record the query finds, page after page, newest first. */
  async *auditRecords(query: Omit<AuditQuery, 'continuationToken'> & { signal?: AbortSignal } = {}): AsyncGenerator<AuditRecord> {
    let continuationToken: string | undefined;
    do {
      const page = await this.listAudit({ ...query, ...(continuationToken ? { continuationToken } : {}) });
      yield* page.value;
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  // ---- the product-ingestion face (Partner Center's API, over the same catalog) ---------------

  /**
   * Partner Center's product ingestion API under `/rp/product-ingestion/` of the same endpoint:
   * products are the offers of the publishers the token has a role on, and every write is a
   * configure job.
   */
  get productIngestion(): ProductIngestionControls {
    return this.#productIngestion(undefined);
  }

  /** The product-ingestion calls; reads send `$version` when one is given (each resource in its newest version not above it). */
  #productIngestion(version: string | undefined): ProductIngestionControls {
    const base = '/rp/product-ingestion';
    const get = <T>(path: string, query: Record<string, string> = {}, signal?: AbortSignal) =>
      this.#json<T>('GET', `${base}/${path}`, { noApiVersion: true, query: version === undefined ? query : { ...query, $version: version }, signal });
    const all = async (path: string, query: Record<string, string>, signal?: AbortSignal): Promise<IngestionResource[]> => {
      const found: IngestionResource[] = [];
      let page = await get<{ value: IngestionResource[]; '@nextLink'?: string }>(path, query, signal);
      found.push(...page.value);
      while (page['@nextLink']) {
        const next = new URL(page['@nextLink']);
        page = await get<{ value: IngestionResource[]; '@nextLink'?: string }>(path, Object.fromEntries(next.searchParams), signal);
        found.push(...page.value);
      }
      return found;
    };
    const guidOf = (product: string) => product.replace(/^product\//, '');
    const controls: ProductIngestionControls = {
      inVersion: (schemaVersion) => this.#productIngestion(schemaVersion),
      listProducts: (filter = {}, signal) =>
        all('product', { ...(filter.externalId ? { externalId: filter.externalId } : {}), ...(filter.type ? { type: filter.type } : {}) }, signal),
      findProduct: async (externalId, signal) => (await controls.listProducts({ externalId }, signal))[0],
      listPlans: (productId, filter = {}, signal) =>
        all('plan', { product: `product/${guidOf(productId)}`, ...(filter.externalId ? { externalId: filter.externalId } : {}) }, signal),
      getResourceTree: (productId, targetType = 'draft', signal) => get<ResourceTree>(`resource-tree/product/${guidOf(productId)}`, { targetType }, signal),
      getResource: (durableId, signal) => get<IngestionResource>(durableId.replace(/^\/+/, ''), {}, signal),
      listSubmissions: async (productId, signal) =>
        (await get<{ value: IngestionResource[] }>(`submission/${encodeURIComponent(guidOf(productId))}`, {}, signal)).value,
      configure: (resources, options = {}) =>
        this.#json<ConfigureStatus>('POST', `${base}/configure`, {
          noApiVersion: true,
          body: JSON.stringify({ $schema: options.schema ?? 'https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview2', resources }),
          signal: options.signal,
        }),
      getJobStatus: (jobId, signal) => get<ConfigureStatus>(`configure/${encodeURIComponent(jobId)}/status`, {}, signal),
      getJobDetail: (jobId, signal) => get<ConfigureDetail>(`configure/${encodeURIComponent(jobId)}`, {}, signal),
      cancelJob: (jobId, signal) =>
        this.#json<ConfigureStatus>('POST', `${base}/configure/${encodeURIComponent(jobId)}/cancel`, { noApiVersion: true, signal }),
      waitForJob: async (jobId, options = {}) => {
        const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
        for (;;) {
          const status = await controls.getJobStatus(jobId, options.signal);
          options.onProgress?.(status);
          if (status.jobStatus === 'completed') return status;
          if (Date.now() > deadline) throw new CloudPartnerTimeoutError(`The configure job ${jobId} has not completed in time (${status.jobStatus}).`);
          await sleep(options.intervalMs ?? 1_000, options.signal);
        }
      },
    };
    return controls;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  #publisher(): string {
    if (!this.publisherId) throw new TypeError('This client has no publisherId: pass one to the constructor, or use withPublisher().');
    return `/api/publishers/${encodeURIComponent(this.publisherId)}`;
  }

  #offers(): string {
    return `${this.#publisher()}/offers`;
  }

  #offer(offerId: string): string {
    if (!offerId) throw new TypeError('An offer id is needed.');
    return `${this.#offers()}/${encodeURIComponent(offerId)}`;
  }

  #operationLocation(offerId: string, operationId: string): string {
    return `${this.#offer(offerId)}/operations/${encodeURIComponent(operationId)}?api-version=${this.apiVersion}`;
  }

  async #start(offerId: string, action: 'publish' | 'golive', options: NotificationOptions & { signal?: AbortSignal }): Promise<OperationHandle> {
    return (await this.#post(offerId, action, options)).handle;
  }

  async #post(offerId: string, action: 'publish' | 'golive' | 'cancel', options: NotificationOptions & { signal?: AbortSignal }) {
    const emails = Array.isArray(options.notificationEmails) ? options.notificationEmails.join(',') : options.notificationEmails;
    const path = `${this.#offer(offerId)}/${action}`;
    const response = await this.#request('POST', path, {
      ...(emails ? { body: JSON.stringify({ metadata: { 'notification-emails': emails } }) } : {}),
      signal: options.signal,
    });
    const operation = this.#parse<Operation>(response, 'POST', path);
    const location = response.headers.get('location') ?? response.headers.get('operation-location') ?? this.#operationLocation(offerId, operation.id);
    const handle: OperationHandle = { publisherId: this.publisherId!, offerId: offerId.toLowerCase(), operationId: operation.id, location, operation };
    return { handle, status: response.status };
  }

  /**
   * Reads a Location. Its path is taken relative to the endpoint (which may sit under a path
   * prefix behind a proxy); the host of an absolute Location is not used, so the token only ever
   * goes to the endpoint.
   */
  async #pollLocation(location: string, signal?: AbortSignal): Promise<HttpResponse> {
    const base = new URL(this.endpoint);
    const url = new URL(location, base.origin);
    const prefix = base.pathname.replace(/\/+$/, '');
    const path = prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    return this.#request('GET', path, { query: Object.fromEntries(url.searchParams), signal });
  }

  async #json<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    return this.#parse<T>(await this.#request(method, path, options), method, path);
  }

  #parse<T>(response: HttpResponse, method: string, path: string): T {
    return parseJson<T>(response, { method, url: `${this.endpoint}${path}` });
  }

  async #request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = new URL(`${this.endpoint}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    if (!options.noApiVersion && !url.searchParams.has('api-version')) url.searchParams.set('api-version', this.apiVersion);
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const exchange = async () => {
      if (!options.anonymous) headers['authorization'] = `Bearer ${await this.#tokens.getToken(options.signal)}`;
      return send(this.#http, {
        method,
        url: url.href,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.idempotent ? { idempotent: true } : {}),
        signal: options.signal,
      });
    };
    try {
      return await exchange();
    } catch (error) {
      // An expired or revoked token: one more try with a fresh one, when one can be had. (A 401
      // means nothing was done, so this is safe for every method.)
      if (error instanceof CloudPartnerError && error.status === 401 && !options.anonymous && this.#tokens.invalidate()) return exchange();
      throw error;
    }
  }
}

export interface SandboxControls {
  /** POST /_cloudpartner/faults — adds a rule; answers it with its id. */
  addFault(rule: NewFaultRule): Promise<FaultRule>;
  listFaults(): Promise<FaultRule[]>;
  /** DELETE /_cloudpartner/faults/{id}; the steps a block rule held run at once. */
  removeFault(id: string): Promise<void>;
  getClock(): Promise<SandboxClock>;
  /** How long steps take from now on: zero, fast, realistic, or milliseconds by step id. */
  setStepDurations(stepDurations: StepDurationsSetting): Promise<SandboxClock>;
  /** Moves workflow time ahead: waiting steps behave as if `ms` had passed. */
  advanceClock(ms: number): Promise<SandboxClock>;
  /** Empties the catalog and removes every fault rule; `demo` brings the demo data back, `identities` also removes publishers and their tokens. */
  reset(options?: { demo?: boolean; identities?: boolean }): Promise<{ demo: boolean; identities: boolean }>;
  /** Saves the whole catalog under `name`. */
  saveSnapshot(name: string): Promise<Snapshot>;
  /** Brings the catalog back exactly as `name` saved it. */
  restoreSnapshot(name: string): Promise<void>;
  listSnapshots(): Promise<Snapshot[]>;
  deleteSnapshot(name: string): Promise<void>;
  /** The latest API requests and their answers, newest first (bodies cut to 4 KB, nothing secret). */
  journal(filter?: { publisherId?: string; offerId?: string; limit?: number }): Promise<JournalEntry[]>;
  /** The e-mails the hosted service would have sent about operations, newest first. */
  outbox(filter?: { offerId?: string; to?: string; limit?: number }): Promise<OutboxMessage[]>;
}

export interface WebhookControls {
  /** POST /_cloudpartner/webhooks — for the client's publisher unless `publisherId` is given; the secret signs every delivery. */
  add(webhook: { url: string; events: WebhookEvent[]; secret: string; publisherId?: string }): Promise<Webhook>;
  list(): Promise<Webhook[]>;
  remove(id: string): Promise<void>;
  deliveries(id: string): Promise<WebhookDelivery[]>;
}

export interface ProductIngestionControls {
  /** The same calls, reading every resource in the newest schema version not above `schemaVersion` (`$version`, e.g. `2022-03-01-preview2`). */
  inVersion(schemaVersion: string): ProductIngestionControls;
  /** GET product, every page: the products the token sees (filter by `externalId` = the offer id, or `type`). */
  listProducts(filter?: { externalId?: string; type?: string }, signal?: AbortSignal): Promise<IngestionResource[]>;
  /** The product whose externalId (offer id) this is, or undefined. */
  findProduct(externalId: string, signal?: AbortSignal): Promise<IngestionResource | undefined>;
  /** GET plan?product=…: the plans of a product's draft. */
  listPlans(productId: string, filter?: { externalId?: string }, signal?: AbortSignal): Promise<IngestionResource[]>;
  /** GET resource-tree/product/<guid>?targetType=…: every resource of the product for a target. */
  getResourceTree(productId: string, targetType?: TargetType, signal?: AbortSignal): Promise<ResourceTree>;
  /** GET {durableId}: one resource of the draft. */
  getResource(durableId: string, signal?: AbortSignal): Promise<IngestionResource>;
  /** GET submission/<guid>: the draft, preview and live submissions. */
  listSubmissions(productId: string, signal?: AbortSignal): Promise<IngestionResource[]>;
  /** POST configure: a job that writes the resources (all or nothing); answers its status (202). */
  configure(resources: unknown[], options?: { schema?: string; signal?: AbortSignal }): Promise<ConfigureStatus>;
  getJobStatus(jobId: string, signal?: AbortSignal): Promise<ConfigureStatus>;
  /** What a job that succeeded wrote, ids filled in. */
  getJobDetail(jobId: string, signal?: AbortSignal): Promise<ConfigureDetail>;
  cancelJob(jobId: string, signal?: AbortSignal): Promise<ConfigureStatus>;
  /** Polls the job's status until it has completed (default every second, for at most 30 minutes). */
  waitForJob(
    jobId: string,
    options?: { intervalMs?: number; timeoutMs?: number; signal?: AbortSignal; onProgress?: (status: ConfigureStatus) => void },
  ): Promise<ConfigureStatus>;
}

interface RequestOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  anonymous?: boolean;
  noApiVersion?: boolean;
  /** Safe to repeat whatever the method (it changes nothing): retried like a read. */
  idempotent?: boolean;
}
