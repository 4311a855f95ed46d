/**
 * One access-log line per request, written after the response. Only method, path, status and
 * duration: headers (which carry tokens) and bodies (which may carry secrets) are never logged.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

export default fp(
  async function requestLogPlugin(app: FastifyInstance) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 },
        'request',
      );
      done();
    });
  },
  { name: 'request-log' },
);
