/** cloudpartner app create — an application of the built-in token service, its service principal a member of publishers. */
import { parseArgs } from 'node:util';
import { parseId } from '../../domain/ids.ts';
import { ROLES, parseRole } from '../../domain/roles.ts';
import { OUTPUT_OPTIONS, STORE_OPTIONS, fail, printJson, wantsJson, withStore } from './local.ts';

export async function appCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') return fail(`usage: cloudpartner app create --publisher <id> --role <${ROLES.join('|')}>`);
  const { values } = parseArgs({
    args: rest,
    options: { publisher: { type: 'string', multiple: true }, role: { type: 'string' }, name: { type: 'string' }, ...STORE_OPTIONS, ...OUTPUT_OPTIONS },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher?.length) return fail('--publisher is required');
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
  const publisherIds = values.publisher.map((id) => parseId('publisherId', id));
  const { registerApplication } = await import('../../identity/applications.ts');
  const { TokenService } = await import('../../identity/token-service.ts');
  const app = await withStore(values, async (store) =>
    registerApplication(store, await TokenService.open(store), { publisherIds, role, ...(values.name ? { displayName: values.name } : {}) }),
  );
  if (json) {
    printJson({ clientId: app.clientId, clientSecret: app.clientSecret, tenantId: app.tenantId, objectId: app.objectId, publishers: publisherIds, role });
  } else {
    process.stdout.write(
      [
        `client id:     ${app.clientId}`,
        `client secret: ${app.clientSecret}`,
        `tenant id:     ${app.tenantId}`,
        `object id:     ${app.objectId}  (its service principal: ${role} on ${publisherIds.join(', ')})`,
        '',
        'The secret is shown only now. Get a token from your server with:',
        `  curl -s -d grant_type=client_credentials -d client_id=${app.clientId} --data-urlencode "client_secret=<secret>" \\`,
        `       -d resource=https://cloudpartner.azure.com <server>/${app.tenantId}/oauth2/token`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}
