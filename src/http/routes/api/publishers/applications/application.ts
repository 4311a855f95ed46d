/** The path of one application, and an application as the wire shows it (src/http/schemas/applications.ts). */
import { Type } from 'typebox';
import type { Role } from '../../../../../domain/roles.ts';
import type { RegisteredApplication } from '../../../../../identity/applications.ts';
import type { ApplicationMember } from '../../../../../store/store.ts';
import { PublisherParams } from '../../../../schemas/common.ts';

export { Application, NewApplication } from '../../../../schemas/applications.ts';

export const ApplicationParams = Type.Object({
  ...PublisherParams.properties,
  clientId: Type.String({ description: 'Client id (GUID) of the application.' }),
});

export function renderApplication(application: ApplicationMember) {
  const { clientId, tenantId, objectId, displayName, role, createdAt } = application;
  return { clientId, tenantId, objectId, displayName, role, createdTime: createdAt };
}

/** The one answer that carries the client secret. */
export function renderNewApplication(application: RegisteredApplication, role: Role) {
  const { clientId, clientSecret, tenantId, objectId, displayName, createdAt } = application;
  return { clientId, clientSecret, tenantId, objectId, displayName, role, createdTime: createdAt };
}
