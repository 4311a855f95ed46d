/**
 * Operations (submissions) and their steps, and the JSON the API serves for them:
 * the operation (E8), the submissions list (E7) and the offer status (E3).
 */
import type { OfferHeader } from './offers.ts';
import { dotnetTicks } from './time.ts';
import { type OperationStatus, type OperationType, type StepStatus, operationSlot, statusOfOneOperation, stepDefinition } from './workflow.ts';
import { CURRENT_API_VERSION } from './api-version.ts';
import { type Language, type Message, render } from './messages/index.ts';

export interface StepMessage {
  /** In English, as journals, webhooks and older rows hold it. */
  messageHtml: string;
  level: 'information' | 'warning' | 'error';
  timestamp: string;
  /** The catalogue form, kept with the step so each reader gets it in their language (D99); absent for text that is not ours (a sandbox rule's). */
  text?: Message;
}

/** A step's messages as a reader gets them: in `language`, without the catalogue form. */
export function messagesIn(messages: readonly StepMessage[], language: Language): StepMessage[] {
  return messages.map(({ text, ...shown }) => (text === undefined || language === 'en' ? shown : { ...shown, messageHtml: render(text, language) }));
}

/**
 * The operation's error in `language`. It is stored in English: the findings of the step that
 * blocked it, joined (steps.ts failedStep); when that step's messages are all ours, they give it again in any language.
 */
export function errorIn(operation: Pick<OperationRecord, 'error' | 'steps'>, language: Language): string | null {
  if (operation.error === null || language === 'en') return operation.error;
  for (const step of operation.steps) {
    if (step.status !== 'blocked' || step.messages.length === 0 || !step.messages.every((shown) => shown.text !== undefined)) continue;
    if (step.messages.map((shown) => shown.messageHtml).join(' ') === operation.error)
      return step.messages.map((shown) => render(shown.text!, language)).join(' ');
  }
  return operation.error;
}

export interface StepRecord {
  position: number;
  stepId: string;
  status: StepStatus;
  progress: number;
  messages: StepMessage[];
  startedTime: string | null;
  /** Epoch ms when the step's work is due (in-progress steps). */
  dueMs: number | null;
}

/** An operation without its steps: a row of the submissions list. */
export interface OperationSummary {
  id: string;
  publisherId: string;
  offerId: string;
  offerTypeId: string;
  type: OperationType;
  status: OperationStatus;
  publishingVersion: number;
  offerVersion: number;
  notificationEmails: string | null;
  error: string | null;
  createdTime: string;
  changedTime: string;
}

export interface OperationRecord extends OperationSummary {
  steps: StepRecord[];
}

/** A row of the submissions list: the operation, and the step that blocked it if any (its error's words, errorIn). */
export interface SubmissionRecord extends OperationSummary {
  blockedSteps: StepRecord[];
}

/** Relative location of an operation, as Location and Operation-Location carry it. */
export function operationLocation(operation: Pick<OperationRecord, 'publisherId' | 'offerId' | 'id'>): string {
  return `/api/publishers/${operation.publisherId}/offers/${operation.offerId}/operations/${operation.id}?api-version=${CURRENT_API_VERSION}`;
}

/** Progress of a step: 100 when done, else the share of its due time that has passed. */
function progressOf(step: StepRecord, startedMs: number | null, nowMs: number): number {
  if (step.status !== 'inProgress') return step.progress;
  if (startedMs === null || step.dueMs === null || step.dueMs <= startedMs) return 0;
  return Math.max(0, Math.min(99, Math.floor(((nowMs - startedMs) / (step.dueMs - startedMs)) * 100)));
}

export function renderStep(step: StepRecord, nowMs: number, language: Language = 'en') {
  const definition = stepDefinition(step.stepId);
  return {
    estimatedTimeFrame: definition.estimatedTimeFrame,
    id: definition.id,
    stepName: definition.stepName,
    description: definition.description,
    status: step.status,
    messages: messagesIn(step.messages, language),
    progressPercentage: progressOf(step, step.startedTime ? Date.parse(step.startedTime) : null, nowMs),
  };
}

/** Whether the running operation can still be canceled (a go-live in its last moments cannot). */
function cancellationState(operation: OperationRecord): 'canCancel' | 'cannotCancel' {
  return operation.status === 'running' && operation.type !== 'cancel' ? 'canCancel' : 'cannotCancel';
}

/** E8: one operation, its messages in `language`. */
export function renderOperation(operation: OperationRecord, nowMs: number, language: Language = 'en') {
  const error = errorIn(operation, language);
  return {
    id: operation.id,
    submissionType: operation.type,
    status: statusOfOneOperation(operation.status),
    messages: error ? [{ messageHtml: error, level: 'error', timestamp: operation.changedTime }] : [],
    publishingVersion: operation.publishingVersion,
    offerVersion: operation.offerVersion,
    cancellationRequestState: cancellationState(operation),
    steps: operation.steps.map((step) => renderStep(step, nowMs, language)),
    previewLinks: [],
    liveLinks: [],
    notificationEmails: operation.notificationEmails ?? '',
    createdDateTime: operation.createdTime,
    lastActionDateTime: operation.changedTime,
  };
}

/** E7: one entry of the submissions list, with both the sample's fields and the property table's. */
export function renderSubmission(operation: SubmissionRecord, language: Language = 'en') {
  const error = errorIn({ error: operation.error, steps: operation.blockedSteps }, language);
  return {
    id: operation.id,
    offerId: operation.offerId,
    offerVersion: operation.offerVersion,
    offerTypeId: operation.offerTypeId,
    publisherId: operation.publisherId,
    submissionType: operation.type,
    submissionState: operation.status,
    status: operation.status,
    publishingVersion: operation.publishingVersion,
    slot: operationSlot(operation.type),
    version: Number(dotnetTicks(operation.changedTime)),
    definition: { metadata: { emails: operation.notificationEmails ?? '' } },
    changedTime: operation.changedTime,
    createdDateTime: operation.createdTime,
    lastActionDateTime: operation.changedTime,
    ...(error ? { error } : {}),
  };
}

/**
 * E3: the offer's status — the steps of its latest publish, followed by the go-live step (from
 * the go-live that followed that publish, or not started yet). `history` need only hold the latest
 * publish and what came after it (the store reads just that: operationsSinceLatestPublish).
 */
export function renderOfferStatus(
  offer: OfferHeader & { notificationEmails: string | null },
  history: readonly OperationRecord[],
  nowMs: number,
  language: Language = 'en',
) {
  const latestPublish = [...history].reverse().find((operation) => operation.type === 'publish');
  const steps: ReturnType<typeof renderStep>[] = [];
  const messages: StepMessage[] = [];
  if (latestPublish) {
    steps.push(...latestPublish.steps.map((step) => renderStep(step, nowMs, language)));
    const goLive = history.find((operation) => operation.type === 'golive' && operation.createdTime > latestPublish.createdTime);
    const liveStep: StepRecord = goLive?.steps[0] ?? {
      position: 0,
      stepId: 'live',
      status: 'notStarted',
      progress: 0,
      messages: [],
      startedTime: null,
      dueMs: null,
    };
    steps.push(renderStep(liveStep, nowMs, language));
    for (const operation of history) {
      const error = errorIn(operation, language);
      if (error && operation.createdTime >= latestPublish.createdTime) {
        messages.push({ messageHtml: error, level: 'error', timestamp: operation.changedTime });
      }
    }
  }
  return {
    status: offer.status,
    messages,
    steps,
    previewLinks: [],
    liveLinks: [],
    notificationEmails: offer.notificationEmails ?? '',
  };
}

/** Parses the `{publisher}${offer}${n}${slot}` operation id of the non-migrated location form. */
export function parseLegacyOperationId(
  raw: string,
): { publisherId: string; offerId: string; publishingVersion: number; slot: 'preview' | 'production' } | null {
  const parts = raw.split('$');
  if (parts.length !== 4) return null;
  const [publisherId, offerId, version, slot] = parts as [string, string, string, string];
  const lowerSlot = slot.toLowerCase();
  const normalisedSlot = lowerSlot === 'preview' || lowerSlot === 'staging' ? 'preview' : lowerSlot === 'production' ? 'production' : null;
  if (!normalisedSlot || !/^[1-9]\d{0,9}$/.test(version)) return null;
  return { publisherId, offerId, publishingVersion: Number(version), slot: normalisedSlot };
}
