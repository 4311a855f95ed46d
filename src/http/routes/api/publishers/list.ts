/** GET /api/publishers — the publisher namespaces the caller has a role on. */
import { Type } from 'typebox';
import { renderPublisher } from '../../../../domain/publishers.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';

const listPublishers: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers',
    {
      schema: {
        summary: 'List the publishers the caller can see',
        tags: ['catalog'],
        querystring: ApiVersionQuery,
        response: { 200: Type.Array(Type.Ref('Publisher')), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const publishers = await store.listPublishers([...request.principal.grants.keys()]);
      return reply.type(JSON_TYPE).send(`[${publishers.map(renderPublisher).join(',')}]`);
    },
  );
};
export default listPublishers;
