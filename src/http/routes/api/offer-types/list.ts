/** GET /api/offerTypes — the offer types this server accepts. */
import { Type } from 'typebox';
import { OFFER_TYPES } from '../../../../domain/offer-types.ts';
import { ApiVersionQuery, apiErrorResponses } from '../../../schemas/common.ts';
import type { RoutePlugin } from '../../context.ts';

const listOfferTypes: RoutePlugin = async (app) => {
  app.get(
    '/api/offerTypes',
    {
      schema: {
        summary: 'List offer types',
        tags: ['catalog'],
        querystring: ApiVersionQuery,
        response: { 200: Type.Array(Type.Ref('OfferType')), ...apiErrorResponses },
      },
    },
    async () => OFFER_TYPES,
  );
};
export default listOfferTypes;
