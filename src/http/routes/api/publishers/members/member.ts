/** A publisher member on the wire, and the path of one member. */
import { Type } from 'typebox';
import { ROLES } from '../../../../../domain/roles.ts';
import type { Member as MemberRecord } from '../../../../../store/store.ts';
import { PublisherParams } from '../../../../schemas/common.ts';

export const Member = Type.Object({
  objectId: Type.String({ description: 'Object id of the service principal (the `oid` of its tokens).' }),
  tenantId: Type.String({ description: 'Its tenant (the `tid` of its tokens).' }),
  role: Type.Union([Type.Literal('Owner'), Type.Literal('Contributor'), Type.Literal('Reader')], { description: ROLES.join(', ') }),
  displayName: Type.String(),
  createdTime: Type.String(),
});

export const MemberParams = Type.Object({
  ...PublisherParams.properties,
  objectId: Type.String({ description: 'Object id (GUID) of the service principal.' }),
});

export function renderMember(member: MemberRecord) {
  return { objectId: member.objectId, tenantId: member.tenantId, role: member.role, displayName: member.displayName, createdTime: member.createdAt };
}
