/** cloudpartner token create — an opaque access token, shown once (only its hash is stored). */
import { parseArgs } from 'node:util';
import { parseId } from '../../domain/ids.ts';
import { ROLES, parseRole } from '../../domain/roles.ts';
import { OUTPUT_OPTIONS, STORE_OPTIONS, fail, printJson, wantsJson, withStore } from './local.ts';

export async function tokenCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') return fail(`usage: cloudpartner token create --publisher <id> --role <${ROLES.join('|')}> | --sandbox-admin`);
  const { values } = parseArgs({
    args: rest,
    options: {
      publisher: { type: 'string', multiple: true },
      role: { type: 'string' },
      description: { type: 'string' },
      'expires-in-days': { type: 'string' },
      'sandbox-admin': { type: 'boolean' },
      ...STORE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  const days = values['expires-in-days'];
  if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) return fail('--expires-in-days must be a whole number of days');
  const lifetime = { description: values.description ?? '', ...(days ? { expiresInDays: Number(days) } : {}) };
  const { createAccessToken } = await import('../../identity/access-tokens.ts');
  if (values['sandbox-admin']) {
    if (values.publisher?.length || values.role) return fail('the sandbox admin token grants no publisher: leave out --publisher and --role');
    const created = await withStore(values, (store) => createAccessToken(store, { sandboxAdmin: true, ...lifetime }));
    if (json) printJson({ token: created.token, id: created.id, sandboxAdmin: true, expiresAt: created.expiresAt });
    else process.stdout.write(`${created.token}\n`);
    return 0;
  }
  if (!values.publisher?.length) return fail('--publisher is required (or --sandbox-admin)');
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
  const publisherIds = values.publisher.map((id) => parseId('publisherId', id));
  const created = await withStore(values, (store) => createAccessToken(store, { publisherIds, role, ...lifetime }));
  if (json) printJson({ token: created.token, id: created.id, publishers: publisherIds, role, expiresAt: created.expiresAt });
  else process.stdout.write(`${created.token}\n`);
  return 0;
}
