/** Schemas of operations, submissions and the offer status. */
import { Type } from 'typebox';

const Message = Type.Object({
  messageHtml: Type.String(),
  level: Type.String({ description: 'information, warning or error' }),
  timestamp: Type.String(),
});

const Step = Type.Object({
  estimatedTimeFrame: Type.String(),
  id: Type.String({ description: 'displaydummycertify, displaycertify, displayprovision, displaypackage, publisher-signoff, live, rollback' }),
  stepName: Type.String(),
  description: Type.String(),
  status: Type.String({ description: 'notStarted, inProgress, waitingForPublisherReview, complete, blocked, canceled' }),
  messages: Type.Array(Message),
  progressPercentage: Type.Integer({ minimum: 0, maximum: 100 }),
});

export const Operation = Type.Object(
  {
    id: Type.String(),
    submissionType: Type.String({ description: 'publish, golive or cancel' }),
    status: Type.String({ description: 'running, succeeded, failed or canceled (the submissions list says completed for succeeded)' }),
    messages: Type.Array(Message),
    publishingVersion: Type.Integer(),
    offerVersion: Type.Integer(),
    cancellationRequestState: Type.String(),
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
    submissionType: Type.String(),
    submissionState: Type.String({ description: 'running, completed, failed or canceled' }),
    status: Type.String({ description: 'the same as submissionState' }),
    publishingVersion: Type.Integer(),
    slot: Type.String({ description: 'staging (publish) or production (golive, cancel)' }),
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
    status: Type.String(),
    messages: Type.Array(Message),
    steps: Type.Array(Step),
    previewLinks: Type.Array(Type.String()),
    liveLinks: Type.Array(Type.String()),
    notificationEmails: Type.String(),
  },
  { $id: 'OfferStatus' },
);
