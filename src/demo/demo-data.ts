/**
 * Demo data for a first start: publisher `contoso` with the seed's Contoso VM offer and a
 * history of five versions and six operations, so that every call has something to show:
 *   v2 is in Production, v3 in Preview, the publish of v4 failed certification, v5 is the draft
 *   (the seed document exactly, status `failed` as in the seed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { OperationRecord, StepRecord } from '../domain/operations.ts';
import type { Publisher } from '../domain/publishers.ts';
import { type OperationType, stepsOf } from '../domain/workflow.ts';
import type { Store } from '../store/store.ts';
import { type Message, message, render } from '../domain/messages/index.ts';

export const DEMO_PUBLISHER: Publisher = {
  id: 'contoso',
  version: 1,
  displayText: 'Contoso',
  offerTypeCategories: ['microsoft-azure-virtualmachines'],
  sellerId: 10034567,
};

export const DEMO_OFFER_ID = '059afc24-07de-4126-b004-4e42a51816fe';

/** The seed's offer document ("Retrieve a specific offer"), as shipped in this package. */
export function seedOfferDocument(): {
  offerTypeId: string;
  publisherId: string;
  status: string;
  id: string;
  version: number;
  definition: Record<string, unknown>;
  changedTime: string;
} {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'src/demo/contoso-vm-offer.json'), 'utf8'));
}

type Plan = Record<string, unknown>;

/** An older version of the seed definition: another image version, fewer regions, older title. */
function olderDefinition(seed: Record<string, unknown>, changes: { displayText: string; imageVersion: string; regions: string[] }): Record<string, unknown> {
  const definition = structuredClone(seed);
  definition['displayText'] = changes.displayText;
  const plan = (definition['plans'] as Plan[])[0]!;
  const images = plan['microsoft-azure-virtualmachines.vmImages'] as Record<string, unknown>;
  const image = Object.values(images)[0];
  plan['microsoft-azure-virtualmachines.vmImages'] = { [changes.imageVersion]: image };
  plan['regions'] = changes.regions;
  return definition;
}

type DemoOperation = Omit<OperationRecord, 'publisherId' | 'offerId' | 'offerTypeId'>;

const STEP_COMPLETED = message('step.completed');

/** A finished operation of the demo history, its steps ending as the operation did. */
function finished(
  id: string,
  type: OperationType,
  version: number,
  times: [created: string, changed: string],
  failure?: { atStep: string; text: Message },
): DemoOperation {
  const [createdTime, changedTime] = times;
  let failed = false;
  const steps = stepsOf(type).map((step, position): StepRecord => {
    if (failed) return { position, stepId: step.id, status: 'notStarted', progress: 0, messages: [], startedTime: null, dueMs: null };
    if (failure?.atStep === step.id) {
      failed = true;
      return {
        position,
        stepId: step.id,
        status: 'blocked',
        progress: 0,
        messages: [{ messageHtml: render(failure.text), level: 'error', timestamp: changedTime, text: failure.text }],
        startedTime: createdTime,
        dueMs: null,
      };
    }
    const signoff = step.id === 'publisher-signoff';
    return {
      position,
      stepId: step.id,
      status: signoff ? 'waitingForPublisherReview' : 'complete',
      progress: 100,
      messages: [{ messageHtml: render(STEP_COMPLETED), level: 'information', timestamp: changedTime, text: STEP_COMPLETED }],
      startedTime: createdTime,
      dueMs: null,
    };
  });
  return {
    id,
    type,
    status: failure ? 'failed' : 'completed',
    publishingVersion: version,
    offerVersion: version,
    notificationEmails: 'jondoe@contoso.com',
    error: failure ? render(failure.text) : null,
    createdTime,
    changedTime,
    steps,
  };
}

/** The demo offer's history: v1 and v2 went live, v3 awaits sign-off in Preview, v4 failed certification. */
function demoHistory(): DemoOperation[] {
  return [
    finished('5a63deb5-925b-4ee0-938b-7c86fbf287c5', 'publish', 1, ['2017-05-23T23:40:02.1830922Z', '2017-05-24T08:12:45.0961274Z']),
    finished('0b5c1a3e-2f4d-4e8a-9c61-1d2e3f4a5b6c', 'golive', 1, ['2017-05-24T09:00:13.4420713Z', '2017-05-25T16:31:08.7731940Z']),
    finished('7e2d9c41-8b3a-4f5e-a6d7-2c1b0a9f8e7d', 'publish', 2, ['2017-05-26T17:05:40.2204416Z', '2017-05-27T10:44:19.6402283Z']),
    finished('c4b3a291-0f1e-4d2c-8b7a-6e5d4c3b2a19', 'golive', 2, ['2017-05-27T11:02:55.9981126Z', '2017-05-29T07:15:31.3106552Z']),
    finished('56615b67-2185-49fe-80d2-c4ddf77bb2e8', 'publish', 3, ['2017-06-01T09:50:12.8830119Z', '2017-06-02T13:27:44.5517208Z']),
    finished('9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', 'publish', 4, ['2017-06-05T14:25:03.1442097Z', '2017-06-05T18:02:36.4472061Z'], {
      atStep: 'displaycertify',
      text: message('demo.noImage', { plan: 'contososkuidentifier' }),
    }),
  ];
}

/** Loads the demo data if the demo publisher does not exist yet. Returns true when it did. */
export async function loadDemoData(store: Store): Promise<boolean> {
  if (!(await store.createPublisher(DEMO_PUBLISHER))) return false;
  await importDemoOffer(store);
  return true;
}

/** The demo publisher and its offer, whichever is missing (after a sandbox reset emptied the catalog). */
export async function restoreDemoData(store: Store): Promise<void> {
  await store.createPublisher(DEMO_PUBLISHER);
  if (!(await store.getOffer(DEMO_PUBLISHER.id, DEMO_OFFER_ID))) await importDemoOffer(store);
}

async function importDemoOffer(store: Store): Promise<void> {
  const seed = seedOfferDocument();
  const older = (displayText: string, imageVersion: string, regions: string[]) => olderDefinition(seed.definition, { displayText, imageVersion, regions });
  await store.importOffer({
    publisherId: DEMO_PUBLISHER.id,
    id: seed.id,
    offerTypeId: seed.offerTypeId,
    status: 'failed',
    previewVersion: 3,
    productionVersion: 2,
    createdTime: '2017-05-23T23:33:47.8802283Z',
    changedTime: seed.changedTime,
    versions: [
      { version: 1, definition: older('Contoso Virtual Machine', '1.0.0', ['DZ']), changedTime: '2017-05-23T23:33:47.8802283Z' },
      { version: 2, definition: older('Contoso Virtual Machine', '1.0.0', ['DZ', 'AR']), changedTime: '2017-05-26T17:02:11.1830922Z' },
      { version: 3, definition: older('Contoso Virtual Machine Offer', '1.0.1', ['DZ', 'AR']), changedTime: '2017-06-01T09:45:03.5521046Z' },
      { version: 4, definition: older('Contoso Virtual Machine Offer', '1.0.2', ['DZ', 'AR']), changedTime: '2017-06-05T14:20:57.0061839Z' },
      { version: 5, definition: seed.definition, changedTime: seed.changedTime },
    ],
    operations: demoHistory(),
    notificationEmails: 'jondoe@contoso.com',
  });
}
