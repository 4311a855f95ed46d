/**
 * Offer status values. The CPP tables spell them in PascalCase, the JSON samples in camelCase
 * (`neverPublished`, `failed`, `succeeded`); the wire uses camelCase, as the samples and the
 * clients that parse them do (clients compare case-insensitively).
 */
export const OFFER_STATUSES = ['neverPublished', 'notStarted', 'waitingForPublisherReview', 'running', 'succeeded', 'canceled', 'failed'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export function isOfferStatus(value: string): value is OfferStatus {
  return (OFFER_STATUSES as readonly string[]).includes(value);
}
