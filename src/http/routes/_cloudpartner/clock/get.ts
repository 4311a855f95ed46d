/** GET /_cloudpartner/clock — workflow time, how far it is ahead of real time, and how long each step takes. */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';
import { clockView } from './view.ts';

const getClock: RoutePlugin = async (app) => {
  app.get(
    '/_cloudpartner/clock',
    { config: SANDBOX_CONFIG, schema: { tags: SANDBOX_TAGS, response: { 200: Type.Ref('SandboxClock'), ...sandboxErrors } } },
    async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify(clockView(app))),
  );
};

export default getClock;
