/**
 * Shutdown as clients see it. From the moment the app starts closing (SIGTERM), every request
 * — on a keep-alive connection, or pipelined — is answered 503 `ServiceUnavailable` in the API's
 * error shape with `Connection: close`, /readyz included, so a load balancer stops sending here
 * while the requests in flight finish. (Fastify's own answer at that point has another shape.)
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.ts';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** `closing` turns true when the app starts closing, and stays so. */
    lifecycle: { closing: boolean };
  }
}

export default fp(
  async function lifecyclePlugin(app: FastifyInstance) {
    const lifecycle = { closing: false };
    app.decorate('lifecycle', lifecycle);
    // Registered before the workflow's and the webhooks' preClose hooks: the flag turns first.
    app.addHook('preClose', (done) => {
      lifecycle.closing = true;
      done();
    });
    // A callback hook, not an async one: it runs on every request, and nearly always does nothing.
    app.addHook('onRequest', (_request, reply, done) => {
      if (!lifecycle.closing) return done();
      reply.header('connection', 'close');
      sendError(reply, errors.shuttingDown());
    });
  },
  { name: 'lifecycle', dependencies: ['errors'] },
);
