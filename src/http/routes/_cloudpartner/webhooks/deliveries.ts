/** GET /_cloudpartner/webhooks/{id}/deliveries — every delivery of a webhook: its event, state, attempts and last answer. */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { sandboxErrors } from '../sandbox-route.ts';
import { WEBHOOK_CONFIG, WEBHOOK_TAGS, WebhookParams, checkManages } from './access.ts';

const listDeliveries: RoutePlugin = async (app, { store }) => {
  app.get(
    '/_cloudpartner/webhooks/:id/deliveries',
    {
      config: WEBHOOK_CONFIG,
      schema: {
        tags: WEBHOOK_TAGS,
        params: WebhookParams,
        response: { 200: Type.Object({ value: Type.Array(Type.Ref('WebhookDelivery')) }), ...sandboxErrors },
      },
    },
    async (request, reply) => {
      const webhook = await store.getWebhook(request.params.id);
      if (!webhook) throw errors.webhookNotFound(request.params.id);
      checkManages(request.principal, webhook.publisherId);
      return reply.type(JSON_TYPE).send(JSON.stringify({ value: await store.listDeliveries(webhook.id) }));
    },
  );
};

export default listDeliveries;
