/**
 * The `cloudpartner` command line: one router over the commands of src/cli/commands/ — serve and
 * the commands that work on a store directly (token, app, members, migrate-store), and the API
 * client commands (offers, operations, publishers). Each loads only what it uses.
 */
import { parseArgs } from 'node:util';
import { ConfigError, serveUsage } from '../config.ts';
import { ApiError } from '../domain/errors.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { appCommand } from './commands/app.ts';
import { OUTPUT_OPTIONS, fail, printJson, wantsJson } from './commands/local.ts';
import { membersCommand } from './commands/members.ts';
import { migrateStoreCommand } from './commands/migrate-store.ts';
import { serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
import { offersCommand } from './commands/offers.ts';
import { productsCommand } from './commands/products.ts';
import { operationsCommand } from './commands/operations.ts';
import { publishersCommand } from './commands/publishers.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { webhooksCommand } from './commands/webhooks.ts';
import { auditCommand } from './commands/audit.ts';
import { processIo } from './remote/output.ts';

const USAGE = `cloudpartner ${PACKAGE_VERSION} — the Cloud Partner Portal offer publishing API, self-hosted

Usage:
  cloudpartner serve [options]            Start the API server (flags win over the environment)
${serveUsage()}

  cloudpartner token create --publisher <id> --role <Owner|Contributor|Reader> [options]
  cloudpartner token create --sandbox-admin [options]
      --publisher <id>    repeat for several publishers
      --sandbox-admin     the token of the sandbox controls (serve --sandbox), which reaches no publisher
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

  cloudpartner offers list|show|put|validate|publish|golive|cancel|status|history|diff …
  cloudpartner operations list|show …
  cloudpartner products list|show|tree|plans|submissions|configure|job|publish|golive …
  cloudpartner publishers list
  cloudpartner sandbox faults add|list|rm | clock | advance | reset | snapshot | restore | snapshots | journal …
  cloudpartner webhooks add|list|rm|deliveries …
  cloudpartner audit [--offer <id>] [--since <time>] [--limit <n>] [--continuation <token>] [--every-publisher]
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
    case 'products':
      return productsCommand(rest, processIo());
    case 'publishers':
      return publishersCommand(rest, processIo());
    case 'sandbox':
      return sandboxCommand(rest, processIo());
    case 'webhooks':
      return webhooksCommand(rest, processIo());
    case 'audit':
      return auditCommand(rest, processIo());
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
