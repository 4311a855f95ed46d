/** DELETE /_cloudpartner/webhooks/{id} — unsubscribes; deliveries not made yet are dropped. 204. */
import { errors } from '../../../../domain/errors.ts';
import type { RoutePlugin } from '../../context.ts';
import { NoContent, sandboxErrors } from '../sandbox-route.ts';
import { WEBHOOK_CONFIG, WEBHOOK_TAGS, WebhookParams, checkManages } from './access.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const deleteWebhook: RoutePlugin = async (app, { store }) => {
  app.delete(
    '/_cloudpartner/webhooks/:id',
    { config: WEBHOOK_CONFIG, schema: { tags: WEBHOOK_TAGS, params: WebhookParams, response: { 204: NoContent, ...sandboxErrors } } },
    async (request, reply) => {
      const webhook = await store.getWebhook(request.params.id);
      if (!webhook) throw errors.webhookNotFound(request.params.id);
      checkManages(request.principal, webhook.publisherId);
      await store.deleteWebhook(webhook.id, auditWrite(request, auditEntry('webhook.delete', { publisherId: webhook.publisherId, target: webhook.id })));
      return reply.code(204).send(null);
    },
  );
};

export default deleteWebhook;
