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

/** The named speeds the sandbox clock offers: every step at once, the default, or the CPP estimates. */
export const NAMED_DURATIONS = ['zero', 'fast', 'realistic'] as const;
export type NamedDurations = (typeof NAMED_DURATIONS)[number];

export function namedDurations(name: NamedDurations): StepDurations {
  if (name === 'realistic') return parseStepDurations('realistic')!;
  return fixedDurations(name === 'zero' ? 0 : DEFAULT_STEP_DURATION_MS);
}

/** `current`, with the steps listed in `overrides` taking the milliseconds given. */
export function withOverrides(current: StepDurations, overrides: Readonly<Record<string, number>>): StepDurations {
  const table = new Map(Object.entries(overrides));
  return (stepId) => table.get(stepId) ?? current(stepId);
}

/** How long each step takes, by step id. */
export function durationTable(durations: StepDurations, stepIds: readonly string[]): Record<string, number> {
  return Object.fromEntries(stepIds.map((stepId) => [stepId, durations(stepId)]));
}

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
