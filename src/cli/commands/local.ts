/**
 * What the commands that work on a store directly (serve, token, app, members, migrate-store)
 * share: the store they open (--data-dir / --database-url or the environment), `-o json`, and
 * their one-line failures (exit 2).
 */
import { ConfigError, resolveDataDir } from '../../config.ts';
import type { Store } from '../../store/store.ts';

export const STORE_OPTIONS = { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' } } as const;

/** `-o json` (or `--output json`; `--json` is its older spelling): every command can print one JSON document for scripts. */
export const OUTPUT_OPTIONS = { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } } as const;

export function wantsJson(values: { output?: string | undefined; json?: boolean | undefined }): boolean {
  const output = values.output?.toLowerCase();
  if (output !== undefined && output !== 'json' && output !== 'table') throw new ConfigError(`-o/--output must be json or table, not '${values.output}'`);
  return output === 'json' || (output === undefined && values.json === true);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line on stderr, exit 2: the command line was wrong, or the request cannot be done. */
export function fail(message: string): number {
  process.stderr.write(`cloudpartner: ${message}\n`);
  return 2;
}

/** Opens the store named by --data-dir / --database-url (or the environment), for one command. */
export async function withStore<T>(
  values: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined },
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const { openStore } = await import('../../store/open.ts');
  const store = await openStore({
    dataDir: resolveDataDir(values['data-dir'], process.env),
    secretKey: process.env['CLOUDPARTNER_SECRET_KEY'],
    databaseUrl: values['database-url'] ?? (process.env['DATABASE_URL'] || undefined),
  });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
