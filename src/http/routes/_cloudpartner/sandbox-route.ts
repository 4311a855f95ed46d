/** What every sandbox control shares: its config (admin token, no api-version), its tag, its error answers. */
import { Type } from 'typebox';
import { errors } from '../../../domain/errors.ts';
import { apiErrorResponses } from '../../schemas/common.ts';
import { message } from '../../../domain/messages/index.ts';

export const SANDBOX_CONFIG = { sandbox: true, noApiVersion: true } as const;

export const SANDBOX_TAGS = ['sandbox'];

export const sandboxErrors = apiErrorResponses;

/** The sandbox's state on the app; only registered when the sandbox is on. */
export function sandboxOf(app: { sandbox?: NonNullable<import('fastify').FastifyInstance['sandbox']> }) {
  if (!app.sandbox) throw new Error('sandbox routes are registered only when the sandbox is on');
  return app.sandbox;
}

export const NoContent = Type.Null({ description: 'No content.' });

/** The `limit` query parameter of a list: 1 to `max`, 100 when absent; 400 otherwise. */
export function parseLimit(raw: string | undefined, max: number): number {
  const limit = raw === undefined ? 100 : /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= max)) throw errors.invalidQueryParameter('limit', message('error.queryLimitRange', { max }));
  return limit;
}
