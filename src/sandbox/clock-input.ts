/** What `PUT /_cloudpartner/clock` and `POST /_cloudpartner/clock/advance` take, read or refused with a clear 400. */
import { errors } from '../domain/errors.ts';
import { ALL_STEP_IDS } from '../domain/workflow.ts';
import { NAMED_DURATIONS, type NamedDurations, type StepDurations, namedDurations, withOverrides } from '../workflow/durations.ts';

/** A year: longer than any step of the hosted service, short enough to stay exact in a double. */
const MAX_MS = 365 * 24 * 3600_000;

const isWholeMs = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_MS;

/** The step durations `{"stepDurations": "zero"|"fast"|"realistic"|{"<step id>": ms}}` asks for, given the ones in force. */
export function parseClockSettings(body: unknown, current: StepDurations): StepDurations {
  const spec = (body as { stepDurations?: unknown } | null)?.stepDurations;
  if (typeof spec === 'string' && (NAMED_DURATIONS as readonly string[]).includes(spec)) return namedDurations(spec as NamedDurations);
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    const entries = Object.entries(spec);
    const wrong = entries.find(([stepId, ms]) => !ALL_STEP_IDS.includes(stepId) || !isWholeMs(ms));
    if (wrong)
      throw errors.invalidRequest(
        `$.stepDurations.${wrong[0]}: ${ALL_STEP_IDS.includes(wrong[0]) ? `must be a whole number of milliseconds from 0 to ${MAX_MS}` : `is not a step id (${ALL_STEP_IDS.join(', ')})`}.`,
      );
    return withOverrides(current, Object.fromEntries(entries) as Record<string, number>);
  }
  throw errors.invalidRequest(`$.stepDurations must be one of ${NAMED_DURATIONS.join(', ')}, or {"<step id>": milliseconds}.`);
}

/** The milliseconds `{"ms": n}` moves workflow time ahead by. */
export function parseAdvance(body: unknown): number {
  const ms = (body as { ms?: unknown } | null)?.ms;
  if (!isWholeMs(ms) || ms === 0) throw errors.invalidRequest(`$.ms must be a whole number of milliseconds from 1 to ${MAX_MS}.`);
  return ms;
}
