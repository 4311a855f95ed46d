/**
 * GET /_cloudpartner/audit?publisherId=&offerId=&since=&limit=&continuationToken= — the audit
 * trail (D95), newest first, in pages: `@nextLink` leads to the older records. A publisher's
 * Owners read its records; the sandbox admin token reads any publisher's, and every record when
 * no publisher is named. Served with or without `--sandbox` (part of operating a catalog).
 */
import { Type } from 'typebox';
import { decodeAuditToken, encodeAuditToken, parseAuditLimit, parseSince, AUDIT_MAX_LIMIT } from '../../../domain/audit.ts';
import { errors } from '../../../domain/errors.ts';
import { message } from '../../../domain/messages/index.ts';
import { parseId } from '../../../domain/ids.ts';
import { AuditPage } from '../../schemas/sandbox.ts';
import { JSON_TYPE, type RoutePlugin } from '../context.ts';
import { sandboxErrors } from './sandbox-route.ts';
import { checkManages } from './webhooks/access.ts';

const AuditQuery = Type.Object({
  publisherId: Type.Optional(Type.String({ description: "Only this publisher's records (required unless the sandbox admin token calls)." })),
  offerId: Type.Optional(Type.String({ description: "Only this offer's records (with publisherId)." })),
  since: Type.Optional(Type.String({ description: 'Only records at or after this ISO 8601 time.' })),
  limit: Type.Optional(Type.String({ description: `Records a page: 1 to ${AUDIT_MAX_LIMIT}; default 100.` })),
  continuationToken: Type.Optional(Type.String({ description: 'From @nextLink: where the next page starts.' })),
});

const audit: RoutePlugin = async (app, { store }) => {
  app.get(
    '/_cloudpartner/audit',
    {
      config: { noApiVersion: true },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: every write, newest first',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...sandboxErrors },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const publisherId = query.publisherId === undefined ? undefined : parseId('publisherId', query.publisherId);
      const offerId = query.offerId === undefined ? undefined : parseId('offerId', query.offerId);
      if (offerId !== undefined && publisherId === undefined) throw errors.invalidQueryParameter('offerId', message('error.queryOfferNeedsPublisher'));
      const sinceMs = parseSince(query.since);
      const limit = parseAuditLimit(query.limit);
      const beforeSeq = decodeAuditToken(query.continuationToken);
      if (publisherId === undefined) {
        if (!request.principal.sandboxAdmin) throw errors.auditNeedsPublisher();
      } else {
        checkManages(request.principal, publisherId);
      }
      // One more than a page: whether another page follows, without a count.
      const records = await store.listAudit({
        limit: limit + 1,
        ...(publisherId !== undefined ? { publisherId } : {}),
        ...(offerId !== undefined ? { offerId } : {}),
        ...(sinceMs !== undefined ? { sinceMs } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      const page = records.slice(0, limit);
      const body: { value: unknown[]; '@nextLink'?: string } = { value: page.map(({ seq: _seq, ...record }) => record) };
      if (records.length > limit) {
        const next = new URLSearchParams();
        if (publisherId !== undefined) next.set('publisherId', publisherId);
        if (offerId !== undefined) next.set('offerId', offerId);
        if (query.since !== undefined) next.set('since', query.since);
        next.set('limit', String(limit));
        next.set('continuationToken', encodeAuditToken(page.at(-1)!.seq));
        body['@nextLink'] = `/_cloudpartner/audit?${next}`;
      }
      return reply.type(JSON_TYPE).send(JSON.stringify(body));
    },
  );
};

export default audit;
