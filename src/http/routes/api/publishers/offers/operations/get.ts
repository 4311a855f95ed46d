/** GET …/offers/{offerId}/operations/{operationId} — one operation with its steps (E8). */
import { Type } from 'typebox';
import { errors } from '../../../../../../domain/errors.ts';
import { isGuid, parseId } from '../../../../../../domain/ids.ts';
import { renderOperation } from '../../../../../../domain/operations.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../../context.ts';
import { message } from '../../../../../../domain/messages/index.ts';
import { answerLanguage } from '../../../../../language.ts';

const getOperation: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers/:publisherId/offers/:offerId/operations/:operationId',
    {
      config: { action: 'read' },
      schema: {
        summary: 'Retrieve an operation',
        tags: ['workflow'],
        params: Type.Object({ ...OfferParams.properties, operationId: Type.String({ description: 'GUID from a Location header or the submissions list.' }) }),
        querystring: ApiVersionQuery,
        response: { 200: Type.Ref('Operation'), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const { operationId } = request.params;
      if (!isGuid(operationId)) throw errors.invalidId('operationId', operationId, message('error.idNotGuid'));
      const operation = await store.getOperation(request.publisherId, offerId, operationId.toLowerCase());
      if (!operation) throw errors.operationNotFound(operationId);
      return renderOperation(operation, app.workflow.now(), answerLanguage(reply));
    },
  );
};
export default getOperation;
