/** The publishing state machine's decisions (src/domain/publishing.ts), which both stores apply. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/domain/errors.ts';
import type { OfferHeader } from '../../src/domain/offers.ts';
import { type OfferState, type RunningOperation, decideCancel, decideGoLive, decidePublish, decideStepEnd } from '../../src/domain/publishing.ts';
import type { StepRecord } from '../../src/domain/operations.ts';

const offer: OfferHeader = {
  publisherId: 'contoso',
  id: 'vm',
  offerTypeId: 'microsoft-azure-virtualmachines',
  status: 'neverPublished',
  version: 3,
  previewVersion: 2,
  productionVersion: 1,
  etag: 'W/"a"',
  changedTime: '2026-01-01T00:00:00.0000000Z',
  displayText: 'VM',
  runningOperationId: null,
  notificationEmails: null,
};
const running = (type: RunningOperation['type'], draftEtag: string | null = null): RunningOperation => ({
  id: 'op',
  type,
  publishingVersion: 2,
  offerVersion: 2,
  notificationEmails: null,
  draftEtag,
});
const state = (changes: Partial<OfferState> = {}): OfferState => ({ publisherId: 'contoso', offerId: 'vm', offer, running: null, ...changes });
const code = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('the publishing state machine', () => {
  it('publish: freezes the draft as n, the draft continues as n + 1; the same draft publishing again is that operation; anything else running is a conflict', () => {
    assert.deepEqual(decidePublish(state()), { kind: 'start', freeze: 3, nextDraft: 4 });
    assert.deepEqual(decidePublish(state({ running: running('publish', offer.etag) })), { kind: 'reuse', operationId: 'op' });
    assert.equal(
      code(() => decidePublish(state({ running: running('publish', 'W/"older"') }))),
      'OperationInProgress',
    );
    assert.equal(
      code(() => decidePublish(state({ running: running('golive') }))),
      'OperationInProgress',
    );
    assert.equal(
      code(() => decidePublish(state({ offer: null }))),
      'OfferNotFound',
    );
  });

  it('go-live: the version in Preview, unless it is live already, nothing is in Preview, or something runs', () => {
    assert.deepEqual(decideGoLive(state()), { version: 2 });
    assert.equal(
      code(() => decideGoLive(state({ offer: { ...offer, productionVersion: 2 } }))),
      'NotReadyToGoLive',
    );
    assert.equal(
      code(() => decideGoLive(state({ offer: { ...offer, previewVersion: null } }))),
      'NotReadyToGoLive',
    );
    assert.equal(
      code(() => decideGoLive(state({ running: running('publish') }))),
      'OperationInProgress',
    );
  });

  it('cancel: a publish stops, a go-live is withdrawn, a cancel cannot be canceled, nothing running is a conflict', () => {
    assert.equal(decideCancel(state({ running: running('publish') })).kind, 'stop');
    assert.equal(decideCancel(state({ running: running('golive') })).kind, 'withdraw');
    assert.equal(
      code(() => decideCancel(state({ running: running('cancel') }))),
      'OperationInProgress',
    );
    assert.equal(
      code(() => decideCancel(state())),
      'NoOperationToCancel',
    );
  });

  it('step end: the next step is due after its duration; the last step, or a failure, ends the operation and sets the offer', () => {
    const step = (position: number): StepRecord => ({ position, stepId: 's', status: 'notStarted', progress: 0, messages: [], startedTime: null, dueMs: null });
    const operation = { type: 'publish' as const, steps: [step(0), step(1)] };
    assert.deepEqual(decideStepEnd(operation, 0, { status: 'complete', messages: [], nextStepMs: 500 }, 1_000), { kind: 'next', position: 1, dueMs: 1_500 });
    assert.deepEqual(
      decideStepEnd(
        operation,
        1,
        { status: 'waitingForPublisherReview', messages: [], nextStepMs: 0, ends: { operationStatus: 'completed', previewVersion: 3 } },
        2_000,
      ),
      {
        kind: 'end',
        operationStatus: 'completed',
        error: null,
        offerStatus: 'waitingForPublisherReview',
        previewVersion: 3,
        productionVersion: null,
      },
    );
    const failed = decideStepEnd(
      operation,
      0,
      { status: 'blocked', messages: [], nextStepMs: 0, ends: { operationStatus: 'failed', error: 'SAS expired' } },
      1_000,
    );
    assert.deepEqual(failed.kind === 'end' && [failed.offerStatus, failed.error], ['failed', 'SAS expired']);
    const live = decideStepEnd(
      { type: 'golive', steps: [step(0)] },
      0,
      { status: 'complete', messages: [], nextStepMs: 0, ends: { operationStatus: 'completed', productionVersion: 2 } },
      0,
    );
    assert.deepEqual(live.kind === 'end' && [live.offerStatus, live.productionVersion], ['succeeded', 2]);
  });
});
