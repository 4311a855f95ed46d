/** GET /_cloudpartner/webhooks — the webhooks of the publishers the caller owns (every webhook, for the sandbox admin token). */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { sandboxErrors } from '../sandbox-route.ts';
import { WEBHOOK_CONFIG, WEBHOOK_TAGS, mayManage, renderWebhook } from './access.ts';

const listWebhooks: RoutePlugin = async (app, { store }) => {
  app.get(
    '/_cloudpartner/webhooks',
    { config: WEBHOOK_CONFIG, schema: { tags: WEBHOOK_TAGS, response: { 200: Type.Object({ value: Type.Array(Type.Ref('Webhook')) }), ...sandboxErrors } } },
    async (request, reply) => {
      const visible = (await store.listWebhooks()).filter((webhook) => mayManage(request.principal, webhook.publisherId));
      return reply.type(JSON_TYPE).send(JSON.stringify({ value: visible.map(renderWebhook) }));
    },
  );
};

export default listWebhooks;
