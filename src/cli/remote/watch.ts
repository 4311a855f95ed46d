/**
 * `--wait`: follow an operation to its end with the live progress display, then say how it
 * ended. A failed or canceled operation exits 1, with the messages of the step that stopped it
 * (one line each, on stderr).
 */
import type { CloudPartnerClient, OperationTarget } from '../../client/client.ts';
import { isSucceeded } from '../../client/client.ts';
import type { Operation } from '../../client/types.ts';
import { type CommandContext, EXIT_FAILED, EXIT_OK, fail, oneLine, printJson, stripHtml } from './output.ts';
import { ProgressDisplay } from './progress.ts';
import { UsageError } from './settings.ts';

/** Options of every command that can wait. */
export const WAIT_OPTIONS = {
  wait: { type: 'boolean' },
  interval: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export const WAIT_HELP = `  --wait                   follow the operation to its end, showing each step; exit 1 if it fails
  --interval <ms>          time between polls (default 1000)
  --timeout <seconds>      stop waiting after this long (exit 1; the operation goes on)
`;

function wholeNumber(name: string, raw: unknown, fallback: number | undefined): number | undefined {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) === 0)
    throw new UsageError(`--${name} must be a whole number above 0, not '${String(raw)}'`);
  return Number(raw);
}

/** The messages that explain a failed operation: its blocked step's, else its own. */
export function failureMessages(operation: Operation): Array<{ where: string; message: string }> {
  const found: Array<{ where: string; message: string }> = [];
  for (const step of operation.steps) {
    if (step.status !== 'blocked' && step.status !== 'canceled' && !step.messages.some((m) => m.level === 'error')) continue;
    for (const message of step.messages) {
      if (message.level === 'error' || step.status === 'blocked')
        found.push({ where: `${step.stepName} (${step.id})`, message: oneLine(stripHtml(message.messageHtml)) });
    }
  }
  if (found.length === 0) for (const message of operation.messages) found.push({ where: '', message: oneLine(stripHtml(message.messageHtml)) });
  return found;
}

const WHAT: Record<string, string> = { publish: 'publish', golive: 'go-live', cancel: 'cancel' };

/** --interval and --timeout, checked before the command does anything (a usage error has no effect). */
export function waitSettings(values: CommandContext['values']): { intervalMs: number; timeoutSeconds: number | undefined } {
  return { intervalMs: wholeNumber('interval', values['interval'], 1000)!, timeoutSeconds: wholeNumber('timeout', values['timeout'], undefined) };
}

export async function watchOperation(
  context: CommandContext,
  client: CloudPartnerClient,
  target: OperationTarget,
  subject: { title: string; offerId: string },
): Promise<number> {
  const { io, values } = context;
  const { intervalMs, timeoutSeconds } = waitSettings(values);
  // The display is the output of a table run; with --output json it goes to stderr, and stdout
  // carries only the final operation.
  const out = context.json ? io.stderr : io.stdout;
  const tty = out.isTTY === true;
  const display = new ProgressDisplay({ out, tty, color: tty && !io.env['NO_COLOR'], title: subject.title });
  const abort = new AbortController();
  const onInterrupt = () => abort.abort(new Interrupted());
  process.once('SIGINT', onInterrupt);
  let operation: Operation;
  try {
    operation = await client.waitForOperation(target, {
      intervalMs,
      ...(timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {}),
      signal: abort.signal,
      onProgress: (current) => display.update(current),
    });
  } catch (error) {
    display.stop();
    if (error instanceof Interrupted) {
      fail(io, `stopped watching; the operation goes on. Follow it with: cloudpartner operations show ${subject.offerId} ${operationIdOf(target)} --wait`);
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  display.stop();

  if (context.json) printJson(io, operation);
  const what = WHAT[operation.submissionType] ?? operation.submissionType;
  if (isSucceeded(operation)) {
    if (!context.json) io.stdout.write(`${successLine(operation, subject.offerId)}\n`);
    return EXIT_OK;
  }
  const status = operation.status.toLowerCase();
  if (status === 'canceled' || status === 'cancelled')
    return fail(io, `the ${what} of ${subject.offerId} (version ${operation.publishingVersion}) was canceled`);
  const messages = failureMessages(operation);
  if (messages.length === 0) return fail(io, `the ${what} of ${subject.offerId} (version ${operation.publishingVersion}) ${status}, without a message`);
  for (const { where, message } of messages) {
    fail(io, `the ${what} of ${subject.offerId} (version ${operation.publishingVersion}) ${status}${where ? ` at ${where}` : ''}: ${message}`);
  }
  return EXIT_FAILED;
}

function successLine(operation: Operation, offerId: string): string {
  switch (operation.submissionType) {
    case 'publish':
      return `Version ${operation.publishingVersion} of ${offerId} is in Preview, waiting for your review. Take it live with: cloudpartner offers golive ${offerId} --wait`;
    case 'golive':
      return `Version ${operation.publishingVersion} of ${offerId} is live.`;
    case 'cancel':
      return `The go-live of ${offerId} is withdrawn; Production keeps its previous version.`;
    default:
      return `The ${operation.submissionType} of ${offerId} completed.`;
  }
}

function operationIdOf(target: OperationTarget): string {
  if (typeof target === 'string') return /operations\/([^/?$]+)/.exec(target)?.[1] ?? target;
  return target.operationId;
}

class Interrupted extends Error {}
