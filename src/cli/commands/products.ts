/**
 * cloudpartner products list|show|tree|plans|configure|job|submissions|publish|golive — the
 * product-ingestion face (Partner Center's API, `/rp/product-ingestion/`) from the command line,
 * through the SDK. A product is named by its externalId (the offer id) or its durable id.
 */
import { readFileSync } from 'node:fs';
import type { CloudPartnerClient, ProductIngestionControls } from '../../client/client.ts';
import type { ConfigureStatus, IngestionErrorNode, TargetType } from '../../client/types.ts';
import { type CommandContext, EXIT_FAILED, EXIT_OK, type Io, fail, helpOrUnknown, printJson, printList, runCommand, table } from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';

const SUBMISSION_SCHEMA = 'https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview2';

const USAGE = `Usage: cloudpartner products <command> [options]

  list [--external-id <offer>] [--type <type>]  the products the credentials see (every page)
  show <product>                                 the product resource (draft)
  tree <product> [--target draft|preview|live]   every resource of the product for a target
  plans <product>                                its plans
  submissions <product>                          its draft, preview and live submissions
  configure [--file <path>|-] [--no-wait]        post a configure request ({"$schema","resources"} or
                                                 a resources array); waits for the job unless --no-wait;
                                                 exit 1 when the job fails
  job <jobId> [--detail] [--cancel]              a job's status (or what it wrote, or cancel it)
  publish <product> [--no-wait]                  submit the draft to preview (a configure job)
  golive <product> [--no-wait]                   take the preview submission live

  <product> is the offer id (externalId) or the durable id, product/<guid>.
  show, tree, plans and submissions take --schema-version <v> (e.g. 2022-03-01-preview2): each
  resource in its newest schema version not above v, as \$version asks; the current ones without.
${GLOBAL_HELP}`;

const WAIT = { 'no-wait': { type: 'boolean' as const } };
const SCHEMA_VERSION = { 'schema-version': { type: 'string' as const } };

export async function productsCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  const one = (usage: string, body: (context: CommandContext) => Promise<number>, options: Record<string, { type: 'string' | 'boolean' }> = {}) =>
    runCommand(io, rest, { usage: `cloudpartner products ${usage}\n`, options, positionals: { min: 1, max: 1 } }, body);
  switch (subcommand) {
    case 'list':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner products list [--external-id <offer>] [--type <type>]\n',
          options: { 'external-id': { type: 'string' }, type: { type: 'string' } },
        },
        list,
      );
    case 'show':
      return one(
        'show <product> [--schema-version <v>]',
        async (context) => {
          printJson(context.io, await reads(context).getResource(await productId(context.client, context.positionals[0]!)));
          return EXIT_OK;
        },
        SCHEMA_VERSION,
      );
    case 'tree':
      return one('tree <product> [--target draft|preview|live] [--schema-version <v>]', tree, { target: { type: 'string' }, ...SCHEMA_VERSION });
    case 'plans':
      return one('plans <product> [--schema-version <v>]', plans, SCHEMA_VERSION);
    case 'submissions':
      return one('submissions <product> [--schema-version <v>]', submissions, SCHEMA_VERSION);
    case 'configure':
      return runCommand(
        io,
        rest,
        { usage: 'cloudpartner products configure [--file <path>|-] [--no-wait]\n', options: { file: { type: 'string', short: 'f' }, ...WAIT } },
        configure,
      );
    case 'job':
      return one('job <jobId> [--detail] [--cancel]', job, { detail: { type: 'boolean' }, cancel: { type: 'boolean' } });
    case 'publish':
    case 'golive':
      return one(`${subcommand} <product> [--no-wait]`, (context) => submit(context, subcommand === 'publish' ? 'preview' : 'live'), WAIT);
    default:
      return helpOrUnknown(io, 'products', subcommand, USAGE);
  }
}

/** The reads, in the resource versions `--schema-version` asks for (`$version`, D92); the current ones without it. */
function reads(context: CommandContext): ProductIngestionControls {
  const version = context.values['schema-version'];
  return typeof version === 'string' ? context.client.productIngestion.inVersion(version) : context.client.productIngestion;
}

/** A durable product id, from an offer id or a durable id. */
async function productId(client: CloudPartnerClient, name: string): Promise<string> {
  if (/^product\/[0-9a-f-]{36}$/i.test(name)) return name.toLowerCase();
  const found = await client.productIngestion.findProduct(name);
  if (!found?.id) throw new UsageError(`no product '${name}': the credentials see no offer of that id (list them with: cloudpartner products list)`);
  return found.id;
}

async function list(context: CommandContext): Promise<number> {
  const externalId = context.values['external-id'];
  const type = context.values['type'];
  const products = await context.client.productIngestion.listProducts({
    ...(typeof externalId === 'string' ? { externalId } : {}),
    ...(typeof type === 'string' ? { type } : {}),
  });
  return printList(context, products, 'No products.', ['ID', 'EXTERNAL ID', 'TYPE', 'ALIAS'], (product) => [
    String(product.id),
    String((product['identity'] as { externalId?: string } | undefined)?.externalId ?? ''),
    String(product['type'] ?? ''),
    String(product['alias'] ?? ''),
  ]);
}

async function tree(context: CommandContext): Promise<number> {
  const target = (context.values['target'] as string | undefined) ?? 'draft';
  if (!['draft', 'preview', 'live'].includes(target)) throw new UsageError(`--target must be draft, preview or live, not '${target}'`);
  const found = await reads(context).getResourceTree(await productId(context.client, context.positionals[0]!), target as TargetType);
  if (context.json) {
    printJson(context.io, found);
    return EXIT_OK;
  }
  context.io.stdout.write(
    table(
      ['ID', 'SCHEMA'],
      found.resources.map((resource) => [String(resource.id ?? ''), resource.$schema]),
    ),
  );
  return EXIT_OK;
}

async function plans(context: CommandContext): Promise<number> {
  const found = await reads(context).listPlans(await productId(context.client, context.positionals[0]!));
  return printList(context, found, 'No plans.', ['ID', 'EXTERNAL ID', 'ALIAS'], (plan) => [
    String(plan.id),
    String((plan['identity'] as { externalId?: string } | undefined)?.externalId ?? ''),
    String(plan['alias'] ?? ''),
  ]);
}

async function submissions(context: CommandContext): Promise<number> {
  const found = await reads(context).listSubmissions(await productId(context.client, context.positionals[0]!));
  return printList(context, found, 'No submissions.', ['ID', 'TARGET', 'STATUS', 'RESULT'], (submission) => [
    String(submission.id),
    String((submission['target'] as { targetType?: string } | undefined)?.targetType ?? ''),
    String(submission['status'] ?? ''),
    String(submission['result'] ?? ''),
  ]);
}

function readInput(context: CommandContext): string {
  const file = context.values['file'];
  if (typeof file !== 'string' || file === '-') return readFileSync(0, 'utf8');
  return readFileSync(file, 'utf8');
}

async function configure(context: CommandContext): Promise<number> {
  let request: unknown;
  try {
    request = JSON.parse(readInput(context));
  } catch (error) {
    throw new UsageError(`the configure request is not JSON: ${(error as Error).message}`);
  }
  const body: { $schema?: string; resources?: unknown[] } = Array.isArray(request)
    ? { resources: request }
    : (request as { $schema?: string; resources?: unknown[] });
  if (!Array.isArray(body.resources)) throw new UsageError('the configure request needs a "resources" array');
  const accepted = await context.client.productIngestion.configure(body.resources, body.$schema ? { schema: body.$schema } : {});
  return finish(context, accepted);
}

async function submit(context: CommandContext, target: 'preview' | 'live'): Promise<number> {
  const client = context.client;
  const product = await productId(client, context.positionals[0]!);
  let id: string | undefined;
  if (target === 'live') {
    const preview = (await client.productIngestion.listSubmissions(product)).find(
      (submission) => (submission['target'] as { targetType?: string } | undefined)?.targetType === 'preview',
    );
    if (!preview?.id) return fail(context.io, `nothing to take live: ${product} has no preview submission (publish first)`);
    id = preview.id;
  }
  const accepted = await client.productIngestion.configure([{ $schema: SUBMISSION_SCHEMA, ...(id ? { id } : {}), product, target: { targetType: target } }]);
  return finish(context, accepted);
}

/** Waits for the job unless --no-wait; prints its status; exit 1 when it failed or was cancelled. */
async function finish(context: CommandContext, accepted: ConfigureStatus): Promise<number> {
  const status = context.values['no-wait'] === true ? accepted : await context.client.productIngestion.waitForJob(accepted.jobId, { intervalMs: 250 });
  printStatus(context, status);
  return status.jobStatus === 'completed' && status.jobResult !== 'succeeded' ? EXIT_FAILED : EXIT_OK;
}

function printStatus(context: CommandContext, status: ConfigureStatus): void {
  if (context.json) {
    printJson(context.io, status);
    return;
  }
  context.io.stdout.write(`job ${status.jobId}: ${status.jobStatus}, ${status.jobResult}\n`);
  const walk = (nodes: IngestionErrorNode[], depth: number) => {
    for (const node of nodes) {
      context.io.stdout.write(`${'  '.repeat(depth + 1)}${node.code}: ${node.message}${node.resourceId ? ` (${node.resourceId})` : ''}\n`);
      walk(node.details as IngestionErrorNode[], depth + 1);
    }
  };
  walk(status.errors, 0);
}

async function job(context: CommandContext): Promise<number> {
  const jobId = context.positionals[0]!;
  const api = context.client.productIngestion;
  if (context.values['detail'] === true) {
    printJson(context.io, await api.getJobDetail(jobId));
    return EXIT_OK;
  }
  const status = context.values['cancel'] === true ? await api.cancelJob(jobId) : await api.getJobStatus(jobId);
  printStatus(context, status);
  return EXIT_OK;
}
