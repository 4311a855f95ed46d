/** cloudpartner webhooks add|list|rm|deliveries — a publisher's webhooks, through the API (an Owner's token, or the sandbox admin token). */
import { type CommandContext, EXIT_OK, type Io, helpOrUnknown, printJson, runCommand, table } from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';
import type { WebhookEvent } from '../../client/types.ts';

const USAGE = `Usage: cloudpartner webhooks <command> [options]

  add --url <url> --event <type> [--event <type> …] --secret <text>
                     subscribe the URL to the publisher's events (operation.started, operation.succeeded,
                     operation.failed, operation.canceled, offer.updated); each delivery is a signed POST
                     (X-CloudPartner-Signature: sha256=<HMAC-SHA256 of the body with the secret>)
  list               the webhooks of the publishers you own
  rm <id>            unsubscribe (deliveries not made yet are dropped)
  deliveries <id>    every delivery of a webhook: event, state, attempts, the last answer

${GLOBAL_HELP}`;

export async function webhooksCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'add':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner webhooks add --url <url> --event <type> … --secret <text>\n',
          options: { url: { type: 'string' }, event: { type: 'string', multiple: true }, secret: { type: 'string' } },
        },
        add,
      );
    case 'list':
      return runCommand(io, rest, { usage: 'cloudpartner webhooks list\n' }, list);
    case 'rm':
      return runCommand(io, rest, { usage: 'cloudpartner webhooks rm <id>\n', positionals: { min: 1, max: 1 } }, async (context) => {
        await context.client.webhooks.remove(context.positionals[0]!);
        if (context.json) printJson(context.io, { removed: context.positionals[0] });
        else context.io.stdout.write(`removed ${context.positionals[0]}\n`);
        return EXIT_OK;
      });
    case 'deliveries':
      return runCommand(io, rest, { usage: 'cloudpartner webhooks deliveries <id>\n', positionals: { min: 1, max: 1 } }, deliveries);
    default:
      return helpOrUnknown(io, 'webhooks', subcommand, USAGE);
  }
}

async function add(context: CommandContext): Promise<number> {
  const { url, event, secret } = context.values;
  if (typeof url !== 'string' || !Array.isArray(event) || event.length === 0 || typeof secret !== 'string')
    throw new UsageError('webhooks add needs --url, at least one --event, and --secret');
  const client = await context.publisherClient();
  const webhook = await client.webhooks.add({ url, events: event as WebhookEvent[], secret });
  if (context.json) printJson(context.io, webhook);
  else context.io.stdout.write(`${webhook.id}\n`);
  return EXIT_OK;
}

async function list(context: CommandContext): Promise<number> {
  const webhooks = await context.client.webhooks.list();
  if (context.json) printJson(context.io, webhooks);
  else if (webhooks.length === 0) context.io.stdout.write('No webhooks.\n');
  else
    context.io.stdout.write(
      table(
        ['ID', 'PUBLISHER', 'URL', 'EVENTS'],
        webhooks.map((webhook) => [webhook.id, webhook.publisherId, webhook.url, webhook.events.join(', ')]),
      ),
    );
  return EXIT_OK;
}

async function deliveries(context: CommandContext): Promise<number> {
  const made = await context.client.webhooks.deliveries(context.positionals[0]!);
  if (context.json) printJson(context.io, made);
  else
    context.io.stdout.write(
      table(
        ['OFFER', 'SEQ', 'EVENT', 'STATE', 'ATTEMPTS', 'LAST'],
        made.map((delivery) => [
          delivery.offerId,
          delivery.sequence,
          delivery.event,
          delivery.state,
          delivery.attempts,
          delivery.lastStatus ?? delivery.lastError ?? '',
        ]),
      ),
    );
  return EXIT_OK;
}
