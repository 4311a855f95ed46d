/**
 * The Fastify application: plugins for the cross-cutting concerns (errors, auth, api-version,
 * OpenAPI; the access log is AccessLog), then the routes. Built the same way in tests and in `serve`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { type Clock, OffsetClock, systemClock } from '../domain/clock.ts';
import { FaultRules } from '../sandbox/faults.ts';
import { Journal } from '../sandbox/journal.ts';
import sandboxPlugin from './plugins/sandbox.ts';
import type { PutMode } from '../domain/drafts.ts';
import type { Store } from '../store/store.ts';
import errorsPlugin, { answerClientError, sendError, toApiError } from './plugins/errors.ts';
import authPlugin from './plugins/auth.ts';
import apiVersionPlugin from './plugins/api-version.ts';
import openApiPlugin from './plugins/openapi.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import { type ConnectionLimits, connectionLimits, guardServer, nodeServerOptions, requireHost } from './connections.ts';
import { registerRoutes } from './routes/index.ts';
import { EXPENSIVE_READS_AT_ONCE, ReadGate } from './read-gate.ts';
import lifecyclePlugin from './plugins/lifecycle.ts';
import metricsPlugin from './plugins/metrics.ts';
import { Metrics } from './metrics.ts';
import { AccessLog } from './access-log.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { Authenticator } from '../identity/authenticator.ts';
import { JwtVerifier, type TrustedIssuer } from '../identity/jwt-verifier.ts';
import { DEFAULT_AUDIENCE, DEFAULT_CLOCK_SKEW_SECONDS, GRAPH_AUDIENCES } from '../identity/defaults.ts';
import { TokenService } from '../identity/token-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The built-in token service (issuer URLs are set once the server listens). */
    tokens: TokenService;
  }
}
import workflowPlugin from './plugins/workflow.ts';
import ingestionPlugin from './plugins/ingestion.ts';
import type { Profile, PublishJob } from '../product-ingestion/configure.ts';
import { INGESTION_PREFIX } from '../product-ingestion/errors.ts';
import consolePlugin from './plugins/console.ts';
import type { ConsoleAssets } from './console-assets.ts';
import webhooksPlugin from './plugins/webhooks.ts';
import type { DispatcherOptions } from '../webhooks/dispatcher.ts';
import { type StepDurations, fixedDurations, DEFAULT_STEP_DURATION_MS } from '../workflow/durations.ts';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../domain/audit.ts';

export interface AppOptions {
  store: Store;
  /** A pino logger; omit for silence. */
  logger?: Logger;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  /** How long each publishing step takes (default: fast). */
  stepDurations?: StepDurations;
  /** Workflow step lease and poll interval, ms. */
  workflowLeaseMs?: number;
  workflowPollMs?: number;
  /** Bearer-token identity: audiences, clock skew, issuers to trust besides the built-in one. */
  identity?: IdentityOptions;
  /** TLS: PEM certificate and key. */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Timeouts and the connection limit (slow, idle and too many clients); defaults in connections.ts. */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Requests per minute per principal (429 beyond); undefined = no limit. */
  rateLimit?: number | undefined;
  /** How PUT answers (default `service`: as the live service answered). */
  putMode?: PutMode;
  /** The server's time: the system clock, or a ManualClock that tests move. */
  clock?: Clock;
  /** Serve the sandbox controls under /_cloudpartner/ (fault rules, the workflow clock). */
  sandbox?: boolean;
  /** Webhook delivery: time limit, backoff, give-up age (defaults in src/webhooks/dispatcher.ts). */
  webhooks?: Omit<DispatcherOptions, 'clock' | 'logger'>;
  /** The product-ingestion face's write profile (D74): `compat` (lenient, the default) or `strict`. */
  ingestionProfile?: Profile;
  /** How long a submission's configure job runs (D74): `long` (the default, the whole publish) or `short` (until accepted). */
  ingestionPublishJob?: PublishJob;
  /** The web console's built files, served at /console/ (loadConsoleAssets); omit: no console. */
  console?: ConsoleAssets;
  /** Prometheus metrics at /metrics (default: on, open); `token`: only to `Authorization: Bearer <token>`; false: off (404). */
  metrics?: false | { token?: string | undefined };
  /** Days audit records are kept, in workflow time (default 90); 0: forever. */
  auditRetentionDays?: number;
}

export interface IdentityOptions {
  /** Accepted `aud` values (default https://cloudpartner.azure.com). */
  audiences?: readonly string[];
  clockToleranceSeconds?: number;
  trustedIssuers?: readonly TrustedIssuer[];
  /** Base URL of the built-in token service's issuers; default: where the server listens. */
  publicUrl?: string;
}

export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const identity = options.identity ?? {};
  const clock = options.clock ?? systemClock;
  const tokens = await TokenService.open(options.store, {
    audience: identity.audiences?.[0] ?? DEFAULT_AUDIENCE,
    ...(identity.publicUrl ? { publicUrl: identity.publicUrl } : {}),
  });
  const verifier = new JwtVerifier({
    audiences: [...(identity.audiences ?? [DEFAULT_AUDIENCE]), ...GRAPH_AUDIENCES],
    clockToleranceSeconds: identity.clockToleranceSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    trustedIssuers: identity.trustedIssuers ?? [],
    builtIn: tokens,
    clock,
  });
  const limits = connectionLimits(options.connectionLimits);
  const app = Fastify({
    ...(options.https ? { https: { ...options.https, ...nodeServerOptions(limits) } } : { http: nodeServerOptions(limits) }),
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    logController: new AccessLog(),
    // No child logger per request (pino serialises its bindings on creation): the access log
    // line carries the request id itself.
    childLoggerFactory: (logger) => logger,
    // Clients spell paths with and without a trailing slash (…/submissions/?…). Any id that fits
    // in a request line (Node caps headers at 16 KiB) must reach our own 400, not the router's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Product-ingestion clients join base URL and path with an extra slash (`…//configure`): one slash is meant.
    rewriteUrl: (request) => {
      const url = request.url ?? '/';
      if (!url.startsWith(INGESTION_PREFIX) && !url.startsWith('//rp/')) return url;
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      return path.replace(/\/{2,}/g, '/') + (query === -1 ? '' : url.slice(query));
    },
    // Errors raised before routing (malformed URL, bad content type) keep the one error shape too.
    frameworkErrors: (error, _request, reply) => sendError(reply, toApiError(error)),
    clientErrorHandler: answerClientError,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // While closing, the lifecycle plugin answers 503 in the API's error shape instead.
    return503OnClosing: false,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  }).withTypeProvider<TypeBoxTypeProvider>();
  guardServer(app.server, limits);

  // Publish, golive and cancel may come with an empty body even when clients send
  // Content-Type: application/json (§11.10); a UTF-8 byte-order mark is tolerated.
  // The API speaks JSON only: any other body type is a 415.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = (body as string).charCodeAt(0) === 0xfeff ? (body as string).slice(1) : (body as string);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });

  await app.register(errorsPlugin);
  await app.register(lifecyclePlugin);
  // Before every route, so that its hook counts every answer (workflow time is the engine's, read at scrape).
  const metrics = options.metrics === false ? undefined : new Metrics(options.store, () => app.workflow.now());
  if (metrics) await app.register(metricsPlugin, { metrics });
  else app.decorate('metrics', undefined);
  app.addHook('onRequest', requireHost);
  // The sandbox's workflow time runs ahead of the server's on demand (clock/advance); tokens and
  // the rate limiter keep the server's.
  const sandbox = options.sandbox ? { faults: new FaultRules(() => clock.now()), clock: new OffsetClock(clock), journal: new Journal() } : undefined;
  if (sandbox) await app.register(sandboxPlugin, sandbox);
  app.decorate('tokens', tokens);
  await app.register(authPlugin, { authenticator: new Authenticator(options.store, verifier, clock), readMark: () => options.store.readMark?.() });
  await app.register(rateLimitPlugin, { requestsPerMinute: options.rateLimit, now: () => clock.now() });
  await app.register(apiVersionPlugin);
  await app.register(openApiPlugin, { version: PACKAGE_VERSION });
  await app.register(workflowPlugin, {
    store: options.store,
    durations: options.stepDurations ?? fixedDurations(DEFAULT_STEP_DURATION_MS),
    logger: options.logger,
    leaseMs: options.workflowLeaseMs,
    pollMs: options.workflowPollMs,
    clock: sandbox?.clock ?? clock,
    interventions: sandbox?.faults,
    auditRetentionDays: options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
  });
  // Step ends record events too: the engine wakes the dispatcher after each.
  await app.register(webhooksPlugin, { store: options.store, dispatcher: { ...options.webhooks, clock, logger: options.logger } });
  app.workflow.onStepRecorded(() => app.webhooks.wake());
  if (metrics) app.webhooks.onDelivery((outcome) => metrics.webhookDelivery(outcome));
  await app.register(ingestionPlugin, {
    store: options.store,
    profile: options.ingestionProfile ?? 'compat',
    publishJob: options.ingestionPublishJob ?? 'long',
    clock: sandbox?.clock ?? clock,
    logger: options.logger,
    // Jobs are leased like steps: the step lease is theirs too.
    leaseMs: options.workflowLeaseMs,
    pollMs: options.workflowPollMs,
  });
  if (options.console) await app.register(consolePlugin, { assets: options.console });
  await registerRoutes(app, {
    store: options.store,
    tokens,
    putMode: options.putMode ?? 'service',
    clock,
    metricsToken: options.metrics ? options.metrics.token : undefined,
    expensiveReads: new ReadGate(EXPENSIVE_READS_AT_ONCE),
  });
  return app;
}
