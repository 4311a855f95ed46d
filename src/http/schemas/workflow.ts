/** Schemas of operations, submissions and the offer status; every enumeration comes from the domain's constants. */
import { Type } from 'typebox';
import { OFFER_STATUSES } from '../../domain/offer-status.ts';
import { oneOf } from './common.ts';
import { ALL_STEP_IDS, OPERATION_STATUSES, OPERATION_TYPES, OPERATION_VIEW_STATUSES, STEP_STATUSES } from '../../domain/workflow.ts';

const Message = Type.Object({
  messageHtml: Type.String(),
  level: oneOf(['information', 'warning', 'error']),
  timestamp: Type.String(),
});

const Step = Type.Object({
  estimatedTimeFrame: Type.String(),
  id: oneOf(ALL_STEP_IDS),
  stepName: Type.String(),
  description: Type.String(),
  status: oneOf(STEP_STATUSES),
  messages: Type.Array(Message),
  progressPercentage: Type.Integer({ minimum: 0, maximum: 100 }),
});

export const Operation = Type.Object(
  {
    id: Type.String(),
    submissionType: oneOf(OPERATION_TYPES),
    status: oneOf(OPERATION_VIEW_STATUSES, 'succeeded when it ended well (the submissions list says completed)'),
    messages: Type.Array(Message),
    publishingVersion: Type.Integer(),
    offerVersion: Type.Integer(),
    cancellationRequestState: oneOf(['canCancel', 'cannotCancel']),
    steps: Type.Array(Step),
    previewLinks: Type.Array(Type.String()),
    liveLinks: Type.Array(Type.String()),
    notificationEmails: Type.String(),
    createdDateTime: Type.String(),
    lastActionDateTime: Type.String(),
  },
  { $id: 'Operation' },
);

export const Submission = Type.Object(
  {
    id: Type.String(),
    offerId: Type.String(),
    offerVersion: Type.Integer(),
    offerTypeId: Type.String(),
    publisherId: Type.String(),
    submissionType: oneOf(OPERATION_TYPES),
    submissionState: oneOf(OPERATION_STATUSES),
    status: oneOf(OPERATION_STATUSES, 'the same as submissionState'),
    publishingVersion: Type.Integer(),
    slot: oneOf(['staging', 'production'], 'staging (publish) or production (golive, cancel)'),
    version: Type.Integer({ description: '.NET ticks of changedTime: an entity version stamp' }),
    definition: Type.Object({ metadata: Type.Object({ emails: Type.String() }) }),
    changedTime: Type.String(),
    createdDateTime: Type.String(),
    lastActionDateTime: Type.String(),
    error: Type.Optional(Type.String()),
  },
  { $id: 'Submission' },
);

export const OfferStatus = Type.Object(
  {
    status: oneOf(OFFER_STATUSES, 'The offer status, as in the offer (camelCase on the wire).'),
    messages: Type.Array(Message),
    steps: Type.Array(Step),
    previewLinks: Type.Array(Type.String()),
    liveLinks: Type.Array(Type.String()),
    notificationEmails: Type.String(),
  },
  { $id: 'OfferStatus' },
);
