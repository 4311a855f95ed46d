/**
 * The sandbox's request journal: the latest API requests and their answers, in a bounded ring in
 * memory, for a pipeline's author to see what their automation really sent. Off the hot path: a
 * record keeps what is already in memory — a few fields, and the first bytes of the answer — and
 * the work (decoding, masking, parsing the path) is done when the journal is read.
 *
 * Nothing secret enters it: the Authorization header is never read; the secret-type fields of an
 * offer document are taken out before the body is kept (as the store does); the token service's
 * bodies (client secrets, access tokens) are not kept at all; the client secret in the answer
 * that registers an application is masked, and so is anything in a body that looks like a token.
 */
import { extractSecrets } from '../domain/secret-fields.ts';
import { maskConfigureRequest } from '../product-ingestion/mapping.ts';

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
/** A client secret as a JSON member: the answer that registers an application (POST …/applications) shows one. */
const CLIENT_SECRET = /("clientSecret"\s*:\s*)"(?:[^"\\]|\\.)*"?/g;

function cut(text: string): string {
  let masked = TOKEN_LIKE.reduce((value, pattern) => value.replace(pattern, '***'), text);
  if (masked.includes('"clientSecret"')) masked = masked.replace(CLIENT_SECRET, '$1"***"');
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

/** A request body as the journal keeps it: an offer document without its secret values, a configure request with them masked. */
export function journalRequestBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  try {
    if (typeof body !== 'object') return cut(JSON.stringify(body));
    const copy = structuredClone(body) as Record<string, unknown>;
    if (typeof copy['offerTypeId'] === 'string' && copy['definition'] !== undefined) extractSecrets(copy['definition'], copy['offerTypeId']);
    // A product-ingestion configure request: its lead configurations are secret values.
    maskConfigureRequest(copy);
    return cut(JSON.stringify(copy));
  } catch {
    // Nested deeper than a copy can go (the API refused such a body anyway): the journal says so.
    return '[not kept: nested too deeply to copy]';
  }
}

/** What the request path leaves in the ring: cheap to take; made into a JournalEntry when read. */
interface Captured {
  timeMs: number;
  requestId: string;
  method: string;
  path: string;
  status: number;
  principalId: string | null;
  durationMs: number;
  /** Already masked: a request body may hold secret values, so they are taken out at once. */
  requestBody: string | null;
  /** The answer as sent, or its first bytes when large (answers hold no secret values). */
  response: string | Buffer | null;
}

export class Journal {
  readonly #entries: Captured[] = [];
  #next = 0;

  record(entry: Omit<Captured, 'response'>, response: string | Buffer | null): void {
    const captured: Captured = { ...entry, response: keptAnswer(response) };
    if (this.#entries.length < JOURNAL_SIZE) this.#entries.push(captured);
    else this.#entries[this.#next] = captured;
    this.#next = (this.#next + 1) % JOURNAL_SIZE;
  }

  /** Newest first. */
  list(filter: { publisherId?: string; offerId?: string; limit: number }): JournalEntry[] {
    const ordered = [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)].reverse();
    const publisherId = filter.publisherId?.toLowerCase();
    const offerId = filter.offerId?.toLowerCase();
    return ordered
      .map(toEntry)
      .filter((entry) => (!publisherId || entry.publisherId === publisherId) && (!offerId || entry.offerId === offerId))
      .slice(0, filter.limit);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#next = 0;
  }
}

/** Answers up to this size are kept as they are (no copy: most are pre-encoded and shared); larger ones are cut. */
const KEEP_WHOLE_BYTES = 64 * 1024;

/**
 * The answer as the ring keeps it. Copying every answer made garbage on the hot path; the bodies
 * this server sends are never changed after they are sent (pre-encoded buffers and fresh strings),
 * so a reference costs nothing. Only a large body is cut, into a small copy.
 */
function keptAnswer(response: string | Buffer | null): string | Buffer | null {
  if (response === null || response.length <= KEEP_WHOLE_BYTES) return response;
  return typeof response === 'string' ? Buffer.from(response.slice(0, JOURNAL_BODY_CHARS + 1)) : Buffer.from(response.subarray(0, JOURNAL_BODY_CHARS + 4));
}

function toEntry(captured: Captured): JournalEntry {
  const ids = OFFER_PATH.exec(captured.path);
  // The token service's bodies carry client secrets and access tokens: never shown.
  const confidential = captured.path.includes('/oauth2/');
  const response =
    captured.response === null
      ? null
      : typeof captured.response === 'string'
        ? captured.response.slice(0, JOURNAL_BODY_CHARS + 1)
        : captured.response.toString('utf8', 0, Math.min(captured.response.length, JOURNAL_BODY_CHARS + 4));
  return {
    time: new Date(captured.timeMs).toISOString(),
    requestId: captured.requestId,
    method: captured.method,
    path: captured.path,
    status: captured.status,
    principalId: captured.principalId,
    publisherId: decoded(ids?.[1]),
    offerId: decoded(ids?.[2]),
    durationMs: captured.durationMs,
    requestBody: confidential ? null : captured.requestBody,
    responseBody: confidential || response === null ? null : cut(response),
  };
}
