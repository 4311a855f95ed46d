/** PUT /_cloudpartner/snapshots/{name} — saves the whole catalog under that name (replacing a snapshot of that name). */
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';
import { SnapshotParams, parseSnapshotName } from './name.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const saveSnapshot: RoutePlugin = async (app, { store, clock }) => {
  app.put(
    '/_cloudpartner/snapshots/:name',
    { config: SANDBOX_CONFIG, schema: { tags: SANDBOX_TAGS, params: SnapshotParams, response: { 200: Type.Ref('Snapshot'), ...sandboxErrors } } },
    async (request, reply) => {
      const name = parseSnapshotName(request.params.name);
      const summary = await store.saveSnapshot(
        name,
        new Date(clock.now()).toISOString(),
        auditWrite(request, auditEntry('sandbox.snapshot.save', { target: name })),
      );
      return reply.type(JSON_TYPE).send(JSON.stringify(summary));
    },
  );
};

export default saveSnapshot;
