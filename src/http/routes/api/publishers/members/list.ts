/** GET /api/publishers/{publisherId}/members — who has which role on the publisher (Owners only). */
import { Type } from 'typebox';
import { ApiVersionQuery, PublisherParams, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { Member, renderMember } from './member.ts';

const listMembers: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers/:publisherId/members',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'List the members of a publisher',
        tags: ['access'],
        params: PublisherParams,
        querystring: ApiVersionQuery,
        response: { 200: Type.Array(Member), ...apiErrorResponses },
      },
    },
    async (request) => (await store.listMembers(request.publisherId)).map(renderMember),
  );
};
export default listMembers;
