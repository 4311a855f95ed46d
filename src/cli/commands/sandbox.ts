/**
 * cloudpartner sandbox faults add|list|rm, sandbox clock, sandbox advance — the sandbox controls
 * of a server run with --sandbox, through the API (the token must be the sandbox admin token).
 */
import { readFileSync } from 'node:fs';
import type { FaultRule, NewFaultRule, SandboxClock, StepDurationsSetting } from '../../client/types.ts';
import { type CommandContext, EXIT_OK, type Io, helpOrUnknown, printDone, printJson, printList, runCommand, table } from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';

const USAGE = `Usage: cloudpartner sandbox <command> [options]   (a server run with --sandbox; --token: the sandbox admin token)

  faults add <rule.json | ->   add a fault rule: {"match": {…}, "effect": {…}, "times"?: n}, from a file or stdin
  faults add --fail <message> [--offer <id>] [--operation publish|golive|cancel] [--step <id>] [--times <n>]
                               the next matching step fails with that message (certification, unless --step)
  faults list                  the rules in force, with how often each has acted
  faults rm <id>               remove a rule (the steps it held run at once)
  clock [--durations zero|fast|realistic|<step>=<ms>,…]
                               show workflow time and step durations, or set the durations
  advance <time>               move workflow time ahead: 90s, 30m, 12h, 7d, or milliseconds
  reset [--demo] [--identities]
                               empty the catalog and remove every fault rule; --demo: the demo data back;
                               --identities: also publishers, members, applications and their tokens
  snapshot <name>              save the whole catalog under that name
  restore <name>               bring the catalog back exactly as the snapshot saved it
  snapshots [rm <name>]        list the snapshots, or remove one
  journal [--offer <id>] [--limit <n>]
                               the latest API requests and their answers, newest first
  outbox [--offer <id>] [--to <address>] [--limit <n>]
                               the e-mails the service would have sent about operations, newest first

${GLOBAL_HELP}`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `90s`, `500ms` or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 'ms']! : NaN;
  if (!(ms >= 1)) throw new UsageError(`'${text}' is not a time: give e.g. 90s, 30m, 12h, 7d, or milliseconds`);
  return ms;
}

function parseDurations(text: string): StepDurationsSetting {
  if (text === 'zero' || text === 'fast' || text === 'realistic') return text;
  const entries = text.split(',').map((pair) => {
    const [stepId, value] = pair.split('=');
    if (!stepId || value === undefined) throw new UsageError(`--durations takes zero, fast, realistic or <step>=<time>,…, not '${text}'`);
    return [stepId.trim(), value.trim() === '0' ? 0 : parseDuration(value)] as const;
  });
  return Object.fromEntries(entries);
}

export async function sandboxCommand(args: string[], io: Io): Promise<number> {
  const [subcommand, action, ...rest] = args;
  /** The arguments after the subcommand, for those that have no action word. */
  const all = action === undefined ? rest : [action, ...rest];
  if (subcommand === 'faults' && action === 'add')
    return runCommand(
      io,
      rest,
      {
        usage: 'cloudpartner sandbox faults add <rule.json | -> | --fail <message> [options]\n',
        options: { fail: { type: 'string' }, offer: { type: 'string' }, operation: { type: 'string' }, step: { type: 'string' }, times: { type: 'string' } },
        positionals: { min: 0, max: 1 },
      },
      addFault,
    );
  if (subcommand === 'faults' && action === 'list') return runCommand(io, rest, { usage: 'cloudpartner sandbox faults list\n' }, listFaults);
  if (subcommand === 'faults' && action === 'rm')
    return runCommand(io, rest, { usage: 'cloudpartner sandbox faults rm <id>\n', positionals: { min: 1, max: 1 } }, async (context) => {
      await context.client.sandbox.removeFault(context.positionals[0]!);
      return printDone(context, { removed: context.positionals[0] }, `removed ${context.positionals[0]}`);
    });
  if (subcommand === 'clock')
    return runCommand(io, all, { usage: 'cloudpartner sandbox clock [--durations …]\n', options: { durations: { type: 'string' } } }, clock);
  if (subcommand === 'advance')
    return runCommand(io, all, { usage: 'cloudpartner sandbox advance <time>\n', positionals: { min: 1, max: 1 } }, async (context) =>
      showClock(context, await context.client.sandbox.advanceClock(parseDuration(context.positionals[0]!))),
    );
  if (subcommand === 'reset')
    return runCommand(
      io,
      all,
      { usage: 'cloudpartner sandbox reset [--demo] [--identities]\n', options: { demo: { type: 'boolean' }, identities: { type: 'boolean' } } },
      async (context) => {
        const done = await context.client.sandbox.reset({ demo: context.values['demo'] === true, identities: context.values['identities'] === true });
        return printDone(context, done, `reset${done.demo ? ', demo data loaded' : ''}${done.identities ? ', identities removed' : ''}`);
      },
    );
  if (subcommand === 'snapshot' || subcommand === 'restore')
    return runCommand(io, all, { usage: `cloudpartner sandbox ${subcommand} <name>\n`, positionals: { min: 1, max: 1 } }, async (context) => {
      const name = context.positionals[0]!;
      if (subcommand === 'restore') await context.client.sandbox.restoreSnapshot(name);
      const saved = subcommand === 'snapshot' ? await context.client.sandbox.saveSnapshot(name) : undefined;
      return printDone(context, saved ?? { restored: name }, saved ? `saved ${name} (${saved.size} bytes)` : `restored ${name}`);
    });
  if (subcommand === 'snapshots')
    return runCommand(io, all, { usage: 'cloudpartner sandbox snapshots [rm <name>]\n', positionals: { min: 0, max: 2 } }, async (context) => {
      const [verb, name] = context.positionals;
      if (verb !== undefined) {
        if (verb !== 'rm' || name === undefined) throw new UsageError('usage: cloudpartner sandbox snapshots [rm <name>]');
        await context.client.sandbox.deleteSnapshot(name);
        return printDone(context, { removed: name }, `removed ${name}`);
      }
      const snapshots = await context.client.sandbox.listSnapshots();
      return printList(context, snapshots, 'No snapshots.', ['NAME', 'SAVED', 'BYTES'], (snapshot) => [snapshot.name, snapshot.createdTime, snapshot.size]);
    });
  if (subcommand === 'journal')
    return runCommand(
      io,
      all,
      { usage: 'cloudpartner sandbox journal [--offer <id>] [--limit <n>]\n', options: { offer: { type: 'string' }, limit: { type: 'string' } } },
      journal,
    );
  if (subcommand === 'outbox')
    return runCommand(
      io,
      all,
      {
        usage: 'cloudpartner sandbox outbox [--offer <id>] [--to <address>] [--limit <n>]\n',
        options: { offer: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
      },
      outbox,
    );
  return helpOrUnknown(io, 'sandbox', subcommand, USAGE);
}

async function outbox(context: CommandContext): Promise<number> {
  const { offer, to, limit } = context.values;
  const messages = await context.client.sandbox.outbox({
    ...(typeof offer === 'string' ? { offerId: offer } : {}),
    ...(typeof to === 'string' ? { to } : {}),
    ...(typeof limit === 'string' ? { limit: Number(limit) } : {}),
  });
  if (context.json) printJson(context.io, messages);
  else if (messages.length === 0) context.io.stdout.write('No messages.\n');
  else for (const message of messages) context.io.stdout.write(`${message.time}  to ${message.to.join(', ')}\n  ${message.subject}\n  ${message.text}\n\n`);
  return EXIT_OK;
}

async function journal(context: CommandContext): Promise<number> {
  const { offer, limit } = context.values;
  const entries = await context.client.sandbox.journal({
    ...(typeof offer === 'string' ? { offerId: offer } : {}),
    ...(typeof limit === 'string' ? { limit: Number(limit) } : {}),
    ...(context.client.publisherId ? { publisherId: context.client.publisherId } : {}),
  });
  return printList(context, entries, 'No requests yet.', ['TIME', 'METHOD', 'PATH', 'STATUS', 'MS'], (entry) => [
    entry.time,
    entry.method,
    entry.path,
    entry.status,
    entry.durationMs,
  ]);
}

async function addFault(context: CommandContext): Promise<number> {
  const { values, positionals } = context;
  let rule: NewFaultRule;
  if (typeof values['fail'] === 'string') {
    if (positionals.length > 0) throw new UsageError('give a rule file or --fail, not both');
    const match: Record<string, string> = {};
    if (typeof values['offer'] === 'string') match['offerId'] = values['offer'];
    if (typeof values['operation'] === 'string') match['operation'] = values['operation'];
    if (typeof values['step'] === 'string') match['step'] = values['step'];
    if (context.client.publisherId) match['publisherId'] = context.client.publisherId;
    const times = typeof values['times'] === 'string' ? Number(values['times']) : undefined;
    rule = { match, effect: { fail: { messages: [values['fail']] } }, ...(times !== undefined ? { times } : {}) } as NewFaultRule;
  } else {
    const source = positionals[0];
    if (source === undefined) throw new UsageError('give a rule: a JSON file, - for stdin, or --fail <message>');
    const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
    try {
      rule = JSON.parse(text) as NewFaultRule;
    } catch (error) {
      throw new UsageError(`the rule is not JSON: ${(error as Error).message}`);
    }
  }
  const added = await context.client.sandbox.addFault(rule);
  return printDone(context, added, added.id);
}

function describeRule(rule: FaultRule): [string, string] {
  const match = Object.entries(rule.match)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return [match || 'everything', JSON.stringify(rule.effect)];
}

async function listFaults(context: CommandContext): Promise<number> {
  const rules = await context.client.sandbox.listFaults();
  return printList(context, rules, 'No fault rules.', ['ID', 'KIND', 'MATCH', 'EFFECT', 'TIMES LEFT', 'HITS'], (rule) => [
    rule.id,
    rule.kind,
    ...describeRule(rule),
    rule.times ?? '∞',
    rule.hits,
  ]);
}

async function clock(context: CommandContext): Promise<number> {
  const durations = context.values['durations'];
  const state =
    typeof durations === 'string' ? await context.client.sandbox.setStepDurations(parseDurations(durations)) : await context.client.sandbox.getClock();
  return showClock(context, state);
}

function showClock(context: CommandContext, state: SandboxClock): number {
  if (context.json) {
    printJson(context.io, state);
    return EXIT_OK;
  }
  context.io.stdout.write(`workflow time ${state.now} (${Math.round(state.offsetMs / 1000)} s ahead of real time)\n`);
  context.io.stdout.write(table(['STEP', 'DURATION (ms)'], Object.entries(state.stepDurations)));
  return EXIT_OK;
}
