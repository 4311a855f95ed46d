/** POST …/offers/{offerId}/golive — take the Preview version live (202 + Location); 409 saying why when it cannot. */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { parseNotificationEmails } from '../../../../../domain/drafts.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { ApiVersionQuery, NotificationBody, OfferParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import type { RoutePlugin } from '../../../context.ts';
import { acceptedOperation } from './operation-reply.ts';
import { auditContext } from '../../../../audit-context.ts';

const goLive: RoutePlugin = async (app, { store }) => {
  app.post(
    '/api/publishers/:publisherId/offers/:offerId/golive',
    {
      config: { action: 'write' },
      schema: {
        summary: 'Take the preview version live',
        tags: ['workflow'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        body: NotificationBody,
        response: { 202: Type.Ref('Operation'), 409: Type.Ref('ErrorBody'), ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const operationId = randomUUID();
      const operation = await store.startGoLive(
        request.publisherId,
        offerId,
        {
          operationId,
          notificationEmails: parseNotificationEmails(request.body),
          firstStep: app.workflow.firstStep('golive', request.publisherId, offerId, operationId),
        },
        auditContext(request),
      );
      app.workflow.wake();
      return acceptedOperation(reply, operation, app.workflow.now());
    },
  );
};
export default goLive;
