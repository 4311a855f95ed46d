/**
 * Where the server's time comes from, in one place: the rate limiter, the workflow engine (steps
 * due, leases), progress percentages, token issue and expiry, and the caches of verified tokens
 * read it. Production runs on the system clock; tests — and anything that wants time to pass on
 * demand — give a ManualClock and move it forward, so that nothing depends on how busy the
 * machine is.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `listener` whenever the time jumps (a manual clock moved): what waits for a time should look again. */
  onJump?(listener: () => void): () => void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until it is moved. */
export class ManualClock implements Clock {
  #ms: number;
  readonly #listeners = new Set<() => void>();

  constructor(startMs = Date.now()) {
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  /** Moves the clock forward by `ms`, and wakes whatever waits for a time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.#ms += ms;
    for (const listener of this.#listeners) listener();
  }

  onJump(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Another clock, moved ahead on demand: the sandbox's workflow time. `advance` makes every
 * waiting step behave as if that much time had passed, while the clock underneath (what tokens
 * and the rate limiter read) keeps real time.
 */
export class OffsetClock implements Clock {
  readonly #base: Clock;
  #offsetMs = 0;
  readonly #listeners = new Set<() => void>();

  constructor(base: Clock) {
    this.#base = base;
    base.onJump?.(() => this.#jumped());
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  /** How far ahead of the clock underneath this one is, ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.#offsetMs += ms;
    this.#jumped();
  }

  onJump(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #jumped(): void {
    for (const listener of this.#listeners) listener();
  }
}
