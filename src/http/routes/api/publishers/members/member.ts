/** The path of one member, and a member as the wire shows it (src/http/schemas/members.ts). */
import { Type } from 'typebox';
import type { Member as MemberRecord } from '../../../../../store/store.ts';
import { PublisherParams } from '../../../../schemas/common.ts';

export { Member } from '../../../../schemas/members.ts';

export const MemberParams = Type.Object({
  ...PublisherParams.properties,
  objectId: Type.String({ description: 'Object id (GUID) of the service principal.' }),
});

export function renderMember(member: MemberRecord) {
  return { objectId: member.objectId, tenantId: member.tenantId, role: member.role, displayName: member.displayName, createdTime: member.createdAt };
}
