/**
 * GET /healthz — liveness, no token needed: the process answers. It does not read the database:
 * a liveness probe that failed during a database outage would restart every instance for nothing
 * (D81); `/readyz` is the check that looks at the database.
 */
import { Type } from 'typebox';
import type { RoutePlugin } from './context.ts';

const healthz: RoutePlugin = async (app, { store }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Health check',
        tags: ['service'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' as const, store: store.kind }),
  );
};
export default healthz;
