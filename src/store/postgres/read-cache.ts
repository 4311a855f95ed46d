/**
 * The per-instance read cache of the PostgreSQL backend (D85), and the one rule that keeps it from
 * ever serving a read older than a commit acknowledged before the read began — whichever
 * instance, process or person made that commit.
 *
 * Every commit that changes a cached table bumps a change counter in the same transaction
 * (deferred triggers, migration 0008): the sum of `cache_epochs` — the epoch — grows with every
 * such commit, and two snapshots with the same epoch saw the same commits. Every entry is held at
 * the one epoch the cache is at, read in the same statement (so the same snapshot) as its rows.
 *
 * A hit is served only after a validation query sent after the read began has answered: if the
 * epoch moved, the cache is dropped first and the read goes to the database. Validation queries
 * are shared: reads that begin while one is on the wire wait for the next, so a busy instance
 * sends about one tiny query per round trip however many reads it serves. A miss is one query,
 * which returns the epoch with the rows; it is fresh by itself.
 */

/** A validation that failed on a connection the server had closed (pg_terminate_backend, a restart) is tried again, this often. */
const VALIDATION_ATTEMPTS = 3;
const MAX_ENTRIES = 20_000;

interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newRound(): Round {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Errors of the connection rather than of the statement: no SQLSTATE, or class 57 (operator intervention) / 08 (connection). */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('57') || code.startsWith('08');
}

export class ReadCache {
  readonly #readEpoch: () => Promise<string>;
  readonly #entries = new Map<string, unknown>();
  /** The epoch every entry was read at; null when the cache holds nothing it could vouch for. */
  #epoch: string | null = null;
  /** True while a validation query is on the wire. */
  #validating = false;
  /** The validation the reads that began since the one on the wire was sent wait for. */
  #next: Round | null = null;
  /** Counters, for tests and the bench. */
  readonly stats = { validations: 0, hits: 0, misses: 0, drops: 0 };

  constructor(readEpoch: () => Promise<string>) {
    this.#readEpoch = readEpoch;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * The entry, when the cache holds it and a validation sent after this call shows it current;
   * undefined otherwise (then read the database and `store` the result).
   */
  async get<T>(key: string): Promise<T | undefined> {
    if (!this.#entries.has(key)) {
      this.stats.misses++;
      return undefined;
    }
    await this.validated();
    const value = this.#entries.get(key) as T | undefined;
    if (value === undefined) this.stats.misses++;
    else this.stats.hits++;
    return value;
  }

  /** Keeps a value read by a statement that also returned `epoch`, when that is not older than the cache. */
  store<T>(epoch: string, key: string, value: T): T {
    if (epoch !== this.#epoch) {
      if (this.#epoch !== null && BigInt(epoch) < BigInt(this.#epoch)) return value; // read before the cache's snapshot: serve it, keep nothing
      this.#reset(epoch);
    }
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  /** Forgets everything (a sandbox reset or restore through this instance). */
  drop(): void {
    this.#reset(null);
  }

  /** Resolves once a validation query sent after this call has answered (and dropped the cache if the epoch moved). */
  validated(): Promise<void> {
    const round = (this.#next ??= newRound());
    if (!this.#validating) void this.#send();
    return round.promise;
  }

  async #send(): Promise<void> {
    const round = this.#next!;
    this.#next = null;
    this.#validating = true;
    try {
      const epoch = await this.#readWithRetry();
      this.stats.validations++;
      // Any other epoch — newer, or older after the database was restored — and nothing cached can be vouched for.
      if (epoch !== this.#epoch) this.#reset(epoch);
      round.resolve();
    } catch (error) {
      round.reject(error);
    } finally {
      this.#validating = false;
      if (this.#next !== null) void this.#send();
    }
  }

  async #readWithRetry(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#readEpoch();
      } catch (error) {
        if (attempt >= VALIDATION_ATTEMPTS || !connectionLost(error)) throw error;
      }
    }
  }

  #reset(epoch: string | null): void {
    if (this.#entries.size > 0) this.stats.drops++;
    this.#entries.clear();
    this.#epoch = epoch;
  }
}
