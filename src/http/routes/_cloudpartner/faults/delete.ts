/** DELETE /_cloudpartner/faults/{id} — removes a rule; the steps a block rule held run again at once. 204. */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import type { RoutePlugin } from '../../context.ts';
import { NoContent, SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors, sandboxOf } from '../sandbox-route.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const deleteFault: RoutePlugin = async (app, { store }) => {
  const { faults } = sandboxOf(app);
  app.delete(
    '/_cloudpartner/faults/:id',
    {
      config: SANDBOX_CONFIG,
      schema: { tags: SANDBOX_TAGS, params: Type.Object({ id: Type.String() }), response: { 204: NoContent, ...sandboxErrors } },
    },
    async (request, reply) => {
      const rule = faults.get(request.params.id);
      const { removed, released } = faults.remove(request.params.id);
      if (!removed) throw errors.faultNotFound(request.params.id);
      await store.recordAudit(
        auditWrite(request, auditEntry('sandbox.fault.remove', { publisherId: rule?.match.publisherId ?? null, target: rule?.id ?? null })),
      );
      await app.workflow.release(released);
      return reply.code(204).send(null);
    },
  );
};

export default deleteFault;
