/**
 * The built-in token service's client-credentials endpoints, as Azure AD serves them:
 *   POST /{tenant}/oauth2/token       (v1: form grant_type, client_id, client_secret, resource)
 *   POST /{tenant}/oauth2/v2.0/token  (v2: form grant_type, client_id, client_secret, scope=…/.default)
 * The client may also authenticate with HTTP Basic (client_secret_basic).
 *
 * Errors follow OAuth 2.0 (RFC 6749 §5.2) — `{"error":"invalid_client","error_description":…}` —
 * because the clients of these endpoints are OAuth libraries that parse exactly that.
 */
import { Type } from 'typebox';
import { secretMatches } from '../../../identity/applications.ts';
import type { RoutePlugin } from '../context.ts';
import { acceptForms, oauthError } from './oauth.ts';
import { GRAPH_RESOURCE } from '../../../identity/defaults.ts';

const Form = Type.Object(
  {
    grant_type: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    resource: Type.Optional(Type.String({ description: 'v1: the API the token is for, https://cloudpartner.azure.com' })),
    scope: Type.Optional(Type.String({ description: 'v2: https://cloudpartner.azure.com/.default' })),
  },
  { additionalProperties: true },
);

/** OpenID Connect's own scopes, which some OAuth libraries add to every request; they ask for nothing more here. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * v2 `scope`: exactly `{resource}/.default`, beside at most OpenID Connect's own scopes; the
 * resource the token is for (the API's audience, or Graph's for the product-ingestion face), or
 * undefined when it asks for neither.
 */
function resourceAskedFor(scope: string | undefined, audience: string): string | undefined {
  const scopes = (scope ?? '').split(' ').filter(Boolean);
  const others = scopes.filter((item) => !OIDC_SCOPES.has(item));
  if (others.length !== 1) return undefined;
  return [audience, GRAPH_RESOURCE].find((resource) => others[0] === `${resource}/.default`);
}

const tokenRoutes: RoutePlugin = async (app, { store, tokens, clock }) => {
  acceptForms(app);

  for (const version of [1, 2] as const) {
    app.post(
      version === 1 ? '/:tenant/oauth2/token' : '/:tenant/oauth2/v2.0/token',
      {
        config: { public: true, noApiVersion: true },
        schema: {
          summary: `Get an access token (client credentials, Azure AD ${version === 1 ? 'v1' : 'v2'} form)`,
          tags: ['identity'],
          security: [],
          params: Type.Object({ tenant: Type.String() }),
          body: Type.Optional(Form),
          consumes: ['application/x-www-form-urlencoded'],
        },
      },
      async (request, reply) => {
        const form = (request.body ?? {}) as Record<string, string | undefined>;
        let clientId = form['client_id'];
        let clientSecret = form['client_secret'];
        const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
        if (basic) {
          const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon > 0) {
            try {
              clientId ??= decodeURIComponent(decoded.slice(0, colon));
              clientSecret ??= decodeURIComponent(decoded.slice(colon + 1));
            } catch {
              return oauthError(reply, 400, 'invalid_request', 900144, 'The client credentials in the Authorization header are not validly encoded.');
            }
          }
        }
        if (form['grant_type'] !== 'client_credentials') {
          return oauthError(reply, 400, 'unsupported_grant_type', 70003, 'The grant type is not supported: use grant_type=client_credentials.');
        }
        if (!clientId || !clientSecret) {
          return oauthError(reply, 400, 'invalid_request', 900144, "The request body must contain 'client_id' and 'client_secret'.");
        }
        // The API's own audience, or Graph's: the product-ingestion face's clients ask for that one.
        let audience: string | undefined;
        if (version === 1) {
          const resource = form['resource']?.replace(/\/+$/, '');
          audience = resource === tokens.audience || resource === GRAPH_RESOURCE ? resource : undefined;
          if (audience === undefined) {
            return oauthError(
              reply,
              400,
              'invalid_resource',
              500011,
              `The resource '${(form['resource'] ?? '').slice(0, 200)}' was not found: request '${tokens.audience}'.`,
            );
          }
        } else if ((audience = resourceAskedFor(form['scope'], tokens.audience)) === undefined) {
          return oauthError(
            reply,
            400,
            'invalid_scope',
            1002012,
            `The scope '${(form['scope'] ?? '').slice(0, 200)}' is not valid: request '${tokens.audience}/.default'.`,
          );
        }
        const application = await store.findApplication(clientId);
        if (!application || application.tenantId !== request.params.tenant.toLowerCase()) {
          return oauthError(
            reply,
            400,
            'unauthorized_client',
            700016,
            `Application with identifier '${clientId.slice(0, 100)}' was not found in the directory '${request.params.tenant.slice(0, 100)}'.`,
          );
        }
        if (!(await secretMatches(clientSecret, application.secretHash))) {
          return oauthError(
            reply,
            401,
            'invalid_client',
            7000215,
            'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.',
          );
        }
        const issued = await tokens.issue(application, version, Math.floor(clock.now() / 1000), audience);
        reply.header('cache-control', 'no-store');
        return version === 1
          ? {
              token_type: 'Bearer',
              expires_in: String(issued.expiresIn),
              ext_expires_in: String(issued.expiresIn),
              expires_on: String(issued.expiresOn),
              not_before: String(issued.notBefore),
              resource: form['resource'] ?? audience,
              access_token: issued.accessToken,
            }
          : { token_type: 'Bearer', expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.accessToken };
      },
    );
  }
};
export default tokenRoutes;
