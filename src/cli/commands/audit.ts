/** cloudpartner audit — the audit trail of a publisher or an offer, through the API (an Owner's token, or the sandbox admin token). */
import { type CommandContext, type Io, printJson, runCommand, shortTime, table } from '../remote/output.ts';
import { GLOBAL_HELP, UsageError } from '../remote/settings.ts';
import type { AuditRecord } from '../../client/types.ts';

const USAGE = `Usage: cloudpartner audit [options]

  Every write to the publisher — PUT, publish, go live, cancel, members, applications, tokens,
  webhooks, configure jobs, sandbox actions — newest first: when, what, who (never a token), the
  request id, and the offer's ETag before and after.

  --offer <id>            only this offer's records
  --since <time>          only records at or after this ISO 8601 time (e.g. 2026-11-30T12:00:00Z)
  --limit <n>             records a page, 1 to 1000 (default 100)
  --continuation <token>  the page after the one that printed this token
  --every-publisher       every record, of every publisher and none (the sandbox admin token only)

${GLOBAL_HELP}`;

export async function auditCommand(args: string[], io: Io): Promise<number> {
  return runCommand(
    io,
    args,
    {
      usage: USAGE,
      options: {
        offer: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        continuation: { type: 'string' },
        'every-publisher': { type: 'boolean' },
      },
    },
    list,
  );
}

async function list(context: CommandContext): Promise<number> {
  const { offer, since, limit, continuation } = context.values;
  const every = context.values['every-publisher'] === true;
  if (every && typeof offer === 'string') throw new UsageError('--offer needs a publisher: leave out --every-publisher');
  if (limit !== undefined && !/^\d{1,4}$/.test(String(limit))) throw new UsageError('--limit must be a whole number from 1 to 1000');
  const client = every ? context.client : await context.publisherClient();
  const page = await client.listAudit({
    ...(every ? { publisherId: null } : {}),
    ...(typeof offer === 'string' ? { offerId: offer } : {}),
    ...(typeof since === 'string' ? { since } : {}),
    ...(typeof limit === 'string' ? { limit: Number(limit) } : {}),
    ...(typeof continuation === 'string' ? { continuationToken: continuation } : {}),
  });
  if (context.json) {
    printJson(context.io, page);
    return 0;
  }
  if (page.value.length === 0) context.io.stdout.write('No audit records.\n');
  else context.io.stdout.write(table(['TIME', 'ACTION', 'BY', 'OFFER', 'ETAG BEFORE → AFTER', 'OPERATION / TARGET', 'REQUEST'], page.value.map(row)));
  if (page.continuationToken) context.io.stdout.write(`More: cloudpartner audit … --continuation ${page.continuationToken}\n`);
  return 0;
}

function row(record: AuditRecord): string[] {
  const by = record.principal.displayName ? `${record.principal.displayName} (${record.principal.kind})` : `${record.principal.kind} ${record.principal.id}`;
  const etags = record.etagBefore || record.etagAfter ? `${record.etagBefore ?? '—'} → ${record.etagAfter ?? '—'}` : '';
  return [shortTime(record.time), record.action, by, record.offerId ?? '', etags, record.operationId ?? record.target ?? '', record.requestId ?? ''];
}
