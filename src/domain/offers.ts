/**
 * Offers, their numbered versions, and the JSON the API serves for them.
 *
 * Versioning: an offer's `version` is the number of its draft. A new offer is version 1,
 * status `neverPublished`. Publishing freezes the draft as an immutable numbered version and
 * the draft continues as the next number, so `version` counts publishes and every number from 1
 * to `version` is readable at `/versions/{n}`: the highest is the draft, the rest are frozen.
 *
 * Documents are kept as the exact JSON text of `definition` that is served (secrets already
 * removed), so a read assembles the response by concatenation instead of serialising objects.
 */
import type { OfferStatus } from './offer-status.ts';
import { unstorableText } from './text.ts';
import { type Slot, slotVersion } from './slots.ts';
import { errors } from './errors.ts';

export interface OfferHeader {
  publisherId: string;
  id: string;
  offerTypeId: string;
  status: OfferStatus;
  /** The draft's version number; counts publishes. */
  version: number;
  previewVersion: number | null;
  productionVersion: number | null;
  etag: string;
  /** Last change of anything about the offer (draft edits, status changes). */
  changedTime: string;
  displayText: string;
  /** The operation running on the offer now, if any (at most one). */
  runningOperationId: string | null;
  /** Notification e-mails given to the last publish; go-live reuses them. */
  notificationEmails: string | null;
}

export interface OfferVersionDocument {
  version: number;
  /** Exact JSON text of `definition`, without secret values. */
  definitionJson: string;
  /** When this version's document last changed. */
  changedTime: string;
}

export type VersionSelector = { slot: Slot } | { version: number };

/**
 * Which version number a request selects, or the 404 that explains why there is none.
 * The single place for the seeds' rules: draft by default, 404 for an empty slot, 404 for a
 * version that does not exist.
 */
export function resolveVersion(offer: OfferHeader, selector: VersionSelector): number {
  if ('slot' in selector) {
    const version = slotVersion(offer, selector.slot);
    if (version === null) throw errors.slotEmpty(offer.id, selector.slot);
    return version;
  }
  if (selector.version > offer.version) throw errors.versionNotFound(offer.id, selector.version, offer.version);
  return selector.version;
}

/** The full offer document (seed "Retrieve a specific offer"), in the seed's key order. */
export function renderOffer(offer: OfferHeader, document: OfferVersionDocument): string {
  return (
    `{"offerTypeId":${JSON.stringify(offer.offerTypeId)},"publisherId":${JSON.stringify(offer.publisherId)},` +
    `"status":"${offer.status}","id":${JSON.stringify(offer.id)},"version":${document.version},` +
    `"definition":${document.definitionJson},"changedTime":"${document.changedTime}"}`
  );
}

/** One element of the offer list (seed "Retrieve offers"): the definition carries displayText only. */
export function renderOfferSummary(offer: OfferHeader): string {
  return (
    `{"offerTypeId":${JSON.stringify(offer.offerTypeId)},"publisherId":${JSON.stringify(offer.publisherId)},` +
    `"status":"${offer.status}","id":${JSON.stringify(offer.id)},"version":${offer.version},` +
    `"definition":{"displayText":${JSON.stringify(offer.displayText)}},"changedTime":"${offer.changedTime}"}`
  );
}

/** The only list filter clients send (a vendor CLI): `offerTypeId eq '<type>'`. */
export interface OfferListFilter {
  offerTypeId?: string;
}

const FILTER_PATTERN = /^\s*offerTypeId\s+eq\s+'((?:[^']|'')*)'\s*$/i;

export function parseOfferFilter(raw: string | undefined): OfferListFilter {
  if (raw === undefined) return {};
  const match = FILTER_PATTERN.exec(raw);
  if (!match || unstorableText(raw) !== undefined) throw errors.invalidFilter(raw);
  return { offerTypeId: match[1]!.replaceAll("''", "'") };
}
