/** What `PUT /_cloudpartner/clock` and `POST /_cloudpartner/clock/advance` take, read or refused with a clear 400. */
import { errors } from '../domain/errors.ts';
import { ALL_STEP_IDS } from '../domain/workflow.ts';
import { NAMED_DURATIONS, type NamedDurations, type StepDurations, namedDurations, withOverrides } from '../workflow/durations.ts';
import { message } from '../domain/messages/index.ts';

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
        ALL_STEP_IDS.includes(wrong[0])
          ? message('error.stepDurationInvalid', { step: wrong[0], max: MAX_MS })
          : message('error.stepIdUnknown', { step: wrong[0], steps: ALL_STEP_IDS.join(', ') }),
      );
    return withOverrides(current, Object.fromEntries(entries) as Record<string, number>);
  }
  throw errors.invalidRequest(message('error.stepDurationsInvalid', { named: NAMED_DURATIONS.join(', '), example: '{"<step id>": milliseconds}' }));
}

/** The milliseconds `{"ms": n}` moves workflow time ahead by. */
export function parseAdvance(body: unknown): number {
  const ms = (body as { ms?: unknown } | null)?.ms;
  if (!isWholeMs(ms) || ms === 0) throw errors.invalidRequest(message('error.clockMsInvalid', { max: MAX_MS }));
  return ms;
}
