/**
 * The documents of the Cloud Partner Portal offer publishing API (api-version 2017-10-31), as a
 * client sees them on the wire. Status strings are camelCase (`waitingForPublisherReview`); the
 * hosted service has used other spellings, so compare them case-insensitively and expect values
 * not listed here (every union keeps `string & {}` open for that).
 */

/** A string union that still accepts other values (servers add states over time). */
type Open<T extends string> = T | (string & {});

export type Slot = 'Draft' | 'Preview' | 'Production';

export type OfferStatusValue = Open<'neverPublished' | 'notStarted' | 'waitingForPublisherReview' | 'running' | 'succeeded' | 'canceled' | 'failed'>;
/** One operation reads `succeeded` when it ended well; the submissions list says `completed` for the same. */
export type OperationStatus = Open<'running' | 'succeeded' | 'completed' | 'failed' | 'canceled'>;
export type StepStatus = Open<'notStarted' | 'inProgress' | 'waitingForPublisherReview' | 'complete' | 'blocked' | 'canceled'>;
export type SubmissionType = Open<'publish' | 'golive' | 'cancel'>;
export type Role = 'Owner' | 'Contributor' | 'Reader';

/** One element of GET …/offers: the definition carries `displayText` only. */
export interface OfferSummary {
  offerTypeId: string;
  publisherId: string;
  status: OfferStatusValue;
  id: string;
  version: number;
  definition: { displayText: string };
  changedTime: string;
}

/** A plan (SKU) of an offer definition; keys are namespaced by schema, e.g. `microsoft-azure-virtualmachines.vmImages`. */
export interface Plan {
  planId: string;
  [key: string]: unknown;
}

export interface OfferDefinition {
  displayText?: string;
  offer?: Record<string, unknown>;
  plans?: Plan[];
  [key: string]: unknown;
}

/** A whole offer document, as GET returns it. */
export interface Offer {
  offerTypeId: string;
  publisherId: string;
  status: OfferStatusValue;
  id: string;
  version: number;
  definition: OfferDefinition;
  changedTime: string;
  [key: string]: unknown;
}

/**
 * What PUT takes: the whole document (not a patch). `version`, `status`, `changedTime` and `eTag`
 * may be present (a document read back) but the server owns them and ignores what is sent.
 */
export interface OfferDocument {
  offerTypeId: string;
  id: string;
  publisherId?: string;
  definition: OfferDefinition;
  offerTypeVersions?: Record<string, number>;
  [key: string]: unknown;
}

export interface StepMessage {
  messageHtml: string;
  level: Open<'information' | 'warning' | 'error'>;
  timestamp: string;
}

/** A publishing step: displaydummycertify, displaycertify, displayprovision, displaypackage, publisher-signoff, live, rollback. */
export interface Step {
  estimatedTimeFrame: string;
  id: string;
  stepName: string;
  description: string;
  status: StepStatus;
  messages: StepMessage[];
  progressPercentage: number;
}

/** One operation with its steps (GET …/operations/{operationId}). */
export interface Operation {
  id: string;
  submissionType: SubmissionType;
  status: OperationStatus;
  messages: StepMessage[];
  publishingVersion: number;
  offerVersion: number;
  cancellationRequestState: string;
  steps: Step[];
  previewLinks: string[];
  liveLinks: string[];
  notificationEmails: string;
  createdDateTime: string;
  lastActionDateTime: string;
}

/** One element of GET …/submissions: the offer's operations, newest first. */
export interface Submission {
  id: string;
  offerId: string;
  offerVersion: number;
  offerTypeId: string;
  publisherId: string;
  submissionType: SubmissionType;
  submissionState: OperationStatus;
  status: OperationStatus;
  publishingVersion: number;
  slot: Open<'staging' | 'production'>;
  /** .NET ticks of `changedTime`: an entity version stamp, not the offer version. */
  version: number;
  definition: { metadata: { emails: string } };
  changedTime: string;
  createdDateTime: string;
  lastActionDateTime: string;
  error?: string;
}

/** GET …/offers/{offerId}/status. */
export interface OfferStatus {
  status: OfferStatusValue;
  messages: StepMessage[];
  steps: Step[];
  previewLinks: string[];
  liveLinks: string[];
  notificationEmails: string;
}

export interface Publisher {
  id: string;
  version: number;
  definition: { displayText: string; offerTypeCategories: string[]; sellerId: number };
}

export interface OfferType {
  id: string;
  displayText: string;
  offerTypeVersions: Record<string, number>;
}

/** A service principal with a role on a publisher (cloudpartner's members API). */
export interface Member {
  objectId: string;
  tenantId: string;
  role: Role;
  displayName: string;
  createdTime: string;
}

/** One problem of a document (400 InvalidDocument, 422 OfferValidationFailed), with its JSON path. */
export interface Problem {
  path: string;
  message: string;
}

/** Which version of an offer to read: the draft (default), a numbered version, or a slot. */
export type VersionSelector = { slot?: Slot | Lowercase<Slot>; version?: never } | { version: number; slot?: never };

/** An offer and the ETag to send back in If-Match. */
export interface OfferWithETag {
  offer: Offer;
  etag: string;
}

export interface PutResult extends OfferWithETag {
  /** true: 201, the offer was created; false: 200, its draft was replaced. */
  created: boolean;
}

/** A long-running operation started by publish, golive or cancel. */
export interface OperationHandle {
  publisherId: string;
  offerId: string;
  operationId: string;
  /** The relative path to poll, as the Location header gave it. */
  location: string;
  /** The operation as the start call returned it. */
  operation: Operation;
}

export interface CancelResult extends OperationHandle {
  /**
   * true (200): the operation stopped at once (a publish). false (202): withdrawing takes its own
   * operation (a go-live): wait for `operationId`.
   */
  completed: boolean;
}

/** Notification e-mails for publish, golive and cancel: a list, or the API's comma-separated string. */
export interface NotificationOptions {
  notificationEmails?: string | string[];
}
