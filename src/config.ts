/**
 * The settings of `cloudpartner serve`, declared once: each with its flag, environment variable,
 * default, parser and help. The flag parsing, the `--help` text, the README's configuration
 * table (checked by a test) and the test helpers' clean environment all come from SERVE_SETTINGS.
 * A flag wins over its environment variable, which wins over the default.
 */
import { readFileSync } from 'node:fs';
import { PUT_MODES, type PutMode } from './domain/put-mode.ts';
import { PROFILES, PUBLISH_JOBS, type Profile, type PublishJob } from './product-ingestion/profiles.ts';
import { DEFAULT_AUDIENCE, DEFAULT_CLOCK_SKEW_SECONDS } from './identity/defaults.ts';
import type { TrustedIssuer } from './identity/jwt-verifier.ts';
import { DEFAULT_STEP_DURATION_MS, DEFAULT_STEP_LEASE_MS, type StepDurations, parseStepDurations } from './workflow/durations.ts';
import { WEBHOOK_DEFAULTS } from './webhooks/dispatcher.ts';
import { DEFAULT_AUDIT_RETENTION_DAYS } from './domain/audit.ts';

export class ConfigError extends Error {}

interface Setting<T> {
  /** The flag, without its dashes; none for a setting only the environment gives. */
  flag?: string;
  /** A flag that takes no value (`--demo`). */
  boolean?: true;
  /** The environment variable; none for a flag only. */
  env?: string;
  /** The default, as text (parsed like a given value); undefined: none. */
  fallback?: string;
  /** How the default reads in the documentation (markdown). */
  shown: string;
  /** One line of help (markdown). */
  help: string;
  /** What the placeholder of its value is called in `--help`. */
  value?: string;
  /** Turns the text given (or the default) into the setting; `name` names it in an error. */
  parse: (text: string | undefined, name: string) => T;
}

const setting = <T>(definition: Setting<T>): Setting<T> => definition;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function wholeNumber(text: string, name: string, min: number, max: number): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  return value;
}

/** A switch: true/1/on or false/0/off (unset: off). */
function onOff(text: string | undefined, name: string): boolean {
  if (text === undefined || ['false', '0', 'off', ''].includes(text.toLowerCase())) return false;
  if (['true', '1', 'on'].includes(text.toLowerCase())) return true;
  throw new ConfigError(`${name} must be on or off (true or false), not '${text}'`);
}

function readPem(path: string | undefined, name: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${name}: cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** `--trusted-issuers`: JSON, or @file holding JSON: [{"issuer": "…", "jwksUri"?: "…", "keyFile"?: "…", "algorithm"?: "RS256"|"ES256"}]. */
function parseTrustedIssuers(text: string | undefined, name: string): TrustedIssuer[] {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (error) {
    throw new ConfigError(`${name} is not valid JSON: ${(error as Error).message}`);
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
  if (!valid) throw new ConfigError(`${name} must be a JSON array of {"issuer", "jwksUri"?, "keyFile"?, "algorithm"?}`);
  return value as TrustedIssuer[];
}

const optional = (text: string | undefined) => text;

/** Every setting of `serve`, in the order `--help` and the README list them. */
export const SERVE_SETTINGS = {
  port: setting({
    flag: 'port',
    env: 'PORT',
    fallback: '8080',
    shown: '`8080`',
    value: 'n',
    help: '`0` picks a free port',
    parse: (text, name) => {
      if (!/^\d{1,5}$/.test(text!) || Number(text) > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not '${text}'`);
      return Number(text);
    },
  }),
  host: setting({
    flag: 'host',
    env: 'HOST',
    fallback: '127.0.0.1',
    shown: '`127.0.0.1`',
    value: 'addr',
    help: '`0.0.0.0` to listen on every interface',
    parse: (text) => text!,
  }),
  dataDir: setting({
    flag: 'data-dir',
    env: 'CLOUDPARTNER_DATA_DIR',
    fallback: './data',
    shown: '`./data`',
    value: 'dir',
    help: 'database file and generated secret key',
    parse: (text) => text!,
  }),
  logLevel: setting({
    flag: 'log-level',
    env: 'LOG_LEVEL',
    fallback: 'info',
    shown: '`info`',
    value: 'level',
    help: LOG_LEVELS.map((level) => `\`${level}\``).join(' '),
    parse: (text, name) => {
      if (!LOG_LEVELS.includes(text!)) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, not '${text}'`);
      return text!;
    },
  }),
  secretKey: setting({
    env: 'CLOUDPARTNER_SECRET_KEY',
    shown: 'generated into the data directory',
    help: 'base64 of 32 bytes; seals secret-type field values. On PostgreSQL, the same on every instance',
    parse: optional,
  }),
  demo: setting({
    flag: 'demo',
    boolean: true,
    shown: 'off (on in `npm start`)',
    help: 'load the demo publisher on first start and print how to call it',
    parse: (text) => text === 'true',
  }),
  newDemoToken: setting({
    flag: 'new-demo-token',
    boolean: true,
    shown: 'off',
    help: 'with `--demo`: print a fresh demo token',
    parse: (text) => text === 'true',
  }),
  sandbox: setting({
    flag: 'sandbox',
    boolean: true,
    env: 'CLOUDPARTNER_SANDBOX',
    shown: 'off (on with `--demo`)',
    help: 'serve the sandbox controls under `/_cloudpartner/` (faults, the workflow clock); they take the sandbox admin token (`token create --sandbox-admin`)',
    parse: onOff,
  }),
  console: setting({
    flag: 'console',
    env: 'CLOUDPARTNER_CONSOLE',
    fallback: 'on',
    shown: 'on',
    value: 'on|off',
    help: 'serve the web console at `/console/` (built from `src/console/` on first start, then cached)',
    parse: onOff,
  }),
  metrics: setting({
    flag: 'metrics',
    env: 'CLOUDPARTNER_METRICS',
    fallback: 'on',
    shown: 'on',
    value: 'on|off',
    help: 'serve Prometheus metrics at `/metrics` (`off`: 404). Open unless `--metrics-token` is set',
    parse: onOff,
  }),
  metricsToken: setting({
    flag: 'metrics-token',
    env: 'CLOUDPARTNER_METRICS_TOKEN',
    shown: 'none: open',
    value: 'token',
    help: '`/metrics` answers only to `Authorization: Bearer <this token>` (401 otherwise); prefer the environment variable, which `ps` does not show',
    parse: (text) => (text === undefined || text === '' ? undefined : text),
  }),
  publicUrl: setting({
    flag: 'public-url',
    env: 'CLOUDPARTNER_PUBLIC_URL',
    shown: 'where it listens',
    value: 'url',
    help: "base URL of the token service's issuers and endpoints; set it behind a load balancer or TLS proxy",
    parse: optional,
  }),
  audiences: setting({
    flag: 'audience',
    env: 'CLOUDPARTNER_AUDIENCE',
    fallback: DEFAULT_AUDIENCE,
    shown: `\`${DEFAULT_AUDIENCE}\``,
    value: 'aud',
    help: "accepted token audiences, comma-separated (the first is the token service's resource)",
    parse: (text) =>
      text!
        .split(',')
        .map((audience) => audience.trim())
        .filter(Boolean),
  }),
  clockToleranceSeconds: setting({
    flag: 'clock-skew-seconds',
    env: 'CLOUDPARTNER_CLOCK_SKEW_SECONDS',
    fallback: String(DEFAULT_CLOCK_SKEW_SECONDS),
    shown: `\`${DEFAULT_CLOCK_SKEW_SECONDS}\``,
    value: 'n',
    help: 'tolerance for `exp` and `nbf`',
    parse: (text, name) => wholeNumber(text!, name, 0, 999_999),
  }),
  trustedIssuers: setting({
    flag: 'trusted-issuers',
    env: 'CLOUDPARTNER_TRUSTED_ISSUERS',
    shown: 'none',
    value: 'json|@file',
    help: 'other token issuers to accept: `[{"issuer","jwksUri"?,"keyFile"?,"algorithm"?}]`',
    parse: parseTrustedIssuers,
  }),
  tlsCert: setting({
    flag: 'cert',
    env: 'CLOUDPARTNER_TLS_CERT',
    shown: 'none',
    value: 'pem',
    help: 'serve HTTPS with this PEM certificate (with `--key`)',
    parse: readPem,
  }),
  tlsKey: setting({ flag: 'key', env: 'CLOUDPARTNER_TLS_KEY', shown: 'none', value: 'pem', help: 'the PEM private key of `--cert`', parse: readPem }),
  rateLimit: setting({
    flag: 'rate-limit',
    env: 'CLOUDPARTNER_RATE_LIMIT',
    shown: 'off',
    value: 'n',
    help: 'requests per minute per caller (token or service principal); beyond it 429 with `Retry-After`. `0` or `off`: no limit',
    parse: (text, name) =>
      text === undefined || text === '0' || text.toLowerCase() === 'off' ? undefined : wholeNumber(text, `${name} (requests per minute, or off)`, 1, 1_000_000),
  }),
  maxConnections: setting({
    flag: 'max-connections',
    env: 'CLOUDPARTNER_MAX_CONNECTIONS',
    fallback: '1024',
    shown: '`1024`',
    value: 'n',
    help: 'connections open at once; more are closed at once',
    parse: (text, name) => wholeNumber(text!, name, 1, 1_000_000),
  }),
  putMode: setting({
    flag: 'put-mode',
    env: 'CLOUDPARTNER_PUT_MODE',
    fallback: 'service',
    shown: '`service`',
    value: PUT_MODES.join('|'),
    help: '`service`: PUT as the live service answered it — without `If-Match` it creates or replaces (last writer wins), and every successful PUT is 200. `documented`: as the CPP documentation describes — 201 on create, 409 `InvalidResourceId` for a PUT without `If-Match` to an existing offer. Either way a stale `If-Match` ETag is 412',
    parse: (text, name): PutMode => {
      if (!(PUT_MODES as readonly string[]).includes(text!)) throw new ConfigError(`${name} must be one of ${PUT_MODES.join(', ')}, not '${text}'`);
      return text as PutMode;
    },
  }),
  ingestionProfile: setting({
    flag: 'ingestion-profile',
    env: 'CLOUDPARTNER_INGESTION_PROFILE',
    fallback: 'compat',
    shown: '`compat`',
    value: PROFILES.join('|'),
    help: 'how the product-ingestion face (`/rp/product-ingestion/`) takes writes. `compat`: as lenient as its clients need — both schema hosts, any known `$schema` version, echoed `id`s and read-only fields, `null` for absent, `externalID`. `strict`: as the service answers today — the retired host is 400, an older version or an echoed `id` fails the job',
    parse: (text, name): Profile => {
      if (!(PROFILES as readonly string[]).includes(text!)) throw new ConfigError(`${name} must be one of ${PROFILES.join(', ')}, not '${text}'`);
      return text as Profile;
    },
  }),
  ingestionPublishJob: setting({
    flag: 'ingestion-publish-job',
    env: 'CLOUDPARTNER_INGESTION_PUBLISH_JOB',
    fallback: 'long',
    shown: '`long`',
    value: PUBLISH_JOBS.join('|'),
    help: "how long the configure job of a submission to preview or live runs. `long`: through validation, certification and provisioning to publisher sign-off (or live), failing with certification's findings. `short`: until the submission is accepted (for clients that wait only seconds); its progress then shows in `GET …/submission/{product}`",
    parse: (text, name): PublishJob => {
      if (!(PUBLISH_JOBS as readonly string[]).includes(text!)) throw new ConfigError(`${name} must be one of ${PUBLISH_JOBS.join(', ')}, not '${text}'`);
      return text as PublishJob;
    },
  }),
  stepDurations: setting({
    flag: 'step-duration-ms',
    env: 'CLOUDPARTNER_STEP_DURATION_MS',
    fallback: String(DEFAULT_STEP_DURATION_MS),
    shown: `\`${DEFAULT_STEP_DURATION_MS}\``,
    value: 'n|realistic',
    help: 'how long each publishing step takes; `realistic` uses the CPP estimates (certification takes days)',
    parse: (text, name): StepDurations => {
      const durations = parseStepDurations(text!);
      if (!durations) throw new ConfigError(`${name} must be a number of milliseconds or 'realistic', not '${text}'`);
      return durations;
    },
  }),
  stepLeaseMs: setting({
    flag: 'step-lease-ms',
    env: 'CLOUDPARTNER_STEP_LEASE_MS',
    fallback: String(DEFAULT_STEP_LEASE_MS),
    shown: `\`${DEFAULT_STEP_LEASE_MS}\``,
    value: 'n',
    help: 'how long a workflow step stays leased to the instance running it: how soon another takes over the step of one that died',
    parse: (text, name) => wholeNumber(text!, name, 1, 3_600_000),
  }),
  auditRetentionDays: setting({
    flag: 'audit-retention-days',
    env: 'CLOUDPARTNER_AUDIT_RETENTION_DAYS',
    fallback: String(DEFAULT_AUDIT_RETENTION_DAYS),
    shown: `\`${DEFAULT_AUDIT_RETENTION_DAYS}\``,
    value: 'days',
    help: 'how long audit records (`GET /_cloudpartner/audit`) are kept, in days of workflow time; older ones are deleted hourly. `0`: forever',
    parse: (text, name) => wholeNumber(text!, name, 0, 36_500),
  }),
  webhookTimeoutMs: setting({
    flag: 'webhook-timeout-ms',
    env: 'CLOUDPARTNER_WEBHOOK_TIMEOUT_MS',
    fallback: String(WEBHOOK_DEFAULTS.timeoutMs),
    shown: `\`${WEBHOOK_DEFAULTS.timeoutMs}\``,
    value: 'n',
    help: 'how long one webhook delivery may take; a delivery held by a server that died is made again after twice this',
    parse: (text, name) => wholeNumber(text!, name, 100, 600_000),
  }),
  databaseUrl: setting({
    flag: 'database-url',
    env: 'DATABASE_URL',
    shown: 'none: embedded SQLite',
    value: 'url',
    help: '`postgres://…` selects PostgreSQL (many instances on one database)',
    parse: (text, name) => {
      if (text !== undefined && !/^postgres(ql)?:\/\//.test(text)) throw new ConfigError(`${name} must be a postgres:// or postgresql:// URL`);
      return text;
    },
  }),
  poolSize: setting({
    flag: 'db-pool-size',
    env: 'DATABASE_POOL_SIZE',
    fallback: '10',
    shown: '`10`',
    value: 'n',
    help: 'PostgreSQL connections per instance',
    parse: (text, name) => wholeNumber(text!, name, 1, 1000),
  }),
  statementTimeoutMs: setting({
    flag: 'db-statement-timeout-ms',
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    fallback: '5000',
    shown: '`5000`',
    value: 'n',
    help: 'longest a PostgreSQL statement may run',
    parse: (text, name) => wholeNumber(text!, name, 1, 3_600_000),
  }),
  shutdownTimeoutMs: setting({
    flag: 'shutdown-timeout-ms',
    env: 'SHUTDOWN_TIMEOUT_MS',
    fallback: '10000',
    shown: '`10000`',
    value: 'n',
    help: 'how long SIGTERM waits for requests in flight',
    parse: (text, name) => wholeNumber(text!, name, 1, 3_600_000),
  }),
};

type Settings = typeof SERVE_SETTINGS;
type SettingValues = { [K in keyof Settings]: ReturnType<Settings[K]['parse']> };

/** The configuration of `serve`: every setting, with TLS as the pair it must be. */
export type ServeConfig = Omit<SettingValues, 'tlsCert' | 'tlsKey'> & {
  /** TLS certificate and key (PEM), read at start. */
  tls: { cert: Buffer; key: Buffer } | undefined;
};

/** Flags as node's parseArgs returns them: by flag name. */
export type ServeFlags = Record<string, string | boolean | undefined>;

const entries = Object.entries(SERVE_SETTINGS) as Array<[keyof Settings, Setting<unknown>]>;

/** How a setting is named in an error: its flag and its environment variable. */
function nameOf(definition: Setting<unknown>): string {
  return [definition.flag && `--${definition.flag}`, definition.env].filter(Boolean).join('/');
}

/** The options of `serve` for node's parseArgs. */
export function serveFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(entries.filter(([, d]) => d.flag).map(([, d]) => [d.flag!, { type: d.boolean ? 'boolean' : 'string' }]));
}

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const values: Record<string, unknown> = {};
  for (const [key, definition] of entries) {
    const flag = definition.flag === undefined ? undefined : flags[definition.flag];
    const text = flag !== undefined ? String(flag) : (definition.env && env[definition.env]) || definition.fallback;
    values[key] = definition.parse(text, nameOf(definition));
  }
  const { tlsCert, tlsKey, ...rest } = values as SettingValues;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new ConfigError('--cert and --key go together: give both, or neither');
  return { ...rest, tls: tlsCert && tlsKey ? { cert: tlsCert, key: tlsKey } : undefined };
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return SERVE_SETTINGS.dataDir.parse(flag ?? (env['CLOUDPARTNER_DATA_DIR'] || SERVE_SETTINGS.dataDir.fallback), nameOf(SERVE_SETTINGS.dataDir));
}

/** Every environment variable a setting reads (for tests that must not inherit any). */
export const SETTING_ENVIRONMENT: readonly string[] = entries.flatMap(([, definition]) => (definition.env ? [definition.env] : []));

const plain = (markdown: string) => markdown.replaceAll('`', '');

/** The settings part of `cloudpartner --help`. */
export function serveUsage(): string {
  return entries
    .map(([, d]) => {
      const flag = d.flag ? `--${d.flag}${d.boolean ? '' : ` <${d.value ?? 'value'}>`}` : '';
      const head = [flag, d.env].filter(Boolean).join('  ');
      return `      ${head}\n          ${plain(d.help)} [default: ${plain(d.shown)}]`;
    })
    .join('\n');
}

/** The README's configuration table, as markdown. */
export function settingsTable(): string {
  const rows = entries.map(([, d]) => `| ${d.flag ? `\`--${d.flag}\`` : ''} | ${d.env ? `\`${d.env}\`` : ''} | ${d.shown} | ${d.help} |`);
  return ['| Flag | Environment | Default | |', '|---|---|---|---|', ...rows].join('\n');
}
