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
