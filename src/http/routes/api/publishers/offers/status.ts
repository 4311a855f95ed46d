/** GET …/offers/{offerId}/status — the offer's status and the steps of its latest publish and go-live (E3). */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { renderOfferStatus } from '../../../../../domain/operations.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { answerLanguage } from '../../../../language.ts';

const offerStatus: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers/:publisherId/offers/:offerId/status',
    {
      config: { action: 'read' },
      schema: {
        summary: 'Retrieve the offer status',
        tags: ['workflow'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        response: { 200: Type.Ref('OfferStatus'), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const offer = await store.getOffer(request.publisherId, offerId, request.readMark);
      if (!offer) throw errors.offerNotFound(request.publisherId, offerId);
      return renderOfferStatus(offer, await store.operationsSinceLatestPublish(request.publisherId, offerId), app.workflow.now(), answerLanguage(reply));
    },
  );
};
export default offerStatus;
