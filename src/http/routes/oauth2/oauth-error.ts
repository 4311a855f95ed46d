/**
 * OAuth 2.0 error answers (RFC 6749 §5.2) in Azure AD's shape, for every endpoint of the built-in
 * token service: their clients are OAuth libraries that parse exactly this, not the API's error body.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

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
