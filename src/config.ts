/**
 * Configuration of `cloudpartner serve`: command-line flags win over environment variables,
 * which win over defaults.
 */
import { readFileSync } from 'node:fs';
import { PUT_MODES, type PutMode } from './domain/drafts.ts';
import type { TrustedIssuer } from './identity/jwt-verifier.ts';
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
  /** Requests per minute per principal (429 beyond); undefined = no limit. */
  rateLimit: number | undefined;
  /** Most connections open at once. */
  maxConnections: number;
  /** How long a workflow step stays leased to the instance running it (another takes over after), ms. */
  stepLeaseMs: number;
  /** Base URL of the built-in token service's issuers; default: where the server listens. */
  publicUrl: string | undefined;
  /** Accepted token audiences; the first is the built-in token service's resource. */
  audiences: string[];
  clockToleranceSeconds: number;
  /** Issuers to trust besides the built-in one. */
  trustedIssuers: TrustedIssuer[];
  /** TLS certificate and key (PEM), read at start. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** How PUT answers without If-Match: as the live service did (default), or as documented. */
  putMode: PutMode;
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
  'rate-limit'?: string | undefined;
  'max-connections'?: string | undefined;
  'step-lease-ms'?: string | undefined;
  'public-url'?: string | undefined;
  audience?: string | undefined;
  'clock-skew-seconds'?: string | undefined;
  'trusted-issuers'?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  'put-mode'?: string | undefined;
}

/** `--trusted-issuers`: JSON, or @file holding JSON: [{"issuer": "…", "jwksUri"?: "…", "keyFile"?: "…", "algorithm"?: "RS256"|"ES256"}]. */
function parseTrustedIssuers(text: string | undefined): TrustedIssuer[] {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (error) {
    throw new ConfigError(`--trusted-issuers/CLOUDPARTNER_TRUSTED_ISSUERS is not valid JSON: ${(error as Error).message}`);
  }
  const valid =
    Array.isArray(value) &&
    value.every(
      (item) =>
        item !== null &&
        typeof item === 'object' &&
        typeof item.issuer === 'string' &&
        (item.jwksUri === undefined || typeof item.jwksUri === 'string') &&
        (item.keyFile === undefined || typeof item.keyFile === 'string') &&
        (item.algorithm === undefined || item.algorithm === 'RS256' || item.algorithm === 'ES256'),
    );
  if (!valid) throw new ConfigError('--trusted-issuers must be a JSON array of {"issuer", "jwksUri"?, "keyFile"?, "algorithm"?}');
  return value as TrustedIssuer[];
}

function readPem(path: string | undefined, name: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${name}: cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function positiveIntegerOrZero(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new ConfigError(`--clock-skew-seconds/CLOUDPARTNER_CLOCK_SKEW_SECONDS must be a whole number of seconds, not '${text}'`);
  return Number(text);
}

/** `--rate-limit`: requests per minute per caller; absent, 0 or 'off' = no limit (the default). */
function rateLimit(text: string | undefined): number | undefined {
  if (text === undefined || text === '0' || text.toLowerCase() === 'off') return undefined;
  return positiveInteger(text, '--rate-limit/CLOUDPARTNER_RATE_LIMIT (requests per minute, or off)', 1_000_000);
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
  const cert = readPem(flags.cert ?? env['CLOUDPARTNER_TLS_CERT'], '--cert/CLOUDPARTNER_TLS_CERT');
  const key = readPem(flags.key ?? env['CLOUDPARTNER_TLS_KEY'], '--key/CLOUDPARTNER_TLS_KEY');
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError('--cert and --key go together: give both, or neither');
  const audiences = (flags.audience ?? env['CLOUDPARTNER_AUDIENCE'] ?? 'https://cloudpartner.azure.com').split(',').map((a) => a.trim()).filter(Boolean);
  const putMode = flags['put-mode'] ?? (env['CLOUDPARTNER_PUT_MODE'] || 'service');
  if (!(PUT_MODES as readonly string[]).includes(putMode)) throw new ConfigError(`--put-mode/CLOUDPARTNER_PUT_MODE must be one of ${PUT_MODES.join(', ')}, not '${putMode}'`);
  return {
    putMode: putMode as PutMode,
    publicUrl: flags['public-url'] ?? (env['CLOUDPARTNER_PUBLIC_URL'] || undefined),
    audiences,
    clockToleranceSeconds: positiveIntegerOrZero(flags['clock-skew-seconds'] ?? env['CLOUDPARTNER_CLOCK_SKEW_SECONDS'] ?? '300'),
    trustedIssuers: parseTrustedIssuers(flags['trusted-issuers'] ?? env['CLOUDPARTNER_TRUSTED_ISSUERS']),
    tls: cert && key ? { cert, key } : undefined,
    databaseUrl,
    poolSize: positiveInteger(flags['db-pool-size'] ?? env['DATABASE_POOL_SIZE'] ?? '10', '--db-pool-size/DATABASE_POOL_SIZE', 1000),
    statementTimeoutMs: positiveInteger(
      flags['db-statement-timeout-ms'] ?? env['DATABASE_STATEMENT_TIMEOUT_MS'] ?? '5000',
      '--db-statement-timeout-ms/DATABASE_STATEMENT_TIMEOUT_MS',
      3_600_000,
    ),
    shutdownTimeoutMs: positiveInteger(flags['shutdown-timeout-ms'] ?? env['SHUTDOWN_TIMEOUT_MS'] ?? '10000', '--shutdown-timeout-ms/SHUTDOWN_TIMEOUT_MS', 3_600_000),
    rateLimit: rateLimit(flags['rate-limit'] ?? (env['CLOUDPARTNER_RATE_LIMIT'] || undefined)),
    maxConnections: positiveInteger(flags['max-connections'] ?? env['CLOUDPARTNER_MAX_CONNECTIONS'] ?? '1024', '--max-connections/CLOUDPARTNER_MAX_CONNECTIONS', 1_000_000),
    stepLeaseMs: positiveInteger(flags['step-lease-ms'] ?? env['CLOUDPARTNER_STEP_LEASE_MS'] ?? '10000', '--step-lease-ms/CLOUDPARTNER_STEP_LEASE_MS', 3_600_000),
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
