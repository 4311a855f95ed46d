/** cloudpartner publishers list — the publisher namespaces the credentials can see. */
import { type CommandContext, EXIT_OK, type Io, helpOrUnknown, printJson, runCommand, table } from '../remote/output.ts';
import { GLOBAL_HELP } from '../remote/settings.ts';

const USAGE = `Usage: cloudpartner publishers list [options]

  list        the publishers the credentials can see, with their offer types

${GLOBAL_HELP}`;

export async function publishersCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return runCommand(io, rest, { usage: 'cloudpartner publishers list\n' }, list);
    default:
      return helpOrUnknown(io, 'publishers', subcommand, USAGE);
  }
}

async function list(context: CommandContext): Promise<number> {
  const publishers = await context.client.listPublishers();
  if (context.json) {
    printJson(context.io, publishers);
    return EXIT_OK;
  }
  if (publishers.length === 0) {
    context.io.stdout.write('The credentials see no publisher: they have no role on any.\n');
    return EXIT_OK;
  }
  context.io.stdout.write(
    table(
      ['ID', 'NAME', 'SELLER ID', 'OFFER TYPES'],
      publishers.map((p) => [p.id, p.definition.displayText, p.definition.sellerId, p.definition.offerTypeCategories.join(', ')]),
    ),
  );
  return EXIT_OK;
}
