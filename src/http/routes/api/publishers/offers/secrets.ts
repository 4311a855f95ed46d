/**
 * GET …/offers/{offerId}/secrets — which secret-type fields of the draft hold a value (cloudpartner).
 * The offer document never carries them, so an editor could not otherwise tell set from unset; the
 * values themselves are never served.
 */
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { secretFieldStates } from '../../../../../domain/secret-fields.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../schemas/common.ts';
import { SecretFields } from '../../../../schemas/offers.ts';
import type { RoutePlugin } from '../../../context.ts';

const offerSecrets: RoutePlugin = async (app, { store }) => {
  app.get(
    '/api/publishers/:publisherId/offers/:offerId/secrets',
    {
      config: { action: 'read' },
      schema: {
        summary: 'Which secret-type fields of the draft are set (cloudpartner)',
        tags: ['offers'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        response: { 200: SecretFields, ...apiErrorResponses },
      },
    },
    async (request) => {
      const offerId = parseId('offerId', request.params.offerId);
      const offer = await store.getOffer(request.publisherId, offerId);
      if (!offer) throw errors.offerNotFound(request.publisherId, offerId);
      const held = await store.getVersionSecrets(request.publisherId, offerId, offer.version);
      return {
        value: secretFieldStates(
          offer.offerTypeId,
          held.map((secret) => secret.pointer),
        ),
      };
    },
  );
};
export default offerSecrets;
