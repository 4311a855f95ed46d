/**
 * The `cloudpartner` command line: one router over the commands of src/cli/commands/ — serve and
 * the commands that work on a store directly (token, app, members, migrate-store), and the API
 * client commands (offers, operations, publishers). Each loads only what it uses.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { ApiError } from '../domain/errors.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { appCommand } from './commands/app.ts';
import { OUTPUT_OPTIONS, fail, printJson, wantsJson } from './commands/local.ts';
import { membersCommand } from './commands/members.ts';
import { migrateStoreCommand } from './commands/migrate-store.ts';
import { serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
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
      return serveCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'migrate-store':
      return migrateStoreCommand(rest);
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
