/** PUT /_cloudpartner/clock — how long steps take from now on: zero, fast, realistic (days), or by step id. */
import { Type } from 'typebox';
import { parseClockSettings } from '../../../../sandbox/clock-input.ts';
import { bodyErrorResponses } from '../../../schemas/common.ts';
import { ClockSettings } from '../../../schemas/sandbox.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors } from '../sandbox-route.ts';
import { clockView } from './view.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const putClock: RoutePlugin = async (app, { store }) => {
  app.put(
    '/_cloudpartner/clock',
    {
      config: SANDBOX_CONFIG,
      schema: { tags: SANDBOX_TAGS, body: ClockSettings, response: { 200: Type.Ref('SandboxClock'), ...sandboxErrors, ...bodyErrorResponses } },
      validatorCompiler: () => () => true, // parseClockSettings names the member that is wrong
    },
    async (request, reply) => {
      app.workflow.setDurations(parseClockSettings(request.body, app.workflow.durations));
      await store.recordAudit(auditWrite(request, auditEntry('sandbox.clock.set', {})));
      return reply.type(JSON_TYPE).send(JSON.stringify(clockView(app)));
    },
  );
};

export default putClock;
