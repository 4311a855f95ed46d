/**
 * The built-in token service's public metadata, at Azure AD's paths: OpenID Connect discovery
 * documents and the signing keys (JWKS), so other services can verify its tokens.
 */
import { Type } from 'typebox';
import type { RoutePlugin } from '../context.ts';

const metadata: RoutePlugin = async (app, { tokens }) => {
  const common = { config: { public: true, noApiVersion: true }, schema: { tags: ['identity'], security: [], params: Type.Object({ tenant: Type.String() }) } };
  const tenantOf = (raw: string) => (raw === 'common' || raw === 'organizations' ? tokens.tenantId : raw.toLowerCase());

  app.get('/:tenant/.well-known/openid-configuration', { ...common, schema: { ...common.schema, summary: 'OpenID Connect metadata (v1 issuer)' } }, async (request) =>
    tokens.openIdConfiguration(1, tenantOf(request.params.tenant)),
  );
  app.get('/:tenant/v2.0/.well-known/openid-configuration', { ...common, schema: { ...common.schema, summary: 'OpenID Connect metadata (v2 issuer)' } }, async (request) =>
    tokens.openIdConfiguration(2, tenantOf(request.params.tenant)),
  );
  for (const path of ['/:tenant/discovery/keys', '/:tenant/discovery/v2.0/keys']) {
    app.get(path, { ...common, schema: { ...common.schema, summary: 'Signing keys of the token service (JWKS)' } }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return tokens.jwks();
    });
  }
};
export default metadata;
