/**
 * The language of an answer's messages, at the HTTP edge (D98): read from Accept-Language only
 * when an answer carries a message a person reads (an error, a step message, a validation
 * report), so answers without one — the GET offer path among them — pay nothing for it.
 */
import type { FastifyReply } from 'fastify';
import { type Language, languageOf } from '../domain/messages/index.ts';

/** The request's language, announced on the answer as Content-Language. */
export function answerLanguage(reply: FastifyReply): Language {
  const language = languageOf(reply.request.headers['accept-language']);
  void reply.header('content-language', language);
  return language;
}
