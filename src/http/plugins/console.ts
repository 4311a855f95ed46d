/**
 * Serves the web console at /console/: the page and its hashed assets from memory (gzipped when
 * the client takes it), under a content-security policy that allows nothing but this origin —
 * no inline script or style, no other host. The console is a client of the public API: these
 * routes serve files only and need no token (the page asks for one).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleAssets, ConsoleFile } from '../console-assets.ts';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

async function consolePlugin(app: FastifyInstance, options: { assets: ConsoleAssets }): Promise<void> {
  const { files } = options.assets;
  const page = files.get('index.html');
  if (!page) throw new Error('the console build has no index.html');

  const config = { public: true };
  // The router ignores a trailing slash: this serves /console and /console/.
  app.get('/console/', { config, schema: { hide: true } }, async (request, reply) => send(request, reply, page));
  app.get<{ Params: { '*': string } }>('/console/assets/*', { config, schema: { hide: true } }, async (request, reply) => {
    const file = files.get(`assets/${request.params['*']}`);
    if (!file) {
      void reply.code(404).headers(SECURITY_HEADERS).type('text/plain; charset=utf-8');
      return 'Not found';
    }
    return send(request, reply, file);
  });
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile): Buffer {
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  void reply
    .headers(SECURITY_HEADERS)
    .header('content-type', file.contentType)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding');
  if (gzip) {
    void reply.header('content-encoding', 'gzip');
    return file.gzip;
  }
  return file.body;
}

export default fp(consolePlugin, { name: 'console' });
