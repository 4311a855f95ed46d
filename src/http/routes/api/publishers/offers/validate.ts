/**
 * POST …/offers/{offerId}/validate — the dry run of a publish: what a PUT of the body (with no
 * body, the current draft) and a publish of it would find, at every stage, in one 200 report
 * (src/domain/offer-validation/report.ts). Nothing is written: no version, no ETag change, no
 * operation, no event. A body meant for another offer gets the answer a PUT of it would get.
 */
import { Type } from 'typebox';
import { checkDocumentIds, requireDocumentObject } from '../../../../../domain/drafts.ts';
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { findOfferType } from '../../../../../domain/offer-types.ts';
import { lastCertifiedVersion, renderReport, validationReport } from '../../../../../domain/offer-validation/index.ts';
import { renderOffer } from '../../../../../domain/offers.ts';
import { checkOfferType } from '../../../../../domain/publishing.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';
import { answerLanguage } from '../../../../language.ts';

const validateOffer: RoutePlugin = async (app, { store }) => {
  app.post(
    '/api/publishers/:publisherId/offers/:offerId/validate',
    {
      // Part of editing an offer: who may PUT and publish it may ask what those would say.
      config: { action: 'write' },
      schema: {
        summary: 'Validate an offer document, or the draft, as a PUT and a publish would (changes nothing)',
        tags: ['offers'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        body: Type.Optional(Type.Unknown({ description: 'The whole offer document, as PUT takes it; empty: the current draft.' })),
        response: { 200: Type.Ref('ValidationReport'), 409: Type.Ref('ErrorBody'), ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const { publisherId, body } = request;
      const offer = await store.getOffer(publisherId, offerId);
      let document: Record<string, unknown>;
      let etag: string | undefined;
      if (body === undefined) {
        if (!offer) throw errors.offerNotFound(publisherId, offerId);
        const draft = await store.getOfferVersion(publisherId, offerId, offer.version);
        if (!draft) throw errors.versionNotFound(offerId, offer.version, offer.version);
        // The draft as GET serves it: what a client would PUT back.
        document = JSON.parse(renderOffer(offer, draft)) as Record<string, unknown>;
        etag = offer.etag;
      } else {
        requireDocumentObject(body);
        checkDocumentIds(body, publisherId, offerId);
        // An unknown type is a document problem, reported; another known type, PUT's 409.
        const offerTypeId = body['offerTypeId'];
        if (offer && typeof offerTypeId === 'string' && findOfferType(offerTypeId)) checkOfferType(offerId, offer.offerTypeId, offerTypeId);
        document = body;
      }
      // Certification skips the images the last certified version holds, as the workflow's step does.
      const certified = lastCertifiedVersion(offer);
      const previous = certified ? await store.getOfferVersion(publisherId, offerId, certified) : null;
      const report = renderReport(
        validationReport(
          document,
          new Date(app.workflow.now()),
          previous ? { previouslyCertified: JSON.parse(previous.definitionJson) as Record<string, unknown> } : {},
        ),
        answerLanguage(reply),
      );
      return reply.type(JSON_TYPE).send(JSON.stringify(etag === undefined ? report : { ...report, etag }));
    },
  );
};
export default validateOffer;
