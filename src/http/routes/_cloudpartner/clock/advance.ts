/**
 * POST /_cloudpartner/clock/advance — moves workflow time ahead by `ms`: every waiting step
 * behaves as if that much time had passed, and an operation runs through every step that fits.
 */
import { Type } from 'typebox';
import { parseAdvance } from '../../../../sandbox/clock-input.ts';
import { bodyErrorResponses } from '../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors, sandboxOf } from '../sandbox-route.ts';
import { clockView } from './view.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const advanceClock: RoutePlugin = async (app, { store }) => {
  const { clock } = sandboxOf(app);
  app.post(
    '/_cloudpartner/clock/advance',
    {
      config: SANDBOX_CONFIG,
      schema: {
        tags: SANDBOX_TAGS,
        body: Type.Object({ ms: Type.Integer({ minimum: 1, description: 'Milliseconds to move workflow time ahead.' }) }),
        response: { 200: Type.Ref('SandboxClock'), ...sandboxErrors, ...bodyErrorResponses },
      },
      validatorCompiler: () => () => true, // parseAdvance answers a clear 400
    },
    async (request, reply) => {
      clock.advance(parseAdvance(request.body)); // the engine wakes and runs what fell due
      // Records that fell out of retention are gone before the answer (D96); the advance is recorded at the new time.
      await app.auditRetention.prune();
      await store.recordAudit(auditWrite(request, auditEntry('sandbox.clock.advance', {})));
      return reply.type(JSON_TYPE).send(JSON.stringify(clockView(app)));
    },
  );
};

export default advanceClock;
