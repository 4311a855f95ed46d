/**
 * GET /readyz — readiness, no token needed: 200 `{"status":"ready"}` when this instance can serve
 * (the database answers and its schema is this version's), 503 `ServiceUnavailable` while it
 * cannot or while it shuts down. /healthz stays the liveness check.
 */
import { Type } from 'typebox';
import { errors } from '../../domain/errors.ts';
import { JSON_TYPE, type RoutePlugin } from './context.ts';
import { type Message, message } from '../../domain/messages/index.ts';

/** A database that does not answer in this time is not ready (the probe must not hang). */
const READINESS_TIMEOUT_MS = 2000;

const readyz: RoutePlugin = async (app, { store }) => {
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        summary: 'Readiness check',
        description: '503 ServiceUnavailable while the database cannot be reached, migrations are pending, or the server shuts down.',
        tags: ['service'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Ref('ErrorBody') },
      },
    },
    async (_request, reply) => {
      if (app.lifecycle.closing) throw errors.shuttingDown();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Message>((resolve) => (timer = setTimeout(() => resolve(message('ready.databaseSlow')), READINESS_TIMEOUT_MS)));
      const why = await Promise.race([store.readiness().catch(() => message('ready.databaseUnreachable')), timeout]).finally(() => clearTimeout(timer));
      if (why !== null) throw errors.notReady(why);
      return reply.type(JSON_TYPE).header('cache-control', 'no-store').send('{"status":"ready"}');
    },
  );
};
export default readyz;
