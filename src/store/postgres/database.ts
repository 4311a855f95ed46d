/**
 * A PostgreSQL connection pool, as the shared SQL code sees it (src/store/sql/statement.ts).
 * Every statement is a named, server-side prepared statement. A transaction is retried when
 * PostgreSQL aborted it for a deadlock or a serialization failure, and — when the work asks —
 * when it lost a race to insert the same key.
 */
import pg from 'pg';
import { unstorableTextError } from '../../domain/text.ts';
import type { SqlDatabase, SqlRunner, SqlValue, Statement, TransactOptions } from '../sql/statement.ts';
import { type DatabaseObserver, DatabaseUnavailableError, isConnectionFailure } from '../telemetry.ts';

/** bigint (epoch ms) as numbers; every value we store fits a double exactly. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 4;

const ignore = () => {};

function sqlState(error: unknown): string {
  return (error as { code?: string }).code ?? '';
}

/**
 * SQLSTATE 22021: a `text` column cannot hold U+0000. Our own statements are ASCII, so it came from
 * a request. A connection that failed or was refused is the database being unreachable (503).
 */
function clientTextError(error: unknown): unknown {
  if (sqlState(error) === '22021') return unstorableTextError();
  return isConnectionFailure(error) && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
}

/** Where statement and transaction times go: nowhere until the metrics ask (`observe`). */
interface Observed {
  observer: DatabaseObserver | undefined;
}

function runnerOn(client: pg.Pool | pg.PoolClient, observed: Observed): SqlRunner {
  const query = async <R extends pg.QueryResultRow>(statement: Statement, values: SqlValue[]) => {
    const observer = observed.observer;
    if (!observer) return await client.query<R>({ name: statement.name, text: statement.postgres, values });
    const started = performance.now();
    try {
      return await client.query<R>({ name: statement.name, text: statement.postgres, values });
    } finally {
      observer.statement(statement.name, (performance.now() - started) / 1000);
    }
  };
  return {
    all: async <R>(statement: Statement, ...values: SqlValue[]) => (await query(statement, values)).rows as R[],
    get: async <R>(statement: Statement, ...values: SqlValue[]) => (await query(statement, values)).rows[0] as R | undefined,
    run: async (statement: Statement, ...values: SqlValue[]) => (await query(statement, values)).rowCount ?? 0,
  };
}

export interface PostgresDatabaseOptions {
  url: string;
  /** Connections per instance. */
  poolSize?: number;
  /** Longest a statement may run, ms. */
  statementTimeoutMs?: number;
}

export class PostgresDatabase implements SqlDatabase, Observed {
  readonly pool: pg.Pool;
  observer: DatabaseObserver | undefined;
  readonly #outside: SqlRunner;

  constructor(options: PostgresDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 5000,
      types,
    });
    // A broken idle connection must not take the process down; the pool replaces it. Nor may one
    // lost while checked out (pg_terminate_backend, a failover): its query fails, which is enough.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
    this.#outside = runnerOn(this.pool, this);
  }

  async all<R>(statement: Statement, ...values: SqlValue[]): Promise<R[]> {
    try {
      return await this.#outside.all<R>(statement, ...values);
    } catch (error) {
      throw clientTextError(error);
    }
  }

  async get<R>(statement: Statement, ...values: SqlValue[]): Promise<R | undefined> {
    return (await this.all<R>(statement, ...values))[0];
  }

  async run(statement: Statement, ...values: SqlValue[]): Promise<number> {
    try {
      return await this.#outside.run(statement, ...values);
    } catch (error) {
      throw clientTextError(error);
    }
  }

  async transact<T>(work: (tx: SqlRunner) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw clientTextError(error);
      }
      // The server going away between two statements emits 'error' on the checked-out client: an
      // 'error' event nobody listens to would end the process. The next statement fails instead.
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await work(runnerOn(client, this));
        await client.query('COMMIT');
        this.observer?.transaction((performance.now() - started) / 1000, true);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        this.observer?.transaction((performance.now() - started) / 1000, false);
        const state = sqlState(error);
        // Two creates of one key raced and the other won: run again, now as if it had come first.
        const retry = RETRYABLE.has(state) || (options.retryOnDuplicateKey === true && state === UNIQUE_VIOLATION);
        if (attempt < MAX_ATTEMPTS && retry) continue;
        throw clientTextError(error);
      } finally {
        client.removeListener('error', ignore);
        client.release();
      }
    }
  }
}
