/**
 * POST …/offers/{offerId}/cancel — cancel the running operation: 200 when it stops at once (a
 * publish), 202 + Location when withdrawing takes its own operation (a go-live).
 */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { parseNotificationEmails } from '../../../../../domain/drafts.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { renderOperation } from '../../../../../domain/operations.ts';
import { ApiVersionQuery, NotificationBody, OfferParams, apiErrorResponses, bodyErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';
import { acceptedOperation } from './operation-reply.ts';
import { auditContext } from '../../../../audit-context.ts';
import { answerLanguage } from '../../../../language.ts';

const cancel: RoutePlugin = async (app, { store }) => {
  app.post(
    '/api/publishers/:publisherId/offers/:offerId/cancel',
    {
      config: { action: 'write' },
      schema: {
        summary: 'Cancel the running operation',
        tags: ['workflow'],
        params: OfferParams,
        querystring: ApiVersionQuery,
        body: NotificationBody,
        response: { 200: Type.Ref('Operation'), 202: Type.Ref('Operation'), 409: Type.Ref('ErrorBody'), ...apiErrorResponses, ...bodyErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      parseNotificationEmails(request.body);
      const operationId = randomUUID();
      const result = await store.cancelOperation(
        request.publisherId,
        offerId,
        { operationId, notificationEmails: null, firstStep: app.workflow.firstStep('cancel', request.publisherId, offerId, operationId) },
        auditContext(request),
      );
      if (result.kind === 'canceling') {
        app.workflow.wake();
        return acceptedOperation(reply, result.operation, app.workflow.now());
      }
      return reply
        .code(200)
        .type(JSON_TYPE)
        .send(JSON.stringify(renderOperation(result.operation, app.workflow.now(), answerLanguage(reply))));
    },
  );
};
export default cancel;
