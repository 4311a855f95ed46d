/**
 * `npm run bench [-- --duration <s>]`: HTTP throughput and latency of the full stack, side by
 * side with a bare node:http server returning the same bytes.
 *
 *   1. GET one ~10 KB offer document: bare node:http vs cloudpartner (Fastify, bearer auth,
 *      api-version check, SQLite store, pino access log at info to a file).
 *   2. GET the offer list of a publisher with 1,000 offers, through the full stack.
 *   3. PUT the same ~10 KB document (If-Match: *) to one of 50 offers picked at random per
 *      request, then to a single offer; every response must be 200.
 *   4. Publish→live cycles (bench/workflow.ts) with zero step delays, at a few concurrencies:
 *      completed cycles per minute, cycle time, and a check that Production holds the version.
 *   4b. The product-ingestion face: GET resource-tree (draft) of the same offer next to the CPP GET
 *      (in the table of 1), and configure-job throughput (bench/ingestion.ts): jobs per second
 *      and POST→completed time, at a few concurrencies.
 *   4c. GET offer at a few connections beside PUTs at all of them: do writes stall reads? The
 *      GETs run inside the burst (BURST_READ_MARGIN_SEC); the server's longest event-loop stall
 *      is read from its /metrics.
 *   5. Unless --skip-postgres: the GETs of 1 and 2 again on PostgreSQL (a throwaway cluster,
 *      test/helpers/postgres.ts; a fresh database seeded with the same documents), and GET offer
 *      with the load split over two instances on that database against one instance.
 *
 * Each server runs in its own process; the load generator (wrk) is a third. Every measured run
 * is preceded by a warm-up run. The PostgreSQL reads run right after the SQLite reads, so that
 * all reads are measured close together; the cluster is stopped before the SQLite writes. Writes
 * come after the reads: they grow the database and drop the read cache, which the GET scenarios
 * measure warm. Results are printed and written to bench/results/latest.json.
 * Every target (bench/targets.ts) is printed at the end with its figure and PASS or MISS, never enforced.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type LoadGenerator, type LoadResult, type RequestMix, chooseLoadGenerator } from './load.ts';
import {
  REPO_ROOT,
  type ServerChild,
  cleanup,
  installCleanupHandlers,
  interrupted,
  machineBusyMs,
  makeTempDir,
  onCleanup,
  processCpuMs,
  processTreeCpuMs,
  startServerChild,
} from './processes.ts';
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import { createDatabase, startPostgres } from '../test/helpers/postgres.ts';
import { TARGET_OFFER_BYTES, type SeededData, seed } from './seed.ts';
import { type WorkflowResult, runWorkflow } from './workflow.ts';
import { type IngestionResult, runConfigureJobs } from './ingestion.ts';
import { productGuid } from '../src/product-ingestion/ids.ts';
import { scrapeEventLoopLagMaxMs } from './server-metrics.ts';
import { OFFER_P99_MAX_MS, OFFER_RATIO_MIN, TARGET_CONNECTIONS, type Target, targets } from './targets.ts';

/** GET connections beside the PUT burst. */
const BURST_READERS = 4;
/**
 * The GETs beside the PUT burst start this long after the PUTs and stop this long before them:
 * they measure reads while writes run, not the instant 54 connections open at once (D102).
 */
const BURST_READ_MARGIN_SEC = 1;
/** Offers the PUT scenario spreads its writes over. */
const PUT_OFFERS = 50;
/** How often the publish→live driver polls an operation's Location. */
const FLOW_POLL_MS = 10;
/** A publish→live cycle not done after this long is a failure (steps take no time: it is seconds). */
const FLOW_CYCLE_TIMEOUT_MS = 60_000;

interface Settings {
  durationSec: number;
  warmupSec: number;
  connections: number;
  threads: number;
  loadGenerator: 'wrk' | 'autocannon' | undefined;
  /** Offers per publish→live run. */
  flowOffers: number;
  /** One publish→live run per concurrency. */
  flowConcurrency: number[];
  skipPostgres: boolean;
}

/** Server-side CPU during the measured run (Linux /proc; undefined elsewhere). */
interface ServerCpu {
  /** Share of one core the server process used. */
  serverCpuPercent: number | undefined;
  /** Server CPU time per completed request. */
  cpuUsPerRequest: number | undefined;
}

/** The rest of the machine during the measured run (Linux /proc; undefined elsewhere). */
interface OtherCpu {
  /** The PostgreSQL server (postmaster + backends), 100 = one core; only for a cluster of our own. */
  postgresCpuPercent: number | undefined;
  /** Every process on every core, 100 = one core: 100 × nproc means no idle CPU was left. */
  machineCpuPercent: number | undefined;
}

/** One instance's share of a run that loads several at once. */
interface InstanceLoad extends LoadResult {
  url: string;
  connections: number;
  threads: number;
  serverCpuPercent: number | undefined;
}

interface Scenario extends LoadResult, ServerCpu, OtherCpu {
  key: 'bare' | 'offer' | 'offer-jwt' | 'tree' | 'list' | 'put' | 'put-one' | 'burst-put' | 'burst-get' | 'pg-offer' | 'pg-list' | 'pg-offer-2x';
  label: string;
  path: string;
  responseBytes: number;
  /** Write scenarios: responses other than 200. */
  non200?: number;
  /** burst-get: the server's longest event-loop stall while it ran (from its /metrics). */
  eventLoopMaxMs?: number | undefined;
  /**
   * Several instances loaded at once, one load generator each: their figures. The scenario's
   * req/s, requests and CPU are their sums; p50/p99 the worse of theirs (wrk reports no histogram).
   */
  instances?: InstanceLoad[];
}

interface WorkflowRun extends WorkflowResult, ServerCpu {
  label: string;
  /** Server CPU time per completed cycle. */
  cpuMsPerCycle: number | undefined;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const USAGE =
  'usage: npm run bench -- [--duration <s>=10] [--warmup <s>=3] [--connections <n>=50] [--threads <n>=2] [--load-generator wrk|autocannon]\n' +
  '                        [--flow-offers <n>=200] [--flow-concurrency <n>[,<n>…]=8,32] [--skip-postgres]\n';

/** A bad command line: reported as a message and the usage, not a stack trace. */
class UsageError extends Error {}

function parseSettings(argv: string[]): Settings {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '3' },
        connections: { type: 'string', default: String(TARGET_CONNECTIONS) },
        threads: { type: 'string', default: '2' },
        'load-generator': { type: 'string' },
        'flow-offers': { type: 'string', default: '200' },
        'flow-concurrency': { type: 'string', default: '8,32' },
        'skip-postgres': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const whole = (name: string, text: string, min: number) => {
    if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not '${text}'`);
    return Number(text);
  };
  const generator = values['load-generator'];
  if (generator !== undefined && generator !== 'wrk' && generator !== 'autocannon') throw new UsageError('--load-generator must be wrk or autocannon');
  const settings: Settings = {
    durationSec: whole('duration', values.duration, 1),
    warmupSec: whole('warmup', values.warmup, 0),
    connections: whole('connections', values.connections, 1),
    threads: whole('threads', values.threads, 1),
    loadGenerator: generator as Settings['loadGenerator'],
    flowOffers: whole('flow-offers', values['flow-offers'], 1),
    flowConcurrency: values['flow-concurrency'].split(',').map((n) => whole('flow-concurrency', n.trim(), 1)),
    skipPostgres: values['skip-postgres'],
  };
  if (settings.threads > settings.connections) throw new UsageError('--threads must not exceed --connections');
  return settings;
}

function nproc(): string {
  const result = spawnSync('nproc', { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : String(availableParallelism());
}

/** GET with the bench token; fails unless 200. */
async function get(url: string, token: string): Promise<{ bytes: Buffer; contentType: string }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status}: ${bytes.toString('utf8').slice(0, 500)}`);
  return { bytes, contentType: response.headers.get('content-type') ?? '' };
}

/** One load generator run against one server; the runs of a measurement go at the same time. */
interface Load {
  server: ServerChild;
  target: { url: string; headers: Record<string, string>; requests?: RequestMix };
  connections: number;
  threads: number;
  /** Start this many seconds after the other loads and stop as long before them (they must run longer). */
  marginSec?: number;
}

/** The usual load: one server, all connections and threads. */
const oneServer = (settings: Settings, server: ServerChild, target: Load['target']): Load[] => [
  { server, target, connections: settings.connections, threads: settings.threads },
];

async function measure(
  generator: LoadGenerator,
  settings: Settings,
  label: string,
  loads: Load[],
  postgresPid?: number,
  beforeMeasured?: () => Promise<void>,
): Promise<{ result: LoadResult & ServerCpu & OtherCpu & { instances?: InstanceLoad[] }; sent: number; sentPerLoad: number[] }> {
  const runOne = async (load: Load, durationSec: number) => {
    const margin = load.marginSec ?? 0;
    if (margin > 0) await new Promise((resolve) => setTimeout(resolve, margin * 1000));
    return generator.run({ ...load.target, connections: load.connections, threads: load.threads, durationSec: Math.max(1, durationSec - 2 * margin) });
  };
  const runAll = (durationSec: number) => Promise.all(loads.map((load) => runOne(load, durationSec)));
  const sentPerLoad = loads.map(() => 0);
  if (settings.warmupSec > 0) {
    // Warm-up: JIT, caches, and file pages this VM evicts when idle; the numbers are thrown away.
    log(`${label}: warm-up ${settings.warmupSec} s`);
    const warm = await runAll(settings.warmupSec);
    warm.forEach((result, i) => (sentPerLoad[i]! += result.requests));
  }
  await beforeMeasured?.();
  log(`${label}: measuring ${settings.durationSec} s`);
  const pids = loads.map((load) => load.server.child.pid);
  const cpuBefore = pids.map(processCpuMs);
  const postgresBefore = processTreeCpuMs(postgresPid);
  const machineBefore = machineBusyMs();
  const started = performance.now();
  const results = await runAll(settings.durationSec);
  const wallMs = performance.now() - started;
  const cpuAfter = pids.map(processCpuMs);
  const percent = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined ? undefined : (100 * (after - before)) / wallMs;

  const cpuMs = cpuBefore.map((before, i) => (before === undefined || cpuAfter[i] === undefined ? undefined : cpuAfter[i]! - before));
  const serverCpuMs = cpuMs.includes(undefined) ? undefined : (cpuMs as number[]).reduce((sum, ms) => sum + ms, 0);
  const load = combine(results);
  const result = {
    ...load,
    serverCpuPercent: serverCpuMs === undefined ? undefined : (100 * serverCpuMs) / wallMs,
    cpuUsPerRequest: serverCpuMs === undefined || load.requests === 0 ? undefined : (1000 * serverCpuMs) / load.requests,
    postgresCpuPercent: percent(postgresBefore, processTreeCpuMs(postgresPid)),
    machineCpuPercent: percent(machineBefore, machineBusyMs()),
    ...(loads.length > 1
      ? {
          instances: results.map((r, i) => ({
            ...r,
            url: loads[i]!.server.url,
            connections: loads[i]!.connections,
            threads: loads[i]!.threads,
            serverCpuPercent: cpuMs[i] === undefined ? undefined : (100 * cpuMs[i]!) / wallMs,
          })),
        }
      : {}),
  };
  results.forEach((r, i) => (sentPerLoad[i]! += r.requests));
  if (result.non2xx > 0 || result.socketErrors > 0) log(`WARNING ${label}: ${result.non2xx} non-2xx responses, ${result.socketErrors} socket errors`);
  return { result, sent: sentPerLoad.reduce((sum, n) => sum + n, 0), sentPerLoad };
}

/** Runs that went at the same time, as one: counts and rates add up, latencies are the worse one's. */
function combine(results: LoadResult[]): LoadResult {
  if (results.length === 1) return results[0]!;
  const sum = (pick: (r: LoadResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const counted = results.every((r) => r.statusCounts !== undefined);
  const statusCounts: Record<string, number> = {};
  for (const r of results) for (const [status, n] of Object.entries(r.statusCounts ?? {})) statusCounts[status] = (statusCounts[status] ?? 0) + n;
  return {
    requestsPerSec: sum((r) => r.requestsPerSec),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    requests: sum((r) => r.requests),
    non2xx: sum((r) => r.non2xx),
    socketErrors: sum((r) => r.socketErrors),
    ...(counted ? { statusCounts } : {}),
  };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  installCleanupHandlers();

  const env = { node: process.version, nproc: nproc(), cpu: cpus()[0]?.model ?? 'unknown', platform: `${process.platform} ${process.arch}` };
  const generator = await chooseLoadGenerator(settings.loadGenerator, log);
  const generatorLine = `${generator.name} ${generator.version}${generator.note ? ` — ${generator.note}` : ''}`;
  log(`node ${env.node}, nproc ${env.nproc}, ${env.cpu}; load generator ${generatorLine}`);

  const tempDir = makeTempDir('cloudpartner-bench-');
  const dataDir = join(tempDir, 'data');
  const accessLogFile = join(tempDir, 'access.log');
  // One key seals the secret values in both stores; every server gets it, as instances sharing a
  // database must (README, "Scale out").
  const secretKey = randomBytes(32).toString('base64');

  let started = performance.now();
  const data = await seed({ dataDir, secretKey });
  log(`seeded ${data.manyOffers + 1} offers in ${Math.round(performance.now() - started)} ms`);

  // The full stack logs to its stdout, as `cloudpartner serve` does; here that is a file.
  // DATABASE_URL empty: SQLite, even when the caller's environment names a PostgreSQL server.
  const logFd = openSync(accessLogFile, 'a');
  started = performance.now();
  const full = await startServerChild('bench/server-fixture.ts', [dataDir, '0'], {
    stdoutFd: logFd,
    env: { DATABASE_URL: '', CLOUDPARTNER_SECRET_KEY: secretKey },
  }).finally(() => closeSync(logFd));
  log(`full stack ready at ${full.url} in ${Math.round(performance.now() - started)} ms`);

  let sentToFullExtra = 1; // the token request
  // The bytes the full stack serves, once; the bare server replays exactly these.
  const offer = await get(full.url + data.offerPath, data.token);
  if (offer.bytes.length !== data.expectedOfferBytes) log(`WARNING offer is ${offer.bytes.length} bytes, expected ${data.expectedOfferBytes}`);
  const list = await get(full.url + data.listPath, data.token);
  const listed = (JSON.parse(list.bytes.toString('utf8')) as unknown[]).length;
  if (listed !== data.manyOffers) throw new Error(`the list has ${listed} offers, expected ${data.manyOffers}`);
  log(`offer document ${offer.bytes.length} bytes (${offer.contentType}); offer list ${list.bytes.length} bytes, ${listed} offers`);

  const bodyFile = join(tempDir, 'offer.json');
  writeFileSync(bodyFile, offer.bytes);
  const bare = await startServerChild('bench/bare-server.ts', [bodyFile, '0']);
  const bareBytes = (await get(bare.url + data.offerPath, data.token)).bytes;
  if (!bareBytes.equals(offer.bytes)) throw new Error('the bare server does not return the same bytes as the full stack');
  log(`bare node:http ready at ${bare.url}, same ${bareBytes.length} bytes`);

  // A JWT from the server's own token service, as a client-credentials client gets it.
  const tokenResponse = await fetch(`${full.url}/${data.jwtApp.tenantId}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: data.jwtApp.clientId,
      client_secret: data.jwtApp.clientSecret,
      resource: 'https://cloudpartner.azure.com',
    }),
  });
  if (tokenResponse.status !== 200) throw new Error(`the token service answered ${tokenResponse.status}`);
  const jwt = ((await tokenResponse.json()) as { access_token: string }).access_token;
  if (!(await get(full.url + data.offerPath, jwt)).bytes.equals(offer.bytes)) throw new Error('the JWT GET does not serve the same bytes');
  sentToFullExtra += 1; // the JWT probe GET

  // The same offer through the product-ingestion face: its draft resource tree.
  const [, , , offerPublisher, , offerName] = data.offerPath.split('?')[0]!.split('/');
  const treePath = `/rp/product-ingestion/resource-tree/product/${productGuid(offerPublisher!, offerName!)}?targetType=draft`;
  const tree = await get(full.url + treePath, data.token);
  if (!(JSON.parse(tree.bytes.toString('utf8')) as { resources?: unknown[] }).resources?.length) throw new Error('the resource tree of the offer is empty');
  sentToFullExtra += 1;

  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const plan = [
    { key: 'bare', label: `bare node:http (same ${kb(offer.bytes.length)} bytes)`, server: bare, path: data.offerPath, responseBytes: offer.bytes.length },
    { key: 'offer', label: 'cloudpartner GET offer (full)', server: full, path: data.offerPath, responseBytes: offer.bytes.length },
    { key: 'offer-jwt', label: 'cloudpartner GET offer (full, JWT auth)', server: full, path: data.offerPath, responseBytes: offer.bytes.length, token: jwt },
    {
      key: 'tree',
      label: `cloudpartner GET resource-tree (same offer, ${kb(tree.bytes.length)})`,
      server: full,
      path: treePath,
      responseBytes: tree.bytes.length,
    },
    {
      key: 'list',
      label: `cloudpartner GET list (${listed} offers, ${kb(list.bytes.length)})`,
      server: full,
      path: data.listPath,
      responseBytes: list.bytes.length,
    },
  ] as const;

  const scenarios: Scenario[] = [];
  let sentToFull = 2 + sentToFullExtra; // the probe GETs above (the token request is logged too)
  for (const step of plan) {
    const bearer = 'token' in step ? step.token : data.token;
    const target = { url: step.server.url + step.path, headers: { Authorization: `Bearer ${bearer}` } };
    const { result, sent } = await measure(generator, settings, step.label, oneServer(settings, step.server, target));
    if (step.server === full) sentToFull += sent;
    scenarios.push({ key: step.key, label: step.label, path: step.path, responseBytes: step.responseBytes, ...result });
  }
  await bare.stop(); // only the full stack from here on

  // The same reads on PostgreSQL, while the SQLite server idles; the cluster is gone before the writes.
  const postgres = settings.skipPostgres
    ? undefined
    : await runPostgres(generator, settings, { secretKey, tempDir, offerBytes: offer.bytes, listBytes: list.bytes });

  // PUT: the document the GET scenarios served, written back to PUT_OFFERS offers, then to one.
  const putOffers = await createPutOffers(full.url, data, JSON.parse(offer.bytes.toString('utf8')) as Record<string, unknown>);
  sentToFull += putOffers.created;
  const putHeaders = { Authorization: `Bearer ${data.writeToken}`, 'Content-Type': 'application/json', 'If-Match': '*' };
  const putPlan = [
    { key: 'put', label: `cloudpartner PUT offer (${PUT_OFFERS} offers, If-Match *)`, variants: putOffers.variants },
    { key: 'put-one', label: 'cloudpartner PUT offer (1 offer, If-Match *)', variants: putOffers.variants.slice(0, 1) },
  ] as const;
  for (const step of putPlan) {
    const target = { url: full.url, headers: putHeaders, requests: { method: 'PUT', variants: step.variants } as const };
    const { result, sent } = await measure(generator, settings, step.label, oneServer(settings, full, target));
    sentToFull += sent;
    // Every offer exists already, so every PUT replaces a draft: 200 (never 412/409).
    const non200 = countNon200(result);
    if (non200) log(`WARNING ${step.label}: status codes ${JSON.stringify(result.statusCounts)}`);
    const path = step.variants.length === 1 ? step.variants[0]!.path : putOffers.pathPattern;
    scenarios.push({ key: step.key, label: step.label, path, responseBytes: putOffers.responseBytes, ...result, ...(non200 === undefined ? {} : { non200 }) });
  }

  // A burst of writes with reads beside it: PUTs at the full connection count and GETs of the
  // offer at BURST_READERS connections, at the same time. The GETs' p99 says whether commits stall reads.
  {
    const label = `GET offer (${BURST_READERS} connections) during PUT (${settings.connections})`;
    const loads: Load[] = [
      {
        server: full,
        target: { url: full.url, headers: putHeaders, requests: { method: 'PUT', variants: putOffers.variants } },
        connections: settings.connections,
        threads: 1,
      },
      {
        server: full,
        target: { url: full.url + data.offerPath, headers: { Authorization: `Bearer ${data.token}` } },
        connections: BURST_READERS,
        threads: 1,
        marginSec: BURST_READ_MARGIN_SEC,
      },
    ];
    // The server's own view: its longest event-loop stall in the measured seconds (prom-client's
    // monitor, which a scrape resets; 10 ms resolution).
    const { result, sent } = await measure(generator, settings, label, loads, undefined, async () => void (await scrapeEventLoopLagMaxMs(full.url)));
    const eventLoopMaxMs = await scrapeEventLoopLagMaxMs(full.url);
    sentToFull += sent;
    const [writes, reads] = result.instances!;
    // Both loads hit one process: its CPU is the scenario's, not either load's.
    const shared = {
      serverCpuPercent: result.serverCpuPercent,
      cpuUsPerRequest: undefined,
      postgresCpuPercent: undefined,
      machineCpuPercent: result.machineCpuPercent,
    };
    scenarios.push({ key: 'burst-get', label, path: data.offerPath, responseBytes: offer.bytes.length, ...reads!, ...shared, eventLoopMaxMs });
    const non200 = countNon200(writes!);
    if (non200) log(`WARNING ${label}: PUT status codes ${JSON.stringify(writes!.statusCounts)}`);
    scenarios.push({
      key: 'burst-put',
      label: '  the PUTs beside them',
      path: putOffers.pathPattern,
      responseBytes: putOffers.responseBytes,
      ...writes!,
      ...shared,
      ...(non200 === undefined ? {} : { non200 }),
    });
  }

  // Publish→live cycles. A short unmeasured run first: the publish, golive and operation routes
  // and the workflow engine have not run yet in this process, and would be measured cold.
  const flowRuns: WorkflowRun[] = [];
  const flow = (offerPrefix: string, offers: number, concurrency: number) =>
    runWorkflow({
      origin: full.url,
      token: data.writeToken,
      publisherId: data.flowPublisher,
      offerPrefix,
      offers,
      concurrency,
      pollIntervalMs: FLOW_POLL_MS,
      cycleTimeoutMs: FLOW_CYCLE_TIMEOUT_MS,
    });
  if (settings.warmupSec > 0) {
    log('publish→live: warm-up, 16 cycles at concurrency 8');
    const warm = await flow('warm', 16, 8);
    sentToFull += warm.requests;
    if (warm.failures > 0) log(`WARNING publish→live warm-up: ${warm.failures} failed cycles: ${warm.failureSamples.join(' | ')}`);
  }
  for (const concurrency of settings.flowConcurrency) {
    const label = `${concurrency} concurrent, ${settings.flowOffers} offers`;
    log(`publish→live, ${label}: measuring`);
    const cpuBefore = processCpuMs(full.child.pid);
    const result = await flow(`c${concurrency}`, settings.flowOffers, concurrency);
    const cpuAfter = processCpuMs(full.child.pid);
    const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
    sentToFull += result.requests;
    if (result.failures > 0) log(`WARNING publish→live, ${label}: ${result.failures} failed cycles: ${result.failureSamples.join(' | ')}`);
    flowRuns.push({
      ...result,
      label,
      serverCpuPercent: cpuMs === undefined ? undefined : (100 * cpuMs) / result.wallMs,
      cpuUsPerRequest: cpuMs === undefined ? undefined : (1000 * cpuMs) / result.requests,
      cpuMsPerCycle: cpuMs === undefined || result.completed === 0 ? undefined : cpuMs / result.completed,
    });
  }

  // Configure jobs of the product-ingestion face, after a short unmeasured run.
  const jobRuns: IngestionResult[] = [];
  const jobs = (count: number, concurrency: number) =>
    runConfigureJobs({ origin: full.url, token: data.writeToken, jobs: count, concurrency, pollIntervalMs: FLOW_POLL_MS });
  if (settings.warmupSec > 0) sentToFull += (await jobs(16, 4)).requests;
  for (const concurrency of settings.flowConcurrency) {
    log(`configure jobs, ${concurrency} concurrent: measuring`);
    const result = await jobs(settings.flowOffers, concurrency);
    sentToFull += result.requests;
    if (result.failures > 0) log(`WARNING configure jobs, ${concurrency} concurrent: ${result.failures} failed: ${result.failureSamples.join(' | ')}`);
    jobRuns.push(result);
  }

  // Stop the full stack gracefully (flushes the log), then check the access log was really written.
  await full.stop();
  const logLines = countRequestLines(accessLogFile);

  const run: BenchRun = { settings, env, generator, scenarios, flowRuns, jobRuns, accessLog: { logLines, sentToFull }, postgres };
  report(run);
  writeResults(run);
}

/** Server + PostgreSQL CPU per request (µs) of a PostgreSQL scenario; NaN when not measured. */
function serverAndPostgresUs(s: Scenario): number {
  return (s.cpuUsPerRequest ?? NaN) + ((s.postgresCpuPercent ?? NaN) * 10_000) / s.requestsPerSec;
}

/** Access-log lines of completed requests in a log file. */
function countRequestLines(file: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"msg":"request"')).length;
}

/** What the PostgreSQL part of the run measured. */
interface PostgresRun {
  /** As the server reports it (SHOW server_version). */
  version: string;
  /** Where the server came from: a throwaway cluster of ours, or DATABASE_URL. */
  source: string;
  /** Seeding the database, VACUUM ANALYZE included. */
  seedMs: number;
  /** Whether PostgreSQL serves byte for byte what SQLite serves. */
  sameBytes: { offer: boolean; list: boolean };
  offer: Scenario;
  list: Scenario;
  /** GET offer with the load split over two instances; undefined when it could not run (see skipped). */
  twoInstances: Scenario | undefined;
  twoInstancesSkipped: string | undefined;
  /** Per instance: access-log lines written and requests it completed. */
  accessLogs: Array<{ logLines: number; sent: number }>;
}

/**
 * The GET offer and GET list scenarios on PostgreSQL, then GET offer with the load split over two
 * instances on the same database. The cluster, the database and the instances are stopped before
 * this returns or throws, and by cleanup() on a signal.
 */
async function runPostgres(
  generator: LoadGenerator,
  settings: Settings,
  context: { secretKey: string; tempDir: string; offerBytes: Buffer; listBytes: Buffer },
): Promise<PostgresRun> {
  const { secretKey, tempDir } = context;
  let started = performance.now();
  // With DATABASE_URL in the bench's environment, startPostgres uses that server instead.
  const server = await startPostgres();
  onCleanup(() => server.stop());
  const source = server.cluster ? `throwaway cluster, ${server.cluster.source} binaries, fsync off` : 'the server at DATABASE_URL';
  const where = server.cluster ? `, postmaster ${server.cluster.pid} in ${server.cluster.dir}` : '';
  const database = await createDatabase(server);
  // Cleanups run newest first: dropped before the cluster stops (after a signal, a failure is expected).
  onCleanup(() => quietly('dropping the bench database', () => database.drop()));
  log(`PostgreSQL ready (${source}${where}) in ${Math.round(performance.now() - started)} ms`);

  const instances: Array<{ server: ServerChild; logFile: string; sent: number }> = [];
  try {
    started = performance.now();
    const data = await seed({ dataDir: join(tempDir, 'pg-seed'), secretKey, databaseUrl: database.url });
    const version = await settleDatabase(database.url);
    const seedMs = performance.now() - started;
    log(`seeded ${data.manyOffers + 1} offers into PostgreSQL ${version} in ${Math.round(seedMs)} ms`);

    // The same full-stack fixture as for SQLite, with the store from DATABASE_URL and its own access log.
    const startInstance = async () => {
      const n = instances.length + 1;
      const logFile = join(tempDir, `access-pg-${n}.log`);
      const logFd = openSync(logFile, 'a');
      const child = await startServerChild('bench/server-fixture.ts', [join(tempDir, `pg-data-${n}`), '0'], {
        stdoutFd: logFd,
        env: { DATABASE_URL: database.url, CLOUDPARTNER_SECRET_KEY: secretKey },
      }).finally(() => closeSync(logFd));
      const instance = { server: child, logFile, sent: 0 };
      instances.push(instance);
      log(`PostgreSQL instance ${n} ready at ${child.url}`);
      return instance;
    };
    const target = (instance: { server: ServerChild }, path: string) => ({
      url: instance.server.url + path,
      headers: { Authorization: `Bearer ${data.token}` },
    });
    const postmaster = server.cluster?.pid;

    const first = await startInstance();
    const offer = await get(first.server.url + data.offerPath, data.token);
    const list = await get(first.server.url + data.listPath, data.token);
    first.sent += 2;
    const sameBytes = { offer: offer.bytes.equals(context.offerBytes), list: list.bytes.equals(context.listBytes) };
    if (!sameBytes.offer)
      log(`WARNING PostgreSQL serves another offer document (${offer.bytes.length} bytes) than SQLite (${context.offerBytes.length} bytes)`);
    if (!sameBytes.list) log(`WARNING PostgreSQL serves another offer list (${list.bytes.length} bytes) than SQLite (${context.listBytes.length} bytes)`);

    const read = async (key: 'pg-offer' | 'pg-list', label: string, path: string, responseBytes: number): Promise<Scenario> => {
      const { result, sent } = await measure(generator, settings, label, oneServer(settings, first.server, target(first, path)), postmaster);
      first.sent += sent;
      return { key, label, path, responseBytes, ...result };
    };
    const offerRow = await read('pg-offer', 'cloudpartner GET offer (PostgreSQL)', data.offerPath, offer.bytes.length);
    const listRow = await read('pg-list', 'cloudpartner GET list (PostgreSQL)', data.listPath, list.bytes.length);

    // Scale-out: the same load (connections and wrk threads in all) as the single instance had,
    // split over two instances, one wrk each, running at the same time.
    const half = Math.floor(settings.connections / 2);
    let twoInstances: Scenario | undefined;
    let twoInstancesSkipped: string | undefined;
    if (half < 1) {
      twoInstancesSkipped = `--connections ${settings.connections} cannot be split over two instances`;
      log(`PostgreSQL scale-out skipped: ${twoInstancesSkipped}`);
    } else {
      const second = await startInstance();
      await get(second.server.url + data.offerPath, data.token);
      second.sent += 1;
      const threads = Math.min(half, Math.max(1, Math.floor(settings.threads / 2)));
      const loads: Load[] = [
        { server: first.server, target: target(first, data.offerPath), connections: settings.connections - half, threads },
        { server: second.server, target: target(second, data.offerPath), connections: half, threads },
      ];
      const label = `2 instances, ${loads.map((load) => load.connections).join(' + ')} connections`;
      const { result, sentPerLoad } = await measure(generator, settings, `GET offer (PostgreSQL), ${label}`, loads, postmaster);
      first.sent += sentPerLoad[0]!;
      second.sent += sentPerLoad[1]!;
      twoInstances = { key: 'pg-offer-2x', label, path: data.offerPath, responseBytes: offer.bytes.length, ...result };
    }

    // Graceful stops flush the access logs before they are counted.
    await Promise.all(instances.map((instance) => instance.server.stop()));
    const accessLogs = instances.map((instance) => ({ logLines: countRequestLines(instance.logFile), sent: instance.sent }));
    return { version, source, seedMs, sameBytes, offer: offerRow, list: listRow, twoInstances, twoInstancesSkipped, accessLogs };
  } finally {
    // Servers first: they hold connections to the database.
    await Promise.all(instances.map((instance) => instance.server.stop()));
    await quietly('dropping the bench database', () => database.drop());
    await quietly('stopping PostgreSQL', () => server.stop());
  }
}

/**
 * VACUUM ANALYZE what the seed wrote, as autovacuum would within a minute anyway: done now, it
 * cannot start in the middle of a measured run, and the planner has statistics from the start.
 * Returns the server's version.
 */
async function settleDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** Runs a cleanup step; a failure is logged (not while interrupted: then it is expected), not thrown. */
async function quietly(what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!interrupted()) log(`WARNING ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Creates the offers the PUT scenarios write to (PUT with If-None-Match: *: 200), from the document
 * the GET scenarios serve, and returns the requests that replace them.
 */
async function createPutOffers(
  origin: string,
  data: SeededData,
  served: Record<string, unknown>,
): Promise<{ variants: Array<{ path: string; body: string }>; pathPattern: string; created: number; responseBytes: number }> {
  const offerId = (n: number | string) => `put-offer-${String(n).padStart(4, '0')}`;
  const offerPath = (id: string) => `/api/publishers/${data.putPublisher}/offers/${id}?api-version=${CURRENT_API_VERSION}`;
  const variants: Array<{ path: string; body: string }> = [];
  let responseBytes = 0;
  for (let i = 1; i <= PUT_OFFERS; i++) {
    const id = offerId(i);
    const path = offerPath(id);
    // The body names its offer, as a client's GET→PUT round trip does (a mismatch is a 400).
    const body = JSON.stringify({ ...served, publisherId: data.putPublisher, id });
    const response = await fetch(origin + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${data.writeToken}`, 'content-type': 'application/json', 'if-none-match': '*' },
      body,
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`PUT ${path} (create) → ${response.status}: ${text.slice(0, 500)}`);
    responseBytes = Buffer.byteLength(text);
    variants.push({ path, body });
  }
  log(`created ${PUT_OFFERS} offers to PUT to; request body ${Buffer.byteLength(variants[0]!.body)} bytes, response ${responseBytes} bytes`);
  return { variants, pathPattern: offerPath(`{${offerId(1)}…${offerId(PUT_OFFERS)}}`), created: PUT_OFFERS, responseBytes };
}

/** Everything one bench run measured: what report() prints and writeResults() saves. */
interface BenchRun {
  settings: Settings;
  env: Record<string, string>;
  generator: LoadGenerator;
  scenarios: Scenario[];
  flowRuns: WorkflowRun[];
  /** Configure-job throughput of the product-ingestion face, one run per concurrency. */
  jobRuns: IngestionResult[];
  accessLog: { logLines: number; sentToFull: number };
  postgres: PostgresRun | undefined;
}

/** Every target of bench/targets.ts with this run's figure. */
function runTargets(run: BenchRun): Target[] {
  const all = [...run.scenarios, ...(run.postgres ? [run.postgres.offer, run.postgres.list] : [])];
  const scenario = (key: string) => all.find((s) => s.key === key);
  return targets({
    connections: run.settings.connections,
    rate: (key) => scenario(key)?.requestsPerSec,
    p99: (key) => scenario(key)?.p99Ms,
    cyclesPerMinute: (concurrency) => run.flowRuns.find((r) => r.concurrency === concurrency && r.failures === 0)?.cyclesPerMinute,
  });
}

/** Answers other than 200, when the load generator counted status codes (bench/put.lua does). */
function countNon200(result: LoadResult): number | undefined {
  if (result.statusCounts === undefined) return undefined;
  return Object.entries(result.statusCounts).reduce((sum, [status, n]) => sum + (status === '200' ? 0 : n), 0);
}

/** The headline scenarios of a run. */
function headline(scenarios: Scenario[]) {
  const scenario = (key: Scenario['key']) => scenarios.find((s) => s.key === key)!;
  return { bare: scenario('bare'), offer: scenario('offer'), list: scenario('list') };
}

function report(run: BenchRun): void {
  const { settings, env, generator, scenarios, flowRuns, jobRuns, accessLog, postgres } = run;
  const { bare, offer, list } = headline(scenarios);
  const treeRun = scenarios.find((s) => s.key === 'tree');
  const jwtRun = scenarios.find((s) => s.key === 'offer-jwt');
  const puts = scenarios.filter((s) => s.key === 'put' || s.key === 'put-one');
  const ratio = offer.requestsPerSec / bare.requestsPerSec;
  const at50 = settings.connections === TARGET_CONNECTIONS ? '' : ` (target is at ${TARGET_CONNECTIONS} connections)`;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

  const flowHeading = `publish→live cycles (steps 0 ms, poll ${FLOW_POLL_MS} ms)`;
  const scaleHeading = 'PostgreSQL GET offer: 1 vs 2 instances';
  const postgresLabels = postgres ? [postgres.offer.label, postgres.list.label, scaleHeading, `  ${postgres.twoInstances?.label ?? ''}`] : [];
  const labelWidth =
    Math.max(
      ...[...scenarios, ...flowRuns.map((r) => ({ label: `  ${r.label}` }))].map((s) => s.label.length),
      ...postgresLabels.map((l) => l.length),
      flowHeading.length,
      20,
    ) + 2;
  const row = (label: string, columns: string[], note = '') =>
    `${label.padEnd(labelWidth)}${columns.map((c) => c.padStart(11)).join('')}${note ? `   ${note}` : ''}`.trimEnd();
  const optional = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  const problems = (s: LoadResult) => (s.non2xx || s.socketErrors ? `  !! ${s.non2xx} non-2xx, ${s.socketErrors} socket errors` : '');
  const scenarioRow = (s: Scenario, note = '', label = s.label) =>
    row(
      label,
      [s.requestsPerSec.toFixed(0), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), optional(s.serverCpuPercent, 0), optional(s.cpuUsPerRequest, 1)],
      `${note}${problems(s)}`,
    );
  const capacity = 100 * Number(env['nproc']);
  // Where the rest of the CPU went, for the PostgreSQL rows: the database, and whether any was left.
  const elsewhere = (s: Scenario) => `postgres CPU ${optional(s.postgresCpuPercent, 0)}%, machine ${optional(s.machineCpuPercent, 0)}% of ${capacity}%`;
  // wrk's own check (non-2xx/3xx) and bench/put.lua's (exactly 200), side by side.
  const putNote = (s: Scenario) =>
    `non-2xx/3xx ${s.non2xx}; ` +
    (s.non200 === undefined
      ? 'status codes not counted'
      : s.non200 === 0
        ? `all ${s.requests} answered 200`
        : `!! ${s.non200} not 200: ${JSON.stringify(s.statusCounts)}`);
  const flowRow = (r: WorkflowRun) =>
    row(
      `  ${r.label}`,
      [r.cyclesPerMinute.toFixed(0), optional(r.p50Ms, 1), optional(r.p99Ms, 1), optional(r.serverCpuPercent, 0), optional(r.cpuMsPerCycle, 2)],
      r.failures === 0 ? `${r.completed}/${r.offers} live with the published version` : `!! ${r.failures}/${r.offers} FAILED: ${r.failureSamples[0] ?? ''}`,
    );
  const cpuRatio = bare.cpuUsPerRequest !== undefined && offer.cpuUsPerRequest ? bare.cpuUsPerRequest / offer.cpuUsPerRequest : undefined;

  const lines = [
    '',
    `cloudpartner bench — node ${env['node']}, nproc ${env['nproc']}, ${env['cpu']}`,
    `load generator: ${generator.name} ${generator.version}${generator.note ? ` — ${generator.note}` : ''}`,
    `${settings.connections} connections, ${generator.name === 'wrk' ? `${settings.threads} wrk threads` : '1 autocannon thread (in the bench process)'}, ` +
      `${settings.warmupSec} s warm-up + ${settings.durationSec} s measured per scenario`,
    '',
    row('scenario', ['req/s', 'p50 ms', 'p99 ms', 'srv CPU%', 'CPU µs/req'], 'target'),
    scenarioRow(bare),
    scenarioRow(offer, `p99 ≤ ${OFFER_P99_MAX_MS} ms: ${verdict(offer.p99Ms <= OFFER_P99_MAX_MS)}${at50}`),
    row('  ratio full/bare', [ratio.toFixed(2), '', '', '', ''], `≥ ${OFFER_RATIO_MIN.toFixed(2)}: ${verdict(ratio >= OFFER_RATIO_MIN)}`),
    ...(jwtRun
      ? [
          scenarioRow(jwtRun),
          row(
            '  ratio JWT/bare',
            [(jwtRun.requestsPerSec / bare.requestsPerSec).toFixed(2), '', '', '', ''],
            `JWT/opaque ${(jwtRun.requestsPerSec / offer.requestsPerSec).toFixed(2)}; verified once per token, then cached`,
          ),
        ]
      : []),
    ...(treeRun ? [scenarioRow(treeRun, `${(treeRun.requestsPerSec / offer.requestsPerSec).toFixed(2)} × CPP GET offer (derived from it on every read)`)] : []),
    scenarioRow(list),
    ...(postgres ? postgresRows(postgres) : []),
    ...puts.map((s) => scenarioRow(s, putNote(s))),
    ...scenarios
      .filter((s) => s.key === 'burst-get' || s.key === 'burst-put')
      .map((s) =>
        scenarioRow(
          s,
          s.key === 'burst-put'
            ? putNote(s)
            : `do writes stall reads? the server's longest event-loop stall: ${s.eventLoopMaxMs === undefined ? 'n/a' : `${s.eventLoopMaxMs.toFixed(0)} ms`}`,
        ),
      ),
    ...(postgres ? scaleOutRows(postgres) : []),
    '',
    row(flowHeading, ['cycles/min', 'p50 ms', 'p99 ms', 'srv CPU%', 'CPU ms/cyc'], 'check'),
    ...flowRuns.map(flowRow),
    '',
    row('configure jobs (product ingestion)', ['jobs/s', 'p50 ms', 'p99 ms', '', ''], 'check'),
    ...jobRuns.map((r) =>
      row(
        `  ${r.concurrency} concurrent, ${r.jobs} jobs`,
        [r.jobsPerSecond.toFixed(0), optional(r.p50Ms, 1), optional(r.p99Ms, 1), '', ''],
        r.failures === 0
          ? `${r.completed}/${r.jobs} succeeded (POST → completed, polled every ${FLOW_POLL_MS} ms)`
          : `!! ${r.failures}/${r.jobs} FAILED: ${r.failureSamples[0] ?? ''}`,
      ),
    ),
    '',
    'srv CPU% = CPU of the server process during the measured run (100 = one core); CPU µs/req = that CPU time per request.',
    `The load generator shares the ${env['nproc']} cores with the server, so req/s swings from run to run; CPU µs/req is steadier.`,
    ...(cpuRatio === undefined ? [] : [`  by server CPU per request, full stack = ${cpuRatio.toFixed(2)} × bare node:http (info; the target is on req/s)`]),
    ...(puts.length === 0
      ? []
      : [`PUT: ${Math.round(puts[0]!.responseBytes / 1024)} KB body and response; each request picks one of the offers at random (bench/put.lua).`]),
    'publish→live cycle: PUT (create) → publish → poll until completed → golive → poll until completed → GET slot/Production = published version;',
    '  the driver runs in the bench process (fetch, keep-alive); p50/p99 = cycle time; CPU ms/cyc = server CPU per completed cycle. Median per phase:',
    ...flowRuns.map(
      (r) =>
        `  ${r.concurrency} concurrent: PUT ${optional(r.phaseP50Ms.put, 1)} ms, publish ${optional(r.phaseP50Ms.publish, 1)} ms, golive ${optional(r.phaseP50Ms.golive, 1)} ms, ` +
        `GET slot ${optional(r.phaseP50Ms.check, 1)} ms; ${(r.polls / r.offers).toFixed(1)} polls/cycle, ${(r.wallMs / 1000).toFixed(1)} s in all`,
    ),
    '',
    ...(postgres ? postgresNotes(postgres) : ['PostgreSQL: skipped (--skip-postgres)']),
    '',
    `offer document ${offer.responseBytes} bytes (target ${TARGET_OFFER_BYTES}); offer list ${list.responseBytes} bytes`,
    `access log: ${accessLog.logLines} "request" lines written for ${accessLog.sentToFull} completed full-stack requests` +
      (accessLog.logLines >= accessLog.sentToFull ? '' : '  !! fewer lines than requests'),
    ...(postgres
      ? [
          `access log on PostgreSQL: ${postgres.accessLogs.map((a, i) => `instance ${i + 1} ${a.logLines} lines for ${a.sent} requests`).join(', ')}` +
            (postgres.accessLogs.every((a) => a.logLines >= a.sent) ? '' : '  !! fewer lines than requests'),
        ]
      : []),
    "targets (reported, never enforced; the 100,000-offer targets are npm run bench:scale's):",
    ...runTargets(run).map(
      (t) => `  ${t.pass ? 'PASS' : 'MISS'}  ${t.name.padEnd(56)} ${t.figure.padStart(10)}   want ${t.wanted}${t.note ? `  (${t.note})` : ''}`,
    ),
    '',
    `results: ${join('bench', 'results', 'latest.json')}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));

  /** The PostgreSQL reads, under the SQLite ones they repeat. */
  function postgresRows(pg: PostgresRun): string[] {
    const versus = (s: Scenario, sqlite: Scenario) => `${(s.requestsPerSec / sqlite.requestsPerSec).toFixed(2)} × SQLite; ${elsewhere(s)}`;
    return [
      scenarioRow(pg.offer, versus(pg.offer, offer)),
      row('  ratio PostgreSQL/bare', [(pg.offer.requestsPerSec / bare.requestsPerSec).toFixed(2), '', '', '', ''], 'info (the target is on SQLite)'),
      scenarioRow(pg.list, versus(pg.list, list)),
    ];
  }

  /** One instance against two on the same database, the same load in all. */
  function scaleOutRows(pg: PostgresRun): string[] {
    const one = pg.offer;
    const two = pg.twoInstances;
    const header = ['', row(scaleHeading, ['req/s', 'p50 ms', 'p99 ms', 'srv CPU%', 'CPU µs/req'], 'CPU elsewhere')];
    const oneRow = scenarioRow(one, `the row above; ${elsewhere(one)}`, `  1 instance, ${settings.connections} connections`);
    if (!two) return [...header, oneRow, `  2 instances: not run: ${pg.twoInstancesSkipped}`];
    return [
      ...header,
      oneRow,
      scenarioRow(two, `${elsewhere(two)}; p50/p99 of the worse instance`, `  ${two.label}`),
      ...(two.instances ?? []).map((instance, i) =>
        row(
          `    instance ${i + 1}: ${instance.connections} conn, ${instance.threads} wrk thr`,
          [instance.requestsPerSec.toFixed(0), instance.p50Ms.toFixed(2), instance.p99Ms.toFixed(2), optional(instance.serverCpuPercent, 0), ''],
          problems(instance).trim(),
        ),
      ),
      row('  2 instances / 1 instance', [(two.requestsPerSec / one.requestsPerSec).toFixed(2), '', '', '', ''], 'req/s'),
    ];
  }

  function postgresNotes(pg: PostgresRun): string[] {
    const same = (yes: boolean) => (yes ? 'identical' : '!! DIFFERENT');
    return [
      `PostgreSQL ${pg.version} (${pg.source}): a fresh database seeded through openStore with the same documents, then VACUUM ANALYZE`,
      `  (${(pg.seedMs / 1000).toFixed(1)} s); served bytes vs SQLite: offer ${same(pg.sameBytes.offer)}, list ${same(pg.sameBytes.list)}. ` +
        'Default pool (10 connections per instance); a read cache per instance, served after a shared change-counter check (README: no stale reads across instances).',
      `  postgres CPU = postmaster + backends; machine = every process on the ${env['nproc']} cores (${capacity}% = no idle CPU left).`,
      ...(pg.twoInstances ? scalingVerdict(pg.offer, pg.twoInstances).map((line) => `  ${line}`) : []),
    ];
  }

  /**
   * What the 1-vs-2-instance figures say about scaling on this machine. Where the cores have no
   * idle CPU, a second instance cannot add capacity, only take CPU from the load generator and
   * whatever else runs; the CPU per request gives the ceiling the cores put on GET offer.
   */
  function scalingVerdict(one: Scenario, two: Scenario): string[] {
    const head = `2 instances served ${(two.requestsPerSec / one.requestsPerSec).toFixed(2)} × the req/s of 1 instance`;
    if (one.machineCpuPercent === undefined || two.machineCpuPercent === undefined) return [`${head} (no /proc: CPU not measured).`];
    const useful = (s: Scenario) => (s.serverCpuPercent ?? NaN) + (s.postgresCpuPercent ?? NaN);
    const [usOne, usTwo] = [serverAndPostgresUs(one), serverAndPostgresUs(two)];
    const cap = (us: number) => Math.round((capacity * 10_000) / us / 100) * 100;
    const lines = [
      `${head} (machine ${one.machineCpuPercent.toFixed(0)}% → ${two.machineCpuPercent.toFixed(0)}% of ${capacity}%; ` +
        `server + postgres ${optional(useful(one), 0)}% → ${optional(useful(two), 0)}%, the rest is wrk, the kernel and anything else running).`,
    ];
    if (Number.isFinite(usOne) && Number.isFinite(usTwo)) {
      lines.push(
        `  Server + postgres CPU per GET offer: ${usOne.toFixed(0)} µs with 1 instance, ${usTwo.toFixed(0)} µs with 2: these ${env['nproc']} cores cap GET offer on PostgreSQL ` +
          `at ~${Math.min(cap(usOne), cap(usTwo))}–${Math.max(cap(usOne), cap(usTwo))} req/s even with no CPU left for wrk, however many instances run.`,
      );
    }
    lines.push(
      one.machineCpuPercent >= 0.9 * capacity
        ? '  The cores were already busy with 1 instance: here a second one can only take CPU from wrk and other processes, not add capacity;'
        : `  With 1 instance ${(capacity - one.machineCpuPercent).toFixed(0)}% of the machine was idle, which is all a second instance could add here;`,
      '  scale-out needs instances on cores or machines of their own (and PostgreSQL on its own).',
    );
    return lines;
  }
}

function writeResults(run: BenchRun): void {
  const { settings, env, generator, scenarios, flowRuns, jobRuns, accessLog, postgres } = run;
  const { bare, offer, list } = headline(scenarios);
  const ratio = offer.requestsPerSec / bare.requestsPerSec;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const roundOrNull = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? null : round(n));
  const results = {
    date: new Date().toISOString(),
    environment: env,
    loadGenerator: { name: generator.name, version: generator.version, ...(generator.note ? { note: generator.note } : {}) },
    settings: {
      connections: settings.connections,
      threads: settings.threads,
      warmupSec: settings.warmupSec,
      durationSec: settings.durationSec,
      flowOffers: settings.flowOffers,
      flowConcurrency: settings.flowConcurrency,
      skipPostgres: settings.skipPostgres,
    },
    // The PostgreSQL scenarios (keys pg-*) after the SQLite ones: readers looking up by key see the same rows as before.
    scenarios: [...scenarios, ...(postgres ? [postgres.offer, postgres.list, ...(postgres.twoInstances ? [postgres.twoInstances] : [])] : [])].map((s) => ({
      key: s.key,
      label: s.label,
      path: s.path,
      responseBytes: s.responseBytes,
      requestsPerSec: round(s.requestsPerSec),
      p50Ms: round(s.p50Ms),
      p99Ms: round(s.p99Ms),
      requests: s.requests,
      serverCpuPercent: roundOrNull(s.serverCpuPercent),
      cpuUsPerRequest: roundOrNull(s.cpuUsPerRequest),
      ...(s.key.startsWith('pg-') ? { postgresCpuPercent: roundOrNull(s.postgresCpuPercent) } : {}),
      machineCpuPercent: roundOrNull(s.machineCpuPercent),
      non2xx: s.non2xx,
      socketErrors: s.socketErrors,
      ...(s.statusCounts === undefined ? {} : { statusCounts: s.statusCounts }),
      ...(s.non200 === undefined ? {} : { non200: s.non200 }),
      ...(s.instances === undefined
        ? {}
        : {
            instances: s.instances.map((i) => ({
              url: i.url,
              connections: i.connections,
              threads: i.threads,
              requestsPerSec: round(i.requestsPerSec),
              p50Ms: round(i.p50Ms),
              p99Ms: round(i.p99Ms),
              requests: i.requests,
              serverCpuPercent: roundOrNull(i.serverCpuPercent),
              non2xx: i.non2xx,
              socketErrors: i.socketErrors,
            })),
          }),
    })),
    ratioFullOverBare: round(ratio),
    targets: runTargets(run),
    publishToLive: {
      stepDurationMs: 0,
      pollIntervalMs: FLOW_POLL_MS,
      runs: flowRuns.map((r) => ({
        concurrency: r.concurrency,
        offers: r.offers,
        completed: r.completed,
        failures: r.failures,
        ...(r.failureSamples.length > 0 ? { failureSamples: r.failureSamples } : {}),
        cyclesPerMinute: round(r.cyclesPerMinute),
        p50Ms: roundOrNull(r.p50Ms),
        p99Ms: roundOrNull(r.p99Ms),
        phaseP50Ms: Object.fromEntries(Object.entries(r.phaseP50Ms).map(([phase, ms]) => [phase, roundOrNull(ms)])),
        wallMs: round(r.wallMs),
        requests: r.requests,
        polls: r.polls,
        serverCpuPercent: roundOrNull(r.serverCpuPercent),
        cpuUsPerRequest: roundOrNull(r.cpuUsPerRequest),
        cpuMsPerCycle: roundOrNull(r.cpuMsPerCycle),
      })),
    },
    configureJobs: {
      pollIntervalMs: FLOW_POLL_MS,
      runs: jobRuns.map((r) => ({
        concurrency: r.concurrency,
        jobs: r.jobs,
        completed: r.completed,
        failures: r.failures,
        ...(r.failureSamples.length > 0 ? { failureSamples: r.failureSamples } : {}),
        jobsPerSecond: round(r.jobsPerSecond),
        p50Ms: roundOrNull(r.p50Ms),
        p99Ms: roundOrNull(r.p99Ms),
        wallMs: round(r.wallMs),
        requests: r.requests,
      })),
    },
    accessLog,
    postgres: postgres
      ? {
          version: postgres.version,
          source: postgres.source,
          seedMs: Math.round(postgres.seedMs),
          sameBytesAsSqlite: postgres.sameBytes,
          offerOverBare: round(postgres.offer.requestsPerSec / bare.requestsPerSec),
          offerOverSqlite: round(postgres.offer.requestsPerSec / offer.requestsPerSec),
          listOverSqlite: round(postgres.list.requestsPerSec / list.requestsPerSec),
          scaleOut: postgres.twoInstances
            ? {
                oneInstanceRequestsPerSec: round(postgres.offer.requestsPerSec),
                twoInstancesRequestsPerSec: round(postgres.twoInstances.requestsPerSec),
                twoOverOne: round(postgres.twoInstances.requestsPerSec / postgres.offer.requestsPerSec),
                serverAndPostgresCpuUsPerRequest: {
                  oneInstance: roundOrNull(serverAndPostgresUs(postgres.offer)),
                  twoInstances: roundOrNull(serverAndPostgresUs(postgres.twoInstances)),
                },
              }
            : { skipped: postgres.twoInstancesSkipped },
          accessLogs: postgres.accessLogs,
        }
      : { skipped: '--skip-postgres' },
  };
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main()
  .catch((error: unknown) => {
    if (interrupted()) return; // the signal handler cleans up and sets the exit status
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
