/** A publisher member on the wire: a service principal holding a role (cloudpartner's own members API). */
import { Type } from 'typebox';
import { ROLES } from '../../domain/roles.ts';
import { oneOf } from './common.ts';

export const Member = Type.Object({
  objectId: Type.String({ description: 'Object id of the service principal (the `oid` of its tokens).' }),
  tenantId: Type.String({ description: 'Its tenant (the `tid` of its tokens).' }),
  role: oneOf(ROLES, ROLES.join(', ')),
  displayName: Type.String(),
  createdTime: Type.String(),
});
