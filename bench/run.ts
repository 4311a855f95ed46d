/**
 * `npm run bench [-- --duration <s>]`: HTTP throughput and latency of the full stack, side by
 * side with a bare node:http server returning the same bytes.
 *
 *   1. GET one ~10 KB offer document: bare node:http vs cloudpartner (Fastify, bearer auth,
 *      api-version check, SQLite store, pino access log at info to a file).
 *   2. GET the offer list of a publisher with 1,000 offers, through the full stack.
 *
 * Each server runs in its own process; the load generator (wrk) is a third. Every measured run
 * is preceded by a warm-up run. Results are printed and written to bench/results/latest.json.
 * Targets (GET offer ≥ 0.6 × bare, p99 < 10 ms at 50 connections) are reported, never enforced.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadGenerator, type LoadResult, chooseLoadGenerator } from './load.ts';
import { REPO_ROOT, cleanup, installCleanupHandlers, interrupted, makeTempDir, processCpuMs, startServerChild } from './processes.ts';
import { TARGET_OFFER_BYTES, seed } from './seed.ts';

const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 10;
const TARGET_CONNECTIONS = 50;

interface Settings {
  durationSec: number;
  warmupSec: number;
  connections: number;
  threads: number;
  loadGenerator: 'wrk' | 'autocannon' | undefined;
}

/** Server-side CPU during the measured run (Linux /proc; undefined elsewhere). */
interface ServerCpu {
  /** Share of one core the server process used. */
  serverCpuPercent: number | undefined;
  /** Server CPU time per completed request. */
  cpuUsPerRequest: number | undefined;
}

interface Scenario extends LoadResult, ServerCpu {
  key: 'bare' | 'offer' | 'list';
  label: string;
  path: string;
  responseBytes: number;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const USAGE =
  'usage: npm run bench -- [--duration <s>=10] [--warmup <s>=3] [--connections <n>=50] [--threads <n>=2] [--load-generator wrk|autocannon]\n';

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
  url: string,
  token: string,
  serverPid: number | undefined,
): Promise<{ result: LoadResult & ServerCpu; sent: number }> {
  const options = { url, headers: { Authorization: `Bearer ${token}` }, connections: settings.connections, threads: settings.threads };
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
    const { result, sent } = await measure(generator, settings, step.label, step.server.url + step.path, data.token, step.server.child.pid);
    if (step.server === full) sentToFull += sent;
    scenarios.push({ key: step.key, label: step.label, path: step.path, responseBytes: step.responseBytes, ...result });
  }

  // Stop the full stack gracefully (flushes the log), then check the access log was really written.
  await Promise.all([full.stop(), bare.stop()]);
  const logLines = readFileSync(accessLogFile, 'utf8').split('\n').filter((line) => line.includes('"msg":"request"')).length;

  report(settings, env, generator, scenarios, { logLines, sentToFull });
  writeResults(settings, env, generator, scenarios, { logLines, sentToFull });
}

function report(
  settings: Settings,
  env: Record<string, string>,
  generator: LoadGenerator,
  scenarios: Scenario[],
  accessLog: { logLines: number; sentToFull: number },
): void {
  const [bare, offer, list] = scenarios as [Scenario, Scenario, Scenario];
  const ratio = offer.requestsPerSec / bare.requestsPerSec;
  const at50 = settings.connections === TARGET_CONNECTIONS ? '' : ` (target is at ${TARGET_CONNECTIONS} connections)`;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

  const labelWidth = Math.max(...scenarios.map((s) => s.label.length), 20) + 2;
  const row = (label: string, columns: string[], note = '') =>
    `${label.padEnd(labelWidth)}${columns.map((c) => c.padStart(11)).join('')}${note ? `   ${note}` : ''}`.trimEnd();
  const optional = (n: number | undefined, digits: number) => (n === undefined ? '-' : n.toFixed(digits));
  const scenarioRow = (s: Scenario, note = '') =>
    row(
      s.label,
      [s.requestsPerSec.toFixed(0), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), optional(s.serverCpuPercent, 0), optional(s.cpuUsPerRequest, 1)],
      `${note}${s.non2xx || s.socketErrors ? `  !! ${s.non2xx} non-2xx, ${s.socketErrors} socket errors` : ''}`,
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
    '',
    'srv CPU% = CPU of the server process during the measured run (100 = one core); CPU µs/req = that CPU time per request.',
    `The load generator shares the ${env['nproc']} cores with the server, so req/s swings from run to run; CPU µs/req is steadier.`,
    ...(cpuRatio === undefined ? [] : [`  by server CPU per request, full stack = ${cpuRatio.toFixed(2)} × bare node:http (info; the target is on req/s)`]),
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
  accessLog: { logLines: number; sentToFull: number },
): void {
  const [bare, offer] = scenarios as [Scenario, Scenario];
  const ratio = offer.requestsPerSec / bare.requestsPerSec;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const results = {
    date: new Date().toISOString(),
    environment: env,
    loadGenerator: { name: generator.name, version: generator.version, ...(generator.note ? { note: generator.note } : {}) },
    settings: { connections: settings.connections, threads: settings.threads, warmupSec: settings.warmupSec, durationSec: settings.durationSec },
    scenarios: scenarios.map((s) => ({
      key: s.key,
      label: s.label,
      path: s.path,
      responseBytes: s.responseBytes,
      requestsPerSec: round(s.requestsPerSec),
      p50Ms: round(s.p50Ms),
      p99Ms: round(s.p99Ms),
      requests: s.requests,
      serverCpuPercent: s.serverCpuPercent === undefined ? null : round(s.serverCpuPercent),
      cpuUsPerRequest: s.cpuUsPerRequest === undefined ? null : round(s.cpuUsPerRequest),
      non2xx: s.non2xx,
      socketErrors: s.socketErrors,
    })),
    ratioFullOverBare: round(ratio),
    targets: {
      offerRatio: { min: TARGET_RATIO, value: round(ratio), pass: ratio >= TARGET_RATIO },
      offerP99Ms: { max: TARGET_P99_MS, atConnections: TARGET_CONNECTIONS, value: round(offer.p99Ms), pass: offer.p99Ms < TARGET_P99_MS },
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
