/** DELETE /api/publishers/{publisherId}/members/{objectId}?tenantId=… — remove a member (Owners only): 204, or 404. */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { MemberParams, parseGuid } from './member.ts';

const deleteMember: RoutePlugin = async (app, { store }) => {
  app.delete(
    '/api/publishers/:publisherId/members/:objectId',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'Remove a member from a publisher',
        tags: ['access'],
        params: MemberParams,
        querystring: Type.Object({ ...ApiVersionQuery.properties, tenantId: Type.Optional(Type.String({ description: 'Needed only when the object id is a member in several tenants.' })) }),
        response: { 204: Type.Null(), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const objectId = parseGuid('objectId', request.params.objectId);
      const candidates = (await store.listMembers(request.publisherId)).filter(
        (member) => member.objectId === objectId && (request.query.tenantId === undefined || member.tenantId === request.query.tenantId.toLowerCase()),
      );
      if (candidates.length === 0) throw errors.memberNotFound(request.publisherId, objectId);
      if (candidates.length > 1) throw errors.invalidRequest('That object id is a member in several tenants: add ?tenantId=.');
      await store.removeMember(request.publisherId, candidates[0]!.tenantId, objectId);
      return reply.code(204).send(null);
    },
  );
};
export default deleteMember;
