/** DELETE /_cloudpartner/snapshots/{name} — removes a snapshot: 204, or 404. */
import { errors } from '../../../../domain/errors.ts';
import type { RoutePlugin } from '../../context.ts';
import { NoContent, SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';
import { SnapshotParams, parseSnapshotName } from './name.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const deleteSnapshot: RoutePlugin = async (app, { store }) => {
  app.delete(
    '/_cloudpartner/snapshots/:name',
    { config: SANDBOX_CONFIG, schema: { tags: SANDBOX_TAGS, params: SnapshotParams, response: { 204: NoContent, ...sandboxErrors } } },
    async (request, reply) => {
      const name = parseSnapshotName(request.params.name);
      if (!(await store.deleteSnapshot(name, auditWrite(request, auditEntry('sandbox.snapshot.delete', { target: name })))))
        throw errors.snapshotNotFound(name);
      return reply.code(204).send(null);
    },
  );
};

export default deleteSnapshot;
