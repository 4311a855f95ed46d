/**
 * POST /_cloudpartner/reset — empties the catalog, removes every fault rule and clears the journal. `{"demo": true}`
 * brings the demo data back; `{"identities": true}` also removes publishers, members,
 * applications and tokens (sandbox admin tokens stay, so the caller keeps its access).
 */
import { Type } from 'typebox';
import { restoreDemoData } from '../../../demo/demo-data.ts';
import { errors } from '../../../domain/errors.ts';
import { bodyErrorResponses } from '../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../context.ts';
import { SANDBOX_CONFIG, SANDBOX_TAGS, sandboxErrors, sandboxOf } from './sandbox-route.ts';
import { auditEntry } from '../../../domain/audit.ts';
import { auditWrite } from '../../audit-context.ts';
import { message } from '../../../domain/messages/index.ts';

const ResetOptions = Type.Object({ demo: Type.Optional(Type.Boolean()), identities: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const reset: RoutePlugin = async (app, { store }) => {
  const { faults, journal } = sandboxOf(app);
  app.post(
    '/_cloudpartner/reset',
    {
      config: SANDBOX_CONFIG,
      schema: {
        tags: SANDBOX_TAGS,
        body: Type.Optional(ResetOptions),
        response: { 200: Type.Object({ demo: Type.Boolean(), identities: Type.Boolean() }), ...sandboxErrors, ...bodyErrorResponses },
      },
      validatorCompiler: () => () => true, // read below, with a message that names the member
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const unknown = typeof body === 'object' && body !== null ? Object.keys(body).filter((key) => key !== 'demo' && key !== 'identities') : ['$'];
      const flag = (name: 'demo' | 'identities') => {
        if (body[name] === undefined) return false;
        if (typeof body[name] !== 'boolean') throw errors.invalidRequest(message('error.mustBeBoolean', { path: `$.${name}` }));
        return body[name];
      };
      if (unknown.length > 0)
        throw errors.invalidRequest(
          message('error.bodyTakesOnly', { example: '{"demo"?: true|false, "identities"?: true|false}', unknown: unknown.join(', ') }),
        );
      const options = { demo: flag('demo'), identities: flag('identities') };
      faults.clear();
      journal.clear();
      await store.resetCatalog(
        { identities: options.identities },
        auditWrite(request, auditEntry('sandbox.reset', { target: options.identities ? 'identities' : null })),
      );
      if (options.demo) await restoreDemoData(store);
      return reply.type(JSON_TYPE).send(JSON.stringify(options));
    },
  );
};

export default reset;
