/**
 * cloudpartner offers list|show|put|validate|publish|golive|cancel|status|history|diff — an
 * offer's whole life from the command line, through the SDK.
 */
import { readFileSync } from 'node:fs';
import type { CloudPartnerClient, PutOptions } from '../../client/client.ts';
import { diffOffers, formatChanges } from '../../client/diff.ts';
import { CloudPartnerError } from '../../client/errors.ts';
import type { OfferDocument, Slot, Step, ValidationReport, VersionSelector } from '../../client/types.ts';
import {
  type CommandContext,
  EXIT_FAILED,
  EXIT_OK,
  type Io,
  fail,
  helpOrUnknown,
  oneLine,
  printJson,
  runCommand,
  shortTime,
  stripHtml,
  table,
} from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';
import { WAIT_HELP, WAIT_OPTIONS, waitSettings, watchOperation } from '../remote/watch.ts';
import { slotNamed, versionNumber } from '../../domain/slots.ts';

const USAGE = `Usage: cloudpartner offers <command> [options]

  list [--offer-type <type>]                 the publisher's offers
  show <offer> [--slot <slot> | --version <n>]
                                             an offer (the draft by default); -o json prints the whole
                                             document with its eTag, ready to edit and put back
  put [<offer>] [--file <path>|-] [--force]  create an offer or replace its draft, from a file or stdin.
                                             A document carrying its eTag (from show -o json) is written
                                             only if the offer has not changed since; --force overwrites
  validate <offer> [--file <path>|-]         what a put of the document (default: the draft) and a publish
                                             of it would find, changing nothing; exit 1 when not valid
  publish <offer> [--notification-emails <a,b>] [--wait]
                                             publish the draft to Preview
  golive <offer> [--wait]                    take the Preview version live
  cancel <offer> [--wait]                    cancel the running operation
  status <offer>                             the offer's status and the steps of its latest publish
  history <offer>                            what each slot holds, and every operation
  diff <offer> [<from> [<to>]]               what differs between two slots (Draft, Preview, Production)
                                             or versions (3 or v3); default: Production → Draft

${WAIT_HELP}
${GLOBAL_HELP}`;

export async function offersCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return runCommand(io, rest, { usage: 'cloudpartner offers list [--offer-type <type>]\n', options: { 'offer-type': { type: 'string' } } }, list);
    case 'show':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner offers show <offer> [--slot Draft|Preview|Production | --version <n>]\n',
          options: { slot: { type: 'string' }, version: { type: 'string' } },
          positionals: { min: 1, max: 1 },
        },
        show,
      );
    case 'put':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner offers put [<offer>] [--file <path>|-] [--force]\n',
          options: { file: { type: 'string', short: 'f' }, force: { type: 'boolean' } },
          positionals: { min: 0, max: 1 },
        },
        (context) => put(context),
      );
    case 'validate':
      return runCommand(
        io,
        rest,
        {
          usage: 'cloudpartner offers validate <offer> [--file <path>|-]\n',
          options: { file: { type: 'string', short: 'f' } },
          positionals: { min: 1, max: 1 },
        },
        validate,
      );
    case 'publish':
    case 'golive':
    case 'cancel':
      return runCommand(
        io,
        rest,
        {
          usage: `cloudpartner offers ${subcommand} <offer> [--notification-emails <a,b>] [--wait] [--interval <ms>] [--timeout <seconds>]\n${WAIT_HELP}`,
          options: { 'notification-emails': { type: 'string' }, ...WAIT_OPTIONS },
          positionals: { min: 1, max: 1 },
        },
        (context) => startOperation(context, subcommand),
      );
    case 'status':
      return runCommand(io, rest, { usage: 'cloudpartner offers status <offer>\n', positionals: { min: 1, max: 1 } }, status);
    case 'history':
      return runCommand(io, rest, { usage: 'cloudpartner offers history <offer>\n', positionals: { min: 1, max: 1 } }, history);
    case 'diff':
      return runCommand(io, rest, { usage: 'cloudpartner offers diff <offer> [<from> [<to>]]\n', positionals: { min: 1, max: 3 } }, diff);
    default:
      return helpOrUnknown(io, 'offers', subcommand, USAGE);
  }
}

async function list(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const offerType = context.values['offer-type'];
  const offers = await client.listOffers(typeof offerType === 'string' ? { offerTypeId: offerType } : {});
  if (context.json) {
    printJson(context.io, offers);
    return EXIT_OK;
  }
  if (offers.length === 0) {
    context.io.stdout.write(`No offers in ${client.publisherId}. Create one with: cloudpartner offers put <offer> --file offer.json\n`);
    return EXIT_OK;
  }
  context.io.stdout.write(
    table(
      ['ID', 'TYPE', 'STATUS', 'VERSION', 'CHANGED', 'NAME'],
      offers.map((offer) => [offer.id, offer.offerTypeId, offer.status, offer.version, shortTime(offer.changedTime), offer.definition.displayText]),
    ),
  );
  return EXIT_OK;
}

/** A version number as a command line gives it: 3 or v3. */
function versionArgument(raw: string): number | undefined {
  return versionNumber(raw.replace(/^v/i, ''));
}

/** A slot name (any case) or a version number (3 or v3). */
function parseSelector(raw: string, what: string): VersionSelector {
  const slot = slotNamed(raw);
  if (slot) return { slot };
  const version = versionArgument(raw);
  if (version !== undefined) return { version };
  throw new UsageError(`${what} '${raw}' is neither a slot (Draft, Preview, Production) nor a version number`);
}

function describeSelector(selector: VersionSelector, version: number): string {
  return selector.version !== undefined ? `version ${version}` : `${selector.slot ?? 'Draft'} (version ${version})`;
}

function selectorFromFlags(context: CommandContext): VersionSelector {
  const slot = context.values['slot'];
  const version = context.values['version'];
  if (typeof slot === 'string' && typeof version === 'string') throw new UsageError('give --slot or --version, not both');
  if (typeof version === 'string') {
    const number = versionArgument(version);
    if (number === undefined) throw new UsageError(`--version must be a version number (1 or more), not '${version}'`);
    return { version: number };
  }
  if (typeof slot === 'string') {
    const selector = parseSelector(slot, '--slot');
    if (selector.slot === undefined) throw new UsageError(`--slot must be Draft, Preview or Production, not '${slot}'`);
    return selector;
  }
  return {};
}

function planTitle(plan: Record<string, unknown>): string {
  const key = Object.keys(plan).find((name) => name.endsWith('.skuTitle') || name === 'title');
  return key && typeof plan[key] === 'string' ? (plan[key] as string) : '';
}

function planImages(plan: Record<string, unknown>): string {
  const key = Object.keys(plan).find((name) => name.endsWith('.vmImages'));
  const images = key ? plan[key] : undefined;
  return images && typeof images === 'object' ? Object.keys(images).join(', ') : '';
}

async function show(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const selector = selectorFromFlags(context);
  const { offer, etag } = await client.getOffer(context.positionals[0]!, selector);
  if (context.json) {
    // The eTag rides in the document (as in the API's PUT sample), so `offers put` can send it back in If-Match.
    printJson(context.io, { ...offer, eTag: etag });
    return EXIT_OK;
  }
  const lines = [
    `id:           ${offer.id}`,
    `publisher:    ${offer.publisherId}`,
    `type:         ${offer.offerTypeId}`,
    `status:       ${offer.status}`,
    `version:      ${describeSelector(selector, offer.version)}`,
    `changed:      ${shortTime(offer.changedTime)}`,
    `etag:         ${etag}`,
    `display text: ${offer.definition.displayText ?? ''}`,
  ];
  const title = offer.definition.offer?.['microsoft-azure-marketplace.title'];
  if (typeof title === 'string') lines.push(`title:        ${title}`);
  context.io.stdout.write(`${lines.join('\n')}\n`);
  const plans = offer.definition.plans ?? [];
  if (plans.length > 0) {
    context.io.stdout.write(
      `\nPlans:\n${table(
        ['PLAN ID', 'TITLE', 'IMAGES', 'REGIONS'],
        plans.map((plan) => [plan.planId, planTitle(plan), planImages(plan), Array.isArray(plan['regions']) ? plan['regions'].length : '']),
      )}`,
    );
  }
  context.io.stdout.write(
    `\nThe whole document: cloudpartner offers show ${offer.id}${selector.slot ? ` --slot ${selector.slot}` : selector.version ? ` --version ${selector.version}` : ''} -o json\n`,
  );
  return EXIT_OK;
}

async function readDocument(io: Io, file: string | undefined): Promise<{ text: string; from: string }> {
  if (file !== undefined && file !== '-') {
    try {
      return { text: readFileSync(file, 'utf8'), from: file };
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  const stdin = io.stdin;
  if (file === undefined && stdin.isTTY) throw new UsageError('give the document with --file <path>, or pipe it on stdin (--file -)');
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk as string;
  return { text, from: 'stdin' };
}

function parseDocument(text: string, from: string): OfferDocument {
  let document: OfferDocument;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, '')) as OfferDocument;
  } catch (error) {
    throw new UsageError(`the document from ${from} is not JSON: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new UsageError(`the document from ${from} must be a JSON object (an offer)`);
  return document;
}

async function put(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const { text, from } = await readDocument(io, typeof values['file'] === 'string' ? values['file'] : undefined);
  const document = parseDocument(text, from);
  const client = await context.publisherClient();
  const offerId = (context.positionals[0] ?? (typeof document.id === 'string' ? document.id : '')).toLowerCase();
  if (!offerId) throw new UsageError(`which offer? The document from ${from} has no id: give it as an argument (offers put <offer>)`);

  // The eTag in the document is the one of the offer it was read from; another offer (a copy
  // under a new id or publisher) is written as a new one.
  const sameOffer =
    typeof document.id === 'string' &&
    document.id.toLowerCase() === offerId &&
    (typeof document.publisherId !== 'string' || document.publisherId.toLowerCase() === client.publisherId);
  const etag = sameOffer && typeof document['eTag'] === 'string' && document['eTag'] ? (document['eTag'] as string) : undefined;
  const body: OfferDocument = { ...document, id: offerId };
  if (typeof document.publisherId === 'string') body.publisherId = client.publisherId!;
  if (!sameOffer) delete body['eTag'];
  const options: PutOptions = values['force'] ? { force: true } : etag ? { etag } : {};

  let result;
  try {
    result = await client.putOffer(body, options);
  } catch (error) {
    const exists =
      error instanceof CloudPartnerError &&
      ((error.status === 409 && error.code === 'InvalidResourceId') || (error.status === 412 && !options.etag && !options.force));
    if (exists) {
      return fail(
        io,
        `${offerId} already exists, and the document from ${from} does not carry its eTag, so writing it could overwrite someone's changes. Start from 'cloudpartner offers show ${offerId} -o json' (it includes the eTag), or pass --force to overwrite the draft.`,
      );
    }
    if (error instanceof CloudPartnerError && error.status === 412) {
      return fail(
        io,
        `${offerId} has changed since the document from ${from} was read (its eTag is stale). Show it again and reapply your change, or pass --force to overwrite the draft.`,
      );
    }
    throw error;
  }
  if (context.json) printJson(io, { ...result.offer, eTag: result.etag });
  else
    io.stdout.write(
      `${result.created ? `Created ${result.offer.id}` : `Updated the draft of ${result.offer.id}`}: version ${result.offer.version}, status ${result.offer.status}.\n`,
    );
  return EXIT_OK;
}

/**
 * The dry run: the document from --file as `put <offer>` would send it (its id and publisher made
 * the offer's), or without --file the draft. The report goes to stdout; exit 1 when not valid.
 */
async function validate(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const offerId = context.positionals[0]!.toLowerCase();
  let body: OfferDocument | undefined;
  let subject = `The draft of ${offerId}`;
  if (typeof values['file'] === 'string') {
    const { text, from } = await readDocument(io, values['file']);
    const document = parseDocument(text, from);
    body = { ...document, id: offerId };
    delete body['eTag'];
    subject = `The document from ${from}`;
  }
  const client = await context.publisherClient();
  if (body && typeof body.publisherId === 'string') body.publisherId = client.publisherId!;
  const report = await client.validateOffer(offerId, body);
  if (context.json) printJson(io, report);
  else io.stdout.write(describeReport(report, body ? `${subject} (as ${offerId})` : subject, body !== undefined));
  return report.valid ? EXIT_OK : EXIT_FAILED;
}

function describeReport(report: ValidationReport, subject: string, document: boolean): string {
  if (report.valid) return `${subject} is valid: ${document ? 'a put would store it, and ' : ''}a publish of it would pass validation and certification.\n`;
  const count = report.problemCount;
  const lines = [`${subject} is not valid: ${count} problem${count === 1 ? '' : 's'}.`];
  const width = Math.max(...report.problems.map((problem) => problem.stage.length));
  for (const problem of report.problems) lines.push(`  ${problem.stage.padEnd(width)}  ${oneLine(problem.path)}: ${oneLine(problem.message)}`);
  const more = count - report.problems.length;
  if (more > 0) lines.push(`  … and ${more} more (the first ${report.problems.length} are listed)`);
  return `${lines.join('\n')}\n`;
}

async function startOperation(context: CommandContext, action: 'publish' | 'golive' | 'cancel'): Promise<number> {
  waitSettings(context.values);
  const client = await context.publisherClient();
  const offerId = context.positionals[0]!.toLowerCase();
  const emails = context.values['notification-emails'];
  const options = typeof emails === 'string' ? { notificationEmails: emails } : {};
  const started =
    action === 'publish'
      ? await client.publish(offerId, options)
      : action === 'golive'
        ? await client.goLive(offerId, options)
        : await client.cancel(offerId, options);
  const op = started.operation;

  if ('completed' in started && started.completed) {
    // A publish stops at once: nothing else to wait for.
    if (context.json) printJson(context.io, op);
    else context.io.stdout.write(`Canceled the ${op.submissionType} of ${offerId} (version ${op.publishingVersion}, operation ${op.id}).\n`);
    return EXIT_OK;
  }
  if (context.values['wait']) {
    const title =
      action === 'publish'
        ? `Publishing ${offerId} version ${op.publishingVersion}`
        : action === 'golive'
          ? `Taking ${offerId} version ${op.publishingVersion} live`
          : `Withdrawing the go-live of ${offerId}`;
    return watchOperation(context, client, started, { title, offerId });
  }
  if (context.json) {
    printJson(context.io, { operationId: started.operationId, location: started.location, operation: op });
    return EXIT_OK;
  }
  const verb =
    action === 'publish'
      ? `Publishing version ${op.publishingVersion} of ${offerId}`
      : action === 'golive'
        ? `Taking version ${op.publishingVersion} of ${offerId} live`
        : `Withdrawing the go-live of ${offerId}`;
  context.io.stdout.write(`${verb}: operation ${op.id}\nFollow it with: cloudpartner operations show ${offerId} ${op.id} --wait\n`);
  return EXIT_OK;
}

function stepsTable(steps: Step[]): string {
  return table(
    ['STEP', 'NAME', 'STATUS', 'PROGRESS', 'ESTIMATE'],
    steps.map((step) => [step.id, step.stepName, step.status, `${step.progressPercentage}%`, step.estimatedTimeFrame]),
  );
}

async function status(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const offerId = context.positionals[0]!.toLowerCase();
  const offerStatus = await client.getStatus(offerId);
  if (context.json) {
    printJson(context.io, offerStatus);
    return EXIT_OK;
  }
  const out = context.io.stdout;
  out.write(`${offerId}: ${offerStatus.status}${offerStatus.notificationEmails ? `  (notifications to ${offerStatus.notificationEmails})` : ''}\n`);
  if (offerStatus.steps.length === 0) out.write('Never published: no steps yet.\n');
  else out.write(`\n${stepsTable(offerStatus.steps)}`);
  // Step messages with their step; the offer's own messages unless a step already said the same.
  const seen = new Set<string>();
  const messages: string[] = [];
  for (const step of offerStatus.steps) {
    for (const message of step.messages.filter((m) => m.level !== 'information')) {
      const text = oneLine(stripHtml(message.messageHtml));
      seen.add(text);
      messages.push(`${step.stepName}: ${text}`);
    }
  }
  for (const message of offerStatus.messages) {
    const text = oneLine(stripHtml(message.messageHtml));
    if (!seen.has(text)) messages.push(text);
    seen.add(text);
  }
  if (messages.length > 0) out.write(`\nMessages:\n${messages.map((m) => `  ${m}`).join('\n')}\n`);
  return EXIT_OK;
}

/** The version a slot holds, or null when it is empty (404 SlotEmpty). */
async function slotVersion(client: CloudPartnerClient, offerId: string, slot: Slot): Promise<number | null> {
  try {
    return (await client.getOffer(offerId, { slot })).offer.version;
  } catch (error) {
    if (error instanceof CloudPartnerError && error.status === 404 && error.code === 'SlotEmpty') return null;
    throw error;
  }
}

async function history(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const offerId = context.positionals[0]!.toLowerCase();
  const { offer } = await client.getOffer(offerId);
  const [preview, production, submissions] = await Promise.all([
    slotVersion(client, offerId, 'Preview'),
    slotVersion(client, offerId, 'Production'),
    client.listSubmissions(offerId),
  ]);
  const slots = { Draft: offer.version, Preview: preview, Production: production };
  if (context.json) {
    printJson(context.io, { offerId: offer.id, status: offer.status, slots, submissions });
    return EXIT_OK;
  }
  const show = (version: number | null) => (version === null ? 'empty' : `version ${version}`);
  const out = context.io.stdout;
  out.write(`${offer.id}: ${offer.status}. Draft: ${show(slots.Draft)}, Preview: ${show(slots.Preview)}, Production: ${show(slots.Production)}\n\n`);
  if (submissions.length === 0) {
    out.write('No operations yet.\n');
    return EXIT_OK;
  }
  out.write(
    table(
      ['STARTED', 'OPERATION', 'VERSION', 'STATE', 'ID', 'MESSAGE'],
      submissions.map((s) => [
        shortTime(s.createdDateTime ?? s.changedTime),
        s.submissionType,
        s.publishingVersion,
        s.status ?? s.submissionState,
        s.id,
        oneLine(stripHtml(s.error ?? '')),
      ]),
    ),
  );
  return EXIT_OK;
}

async function diff(context: CommandContext): Promise<number> {
  const client = await context.publisherClient();
  const [rawOffer, rawFrom, rawTo] = context.positionals as [string, string?, string?];
  const offerId = rawOffer.toLowerCase();
  const from = parseSelector(rawFrom ?? 'Production', 'from');
  const to = parseSelector(rawTo ?? 'Draft', 'to');
  const [before, after] = await Promise.all([client.getOffer(offerId, from), client.getOffer(offerId, to)]);
  const changes = diffOffers(before.offer, after.offer);
  const fromLabel = describeSelector(from, before.offer.version);
  const toLabel = describeSelector(to, after.offer.version);
  if (context.json) {
    printJson(context.io, { offerId, from: { ...from, version: before.offer.version }, to: { ...to, version: after.offer.version }, changes });
    return EXIT_OK;
  }
  const out = context.io.stdout;
  out.write(`--- ${offerId} ${fromLabel}\n+++ ${offerId} ${toLabel}\n`);
  if (changes.length === 0) out.write('No differences.\n');
  else
    out.write(
      `${formatChanges(changes, { color: out.isTTY === true && !context.io.env['NO_COLOR'] })}\n${changes.length} difference${changes.length === 1 ? '' : 's'}.\n`,
    );
  return EXIT_OK;
}
