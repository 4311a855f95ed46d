/**
 * The authorization endpoints the OpenID metadata names (`/{tenant}/oauth2/authorize`,
 * `/{tenant}/oauth2/v2.0/authorize`). The built-in token service signs in applications only
 * (client credentials), so every interactive flow is refused with an OAuth error. The answer is
 * never a redirect: no redirect URI is registered anywhere, and redirecting to one the request
 * names would make this an open redirector (RFC 6749 §4.1.2.1).
 */
import { Type } from 'typebox';
import type { RoutePlugin } from '../context.ts';
import { acceptForms, oauthError } from './oauth.ts';

const authorize: RoutePlugin = async (app) => {
  acceptForms(app);
  for (const path of ['/:tenant/oauth2/authorize', '/:tenant/oauth2/v2.0/authorize']) {
    app.route({
      method: ['GET', 'POST'],
      url: path,
      config: { public: true, noApiVersion: true },
      schema: {
        summary: 'Authorization endpoint: interactive flows are not offered (OAuth error)',
        tags: ['identity'],
        security: [],
        params: Type.Object({ tenant: Type.String() }),
      },
      handler: async (_request, reply) =>
        oauthError(
          reply,
          400,
          'unsupported_response_type',
          70000,
          'This token service offers only the client-credentials flow: POST grant_type=client_credentials to the token endpoint.',
        ),
    });
  }
};
export default authorize;
