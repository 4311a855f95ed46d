/**
 * Where the API commands (offers, operations, publishers) get their endpoint, credentials,
 * publisher and output format.
 *
 * Each setting comes from the first of:
 *   1. its flag (--endpoint, --token, --tenant-id/--client-id/--client-secret/--authority, --publisher, --output);
 *   2. the profile named by --profile;
 *   3. its environment variable (CLOUDPARTNER_ENDPOINT, CLOUDPARTNER_TOKEN, CLOUDPARTNER_TENANT_ID,
 *      CLOUDPARTNER_CLIENT_ID, CLOUDPARTNER_CLIENT_SECRET, CLOUDPARTNER_AUTHORITY, CLOUDPARTNER_PUBLISHER,
 *      CLOUDPARTNER_OUTPUT);
 *   4. without --profile: the profile named by CLOUDPARTNER_PROFILE, else the profile "default" if the file has one;
 *   5. the defaults: endpoint http://127.0.0.1:8080 (what `npm start` serves), output table.
 * Credentials are taken as a whole from the first of these that has any (a token, or client
 * credentials), so a token from one place is never paired with a client id from another.
 *
 * Profiles live in ~/.config/cloudpartner/profiles.json ($XDG_CONFIG_HOME honoured;
 * CLOUDPARTNER_PROFILE_FILE overrides), an object of named profiles:
 *   { "local": { "endpoint": "http://127.0.0.1:8080", "token": "cpat_…", "publisher": "contoso" },
 *     "hosted": { "endpoint": "https://cloudpartner.azure.com", "tenantId": "…", "clientId": "…",
 *                 "clientSecret": "…", "authority": "https://login.microsoftonline.com", "publisher": "contoso" } }
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CloudPartnerClientOptions } from '../../client/client.ts';

export class UsageError extends Error {}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

/** parseArgs options every API command takes. */
export const GLOBAL_OPTIONS = {
  endpoint: { type: 'string' },
  token: { type: 'string' },
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  authority: { type: 'string' },
  profile: { type: 'string' },
  publisher: { type: 'string', short: 'p' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const GLOBAL_HELP = `Options of every API command:
  --endpoint <url>         CLOUDPARTNER_ENDPOINT: the API (default ${DEFAULT_ENDPOINT})
  --token <token>          CLOUDPARTNER_TOKEN: a bearer token
  --tenant-id <id> --client-id <id> --client-secret <secret> [--authority <url>]
                           CLOUDPARTNER_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET, _AUTHORITY: client credentials
                           (tokens from <authority>/<tenant>/oauth2/token; the authority defaults to the endpoint,
                           https://login.microsoftonline.com for the hosted service). Prefer the environment or a
                           profile for the secret: a flag is visible to other users of the machine.
  --profile <name>         a profile of ~/.config/cloudpartner/profiles.json (CLOUDPARTNER_PROFILE_FILE)
  -p, --publisher <id>     CLOUDPARTNER_PUBLISHER: the publisher namespace (default: the only one the token sees)
  -o, --output table|json  CLOUDPARTNER_OUTPUT: tables for people (default), JSON for scripts
`;

type GlobalValues = { [K in keyof typeof GLOBAL_OPTIONS]?: (typeof GLOBAL_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

interface Profile {
  endpoint?: string;
  token?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  authority?: string;
  publisher?: string;
  output?: string;
}

const PROFILE_KEYS: ReadonlyArray<keyof Profile> = ['endpoint', 'token', 'tenantId', 'clientId', 'clientSecret', 'authority', 'publisher', 'output'];

export type Auth =
  | { kind: 'token'; token: string; source: string }
  | { kind: 'client'; tenantId: string; clientId: string; clientSecret: string; authority?: string; source: string };

export interface RemoteSettings {
  endpoint: string;
  auth: Auth;
  publisher: string | undefined;
  output: 'table' | 'json';
}

export function profileFile(env: NodeJS.ProcessEnv): string {
  if (env['CLOUDPARTNER_PROFILE_FILE']) return env['CLOUDPARTNER_PROFILE_FILE'];
  const config = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(config, 'cloudpartner', 'profiles.json');
}

function readProfiles(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the profile file ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`the profile file ${file} must hold an object of named profiles, e.g. {"local": {"endpoint": "…", "token": "…"}}`);
  }
  return parsed as Record<string, unknown>;
}

/** The named profile (checked: known keys, string values), or {} when it need not exist and does not. */
function loadProfile(file: string, name: string, required: boolean): Profile {
  if (!existsSync(file)) {
    if (required) throw new UsageError(`no profile file at ${file} (for --profile ${name}); set CLOUDPARTNER_PROFILE_FILE to use another`);
    return {};
  }
  const profiles = readProfiles(file);
  const profile = Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  if (profile === undefined) {
    if (required) throw new UsageError(`no profile '${name}' in ${file} (it has: ${Object.keys(profiles).join(', ') || 'none'})`);
    return {};
  }
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new UsageError(`profile '${name}' in ${file} is not an object`);
  for (const [key, value] of Object.entries(profile)) {
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`profile '${name}' in ${file} has an unknown key '${key}' (known: ${PROFILE_KEYS.join(', ')})`);
    }
    if (typeof value !== 'string') throw new UsageError(`profile '${name}' in ${file}: '${key}' must be a string`);
  }
  return profile as Profile;
}

/** Resolves the settings of one command run from its flags, the environment and the profile file. */
export function resolveSettings(values: GlobalValues, env: NodeJS.ProcessEnv): RemoteSettings {
  const file = profileFile(env);
  const fromFlags: Profile = {
    endpoint: values.endpoint,
    token: values.token,
    tenantId: values['tenant-id'],
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    authority: values.authority,
    publisher: values.publisher,
    output: values.output,
  };
  const fromEnv: Profile = {
    endpoint: env['CLOUDPARTNER_ENDPOINT'],
    token: env['CLOUDPARTNER_TOKEN'],
    tenantId: env['CLOUDPARTNER_TENANT_ID'],
    clientId: env['CLOUDPARTNER_CLIENT_ID'],
    clientSecret: env['CLOUDPARTNER_CLIENT_SECRET'],
    authority: env['CLOUDPARTNER_AUTHORITY'],
    publisher: env['CLOUDPARTNER_PUBLISHER'],
    output: env['CLOUDPARTNER_OUTPUT'],
  };
  const explicit = values.profile === undefined ? {} : loadProfile(file, values.profile, true);
  // A profile named by --profile stands alone: CLOUDPARTNER_PROFILE and "default" apply only without it.
  const envProfileName = env['CLOUDPARTNER_PROFILE'];
  const implicit = values.profile !== undefined ? {} : envProfileName ? loadProfile(file, envProfileName, true) : loadProfile(file, 'default', false);
  const layers: Array<[string, Profile]> = [
    ['flags', fromFlags],
    [`profile '${values.profile}'`, explicit],
    ['environment', fromEnv],
    [`profile '${envProfileName ?? 'default'}'`, implicit],
  ];
  const pick = (key: keyof Profile) => layers.map(([, layer]) => layer[key]).find((value) => value !== undefined && value !== '');

  const output = pick('output') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not '${output}'`);
  const endpoint = pick('endpoint') ?? DEFAULT_ENDPOINT;
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`the endpoint '${endpoint}' is not an http(s) URL, e.g. http://127.0.0.1:8080`);
  }

  let auth: Auth | undefined;
  for (const [source, layer] of layers) {
    const client = layer.tenantId || layer.clientId || layer.clientSecret;
    if (layer.token && client) throw new UsageError(`${source} give both a token and client credentials: keep one`);
    if (layer.token) {
      auth = { kind: 'token', token: layer.token, source };
      break;
    }
    if (client) {
      const missing = (['tenantId', 'clientId', 'clientSecret'] as const).filter((key) => !layer[key]);
      if (missing.length > 0) {
        const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        throw new UsageError(`client credentials from the ${source} lack ${missing.map(flag).join(', ')}`);
      }
      auth = {
        kind: 'client',
        tenantId: layer.tenantId!,
        clientId: layer.clientId!,
        clientSecret: layer.clientSecret!,
        source,
        ...(layer.authority ? { authority: layer.authority } : {}),
      };
      break;
    }
  }
  if (!auth) {
    throw new UsageError(
      'no credentials: pass --token (or set CLOUDPARTNER_TOKEN), or client credentials --tenant-id, --client-id and --client-secret, or use --profile',
    );
  }
  return { endpoint, auth, publisher: pick('publisher'), output };
}

/** The client options of these settings. */
export function clientOptions(settings: RemoteSettings): CloudPartnerClientOptions {
  const { auth } = settings;
  return {
    endpoint: settings.endpoint,
    ...(settings.publisher ? { publisherId: settings.publisher } : {}),
    ...(auth.kind === 'token'
      ? { token: auth.token }
      : {
          credentials: {
            tenantId: auth.tenantId,
            clientId: auth.clientId,
            clientSecret: auth.clientSecret,
            ...(auth.authority ? { authority: auth.authority } : {}),
          },
        }),
    userAgent: 'cloudpartner-cli/0.1.0',
    // A person is waiting: fail an unreachable endpoint quickly rather than after long backoffs.
    retry: { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 },
  };
}
