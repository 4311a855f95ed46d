/**
 * Timestamps as the CPP API writes them: UTC ISO-8601 with seven fractional digits
 * (`2017-06-07T06:15:39.7349221Z`), i.e. 100-nanosecond .NET ticks.
 *
 * JavaScript clocks give milliseconds; the sub-millisecond digits come from the monotonic clock
 * and each value handed out is strictly greater than the last, so ETags derived from
 * timestamps are unique within a process.
 */
const TICKS_PER_MS = 10_000n;
/** .NET ticks at the Unix epoch (0001-01-01 → 1970-01-01). */
const EPOCH_TICKS = 621_355_968_000_000_000n;

let lastUnixTicks = 0n;
const hrtimeOrigin = process.hrtime.bigint();
const wallOrigin = BigInt(Date.now()) * TICKS_PER_MS;

/** Current time in 100 ns units since the Unix epoch, strictly increasing within the process. */
export function nowUnixTicks(): bigint {
  const elapsed = (process.hrtime.bigint() - hrtimeOrigin) / 100n;
  let ticks = wallOrigin + elapsed;
  if (ticks <= lastUnixTicks) ticks = lastUnixTicks + 1n;
  lastUnixTicks = ticks;
  return ticks;
}

/** Formats Unix 100 ns ticks as `YYYY-MM-DDTHH:MM:SS.fffffffZ`. */
export function formatTicks(unixTicks: bigint): string {
  const ms = unixTicks / TICKS_PER_MS;
  const fraction = (unixTicks % 10_000_000n).toString().padStart(7, '0');
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${fraction}Z`;
}

export function nowTimestamp(): string {
  return formatTicks(nowUnixTicks());
}

/** Parses a seven-digit (or shorter) UTC timestamp back into Unix 100 ns ticks. */
export function parseTimestamp(value: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/.exec(value);
  if (!match) throw new Error(`not a UTC timestamp: ${value}`);
  const seconds = BigInt(Date.parse(`${match[1]}Z`)) / 1000n;
  const fraction = BigInt((match[2] ?? '').padEnd(7, '0'));
  return seconds * 10_000_000n + fraction;
}

/** .NET DateTime ticks (since 0001-01-01) of a timestamp: the entity version stamp of operations. */
export function dotnetTicks(value: string): bigint {
  return parseTimestamp(value) + EPOCH_TICKS;
}

/** The weak, Azure-Table style ETag clients have seen: W/"datetime'2019-10-30T22%3A03%3A51.6562051Z'". */
export function etagFor(timestamp: string): string {
  return `W/"datetime'${encodeURIComponent(timestamp)}'"`;
}

/** A timestamp later than `previous` (and not before now), so every change of an offer gets a new ETag. */
export function timestampAfter(previous: string | null): string {
  let ticks = nowUnixTicks();
  if (previous !== null) {
    const floor = parseTimestamp(previous) + 1n;
    if (ticks < floor) ticks = floor;
  }
  return formatTicks(ticks);
}
