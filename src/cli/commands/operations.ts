/** cloudpartner operations list|show — an offer's operations (submissions), and one operation with its steps. */
import type { Operation } from '../../client/types.ts';
import { type CommandContext, EXIT_OK, type Io, helpOrUnknown, oneLine, printJson, runCommand, shortTime, stripHtml, table } from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';
import { WAIT_HELP, WAIT_OPTIONS, failureMessages, waitSettings, watchOperation } from '../remote/watch.ts';

const USAGE = `Usage: cloudpartner operations <command> [options]

  list <offer> [--status running|succeeded|completed|failed|canceled]
                                      the offer's operations, newest first
  show <offer> <operation-id> [--wait]
  show <location> [--wait]            one operation and its steps: by id, or by the Location a publish,
                                      golive or cancel answered (/api/publishers/…/operations/<id> or
                                      /api/operations/<publisher>$<offer>$<version>$<slot>)

${WAIT_HELP}
${GLOBAL_HELP}`;

const STATUSES = ['running', 'succeeded', 'completed', 'failed', 'canceled'] as const;

export async function operationsCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner operations list <offer> [--status running|succeeded|completed|failed|canceled]\n',
          options: { status: { type: 'string' } },
          positionals: { min: 1, max: 1 },
        },
        list,
      );
    case 'show':
      return runCommand(
        io,
        rest,
        {
          usage: `cloudpartner operations show <offer> <operation-id> | <location> [--wait]\n${WAIT_HELP}`,
          options: WAIT_OPTIONS,
          positionals: { min: 1, max: 2 },
        },
        show,
      );
    default:
      return helpOrUnknown(io, 'operations', subcommand, USAGE);
  }
}

async function list(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const offerId = context.positionals[0]!.toLowerCase();
  const status = context.values['status'];
  if (typeof status === 'string' && !(STATUSES as readonly string[]).includes(status.toLowerCase())) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not '${status}'`);
  }
  const submissions = await client.listSubmissions(offerId, typeof status === 'string' ? { status: status.toLowerCase() } : {});
  if (context.json) {
    printJson(context.io, submissions);
    return EXIT_OK;
  }
  if (submissions.length === 0) {
    context.io.stdout.write(`No ${typeof status === 'string' ? `${status.toLowerCase()} ` : ''}operations on ${offerId}.\n`);
    return EXIT_OK;
  }
  context.io.stdout.write(
    table(
      ['ID', 'TYPE', 'VERSION', 'STATE', 'CREATED', 'LAST ACTION', 'MESSAGE'],
      submissions.map((s) => [
        s.id,
        s.submissionType,
        s.publishingVersion,
        s.status ?? s.submissionState,
        shortTime(s.createdDateTime),
        shortTime(s.lastActionDateTime ?? s.changedTime),
        oneLine(stripHtml(s.error ?? '')),
      ]),
    ),
  );
  return EXIT_OK;
}

/** <offer> <operation-id>, or one Location: what to read, and the offer it belongs to. */
function target(positionals: string[]): { location?: string; offerId: string; operationId?: string } {
  const [first, second] = positionals as [string, string?];
  if (second !== undefined) return { offerId: first.toLowerCase(), operationId: second.toLowerCase() };
  const modern = /\/api\/publishers\/[^/]+\/offers\/([^/]+)\/operations\/([^/?]+)/i.exec(first);
  if (modern) return { location: first, offerId: decodeURIComponent(modern[1]!).toLowerCase(), operationId: modern[2]! };
  const legacy = /\/api\/operations\/([^/?]+)/i.exec(first);
  if (legacy) {
    const parts = decodeURIComponent(legacy[1]!).split('$');
    if (parts.length === 4) return { location: first, offerId: parts[1]!.toLowerCase() };
  }
  throw new UsageError(`'${first}' is not an operation location: give <offer> <operation-id>, or the Location a publish answered`);
}

async function show(context: CommandContext): Promise<number> {
  waitSettings(context.values);
  const which = target(context.positionals);
  const client = await context.publisherClient();
  const location = which.location;
  if (context.values['wait']) {
    const operationTarget = location ?? { offerId: which.offerId, operationId: which.operationId! };
    return watchOperation(context, client, operationTarget, { title: `Following ${which.offerId}`, offerId: which.offerId });
  }
  const operation = location ? await client.getOperationAt(location) : await client.getOperation(which.offerId, which.operationId!);
  if (context.json) {
    printJson(context.io, operation);
    return EXIT_OK;
  }
  context.io.stdout.write(render(operation, which.offerId));
  return EXIT_OK;
}

function render(operation: Operation, offerId: string): string {
  const lines = [
    `operation:    ${operation.id}`,
    `offer:        ${offerId}`,
    `type:         ${operation.submissionType}`,
    `status:       ${operation.status}`,
    `version:      ${operation.publishingVersion}`,
    `created:      ${shortTime(operation.createdDateTime)}`,
    `last action:  ${shortTime(operation.lastActionDateTime)}`,
  ];
  if (operation.notificationEmails) lines.push(`notify:       ${operation.notificationEmails}`);
  let text = `${lines.join('\n')}\n\n${table(
    ['STEP', 'NAME', 'STATUS', 'PROGRESS', 'ESTIMATE'],
    operation.steps.map((step) => [step.id, step.stepName, step.status, `${step.progressPercentage}%`, step.estimatedTimeFrame]),
  )}`;
  const failures = ['failed', 'canceled'].includes(operation.status.toLowerCase()) ? failureMessages(operation) : [];
  if (failures.length > 0) text += `\nMessages:\n${failures.map(({ where, message }) => `  ${where ? `${where}: ` : ''}${message}`).join('\n')}\n`;
  return text;
}
