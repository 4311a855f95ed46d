/**
 * Demo data for a first start: publisher `contoso` with the seed's Contoso VM offer and a
 * history of five versions, so that every seed call has something to show:
 *   v2 is in Production, v3 in Preview, the publish of v4 failed, v5 is the draft (the seed
 *   document exactly, status `failed` as in the seed).
 */
import { readFileSync } from 'node:fs';
import type { Publisher } from '../domain/publishers.ts';
import type { Store } from '../store/store.ts';

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
  return JSON.parse(readFileSync(new URL('./contoso-vm-offer.json', import.meta.url), 'utf8'));
}

type Plan = Record<string, unknown>;

/** An older version of the seed definition: another image version, fewer regions, older title. */
function olderDefinition(
  seed: Record<string, unknown>,
  changes: { displayText: string; imageVersion: string; regions: string[] },
): Record<string, unknown> {
  const definition = structuredClone(seed);
  definition['displayText'] = changes.displayText;
  const plan = (definition['plans'] as Plan[])[0]!;
  const images = plan['microsoft-azure-virtualmachines.vmImages'] as Record<string, unknown>;
  const image = Object.values(images)[0];
  plan['microsoft-azure-virtualmachines.vmImages'] = { [changes.imageVersion]: image };
  plan['regions'] = changes.regions;
  return definition;
}

/** Loads the demo data if the demo publisher does not exist yet. Returns true when it did. */
export async function loadDemoData(store: Store): Promise<boolean> {
  if (!(await store.createPublisher(DEMO_PUBLISHER))) return false;
  const seed = seedOfferDocument();
  const older = (displayText: string, imageVersion: string, regions: string[]) =>
    olderDefinition(seed.definition, { displayText, imageVersion, regions });
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
  });
  return true;
}
