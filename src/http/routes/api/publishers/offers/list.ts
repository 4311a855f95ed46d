/** GET /api/publishers/{publisherId}/offers — seed "Retrieve offers", plus `$filter=offerTypeId eq '…'`. */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { type OfferHeader, parseOfferFilter, renderOfferSummary } from '../../../../../domain/offers.ts';
import { ApiVersionQuery, PublisherParams, apiErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';

const Query = Type.Object({
  ...ApiVersionQuery.properties,
  $filter: Type.Optional(Type.String({ description: "Only `offerTypeId eq '<type>'` is supported." })),
});

const listOffers: RoutePlugin = async (app, { store }) => {
  // The encoded list, kept while the store hands out the same (cached) array.
  const encoded = new WeakMap<readonly OfferHeader[], Buffer>();

  app.get(
    '/api/publishers/:publisherId/offers',
    {
      config: { action: 'read' },
      schema: {
        summary: 'Retrieve offers',
        description: 'Summaries of every offer in the publisher namespace; use Retrieve a specific offer for the full definition.',
        tags: ['offers'],
        params: PublisherParams,
        querystring: Query,
        response: { 200: Type.Array(Type.Ref('OfferSummary')), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const rawFilter: unknown = request.query.$filter;
      if (rawFilter !== undefined && typeof rawFilter !== 'string') throw errors.invalidFilter(String(rawFilter));
      const offers = await store.listOffers(request.publisherId, parseOfferFilter(rawFilter), request.readMark);
      let body = encoded.get(offers);
      if (!body) {
        body = Buffer.from(`[${offers.map(renderOfferSummary).join(',')}]`);
        encoded.set(offers, body);
      }
      return reply.type(JSON_TYPE).send(body);
    },
  );
};
export default listOffers;
