/** cloudpartner token create — an opaque access token, shown once (only its hash is stored). */
import { parseArgs } from 'node:util';
import { parseId } from '../../domain/ids.ts';
import { ROLES, parseRole } from '../../domain/roles.ts';
import { OUTPUT_OPTIONS, STORE_OPTIONS, fail, printJson, wantsJson, withStore } from './local.ts';

export async function tokenCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') return fail(`usage: cloudpartner token create --publisher <id> --role <${ROLES.join('|')}>`);
  const { values } = parseArgs({
    args: rest,
    options: {
      publisher: { type: 'string', multiple: true },
      role: { type: 'string' },
      description: { type: 'string' },
      'expires-in-days': { type: 'string' },
      ...STORE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher?.length) return fail('--publisher is required');
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
  const days = values['expires-in-days'];
  if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) return fail('--expires-in-days must be a whole number of days');
  const publisherIds = values.publisher.map((id) => parseId('publisherId', id));
  const { createAccessToken } = await import('../../identity/access-tokens.ts');
  const created = await withStore(values, (store) =>
    createAccessToken(store, { publisherIds, role, description: values.description ?? '', ...(days ? { expiresInDays: Number(days) } : {}) }),
  );
  if (json) printJson({ token: created.token, id: created.id, publishers: publisherIds, role, expiresAt: created.expiresAt });
  else process.stdout.write(`${created.token}\n`);
  return 0;
}
