/**
 * The publishing state machine, written once. Each function decides, from the offer as it stands
 * (its row and the operation running on it, read inside the store's transaction), what a request
 * does — or which error answers it. Both stores call these and only apply the decision: they load
 * and write rows, they decide nothing.
 *
 *   publish   the same draft already publishing → that operation again (idempotent, D30);
 *             else freeze the draft as version n, the draft continues as n + 1 (D27)
 *   golive    the version in Preview, if it is not live yet, with nothing running
 *   cancel    a publish stops at once; a go-live is withdrawn by a cancel operation (D31)
 *   step end  start the next step, or end the operation and set the offer's status and slots
 */
import { errors } from './errors.ts';
import type { OfferHeader } from './offers.ts';
import type { OperationRecord, StepMessage } from './operations.ts';
import type { OperationStatus, OperationType, StepStatus } from './workflow.ts';
import { message } from './messages/index.ts';

/** The operation running on an offer, as the decisions need it. */
export type RunningOperation = Pick<OperationRecord, 'id' | 'type' | 'publishingVersion' | 'offerVersion' | 'notificationEmails'> & {
  /** The ETag the offer had when a publish froze its draft (null for other operations). */
  draftEtag: string | null;
};

export interface OfferState {
  publisherId: string;
  offerId: string;
  /** The offer's row; null when it does not exist. */
  offer: OfferHeader | null;
  running: RunningOperation | null;
}

function existing(state: OfferState): OfferHeader {
  if (!state.offer) throw errors.offerNotFound(state.publisherId, state.offerId);
  return state.offer;
}

export type PublishDecision =
  /** The same draft is publishing already: answer with that operation. */
  | { kind: 'reuse'; operationId: string }
  /** Freeze version `freeze` (the draft's); the draft continues as `nextDraft`, with its content and secrets. */
  | { kind: 'start'; freeze: number; nextDraft: number };

export function decidePublish(state: OfferState): PublishDecision {
  const offer = existing(state);
  if (state.running) {
    if (state.running.type === 'publish' && state.running.draftEtag === offer.etag) return { kind: 'reuse', operationId: state.running.id };
    throw errors.operationInProgress(offer.id, state.running.type);
  }
  return { kind: 'start', freeze: offer.version, nextDraft: offer.version + 1 };
}

/** Go-live takes the version in Preview live: it needs one that is not live already, and nothing running. */
export function decideGoLive(state: OfferState): { version: number } {
  const offer = existing(state);
  if (state.running) throw errors.operationInProgress(offer.id, state.running.type);
  if (offer.previewVersion === null) {
    throw errors.notReadyToGoLive(offer.id, message('golive.nothingInPreview'));
  }
  if (offer.previewVersion === offer.productionVersion) {
    throw errors.notReadyToGoLive(offer.id, message('golive.alreadyLive', { version: offer.previewVersion }));
  }
  return { version: offer.previewVersion };
}

export type CancelDecision =
  /** Nothing of a publish reaches customers before sign-off: it stops at once, the offer `canceled`. */
  | { kind: 'stop'; operation: RunningOperation }
  /** A go-live may have reached production systems: withdrawing it takes its own cancel operation. */
  | { kind: 'withdraw'; operation: RunningOperation };

export function decideCancel(state: OfferState): CancelDecision {
  const offer = existing(state);
  if (!state.running) throw errors.nothingToCancel(offer.id);
  if (state.running.type === 'cancel') throw errors.operationInProgress(offer.id, 'cancel');
  return { kind: state.running.type === 'publish' ? 'stop' : 'withdraw', operation: state.running };
}

/** A draft write may not change the offer's type. */
export function checkOfferType(offerId: string, stored: string, sent: string): void {
  if (stored !== sent) throw errors.offerTypeChange(offerId, stored, sent);
}

/** What a step's work came to (src/workflow/steps.ts), for the store to record. */
export interface StepOutcome {
  status: Extract<StepStatus, 'complete' | 'waitingForPublisherReview' | 'blocked'>;
  messages: StepMessage[];
  /** When the step ends the operation (last step, or a failure): how, and what it does to the slots. */
  ends?: { operationStatus: OperationStatus; previewVersion?: number; productionVersion?: number; error?: string };
  /** Duration of the next step, when there is one. */
  nextStepMs: number;
}

export type StepEndDecision =
  | { kind: 'next'; position: number; dueMs: number }
  | {
      kind: 'end';
      operationStatus: OperationStatus;
      error: string | null;
      offerStatus: ReturnType<typeof offerStatusAfter>;
      previewVersion: number | null;
      productionVersion: number | null;
    };

/** After the step at `position` of `operation` ended with `outcome` at `nowMs`: the next step, or the operation's end. */
export function decideStepEnd(operation: Pick<OperationRecord, 'type' | 'steps'>, position: number, outcome: StepOutcome, nowMs: number): StepEndDecision {
  const next = operation.steps.find((step) => step.position === position + 1);
  if (!outcome.ends && next) return { kind: 'next', position: next.position, dueMs: nowMs + outcome.nextStepMs };
  const ends = outcome.ends ?? { operationStatus: 'completed' as OperationStatus };
  return {
    kind: 'end',
    operationStatus: ends.operationStatus,
    error: ends.error ?? null,
    offerStatus: offerStatusAfter(operation.type, ends.operationStatus),
    previewVersion: ends.previewVersion ?? null,
    productionVersion: ends.productionVersion ?? null,
  };
}

/** Offer status after an operation ends, by how it ended. */
export function offerStatusAfter(type: OperationType, outcome: OperationStatus): 'waitingForPublisherReview' | 'succeeded' | 'failed' | 'canceled' {
  if (outcome === 'failed') return 'failed';
  if (outcome === 'canceled' || type === 'cancel') return 'canceled';
  return type === 'publish' ? 'waitingForPublisherReview' : 'succeeded';
}
