/**
 * Writing a draft (PUT): the rules for what is stored from a client's document.
 *
 * - The body is validated for its offer type; every problem is reported with its JSON path.
 *   Drafts may be incomplete; only structure and types are checked.
 * - `version`, `status`, `changedTime`, `eTag` in the body are ignored: the server owns them.
 * - Secret-type values never enter the stored document. A secret sent with a value replaces the
 *   stored one; sent as `null`, it is cleared; omitted — as every GET→PUT round trip omits it,
 *   since GET never returns it — the stored value is kept, as long as the object that holds it
 *   is still in the document (an object the client removed takes its secrets with it).
 */
import { errors } from './errors.ts';
import type { PutMode } from './put-mode.ts';
export { PUT_MODES, type PutMode } from './put-mode.ts';
import { validateOfferDocument } from './offer-validation/index.ts';
import { extractSecrets, type SecretValue } from './secret-fields.ts';
import { unstorableText } from './text.ts';
import type { OfferHeader } from './offers.ts';
import { message } from './messages/index.ts';
import { problemAt } from './offer-validation/problems.ts';

/**
 * How a draft write is conditioned: `create` = create only (If-None-Match: *, or no If-Match where
 * PUT follows the documentation), `any` = create or replace (If-Match: *, or no If-Match as the
 * live service answered), `etag` = replace that ETag only.
 */
export type WriteCondition = { kind: 'create'; requestedBy: 'if-none-match' | 'no-if-match' } | { kind: 'any' } | { kind: 'etag'; etag: string };

/** The draft as it stands when a write begins, for the new one to be built from. */
export interface CurrentDraft {
  offer: OfferHeader;
  secrets: SecretValue[];
}

/** A draft ready to store: document text without secrets, and the secret values apart. */
export interface DraftContent {
  offerTypeId: string;
  definitionJson: string;
  displayText: string;
  secrets: SecretValue[];
}

/** If-Match and If-None-Match → how the write is conditioned, under the server's PUT mode. */
export function parseWriteCondition(headers: { ifMatch: string | undefined; ifNoneMatch: string | undefined }, mode: PutMode): WriteCondition {
  const { ifMatch, ifNoneMatch } = headers;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw errors.invalidIfNoneMatch(ifNoneMatch);
    if (ifMatch !== undefined) throw errors.invalidIfNoneMatch('* together with If-Match');
    return { kind: 'create', requestedBy: 'if-none-match' };
  }
  if (ifMatch === undefined) return mode === 'documented' ? { kind: 'create', requestedBy: 'no-if-match' } : { kind: 'any' };
  const value = ifMatch.trim();
  if (value === '*') return { kind: 'any' };
  // An ETag as GET returned it: W/"…" or "…" (one value; lists of ETags are not used by clients).
  if (/^(W\/)?"[^"]*"$/.test(value) && value.length <= 200) return { kind: 'etag', etag: value };
  throw errors.invalidIfMatch(value);
}

/**
 * The rule of a conditioned write, for every store to call inside its transaction with the offer
 * as it stands (null: it does not exist). Throws the answer when the write may not happen.
 */
export function checkWriteCondition(condition: WriteCondition, offerId: string, existing: { etag: string } | null): void {
  if (existing === null) {
    if (condition.kind === 'etag') throw errors.preconditionFailed(offerId, false);
    return;
  }
  if (condition.kind === 'create') throw condition.requestedBy === 'if-none-match' ? errors.offerExistsCreateOnly(offerId) : errors.offerExists(offerId);
  if (condition.kind === 'etag' && condition.etag !== existing.etag) throw errors.preconditionFailed(offerId, true);
}

interface IncomingDocument {
  offerTypeId: string;
  publisherId?: unknown;
  id?: unknown;
  definition: Record<string, unknown>;
}

/**
 * Checks a PUT body against the URL and its schema, and returns how to build the stored draft
 * from the current one (run inside the store's transaction).
 */
export function prepareDraft(body: unknown, publisherId: string, offerId: string): (current: CurrentDraft | null) => DraftContent {
  requireDocumentObject(body);
  const problems = validateOfferDocument(body);
  if (problems.length > 0) throw errors.invalidDocument(problems);
  // Valid for its offer type: offerTypeId and definition are there.
  const document = body as unknown as IncomingDocument;
  checkDocumentIds(document, publisherId, offerId);

  const definition = structuredClone(document.definition);
  const sent = extractSecrets(definition, document.offerTypeId);
  const displayText = typeof definition['displayText'] === 'string' ? definition['displayText'] : '';
  const definitionJson = JSON.stringify(definition);

  return (current) => ({
    offerTypeId: document.offerTypeId,
    definitionJson,
    displayText,
    secrets: mergeSecrets(sent, current?.secrets ?? [], definition),
  });
}

/** A body that is not a JSON object is no offer document (400 InvalidDocument): PUT's rule, and POST validate's. */
export function requireDocumentObject(body: unknown): asserts body is Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.invalidDocument([problemAt('$', message('document.notObject'))]);
  }
}

/** The publisherId and id a document names, when it names them, must be the URL's (400 IdMismatch): PUT's rule, and POST validate's. */
export function checkDocumentIds(document: { publisherId?: unknown; id?: unknown }, publisherId: string, offerId: string): void {
  if (typeof document.publisherId === 'string' && document.publisherId.toLowerCase() !== publisherId) {
    throw errors.idMismatch('publisherId', document.publisherId, publisherId);
  }
  if (typeof document.id === 'string' && document.id.toLowerCase() !== offerId) throw errors.idMismatch('id', document.id, offerId);
}

function mergeSecrets(sent: readonly SecretValue[], stored: readonly SecretValue[], definition: Record<string, unknown>): SecretValue[] {
  const merged = new Map<string, unknown>();
  for (const secret of stored) {
    if (parentExists(definition, secret.pointer)) merged.set(secret.pointer, secret.value);
  }
  for (const secret of sent) {
    if (secret.value === null) merged.delete(secret.pointer);
    else merged.set(secret.pointer, secret.value);
  }
  return [...merged].map(([pointer, value]) => ({ pointer, value }));
}

function parentExists(definition: Record<string, unknown>, pointer: string): boolean {
  const keys = pointer
    .split('/')
    .slice(1, -1)
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  let node: unknown = definition;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node);
}

/** The optional body of publish, golive and cancel: `{"metadata":{"notification-emails":"a@x.com,b@y.com"}}`. */
export function parseNotificationEmails(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'object' || Array.isArray(body))
    throw errors.invalidRequest(message('error.metadataBody', { example: '{"metadata":{"notification-emails":"…"}}' }));
  const metadata = (body as { metadata?: unknown }).metadata;
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw errors.invalidRequest(message('error.metadataNotObject'));
  const emails = (metadata as Record<string, unknown>)['notification-emails'];
  if (emails === undefined || emails === null) return null;
  if (typeof emails !== 'string' || emails.length > 2000 || unstorableText(emails) !== undefined) {
    throw errors.invalidRequest(message('error.notificationEmailsList'));
  }
  const list = emails
    .split(',')
    .map((email) => email.trim())
    .filter(Boolean);
  const bad = list.find((email) => !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(email));
  if (bad) throw errors.invalidRequest(message('error.notificationEmailInvalid', { value: bad.slice(0, 100) }));
  return list.join(',');
}
