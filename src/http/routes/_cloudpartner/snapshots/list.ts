/** GET /_cloudpartner/snapshots — the saved snapshots, by name. */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';

const listSnapshots: RoutePlugin = async (app, { store }) => {
  app.get(
    '/_cloudpartner/snapshots',
    { config: SANDBOX_CONFIG, schema: { tags: SANDBOX_TAGS, response: { 200: Type.Object({ value: Type.Array(Type.Ref('Snapshot')) }), ...sandboxErrors } } },
    async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify({ value: await store.listSnapshots() })),
  );
};

export default listSnapshots;
