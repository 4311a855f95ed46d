/** GET /_cloudpartner/faults — every fault rule in force, oldest first. */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors, sandboxOf } from '../sandbox-route.ts';

const listFaults: RoutePlugin = async (app) => {
  const { faults } = sandboxOf(app);
  app.get(
    '/_cloudpartner/faults',
    { config: SANDBOX_CONFIG, schema: { tags: SANDBOX_TAGS, response: { 200: Type.Object({ value: Type.Array(Type.Ref('FaultRule')) }), ...sandboxErrors } } },
    async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify({ value: faults.list() })),
  );
};

export default listFaults;
