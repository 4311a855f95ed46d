/** GET /healthz — liveness and store reachability, no token needed. */
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
    async () => {
      await store.getPublisher('healthz-probe');
      return { status: 'ok' as const, store: store.kind };
    },
  );
};
export default healthz;
