/**
 * PUT /api/publishers/{publisherId}/offers/{offerId} — create the offer or replace its draft.
 * `If-Match: <etag>` is optimistic (412 on mismatch, atomically); `If-Match: *` is last writer
 * wins; `If-None-Match: *` creates only. Without either, the server's PUT mode decides
 * (`service`: create or replace, always 200; `documented`: create only, 201, else 409).
 */
import { Type } from 'typebox';
import { parseWriteCondition, prepareDraft } from '../../../../../domain/drafts.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { renderOffer } from '../../../../../domain/offers.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';
import { auditContext } from '../../../../audit-context.ts';

const putOffer: RoutePlugin = async (app, { store, putMode }) => {
  app.put(
    '/api/publishers/:publisherId/offers/:offerId',
    {
      config: { action: 'write' },
      schema: {
        summary: 'Create or update an offer (the draft)',
        tags: ['offers'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        headers: Type.Object({
          'if-match': Type.Optional(Type.String({ description: 'The ETag from GET (replace only that version), or * (create or replace).' })),
          'if-none-match': Type.Optional(Type.String({ description: '* : create only (412 if the offer exists).' })),
        }),
        body: Type.Unknown({ description: 'The whole offer document, as GET returns it.' }),
        response: {
          200: Type.Ref('Offer'),
          201: Type.Ref('Offer'),
          409: Type.Ref('ErrorBody'),
          412: Type.Ref('ErrorBody'),
          ...apiErrorResponses,
          ...bodyErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const condition = parseWriteCondition({ ifMatch: request.headers['if-match'], ifNoneMatch: request.headers['if-none-match'] }, putMode);
      const build = prepareDraft(request.body, request.publisherId, offerId);
      const saved = await store.saveDraft(request.publisherId, offerId, condition, build, auditContext(request));
      return reply
        .code(saved.created && putMode === 'documented' ? 201 : 200)
        .header('etag', saved.offer.etag)
        .type(JSON_TYPE)
        .send(renderOffer(saved.offer, saved.document));
    },
  );
};
export default putOffer;
