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
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqlDatabase, SqlRunner, SqlValue, Statement } from '../sql/statement.ts';
import type { DatabaseObserver } from '../telemetry.ts';

/**
 * Commits made in this process, per file. A cached read re-checks SQLite's data_version whenever
 * this moved since its last check, so a commit by any store of this process is seen by the very
 * next read, even in the same event-loop turn.
 */
const commitsInProcess = new Map<string, { count: number }>();

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

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = resolve(file);
    let commits = commitsInProcess.get(this.file);
    if (!commits) commitsInProcess.set(this.file, (commits = { count: 0 }));
    this.commits = commits;
    this.writer = openConnection(file);
    this.reader = openConnection(file);
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

  transact<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#transaction(work));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const started = performance.now();
    this.writer.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(this.#inTransaction);
      this.writer.exec('COMMIT');
      this.observer?.transaction((performance.now() - started) / 1000, true);
      return result;
    } catch (error) {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
      this.observer?.transaction((performance.now() - started) / 1000, false);
      throw error;
    } finally {
      this.commits.count++; // the next read of any store of this process must look again
    }
  }

  close(): void {
    this.reader.close();
    if (this.writer.open) this.writer.close();
  }
}
