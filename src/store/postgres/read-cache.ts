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
 * which returns the epoch with the rows; it is fresh by itself. What it holds is bounded (D101).
 */
import { CacheBudget } from '../cache-budget.ts';

/** A validation that failed on a connection the server had closed (pg_terminate_backend, a restart) is tried again, this often. */
const VALIDATION_ATTEMPTS = 3;

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

/**
 * Errors of the connection rather than of the statement, after which the same read can be sent
 * again on another connection: SQLSTATE class 08, the server shutting the session down (57P01–03:
 * pg_terminate_backend, a restart), a reset socket, or node-pg's own "terminated"/"not queryable".
 */
export function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === 'ECONNRESET' || code === 'EPIPE';
  return error instanceof Error && /Connection terminated|not queryable/i.test(error.message);
}

export class ReadCache {
  readonly #readEpoch: () => Promise<string>;
  readonly #entries = new Map<string, unknown>();
  readonly #budget: CacheBudget;
  /** The epoch every entry was read at; null when the cache holds nothing it could vouch for. */
  #epoch: string | null = null;
  /** Validation rounds sent so far; a round's index is this count when it was sent. */
  #sent = 0;
  /** Index of the newest round that answered (0: none since the cache was last dropped). */
  #validatedUpTo = 0;
  /** The round on the wire. */
  #current: { index: number; round: Round } | null = null;
  /** The round the reads that began since the one on the wire was sent wait for. */
  #next: Round | null = null;
  /** Counters, for tests and the bench. */
  readonly stats = { validations: 0, hits: 0, misses: 0, drops: 0 };

  /** `maxBytes`: what the cache may hold, by estimate (default CACHE_BYTES; tests make it small). */
  constructor(readEpoch: () => Promise<string>, maxBytes?: number) {
    this.#readEpoch = readEpoch;
    this.#budget = new CacheBudget(maxBytes);
  }

  /** Whether the cache holds the key (whether or not it is still current). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * A mark for the reads of one request: a validation round sent after this call vouches for all
   * of them, so a request needs at most one round however many cached values it reads.
   */
  mark(): number {
    return this.#sent;
  }

  /**
   * The entry, when the cache holds it and a validation sent after `mark` (default: after this
   * call) shows it current; undefined otherwise (then read the database and `store` the result).
   */
  async get<T>(key: string, mark?: number | null): Promise<T | undefined> {
    if (!this.#entries.has(key)) {
      this.stats.misses++;
      return undefined;
    }
    const wait = this.#validatedSince(mark ?? this.#sent);
    if (wait !== null) await wait;
    const value = this.#entries.get(key) as T | undefined;
    if (value === undefined) this.stats.misses++;
    else this.stats.hits++;
    return value;
  }

  /** Keeps a value read by a statement that also returned `epoch`, when that is not older than the cache. */
  store<T>(epoch: string, key: string, value: T): T {
    if (epoch !== this.#epoch) {
      if (this.#epoch !== null && BigInt(epoch) < BigInt(this.#epoch)) return value; // read before the cache's snapshot: serve it, keep nothing
      this.#clear(epoch);
    }
    if (this.#budget.admit(this.#entries.size, value)) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  /** Forgets everything, and whatever was validated (a sandbox reset or restore through this instance). */
  drop(): void {
    this.#clear(this.#epoch);
    this.#validatedUpTo = 0;
  }

  /** Resolves once a validation round sent after this call has answered (and dropped the cache if the epoch moved). */
  validated(): Promise<void> {
    return this.#validatedSince(this.#sent) ?? Promise.resolve();
  }

  /** null when a round sent after `mark` has answered already; else the round to wait for. */
  #validatedSince(mark: number): Promise<void> | null {
    if (this.#validatedUpTo > mark) return null;
    if (this.#current !== null && this.#current.index > mark) return this.#current.round.promise;
    const round = (this.#next ??= newRound());
    if (this.#current === null) void this.#send();
    return round.promise;
  }

  async #send(): Promise<void> {
    const round = this.#next!;
    this.#next = null;
    const index = ++this.#sent;
    this.#current = { index, round };
    try {
      const epoch = await this.#readWithRetry();
      this.stats.validations++;
      // Any other epoch — newer, or older after the database was restored — and nothing cached can be vouched for.
      if (epoch !== this.#epoch) this.#clear(epoch);
      this.#validatedUpTo = index;
      round.resolve();
    } catch (error) {
      round.reject(error);
    } finally {
      this.#current = null;
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

  #clear(epoch: string | null): void {
    if (this.#entries.size > 0) this.stats.drops++;
    this.#entries.clear();
    this.#budget.reset();
    this.#epoch = epoch;
  }
}
