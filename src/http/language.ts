/**
 * The language of an answer's messages, at the HTTP edge (D98): read from Accept-Language only
 * when an answer carries a message a person reads (an error, a step message, a validation
 * report), so answers without one — the GET offer path among them — pay nothing for it.
 */
import type { FastifyReply } from 'fastify';
import { type Language, languageOf } from '../domain/messages/index.ts';

/** The request's language, announced on the answer as Content-Language (and Vary, for caches: the words depend on the header). */
export function answerLanguage(reply: FastifyReply): Language {
  const language = languageOf(reply.request.headers['accept-language']);
  const vary = reply.getHeader('vary');
  void reply.header('content-language', language).header('vary', vary ? `${String(vary)}, accept-language` : 'accept-language');
  return language;
}
