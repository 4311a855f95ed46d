/**
 * Output of the API commands: tables for people, JSON for scripts, and failures as one line on
 * stderr. Exit codes: 0 done; 1 the API refused, the endpoint could not be reached, or the
 * operation failed; 2 the command line was wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CloudPartnerClient } from '../../client/client.ts';
import { CloudPartnerError, CloudPartnerNetworkError, CloudPartnerTimeoutError } from '../../client/errors.ts';
import { GLOBAL_OPTIONS, type RemoteSettings, UsageError, clientOptions, resolveSettings } from './settings.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Io {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** One line: never a newline inside, whatever the server put in a message. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The end of every command group's switch: its help, or one line naming an unknown subcommand. */
export function helpOrUnknown(io: Io, group: string, subcommand: string | undefined, usage: string): number {
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  return fail(
    io,
    `${subcommand === undefined ? 'which command?' : `unknown command '${group} ${subcommand}'.`} Run 'cloudpartner ${group} --help'.`,
    EXIT_USAGE,
  );
}

export function fail(io: Io, message: string, code = EXIT_FAILED): number {
  io.stderr.write(`cloudpartner: ${oneLine(message)}\n`);
  return code;
}

/** A table: a header row and rows, columns padded to their widest cell. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return `${cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A UTC timestamp of the API, shortened for tables: 2017-06-07 06:15:39Z. */
export function shortTime(timestamp: string | undefined): string {
  if (!timestamp) return '';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(timestamp);
  return match ? `${match[1]} ${match[2]}Z` : timestamp;
}

/** The hint that follows an API error, when the cause is likely on the caller's side. */
function hint(error: CloudPartnerError, settings: RemoteSettings | undefined): string {
  if (error.status === 401) {
    if (error.url?.endsWith('/oauth2/token')) return '';
    if (settings?.auth.kind === 'client') return ` Check the client credentials (from the ${settings.auth.source}).`;
    return ` Check the token${settings ? ` (from the ${settings.auth.source})` : ''}: --token, CLOUDPARTNER_TOKEN or the profile.`;
  }
  if (error.status === 403 && error.code === 'Forbidden') return ' Check --publisher, and that the caller is a member of that publisher.';
  return '';
}

/** The one line of an API error: status, code and message, and what to check. */
export function describeApiError(error: CloudPartnerError, settings?: RemoteSettings): string {
  return `${error.status} ${error.code}: ${error.message}${hint(error, settings)}`;
}

export interface CommandContext {
  io: Io;
  settings: RemoteSettings;
  client: CloudPartnerClient;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** The client, in the publisher namespace of the command (asked of the API when not configured). */
  publisherClient(): Promise<CloudPartnerClient>;
}

/** A list: one JSON document with -o json; otherwise a table, or `empty` when there is nothing. */
export function printList<T>(context: CommandContext, items: readonly T[], empty: string, headers: string[], row: (item: T) => Array<string | number>): number {
  if (context.json) printJson(context.io, items);
  else if (items.length === 0) context.io.stdout.write(`${empty}\n`);
  else context.io.stdout.write(table(headers, items.map(row)));
  return EXIT_OK;
}

/** What a command did: `json` with -o json, else one line of text. */
export function printDone(context: CommandContext, json: unknown, text: string): number {
  if (context.json) printJson(context.io, json);
  else context.io.stdout.write(`${text}\n`);
  return EXIT_OK;
}

/**
 * Parses a command's arguments (its own options plus the global ones), builds the client, runs
 * the command and turns every expected failure into one line on stderr and an exit code.
 */
export async function runCommand(
  io: Io,
  args: string[],
  spec: { usage: string; options?: ParseArgsConfig['options']; positionals?: { min: number; max: number } },
  body: (context: CommandContext) => Promise<number>,
): Promise<number> {
  let settings: RemoteSettings | undefined;
  try {
    const { values, positionals } = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
    if (values.help) {
      io.stdout.write(spec.usage);
      return EXIT_OK;
    }
    const range = spec.positionals ?? { min: 0, max: 0 };
    if (positionals.length < range.min || positionals.length > range.max) throw new UsageError(`usage: ${spec.usage.split('\n')[0]!.trim()}`);
    settings = resolveSettings(values as Record<string, string | undefined>, io.env);
    const client = new CloudPartnerClient(clientOptions(settings));
    let scoped: CloudPartnerClient | undefined;
    return await body({
      io,
      settings,
      client,
      values: values as CommandContext['values'],
      positionals,
      json: settings.output === 'json',
      async publisherClient() {
        if (scoped) return scoped;
        if (client.publisherId) return (scoped = client);
        const visible = await client.listPublishers();
        if (visible.length !== 1) {
          throw new UsageError(
            visible.length === 0
              ? 'no publisher: the credentials see none; pass --publisher'
              : `which publisher? pass --publisher (or set CLOUDPARTNER_PUBLISHER); the credentials see ${visible.map((p) => p.id).join(', ')}`,
          );
        }
        return (scoped = client.withPublisher(visible[0]!.id));
      },
    });
  } catch (error) {
    return reportError(io, error, settings);
  }
}

/** Expected failures → one line and an exit code; anything else is a bug and keeps its stack. */
export function reportError(io: Io, error: unknown, settings?: RemoteSettings): number {
  if (error instanceof UsageError) return fail(io, error.message, EXIT_USAGE);
  if ((error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS'))
    return fail(io, `${(error as Error).message}. Run with --help for the options.`, EXIT_USAGE);
  if (error instanceof CloudPartnerError) return fail(io, describeApiError(error, settings));
  if (error instanceof CloudPartnerNetworkError) {
    const tokenService = settings !== undefined && new URL(settings.endpoint).origin !== error.endpoint;
    return fail(
      io,
      tokenService
        ? `${error.message} That is the token service: check --authority (CLOUDPARTNER_AUTHORITY).`
        : `${error.message} Is the server running and the URL right? Set it with --endpoint or CLOUDPARTNER_ENDPOINT.`,
    );
  }
  if (error instanceof CloudPartnerTimeoutError) return fail(io, error.message);
  throw error;
}
