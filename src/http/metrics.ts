/**
 * The Prometheus metrics (prom-client), served at GET /metrics (routes/metrics.ts).
 *
 * Label values are never free text: route templates (Fastify's `routeOptions.url`, never the
 * URL asked for), methods, status codes, statement names and closed enums. No id, token or
 * query string reaches a label.
 *
 * The request path pays one histogram observation into a series made once per route, method and
 * status (RouteSeries, RequestHistogram); everything else is counted where it happens (statement and
 * transaction times, webhook deliveries) or read when Prometheus scrapes (caches, the pool, the
 * workflow's backlog from the database, process metrics).
 */
import { Counter, Gauge, Histogram, type Metric, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.ts';
import { PACKAGE_VERSION } from '../version.ts';

/** Seconds; fine at the bottom, where the hot GET lives (well under a millisecond). */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** The route label of a request no route matched (404s). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** How long a scrape waits for the database's counts before it answers without them. */
const STORE_READ_TIMEOUT_MS = 2000;

export type WebhookOutcome = 'delivered' | 'failed' | 'given_up';

type Observer = { observe(value: number): void };

/** One series of the request histogram: its buckets (not cumulative; the last is +Inf), sum and count. */
class RequestCell {
  readonly labels: { route: string; method: string; status: string };
  readonly counts = new Float64Array(REQUEST_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(route: string, method: string, status: string) {
    this.labels = { route, method, status };
  }

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < REQUEST_BUCKETS.length && seconds > REQUEST_BUCKETS[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += seconds;
    this.count++;
  }
}

/**
 * The request histogram, kept by hand on the request path (a bucket search and three additions:
 * prom-client's own `observe` builds a label key string per call) and handed to prom-client's
 * registry, which writes the exposition, as a metric of type histogram.
 */
export class RequestHistogram {
  readonly name = 'cloudpartner_http_request_duration_seconds';
  readonly help = 'HTTP requests by route template, method and status: time from arrival to the answer sent (_count: requests)';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #cells: RequestCell[] = [];

  cell(route: string, method: string, status: string): RequestCell {
    const cell = new RequestCell(route, method, status);
    this.#cells.push(cell);
    return cell;
  }

  reset(): void {
    for (const cell of this.#cells) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }

  async get() {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const cell of this.#cells) {
      let cumulative = 0;
      for (let i = 0; i < REQUEST_BUCKETS.length; i++) {
        cumulative += cell.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: REQUEST_BUCKETS[i]!, ...cell.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...cell.labels }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** The request histogram's series of one route and method, by status code: made once, then reused. */
export class RouteSeries {
  readonly #histogram: RequestHistogram;
  readonly #route: string;
  readonly #method: string;
  readonly #byStatus: Array<RequestCell | undefined> = [];

  constructor(histogram: RequestHistogram, route: string, method: string) {
    this.#histogram = histogram;
    this.#route = route;
    this.#method = method;
  }

  observe(status: number, seconds: number): void {
    let cell = this.#byStatus[status];
    if (cell === undefined) cell = this.#byStatus[status] = this.#histogram.cell(this.#route, this.#method, String(status));
    cell.observe(seconds);
  }
}

/** Process metrics (CPU, memory, event loop, GC) once per process: their collectors live as long as it does. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestHistogram();
  readonly #unmatched = new Map<string, RouteSeries>();
  readonly #byRoute = new Map<string, RouteSeries>();
  readonly #queries: Histogram<'statement'>;
  readonly #queryChildren = new Map<string, Observer>();
  readonly #transactions: { commit: Observer; rollback: Observer };
  readonly #webhooks: Record<WebhookOutcome, { inc(): void }>;

  constructor(store: Store, workflowNow: () => number) {
    const registers = [this.registry];
    this.registry.registerMetric(this.requests as unknown as Metric);
    new Gauge({
      name: 'cloudpartner_build_info',
      help: 'Always 1: the version and the store of this server',
      labelNames: ['version', 'store'],
      registers,
    }).set({ version: PACKAGE_VERSION, store: store.kind }, 1);

    // ---- the database ----
    this.#queries = new Histogram({
      name: 'cloudpartner_db_query_duration_seconds',
      help: 'Database statements by statement name (reads served from a cache run none)',
      labelNames: ['statement'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    const transactions = new Histogram({
      name: 'cloudpartner_db_transaction_duration_seconds',
      help: 'Database transactions, committed or rolled back: time from taking the connection (or the write lock) to the end',
      labelNames: ['outcome'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    this.#transactions = { commit: transactions.labels('commit'), rollback: transactions.labels('rollback') };
    store.observe({
      statement: (name, seconds) => this.#queryChild(name).observe(seconds),
      transaction: (seconds, committed) => (committed ? this.#transactions.commit : this.#transactions.rollback).observe(seconds),
    });
    if (store.poolStats()) {
      const pool = (name: string, help: string, read: (stats: NonNullable<ReturnType<Store['poolStats']>>) => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            const stats = store.poolStats();
            if (stats) this.set(read(stats));
          },
        });
      pool('cloudpartner_db_pool_connections', 'PostgreSQL pool: connections open', (stats) => stats.total);
      pool('cloudpartner_db_pool_idle_connections', 'PostgreSQL pool: open connections not in use', (stats) => stats.idle);
      pool('cloudpartner_db_pool_waiting_requests', 'PostgreSQL pool: statements waiting for a connection', (stats) => stats.waiting);
    }
    new Counter({
      name: 'cloudpartner_cache_requests_total',
      help: 'Reads of the read caches by cache and result (hit or miss)',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        this.reset();
        for (const count of store.cacheCounts()) {
          this.inc({ cache: count.cache, result: 'hit' }, count.hits);
          this.inc({ cache: count.cache, result: 'miss' }, count.misses);
        }
      },
    });

    // ---- the workflow, as the database holds it (every instance's work) ----
    // One read of the database per scrape, shared by the metrics below (collect runs for each).
    let reading: Promise<void> | undefined;
    const readWorkflow = () => (reading ??= refreshWorkflow().finally(() => (reading = undefined)));
    const databaseUp = new Gauge({
      name: 'cloudpartner_database_up',
      help: '1 when the last scrape could read the database, 0 when not',
      registers,
      collect: readWorkflow,
    });
    const operations = new Gauge({
      name: 'cloudpartner_operations',
      help: 'Operations in the database by type and state (running, completed, failed, canceled)',
      labelNames: ['type', 'state'],
      registers,
      collect: readWorkflow,
    });
    const waiting = new Gauge({
      name: 'cloudpartner_workflow_steps_waiting',
      help: 'Workflow steps due and not yet finished',
      registers,
      collect: readWorkflow,
    });
    const lag = new Gauge({
      name: 'cloudpartner_workflow_step_lag_seconds',
      help: 'How long the step waiting longest has been due (0 when none waits)',
      registers,
      collect: readWorkflow,
    });
    const notifications = new Counter({
      name: 'cloudpartner_notifications_total',
      help: 'Notifications (the e-mails the service would send) kept in the outbox',
      registers,
      collect: readWorkflow,
    });
    const refreshWorkflow = async () => {
      try {
        const now = workflowNow();
        const gauges = await withTimeout(store.workflowGauges(now), STORE_READ_TIMEOUT_MS);
        operations.reset();
        for (const row of gauges.operations) operations.set({ type: row.type, state: row.status }, row.count);
        waiting.set(gauges.stepsWaiting);
        lag.set(gauges.oldestDueMs === null ? 0 : Math.max(0, now - gauges.oldestDueMs) / 1000);
        notifications.reset();
        notifications.inc(gauges.notifications);
        databaseUp.set(1);
      } catch {
        databaseUp.set(0);
      }
    };

    // ---- webhooks ----
    const webhooks = new Counter({
      name: 'cloudpartner_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, failed (to be retried) or given_up',
      labelNames: ['outcome'],
      registers,
    });
    this.#webhooks = { delivered: webhooks.labels('delivered'), failed: webhooks.labels('failed'), given_up: webhooks.labels('given_up') };
    for (const outcome of ['delivered', 'failed', 'given_up'] as const) webhooks.inc({ outcome }, 0);
  }

  /** The series of a request no route matched (its method is one Node's parser accepts: a closed set). */
  unmatched(method: string): RouteSeries {
    let series = this.#unmatched.get(method);
    if (!series) this.#unmatched.set(method, (series = new RouteSeries(this.requests, UNMATCHED_ROUTE, method)));
    return series;
  }

  /** The series of a route that serves several methods (no route here does; kept exact should one). */
  series(route: string, method: string): RouteSeries {
    const key = `${method} ${route}`;
    let series = this.#byRoute.get(key);
    if (!series) this.#byRoute.set(key, (series = new RouteSeries(this.requests, route, method)));
    return series;
  }

  webhookDelivery(outcome: WebhookOutcome): void {
    this.#webhooks[outcome].inc();
  }

  #queryChild(name: string): Observer {
    let child = this.#queryChildren.get(name);
    if (!child) this.#queryChildren.set(name, (child = this.#queries.labels(name)));
    return child;
  }

  /** The exposition text: this server's metrics, then the process's. */
  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
