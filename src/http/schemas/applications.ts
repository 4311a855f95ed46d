/** An application of the built-in token service on the wire, as one publisher sees it (cloudpartner's own applications API). */
import { Type } from 'typebox';
import { ROLES } from '../../domain/roles.ts';
import { oneOf } from './common.ts';

const fields = {
  clientId: Type.String({ description: 'The client id (a GUID) to ask the token service with.' }),
  tenantId: Type.String({ description: 'The tenant of the token service: the `{tenant}` of `/{tenant}/oauth2/token`, the `tid` of its tokens.' }),
  objectId: Type.String({ description: 'Object id of its service principal (the `oid` of its tokens), the member of the publisher.' }),
  displayName: Type.String(),
  role: oneOf(ROLES, `Its service principal's role on this publisher: ${ROLES.join(', ')}.`),
  createdTime: Type.String({ description: 'When the application was registered.' }),
};

/** An application whose service principal is a member of the publisher. Never its secret. */
export const Application = Type.Object(fields);

/** The answer to registering one: the application with its client secret, shown this once and never again. */
export const NewApplication = Type.Object({
  clientId: fields.clientId,
  clientSecret: Type.String({ description: 'The client secret. Shown only in this answer: only its hash is stored.' }),
  tenantId: fields.tenantId,
  objectId: fields.objectId,
  displayName: fields.displayName,
  role: fields.role,
  createdTime: fields.createdTime,
});
