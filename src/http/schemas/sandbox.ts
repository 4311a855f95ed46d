/** Wire shapes of the sandbox controls (`/_cloudpartner/…`): fault rules and the workflow clock. */
import { Type, type Static } from 'typebox';
import { INJECTED_STATUSES } from '../../domain/errors.ts';
import { EVENT_TYPES } from '../../domain/events.ts';
import { ALL_STEP_IDS, OPERATION_TYPES } from '../../domain/workflow.ts';
import { NAMED_DURATIONS } from '../../workflow/durations.ts';
import { oneOf } from './common.ts';
import { AUDIT_ACTIONS, PRINCIPAL_KINDS } from '../../domain/audit.ts';

const ruleCommon = {
  id: Type.String({ description: 'The rule id (GUID): DELETE /_cloudpartner/faults/{id} removes it.' }),
  times: Type.Optional(Type.Integer({ minimum: 0, description: 'How many more times it acts; absent: until deleted.' })),
  probability: Type.Optional(Type.Number({ description: 'The share of matching requests or steps it acts on.' })),
  seed: Type.Optional(Type.Integer({ description: 'Seed of its generator: the same seed draws the same sequence.' })),
  hits: Type.Integer({ minimum: 0, description: 'How many times it has acted.' }),
  createdTime: Type.String(),
};

const StepFaultMatch = Type.Object({
  publisherId: Type.Optional(Type.String()),
  offerId: Type.Optional(Type.String()),
  operation: Type.Optional(oneOf(OPERATION_TYPES)),
  step: Type.Optional(oneOf(ALL_STEP_IDS, 'Without a step, fail and block act where the service fails: displaycertify, live, rollback.')),
});

const StepFaultEffect = Type.Union([
  Type.Object({ fail: Type.Object({ messages: Type.Array(Type.String(), { minItems: 1 }) }) }, { description: 'The step fails with these messages.' }),
  Type.Object({ block: Type.Literal(true) }, { description: 'The step stays running until the rule is deleted.' }),
  Type.Object({ durationMs: Type.Integer({ minimum: 0 }) }, { description: 'How long the step takes.' }),
]);

const HttpFaultMatch = Type.Object({
  method: Type.Optional(Type.String()),
  path: Type.Optional(Type.String({ description: 'Glob over the path: * within a segment, ** across segments, ? one character.' })),
  publisherId: Type.Optional(Type.String()),
});

const HttpFaultEffect = Type.Union([
  Type.Object(
    { status: Type.Union(INJECTED_STATUSES.map((status) => Type.Literal(status))), retryAfter: Type.Optional(Type.Integer({ minimum: 0 })) },
    { description: 'Answer this status in the error shape, with Retry-After when given.' },
  ),
  Type.Object({ delayMs: Type.Integer({ minimum: 1 }) }, { description: 'Wait this long, then serve the request.' }),
  Type.Object({ drop: Type.Literal(true) }, { description: 'Close the connection without an answer.' }),
]);

export const FaultRuleInput = Type.Object(
  {
    match: Type.Optional(Type.Union([StepFaultMatch, HttpFaultMatch])),
    effect: Type.Union([StepFaultEffect, HttpFaultEffect]),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
    probability: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    seed: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { description: 'A workflow fault (effect fail, block or durationMs) or an HTTP fault (effect status, delayMs or drop).' },
);

export const FaultRule = Type.Union(
  [
    Type.Object({ ...ruleCommon, kind: Type.Literal('step'), match: StepFaultMatch, effect: StepFaultEffect }),
    Type.Object({ ...ruleCommon, kind: Type.Literal('http'), match: HttpFaultMatch, effect: HttpFaultEffect }),
  ],
  { $id: 'FaultRule' },
);
export type FaultRule = Static<typeof FaultRule>;

/** What PUT /_cloudpartner/clock takes. */
export const ClockSettings = Type.Object({
  stepDurations: Type.Union([
    oneOf(NAMED_DURATIONS, 'zero: every step at once; fast: the default; realistic: the service estimates (certification two days).'),
    Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Milliseconds by step id; steps not listed keep theirs.' }),
  ]),
});
export type ClockSettings = Static<typeof ClockSettings>;

export const SandboxClock = Type.Object(
  {
    now: Type.String({ description: 'Workflow time (ISO 8601): real time plus every advance so far.' }),
    offsetMs: Type.Integer({ minimum: 0, description: 'How far workflow time is ahead of real time.' }),
    stepDurations: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'How long each step takes now, ms, by step id.' }),
  },
  { $id: 'SandboxClock' },
);
export type SandboxClock = Static<typeof SandboxClock>;

export const Snapshot = Type.Object(
  {
    name: Type.String(),
    createdTime: Type.String(),
    size: Type.Integer({ minimum: 0, description: 'Bytes the snapshot takes.' }),
  },
  { $id: 'Snapshot' },
);
export type Snapshot = Static<typeof Snapshot>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** One request and its answer, as the journal keeps them. */
export const JournalEntry = Type.Object({
  time: Type.String(),
  requestId: Type.String(),
  method: Type.String(),
  path: Type.String(),
  status: Type.Integer(),
  principalId: Nullable(Type.String()),
  publisherId: Nullable(Type.String()),
  offerId: Nullable(Type.String()),
  durationMs: Type.Number(),
  requestBody: Nullable(Type.String({ description: 'Cut to 4 KB; secret-type fields taken out, token-like text masked.' })),
  responseBody: Nullable(Type.String({ description: 'Cut to 4 KB; not kept for the token service.' })),
});

export type JournalEntry = Static<typeof JournalEntry>;

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const Webhook = Type.Object(
  {
    id: Type.String(),
    publisherId: Type.String(),
    url: Type.String(),
    events: Type.Array(oneOf(EVENT_TYPES)),
    createdTime: Type.String(),
    secretSet: Type.Boolean({ description: 'The secret is never shown again.' }),
  },
  { $id: 'Webhook' },
);
export type Webhook = Static<typeof Webhook>;

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: 'Also sent as X-CloudPartner-Delivery.' }),
    event: oneOf(EVENT_TYPES),
    offerId: Type.String(),
    sequence: Type.Integer({ description: 'Its place among the deliveries of this webhook about this offer: the order they go out in.' }),
    state: oneOf(['pending', 'delivered', 'failed'] as const),
    attempts: Type.Integer(),
    firstAttemptTime: NullableString,
    deliveredTime: NullableString,
    nextAttemptTime: NullableString,
    lastStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: NullableString,
  },
  { $id: 'WebhookDelivery' },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const OutboxMessage = Type.Object(
  {
    id: Type.String(),
    time: Type.String(),
    to: Type.Array(Type.String()),
    subject: Type.String(),
    text: Type.String(),
    publisherId: Type.String(),
    offerId: Type.String(),
    operationId: Type.String(),
  },
  { $id: 'OutboxMessage', description: 'An e-mail the hosted service would have sent, kept instead of sent.' },
);
export type OutboxMessage = Static<typeof OutboxMessage>;

const OptionalText = (description?: string) => Type.Union([Type.String(), Type.Null()], description ? { description } : {});

/** One write as the audit trail keeps it (D95): who, when, in which request, the offer's ETag before and after — never a document or a value. */
export const AuditRecord = Type.Object(
  {
    id: Type.String(),
    time: Type.String({ description: 'When, ISO 8601, on the workflow clock (the sandbox clock moves it).' }),
    action: oneOf(AUDIT_ACTIONS),
    principal: Type.Object({
      kind: oneOf(PRINCIPAL_KINDS),
      id: Type.String({ description: "The access token's id, <tenantId>/<objectId> of a JWT, or system / local. Never a token." }),
      displayName: OptionalText("The token's description or the member's display name."),
    }),
    requestId: OptionalText("The request id on the access log line of the request that wrote it; null for the server's own workers."),
    publisherId: OptionalText(),
    offerId: OptionalText(),
    etagBefore: OptionalText("The offer's ETag before the write (null: it did not exist, or the write is not about an offer)."),
    etagAfter: OptionalText("The offer's ETag after the write."),
    operationId: OptionalText('The operation started, canceled or ended.'),
    target: OptionalText(
      "What else it is about: a member's object id, an application's client id, a token's, webhook's, fault rule's or configure job's id, a snapshot's name.",
    ),
  },
  { $id: 'AuditRecord' },
);
export type AuditRecord = Static<typeof AuditRecord>;

export const AuditPage = Type.Object({
  value: Type.Array(Type.Ref('AuditRecord')),
  '@nextLink': Type.Optional(Type.String({ description: 'The next page (older records), relative; absent on the last page.' })),
});
