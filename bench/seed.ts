/**
 * Bench data, written through the real store before any server starts:
 *   - publisher `bench` with one offer whose served document is TARGET_OFFER_BYTES long
 *     (the seed's Contoso VM offer with more plans, padded to the exact size);
 *   - publisher `bench-many` with MANY_OFFERS small offers, for the offer list;
 *   - a Reader token on both;
 *   - empty publishers `bench-put` (PUT throughput) and `bench-flow` (publish→live cycles), with
 *     a Contributor token on them: writes get a token of their own so the GET scenarios keep
 *     measuring a Reader, as before.
 * The same function seeds the SQLite file and the PostgreSQL database, so both serve the same bytes.
 */
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import { type OfferHeader, renderOffer } from '../src/domain/offers.ts';
import { extractSecrets } from '../src/domain/secret-fields.ts';
import { seedOfferDocument } from '../src/demo/demo-data.ts';
import { createAccessToken } from '../src/identity/access-tokens.ts';
import { registerApplication } from '../src/identity/applications.ts';
import { TokenService } from '../src/identity/token-service.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/store.ts';

export const TARGET_OFFER_BYTES = 10_240;
export const MANY_OFFERS = 1000;

const BIG_PUBLISHER = 'bench';
const BIG_OFFER = 'bench-offer-10kb';
const MANY_PUBLISHER = 'bench-many';
const PUT_PUBLISHER = 'bench-put';
const FLOW_PUBLISHER = 'bench-flow';
const CHANGED = '2024-01-02T03:04:05.1234567Z';

export interface SeededData {
  token: string;
  /** Path + query of the ~10 KB offer. */
  offerPath: string;
  /** Path + query of the list of MANY_OFFERS offers. */
  listPath: string;
  /** Size the offer document should have when served (computed with the real renderer). */
  expectedOfferBytes: number;
  manyOffers: number;
  /** Contributor on `putPublisher` and `flowPublisher`. */
  writeToken: string;
  putPublisher: string;
  flowPublisher: string;
  /** An application (Reader on the big offer's publisher) for the JWT scenario: fetch its token from the server. */
  jwtApp: { clientId: string; clientSecret: string; tenantId: string };
}

/**
 * Seeds one store: the SQLite file in `dataDir`, or the PostgreSQL database at `databaseUrl`.
 * Secret values are sealed with `secretKey`: the servers must be started with the same key.
 */
export async function seed(config: { dataDir: string; secretKey: string; databaseUrl?: string }): Promise<SeededData> {
  const store = await openStore(config);
  try {
    const newPublisher = (id: string) =>
      store.createPublisher({ id, version: 1, displayText: id, offerTypeCategories: ['microsoft-azure-virtualmachines'], sellerId: 1 });
    await newPublisher(BIG_PUBLISHER);
    await newPublisher(MANY_PUBLISHER);
    await newPublisher(PUT_PUBLISHER);
    await newPublisher(FLOW_PUBLISHER);

    const base = seedOfferDocument();
    const definition = bigDefinition(base.definition, base.offerTypeId);
    await store.importOffer(snapshot(BIG_PUBLISHER, BIG_OFFER, base.offerTypeId, definition));
    await importMany(store, base.offerTypeId);

    const { token } = await createAccessToken(store, { publisherIds: [BIG_PUBLISHER, MANY_PUBLISHER], role: 'Reader', description: 'bench' });
    const write = await createAccessToken(store, { publisherIds: [PUT_PUBLISHER, FLOW_PUBLISHER], role: 'Contributor', description: 'bench writes' });
    const app = await registerApplication(store, await TokenService.open(store), { publisherIds: [BIG_PUBLISHER], role: 'Reader', displayName: 'bench' });
    const query = `api-version=${CURRENT_API_VERSION}`;
    return {
      token,
      jwtApp: { clientId: app.clientId, clientSecret: app.clientSecret, tenantId: app.tenantId },
      offerPath: `/api/publishers/${BIG_PUBLISHER}/offers/${BIG_OFFER}?${query}`,
      listPath: `/api/publishers/${MANY_PUBLISHER}/offers?${query}`,
      expectedOfferBytes: servedBytes(definition, base.offerTypeId),
      manyOffers: MANY_OFFERS,
      writeToken: write.token,
      putPublisher: PUT_PUBLISHER,
      flowPublisher: FLOW_PUBLISHER,
    };
  } finally {
    // Close before the server process opens the file, as a separate `serve` would find it.
    await store.close();
  }
}

function snapshot(publisherId: string, id: string, offerTypeId: string, definition: Record<string, unknown>) {
  return {
    publisherId,
    id,
    offerTypeId,
    status: 'neverPublished' as const,
    previewVersion: null,
    productionVersion: null,
    createdTime: CHANGED,
    changedTime: CHANGED,
    versions: [{ version: 1, definition, changedTime: CHANGED }],
  };
}

/** Size of the document as the API will serve it: secrets removed, rendered by the real renderer. */
function servedBytes(definition: Record<string, unknown>, offerTypeId: string): number {
  const served = structuredClone(definition);
  extractSecrets(served, offerTypeId);
  // Only the fields the renderer prints; a cast keeps this compiling as OfferHeader grows.
  const header = { publisherId: BIG_PUBLISHER, id: BIG_OFFER, offerTypeId, status: 'neverPublished', version: 1, changedTime: CHANGED } as OfferHeader;
  return Buffer.byteLength(renderOffer(header, { version: 1, definitionJson: JSON.stringify(served), changedTime: CHANGED }));
}

/** The seed definition with copies of its plan added, then its long summary padded to the exact target size. */
function bigDefinition(seedDefinition: Record<string, unknown>, offerTypeId: string): Record<string, unknown> {
  const definition = structuredClone(seedDefinition);
  const plans = definition['plans'] as Array<Record<string, unknown>>;
  const template = plans[0];
  if (!template) throw new Error('the seed offer has no plan to copy');
  for (let n = 2; ; n++) {
    const plan = { ...structuredClone(template), planId: `benchplan${n}`, 'microsoft-azure-virtualmachines.skuTitle': `Bench plan ${n}` };
    plans.push(plan);
    if (servedBytes(definition, offerTypeId) > TARGET_OFFER_BYTES) {
      plans.pop();
      break;
    }
  }
  const offer = definition['offer'] as Record<string, unknown>;
  const key = 'microsoft-azure-marketplace.longSummary';
  const current = String(offer[key] ?? '');
  const missing = TARGET_OFFER_BYTES - servedBytes(definition, offerTypeId);
  if (missing > 0) offer[key] = `${current} ${'x'.repeat(missing - 1)}`; // ASCII: one char = one byte
  return definition;
}

async function importMany(store: Store, offerTypeId: string): Promise<void> {
  for (let i = 1; i <= MANY_OFFERS; i++) {
    const id = `offer-${String(i).padStart(4, '0')}`;
    const definition = { displayText: `Bench offer ${i}`, offer: { 'microsoft-azure-marketplace.title': `Bench offer ${i}` }, plans: [] };
    await store.importOffer(snapshot(MANY_PUBLISHER, id, offerTypeId, definition));
  }
}
