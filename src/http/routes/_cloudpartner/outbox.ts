/**
 * GET /_cloudpartner/outbox?offerId=&to=&limit= — the e-mails the hosted service would have sent
 * about operations (to their notification-emails), newest first: kept, never sent.
 */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, parseLimit, sandboxErrors } from './sandbox-route.ts';

const MAX_LIMIT = 1000;

const OutboxQuery = Type.Object({
  offerId: Type.Optional(Type.String()),
  to: Type.Optional(Type.String({ description: 'Only messages to this address (any case).' })),
  limit: Type.Optional(Type.String({ description: `1 to ${MAX_LIMIT}; default 100.` })),
});

const outbox: RoutePlugin = async (app, { store }) => {
  app.get(
    '/_cloudpartner/outbox',
    {
      config: SANDBOX_CONFIG,
      schema: {
        tags: SANDBOX_TAGS,
        querystring: OutboxQuery,
        response: { 200: Type.Object({ value: Type.Array(Type.Ref('OutboxMessage')) }), ...sandboxErrors },
      },
    },
    async (request, reply) => {
      const { offerId, to, limit: rawLimit } = request.query;
      const limit = parseLimit(rawLimit, MAX_LIMIT);
      const messages = await store.listOutbox({ limit, ...(offerId ? { offerId } : {}), ...(to ? { to } : {}) });
      return reply.type(JSON_TYPE).send(JSON.stringify({ value: messages }));
    },
  );
};

export default outbox;
