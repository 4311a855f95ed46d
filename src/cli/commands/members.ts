/** cloudpartner members list|add|remove — who may act on a publisher (the rules: src/identity/members.ts). */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../config.ts';
import { parseGuid, parseId } from '../../domain/ids.ts';
import { ROLES, parseRole } from '../../domain/roles.ts';
import { OUTPUT_OPTIONS, STORE_OPTIONS, fail, printJson, wantsJson, withStore } from './local.ts';

export async function membersCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      publisher: { type: 'string' },
      'object-id': { type: 'string' },
      'tenant-id': { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      ...STORE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  if (!values.publisher) return fail('--publisher is required');
  const publisherId = parseId('publisherId', values.publisher);
  const guid = (name: 'object-id' | 'tenant-id', value: string | undefined) => {
    if (!value) throw new ConfigError(`--${name} is required`);
    return parseGuid(name === 'object-id' ? 'objectId' : 'tenantId', value);
  };
  const { removeMember, setMember } = await import('../../identity/members.ts');
  switch (subcommand) {
    case 'list': {
      const members = await withStore(values, (store) => store.listMembers(publisherId));
      if (json) printJson(members.map(({ publisherId: _p, ...member }) => member));
      else for (const m of members) process.stdout.write(`${m.role.padEnd(12)} ${m.tenantId} ${m.objectId} ${m.displayName}\n`);
      return 0;
    }
    case 'add': {
      const role = values.role ? parseRole(values.role) : undefined;
      if (!role) return fail(`--role must be one of ${ROLES.join(', ')}`);
      const change = {
        publisherId,
        objectId: guid('object-id', values['object-id']),
        tenantId: guid('tenant-id', values['tenant-id']),
        role,
        displayName: values.name ?? '',
      };
      const { added, member } = await withStore(values, (store) => setMember(store, change));
      if (json)
        printJson({
          result: added ? 'added' : 'changed',
          member: { objectId: member.objectId, tenantId: member.tenantId, role: member.role, displayName: member.displayName },
        });
      else process.stdout.write(`${added ? 'added' : 'changed'}: ${member.objectId} is ${role} on ${publisherId}\n`);
      return 0;
    }
    case 'remove': {
      const objectId = guid('object-id', values['object-id']);
      const tenantId = values['tenant-id'] === undefined ? undefined : guid('tenant-id', values['tenant-id']);
      const removed = await withStore(values, (store) => removeMember(store, publisherId, objectId, tenantId));
      if (json) printJson({ result: 'removed', objectId, tenantId: removed.tenantId, publisherId });
      else process.stdout.write(`removed: ${objectId} (tenant ${removed.tenantId}) from ${publisherId}\n`);
      return 0;
    }
    default:
      return fail('usage: cloudpartner members list|add|remove --publisher <id> …');
  }
}
