/**
 * The API commands (a client of a Cloud Partner Portal API endpoint). They need none of the
 * server, so bin/cloudpartner.js runs them through here without loading it: a command starts in
 * a quarter of a second rather than one, which adds up in a CI job that runs a dozen.
 */
import { type Io, processIo } from '../remote/output.ts';
import { offersCommand } from './offers.ts';
import { operationsCommand } from './operations.ts';
import { publishersCommand } from './publishers.ts';

export const API_COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  offers: offersCommand,
  operations: operationsCommand,
  publishers: publishersCommand,
};

/** Runs `cloudpartner <api command> …` and sets the exit code. */
export async function runApiCommand(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  process.exitCode = await API_COMMANDS[command!]!(rest, processIo());
}
