/**
 * End-to-end publishing throughput: how many offers per minute go from nothing to live when the
 * workflow steps take no time (the server runs with step duration 0), i.e. what the API, the
 * store and the workflow engine cost per offer.
 *
 * One cycle, as a publishing client runs it:
 *   PUT (create) → POST publish → poll the Location until completed → POST golive → poll until
 *   completed → GET slot/Production, which must hold the version the publish froze.
 *
 * `concurrency` cycles run at a time, each on a new offer, until `offers` have been tried. The
 * driver runs in the bench process with fetch (undici, keep-alive); the server is the full-stack
 * child process. Failures are counted and described, never thrown, so one run reports them all.
 */
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import { publishableOffer } from '../test/helpers/offers.ts';

export interface WorkflowOptions {
  origin: string;
  token: string;
  publisherId: string;
  /** Offer ids are `<prefix>-0001`…; a prefix per run keeps runs apart. */
  offerPrefix: string;
  offers: number;
  concurrency: number;
  pollIntervalMs: number;
  /** A cycle still unfinished after this long counts as failed. */
  cycleTimeoutMs: number;
}

export interface WorkflowResult {
  concurrency: number;
  offers: number;
  /** Cycles that ended with Production holding the published version. */
  completed: number;
  failures: number;
  /** Up to a few failure descriptions, for the report. */
  failureSamples: string[];
  wallMs: number;
  cyclesPerMinute: number;
  /** Cycle time, nearest-rank percentiles over the completed cycles. */
  p50Ms: number;
  p99Ms: number;
  /** Median time of each part of a cycle: where the time goes. */
  phaseP50Ms: { put: number; publish: number; golive: number; check: number };
  /** HTTP requests sent (for the access-log check), polls included. */
  requests: number;
  polls: number;
}

type Phase = keyof WorkflowResult['phaseP50Ms'];

/** Thrown inside a cycle; the message becomes the failure's description. */
class CycleFailure extends Error {}

export async function runWorkflow(options: WorkflowOptions): Promise<WorkflowResult> {
  const { origin, token, publisherId, offers, concurrency } = options;
  const query = `api-version=${CURRENT_API_VERSION}`;
  const authorization = `Bearer ${token}`;
  let requests = 0;
  let polls = 0;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any; text: string }> => {
    requests++;
    const response = await fetch(origin + path, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  const expect = (what: string, response: { status: number; text: string }, status: number) => {
    if (response.status !== status) throw new CycleFailure(`${what} → ${response.status} (expected ${status}): ${response.text.slice(0, 300)}`);
  };

  /** POSTs publish or golive and polls its Location until the operation is no longer running. */
  const operation = async (offerPath: string, action: 'publish' | 'golive', deadline: number) => {
    const started = await call('POST', `${offerPath}/${action}?${query}`);
    expect(`POST ${action}`, started, 202);
    const location = started.headers.get('location');
    if (!location) throw new CycleFailure(`POST ${action} answered 202 without a Location`);
    for (;;) {
      // The first poll waits too: the operation was only just queued.
      await sleep(options.pollIntervalMs);
      polls++;
      const polled = await call('GET', location);
      expect(`GET ${action} operation`, polled, 200);
      const status = polled.json?.status;
      if (status === 'succeeded') return polled.json as { publishingVersion: number };
      if (status !== 'running') throw new CycleFailure(`${action} ended ${status}: ${JSON.stringify(polled.json?.messages ?? []).slice(0, 300)}`);
      if (performance.now() > deadline) throw new CycleFailure(`${action} still running after ${options.cycleTimeoutMs} ms`);
    }
  };

  const cycle = async (offerId: string): Promise<Record<Phase, number>> => {
    const offerPath = `/api/publishers/${publisherId}/offers/${offerId}`;
    const started = performance.now();
    const deadline = started + options.cycleTimeoutMs;
    const phases = {} as Record<Phase, number>;
    let mark = started;
    const lap = (phase: Phase) => {
      const now = performance.now();
      phases[phase] = now - mark;
      mark = now;
    };

    const document = { ...publishableOffer(offerId), publisherId };
    expect('PUT (create)', await call('PUT', `${offerPath}?${query}`, document), 200);
    lap('put');
    const published = await operation(offerPath, 'publish', deadline);
    lap('publish');
    const live = await operation(offerPath, 'golive', deadline);
    if (live.publishingVersion !== published.publishingVersion) {
      throw new CycleFailure(`golive took version ${live.publishingVersion} live, publish froze ${published.publishingVersion}`);
    }
    lap('golive');
    const production = await call('GET', `${offerPath}/slot/Production?${query}`);
    expect('GET slot/Production', production, 200);
    if (production.json?.version !== published.publishingVersion) {
      throw new CycleFailure(`Production holds version ${production.json?.version}, expected ${published.publishingVersion}`);
    }
    lap('check');
    return phases;
  };

  const cycleMs: number[] = [];
  const phaseMs: Record<Phase, number[]> = { put: [], publish: [], golive: [], check: [] };
  const failureSamples: string[] = [];
  let failures = 0;
  let next = 0;

  // `concurrency` workers take the next offer number until all are taken: a closed loop, so a
  // slower server shows as fewer cycles per minute, not as an ever-growing queue.
  const worker = async () => {
    while (next < offers) {
      const offerId = `${options.offerPrefix}-${String(++next).padStart(4, '0')}`;
      const started = performance.now();
      try {
        const phases = await cycle(offerId);
        cycleMs.push(performance.now() - started);
        for (const phase of Object.keys(phaseMs) as Phase[]) phaseMs[phase].push(phases[phase]);
      } catch (error) {
        failures++;
        const message = error instanceof CycleFailure ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
        if (failureSamples.length < 5) failureSamples.push(`${offerId}: ${message}`);
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, offers) }, worker));
  const wallMs = performance.now() - started;

  return {
    concurrency,
    offers,
    completed: cycleMs.length,
    failures,
    failureSamples,
    wallMs,
    cyclesPerMinute: (cycleMs.length * 60_000) / wallMs,
    p50Ms: percentile(cycleMs, 50),
    p99Ms: percentile(cycleMs, 99),
    phaseP50Ms: {
      put: percentile(phaseMs.put, 50),
      publish: percentile(phaseMs.publish, 50),
      golive: percentile(phaseMs.golive, 50),
      check: percentile(phaseMs.check, 50),
    },
    requests,
    polls,
  };
}

/** Nearest-rank percentile; NaN for no samples. */
function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
