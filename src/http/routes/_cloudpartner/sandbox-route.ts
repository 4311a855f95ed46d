/** What every sandbox control shares: its config (admin token, no api-version), its tag, its error answers. */
import { Type } from 'typebox';
import { apiErrorResponses } from '../../schemas/common.ts';

export const SANDBOX_CONFIG = { sandbox: true, noApiVersion: true } as const;

export const SANDBOX_TAGS = ['sandbox'];

export const sandboxErrors = apiErrorResponses;

/** The sandbox's state on the app; only registered when the sandbox is on. */
export function sandboxOf(app: { sandbox?: NonNullable<import('fastify').FastifyInstance['sandbox']> }) {
  if (!app.sandbox) throw new Error('sandbox routes are registered only when the sandbox is on');
  return app.sandbox;
}

export const NoContent = Type.Null({ description: 'No content.' });
