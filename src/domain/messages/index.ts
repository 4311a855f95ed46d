/**
 * Messages a person reads — every error message and every step message — in the languages the
 * service speaks (D98). A message is made as a catalogue id with parameters (`message(…)`), kept
 * that way wherever it is stored (D99), and rendered into one language only where it leaves: at
 * the HTTP edge, for the language the request asks for (Accept-Language), or in English for logs,
 * journals and webhooks.
 *
 * The catalogue (./catalogue.ts) holds every message in all four languages side by side: a
 * message missing a language is a type error, and test/domain/messages.test.ts fails when the
 * placeholders of a message differ between its languages.
 */
import { CATALOGUE, type MessageId } from './catalogue.ts';
import { LANGUAGES, type Language } from './language.ts';

export { LANGUAGES, languageOf, type Language } from './language.ts';
export { CATALOGUE, type MessageId } from './catalogue.ts';

/** A value put into a message: text from the request or the document (never translated), a number, another message, or a list of them. */
export type MessageParam = string | number | Message | readonly MessageParam[];

/** A message as it is kept: which one, and what fills its placeholders. */
export interface Message {
  readonly id: MessageId;
  readonly params: Readonly<Record<string, MessageParam>>;
}

export function message(id: MessageId, params: Record<string, MessageParam> = {}): Message {
  return { id, params };
}

export function isMessage(value: unknown): value is Message {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as Message).id === 'string' && (value as Message).id in CATALOGUE
  );
}

/** A template split once into its text and placeholders: `["The offer '", "offerId", "' …"]`, placeholders at odd positions. */
type Compiled = readonly string[];
const compiled = new Map<string, Compiled>();

/** The `{name}` placeholders of a template: a brace around anything but a plain name is text (JSON examples stay as they are). */
export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

function compile(template: string): Compiled {
  let parts = compiled.get(template);
  if (parts === undefined) {
    parts = template.split(PLACEHOLDER);
    compiled.set(template, parts);
  }
  return parts;
}

/** Lists (problems, findings) are joined this way in every language. */
const LIST_SEPARATOR = '; ';

/** The message in one language; a plain string (text that is not ours, such as a sandbox rule's own message) stays as it is. */
export function render(text: Message | string, language: Language = 'en'): string {
  if (typeof text === 'string') return text;
  const entry = CATALOGUE[text.id] as Record<Language, string> | undefined;
  if (entry === undefined) return text.id;
  const parts = compile(entry[language]);
  if (parts.length === 1) return parts[0]!;
  let out = '';
  for (let index = 0; index < parts.length; index++) {
    if (index % 2 === 0) out += parts[index];
    else {
      const name = parts[index]!;
      const value = text.params[name];
      out += value === undefined ? `{${name}}` : renderParam(value, language);
    }
  }
  return out;
}

function renderParam(value: MessageParam, language: Language): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return (value as readonly MessageParam[]).map((item) => renderParam(item, language)).join(LIST_SEPARATOR);
  return render(value as Message, language);
}

/** Every language's rendering of a message, for the catalogue's own checks. */
export function renderAll(text: Message): Record<Language, string> {
  return Object.fromEntries(LANGUAGES.map((language) => [language, render(text, language)])) as Record<Language, string>;
}
