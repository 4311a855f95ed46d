/** Every API call must name a supported `api-version` (400 InvalidAPIVersion otherwise). */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { isSupportedApiVersion } from '../../domain/api-version.ts';
import { errors } from '../../domain/errors.ts';

export default fp(
  async function apiVersionPlugin(app: FastifyInstance) {
    // A callback hook, not an async one: it runs on every request and needs no promise.
    app.addHook('onRequest', (request, _reply, done) => {
      const config = request.routeOptions.config;
      if (config.public || config.noApiVersion || request.is404) return done();
      const given = (request.query as Record<string, unknown>)['api-version'];
      if (isSupportedApiVersion(given)) return done();
      done(errors.invalidApiVersion(typeof given === 'string' ? given : given === undefined ? undefined : String(given)));
    });
  },
  { name: 'api-version', dependencies: ['auth'] },
);
