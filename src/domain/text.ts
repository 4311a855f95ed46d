/**
 * Text every backend stores exactly as it was sent: well-formed Unicode without U+0000.
 *
 * PostgreSQL `text` cannot hold U+0000 at all, and both backends store an unpaired surrogate
 * (valid in a JSON string escape, `"\ud800"`, but not Unicode) as U+FFFD in columns kept apart
 * from the document, so a list would show other text than the document. Such text is refused
 * where it comes in, the same way on every backend.
 */
import { errors } from './errors.ts';
import { type Message, message } from './messages/index.ts';

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored as it is, or undefined when it can. */
export function unstorableText(text: string): Message | undefined {
  if (text.includes('\u0000')) return message('text.nul');
  if (UNPAIRED_SURROGATE.test(text)) return message('text.unpairedSurrogate');
  return undefined;
}

/**
 * Text that reached a backend which cannot store it (PostgreSQL refuses U+0000 in any text
 * column). Documents are checked where they come in; anything else that carries it — an id in a
 * path, a member's name — was still sent by the client: a client mistake, never a fault of ours.
 */
export function unstorableTextError(): Error {
  return errors.invalidRequest(message('error.textWithNul'));
}
