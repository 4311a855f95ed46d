/**
 * The `cloudpartner` command line.
 *   cloudpartner serve [--port] [--host] [--data-dir] [--log-level] [--demo] [--new-demo-token]
 *   cloudpartner token create --publisher <id> [--publisher <id>…] --role Owner|Contributor|Reader
 *                             [--description text] [--expires-in-days n] [--data-dir dir]
 */
import { parseArgs } from 'node:util';
import { ConfigError, resolveDataDir, resolveServeConfig } from '../config.ts';
import { ApiError } from '../domain/errors.ts';
import { parseId } from '../domain/ids.ts';
import { ROLES, parseRole } from '../domain/roles.ts';
import type { Store } from '../store/store.ts';
import { errors } from '../domain/errors.ts';
import { isGuid } from '../domain/ids.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { offersCommand } from './commands/offers.ts';
import { operationsCommand } from './commands/operations.ts';
import { publishersCommand } from './commands/publishers.ts';
import { processIo } from './remote/output.ts';

const USAGE = `cloudpartner ${PACKAGE_VERSION} — the Cloud Partner Portal offer publishing API, self-hosted

Usage:
  cloudpartner serve [options]            Start the API server
      --port <n>          PORT                  (default 8080)
      --host <addr>       HOST                  (default 127.0.0.1)
      --data-dir <dir>    CLOUDPARTNER_DATA_DIR (default ./data)
      --log-level <lvl>   LOG_LEVEL             (default info)
      --demo              load the demo publisher 'contoso' on first start and print how to call it
      --new-demo-token    with --demo: print a new demo token even if the demo data exists
      --database-url <url> DATABASE_URL: postgres://… to run on PostgreSQL (many instances)
      --db-pool-size <n>  DATABASE_POOL_SIZE: PostgreSQL connections per instance (default 10)
      --db-statement-timeout-ms <n>  DATABASE_STATEMENT_TIMEOUT_MS (default 5000)
      --shutdown-timeout-ms <n>      SHUTDOWN_TIMEOUT_MS: how long SIGTERM waits for requests in flight (default 10000)
      --rate-limit <n>    CLOUDPARTNER_RATE_LIMIT: requests per minute per caller, 429 beyond (default off)
      --max-connections <n>          CLOUDPARTNER_MAX_CONNECTIONS: connections open at once (default 1024)
      --step-lease-ms <n> CLOUDPARTNER_STEP_LEASE_MS: how soon another instance takes over the step of one that died (default 10000)
      --public-url <url>  CLOUDPARTNER_PUBLIC_URL: base URL of the token service's issuers (default: where it listens)
      --audience <aud>    CLOUDPARTNER_AUDIENCE: accepted token audiences, comma-separated (default https://cloudpartner.azure.com)
      --clock-skew-seconds <n>       CLOUDPARTNER_CLOCK_SKEW_SECONDS: tolerance for exp/nbf (default 300)
      --trusted-issuers <json|@file> CLOUDPARTNER_TRUSTED_ISSUERS: [{"issuer","jwksUri"?,"keyFile"?,"algorithm"?}]
      --cert <pem> --key <pem>       CLOUDPARTNER_TLS_CERT / CLOUDPARTNER_TLS_KEY: serve HTTPS
      --put-mode <service|documented>  CLOUDPARTNER_PUT_MODE: PUT without If-Match creates or replaces and every
                          PUT answers 200, as the live service did (service, the default); or 201 on create
                          and 409 InvalidResourceId on an existing offer, as documented (documented)
      --step-duration-ms <n|realistic>
                          CLOUDPARTNER_STEP_DURATION_MS: how long each publishing step takes
                          (default 400; 'realistic' uses the CPP estimates: certification takes days)

  cloudpartner token create --publisher <id> --role <Owner|Contributor|Reader> [options]
      --publisher <id>    repeat for several publishers
      --description <t>   what the token is for
      --expires-in-days <n>
      --data-dir <dir>    CLOUDPARTNER_DATA_DIR (default ./data)
      --database-url <url> DATABASE_URL (PostgreSQL)
    Prints the token alone on stdout. Works while a server runs on the same data directory.

  cloudpartner app create --publisher <id> --role <Owner|Contributor|Reader> [--name <display name>]
    Registers an application with the built-in token service and makes its service principal a
    member of the publishers. Prints its client id, client secret (shown only now) and tenant id:
    get tokens with POST /{tenant}/oauth2/token (grant_type=client_credentials, client_id,
    client_secret, resource=https://cloudpartner.azure.com).

  cloudpartner members list --publisher <id>
  cloudpartner members add --publisher <id> --object-id <guid> --tenant-id <guid> --role <role> [--name <text>]
  cloudpartner members remove --publisher <id> --object-id <guid> [--tenant-id <guid>]
    Who may act on a publisher: service principals (by tenant and object id) and their roles.
    (All of these take --data-dir / --database-url like token create.)

  cloudpartner migrate-store --from <data dir | postgres://…> --to <data dir | postgres://…>
    Copies every publisher, offer (all versions, secret values, publishing history) and access
    token into an empty store: e.g. the embedded database into PostgreSQL. Secret values are
    sealed with CLOUDPARTNER_SECRET_KEY if set, else with the source's key: run every instance
    on the destination with that key.

  cloudpartner offers list|show|put|publish|golive|cancel|status|history|diff …
  cloudpartner operations list|show …
  cloudpartner publishers list
    Publish from scripts and CI against cloudpartner or any endpoint that speaks the API:
    --endpoint, --token or client credentials (--tenant-id, --client-id, --client-secret), --profile,
    --publisher, --output table|json. 'cloudpartner offers --help' shows every command and option.

  cloudpartner --version | --help

  Every command takes -o json (--output json): it prints one JSON document instead of text, for
  scripts — e.g. the client id and secret of 'app create', the token of 'token create', the
  address and demo token of 'serve'.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'token':
      return token(rest);
    case 'migrate-store':
      return migrateStore(rest);
    case 'app':
      return appCommand(rest);
    case 'members':
      return membersCommand(rest);
    case 'offers':
      return offersCommand(rest, processIo());
    case 'operations':
      return operationsCommand(rest, processIo());
    case 'publishers':
      return publishersCommand(rest, processIo());
    case '--version':
    case 'version': {
      const { values } = parseArgs({ args: rest, options: OUTPUT_OPTIONS, strict: true });
      if (wantsJson(values)) printJson({ version: PACKAGE_VERSION });
      else process.stdout.write(`${PACKAGE_VERSION}\n`);
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      return fail(`unknown command '${command}'. Run 'cloudpartner --help'.`);
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean' },
      'new-demo-token': { type: 'boolean' },
      'step-duration-ms': { type: 'string' },
      'database-url': { type: 'string' },
      'db-pool-size': { type: 'string' },
      'db-statement-timeout-ms': { type: 'string' },
      'shutdown-timeout-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'max-connections': { type: 'string' },
      'step-lease-ms': { type: 'string' },
      'public-url': { type: 'string' },
      audience: { type: 'string' },
      'clock-skew-seconds': { type: 'string' },
      'trusted-issuers': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'put-mode': { type: 'string' },
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  const config = resolveServeConfig(values, process.env);
  // The server, the stores and the identity code load only for the commands that need them,
  // so the API client commands start fast.
  const { startServer } = await import('../server.ts');
  const server = await startServer(config, process.stdout, { json });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

async function token(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') return fail(`usage: cloudpartner token create --publisher <id> --role <${ROLES.join('|')}>`);
  const { values } = parseArgs({
    args: rest,
    options: {
      publisher: { type: 'string', multiple: true },
      role: { type: 'string' },
      description: { type: 'string' },
      'expires-in-days': { type: 'string' },
      ...STORE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher?.length) return fail('--publisher is required');
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
  const days = values['expires-in-days'];
  if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) return fail('--expires-in-days must be a whole number of days');
  const publisherIds = values.publisher.map((id) => parseId('publisherId', id));
  const { createAccessToken } = await import('../identity/access-tokens.ts');
  const created = await withStore(values, (store) =>
    createAccessToken(store, { publisherIds, role, description: values.description ?? '', ...(days ? { expiresInDays: Number(days) } : {}) }),
  );
  if (json) printJson({ token: created.token, id: created.id, publishers: publisherIds, role, expiresAt: created.expiresAt });
  else process.stdout.write(`${created.token}\n`);
  return 0;
}

/** Opens the store named by --data-dir / --database-url (or the environment), for one command. */
async function withStore<T>(values: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined }, work: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.ts');
  const store = await openStore({
    dataDir: resolveDataDir(values['data-dir'], process.env),
    secretKey: process.env['CLOUDPARTNER_SECRET_KEY'],
    databaseUrl: values['database-url'] ?? (process.env['DATABASE_URL'] || undefined),
  });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const STORE_OPTIONS = { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' } } as const;

/** `-o json` (or `--output json`; `--json` is its older spelling): every command can print one JSON document for scripts. */
const OUTPUT_OPTIONS = { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } } as const;

function wantsJson(values: { output?: string | undefined; json?: boolean | undefined }): boolean {
  const output = values.output?.toLowerCase();
  if (output !== undefined && output !== 'json' && output !== 'table') throw new ConfigError(`-o/--output must be json or table, not '${values.output}'`);
  return output === 'json' || (output === undefined && values.json === true);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function appCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') return fail(`usage: cloudpartner app create --publisher <id> --role <${ROLES.join('|')}>`);
  const { values } = parseArgs({
    args: rest,
    options: { publisher: { type: 'string', multiple: true }, role: { type: 'string' }, name: { type: 'string' }, ...STORE_OPTIONS, ...OUTPUT_OPTIONS },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher?.length) return fail('--publisher is required');
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
  const publisherIds = values.publisher.map((id) => parseId('publisherId', id));
  const { registerApplication } = await import('../identity/applications.ts');
  const { TokenService } = await import('../identity/token-service.ts');
  const app = await withStore(values, async (store) =>
    registerApplication(store, await TokenService.open(store), { publisherIds, role, ...(values.name ? { displayName: values.name } : {}) }),
  );
  if (json) {
    printJson({ clientId: app.clientId, clientSecret: app.clientSecret, tenantId: app.tenantId, objectId: app.objectId, publishers: publisherIds, role });
  } else {
    process.stdout.write(
      [
        `client id:     ${app.clientId}`,
        `client secret: ${app.clientSecret}`,
        `tenant id:     ${app.tenantId}`,
        `object id:     ${app.objectId}  (its service principal: ${role} on ${publisherIds.join(', ')})`,
        '',
        'The secret is shown only now. Get a token from your server with:',
        `  curl -s -d grant_type=client_credentials -d client_id=${app.clientId} --data-urlencode "client_secret=<secret>" \\`,
        `       -d resource=https://cloudpartner.azure.com <server>/${app.tenantId}/oauth2/token`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

async function membersCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      publisher: { type: 'string' },
      'object-id': { type: 'string' },
      'tenant-id': { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      ...STORE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher) return fail('--publisher is required');
  const publisherId = parseId('publisherId', values.publisher);
  const guid = (name: string, value: string | undefined) => {
    if (!value || !isGuid(value)) throw new ConfigError(`--${name} must be a GUID`);
    return value.toLowerCase();
  };
  switch (subcommand) {
    case 'list': {
      const members = await withStore(values, (store) => store.listMembers(publisherId));
      if (json) printJson(members.map(({ publisherId: _p, ...member }) => member));
      else for (const m of members) process.stdout.write(`${m.role.padEnd(12)} ${m.tenantId} ${m.objectId} ${m.displayName}\n`);
      return 0;
    }
    case 'add': {
      const role = values.role ? parseRole(values.role) : undefined;
      if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
      const member = {
        publisherId,
        objectId: guid('object-id', values['object-id']),
        tenantId: guid('tenant-id', values['tenant-id']),
        role,
        displayName: values.name ?? '',
        createdAt: new Date().toISOString(),
      };
      const added = await withStore(values, async (store) => {
        if (!(await store.getPublisher(publisherId))) throw errors.publisherNotFound(publisherId);
        return store.putMember(member);
      });
      if (json) printJson({ result: added ? 'added' : 'changed', member: { objectId: member.objectId, tenantId: member.tenantId, role, displayName: member.displayName } });
      else process.stdout.write(`${added ? 'added' : 'changed'}: ${member.objectId} is ${role} on ${publisherId}\n`);
      return 0;
    }
    case 'remove': {
      const objectId = guid('object-id', values['object-id']);
      const removed = await withStore(values, async (store) => {
        const matches = (await store.listMembers(publisherId)).filter(
          (m) => m.objectId === objectId && (!values['tenant-id'] || m.tenantId === values['tenant-id'].toLowerCase()),
        );
        for (const m of matches) await store.removeMember(publisherId, m.tenantId, m.objectId);
        return matches.length;
      });
      if (removed === 0) return fail(`${objectId} is not a member of ${publisherId}`);
      if (json) printJson({ result: 'removed', objectId, publisherId, removed });
      else process.stdout.write(`removed: ${objectId} from ${publisherId}\n`);
      return 0;
    }
    default:
      return fail('usage: cloudpartner members list|add|remove --publisher <id> …');
  }
}

async function migrateStore(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, ...OUTPUT_OPTIONS }, strict: true });
  const json = wantsJson(values);
  if (!values.from || !values.to) return fail('usage: cloudpartner migrate-store --from <data dir | postgres://…> --to <data dir | postgres://…>');
  const { loadSecretKey, openStore } = await import('../store/open.ts');
  const { CopyError, copyStore } = await import('../store/copy.ts');
  const location = (where: string) => (/^postgres(ql)?:\/\//.test(where) ? { dataDir: '.', databaseUrl: where } : { dataDir: where });
  const source = location(values.from);
  const sourceKey = process.env['CLOUDPARTNER_SECRET_KEY'] || undefined;
  const from = await openStore({ ...source, secretKey: sourceKey });
  try {
    // The destination seals with the configured key, else with the very key of the source.
    const key = sourceKey ?? loadSecretKey({ dataDir: source.dataDir }).toString('base64');
    const to = await openStore({ ...location(values.to), secretKey: key });
    try {
      const report = await copyStore(from, to);
      if (json) {
        printJson({ ...report, sealedWith: sourceKey ? 'CLOUDPARTNER_SECRET_KEY' : `${source.dataDir}/secret.key` });
        return 0;
      }
      process.stdout.write(
        `copied ${report.publishers} publishers, ${report.offers} offers (${report.versions} versions, ${report.operations} operations) and ${report.tokens} access tokens\n`,
      );
      if (!sourceKey) {
        process.stderr.write(`secret values are sealed with the key in ${source.dataDir}/secret.key: run every instance with CLOUDPARTNER_SECRET_KEY set to its content\n`);
      }
      return 0;
    } finally {
      await to.close();
    }
  } catch (error) {
    if (error instanceof CopyError) return fail(error.message);
    throw error;
  } finally {
    await from.close();
  }
}

function fail(message: string): number {
  process.stderr.write(`cloudpartner: ${message}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ApiError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.exitCode = fail((error as Error).message);
    } else if ((error as { code?: string }).code === 'EADDRINUSE') {
      process.exitCode = fail(`${(error as Error).message}: the port is taken; choose another with --port`);
    } else {
      throw error;
    }
  }
}
