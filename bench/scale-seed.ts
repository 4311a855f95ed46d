/**
 * The catalogs of bench/scale.ts, written through the real store (openStore, importOffer) before
 * any server starts. A catalog of `offers` offers holds:
 *   - 100 publishers `scale-001`…`scale-100`: `scale-100` has exactly MEASURED_LIST_OFFERS offers
 *     (the list the bench measures), the others share the rest;
 *   - one publisher `scale-big` with offers / 5 more (20,000 in the 100,000 catalog);
 *   - an empty publisher `scale-history`, where the bench makes its long-history offers over HTTP;
 *   - a Reader token on `scale-100` and `scale-big`, a Contributor token on `scale-history`.
 * Offers are written interleaved across publishers, as a real catalog grows, not one publisher
 * after the other. Every offer's document is 5–10 KB (the seed's Contoso VM offer with 1–5 plans
 * and a long summary of varying length); every tenth has a history: versions 1 and 2 published and
 * live (four finished operations with their steps), version 3 the draft. Everything is derived
 * from the publisher and the offer's number, so `scale-100`'s offers — the measured offer and the
 * measured list — are the same bytes in every catalog.
 */
import { createHash } from 'node:crypto';
import { seedOfferDocument } from '../src/demo/demo-data.ts';
import { CURRENT_API_VERSION } from '../src/domain/api-version.ts';
import type { StepRecord } from '../src/domain/operations.ts';
import { type OperationType, stepsOf } from '../src/domain/workflow.ts';
import { createAccessToken } from '../src/identity/access-tokens.ts';
import { openStore } from '../src/store/open.ts';
import type { OfferSnapshot } from '../src/store/store.ts';

export const PUBLISHERS = 100;
export const MEASURED_LIST_OFFERS = 100;
export const MEASURED_PUBLISHER = 'scale-100';
export const BIG_PUBLISHER = 'scale-big';
export const HISTORY_PUBLISHER = 'scale-history';
/** The measured offer: number 50 of `scale-100`, one with a history. */
export const MEASURED_OFFER = offerId(50);
/** The smallest catalog: the measured list, and at least one offer for each other publisher. */
export const MIN_OFFERS = MEASURED_LIST_OFFERS + PUBLISHERS - 1;

export interface ScaleCatalog {
  /** Offers in all (the big publisher's included). */
  offers: number;
  bigPublisherOffers: number;
  /** Offers with a history (3 versions, 4 finished operations). */
  withHistory: number;
  /** Bytes of the draft documents as stored (JSON), all offers. */
  documentBytes: number;
  seedMs: number;
  readToken: string;
  writeToken: string;
  offerPath: string;
  listPath: string;
  /** The list of the big publisher (every offer it has). */
  bigListPath: string;
}

const BASE_TIME = Date.parse('2024-01-02T03:04:05.123Z');
const PAD_WORDS =
  'Contoso Virtual Machine runs your workloads with predictable performance, hardened images, automatic patching and ' +
  'round-the-clock support; deploy it in minutes from the marketplace and scale it with your business. ';

/**
 * Seeds one catalog into the SQLite file in `dataDir` or the PostgreSQL database at `databaseUrl`,
 * `concurrency` imports in flight (group commit: a lone import would wait for its own sync).
 */
export async function seedCatalog(config: {
  dataDir: string;
  secretKey: string;
  databaseUrl?: string;
  offers: number;
  concurrency: number;
  progress?: (done: number, total: number) => void;
}): Promise<ScaleCatalog> {
  if (config.offers < MIN_OFFERS) throw new Error(`a catalog needs at least ${MIN_OFFERS} offers`);
  const started = performance.now();
  const store = await openStore(config);
  try {
    const base = seedOfferDocument();
    const templates = definitionTemplates(base.definition);
    const newPublisher = (id: string) => store.createPublisher({ id, version: 1, displayText: id, offerTypeCategories: [base.offerTypeId], sellerId: 1 });
    for (let n = 1; n <= PUBLISHERS; n++) await newPublisher(publisherId(n));
    await newPublisher(BIG_PUBLISHER);
    await newPublisher(HISTORY_PUBLISHER);

    const plan = importPlan(config.offers);
    let documentBytes = 0;
    let withHistory = 0;
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < plan.length) {
        const [publisher, number] = plan[next++]!;
        const snapshot = offerSnapshot(publisher, number, base.offerTypeId, templates);
        documentBytes += JSON.stringify(snapshot.versions.at(-1)!.definition).length;
        if (snapshot.versions.length > 1) withHistory++;
        await store.importOffer(snapshot);
        if (++done % 10_000 === 0) config.progress?.(done, plan.length);
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, worker));

    const read = await createAccessToken(store, { publisherIds: [MEASURED_PUBLISHER, BIG_PUBLISHER], role: 'Reader', description: 'scale bench' });
    const write = await createAccessToken(store, { publisherIds: [HISTORY_PUBLISHER], role: 'Contributor', description: 'scale bench history' });
    const query = `api-version=${CURRENT_API_VERSION}`;
    return {
      offers: plan.length,
      bigPublisherOffers: plan.filter(([publisher]) => publisher === BIG_PUBLISHER).length,
      withHistory,
      documentBytes,
      seedMs: performance.now() - started,
      readToken: read.token,
      writeToken: write.token,
      offerPath: `/api/publishers/${MEASURED_PUBLISHER}/offers/${MEASURED_OFFER}?${query}`,
      listPath: `/api/publishers/${MEASURED_PUBLISHER}/offers?${query}`,
      bigListPath: `/api/publishers/${BIG_PUBLISHER}/offers?${query}`,
    };
  } finally {
    // Closed before a server opens the same file or database.
    await store.close();
  }
}

function publisherId(n: number): string {
  return `scale-${String(n).padStart(3, '0')}`;
}

function offerId(n: number): string {
  return `offer-${String(n).padStart(6, '0')}`;
}

/**
 * Which offer to import when, as [publisher, offer number]: `offers` regular offers, of which
 * MEASURED_LIST_OFFERS for `scale-100` spread evenly through the order and the rest round-robin
 * over the other publishers, with one of the big publisher's after every five.
 */
function importPlan(offers: number): Array<[string, number]> {
  const plan: Array<[string, number]> = [];
  const counts = new Map<string, number>();
  const add = (publisher: string) => {
    const number = (counts.get(publisher) ?? 0) + 1;
    counts.set(publisher, number);
    plan.push([publisher, number]);
  };
  const others = offers - MEASURED_LIST_OFFERS;
  let measured = 0;
  let other = 0;
  for (let k = 0; k < offers; k++) {
    // The measured publisher's next offer is due when its share of the order so far is behind.
    if (measured < MEASURED_LIST_OFFERS && (other >= others || measured * offers <= k * MEASURED_LIST_OFFERS)) {
      measured++;
      add(MEASURED_PUBLISHER);
    } else {
      add(publisherId(1 + (other % (PUBLISHERS - 1))));
      other++;
    }
    if (k % 5 === 4) add(BIG_PUBLISHER);
  }
  return plan;
}

/** Definitions with 1–5 plans, the long summary left for each offer to fill. */
function definitionTemplates(seed: Record<string, unknown>): Array<{ definition: Record<string, unknown>; bytes: number }> {
  const template = (seed['plans'] as Array<Record<string, unknown>>)[0];
  if (!template) throw new Error('the seed offer has no plan to copy');
  const templates = [];
  for (let planCount = 1; planCount <= 5; planCount++) {
    const definition = structuredClone(seed);
    definition['plans'] = Array.from({ length: planCount }, (_, i) =>
      i === 0
        ? structuredClone(template)
        : { ...structuredClone(template), planId: `scaleplan${i + 1}`, 'microsoft-azure-virtualmachines.skuTitle': `Plan ${i + 1}` },
    );
    (definition['offer'] as Record<string, unknown>)['microsoft-azure-marketplace.longSummary'] = '';
    templates.push({ definition, bytes: JSON.stringify(definition).length });
  }
  return templates;
}

/** A number in [0, 1) from a string, the same on every run. */
function unit(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** A UUID-shaped id from a string, the same on every run. */
function stableUuid(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const at = (ms: number) => new Date(ms).toISOString().replace('Z', '0000Z');

function offerSnapshot(
  publisher: string,
  number: number,
  offerTypeId: string,
  templates: Array<{ definition: Record<string, unknown>; bytes: number }>,
): OfferSnapshot {
  const id = offerId(number);
  const key = `${publisher}/${id}`;
  const targetBytes = 5120 + Math.floor(unit(key) * 5120);
  // The most plans that leave room for the target size, then the long summary up to it.
  let chosen = templates[0]!;
  for (const candidate of templates) if (candidate.bytes + 200 <= targetBytes) chosen = candidate;
  const version = (n: number): Record<string, unknown> => {
    const title = `Scale offer ${number} of ${publisher}${n > 1 ? `, revision ${n}` : ''}`;
    const offer = { ...(chosen.definition['offer'] as Record<string, unknown>) };
    const room = Math.max(0, targetBytes - chosen.bytes - 2 * title.length);
    offer['microsoft-azure-marketplace.title'] = title;
    offer['microsoft-azure-marketplace.longSummary'] = PAD_WORDS.repeat(Math.ceil(room / PAD_WORDS.length)).slice(0, room);
    return { ...chosen.definition, displayText: title, offer };
  };
  const created = BASE_TIME + number * 60_000;
  if (number % 10 !== 0) {
    return {
      publisherId: publisher,
      id,
      offerTypeId,
      status: 'neverPublished',
      previewVersion: null,
      productionVersion: null,
      createdTime: at(created),
      changedTime: at(created),
      versions: [{ version: 1, definition: version(1), changedTime: at(created) }],
    };
  }
  // Versions 1 and 2 published and live, 3 the draft: one day between steps of the history.
  const day = 86_400_000;
  const operation = (type: OperationType, publishingVersion: number, createdMs: number) => {
    const changedTime = at(createdMs + day / 2);
    const steps = stepsOf(type).map((step, position): StepRecord => ({
      position,
      stepId: step.id,
      status: step.id === 'publisher-signoff' ? 'waitingForPublisherReview' : 'complete',
      progress: 100,
      messages: [{ messageHtml: 'Step completed.', level: 'information', timestamp: changedTime }],
      startedTime: at(createdMs),
      dueMs: null,
    }));
    return {
      id: stableUuid(`${key}/${type}/${publishingVersion}`),
      type,
      status: 'completed' as const,
      publishingVersion,
      offerVersion: publishingVersion,
      notificationEmails: null,
      error: null,
      createdTime: at(createdMs),
      changedTime,
      steps,
    };
  };
  return {
    publisherId: publisher,
    id,
    offerTypeId,
    status: 'succeeded',
    previewVersion: 2,
    productionVersion: 2,
    createdTime: at(created),
    changedTime: at(created + 5 * day),
    versions: [
      { version: 1, definition: version(1), changedTime: at(created) },
      { version: 2, definition: version(2), changedTime: at(created + 2 * day) },
      { version: 3, definition: version(3), changedTime: at(created + 5 * day) },
    ],
    operations: [
      operation('publish', 1, created),
      operation('golive', 1, created + day),
      operation('publish', 2, created + 2 * day),
      operation('golive', 2, created + 3 * day),
    ],
  };
}
