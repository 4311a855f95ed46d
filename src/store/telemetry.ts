/**
 * What a store tells the metrics (src/http/metrics.ts) and the readiness check: statement and
 * transaction times as they happen, and counts read when Prometheus scrapes. Nothing here carries
 * an id or a value: statement names, cache names and closed enums only.
 */
import type { OperationStatus, OperationType } from '../domain/workflow.ts';

/** Told of every statement and transaction a SqlDatabase runs (not of reads served from a cache). */
export interface DatabaseObserver {
  /** A statement ran (or failed) in `seconds`; `name` is its Statement's name. */
  statement(name: string, seconds: number): void;
  /** A transaction ended in `seconds`, committed or rolled back. */
  transaction(seconds: number, committed: boolean): void;
}

/** The read caches: the embedded store's, and PostgreSQL's per-instance cache (D85). */
export const CACHES = ['sqlite-read', 'postgres-read'] as const;
export type CacheName = (typeof CACHES)[number];

/** Hits and misses of one cache since the store opened. */
export interface CacheCount {
  cache: CacheName;
  hits: number;
  misses: number;
}

/** The PostgreSQL pool: connections open, of them idle, and requests waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** The workflow as the database holds it, read at scrape time (every instance's work). */
export interface WorkflowGauges {
  operations: Array<{ type: OperationType; status: OperationStatus; count: number }>;
  /** Steps due and not finished: waiting for an engine to take them. */
  stepsWaiting: number;
  /** When the step waiting longest fell due (epoch ms on the workflow clock); null: none waits. */
  oldestDueMs: number | null;
  /** Notifications ever kept in the outbox (its sequence number; pruning keeps the newest). */
  notifications: number;
}

/** The database cannot be reached (connection refused, reset, or the server shutting down): 503, not 500. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the database cannot be reached: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Network errors, and PostgreSQL's connection-exception (08…) and shutdown (57P01–57P03) states, and too many connections. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const POSTGRES_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Whether `error` says the database could not be reached (as opposed to a statement failing). */
export function isConnectionFailure(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_STATES.has(code) || code.startsWith('08'))) return true;
  // node-postgres's own words when the socket goes away or no connection comes in time.
  const message = (error as Error).message;
  return (
    typeof message === 'string' &&
    /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/.test(message)
  );
}
