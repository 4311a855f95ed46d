/**
 * The sandbox, when `--sandbox` turns it on: its state on the app (fault rules, the workflow
 * clock), the HTTP fault rules applied to every API request before any work is done, and the
 * sandbox admin token required on the routes marked `config.sandbox`. Without `--sandbox` this
 * plugin is not registered and no sandbox route exists (404).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OffsetClock } from '../../domain/clock.ts';
import { errors } from '../../domain/errors.ts';
import type { FaultRules } from '../../sandbox/faults.ts';
import { type Journal, journalRequestBody } from '../../sandbox/journal.ts';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A sandbox control: the sandbox admin token only. */
    sandbox?: boolean;
  }
  interface FastifyInstance {
    /** Present when the sandbox is on. */
    sandbox?: SandboxState;
  }
}

/** What the sandbox keeps in memory (D63). */
export interface SandboxState {
  faults: FaultRules;
  clock: OffsetClock;
  journal: Journal;
}

export const SANDBOX_PREFIX = '/_cloudpartner/';
const CONSOLE_PREFIX = '/console';
/** Operating the server, not calling the API: never faulted, never journaled. */
const OPERATIONS_PATHS = new Set(['/metrics', '/metrics/', '/readyz', '/readyz/']);

const PUBLISHER_IN_PATH = /^\/api\/publishers\/([^/?]+)/i;

function decodedOrNot(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes: the route answers that with its 400
  }
}

export default fp(
  async function sandboxPlugin(app: FastifyInstance, options: SandboxState) {
    app.decorate('sandbox', options);

    // First of all hooks: an injected failure comes before authentication and before any write.
    // A callback hook, not an async one: it runs on every request, and nearly always does nothing.
    app.addHook('onRequest', (request, reply, done) => {
      if (!options.faults.hasHttpRules()) return done();
      const path = request.url.split('?', 1)[0]!;
      // The controls themselves are never faulted, nor the console's files (its API calls are).
      if (path.startsWith(SANDBOX_PREFIX) || path.startsWith(CONSOLE_PREFIX) || OPERATIONS_PATHS.has(path)) return done();
      const publisherId = PUBLISHER_IN_PATH.exec(path)?.[1];
      const fault = options.faults.forRequest(request.method, path, publisherId === undefined ? undefined : decodedOrNot(publisherId));
      if (!fault) return done();
      if ('delayMs' in fault) {
        setTimeout(done, fault.delayMs);
        return;
      }
      if ('drop' in fault) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      sendError(reply, errors.injected(fault.status, fault.ruleId, fault.retryAfter));
    });

    // The journal takes each answer as it leaves (the controls' own calls are not journaled).
    app.addHook('onSend', (request, reply, payload, done) => {
      const path = request.url.split('?', 1)[0]!;
      // Neither are the console's files: the journal is of API calls (the console's own are in it).
      if (!path.startsWith(SANDBOX_PREFIX) && !path.startsWith(CONSOLE_PREFIX) && !OPERATIONS_PATHS.has(path)) {
        options.journal.record(
          {
            timeMs: Date.now(),
            requestId: request.id,
            method: request.method,
            path,
            status: reply.statusCode,
            principalId: request.principal?.id ?? null,
            durationMs: Math.round(reply.elapsedTime * 10) / 10,
            requestBody: request.body === undefined ? null : journalRequestBody(request.body),
          },
          typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : null,
        );
      }
      done(null, payload);
    });

    app.addHook('preHandler', (request, _reply, done) => {
      if (!request.routeOptions.config.sandbox) return done();
      done(request.principal.sandboxAdmin ? undefined : errors.sandboxAdminRequired());
    });
  },
  // Registered before auth: an injected failure answers before the token is even looked at.
  { name: 'sandbox' },
);
