/** GET /api/publishers/{publisherId}/applications — the applications whose service principal is a member (Owners only). */
import { Type } from 'typebox';
import { ApiVersionQuery, PublisherParams, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { Application, renderApplication } from './application.ts';

const listApplications: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers/:publisherId/applications',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'List the applications of the built-in token service that are members of a publisher (never their secrets)',
        tags: ['access'],
        params: PublisherParams,
        querystring: ApiVersionQuery,
        response: { 200: Type.Array(Application), ...apiErrorResponses },
      },
    },
    async (request) => (await store.listApplications(request.publisherId)).map(renderApplication),
  );
};
export default listApplications;
