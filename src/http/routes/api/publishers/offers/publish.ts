/**
 * POST …/offers/{offerId}/publish — validate the draft (422 with every problem), freeze it as a
 * new version, and start the publish operation (202 + Location). Idempotent while the same
 * draft is publishing.
 */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { parseNotificationEmails } from '../../../../../domain/drafts.ts';
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { validateForPublish } from '../../../../../domain/offer-validation/index.ts';
import { ApiVersionQuery, NotificationBody, OfferParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { acceptedOperation } from './operation-reply.ts';
import { auditContext } from '../../../../audit-context.ts';

const publishOffer: RoutePlugin = async (app, { store }) => {
  app.post(
    '/api/publishers/:publisherId/offers/:offerId/publish',
    {
      config: { action: 'write' },
      schema: {
        summary: 'Publish the draft to preview',
        tags: ['workflow'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        body: NotificationBody,
        response: { 202: Type.Ref('Operation'), 409: Type.Ref('ErrorBody'), 422: Type.Ref('ErrorBody'), ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const notificationEmails = parseNotificationEmails(request.body);
      const operationId = randomUUID();
      const { operation } = await store.startPublish(
        request.publisherId,
        offerId,
        { operationId, notificationEmails, firstStep: app.workflow.firstStep('publish', request.publisherId, offerId, operationId) },
        (offer, definitionJson) => {
          const problems = validateForPublish(offer.offerTypeId, JSON.parse(definitionJson) as Record<string, unknown>);
          if (problems.length > 0) throw errors.validationFailed(offerId, problems);
        },
        auditContext(request),
      );
      app.workflow.wake();
      return acceptedOperation(reply, operation, app.workflow.now());
    },
  );
};
export default publishOffer;
