/**
 * POST /_cloudpartner/snapshots/{name}/restore — brings the catalog back exactly as it was saved
 * (documents, ETags, versions, operations, secret values). Safe while operations run: steps in
 * progress run again from now, and none can be finished by whoever ran it before.
 */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';
import { SnapshotParams, parseSnapshotName } from './name.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const restoreSnapshot: RoutePlugin = async (app, { store }) => {
  app.post(
    '/_cloudpartner/snapshots/:name/restore',
    {
      config: SANDBOX_CONFIG,
      schema: { tags: SANDBOX_TAGS, params: SnapshotParams, response: { 200: Type.Object({ restored: Type.String() }), ...sandboxErrors } },
    },
    async (request, reply) => {
      const name = parseSnapshotName(request.params.name);
      if (!(await store.restoreSnapshot(name, app.workflow.now(), auditWrite(request, auditEntry('sandbox.snapshot.restore', { target: name })))))
        throw errors.snapshotNotFound(name);
      app.workflow.wake();
      return reply.type(JSON_TYPE).send(JSON.stringify({ restored: name }));
    },
  );
};

export default restoreSnapshot;
