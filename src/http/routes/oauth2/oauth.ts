/**
 * What the built-in token service's endpoints share: OAuth 2.0 error answers (RFC 6749 §5.2) in
 * Azure AD's shape — their clients are OAuth libraries that parse exactly this, not the API's
 * error body — and form-encoded request bodies, which only these endpoints accept.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Accepts `application/x-www-form-urlencoded` bodies in this plugin's routes (the rest of the API speaks JSON). */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'invalid_instance'
  | 'unauthorized_client';

export function oauthError(reply: FastifyReply, status: number, error: OAuthError, code: number, description: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' '),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    });
}
