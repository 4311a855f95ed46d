/**
 * The one error handler: every failure leaves as `{"error":{"code","message"}}` with the status
 * of its ApiError. Errors Fastify raises itself (bad JSON, wrong content type, body too large,
 * schema validation) are mapped to catalogue entries; anything else is our bug: logged, 500.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ApiError, errorBody, errors } from '../../domain/errors.ts';
import { DatabaseUnavailableError } from '../../store/telemetry.ts';
import { ingestionErrorBody, isIngestionUrl } from '../../product-ingestion/errors.ts';
import { message } from '../../domain/messages/index.ts';
import { answerLanguage } from '../language.ts';

export function toApiError(error: unknown, bodyLimit?: number): ApiError {
  if (error instanceof ApiError) return error;
  // PostgreSQL down or restarting: 503 with Retry-After, which clients retry; not our bug (500).
  if (error instanceof DatabaseUnavailableError) return errors.databaseUnavailable();
  // Whatever was thrown — even null or a string — the handler answers; it must never fail itself.
  if (error === null || typeof error !== 'object') return errors.internal();
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request';
    return errors.invalidRequest(message('error.requestPartInvalid', { where, detail: fastifyError.message }));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? errors.unsupportedMediaType(undefined)
        : errors.invalidRequest(message('error.contentLengthMismatch'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson(message('error.jsonEmpty'));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.invalidJson(fastifyError.message);
  }
  // The client closed its connection while its body was read: a client's doing (no one is left to answer).
  if (fastifyError.code === 'ECONNRESET' && fastifyError.message === 'aborted') return errors.invalidRequest(message('error.clientClosed'));
  // Request bodies that are not JSON arrive as FST_ERR_CTP_INVALID_JSON_BODY above: any other
  // SyntaxError is a JSON.parse of ours failing, and like any error that is not Fastify's own
  // (FST_…), its message is internal detail, whatever status it carries.
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')) {
    // Fastify's own client errors (bad URL, param too long…) may quote the whole URL: kept short.
    return errors.clientError(status, fastifyError.message);
  }
  return errors.internal();
}

/**
 * Errors Node's HTTP parser raises before a request exists (headers too large, malformed
 * request line): answered on the raw socket, still in the one error shape.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return;
  // An answer already being written on this connection must not get another one spliced in.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(
    rawErrorResponse(
      error.code === 'HPE_HEADER_OVERFLOW'
        ? errors.headersTooLarge()
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? errors.requestTimeout()
          : errors.malformedRequest(),
    ),
  );
}

/** A whole HTTP/1.1 error answer, for the raw socket (before or outside a request Fastify knows), closing the connection. */
export function rawErrorResponse(apiError: ApiError): string {
  const body = errorBody(apiError);
  return `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function sendError(reply: FastifyReply, apiError: ApiError): void {
  // The message in the language the request asks for (D98); the code, paths and fields stay as they are.
  const language = answerLanguage(reply);
  // The product-ingestion face words the same error its own way (src/product-ingestion/errors.ts).
  const body = isIngestionUrl(reply.request.url) ? ingestionErrorBody(apiError, language) : errorBody(apiError, language);
  void reply.code(apiError.status).headers(apiError.headers).type('application/json; charset=utf-8').send(body);
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((error, request, reply) => {
      const apiError = toApiError(error as Error, request.routeOptions.bodyLimit);
      if (apiError.status >= 500)
        request.log.error({ err: error }, apiError.status === 503 ? 'request failed: the database cannot be reached' : 'request failed');
      else if (apiError.code === 'InvalidRequest') request.log.debug({ err: error }, 'client error');
      sendError(reply, apiError);
    });

    app.setNotFoundHandler((request, reply) => {
      sendError(reply, errors.routeNotFound(request.method, request.url));
    });
  },
  { name: 'errors' },
);
