/**
 * Configuration of `cloudpartner serve`: command-line flags win over environment variables,
 * which win over defaults.
 */
import { DEFAULT_STEP_DURATION_MS, type StepDurations, parseStepDurations } from './workflow/durations.ts';

export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  /** Load the demo publisher and offer on first start and print how to call them. */
  demo: boolean;
  /** Print a fresh demo token even when the demo data already exists. */
  newDemoToken: boolean;
  secretKey: string | undefined;
  /** How long each publishing step takes. */
  stepDurations: StepDurations;
  /** postgres://… selects PostgreSQL (scale-out); absent = the embedded SQLite file. */
  databaseUrl: string | undefined;
  poolSize: number;
  statementTimeoutMs: number;
  /** How long a shutdown waits for requests in flight, ms. */
  shutdownTimeoutMs: number;
}

export const DEFAULTS = { port: 8080, host: '127.0.0.1', dataDir: './data', logLevel: 'info' } as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

export interface ServeFlags {
  port?: string | undefined;
  host?: string | undefined;
  'data-dir'?: string | undefined;
  'log-level'?: string | undefined;
  demo?: boolean | undefined;
  'new-demo-token'?: boolean | undefined;
  'step-duration-ms'?: string | undefined;
  'database-url'?: string | undefined;
  'db-pool-size'?: string | undefined;
  'db-statement-timeout-ms'?: string | undefined;
  'shutdown-timeout-ms'?: string | undefined;
}

function positiveInteger(text: string, name: string, max: number): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= max)) throw new ConfigError(`${name} must be a whole number from 1 to ${max}, not '${text}'`);
  return value;
}

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const portText = flags.port ?? env['PORT'] ?? String(DEFAULTS.port);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`--port/PORT must be a port number from 0 to 65535, not '${portText}'`);
  const logLevel = flags['log-level'] ?? env['LOG_LEVEL'] ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level/LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${logLevel}'`);
  const durationText = flags['step-duration-ms'] ?? env['CLOUDPARTNER_STEP_DURATION_MS'] ?? String(DEFAULT_STEP_DURATION_MS);
  const stepDurations = parseStepDurations(durationText);
  if (!stepDurations) throw new ConfigError(`--step-duration-ms/CLOUDPARTNER_STEP_DURATION_MS must be a number of milliseconds or 'realistic', not '${durationText}'`);
  const databaseUrl = flags['database-url'] ?? (env['DATABASE_URL'] || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('--database-url/DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  return {
    databaseUrl,
    poolSize: positiveInteger(flags['db-pool-size'] ?? env['DATABASE_POOL_SIZE'] ?? '10', '--db-pool-size/DATABASE_POOL_SIZE', 1000),
    statementTimeoutMs: positiveInteger(
      flags['db-statement-timeout-ms'] ?? env['DATABASE_STATEMENT_TIMEOUT_MS'] ?? '5000',
      '--db-statement-timeout-ms/DATABASE_STATEMENT_TIMEOUT_MS',
      3_600_000,
    ),
    shutdownTimeoutMs: positiveInteger(flags['shutdown-timeout-ms'] ?? env['SHUTDOWN_TIMEOUT_MS'] ?? '10000', '--shutdown-timeout-ms/SHUTDOWN_TIMEOUT_MS', 3_600_000),
    stepDurations,
    port,
    host: flags.host ?? env['HOST'] ?? DEFAULTS.host,
    dataDir: resolveDataDir(flags['data-dir'], env),
    logLevel,
    demo: flags.demo ?? false,
    newDemoToken: flags['new-demo-token'] ?? false,
    secretKey: env['CLOUDPARTNER_SECRET_KEY'] || undefined,
  };
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env['CLOUDPARTNER_DATA_DIR'] ?? DEFAULTS.dataDir;
}
