/**
 * PUT /api/publishers/{publisherId}/offers/{offerId} — create (201) or replace the draft (200).
 * Without If-Match only creation is allowed (409 InvalidResourceId otherwise); `If-Match: *` is
 * last-writer-wins; `If-Match: <etag>` is optimistic (412 on mismatch, atomically).
 */
import { Type } from 'typebox';
import { parseIfMatch, prepareDraft } from '../../../../../domain/drafts.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { renderOffer } from '../../../../../domain/offers.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';

const putOffer: RoutePlugin = async (app, { store }) => {
  app.put(
    '/api/publishers/:publisherId/offers/:offerId',
    {
      config: { action: 'write' },
      schema: {
        summary: 'Create or update an offer (the draft)',
        tags: ['offers'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The ETag from GET, or * (last writer wins). Required to update.' })) }),
        body: Type.Unknown({ description: 'The whole offer document, as GET returns it.' }),
        response: { 200: Type.Ref('Offer'), 201: Type.Ref('Offer'), 409: Type.Ref('ErrorBody'), 412: Type.Ref('ErrorBody'), 413: Type.Ref('ErrorBody'), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const condition = parseIfMatch(request.headers['if-match']);
      const build = prepareDraft(request.body, request.publisherId, offerId);
      const saved = await store.saveDraft(request.publisherId, offerId, condition, build);
      return reply
        .code(saved.created ? 201 : 200)
        .header('etag', saved.offer.etag)
        .type(JSON_TYPE)
        .send(renderOffer(saved.offer, saved.document));
    },
  );
};
export default putOffer;
