/**
 * What happens to an offer, as webhooks tell it: the catalogue of event types, and the event
 * body, built inside the transaction that made it happen (so an event is recorded exactly when
 * its change commits).
 */
import { randomUUID } from 'node:crypto';
import type { OfferHeader } from './offers.ts';
import type { OperationStatus, OperationType } from './workflow.ts';

export const EVENT_TYPES = ['operation.started', 'operation.succeeded', 'operation.failed', 'operation.canceled', 'offer.updated'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface CatalogEvent {
  /** Unique per event: a receiver that sees one twice (deliveries are at least once) can tell. */
  id: string;
  type: EventType;
  /** When it happened: the offer's change time. */
  time: string;
  publisherId: string;
  offerId: string;
  offer: { version: number; status: string; eTag: string };
  operation?: { id: string; type: OperationType; status: string; publishingVersion: number };
}

/** The event an operation's end is: a publish that reached sign-off, a go-live that went live, a cancel that withdrew — all succeeded. */
export function endEventType(status: OperationStatus): EventType {
  return status === 'failed' ? 'operation.failed' : status === 'canceled' ? 'operation.canceled' : 'operation.succeeded';
}

export function offerEvent(
  type: EventType,
  offer: Pick<OfferHeader, 'publisherId' | 'id' | 'version' | 'status' | 'etag' | 'changedTime'>,
  operation?: { id: string; type: OperationType; status: string; publishingVersion: number },
): CatalogEvent {
  return {
    id: randomUUID(),
    type,
    time: offer.changedTime,
    publisherId: offer.publisherId,
    offerId: offer.id,
    offer: { version: offer.version, status: offer.status, eTag: offer.etag },
    ...(operation ? { operation } : {}),
  };
}
