/**
 * Who is calling, and may they act on this publisher.
 *
 * onRequest: resolves the bearer token to a principal (401 otherwise) for every route that is
 * not marked `config.public`. preHandler: for routes that name a publisher, validates the id,
 * checks the principal's role on it (403 otherwise) and sets `request.publisherId`.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.ts';
import { parseId } from '../../domain/ids.ts';
import { type Action, roleAllows } from '../../domain/roles.ts';
import type { Authenticator } from '../../identity/authenticator.ts';
import type { Principal, ReadMark } from '../../store/store.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed (health, OpenAPI document). */
    public?: boolean;
    /** What the route does to the publisher named in its path. */
    action?: Action;
    /** Served without the api-version query parameter (the token service's endpoints). */
    noApiVersion?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
    /** Canonical id of the publisher named in the path, once access to it is checked. */
    publisherId: string;
    /** When the request began, as the store counts it: its reads may share one freshness check (D85). */
    readMark: ReadMark | undefined;
  }
}

export default fp(
  async function authPlugin(app: FastifyInstance, options: { authenticator: Authenticator; readMark: () => ReadMark | undefined }) {
    const { authenticator, readMark } = options;
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorateRequest('publisherId', '');
    app.decorateRequest('readMark', undefined);

    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public || request.is404) return;
      request.readMark = readMark();
      request.principal = await authenticator.authenticate(request.headers.authorization, request.readMark);
    });

    // A callback hook, not an async one: it runs on every request and needs no promise.
    app.addHook('preHandler', (request, _reply, done) => {
      const action = request.routeOptions.config.action;
      if (!action) return done();
      try {
        const raw = (request.params as { publisherId?: string }).publisherId;
        if (raw === undefined) throw new Error(`route ${request.routeOptions.url} declares an action but has no publisherId`);
        const publisherId = parseId('publisherId', raw);
        const role = request.principal.grants.get(publisherId);
        if (!role) throw errors.forbiddenPublisher(publisherId);
        if (!roleAllows(role, action)) throw errors.forbiddenAction(publisherId, role, action);
        request.publisherId = publisherId;
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  },
  { name: 'auth' },
);
