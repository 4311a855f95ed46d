/**
 * The documents of the Cloud Partner Portal offer publishing API (api-version 2017-10-31), as a
 * client sees them on the wire. Status strings are camelCase (`waitingForPublisherReview`); the
 * hosted service has used other spellings, so compare them case-insensitively and expect values
 * not listed here (every union keeps `string & {}` open for that).
 *
 * The server's wire schemas (src/http/schemas/) are the one description of these documents: each
 * type here is `Static<>` of its schema, opened where a client must accept more than cloudpartner
 * sends (Open, OpenEnums, Extensible below). The imports are type-only and vanish when compiled,
 * so loading the SDK does not load the http layer or Fastify. Each document is an interface that
 * extends its derived type, so that editors and compiler messages name it instead of spelling it
 * out. test/client/wire-types.test.ts checks that nothing but the openness sets them apart.
 */
import type { Static } from 'typebox';
import type * as CatalogSchemas from '../http/schemas/catalog.ts';
import type * as CommonSchemas from '../http/schemas/common.ts';
import type * as OfferSchemas from '../http/schemas/offers.ts';
import type * as WorkflowSchemas from '../http/schemas/workflow.ts';
import type * as MemberSchemas from '../http/schemas/members.ts';
import type * as ApplicationSchemas from '../http/schemas/applications.ts';
import type * as SandboxSchemas from '../http/schemas/sandbox.ts';
import type * as IngestionSchemas from '../http/schemas/ingestion.ts';

/** A string union that still accepts other values (servers add states over time). */
type Open<T extends string> = T | (string & {});

/**
 * T with every enumeration in it, however deep, opened with Open<>: the schemas list the values
 * cloudpartner sends, and a client of the API also reads the hosted service, which spells some
 * differently and adds states. Plain strings stay `string`.
 */
type OpenEnums<T> = T extends string
  ? string extends T
    ? T
    : Open<T>
  : T extends readonly (infer Element)[]
    ? OpenEnums<Element>[]
    : T extends object
      ? { [K in keyof T]: OpenEnums<T[K]> }
      : T;

/**
 * T that also carries members its schema does not name. The schemas describe what cloudpartner
 * checks and serves; a document a client reads back and sends again keeps every other member
 * (offer-type namespaced keys, fields other servers add), so the SDK's types must let them through.
 */
type Extensible<T> = T & { [key: string]: unknown };

type WireOfferSummary = Static<typeof OfferSchemas.OfferSummary>;
type WireOffer = Static<typeof OfferSchemas.Offer>;
type WireOfferDefinition = WireOffer['definition'];
type WirePlan = NonNullable<WireOfferDefinition['plans']>[number];
type WireOperation = Static<typeof WorkflowSchemas.Operation>;
type WireStep = WireOperation['steps'][number];
type WireStepMessage = WireOperation['messages'][number];
type WireSubmission = Static<typeof WorkflowSchemas.Submission>;
type WireOfferStatus = Static<typeof WorkflowSchemas.OfferStatus>;
type WirePublisher = Static<typeof CatalogSchemas.Publisher>;
type WireOfferType = Static<typeof CatalogSchemas.OfferType>;
type WireMember = Static<typeof MemberSchemas.Member>;
type WireApplication = Static<typeof ApplicationSchemas.Application>;
type WireNewApplication = Static<typeof ApplicationSchemas.NewApplication>;
type WireProblem = NonNullable<Static<typeof CommonSchemas.ErrorBody>['error']['problems']>[number];

/**
 * The slots of GET …/offers/{offerId}/slot/{slotId}. Written out here: a slot is a URL segment,
 * and the route takes any string (matched case-insensitively), so no schema lists the values.
 */
export type Slot = 'Draft' | 'Preview' | 'Production';

export type OfferStatusValue = Open<WireOffer['status']>;
/** One operation reads `succeeded` when it ended well; the submissions list says `completed` for the same. */
export type OperationStatus = Open<WireOperation['status'] | WireSubmission['status']>;
export type StepStatus = Open<WireStep['status']>;
export type SubmissionType = Open<WireOperation['submissionType']>;
/** Closed: roles belong to cloudpartner's own members API, which takes no others. */
export type Role = WireMember['role'];

/** One element of GET …/offers: the definition carries `displayText` only. */
export interface OfferSummary extends OpenEnums<WireOfferSummary> {}

/** A plan (SKU) of an offer definition; keys are namespaced by schema, e.g. `microsoft-azure-virtualmachines.vmImages`. */
export interface Plan extends Extensible<WirePlan> {}

export interface OfferDefinition extends Extensible<WireOfferDefinition> {
  plans?: Plan[];
}

/** A whole offer document, as GET returns it. */
export interface Offer extends Extensible<OpenEnums<WireOffer>> {
  definition: OfferDefinition;
}

/**
 * What PUT takes: the whole document (not a patch). `version`, `status`, `changedTime` and `eTag`
 * may be present (a document read back) but the server owns them and ignores what is sent.
 *
 * No wire schema describes it: the route takes any JSON and checks it against the offer type's
 * definition schema (src/domain/offer-validation/). Its envelope is the offer's as GET returns
 * it, so it is derived from that, with `offerTypeVersions` as the offer types list them.
 */
export interface OfferDocument extends Extensible<Pick<Offer, 'offerTypeId' | 'id' | 'definition'> & Partial<Pick<Offer, 'publisherId'>>> {
  offerTypeVersions?: OfferType['offerTypeVersions'];
}

type WireValidationReport = Static<typeof OfferSchemas.ValidationReport>;
type WireValidationProblem = WireValidationReport['problems'][number];

/** Which check finds a problem: `document` (a PUT would refuse it), `publish` (POST publish would), `certification` (the workflow's certification step). */
export type ValidationStage = Open<WireValidationProblem['stage']>;

/** One problem of a validation report: where (JSON path), what, and which check finds it. */
export interface ValidationProblem extends OpenEnums<WireValidationProblem> {}

/** What POST …/offers/{offerId}/validate answers (cloudpartner): what a PUT and a publish of the document would find; nothing is changed. */
export interface ValidationReport extends OpenEnums<WireValidationReport> {
  problems: ValidationProblem[];
}

export interface StepMessage extends OpenEnums<WireStepMessage> {}

/** A publishing step: displaydummycertify, displaycertify, displayprovision, displaypackage, publisher-signoff, live, rollback. */
export interface Step extends OpenEnums<WireStep> {}

/** One operation with its steps (GET …/operations/{operationId}). */
export interface Operation extends OpenEnums<WireOperation> {}

/**
 * One element of GET …/submissions: the offer's operations, newest first. `version` is the .NET
 * ticks of `changedTime`: an entity version stamp, not the offer version.
 */
export interface Submission extends OpenEnums<WireSubmission> {}

/** GET …/offers/{offerId}/status. */
export interface OfferStatus extends OpenEnums<WireOfferStatus> {}
/** Whether one secret-type field of a draft holds a value (`listSecretFields`). */
export type SecretField = Static<typeof OfferSchemas.SecretFields>['value'][number];

export interface Publisher extends WirePublisher {}

export interface OfferType extends WireOfferType {}

/** A service principal with a role on a publisher (cloudpartner's members API). */
export interface Member extends WireMember {}

/** An application of the built-in token service whose service principal is a member of the publisher (cloudpartner's applications API). */
export interface Application extends WireApplication {}

/** A newly registered application, with its client secret: shown only in this answer. */
export interface NewApplication extends WireNewApplication {}

/** One problem of a document (400 InvalidDocument, 422 OfferValidationFailed), with its JSON path. */
export interface Problem extends WireProblem {}

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

/** A sandbox fault rule, as the server keeps it (cloudpartner's sandbox controls). */
export type FaultRule = Static<typeof SandboxSchemas.FaultRule>;
/** What `sandbox.addFault` takes: a workflow fault (fail, block, durationMs) or an HTTP fault (status, delayMs, drop). */
export type NewFaultRule = Static<typeof SandboxSchemas.FaultRuleInput>;
/** Workflow time and step durations (cloudpartner's sandbox controls). */
export type SandboxClock = Static<typeof SandboxSchemas.SandboxClock>;
export type StepDurationsSetting = Static<typeof SandboxSchemas.ClockSettings>['stepDurations'];
/** A saved snapshot of the catalog (cloudpartner's sandbox controls). */
export type Snapshot = Static<typeof SandboxSchemas.Snapshot>;
/** One API request and its answer, as the sandbox journal keeps them. */
export type JournalEntry = Static<typeof SandboxSchemas.JournalEntry>;
/** A webhook: a URL that receives a publisher's events, signed (cloudpartner). */
export type Webhook = Static<typeof SandboxSchemas.Webhook>;
/** One delivery of a webhook: its event, state, attempts and the receiver's last answer. */
export type WebhookDelivery = Static<typeof SandboxSchemas.WebhookDelivery>;
export type WebhookEvent = Webhook['events'][number];
/** An e-mail the hosted service would have sent, kept in the sandbox outbox. */
export type OutboxMessage = Static<typeof SandboxSchemas.OutboxMessage>;
/** One write as the audit trail keeps it: who (never a token), when, which request, the offer's ETag before and after. */
export type AuditRecord = Static<typeof SandboxSchemas.AuditRecord>;
export type AuditAction = AuditRecord['action'];
/** What `listAudit` reads: one publisher's records (the client's by default), one offer's, since a time. */
export interface AuditQuery {
  /** The publisher (default: the client's); null: every record (the sandbox admin token only). */
  publisherId?: string | null;
  offerId?: string;
  /** Only records at or after this time. */
  since?: string | Date;
  /** Records a page, 1 to 1000 (default 100). */
  limit?: number;
  /** Where the page starts: the `continuationToken` of the page before. */
  continuationToken?: string;
}
/** One page of the audit trail, newest first; `continuationToken` is there when older records follow. */
export interface AuditPage {
  value: AuditRecord[];
  continuationToken?: string;
}

// ---- the product-ingestion face ------------------------------------------------------------

/** A product-ingestion resource (product, plan, listing, technical configuration, submission…): `$schema`, its durable `id`, and its type's members. */
export interface IngestionResource extends Extensible<Static<typeof IngestionSchemas.IngestionResource>> {}

export interface IngestionErrorNode extends Static<typeof IngestionSchemas.ErrorNode> {}

/** configure-status: a configure job's state (`jobEnd` is `0001-01-01T00:00:00` until it ends). */
export interface ConfigureStatus extends OpenEnums<Static<typeof IngestionSchemas.ConfigureStatus>> {
  errors: IngestionErrorNode[];
}

/** configure-detail: what a job that succeeded wrote, ids filled in, in the request's order. */
export interface ConfigureDetail extends Omit<Static<typeof IngestionSchemas.ConfigureDetail>, 'resources'> {
  resources: IngestionResource[];
}

/** Every resource of a product for one target (draft, preview, live), its submission included. */
export interface ResourceTree extends Omit<OpenEnums<Static<typeof IngestionSchemas.ResourceTree>>, 'resources'> {
  resources: IngestionResource[];
}

export type TargetType = Open<ResourceTree['target']['targetType']>;
