/**
 * PUT /api/publishers/{publisherId}/members/{objectId} — add a service principal to the publisher,
 * or change its role (Owners only): 201 when added, 200 when changed.
 * Body: {"tenantId": "<guid>", "role": "Owner|Contributor|Reader", "displayName": "…"}.
 */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { ROLES, parseRole } from '../../../../../domain/roles.ts';
import { ApiVersionQuery, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { parseGuid } from '../../../../../domain/ids.ts';
import { setMember } from '../../../../../identity/members.ts';
import { Member, MemberParams, renderMember } from './member.ts';
import { auditContext } from '../../../../audit-context.ts';
import { message } from '../../../../../domain/messages/index.ts';

const Body = Type.Object({
  tenantId: Type.String(),
  role: Type.String({ description: ROLES.join(', ') }),
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
});

const putMember: RoutePlugin = async (app, { store }) => {
  app.put(
    '/api/publishers/:publisherId/members/:objectId',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'Add a member to a publisher, or change its role',
        tags: ['access'],
        params: MemberParams,
        querystring: ApiVersionQuery,
        body: Body,
        response: { 200: Member, 201: Member, ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const role = parseRole(request.body.role);
      if (!role) throw errors.invalidRequest(message('error.roleUnknown', { role: request.body.role.slice(0, 40), allowed: ROLES.join(', ') }));
      const change = {
        publisherId: request.publisherId,
        tenantId: parseGuid('tenantId', request.body.tenantId),
        objectId: parseGuid('objectId', request.params.objectId),
        role,
        displayName: request.body.displayName ?? '',
      };
      const { added, member } = await setMember(store, change, new Date(), auditContext(request));
      return reply.code(added ? 201 : 200).send(renderMember(member));
    },
  );
};
export default putMember;
