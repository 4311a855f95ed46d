/**
 * POST /api/publishers/{publisherId}/applications — register an application of the built-in token
 * service whose service principal gets a role on this publisher (Owners only): 201 with the
 * client secret, which only this answer ever shows.
 * Body: {"role": "Owner|Contributor|Reader", "displayName": "…"}.
 */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { ROLES, parseRole } from '../../../../../domain/roles.ts';
import { registerApplication } from '../../../../../identity/applications.ts';
import { ApiVersionQuery, PublisherParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { NewApplication, renderNewApplication } from './application.ts';
import { auditContext } from '../../../../audit-context.ts';
import { message } from '../../../../../domain/messages/index.ts';

const Body = Type.Object({
  role: Type.String({ description: ROLES.join(', ') }),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "Default: 'cloudpartner application'." })),
});

const createApplication: RoutePlugin = async (app, { store, tokens }) => {
  app.post(
    '/api/publishers/:publisherId/applications',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'Register an application of the built-in token service, a member of this publisher',
        tags: ['access'],
        params: PublisherParams,
        querystring: ApiVersionQuery,
        body: Body,
        response: { 201: NewApplication, ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const role = parseRole(request.body.role);
      if (!role) throw errors.invalidRequest(message('error.roleUnknown', { role: request.body.role.slice(0, 40), allowed: ROLES.join(', ') }));
      const { displayName } = request.body;
      const registered = await registerApplication(
        store,
        tokens,
        { publisherIds: [request.publisherId], role, ...(displayName ? { displayName } : {}) },
        auditContext(request),
      );
      // The secret is in this answer only: no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send(renderNewApplication(registered, role));
    },
  );
};
export default createApplication;
