/**
 * Identifier rules for publisher and offer ids.
 *
 * Marketplace ids are lowercase letters, digits, '-' and '_', at most 50 characters. Ids in
 * URLs are matched case-insensitively (the CPP pages write `Contoso` and `contoso` alike), so a
 * path id is normalised to lowercase before lookup. '$' is excluded because the operation
 * location form `/api/operations/{publisher}${offer}${n}${slot}` joins ids with it.
 */
import { errors } from './errors.ts';
import { message } from './messages/index.ts';

export const MAX_ID_LENGTH = 50;
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

export type IdKind = 'publisherId' | 'offerId';

/** Validates a path id and returns its canonical (lowercase) form; throws a 400 ApiError otherwise. */
export function parseId(kind: IdKind, raw: string): string {
  if (raw.length === 0) throw errors.invalidId(kind, raw, message('error.idEmpty'));
  if (raw.length > MAX_ID_LENGTH) throw errors.idTooLong(kind, raw, MAX_ID_LENGTH);
  const id = raw.toLowerCase();
  if (!ID_PATTERN.test(id)) {
    throw errors.invalidId(kind, raw, message('error.idCharacters'));
  }
  return id;
}

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/** A GUID given by a client (an object or tenant id), in its stored form: lowercase. */
export function parseGuid(what: 'objectId' | 'tenantId' | 'clientId', raw: string): string {
  if (!isGuid(raw)) throw errors.invalidRequest(message('error.guidInvalid', { what, value: raw.slice(0, 80) }));
  return raw.toLowerCase();
}
