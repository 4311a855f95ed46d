/**
 * The performance targets `npm run bench` reports, each with its figure and PASS or MISS — never
 * enforced: a bench run on a shared machine is a measurement, not a test.
 *
 * The reads: GET one offer through the full stack against bare node:http serving the same bytes,
 * its p99 at 50 connections, a JWT against an opaque token, PostgreSQL against SQLite. The writes:
 * PUT and publish→live no slower than the figures they had before the reads were worked on
 * (BEFORE, from the README's run of 2026-11-30 on this kind of machine), and reads beside a burst
 * of writes not stalled. The 100,000-offer targets are `npm run bench:scale`'s.
 */

/** Figures of the run the write targets compare with (README, "A later run (2026-11-30…)"). */
export const BEFORE = {
  putManyOffers: 1_277,
  putOneOffer: 1_352,
  cyclesPerMinute: { 8: 7_372, 32: 8_942 } as Record<number, number>,
};

export const TARGET_CONNECTIONS = 50;
export const OFFER_RATIO_MIN = 0.8;
export const OFFER_P99_MAX_MS = 5;
export const JWT_RATIO_MIN = 0.95;
export const POSTGRES_RATIO_MIN = 0.5;
/** A read beside a burst of writes waits at most this long (p99). */
export const BURST_READ_P99_MAX_MS = 50;

export interface Target {
  name: string;
  /** The measured figure, as printed. */
  figure: string;
  /** What it must be, as printed. */
  wanted: string;
  pass: boolean;
  /** Why it may not be comparable (another connection count, a skipped part). */
  note?: string;
}

/** What targets() reads of a run: req/s and p99 of the scenarios by key, and the cycles per concurrency. */
export interface TargetInputs {
  connections: number;
  rate(key: string): number | undefined;
  p99(key: string): number | undefined;
  cyclesPerMinute(concurrency: number): number | undefined;
}

export function targets(run: TargetInputs): Target[] {
  const list: Target[] = [];
  const ratio = (a: string, b: string) => {
    const [x, y] = [run.rate(a), run.rate(b)];
    return x === undefined || y === undefined ? undefined : x / y;
  };
  const atConnections =
    run.connections === TARGET_CONNECTIONS ? {} : { note: `measured at ${run.connections} connections, the target is at ${TARGET_CONNECTIONS}` };
  const atLeast = (name: string, value: number | undefined, min: number, digits: number, extra: Partial<Target> = {}) => {
    if (value === undefined) return;
    list.push({ name, figure: value.toFixed(digits), wanted: `≥ ${min.toFixed(digits)}`, pass: value >= min, ...extra });
  };
  const atMost = (name: string, value: number | undefined, max: number, unit: string, extra: Partial<Target> = {}) => {
    if (value === undefined) return;
    list.push({ name, figure: `${value.toFixed(2)} ${unit}`, wanted: `≤ ${max} ${unit}`, pass: value <= max, ...extra });
  };

  atLeast('GET offer, full stack / bare node:http (req/s)', ratio('offer', 'bare'), OFFER_RATIO_MIN, 2, atConnections);
  atMost('GET offer, full stack: p99', run.p99('offer'), OFFER_P99_MAX_MS, 'ms', atConnections);
  atLeast('GET offer with a JWT / with an opaque token', ratio('offer-jwt', 'offer'), JWT_RATIO_MIN, 2);
  atLeast('PostgreSQL GET offer / SQLite', ratio('pg-offer', 'offer'), POSTGRES_RATIO_MIN, 2);
  atLeast('PostgreSQL GET list / SQLite', ratio('pg-list', 'list'), POSTGRES_RATIO_MIN, 2);
  atLeast('PUT, 50 offers (req/s) vs before', run.rate('put'), BEFORE.putManyOffers, 0);
  atLeast('PUT, 1 offer (req/s) vs before', run.rate('put-one'), BEFORE.putOneOffer, 0);
  for (const [concurrency, before] of Object.entries(BEFORE.cyclesPerMinute)) {
    atLeast(`publish→live, ${concurrency} concurrent (cycles/min) vs before`, run.cyclesPerMinute(Number(concurrency)), before, 0);
  }
  atMost('GET offer beside a PUT burst: p99', run.p99('burst-get'), BURST_READ_P99_MAX_MS, 'ms');
  return list;
}
