/** cloudpartner webhooks add|list|rm|deliveries — a publisher's webhooks, through the API (an Owner's token, or the sandbox admin token). */
import { type CommandContext, type Io, helpOrUnknown, printDone, printList, runCommand } from '../remote/output.ts';
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
        return printDone(context, { removed: context.positionals[0] }, `removed ${context.positionals[0]}`);
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
  return printDone(context, webhook, webhook.id);
}

async function list(context: CommandContext): Promise<number> {
  const webhooks = await context.client.webhooks.list();
  return printList(context, webhooks, 'No webhooks.', ['ID', 'PUBLISHER', 'URL', 'EVENTS'], (webhook) => [
    webhook.id,
    webhook.publisherId,
    webhook.url,
    webhook.events.join(', '),
  ]);
}

async function deliveries(context: CommandContext): Promise<number> {
  const made = await context.client.webhooks.deliveries(context.positionals[0]!);
  return printList(context, made, 'No deliveries yet.', ['OFFER', 'SEQ', 'EVENT', 'STATE', 'ATTEMPTS', 'LAST'], (delivery) => [
    delivery.offerId,
    delivery.sequence,
    delivery.event,
    delivery.state,
    delivery.attempts,
    delivery.lastStatus ?? delivery.lastError ?? '',
  ]);
}
