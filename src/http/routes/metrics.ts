/**
 * GET /metrics — the Prometheus exposition (src/http/metrics.ts). No API token: open, or, with
 * --metrics-token, only to `Authorization: Bearer <that token>`. Served only with --metrics on.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import { errors } from '../../domain/errors.ts';
import type { RoutePlugin } from './context.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

const metrics: RoutePlugin = async (app, { metricsToken }) => {
  const served = app.metrics;
  if (!served) return;
  const wanted = metricsToken === undefined ? undefined : digest(metricsToken);
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        summary: 'Prometheus metrics',
        description: 'The exposition text format; with --metrics-token set, only to `Authorization: Bearer <that token>`.',
        tags: ['service'],
        security: [],
        produces: ['text/plain'],
        response: {
          200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: Type.String() } } },
          401: Type.Ref('ErrorBody'),
        },
      },
    },
    async (request, reply) => {
      if (wanted) {
        const header = request.headers.authorization;
        if (header === undefined) throw errors.missingToken();
        const match = /^Bearer +(\S+) *$/i.exec(header);
        if (!match) throw errors.malformedAuthorization();
        // Compared as digests: equal length, constant time.
        if (!timingSafeEqual(digest(match[1]!), wanted)) throw errors.invalidToken();
      }
      const text = await served.render();
      return reply.type(served.contentType).header('cache-control', 'no-store').send(text);
    },
  );
};
export default metrics;
