/**
 * The sandbox's request journal: the latest API requests and their answers, in a bounded ring in
 * memory, for a pipeline's author to see what their automation really sent. Off the hot path: a
 * record is a few fields and two bodies cut to a few KB, taken when the answer is sent.
 *
 * Nothing secret enters it: the Authorization header is never read; the secret-type fields of an
 * offer document are taken out before the body is kept (as the store does); the token service's
 * bodies (client secrets, access tokens) are not kept at all; and anything in a body that looks
 * like a token is masked.
 */
import { extractSecrets } from '../domain/secret-fields.ts';

export const JOURNAL_SIZE = 1000;
/** Bodies are cut to this many characters. */
export const JOURNAL_BODY_CHARS = 4096;

export interface JournalEntry {
  time: string;
  requestId: string;
  method: string;
  path: string;
  status: number;
  /** The caller: the access token's id or the service principal, never the token. */
  principalId: string | null;
  publisherId: string | null;
  offerId: string | null;
  durationMs: number;
  requestBody: string | null;
  responseBody: string | null;
}

const OFFER_PATH = /^\/api\/publishers\/([^/?]+)(?:\/offers\/([^/?]+))?/i;
const TOKEN_LIKE = [/cpat_[A-Za-z0-9_-]+/g, /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g];

function cut(text: string): string {
  const masked = TOKEN_LIKE.reduce((value, pattern) => value.replace(pattern, '***'), text);
  return masked.length > JOURNAL_BODY_CHARS ? `${masked.slice(0, JOURNAL_BODY_CHARS)}…` : masked;
}

function decoded(segment: string | undefined): string | null {
  if (segment === undefined) return null;
  try {
    return decodeURIComponent(segment).toLowerCase();
  } catch {
    return segment.toLowerCase();
  }
}

/** A request body as the journal keeps it: an offer document without its secret values. */
export function journalRequestBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  try {
    if (typeof body !== 'object') return cut(JSON.stringify(body));
    const copy = structuredClone(body) as Record<string, unknown>;
    if (typeof copy['offerTypeId'] === 'string' && copy['definition'] !== undefined) extractSecrets(copy['definition'], copy['offerTypeId']);
    return cut(JSON.stringify(copy));
  } catch {
    // Nested deeper than a copy can go (the API refused such a body anyway): the journal says so.
    return '[not kept: nested too deeply to copy]';
  }
}

export class Journal {
  readonly #entries: JournalEntry[] = [];
  #next = 0;

  record(entry: Omit<JournalEntry, 'publisherId' | 'offerId' | 'requestBody' | 'responseBody'>, requestBody: string | null, responseBody: string | null): void {
    const ids = OFFER_PATH.exec(entry.path);
    const confidential = entry.path.includes('/oauth2/');
    const full: JournalEntry = {
      ...entry,
      publisherId: decoded(ids?.[1]),
      offerId: decoded(ids?.[2]),
      requestBody: confidential ? null : requestBody,
      responseBody: confidential || responseBody === null ? null : cut(responseBody),
    };
    if (this.#entries.length < JOURNAL_SIZE) this.#entries.push(full);
    else this.#entries[this.#next] = full;
    this.#next = (this.#next + 1) % JOURNAL_SIZE;
  }

  /** Newest first. */
  list(filter: { publisherId?: string; offerId?: string; limit: number }): JournalEntry[] {
    const ordered = [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)].reverse();
    const publisherId = filter.publisherId?.toLowerCase();
    const offerId = filter.offerId?.toLowerCase();
    return ordered.filter((entry) => (!publisherId || entry.publisherId === publisherId) && (!offerId || entry.offerId === offerId)).slice(0, filter.limit);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#next = 0;
  }
}
