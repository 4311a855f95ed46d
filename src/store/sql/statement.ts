/**
 * SQL text, written once for both backends, and the one translation between their dialects.
 *
 * Statements are written in the common subset of SQLite and PostgreSQL with `?` placeholders.
 * Two things differ, and only these are translated:
 *   - placeholders: PostgreSQL numbers them (`$1`, `$2`, …);
 *   - row locks: a PostgreSQL transaction locks the rows it decides from (`FOR UPDATE`, or
 *     `FOR UPDATE SKIP LOCKED` where another instance may hold them), while a SQLite write
 *     transaction holds the whole database's write lock from its first statement (BEGIN
 *     IMMEDIATE), so the same SELECT needs no lock clause there.
 * A statement that exists only for PostgreSQL's locking (`LOCK TABLE …`) is `postgresOnly`: on
 * SQLite the transaction already excludes every other writer, and it is skipped.
 */

export type SqlValue = string | number | null | readonly string[];

export interface Statement {
  /** Unique name: PostgreSQL prepares it once per connection under this name. */
  readonly name: string;
  /** The text SQLite runs, or null where SQLite's write lock already does what the statement is for. */
  readonly sqlite: string | null;
  readonly postgres: string;
}

export type RowLock = 'none' | 'lock' | 'skip-locked';

const LOCK_CLAUSES: Record<RowLock, string> = { none: '', lock: ' FOR UPDATE', 'skip-locked': ' FOR UPDATE SKIP LOCKED' };

const names = new Set<string>();

function named(name: string): string {
  if (names.has(name)) throw new Error(`two statements are named '${name}'`);
  names.add(name);
  return name;
}

/** `?` → `$1`, `$2`, … (the statements hold no `?` inside string literals). */
export function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** A statement both backends run; `rowLock` says what PostgreSQL must lock of the rows it selects. */
export function sql(name: string, text: string, rowLock: RowLock = 'none'): Statement {
  return { name: named(name), sqlite: text, postgres: numberPlaceholders(text) + LOCK_CLAUSES[rowLock] };
}

/** A statement only PostgreSQL needs (a table lock SQLite's write transaction already holds). */
export function postgresOnly(name: string, text: string): Statement {
  return { name: named(name), sqlite: null, postgres: numberPlaceholders(text) };
}

/**
 * Runs statements: a transaction's connection, or the database outside any transaction. `all`
 * and `get` are for statements that return rows (SELECT, or anything with RETURNING), `run` for
 * the others; it answers how many rows changed.
 */
export interface SqlRunner {
  all<R>(statement: Statement, ...values: SqlValue[]): Promise<R[]>;
  get<R>(statement: Statement, ...values: SqlValue[]): Promise<R | undefined>;
  run(statement: Statement, ...values: SqlValue[]): Promise<number>;
}

export interface TransactOptions {
  /**
   * Run the work again when it lost a race to insert the same key (PostgreSQL's unique
   * violation): two creates of one offer, where the second must then see the first's row.
   */
  retryOnDuplicateKey?: boolean;
  /**
   * false: no client is told of this write (a workflow step's claim or end), so it resolves at its
   * COMMIT instead of once it is on disk. A backend that syncs apart from the commit (SQLite's
   * group commit, D90) starts that sync without waiting for it; the WAL is ordered, so the sync of
   * any later acknowledged write covers this one too. Default true.
   */
  waitForDurability?: boolean;
}

/** A database both backends present to the code that writes: statements, and atomic transactions. */
export interface SqlDatabase extends SqlRunner {
  /** Runs `work` as one transaction: everything it writes commits together, or nothing does. */
  transact<T>(work: (tx: SqlRunner) => Promise<T>, options?: TransactOptions): Promise<T>;
}
