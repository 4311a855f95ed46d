/**
 * `npm run soak -- --minutes N`: steady mixed load on a real server for N minutes, at about half
 * its measured capacity, then a check that it is still healthy and every offer consistent.
 *
 *   1. Starts `cloudpartner serve` (its own data directory; --store postgres: a throwaway cluster
 *      or DATABASE_URL) and creates the offers the load works on.
 *   2. Measures capacity: the same mix, closed loop, `--calibrate-concurrency` clients for
 *      `--calibrate-seconds` (after a warm-up).
 *   3. Soaks: the mix, open loop, at `--load` × capacity requests per second (default 0.5), or
 *      `--rate`; latency counts from when a request was due, so a stall shows.
 *   4. Reports, each minute and at the end: throughput, p50/p99/max latency, errors (5xx,
 *      failed or timed-out requests, statuses the mix never expects), server RSS.
 *
 * The mix: reads of offers, versions, slots, lists, status and history; PUTs with If-Match (a
 * 412 is a lost race, not an error); publishes, go-lives and cancels (409/422 are answers, not
 * errors). Exit status 0 when there was no error and the server ends healthy and consistent.
 *
 * The load stays the same from the first minute to the last: an offer that has had
 * `--operations-per-offer` operations is retired and a new one takes its place (the answers of
 * /status and /submissions grow with an offer's history, so offers with ever longer histories
 * would make every minute costlier than the one before). For the same reason the list is read
 * filtered to a fixed set of offers of another type (the retired offers stay in the publisher).
 */
import { randomInt } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkOffers, waitForIdle } from '../test/fuzz/consistency.ts';
import { Rng } from '../test/fuzz/rng.ts';
import { makeDataDir } from '../test/helpers/harness.ts';
import { publishableOffer } from '../test/helpers/offers.ts';
import { createDatabase, startPostgres } from '../test/helpers/postgres.ts';
import { BIN, cleanEnv, startProcess } from '../test/helpers/processes.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    store: { type: 'string', default: 'sqlite' },
    load: { type: 'string', default: '0.5' },
    rate: { type: 'string' },
    offers: { type: 'string', default: '20' },
    'operations-per-offer': { type: 'string', default: '30' },
    'calibrate-seconds': { type: 'string', default: '15' },
    'calibrate-concurrency': { type: 'string', default: '16' },
    'step-duration-ms': { type: 'string', default: '200' },
    seed: { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.store !== 'sqlite' && values.store !== 'postgres') throw new Error('--store is sqlite or postgres');
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
const seed = values.seed !== undefined ? Number(values.seed) : randomInt(1, 2 ** 31);
const API = 'api-version=2017-10-31';
const REQUEST_TIMEOUT_MS = 10_000;
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The server

const dataDir = makeDataDir();
const postgres = values.store === 'postgres' ? await startPostgres() : undefined;
const database = postgres ? await createDatabase(postgres) : undefined;
const server = await startProcess(
  process.execPath,
  [
    BIN,
    'serve',
    '--demo',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
    '--step-duration-ms',
    values['step-duration-ms'],
    ...(database ? ['--database-url', database.url] : []),
  ],
  cleanEnv(),
);
const token = /cpat_[A-Za-z0-9_-]{43}/.exec(server.output())?.[0];
if (!token) throw new Error('no demo token in the banner');
const pid = server.child.pid!;
const base = `${server.url}/api/publishers/contoso/offers`;

function rssMb(): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

const cleanupAndExit = async (code: number) => {
  await server.stop('SIGTERM');
  await database?.drop();
  await postgres?.stop();
  if (values['keep-data']) out(`data kept in ${dataDir}${database ? ` and ${database.url} (dropped)` : ''}`);
  else rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
};
process.on('SIGINT', () => void cleanupAndExit(130));
process.on('SIGTERM', () => void cleanupAndExit(143));

// ---------------------------------------------------------------------------------------------
// The mix

interface Outcome {
  ms: number;
  /** Undefined when fine; otherwise what went wrong. */
  error?: string;
}

/** Offers of another type, never retired, for the list reads. */
const LISTED_TYPE = 'microsoft-azure-corevm';
const LISTED_OFFERS = 20;

/** The offers in use, one per slot; an offer with `operations-per-offer` operations is replaced by a new one. */
const offerIds = Array.from({ length: Number(values.offers) }, (_, i) => `soak-${i}-0`);
const operationsOf = new Map<string, number>();
const OPERATIONS_PER_OFFER = Number(values['operations-per-offer']);
let retired = 0;
const etags = new Map<string, string>();

/** Counts an operation the offer started; retires the offer once it has had its share. */
async function countOperation(id: string, rng: Rng): Promise<void> {
  const count = (operationsOf.get(id) ?? 0) + 1;
  operationsOf.set(id, count);
  const slot = offerIds.indexOf(id);
  if (count < OPERATIONS_PER_OFFER || slot < 0) return;
  const [, index, generation] = /^soak-(\d+)-(\d+)$/.exec(id)!;
  const next = `soak-${index}-${Number(generation) + 1}`;
  const res = await call('PUT', `${base}/${next}?${API}`, document(next, rng));
  if (res.status === 200) {
    etags.set(next, res.etag!);
    offerIds[slot] = next;
    retired++;
  }
}

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), text };
}

function document(id: string, rng: Rng): Record<string, unknown> {
  const doc = publishableOffer(id);
  (doc['definition'] as any).displayText = `${id} ${rng.hex(8)}`;
  return doc;
}

/** One request of the mix; `expected` are the statuses it may answer. */
async function one(rng: Rng): Promise<Outcome> {
  const id = rng.pick(offerIds);
  const kind = rng.weighted<string>([
    [35, 'get'],
    [12, 'list'],
    [6, 'version'],
    [6, 'slot'],
    [5, 'status'],
    [4, 'submissions'],
    [24, 'put'],
    [3, 'publish'],
    [2, 'golive'],
    [1, 'cancel'],
  ]);
  const started = performance.now();
  let res: { status: number; etag: string | null; text: string };
  let expected: number[];
  try {
    switch (kind) {
      case 'get':
        res = await call('GET', `${base}/${id}?${API}`);
        expected = [200];
        break;
      case 'list':
        res = await call('GET', `${base}?${API}&$filter=${encodeURIComponent(`offerTypeId eq '${LISTED_TYPE}'`)}`);
        expected = [200];
        if (res.status === 200 && (JSON.parse(res.text) as unknown[]).length !== LISTED_OFFERS)
          return { ms: performance.now() - started, error: `list: not the ${LISTED_OFFERS} offers` };
        break;
      case 'version':
        res = await call('GET', `${base}/${id}/versions/1?${API}`);
        expected = [200];
        break;
      case 'slot':
        res = await call('GET', `${base}/${id}/slot/${rng.pick(['Draft', 'Preview', 'Production'])}?${API}`);
        expected = [200, 404];
        break;
      case 'status':
        res = await call('GET', `${base}/${id}/status?${API}`);
        expected = [200];
        break;
      case 'submissions':
        res = await call('GET', `${base}/${id}/submissions?${API}`);
        expected = [200];
        break;
      case 'put':
        res = await call('PUT', `${base}/${id}?${API}`, document(id, rng), { 'if-match': etags.get(id) ?? '*' });
        expected = [200, 412];
        break;
      default:
        res = await call('POST', `${base}/${id}/${kind}?${API}`);
        expected = kind === 'cancel' ? [200, 202, 409] : [202, 409, 422];
    }
  } catch (error) {
    return { ms: performance.now() - started, error: `${kind}: ${(error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message}` };
  }
  if (res.etag && (kind === 'get' || kind === 'put')) etags.set(id, res.etag);
  if ((kind === 'publish' || kind === 'golive' || kind === 'cancel') && (res.status === 202 || (kind === 'cancel' && res.status === 200)))
    await countOperation(id, rng);
  if (res.status === 412) etags.delete(id);
  const ms = performance.now() - started;
  if (!expected.includes(res.status)) return { ms, error: `${kind}: ${res.status} ${res.text.slice(0, 120)}` };
  return { ms };
}

// ---------------------------------------------------------------------------------------------
// Statistics

class Window {
  latencies: number[] = [];
  errors = new Map<string, number>();
  started = performance.now();

  add(outcome: Outcome, ms: number): void {
    this.latencies.push(ms);
    if (outcome.error) {
      const key = outcome.error.replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 100);
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }

  get errorCount(): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0);
  }

  percentile(p: number): number {
    if (this.latencies.length === 0) return NaN;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
  }

  summary(): string {
    const seconds = (performance.now() - this.started) / 1000;
    return `${this.latencies.length} requests, ${(this.latencies.length / seconds).toFixed(0)}/s, p50 ${this.percentile(0.5).toFixed(1)} ms, p99 ${this.percentile(0.99).toFixed(1)} ms, max ${this.percentile(1).toFixed(0)} ms, ${this.errorCount} errors`;
  }
}

// ---------------------------------------------------------------------------------------------
// Run

const rng = new Rng(seed);
out(`soak: ${minutes} min on ${values.store}, seed ${seed}; server pid ${pid} at ${server.url}`);
for (const id of offerIds) {
  const res = await call('PUT', `${base}/${id}?${API}`, document(id, rng));
  if (res.status !== 200) throw new Error(`creating ${id}: ${res.status} ${res.text}`);
  etags.set(id, res.etag!);
}
for (let i = 0; i < LISTED_OFFERS; i++) {
  const id = `soak-listed-${i}`;
  const res = await call('PUT', `${base}/${id}?${API}`, { offerTypeId: LISTED_TYPE, definition: { displayText: `Listed ${i}`, offer: {}, plans: [] } });
  if (res.status !== 200) throw new Error(`creating ${id}: ${res.status} ${res.text}`);
}

// Capacity: the mix, closed loop.
const closedLoop = async (seconds: number, concurrency: number) => {
  const window = new Window();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const outcome = await one(rng);
        window.add(outcome, outcome.ms);
      }
    }),
  );
  return window;
};
await closedLoop(3, Number(values['calibrate-concurrency']));
const calibration = await closedLoop(Number(values['calibrate-seconds']), Number(values['calibrate-concurrency']));
const capacity = calibration.latencies.length / Number(values['calibrate-seconds']);
const rate = values.rate !== undefined ? Number(values.rate) : Math.max(1, Math.round(capacity * Number(values.load)));
out(`capacity (closed loop, ${values['calibrate-concurrency']} clients): ${capacity.toFixed(0)} requests/s — ${calibration.summary()}`);
out(`soaking at ${rate} requests/s (${((rate / capacity) * 100).toFixed(0)} % of capacity) for ${minutes} min`);

// Soak: open loop at `rate`.
const total = new Window();
let minute = new Window();
const rssStart = rssMb();
let rssPeak = rssStart;
out(`server RSS at start: ${rssStart} MB`);
const soakStart = performance.now();
const soakEnd = soakStart + minutes * 60_000;
let inFlight = 0;
let sent = 0;
let skipped = 0;
const pending = new Set<Promise<void>>();
let nextMinute = soakStart + 60_000;
while (performance.now() < soakEnd) {
  const due = soakStart + (sent * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  sent++;
  if (inFlight >= 1000) {
    // The server is far behind: count the request as failed rather than pile up without bound.
    skipped++;
    const outcome = { ms: 0, error: 'not sent: 1000 requests already in flight' };
    total.add(outcome, 0);
    minute.add(outcome, 0);
    continue;
  }
  inFlight++;
  const request = one(rng).then((outcome) => {
    inFlight--;
    const fromDue = performance.now() - due; // includes any wait behind earlier requests
    total.add(outcome, fromDue);
    minute.add(outcome, fromDue);
  });
  pending.add(request);
  void request.finally(() => pending.delete(request));
  if (performance.now() >= nextMinute) {
    const rss = rssMb();
    rssPeak = Math.max(rssPeak, rss);
    out(`  minute ${Math.round((performance.now() - soakStart) / 60_000)}: ${minute.summary()}; server RSS ${rss} MB`);
    for (const [error, count] of minute.errors) out(`    ${count} × ${error}`);
    minute = new Window();
    nextMinute += 60_000;
  }
}
await Promise.all(pending);
// A request the client gave up on (timeout) may still be queued in the server: let it finish first.
if ([...total.errors.keys()].some((error) => error.endsWith('timeout'))) await sleep(REQUEST_TIMEOUT_MS + 5_000);
const rssEnd = rssMb();
rssPeak = Math.max(rssPeak, rssEnd);
const soakSeconds = (performance.now() - soakStart) / 1000;

// Afterwards: healthy, everything finished, every offer consistent.
const get = async (path: string, method = 'GET') => {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text };
};
const health = await get('/healthz');
const running = await waitForIdle(get, 'contoso', 60_000);
const consistency = await checkOffers(get, 'contoso');

out('');
out(
  `soak on ${values.store}: ${minutes} min at ${rate} requests/s (${((rate / capacity) * 100).toFixed(0)} % of the measured capacity of ${capacity.toFixed(0)}/s)`,
);
out(
  `  throughput ${(total.latencies.length / soakSeconds).toFixed(1)} requests/s (${total.latencies.length} requests${skipped ? `, ${skipped} not sent` : ''}); ${retired} offers retired after ${OPERATIONS_PER_OFFER} operations`,
);
out(`  latency p50 ${total.percentile(0.5).toFixed(1)} ms, p99 ${total.percentile(0.99).toFixed(1)} ms, max ${total.percentile(1).toFixed(0)} ms`);
out(`  errors ${total.errorCount}`);
for (const [error, count] of total.errors) out(`    ${count} × ${error}`);
out(`  server RSS ${rssStart} MB at start → ${rssEnd} MB at the end (peak ${rssPeak} MB)`);
out(
  `  afterwards: health ${health.status}; operations still running: ${running.length}; ${consistency.offers} offers, ${consistency.versions} versions, ${consistency.operations} operations checked, ${consistency.problems.length} problems`,
);
for (const problem of consistency.problems.slice(0, 20)) out(`    ${problem}`);
// The server logs at warn: anything it wrote is worth reading.
const serverLog = server
  .output()
  .split('\n')
  .filter((line) => line.startsWith('{'));
out(`  server log lines (warn and above): ${serverLog.length}`);
for (const line of serverLog.slice(0, 10)) out(`    ${line.slice(0, 400)}`);
const ok = serverLog.length === 0 && total.errorCount === 0 && health.status === 200 && running.length === 0 && consistency.problems.length === 0;
out(ok ? 'OK' : 'FAILED');
await cleanupAndExit(ok ? 0 : 1);
