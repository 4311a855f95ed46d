/**
 * How long each workflow step takes. Fast by default so a demo publish finishes in seconds;
 * `realistic` uses the CPP estimates (certification takes days) for clients that test polling.
 */
export type StepDurations = (stepId: string) => number;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const REALISTIC: Record<string, number> = {
  displaydummycertify: 15 * MINUTE,
  displaycertify: 2 * DAY,
  displayprovision: DAY,
  displaypackage: HOUR,
  'publisher-signoff': 0,
  live: 2 * DAY,
  rollback: HOUR,
};

export const DEFAULT_STEP_DURATION_MS = 400;

/** How long a step stays leased to the instance running it; another takes it over after. */
export const DEFAULT_STEP_LEASE_MS = 10_000;

/** `realistic`, or a number of milliseconds for every step. */
export function parseStepDurations(value: string): StepDurations | undefined {
  if (value === 'realistic') return (stepId) => REALISTIC[stepId] ?? HOUR;
  if (!/^\d{1,10}$/.test(value)) return undefined;
  const ms = Number(value);
  return () => ms;
}

export const fixedDurations =
  (ms: number): StepDurations =>
  () =>
    ms;
