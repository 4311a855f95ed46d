/** POST /_cloudpartner/webhooks — subscribes a URL to a publisher's events (Owners, or the sandbox admin token); 201. */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { EVENT_TYPES } from '../../../../domain/events.ts';
import { errors } from '../../../../domain/errors.ts';
import { parseWebhook } from '../../../../webhooks/webhook-input.ts';
import { bodyErrorResponses, oneOf } from '../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { sandboxErrors } from '../sandbox-route.ts';
import { WEBHOOK_CONFIG, WEBHOOK_TAGS, checkManages, renderWebhook } from './access.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const NewWebhook = Type.Object({
  url: Type.String({ description: 'http or https; each delivery is a POST of the event as JSON.' }),
  events: Type.Array(oneOf(EVENT_TYPES), { minItems: 1 }),
  publisherId: Type.String(),
  secret: Type.String({ description: '16 to 256 characters: X-CloudPartner-Signature is sha256=<HMAC-SHA256 of the body with it, hex>. Never shown again.' }),
});

const createWebhook: RoutePlugin = async (app, { store, clock }) => {
  app.post(
    '/_cloudpartner/webhooks',
    {
      config: WEBHOOK_CONFIG,
      schema: { tags: WEBHOOK_TAGS, body: NewWebhook, response: { 201: Type.Ref('Webhook'), ...sandboxErrors, ...bodyErrorResponses } },
      validatorCompiler: () => () => true, // parseWebhook names every problem with its JSON path
    },
    async (request, reply) => {
      const input = parseWebhook(request.body);
      checkManages(request.principal, input.publisherId);
      if (!(await store.getPublisher(input.publisherId))) throw errors.publisherNotFound(input.publisherId);
      const webhook = {
        id: randomUUID(),
        publisherId: input.publisherId,
        url: input.url,
        events: input.events,
        createdTime: new Date(clock.now()).toISOString(),
      };
      await store.createWebhook(
        webhook,
        input.secret,
        auditWrite(request, auditEntry('webhook.create', { publisherId: webhook.publisherId, target: webhook.id })),
      );
      return reply
        .code(201)
        .type(JSON_TYPE)
        .send(JSON.stringify(renderWebhook(webhook)));
    },
  );
};

export default createWebhook;
