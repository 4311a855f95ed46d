/** Every API call must name a supported `api-version` (400 InvalidAPIVersion otherwise). */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { isSupportedApiVersion } from '../../domain/api-version.ts';
import { errors } from '../../domain/errors.ts';

export default fp(
  async function apiVersionPlugin(app: FastifyInstance) {
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public || request.is404) return;
      const given = (request.query as Record<string, unknown>)['api-version'];
      if (!isSupportedApiVersion(given)) throw errors.invalidApiVersion(typeof given === 'string' ? given : given === undefined ? undefined : String(given));
    });
  },
  { name: 'api-version', dependencies: ['auth'] },
);
