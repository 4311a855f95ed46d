/** POST /_cloudpartner/faults — adds a fault rule (workflow or HTTP); 201 with the rule and its id. */
import { parseFaultRule } from '../../../../sandbox/fault-input.ts';
import { FaultRuleInput } from '../../../schemas/sandbox.ts';
import { bodyErrorResponses } from '../../../schemas/common.ts';
import { Type } from 'typebox';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors, sandboxOf } from '../sandbox-route.ts';
import { auditEntry } from '../../../../domain/audit.ts';
import { auditWrite } from '../../../audit-context.ts';

const createFault: RoutePlugin = async (app, { store }) => {
  const { faults } = sandboxOf(app);
  app.post(
    '/_cloudpartner/faults',
    {
      config: SANDBOX_CONFIG,
      // The rule is read by parseFaultRule, which names every problem with its JSON path; the
      // schema documents the shape.
      schema: { tags: SANDBOX_TAGS, body: FaultRuleInput, response: { 201: Type.Ref('FaultRule'), ...sandboxErrors, ...bodyErrorResponses } },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const rule = faults.add(parseFaultRule(request.body));
      // Rules live in memory: there is no transaction to share, so the record follows the change.
      await store.recordAudit(auditWrite(request, auditEntry('sandbox.fault.add', { publisherId: rule.match.publisherId ?? null, target: rule.id })));
      return reply.code(201).type(JSON_TYPE).send(JSON.stringify(rule));
    },
  );
};

export default createFault;
