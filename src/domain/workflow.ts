/**
 * The publishing workflow: which steps each operation runs, what each step does to the offer,
 * and when an operation may start. The durable engine (src/workflow) executes these rules; the
 * store applies each transition atomically.
 *
 *   publish: displaydummycertify → displaycertify → displayprovision → displaypackage → publisher-signoff
 *            (the frozen version lands in Preview; offer status waitingForPublisherReview)
 *   golive:  live  (the Preview version becomes Production; offer status succeeded)
 *   cancel:  rollback  (only for a go-live: withdrawing from production systems takes its own operation)
 */

export const OPERATION_TYPES = ['publish', 'golive', 'cancel'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];
export type OperationStatus = 'running' | 'completed' | 'failed' | 'canceled';
export const OPERATION_STATUSES: readonly OperationStatus[] = ['running', 'completed', 'failed', 'canceled'];

/**
 * An operation's state as each view serves it (§12.2). One operation — `GET …/operations/{id}`
 * in either location form, and the operation in the answers of publish, golive and cancel — reads
 * `succeeded` when it ended well: the live service answered so, and release pipelines wait for
 * exactly that word. The submissions list keeps `completed` in `submissionState` and `status`, as
 * the documentation's samples and list pollers have it. Every other state reads the same in both.
 */
export type OperationViewStatus = Exclude<OperationStatus, 'completed'> | 'succeeded';
export const OPERATION_VIEW_STATUSES: readonly OperationViewStatus[] = OPERATION_STATUSES.map(statusOfOneOperation);
export function statusOfOneOperation(status: OperationStatus): OperationViewStatus {
  return status === 'completed' ? 'succeeded' : status;
}

/** A state named in a submissions filter: the list's own words, and `succeeded` as one operation reads it. */
export function parseOperationStatusFilter(raw: string): OperationStatus | undefined {
  const wanted = raw.toLowerCase();
  if (wanted === 'succeeded') return 'completed';
  return (OPERATION_STATUSES as readonly string[]).includes(wanted) ? (wanted as OperationStatus) : undefined;
}

/** Step status values of the CPP status page, camelCase on the wire like every other status. */
export const STEP_STATUSES = ['notStarted', 'inProgress', 'waitingForPublisherReview', 'complete', 'blocked', 'canceled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StepDefinition {
  id: string;
  stepName: string;
  estimatedTimeFrame: string;
  description: string;
}

export const PUBLISH_STEPS: readonly StepDefinition[] = [
  {
    id: 'displaydummycertify',
    stepName: 'Validate Pre-Requisites',
    estimatedTimeFrame: '< 15 min',
    description: 'The offer settings are validated before the offer enters certification.',
  },
  {
    id: 'displaycertify',
    stepName: 'Certification',
    estimatedTimeFrame: '~2-3 days',
    description: 'Certification systems analyse the offer, its plans and their virtual machine images.',
  },
  {
    id: 'displayprovision',
    stepName: 'Provisioning',
    estimatedTimeFrame: '< 1 day',
    description: 'The virtual machine images are replicated to the production systems.',
  },
  {
    id: 'displaypackage',
    stepName: 'Packaging and Lead Generation Registration',
    estimatedTimeFrame: '< 1 hour',
    description: 'The offer is packaged for customers and the lead systems are configured.',
  },
  {
    id: 'publisher-signoff',
    stepName: 'Publisher signoff',
    estimatedTimeFrame: '< 1 hour',
    description: 'The offer is available in preview. Check it, then go live.',
  },
];

export const GOLIVE_STEPS: readonly StepDefinition[] = [
  { id: 'live', stepName: 'Live', estimatedTimeFrame: '~2-5 days', description: 'The offer becomes publicly visible and purchasable.' },
];

export const CANCEL_STEPS: readonly StepDefinition[] = [
  {
    id: 'rollback',
    stepName: 'Cancel go-live',
    estimatedTimeFrame: '< 1 hour',
    description: 'The offer is withdrawn from the production systems it had reached; Production keeps its previous version.',
  },
];

const ALL_STEPS = new Map([...PUBLISH_STEPS, ...GOLIVE_STEPS, ...CANCEL_STEPS].map((step) => [step.id, step]));
export const ALL_STEP_IDS: readonly string[] = [...ALL_STEPS.keys()];

export function stepDefinition(id: string): StepDefinition {
  const step = ALL_STEPS.get(id);
  if (!step) throw new Error(`unknown step ${id}`);
  return step;
}

export function stepsOf(type: OperationType): readonly StepDefinition[] {
  return type === 'publish' ? PUBLISH_STEPS : type === 'golive' ? GOLIVE_STEPS : CANCEL_STEPS;
}

/** The slot an operation delivers to, as the operations sample spells it. */
export function operationSlot(type: OperationType): 'staging' | 'production' {
  return type === 'publish' ? 'staging' : 'production';
}

/** One step of a running operation, as the rules about steps (durations, sandbox faults) see it. */
export interface StepTarget {
  publisherId: string;
  offerId: string;
  operationId: string;
  operation: OperationType;
  stepId: string;
  position: number;
}
