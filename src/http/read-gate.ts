/**
 * At most a few expensive reads — answers built from a whole history each time: an offer's
 * submissions, a product's submissions, a preview or live resource tree — are built at once; the
 * others wait their turn, first come first served, before reading anything (D106).
 *
 * Without it, on the embedded store (whose reads never wait) every request one turn of the event
 * loop brought was built inside that turn — fifty 250-operation histories, 115 ms — before any
 * answer too large for its socket could finish or any other request be read: p99 1.3 s and 130 MB
 * more peak memory. On PostgreSQL, whose reads do wait, fifty working sets would be alive at once.
 * With it, a few are built at a time, each in a turn of its own, and leave as soon as they are.
 */
export class ReadGate {
  readonly #capacity: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`a read gate lets at least one read through, not ${capacity}`);
    this.#capacity = capacity;
  }

  /** Runs `read` once fewer than `capacity` reads are running, and lets the next one in when it ends. */
  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#capacity) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      // Built after the event loop's next turn of I/O, not inside the socket's own callback: a
      // read on the embedded store never waits, so without this every request that turn brought
      // would be built before any answer could leave or any other request be read.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await read();
    } finally {
      const next = this.#waiting.shift();
      if (next)
        next(); // the slot passes on directly: a newcomer cannot overtake those waiting
      else this.#running--;
    }
  }

  /** Reads running and waiting now (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }
}

/**
 * Expensive reads built at once per process. On PostgreSQL one is built while the other waits for
 * its rows; on the embedded store each is built in a turn of the event loop of its own. Measured
 * with 50 clients reading a 250-operation history: ungated 430 req/s, p99 1.3 s, peak RSS
 * 271–285 MB; two at once 398–405 req/s, p99 246–257 ms, 255–260 MB; four 412–421 req/s, p99
 * 417–431 ms.
 */
export const EXPENSIVE_READS_AT_ONCE = 2;
