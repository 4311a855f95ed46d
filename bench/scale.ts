/**
 * `npm run bench:scale [-- --offers <n>=100000 --skip-postgres …]`: does the service stay as fast
 * with a large catalog and long histories as with a small one? On SQLite, then on PostgreSQL:
 *
 *   1. Seeds two catalogs through the real store (bench/scale-seed.ts): 1,000 offers and --offers
 *      (100,000) offers over 100 publishers, plus a publisher with a fifth as many again (20,000),
 *      5–10 KB documents, every tenth offer with three versions and four finished operations. The
 *      measured offer and the measured list (publisher `scale-100`, 100 offers) are the same bytes
 *      in both.
 *   2. Starts the full-stack server (bench/server-fixture.ts, what `serve` runs) on each catalog a
 *      few times: startup from spawn to ready, and the part of it inside startServer.
 *   3. GET the offer and GET the 100-offer list on the small and the large server, in turns
 *      (small, large, small, large…) so machine noise hits both, each run after a warm-up.
 *   4. On the large server, over HTTP: an offer with 1 operation and one with 250 (publishes
 *      canceled at once — the servers run with `realistic` step durations, so a publish stays
 *      running — and a last publish left running, as pollers see it), then GET …/status,
 *      …/submissions?status=running (what pollers send) and the unfiltered …/submissions of both,
 *      in turns.
 *   5. On each server, as a client syncing a whole publisher would: GET the list of the big
 *      publisher (20,000 offers at 100k), then each of its offers once — reads the cache has not
 *      seen (info: offers per second at each size).
 *   6. The large server's peak RSS (VmHWM) after all of it.
 *
 * Prints a table per store, every target with its figure and PASS/MISS (reported, never
 * enforced), and writes bench/results/scale-latest.json.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import { createDatabase, startPostgres } from '../test/helpers/postgres.ts';
import { publishableOffer } from '../test/helpers/offers.ts';
import { type LoadGenerator, type LoadResult, chooseLoadGenerator } from './load.ts';
import {
  REPO_ROOT,
  type ServerChild,
  cleanup,
  installCleanupHandlers,
  interrupted,
  makeTempDir,
  onCleanup,
  processCpuMs,
  startServerChild,
} from './processes.ts';
import { HISTORY_PUBLISHER, MEASURED_LIST_OFFERS, MIN_OFFERS, type ScaleCatalog, seedCatalog } from './scale-seed.ts';

const SMALL_OFFERS = 1000;
const TARGET_RATIO = 0.9;
const TARGET_STARTUP_MS = 2000;
const TARGET_RSS_MB = 300;

interface Settings {
  offers: number;
  durationSec: number;
  warmupSec: number;
  rounds: number;
  startups: number;
  connections: number;
  threads: number;
  seedConcurrency: number;
  /** Operations of the long-history offer. */
  history: number;
  /** Where the results go. */
  resultsFile: string;
  loadGenerator: 'wrk' | 'autocannon' | undefined;
  skipPostgres: boolean;
}

const USAGE =
  'usage: npm run bench:scale -- [--offers <n>=100000] [--duration <s>=10] [--warmup <s>=3] [--rounds <n>=2] [--startups <n>=3]\n' +
  '                              [--connections <n>=50] [--threads <n>=2] [--seed-concurrency <n>=64]\n' +
  '                              [--history <n>=250] [--results <file>=bench/results/scale-latest.json] [--load-generator wrk|autocannon] [--skip-postgres]\n';

class UsageError extends Error {}

const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);

function parseSettings(argv: string[]): Settings {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        offers: { type: 'string', default: '100000' },
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '3' },
        rounds: { type: 'string', default: '2' },
        startups: { type: 'string', default: '3' },
        connections: { type: 'string', default: '50' },
        threads: { type: 'string', default: '2' },
        'seed-concurrency': { type: 'string', default: '64' },
        history: { type: 'string', default: '250' },
        results: { type: 'string', default: join('bench', 'results', 'scale-latest.json') },
        'load-generator': { type: 'string' },
        'skip-postgres': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
    offers: whole('offers', values.offers, MIN_OFFERS),
    durationSec: whole('duration', values.duration, 1),
    warmupSec: whole('warmup', values.warmup, 0),
    rounds: whole('rounds', values.rounds, 1),
    startups: whole('startups', values.startups, 1),
    connections: whole('connections', values.connections, 1),
    threads: whole('threads', values.threads, 1),
    seedConcurrency: whole('seed-concurrency', values['seed-concurrency'], 1),
    history: whole('history', values.history, 2),
    resultsFile: values.results,
    loadGenerator: generator as Settings['loadGenerator'],
    skipPostgres: values['skip-postgres'],
  };
  if (settings.threads > settings.connections) throw new UsageError('--threads must not exceed --connections');
  return settings;
}

/** One catalog: its seed, its server, where it lives. */
interface Catalog {
  label: string;
  seed: ScaleCatalog;
  /** Seconds spent on VACUUM ANALYZE after the seed (PostgreSQL). */
  settleMs: number;
  /** Size on disk: the SQLite files, or pg_database_size. */
  bytesOnDisk: number;
  dataDir: string;
  databaseUrl: string | undefined;
  startups: Startup[];
  server?: ServerChild;
}

interface Startup {
  /** spawn → ready message: node, tsx, the modules, then startServer. */
  wallMs: number;
  /** Process start → the fixture's module body (node, tsx, loading the server's modules). */
  modulesLoadedMs: number;
  /** startServer alone: open and migrate the store, build the app, listen. */
  startServerMs: number;
}

/** A measured run (warm-up excluded). */
interface Run extends LoadResult {
  cpuUsPerRequest: number | undefined;
}

/** A scenario measured on two targets in turns: the figures per round, and their means. */
interface Comparison {
  key: string;
  label: string;
  baseline: { label: string; path: string; bytes: number; runs: Run[] };
  subject: { label: string; path: string; bytes: number; runs: Run[] };
  /** mean req/s of the subject / mean req/s of the baseline. */
  ratio: number;
  /** mean CPU µs/request of the baseline / of the subject (above 1: the subject is cheaper). */
  cpuRatio: number | undefined;
  target: number | undefined;
}

interface StoreRun {
  store: 'sqlite' | 'postgres';
  version: string;
  small: Catalog;
  large: Catalog;
  reads: Comparison[];
  history: { operationsMade: number; makeMs: number; comparisons: Comparison[] };
  /** Every offer of the big publisher read once, on each server: reads the cache has not seen. */
  crawls: { small: Crawl; large: Crawl };
  rss: { peakAfter: Array<{ phase: string; mb: number }>; largePeakMb: number; largeNowMb: number; smallPeakMb: number };
}

interface Crawl {
  offers: number;
  /** The first GET of the big publisher's list (not cached yet), and its size. */
  listMs: number;
  listBytes: number;
  /** GET each of its offers once, CRAWL_CONCURRENCY at a time. */
  wallMs: number;
  offersPerSec: number;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  installCleanupHandlers();
  const generator = await chooseLoadGenerator(settings.loadGenerator, log);
  const environment = {
    node: process.version,
    nproc: String(cpus().length),
    cpu: cpus()[0]?.model ?? 'unknown',
    loadavg: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  };
  log(
    `node ${environment.node}, ${environment.nproc} cores, ${environment.cpu}, load average ${environment.loadavg}; load generator ${generator.name} ${generator.version}`,
  );
  const tempDir = makeTempDir('cloudpartner-scale-');
  const secretKey = randomBytes(32).toString('base64');

  const runs: StoreRun[] = [await runStore('sqlite', settings, generator, tempDir, secretKey)];
  if (!settings.skipPostgres) runs.push(await runStore('postgres', settings, generator, tempDir, secretKey));

  process.stdout.write(report(settings, generator, environment, runs));
  writeResults(settings, generator, environment, runs);
}

async function runStore(kind: 'sqlite' | 'postgres', settings: Settings, generator: LoadGenerator, tempDir: string, secretKey: string): Promise<StoreRun> {
  let databases: { small?: string; large?: string } = {};
  let version = 'SQLite (better-sqlite3)';
  let stopPostgres: (() => Promise<void>) | undefined;
  let dropDatabases: (() => Promise<void>) | undefined;
  if (kind === 'postgres') {
    const server = await startPostgres();
    stopPostgres = () => server.stop();
    onCleanup(stopPostgres);
    const small = await createDatabase(server);
    const large = await createDatabase(server);
    dropDatabases = () => quietly('dropping the databases', async () => Promise.all([small.drop(), large.drop()]).then(() => {}));
    // Cleanups run newest first: dropped before the cluster stops (each drop happens once).
    onCleanup(dropDatabases);
    databases = { small: small.url, large: large.url };
    log(`PostgreSQL ready (${server.cluster ? `throwaway cluster, ${server.cluster.source} binaries, fsync off` : 'the server at DATABASE_URL'})`);
  }
  const catalogs: Catalog[] = [];
  try {
    for (const [label, offers, databaseUrl] of [
      [countLabel(SMALL_OFFERS), SMALL_OFFERS, databases.small],
      [countLabel(settings.offers), settings.offers, databases.large],
    ] as const) {
      const dataDir = join(tempDir, `${kind}-${label}`);
      log(`${kind}: seeding the ${label} catalog`);
      const seed = await seedCatalog({
        dataDir,
        secretKey,
        ...(databaseUrl ? { databaseUrl } : {}),
        offers,
        concurrency: settings.seedConcurrency,
        progress: (done, total) => log(`  ${done} / ${total} offers`),
      });
      let settleMs = 0;
      let bytesOnDisk = directoryBytes(dataDir);
      if (databaseUrl) {
        const started = performance.now();
        const settled = await settleDatabase(databaseUrl);
        settleMs = performance.now() - started;
        bytesOnDisk = settled.bytes;
        version = `PostgreSQL ${settled.version}`;
      }
      log(
        `${kind}: seeded ${seed.offers} offers (${seed.withHistory} with a history, ${Math.round(seed.documentBytes / seed.offers)} bytes per document on average) ` +
          `in ${(seed.seedMs / 1000).toFixed(1)} s${databaseUrl ? ` + VACUUM ANALYZE ${(settleMs / 1000).toFixed(1)} s` : ''}; ${mb(bytesOnDisk)} MB on disk`,
      );
      catalogs.push({ label, seed, settleMs, bytesOnDisk, dataDir, databaseUrl, startups: [] });
    }
    const [small, large] = catalogs as [Catalog, Catalog];

    // Startups, alternately, the last one of each kept running for the measurements.
    for (let n = 1; n <= settings.startups; n++) {
      for (const catalog of [small, large]) {
        const started = performance.now();
        const server = await startServer(catalog, secretKey, tempDir, `${kind}-${catalog.label}-${n}`);
        const startup = {
          wallMs: performance.now() - started,
          modulesLoadedMs: Number(server.ready['modulesLoadedMs']),
          startServerMs: Number(server.ready['startServerMs']),
        };
        catalog.startups.push(startup);
        log(
          `${kind} ${catalog.label}: ready in ${Math.round(startup.wallMs)} ms (modules ${Math.round(startup.modulesLoadedMs)} ms, startServer ${Math.round(startup.startServerMs)} ms)`,
        );
        if (n < settings.startups) await server.stop();
        else catalog.server = server;
      }
    }
    const smallServer = small.server!;
    const largeServer = large.server!;

    // The same bytes on both: the comparison is of the catalogs around them, not of the answers.
    const read = (server: ServerChild, path: string) => get(server.url + path, small.seed.readToken);
    const offer = await read(smallServer, small.seed.offerPath);
    const list = await read(smallServer, small.seed.listPath);
    if (!(await get(largeServer.url + large.seed.offerPath, large.seed.readToken)).equals(offer))
      throw new Error('the large catalog serves another measured offer');
    if (!(await get(largeServer.url + large.seed.listPath, large.seed.readToken)).equals(list))
      throw new Error('the large catalog serves another measured list');
    const listed = (JSON.parse(list.toString('utf8')) as unknown[]).length;
    if (listed !== MEASURED_LIST_OFFERS) throw new Error(`the measured list has ${listed} offers, expected ${MEASURED_LIST_OFFERS}`);

    // The peak is the largest RSS so far: read after each phase, it says which phase raised it.
    const peakAfter: Array<{ phase: string; mb: number }> = [{ phase: 'start', mb: procStatusMb(largeServer.child.pid, 'VmHWM') }];
    const phaseDone = (phase: string) => peakAfter.push({ phase, mb: procStatusMb(largeServer.child.pid, 'VmHWM') });
    const reads = [
      await compare(
        generator,
        settings,
        `${kind} GET offer`,
        'offer',
        `GET offer (${kb(offer.length)})`,
        [
          { label: small.label, server: smallServer, path: small.seed.offerPath, token: small.seed.readToken, bytes: offer.length },
          { label: large.label, server: largeServer, path: large.seed.offerPath, token: large.seed.readToken, bytes: offer.length },
        ],
        TARGET_RATIO,
      ),
      await compare(
        generator,
        settings,
        `${kind} GET list`,
        'list',
        `GET list of ${listed} offers (${kb(list.length)})`,
        [
          { label: small.label, server: smallServer, path: small.seed.listPath, token: small.seed.readToken, bytes: list.length },
          { label: large.label, server: largeServer, path: large.seed.listPath, token: large.seed.readToken, bytes: list.length },
        ],
        TARGET_RATIO,
      ),
    ];

    phaseDone('reads');
    // Long histories on the large server, over HTTP.
    const started = performance.now();
    const short = await makeHistory(largeServer.url, large.seed.writeToken, 'history-1', 1);
    const long = await makeHistory(largeServer.url, large.seed.writeToken, `history-${settings.history}`, settings.history);
    const makeMs = performance.now() - started;
    log(`${kind}: made offers with ${short.operations} and ${long.operations} operations in ${(makeMs / 1000).toFixed(1)} s`);
    const historyTarget = async (key: string, label: string, suffix: string, query: string, target: number | undefined) => {
      const path = (offerPath: string) => `${offerPath}${suffix}?api-version=${CURRENT_API_VERSION}${query}`;
      const token = large.seed.writeToken;
      const bytes = async (offerPath: string) => (await get(largeServer.url + path(offerPath), token)).length;
      return compare(
        generator,
        settings,
        `${kind} ${label}`,
        key,
        label,
        [
          { label: '1 op', server: largeServer, path: path(short.path), token, bytes: await bytes(short.path) },
          { label: `${settings.history} ops`, server: largeServer, path: path(long.path), token, bytes: await bytes(long.path) },
        ],
        target,
      );
    };
    phaseDone('history made');
    const historyComparisons = [
      await historyTarget('status', 'GET …/status', '/status', '', TARGET_RATIO),
      await historyTarget('submissions-running', 'GET …/submissions?status=running', '/submissions', '&status=running', TARGET_RATIO),
    ];
    phaseDone('status, running submissions');
    historyComparisons.push(await historyTarget('submissions', 'GET …/submissions (whole history)', '/submissions', '', undefined));
    phaseDone('whole histories');

    // Last, as a client syncing a whole publisher would: the big list, then each offer once.
    const crawls = { small: await crawl(smallServer.url, small.seed), large: await crawl(largeServer.url, large.seed) };
    for (const [catalog, c] of [
      [small, crawls.small],
      [large, crawls.large],
    ] as const) {
      log(
        `${kind} ${catalog.label}: list of ${c.offers} offers (${mb(c.listBytes)} MB) in ${Math.round(c.listMs)} ms, then each once: ${c.offersPerSec.toFixed(0)} offers/s`,
      );
    }

    phaseDone('crawl');
    const rss = {
      peakAfter,
      largePeakMb: procStatusMb(largeServer.child.pid, 'VmHWM'),
      largeNowMb: procStatusMb(largeServer.child.pid, 'VmRSS'),
      smallPeakMb: procStatusMb(smallServer.child.pid, 'VmHWM'),
    };
    return {
      store: kind,
      version,
      small,
      large,
      reads,
      history: { operationsMade: short.operations + long.operations, makeMs, comparisons: historyComparisons },
      crawls,
      rss,
    };
  } finally {
    // Servers first (they hold connections), then the databases, then the cluster.
    await Promise.all(catalogs.map((catalog) => catalog.server?.stop()));
    if (dropDatabases) await dropDatabases();
    if (stopPostgres) await quietly('stopping PostgreSQL', stopPostgres);
  }
}

/** Starts the full-stack fixture on a catalog, its access log to a file as serve's stdout would be. */
async function startServer(catalog: Catalog, secretKey: string, tempDir: string, name: string): Promise<ServerChild> {
  const logFd = openSync(join(tempDir, `access-${name}.log`), 'a');
  try {
    return await startServerChild('bench/server-fixture.ts', [catalog.dataDir, '0'], {
      stdoutFd: logFd,
      timeoutMs: 120_000,
      // `realistic`: a publish stays running (certification takes days), so it can be canceled at once.
      env: { DATABASE_URL: catalog.databaseUrl ?? '', CLOUDPARTNER_SECRET_KEY: secretKey, CLOUDPARTNER_STEP_DURATION_MS: 'realistic' },
    });
  } finally {
    closeSync(logFd);
  }
}

/**
 * An offer with `operations` operations: publishes canceled at once, then a last publish left
 * running — the offer pollers poll. Returns its path (without query) and its operation count.
 */
async function makeHistory(origin: string, token: string, offerId: string, operations: number): Promise<{ path: string; operations: number }> {
  const path = `/api/publishers/${HISTORY_PUBLISHER}/offers/${offerId}`;
  const query = `?api-version=${CURRENT_API_VERSION}`;
  const call = async (method: string, suffix: string, expected: number, body?: unknown) => {
    const response = await fetch(origin + path + suffix + query, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}${suffix} → ${response.status} (expected ${expected}): ${text.slice(0, 300)}`);
    return text;
  };
  await call('PUT', '', 200, { ...publishableOffer(offerId), publisherId: HISTORY_PUBLISHER });
  for (let n = 1; n < operations; n++) {
    await call('POST', '/publish', 202);
    await call('POST', '/cancel', 200);
  }
  await call('POST', '/publish', 202);
  const submissions = JSON.parse(await call('GET', '/submissions', 200)) as Array<{ status: string }>;
  if (submissions.length !== operations) throw new Error(`${offerId} has ${submissions.length} operations, expected ${operations}`);
  if (submissions[0]?.status !== 'running') throw new Error(`${offerId}'s newest operation is ${submissions[0]?.status}, expected running`);
  return { path, operations: submissions.length };
}

const CRAWL_CONCURRENCY = 16;

/** GET the big publisher's list, then each of its offers once, CRAWL_CONCURRENCY at a time. */
async function crawl(origin: string, seed: ScaleCatalog): Promise<Crawl> {
  let started = performance.now();
  const list = await get(origin + seed.bigListPath, seed.readToken);
  const listMs = performance.now() - started;
  const [path, query] = seed.bigListPath.split('?') as [string, string];
  const ids = (JSON.parse(list.toString('utf8')) as Array<{ id: string }>).map((offer) => offer.id);
  let next = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: CRAWL_CONCURRENCY }, async () => {
      while (next < ids.length) await get(`${origin}${path}/${ids[next++]}?${query}`, seed.readToken);
    }),
  );
  const wallMs = performance.now() - started;
  return { offers: ids.length, listMs, listBytes: list.length, wallMs, offersPerSec: (ids.length * 1000) / wallMs };
}

interface Target {
  label: string;
  server: ServerChild;
  path: string;
  token: string;
  bytes: number;
}

/** The same scenario on a baseline and a subject, in turns, --rounds times each. */
async function compare(
  generator: LoadGenerator,
  settings: Settings,
  logLabel: string,
  key: string,
  label: string,
  [baseline, subject]: [Target, Target],
  target: number | undefined,
): Promise<Comparison> {
  const runs: [Run[], Run[]] = [[], []];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [i, t] of [baseline, subject].entries()) {
      const options = {
        url: t.server.url + t.path,
        headers: { Authorization: `Bearer ${t.token}` },
        connections: settings.connections,
        threads: settings.threads,
      };
      // Warm-up: JIT, caches, and the file pages this machine evicts when idle.
      if (settings.warmupSec > 0) await generator.run({ ...options, durationSec: settings.warmupSec });
      const cpuBefore = processCpuMs(t.server.child.pid);
      const result = await generator.run({ ...options, durationSec: settings.durationSec });
      const cpuAfter = processCpuMs(t.server.child.pid);
      const cpuUsPerRequest =
        cpuBefore === undefined || cpuAfter === undefined || result.requests === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / result.requests;
      if (result.non2xx > 0 || result.socketErrors > 0)
        log(`WARNING ${logLabel} ${t.label}: ${result.non2xx} non-2xx responses, ${result.socketErrors} socket errors`);
      log(`${logLabel} ${t.label}, round ${round}: ${result.requestsPerSec.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms`);
      runs[i]!.push({ ...result, cpuUsPerRequest });
    }
  }
  const baselineCpu = meanOf(runs[0].map((r) => r.cpuUsPerRequest));
  const subjectCpu = meanOf(runs[1].map((r) => r.cpuUsPerRequest));
  return {
    key,
    label,
    baseline: { label: baseline.label, path: baseline.path, bytes: baseline.bytes, runs: runs[0] },
    subject: { label: subject.label, path: subject.path, bytes: subject.bytes, runs: runs[1] },
    ratio: mean(runs[1].map((r) => r.requestsPerSec)) / mean(runs[0].map((r) => r.requestsPerSec)),
    cpuRatio: baselineCpu === undefined || subjectCpu === undefined ? undefined : baselineCpu / subjectCpu,
    target,
  };
}

/** GET with a token; fails unless 200. */
async function get(url: string, token: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status}: ${bytes.toString('utf8').slice(0, 500)}`);
  return bytes;
}

/** VACUUM ANALYZE after the seed, as autovacuum would soon do; the server's version and the database's size. */
async function settleDatabase(url: string): Promise<{ version: string; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown';
    const size = (await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size')).rows[0]?.size ?? '0';
    return { version, bytes: Number(size) };
  } finally {
    await client.end();
  }
}

function directoryBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

/** A memory line of /proc/<pid>/status (VmHWM: peak resident set; VmRSS: now), in MB; NaN without /proc. */
function procStatusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function quietly(what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!interrupted()) log(`WARNING ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const mean = (values: number[]) => values.reduce((sum, n) => sum + n, 0) / values.length;
const meanOf = (values: Array<number | undefined>) => (values.includes(undefined) ? undefined : mean(values as number[]));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
/** 1000 → 1k, 100000 → 100k, 300 → 300. */
const countLabel = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

function report(settings: Settings, generator: LoadGenerator, environment: Record<string, string>, runs: StoreRun[]): string {
  const lines = [
    '',
    `cloudpartner scale bench — node ${environment['node']}, ${environment['nproc']} cores, ${environment['cpu']}, load average at start ${environment['loadavg']}`,
    `load generator ${generator.name} ${generator.version}${generator.note ? ` — ${generator.note}` : ''}; ${settings.connections} connections, ` +
      `${settings.threads} threads; ${settings.warmupSec} s warm-up + ${settings.durationSec} s measured per run, ${settings.rounds} rounds in turns`,
  ];
  const row = (label: string, figure: string, note: string) => `  ${label.padEnd(44)}${figure.padStart(22)}   ${note}`.trimEnd();
  for (const run of runs) {
    const { small, large } = run;
    const startup = (catalog: Catalog) => median(catalog.startups.map((s) => s.wallMs));
    const inside = (catalog: Catalog) => median(catalog.startups.map((s) => s.startServerMs));
    const modules = (catalog: Catalog) => median(catalog.startups.map((s) => s.modulesLoadedMs));
    lines.push(
      '',
      `${run.version}: catalogs of ${small.seed.offers} and ${large.seed.offers} offers (${large.seed.bigPublisherOffers} of them one publisher's), ` +
        `${large.seed.withHistory} with a history; ${Math.round(large.seed.documentBytes / large.seed.offers)} bytes per document on average`,
      row('target', 'figure', 'verdict'),
      row(
        `seed ${small.label} / ${large.label}`,
        `${((small.seed.seedMs + small.settleMs) / 1000).toFixed(1)} / ${((large.seed.seedMs + large.settleMs) / 1000).toFixed(1)} s`,
        `info: through the store, ${settings.seedConcurrency} imports in flight${large.settleMs ? ', VACUUM ANALYZE included' : ''}; ` +
          `${mb(small.bytesOnDisk)} / ${mb(large.bytesOnDisk)} MB on disk`,
      ),
      row(
        `startup at ${large.label}: spawn → ready ≤ ${TARGET_STARTUP_MS} ms`,
        `${Math.round(startup(large))} ms`,
        `${verdict(startup(large) <= TARGET_STARTUP_MS)} (median of ${large.startups.length}; at ${small.label} ${Math.round(startup(small))} ms)`,
      ),
      row(
        '  of which startServer (store, app, listen)',
        `${Math.round(inside(large))} ms`,
        `info: at ${small.label} ${Math.round(inside(small))} ms; the rest is node loading the server (its bundle, D103) (${Math.round(modules(large))} ms)`,
      ),
    );
    const comparisonRows = (c: Comparison) => {
      const side = (s: Comparison['baseline']) => mean(s.runs.map((r) => r.requestsPerSec)).toFixed(0);
      const p99 = (s: Comparison['baseline']) => Math.max(...s.runs.map((r) => r.p99Ms)).toFixed(1);
      const problems = [...c.baseline.runs, ...c.subject.runs].reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0);
      return [
        row(
          `${c.label}: ${c.subject.label} / ${c.baseline.label}${c.target === undefined ? '' : ` ≥ ${c.target}`}`,
          `${c.ratio.toFixed(2)}`,
          `${c.target === undefined ? 'info' : verdict(c.ratio >= c.target)}${problems ? `  !! ${problems} non-2xx or socket errors` : ''}`,
        ),
        row(
          `  req/s ${c.baseline.label} → ${c.subject.label}`,
          `${side(c.baseline)} → ${side(c.subject)}`,
          `per round ${c.baseline.runs.map((r) => r.requestsPerSec.toFixed(0)).join(', ')} → ${c.subject.runs.map((r) => r.requestsPerSec.toFixed(0)).join(', ')}; ` +
            `worst p99 ${p99(c.baseline)} → ${p99(c.subject)} ms; CPU/request ${c.cpuRatio === undefined ? '-' : `${(1 / c.cpuRatio).toFixed(2)} ×`}; ` +
            `${kb(c.baseline.bytes)} → ${kb(c.subject.bytes)}`,
        ),
      ];
    };
    lines.push(...run.reads.flatMap(comparisonRows));
    lines.push(
      row(
        `history: offers with 1 and ${settings.history} operations`,
        `${(run.history.makeMs / 1000).toFixed(1)} s`,
        `info: made over HTTP on the ${large.label} server (publish + cancel, a last publish running)`,
      ),
    );
    lines.push(...run.history.comparisons.flatMap(comparisonRows));
    const { small: crawlSmall, large: crawlLarge } = run.crawls;
    lines.push(
      row(
        `crawl: GET every offer of one publisher once`,
        `${crawlSmall.offersPerSec.toFixed(0)} → ${crawlLarge.offersPerSec.toFixed(0)} /s`,
        `info: ${crawlSmall.offers} offers at ${small.label} → ${crawlLarge.offers} at ${large.label}, ${CRAWL_CONCURRENCY} at a time, each read once (not cached); ` +
          `its list first: ${Math.round(crawlSmall.listMs)} → ${Math.round(crawlLarge.listMs)} ms, ${kb(crawlSmall.listBytes)} → ${kb(crawlLarge.listBytes)}`,
      ),
      row(
        `server peak RSS at ${large.label} ≤ ${TARGET_RSS_MB} MB`,
        `${run.rss.largePeakMb.toFixed(0)} MB`,
        `${verdict(run.rss.largePeakMb <= TARGET_RSS_MB)} (VmHWM after all of it, the crawl included; now ${run.rss.largeNowMb.toFixed(0)} MB; the ${small.label} server peaked at ${run.rss.smallPeakMb.toFixed(0)} MB; ` +
          `the peak after each phase: ${run.rss.peakAfter.map((p) => `${p.phase} ${p.mb.toFixed(0)}`).join(', ')} MB)`,
      ),
    );
  }
  if (settings.skipPostgres) lines.push('', 'PostgreSQL: skipped (--skip-postgres)');
  lines.push(
    '',
    `Ratios compare mean req/s; CPU/request is the server's CPU time per request, subject over baseline (steadier than req/s on a shared machine).`,
    `results: ${settings.resultsFile}`,
    '',
  );
  return lines.join('\n');
}

function writeResults(settings: Settings, generator: LoadGenerator, environment: Record<string, string>, runs: StoreRun[]): void {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const orNull = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? null : round(n));
  const catalog = (c: Catalog) => ({
    offers: c.seed.offers,
    bigPublisherOffers: c.seed.bigPublisherOffers,
    withHistory: c.seed.withHistory,
    averageDocumentBytes: Math.round(c.seed.documentBytes / c.seed.offers),
    seedMs: Math.round(c.seed.seedMs),
    settleMs: Math.round(c.settleMs),
    bytesOnDisk: c.bytesOnDisk,
    startups: c.startups.map((s) => ({ wallMs: round(s.wallMs), modulesLoadedMs: round(s.modulesLoadedMs), startServerMs: round(s.startServerMs) })),
    startupMedianMs: round(median(c.startups.map((s) => s.wallMs))),
  });
  const comparison = (c: Comparison) => {
    const side = (s: Comparison['baseline']) => ({
      label: s.label,
      path: s.path,
      responseBytes: s.bytes,
      runs: s.runs.map((r) => ({
        requestsPerSec: round(r.requestsPerSec),
        p50Ms: round(r.p50Ms),
        p99Ms: round(r.p99Ms),
        requests: r.requests,
        cpuUsPerRequest: orNull(r.cpuUsPerRequest),
        non2xx: r.non2xx,
        socketErrors: r.socketErrors,
      })),
    });
    return {
      key: c.key,
      label: c.label,
      baseline: side(c.baseline),
      subject: side(c.subject),
      ratio: round(c.ratio),
      cpuPerRequestRatio: c.cpuRatio === undefined ? null : round(1 / c.cpuRatio),
      ...(c.target === undefined ? { target: null } : { target: { min: c.target, pass: c.ratio >= c.target } }),
    };
  };
  const results = {
    date: new Date().toISOString(),
    environment,
    loadGenerator: { name: generator.name, version: generator.version, ...(generator.note ? { note: generator.note } : {}) },
    settings,
    stores: runs.map((run) => {
      const startup = median(run.large.startups.map((s) => s.wallMs));
      return {
        store: run.store,
        version: run.version,
        catalogs: { small: catalog(run.small), large: catalog(run.large) },
        reads: run.reads.map(comparison),
        history: { operationsMade: run.history.operationsMade, makeMs: Math.round(run.history.makeMs), comparisons: run.history.comparisons.map(comparison) },
        crawls: Object.fromEntries(
          Object.entries(run.crawls).map(([size, c]) => [
            size,
            {
              offers: c.offers,
              listMs: round(c.listMs),
              listBytes: c.listBytes,
              wallMs: round(c.wallMs),
              offersPerSec: round(c.offersPerSec),
              concurrency: CRAWL_CONCURRENCY,
            },
          ]),
        ),
        rss: {
          largePeakMb: orNull(run.rss.largePeakMb),
          largeNowMb: orNull(run.rss.largeNowMb),
          smallPeakMb: orNull(run.rss.smallPeakMb),
          peakAfter: run.rss.peakAfter.map((p) => ({ phase: p.phase, mb: orNull(p.mb) })),
        },
        targets: {
          startupMs: { max: TARGET_STARTUP_MS, value: round(startup), pass: startup <= TARGET_STARTUP_MS },
          peakRssMb: { max: TARGET_RSS_MB, value: orNull(run.rss.largePeakMb), pass: run.rss.largePeakMb <= TARGET_RSS_MB },
        },
      };
    }),
    ...(settings.skipPostgres ? { postgres: { skipped: '--skip-postgres' } } : {}),
  };
  const file = resolve(REPO_ROOT, settings.resultsFile);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

main()
  .catch((error: unknown) => {
    if (interrupted()) return;
    if (error instanceof UsageError) {
      process.stderr.write(`bench:scale: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
