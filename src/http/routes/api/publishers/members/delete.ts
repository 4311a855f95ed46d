/** DELETE /api/publishers/{publisherId}/members/{objectId}?tenantId=… — remove a member (Owners only): 204, or 404. */
import { Type } from 'typebox';
import { parseGuid } from '../../../../../domain/ids.ts';
import { removeMember } from '../../../../../identity/members.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { MemberParams } from './member.ts';
import { auditContext } from '../../../../audit-context.ts';

const deleteMember: RoutePlugin = async (app, { store }) => {
  app.delete(
    '/api/publishers/:publisherId/members/:objectId',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'Remove a member from a publisher',
        tags: ['access'],
        params: MemberParams,
        querystring: Type.Object({
          ...ApiVersionQuery.properties,
          tenantId: Type.Optional(Type.String({ description: 'Needed only when the object id is a member in several tenants.' })),
        }),
        response: { 204: Type.Null(), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const tenantId = request.query.tenantId === undefined ? undefined : parseGuid('tenantId', request.query.tenantId);
      await removeMember(store, request.publisherId, parseGuid('objectId', request.params.objectId), tenantId, auditContext(request));
      return reply.code(204).send(null);
    },
  );
};
export default deleteMember;
