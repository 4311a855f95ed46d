/**
 * DELETE /api/publishers/{publisherId}/applications/{clientId} — end the application's membership
 * of this publisher (Owners only), and delete the application when it is then a member of no
 * publisher: 204, or 404.
 */
import { Type } from 'typebox';
import { parseGuid } from '../../../../../domain/ids.ts';
import { removeApplication } from '../../../../../identity/applications.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { ApplicationParams } from './application.ts';
import { auditContext } from '../../../../audit-context.ts';

const deleteApplication: RoutePlugin = async (app, { store }) => {
  app.delete(
    '/api/publishers/:publisherId/applications/:clientId',
    {
      config: { action: 'manageAccess' },
      schema: {
        summary: 'Remove an application from a publisher (deleting it when it is a member of no other)',
        tags: ['access'],
        params: ApplicationParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      await removeApplication(store, request.publisherId, parseGuid('clientId', request.params.clientId), auditContext(request));
      return reply.code(204).send(null);
    },
  );
};
export default deleteApplication;
