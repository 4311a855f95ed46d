/**
 * GET /api/operations/{publisherId}${offerId}${publishingVersion}${slot} — the operation location
 * of non-migrated offers (§2 E5, §11.1): the publish (slot preview or staging) or go-live (slot
 * production) of that version, answered with the same body as the other operation URL.
 */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import { parseId } from '../../../../domain/ids.ts';
import { parseLegacyOperationId, renderOperation } from '../../../../domain/operations.ts';
import { roleAllows } from '../../../../domain/roles.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../schemas/common.ts';
import type { RoutePlugin } from '../../context.ts';
import { message } from '../../../../domain/messages/index.ts';
import { answerLanguage } from '../../../language.ts';

const getLegacyOperation: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/operations/:operationKey',
    {
      schema: {
        summary: 'Retrieve an operation by its {publisher}${offer}${version}${slot} key',
        tags: ['workflow'],
        params: Type.Object({ operationKey: Type.String({ description: 'e.g. contoso$contoso-offer$2$preview' }) }),
        querystring: ApiVersionQuery,
        response: { 200: Type.Ref('Operation'), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const key = parseLegacyOperationId(request.params.operationKey);
      if (!key)
        throw errors.invalidId(
          'operationId',
          request.params.operationKey,
          message('error.legacyOperationIdForm', { form: '{publisherId}${offerId}${version}${preview|production}' }),
        );
      const publisherId = parseId('publisherId', key.publisherId);
      const offerId = parseId('offerId', key.offerId);
      const role = request.principal.grants.get(publisherId);
      if (!role || !roleAllows(role, 'read')) throw errors.forbiddenPublisher(publisherId);
      const type = key.slot === 'preview' ? 'publish' : 'golive';
      const operation = await store.findOperationOfVersion(publisherId, offerId, type, key.publishingVersion);
      if (!operation) throw errors.operationNotFound(request.params.operationKey);
      return renderOperation(operation, app.workflow.now(), answerLanguage(reply));
    },
  );
};
export default getLegacyOperation;
