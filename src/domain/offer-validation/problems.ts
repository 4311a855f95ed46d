/**
 * The shape every validation result takes, and the JSON-path notation its `path` uses.
 *
 * Paths are written the way a publisher would point into the document with JSONPath:
 * `$.definition.plans[0]['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl`.
 * Bracket-and-quote form is used for every key that is not a plain identifier, because the CPP
 * schema keys contain dots (`microsoft-azure-marketplace.title`) and image versions are keys
 * (`1.0.1`); dot form for those would be ambiguous.
 */
import { type Message, type MessageParam, message, render } from '../messages/index.ts';

/** One thing wrong with an offer document: where, and what is wrong and expected (in English; `text` is the catalogue form, rendered per language at the edge). */
export interface Problem {
  path: string;
  message: string;
  text?: Message;
}

/** A problem found by our own checks, its message from the catalogue. */
export function problemAt(path: string, text: Message): Problem {
  return { path, message: render(text), text };
}

export { jsonPath, pointerSegments, type PathSegment } from './json-path.ts';

/** Quotes a value from the document for a message, without echoing unbounded input. */
export function quote(value: unknown, max = 60): MessageParam {
  // Objects and arrays are named by type only: serialising them could echo a whole document.
  if (value !== null && typeof value === 'object') return describeType(value);
  const text = String(value);
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return typeof value === 'string' ? `'${shown}'` : shown;
}

/** Names the JSON type of a value for a message, with the value when it is short ("a number (1.5)"). */
export function describeType(value: unknown): Message {
  if (value === null) return message('value.null');
  if (Array.isArray(value)) return message('value.array');
  switch (typeof value) {
    case 'object':
      return message('value.object');
    case 'number':
      return message('value.number', { value: String(value) });
    case 'boolean':
      return message('value.boolean', { value: String(value) });
    case 'string':
      return message('value.string', { value: quote(value) });
    default:
      return message('value.other', { type: typeof value });
  }
}
