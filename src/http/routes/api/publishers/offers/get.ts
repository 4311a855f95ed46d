/**
 * Seed "Retrieve a specific offer", in its three URL forms:
 *   GET /api/publishers/{publisherId}/offers/{offerId}                  (the Draft slot)
 *   GET /api/publishers/{publisherId}/offers/{offerId}/versions/{version}
 *   GET /api/publishers/{publisherId}/offers/{offerId}/slot/{slotId}    (Draft | Preview | Production)
 */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { type OfferHeader, type OfferVersionDocument, type VersionSelector, renderOffer, resolveVersion } from '../../../../../domain/offers.ts';
import { parseSlot, parseVersion } from '../../../../../domain/slots.ts';
import type { ReadMark } from '../../../../../store/store.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';

const getOffer: RoutePlugin = async (app, { store }) => {
  const response = { 200: Type.Ref('Offer'), ...apiErrorResponses };
  const common = { tags: ['offers'], querystring: ApiVersionQuery, response };

  // The encoded body, kept for as long as the store keeps handing out the same (cached) header
  // and document objects: a repeated GET then costs no rendering and no UTF-8 encoding.
  const encoded = new WeakMap<OfferVersionDocument, { offer: OfferHeader; body: Buffer }>();

  /** Attempts at reading a header and a document of one moment before serving what was read last. */
  const MAX_ATTEMPTS = 5;

  const serve = async (publisherId: string, rawOfferId: string, selector: VersionSelector, mark: ReadMark | undefined) => {
    const offerId = parseId('offerId', rawOfferId);
    let offer = await store.getOffer(publisherId, offerId, mark);
    for (let attempt = 1; ; attempt++) {
      if (!offer) throw errors.offerNotFound(publisherId, offerId);
      const version = resolveVersion(offer, selector);
      const document = await store.getOfferVersion(publisherId, offerId, version, mark);
      if (!document) throw errors.versionNotFound(offerId, version, offer.version);
      // The header and the document are two reads: a write committed between them would pair one
      // ETag with another write's body. Every write gives the offer a new ETag, so an unchanged
      // header after the document was read proves they belong together (a cached hit: no query).
      const again = await store.getOffer(publisherId, offerId, mark);
      if (again !== offer && again?.etag !== offer.etag && attempt < MAX_ATTEMPTS) {
        offer = again;
        continue;
      }
      let entry = encoded.get(document);
      if (entry?.offer !== offer) {
        entry = { offer, body: Buffer.from(renderOffer(offer, document)) };
        encoded.set(document, entry);
      }
      return { body: entry.body, etag: offer.etag };
    }
  };

  app.get(
    '/api/publishers/:publisherId/offers/:offerId',
    {
      config: { action: 'read' },
      schema: { ...common, summary: 'Retrieve a specific offer (draft)', params: OfferParams },
    },
    async (request, reply) => {
      const { body, etag } = await serve(request.publisherId, request.params.offerId, { slot: 'Draft' }, request.readMark);
      return reply.header('etag', etag).type(JSON_TYPE).send(body);
    },
  );

  app.get(
    '/api/publishers/:publisherId/offers/:offerId/versions/:version',
    {
      config: { action: 'read' },
      schema: {
        ...common,
        summary: 'Retrieve a specific version of an offer',
        params: Type.Object({ ...OfferParams.properties, version: Type.String({ description: 'Version number, 1 or more.' }) }),
      },
    },
    async (request, reply) => {
      const selector = { version: parseVersion(request.params.version) };
      const { body, etag } = await serve(request.publisherId, request.params.offerId, selector, request.readMark);
      return reply.header('etag', etag).type(JSON_TYPE).send(body);
    },
  );

  app.get(
    '/api/publishers/:publisherId/offers/:offerId/slot/:slotId',
    {
      config: { action: 'read' },
      schema: {
        ...common,
        summary: 'Retrieve an offer from a slot',
        params: Type.Object({
          ...OfferParams.properties,
          slotId: Type.String({ description: 'Draft, Preview or Production (any letter case).' }),
        }),
      },
    },
    async (request, reply) => {
      const selector = { slot: parseSlot(request.params.slotId) };
      const { body, etag } = await serve(request.publisherId, request.params.offerId, selector, request.readMark);
      return reply.header('etag', etag).type(JSON_TYPE).send(body);
    },
  );
};
export default getOffer;
