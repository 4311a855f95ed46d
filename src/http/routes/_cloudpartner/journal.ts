/**
 * GET /_cloudpartner/journal?publisherId=&offerId=&limit= — the latest API requests and their
 * answers, newest first (at most 1,000 are kept; bodies cut to 4 KB, nothing secret).
 */
import { Type } from 'typebox';
import { JOURNAL_SIZE } from '../../../sandbox/journal.ts';
import { JournalEntry } from '../../schemas/sandbox.ts';
import { JSON_TYPE, type RoutePlugin } from '../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, parseLimit, sandboxErrors, sandboxOf } from './sandbox-route.ts';

const JournalQuery = Type.Object({
  publisherId: Type.Optional(Type.String()),
  offerId: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String({ description: `1 to ${JOURNAL_SIZE}; default 100.` })),
});

const journal: RoutePlugin = async (app) => {
  const sandbox = sandboxOf(app);
  app.get(
    '/_cloudpartner/journal',
    {
      config: SANDBOX_CONFIG,
      schema: { tags: SANDBOX_TAGS, querystring: JournalQuery, response: { 200: Type.Object({ value: Type.Array(JournalEntry) }), ...sandboxErrors } },
    },
    async (request, reply) => {
      const { publisherId, offerId, limit: rawLimit } = request.query;
      const limit = parseLimit(rawLimit, JOURNAL_SIZE);
      const entries = sandbox.journal.list({ limit, ...(publisherId ? { publisherId } : {}), ...(offerId ? { offerId } : {}) });
      return reply.type(JSON_TYPE).send(JSON.stringify({ value: entries }));
    },
  );
};

export default journal;
