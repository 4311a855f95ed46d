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
 *
 * Each server runs in its own process; the load generator (wrk) is a third. Every measured run
 * is preceded by a warm-up run. Writes come after the reads: they grow the database and drop the
 * read cache, which the GET scenarios measure warm. Results are printed and written to
 * bench/results/latest.json.
 * Targets (GET offer ≥ 0.6 × bare, p99 < 10 ms at 50 connections) are reported, never enforced.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadGenerator, type LoadResult, type RequestMix, chooseLoadGenerator } from './load.ts';
import { REPO_ROOT, cleanup, installCleanupHandlers, interrupted, makeTempDir, processCpuMs, startServerChild } from './processes.ts';
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import { TARGET_OFFER_BYTES, type SeededData, seed } from './seed.ts';
import { type WorkflowResult, runWorkflow } from './workflow.ts';

const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 10;
const TARGET_CONNECTIONS = 50;

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
}

/** Server-side CPU during the measured run (Linux /proc; undefined elsewhere). */
interface ServerCpu {
  /** Share of one core the server process used. */
  serverCpuPercent: number | undefined;
  /** Server CPU time per completed request. */
  cpuUsPerRequest: number | undefined;
}

interface Scenario extends LoadResult, ServerCpu {
  key: 'bare' | 'offer' | 'list' | 'put' | 'put-one';
  label: string;
  path: string;
  responseBytes: number;
  /** Write scenarios: responses other than 200 (a 201 would mean the PUT created, not replaced). */
  non200?: number;
}

interface WorkflowRun extends WorkflowResult, ServerCpu {
  label: string;
  /** Server CPU time per completed cycle. */
  cpuMsPerCycle: number | undefined;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const USAGE =
  'usage: npm run bench -- [--duration <s>=10] [--warmup <s>=3] [--connections <n>=50] [--threads <n>=2] [--load-generator wrk|autocannon]\n' +
  '                        [--flow-offers <n>=200] [--flow-concurrency <n>[,<n>…]=8,32]\n';

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

async function measure(
  generator: LoadGenerator,
  settings: Settings,
  label: string,
  target: { url: string; headers: Record<string, string>; requests?: RequestMix },
  serverPid: number | undefined,
): Promise<{ result: LoadResult & ServerCpu; sent: number }> {
  const options = { ...target, connections: settings.connections, threads: settings.threads };
  let sent = 0;
  if (settings.warmupSec > 0) {
    // Warm-up: JIT, caches, and file pages this VM evicts when idle; the numbers are thrown away.
    log(`${label}: warm-up ${settings.warmupSec} s`);
    const warm = await generator.run({ ...options, durationSec: settings.warmupSec });
    sent += warm.requests;
  }
  log(`${label}: measuring ${settings.durationSec} s`);
  const cpuBefore = processCpuMs(serverPid);
  const started = performance.now();
  const load = await generator.run({ ...options, durationSec: settings.durationSec });
  const wallMs = performance.now() - started;
  const cpuAfter = processCpuMs(serverPid);
  const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  const result = {
    ...load,
    serverCpuPercent: cpuMs === undefined ? undefined : (100 * cpuMs) / wallMs,
    cpuUsPerRequest: cpuMs === undefined || load.requests === 0 ? undefined : (1000 * cpuMs) / load.requests,
  };
  sent += result.requests;
  if (result.non2xx > 0 || result.socketErrors > 0) log(`WARNING ${label}: ${result.non2xx} non-2xx responses, ${result.socketErrors} socket errors`);
  return { result, sent };
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

  let started = performance.now();
  const data = await seed(dataDir);
  log(`seeded ${data.manyOffers + 1} offers in ${Math.round(performance.now() - started)} ms`);

  // The full stack logs to its stdout, as `cloudpartner serve` does; here that is a file.
  const logFd = openSync(accessLogFile, 'a');
  started = performance.now();
  const full = await startServerChild('bench/server-fixture.ts', [dataDir, '0'], { stdoutFd: logFd }).finally(() => closeSync(logFd));
  log(`full stack ready at ${full.url} in ${Math.round(performance.now() - started)} ms`);

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

  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const plan = [
    { key: 'bare', label: `bare node:http (same ${kb(offer.bytes.length)} bytes)`, server: bare, path: data.offerPath, responseBytes: offer.bytes.length },
    { key: 'offer', label: 'cloudpartner GET offer (full)', server: full, path: data.offerPath, responseBytes: offer.bytes.length },
    { key: 'list', label: `cloudpartner GET list (${listed} offers, ${kb(list.bytes.length)})`, server: full, path: data.listPath, responseBytes: list.bytes.length },
  ] as const;

  const scenarios: Scenario[] = [];
  let sentToFull = 2; // the two probe GETs above
  for (const step of plan) {
    const target = { url: step.server.url + step.path, headers: { Authorization: `Bearer ${data.token}` } };
    const { result, sent } = await measure(generator, settings, step.label, target, step.server.child.pid);
    if (step.server === full) sentToFull += sent;
    scenarios.push({ key: step.key, label: step.label, path: step.path, responseBytes: step.responseBytes, ...result });
  }
  await bare.stop(); // only the full stack from here on

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
    const { result, sent } = await measure(generator, settings, step.label, target, full.child.pid);
    sentToFull += sent;
    // Every offer exists already, so every PUT replaces a draft: 200, never 201 (nor 412/409).
    const non200 = result.statusCounts === undefined ? undefined : Object.entries(result.statusCounts).reduce((sum, [status, n]) => sum + (status === '200' ? 0 : n), 0);
    if (non200) log(`WARNING ${step.label}: status codes ${JSON.stringify(result.statusCounts)}`);
    const path = step.variants.length === 1 ? step.variants[0]!.path : putOffers.pathPattern;
    scenarios.push({ key: step.key, label: step.label, path, responseBytes: putOffers.responseBytes, ...result, ...(non200 === undefined ? {} : { non200 }) });
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

  // Stop the full stack gracefully (flushes the log), then check the access log was really written.
  await full.stop();
  const logLines = readFileSync(accessLogFile, 'utf8').split('\n').filter((line) => line.includes('"msg":"request"')).length;

  report(settings, env, generator, scenarios, flowRuns, { logLines, sentToFull });
  writeResults(settings, env, generator, scenarios, flowRuns, { logLines, sentToFull });
}

/**
 * Creates the offers the PUT scenarios write to (PUT without If-Match: 201), from the document
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
      headers: { authorization: `Bearer ${data.writeToken}`, 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`PUT ${path} (create) → ${response.status}: ${text.slice(0, 500)}`);
    responseBytes = Buffer.byteLength(text);
    variants.push({ path, body });
  }
  log(`created ${PUT_OFFERS} offers to PUT to; request body ${Buffer.byteLength(variants[0]!.body)} bytes, response ${responseBytes} bytes`);
  return { variants, pathPattern: offerPath(`{${offerId(1)}…${offerId(PUT_OFFERS)}}`), created: PUT_OFFERS, responseBytes };
}

function report(
  settings: Settings,
  env: Record<string, string>,
  generator: LoadGenerator,
  scenarios: Scenario[],
  flowRuns: WorkflowRun[],
  accessLog: { logLines: number; sentToFull: number },
): void {
  const scenario = (key: Scenario['key']) => scenarios.find((s) => s.key === key)!;
  const [bare, offer, list] = [scenario('bare'), scenario('offer'), scenario('list')];
  const puts = scenarios.filter((s) => s.key === 'put' || s.key === 'put-one');
  const ratio = offer.requestsPerSec / bare.requestsPerSec;
  const at50 = settings.connections === TARGET_CONNECTIONS ? '' : ` (target is at ${TARGET_CONNECTIONS} connections)`;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

  const flowHeading = `publish→live cycles (steps 0 ms, poll ${FLOW_POLL_MS} ms)`;
  const labelWidth = Math.max(...scenarios.map((s) => s.label.length), ...flowRuns.map((r) => r.label.length + 2), flowHeading.length, 20) + 2;
  const row = (label: string, columns: string[], note = '') =>
    `${label.padEnd(labelWidth)}${columns.map((c) => c.padStart(11)).join('')}${note ? `   ${note}` : ''}`.trimEnd();
  const optional = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  const scenarioRow = (s: Scenario, note = '') =>
    row(
      s.label,
      [s.requestsPerSec.toFixed(0), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), optional(s.serverCpuPercent, 0), optional(s.cpuUsPerRequest, 1)],
      `${note}${s.non2xx || s.socketErrors ? `  !! ${s.non2xx} non-2xx, ${s.socketErrors} socket errors` : ''}`,
    );
  // wrk's own check (non-2xx/3xx) and bench/put.lua's (exactly 200), side by side.
  const putNote = (s: Scenario) =>
    `non-2xx/3xx ${s.non2xx}; ` +
    (s.non200 === undefined ? 'status codes not counted' : s.non200 === 0 ? `all ${s.requests} answered 200` : `!! ${s.non200} not 200: ${JSON.stringify(s.statusCounts)}`);
  const flowRow = (r: WorkflowRun) =>
    row(
      `  ${r.label}`,
      [r.cyclesPerMinute.toFixed(0), optional(r.p50Ms, 1), optional(r.p99Ms, 1), optional(r.serverCpuPercent, 0), optional(r.cpuMsPerCycle, 2)],
      r.failures === 0
        ? `${r.completed}/${r.offers} live with the published version`
        : `!! ${r.failures}/${r.offers} FAILED: ${r.failureSamples[0] ?? ''}`,
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
    scenarioRow(offer, `p99 < ${TARGET_P99_MS} ms: ${verdict(offer.p99Ms < TARGET_P99_MS)}${at50}`),
    row('  ratio full/bare', [ratio.toFixed(2), '', '', '', ''], `≥ ${TARGET_RATIO.toFixed(2)}: ${verdict(ratio >= TARGET_RATIO)}`),
    scenarioRow(list),
    ...puts.map((s) => scenarioRow(s, putNote(s))),
    '',
    row(flowHeading, ['cycles/min', 'p50 ms', 'p99 ms', 'srv CPU%', 'CPU ms/cyc'], 'check'),
    ...flowRuns.map(flowRow),
    '',
    'srv CPU% = CPU of the server process during the measured run (100 = one core); CPU µs/req = that CPU time per request.',
    `The load generator shares the ${env['nproc']} cores with the server, so req/s swings from run to run; CPU µs/req is steadier.`,
    ...(cpuRatio === undefined ? [] : [`  by server CPU per request, full stack = ${cpuRatio.toFixed(2)} × bare node:http (info; the target is on req/s)`]),
    ...(puts.length === 0 ? [] : [`PUT: ${Math.round(puts[0]!.responseBytes / 1024)} KB body and response; each request picks one of the offers at random (bench/put.lua).`]),
    'publish→live cycle: PUT (create) → publish → poll until completed → golive → poll until completed → GET slot/Production = published version;',
    '  the driver runs in the bench process (fetch, keep-alive); p50/p99 = cycle time; CPU ms/cyc = server CPU per completed cycle. Median per phase:',
    ...flowRuns.map(
      (r) =>
        `  ${r.concurrency} concurrent: PUT ${optional(r.phaseP50Ms.put, 1)} ms, publish ${optional(r.phaseP50Ms.publish, 1)} ms, golive ${optional(r.phaseP50Ms.golive, 1)} ms, ` +
        `GET slot ${optional(r.phaseP50Ms.check, 1)} ms; ${(r.polls / r.offers).toFixed(1)} polls/cycle, ${(r.wallMs / 1000).toFixed(1)} s in all`,
    ),
    '',
    `offer document ${offer.responseBytes} bytes (target ${TARGET_OFFER_BYTES}); offer list ${list.responseBytes} bytes`,
    `access log: ${accessLog.logLines} "request" lines written for ${accessLog.sentToFull} completed full-stack requests` +
      (accessLog.logLines >= accessLog.sentToFull ? '' : '  !! fewer lines than requests'),
    `results: ${join('bench', 'results', 'latest.json')}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function writeResults(
  settings: Settings,
  env: Record<string, string>,
  generator: LoadGenerator,
  scenarios: Scenario[],
  flowRuns: WorkflowRun[],
  accessLog: { logLines: number; sentToFull: number },
): void {
  const scenario = (key: Scenario['key']) => scenarios.find((s) => s.key === key)!;
  const [bare, offer] = [scenario('bare'), scenario('offer')];
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
    },
    scenarios: scenarios.map((s) => ({
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
      non2xx: s.non2xx,
      socketErrors: s.socketErrors,
      ...(s.statusCounts === undefined ? {} : { statusCounts: s.statusCounts }),
      ...(s.non200 === undefined ? {} : { non200: s.non200 }),
    })),
    ratioFullOverBare: round(ratio),
    targets: {
      offerRatio: { min: TARGET_RATIO, value: round(ratio), pass: ratio >= TARGET_RATIO },
      offerP99Ms: { max: TARGET_P99_MS, atConnections: TARGET_CONNECTIONS, value: round(offer.p99Ms), pass: offer.p99Ms < TARGET_P99_MS },
    },
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
    accessLog,
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
