/**
 * The built-in token service's public metadata, at Azure AD's paths: OpenID Connect discovery
 * documents, the signing keys (JWKS) so other services can verify its tokens, and the instance
 * discovery MSAL consults before it trusts an authority host.
 */
import { Type } from 'typebox';
import type { RoutePlugin } from '../context.ts';
import { oauthError } from './oauth.ts';

/** A tenant segment as it may appear in an authority URL: a GUID, `common`, a domain name. */
const TENANT_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const metadata: RoutePlugin = async (app, { tokens }) => {
  const common = { config: { public: true, noApiVersion: true }, schema: { tags: ['identity'], security: [], params: Type.Object({ tenant: Type.String() }) } };
  const tenantOf = (raw: string) => (raw === 'common' || raw === 'organizations' ? tokens.tenantId : raw.toLowerCase());

  app.get(
    '/:tenant/.well-known/openid-configuration',
    { ...common, schema: { ...common.schema, summary: 'OpenID Connect metadata (v1 issuer)' } },
    async (request) => tokens.openIdConfiguration(1, tenantOf(request.params.tenant)),
  );
  app.get(
    '/:tenant/v2.0/.well-known/openid-configuration',
    { ...common, schema: { ...common.schema, summary: 'OpenID Connect metadata (v2 issuer)' } },
    async (request) => tokens.openIdConfiguration(2, tenantOf(request.params.tenant)),
  );
  for (const path of ['/:tenant/discovery/keys', '/:tenant/discovery/v2.0/keys']) {
    app.get(path, { ...common, schema: { ...common.schema, summary: 'Signing keys of the token service (JWKS)' } }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return tokens.jwks();
    });
  }
  app.get(
    '/:tenant/discovery/instance',
    {
      ...common,
      schema: {
        ...common.schema,
        summary: 'Instance discovery (MSAL): where the OpenID metadata of an authority is',
        querystring: Type.Object(
          { authorization_endpoint: Type.Optional(Type.String()), 'api-version': Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
      },
    },
    async (request, reply) => {
      const endpoint = request.query.authorization_endpoint;
      let tenant: string | undefined;
      try {
        tenant = endpoint ? new URL(endpoint).pathname.split('/')[1] : undefined;
      } catch {
        tenant = undefined;
      }
      if (!tenant || !TENANT_SEGMENT.test(tenant)) {
        return oauthError(reply, 400, 'invalid_instance', 50049, 'Unknown or invalid instance: give authorization_endpoint=<authority>/oauth2/v2.0/authorize.');
      }
      return tokens.instanceDiscovery(tenantOf(tenant));
    },
  );
};
export default metadata;
