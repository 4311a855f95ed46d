/**
 * One SQLite file in WAL mode, as the shared SQL code sees it (src/store/sql/statement.ts).
 *
 * Two connections: `reader` serves every statement outside a transaction; `writer` runs the
 * transactions, one at a time. A transaction starts with `BEGIN IMMEDIATE`: the write lock is
 * taken before the first read, so a compare-and-set (If-Match, one running operation, step
 * leases) is exact even against other processes, and a read on `reader` never sees a
 * transaction that is still open. Statements are prepared once per connection.
 *
 * Transactions of this process queue: their statements run synchronously, but the code between
 * them is async, and another request's transaction must not start on the same connection
 * meanwhile.
 *
 * Group commit: the writer commits without syncing (`synchronous = OFF`), and a transaction is
 * acknowledged only once an fsync of the WAL that began after its COMMIT has finished. The fsync
 * runs on libuv's thread pool, so it never blocks the event loop (reads go on meanwhile), and one
 * fsync makes every commit before it durable: the next transactions commit while it runs. The
 * writer checkpoints itself, in the queue and with `synchronous = FULL` (the database file synced
 * before the WAL is reused) every CHECKPOINT_COMMITS writing commits; and closes with FULL.
 */
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqlDatabase, SqlRunner, SqlValue, Statement, TransactOptions } from '../sql/statement.ts';
import type { DatabaseObserver } from '../telemetry.ts';

/**
 * Commits made in this process, per file. A cached read re-checks SQLite's data_version whenever
 * this moved since its last check, so a commit by any store of this process is seen by the very
 * next read, even in the same event-loop turn.
 */
const commitsInProcess = new Map<string, { count: number }>();

// fdatasync, as SQLite itself syncs: the WAL keeps its size once grown, so no metadata need be written.
const fsyncAsync = promisify(fdatasync);
/** How many writing commits between two checkpoints of the WAL into the database file. */
const CHECKPOINT_COMMITS = 500;

export function openConnection(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { timeout: 10_000 });
  // busy_timeout first: switching a fresh file to WAL takes a lock another process may hold.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged, so acknowledged writes survive power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** A connection's statements, prepared on first use. */
class Prepared {
  readonly #connection: BetterSqlite3.Database;
  readonly #statements = new Map<Statement, BetterSqlite3.Statement<SqlValue[]>>();

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
  }

  get(statement: Statement): BetterSqlite3.Statement<SqlValue[]> {
    let prepared = this.#statements.get(statement);
    if (!prepared) {
      if (statement.sqlite === null) throw new Error(`'${statement.name}' has no SQLite text`);
      prepared = this.#connection.prepare<SqlValue[]>(statement.sqlite);
      this.#statements.set(statement, prepared);
    }
    return prepared;
  }
}

/** Where statement and transaction times go: nowhere until the metrics ask (`observe`). */
interface Observed {
  observer: DatabaseObserver | undefined;
}

/** Runs `run` and tells the observer, if any, how long the statement took. */
function timed<T>(observed: Observed, statement: Statement, run: () => T): T {
  const observer = observed.observer;
  if (!observer) return run();
  const started = performance.now();
  try {
    return run();
  } finally {
    observer.statement(statement.name, (performance.now() - started) / 1000);
  }
}

function runnerOn(prepared: Prepared, observed: Observed): SqlRunner {
  return {
    all: async <R>(statement: Statement, ...values: SqlValue[]) => timed(observed, statement, () => prepared.get(statement).all(...values) as R[]),
    get: async <R>(statement: Statement, ...values: SqlValue[]) => timed(observed, statement, () => prepared.get(statement).get(...values) as R | undefined),
    // A statement only PostgreSQL needs (a lock SQLite's write transaction already holds) changes nothing here.
    run: async (statement: Statement, ...values: SqlValue[]) =>
      statement.sqlite === null ? 0 : timed(observed, statement, () => prepared.get(statement).run(...values).changes),
  };
}

export class SqliteDatabase implements SqlDatabase, Observed {
  readonly file: string;
  observer: DatabaseObserver | undefined;
  readonly reader: BetterSqlite3.Database;
  readonly writer: BetterSqlite3.Database;
  /** Commits of this process on this file (see commitsInProcess). */
  readonly commits: { count: number };
  readonly #readerStatements: Prepared;
  readonly #outside: SqlRunner;
  readonly #inTransaction: SqlRunner;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #totalChanges: BetterSqlite3.Statement<[], number>;
  /** Commits made on the writer, and how many of them an fsync of the WAL has made durable. */
  #committed = 0;
  #synced = 0;
  /** fsyncs of the WAL so far (one covers every commit made before it began). */
  #syncs = 0;
  /** The commit count at the last checkpoint. */
  #checkpointedAt = 0;
  #syncing: Promise<void> | undefined;
  #walFd: number | undefined;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = resolve(file);
    let commits = commitsInProcess.get(this.file);
    if (!commits) commitsInProcess.set(this.file, (commits = { count: 0 }));
    this.commits = commits;
    this.writer = openConnection(file);
    this.writer.pragma('synchronous = OFF');
    this.writer.pragma('wal_autocheckpoint = 0');
    this.reader = openConnection(file);
    this.#totalChanges = this.writer.prepare<[], number>('SELECT total_changes()').pluck();
    this.#readerStatements = new Prepared(this.reader);
    this.#outside = runnerOn(this.#readerStatements, this);
    this.#inTransaction = runnerOn(new Prepared(this.writer), this);
  }

  /** A statement prepared on the reader, for the cached synchronous read path. */
  prepareRead(statement: Statement): BetterSqlite3.Statement<SqlValue[]> {
    return this.#readerStatements.get(statement);
  }

  all<R>(statement: Statement, ...values: SqlValue[]): Promise<R[]> {
    return this.#outside.all<R>(statement, ...values);
  }

  get<R>(statement: Statement, ...values: SqlValue[]): Promise<R | undefined> {
    return this.#outside.get<R>(statement, ...values);
  }

  /** A write outside a transaction is a transaction of its own, on the writer. */
  run(statement: Statement, ...values: SqlValue[]): Promise<number> {
    return this.transact((tx) => tx.run(statement, ...values));
  }

  /** Runs `work` in a write transaction; resolves once the commit is durable (or at COMMIT: TransactOptions). */
  async transact<T>(work: (tx: SqlRunner) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    // The queue waits for the COMMIT only: the next transaction runs while this one's fsync does.
    const committed = this.#queue.then(() => this.#transaction(work));
    this.#queue = committed.catch(() => {});
    const { result, commit } = await committed;
    if (options.waitForDurability === false) {
      // Nobody waits, but the sync starts now: durability lags the commit by one fsync at most.
      this.#durable(commit).catch(() => {});
    } else {
      await this.#durable(commit);
    }
    return result;
  }

  /** Commits so far, how many are known durable, and the fsyncs that made them so. */
  get durability(): { commits: number; durable: number; syncs: number } {
    return { commits: this.#committed, durable: this.#synced, syncs: this.#syncs };
  }

  /** Every commit so far made durable. */
  async flush(): Promise<void> {
    await this.#queue;
    await this.#durable(this.#committed);
  }

  /** An fsync of the WAL whatever was written: after schema changes, which change no row. */
  async syncNow(): Promise<void> {
    await this.#queue;
    await fsyncAsync(this.#wal());
  }

  async #transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<{ result: T; commit: number }> {
    const started = performance.now();
    this.writer.exec('BEGIN IMMEDIATE');
    try {
      const changesBefore = this.#totalChanges.get();
      const result = await work(this.#inTransaction);
      // A transaction that changed no row (a poll that found nothing to claim) wrote no WAL frame:
      // it waits for no fsync (commit 0 is always durable).
      const wrote = this.#totalChanges.get() !== changesBefore;
      this.writer.exec('COMMIT');
      this.observer?.transaction((performance.now() - started) / 1000, true);
      return { result, commit: wrote ? ++this.#committed : 0 };
    } catch (error) {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
      this.observer?.transaction((performance.now() - started) / 1000, false);
      throw error;
    } finally {
      this.commits.count++; // the next read of any store of this process must look again
    }
  }

  /** Waits for an fsync of the WAL that began after commit number `commit`; starts one if none is running. */
  async #durable(commit: number): Promise<void> {
    while (this.#synced < commit) {
      if (!this.#syncing) {
        const covers = this.#committed;
        this.#syncs++;
        this.#syncing = fsyncAsync(this.#wal())
          .then(() => {
            this.#synced = Math.max(this.#synced, covers);
            this.#checkpointWhenLarge();
          })
          .finally(() => (this.#syncing = undefined));
      }
      await this.#syncing;
    }
  }

  /** The WAL file, opened once: the writer keeps it in existence while this database is open. */
  #wal(): number {
    this.#walFd ??= openSync(`${this.file}-wal`, 'r');
    return this.#walFd;
  }

  #checkpointWhenLarge(): void {
    // Every CHECKPOINT_COMMITS writing commits (each at least one page: SQLite's own automatic
    // checkpoint comes every 1,000 pages). The WAL file keeps its size, so that fdatasync stays
    // cheap; a checkpoint syncs on the event loop, so it is rare.
    if (this.#committed - this.#checkpointedAt < CHECKPOINT_COMMITS) return;
    this.#checkpointedAt = this.#committed;
    const checkpoint = this.#queue.then(() => {
      if (!this.writer.open) return;
      this.writer.pragma('synchronous = FULL');
      try {
        this.writer.pragma('wal_checkpoint(PASSIVE)');
      } finally {
        this.writer.pragma('synchronous = OFF');
      }
    });
    this.#queue = checkpoint.catch(() => {});
  }

  close(): void {
    this.reader.close();
    if (this.writer.open) {
      // The last connection checkpoints as it closes: with FULL, the database file is synced first.
      this.writer.pragma('synchronous = FULL');
      this.writer.close();
    }
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }
}
