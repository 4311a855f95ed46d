/**
 * The one error handler: every failure leaves as `{"error":{"code","message"}}` with the status
 * of its ApiError. Errors Fastify raises itself (bad JSON, wrong content type, body too large,
 * schema validation) are mapped to catalogue entries; anything else is our bug: logged, 500.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, errors } from '../../domain/errors.ts';

export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request';
    return errors.invalidRequest(`The ${where} is not valid: ${fastifyError.message}`);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? errors.unsupportedMediaType(undefined)
        : errors.invalidRequest('The Content-Length header does not match the body.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(0);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson('the body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.invalidJson(fastifyError.message);
  }
  if (error instanceof SyntaxError) return errors.invalidJson(error.message);
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiError(status, 'InvalidRequest', fastifyError.message);
  }
  return errors.internal();
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((error, request, reply) => {
      const apiError = toApiError(error as Error);
      if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
      else if (apiError.code === 'InvalidRequest') request.log.debug({ err: error }, 'client error');
      void reply
        .code(apiError.status)
        .headers(apiError.headers)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: { code: apiError.code, message: apiError.message } }));
    });

    app.setNotFoundHandler((request, reply) => {
      const apiError = errors.routeNotFound(request.method, request.url);
      void reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: { code: apiError.code, message: apiError.message } }));
    });
  },
  { name: 'errors' },
);
