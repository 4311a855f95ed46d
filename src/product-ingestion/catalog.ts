/**
 * The read side of the product-ingestion face: which products a caller sees, and every resource,
 * tree, query and submission derived from the CPP offers (D74). Nothing here writes.
 */
import { errors } from '../domain/errors.ts';
import type { OfferHeader } from '../domain/offers.ts';
import type { OperationRecord } from '../domain/operations.ts';
import { type Action, roleAllows } from '../domain/roles.ts';
import type { Principal, Store } from '../store/store.ts';
import { durableIds, GUID, parseDurableId, planGuid, productGuid, submissionId, submissionVersion } from './ids.ts';
import { deriveResources, extrasOf, type Json, type OfferView, planResource, productResource, servedOfferType, PRODUCT_TYPES } from './mapping.ts';
import { schemaUri } from './schemas.ts';
import { message } from '../domain/messages/index.ts';

export const TARGET_TYPES = ['draft', 'preview', 'live'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface ProductRef {
  publisherId: string;
  offer: OfferHeader;
  guid: string;
}

/** Publishers the principal holds a role on that allows `action`, sorted. */
export function publishersFor(principal: Principal, action: Action): string[] {
  return [...principal.grants]
    .filter(([, role]) => roleAllows(role, action))
    .map(([publisherId]) => publisherId)
    .sort();
}

export class IngestionCatalog {
  readonly #store: Store;
  /** Product GUID → its offer: GUIDs are computed, so a found pair stays right (the offer may be gone: checked on use). */
  readonly #byGuid = new Map<string, { publisherId: string; offerId: string }>();
  /**
   * Draft trees by the offer header they were derived from. The stores hand out the same header
   * object until a commit changes what they cache (offers and their versions among it), and a new
   * one after, so a tree found here is the tree of the draft as it is now; a store that built new
   * objects every time would only never hit. Preview and live trees also read the operation
   * history, which a PostgreSQL instance does not cache, so they are derived on every read.
   */
  readonly #draftTrees = new WeakMap<OfferHeader, Json>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** The served offers of the publishers the principal may read, in (publisher, offer) order. */
  async products(principal: Principal): Promise<ProductRef[]> {
    const found: ProductRef[] = [];
    for (const publisherId of publishersFor(principal, 'read')) {
      const offers = await this.#store.listOffers(publisherId, {});
      for (const offer of [...offers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
        if (!servedOfferType(offer.offerTypeId)) continue;
        const guid = productGuid(publisherId, offer.id);
        this.#byGuid.set(guid, { publisherId, offerId: offer.id });
        found.push({ publisherId, offer, guid });
      }
    }
    return found;
  }

  /** The product a GUID names, if the principal may do `action` on it (404 when it sees no such product, 403 when its role is too weak). */
  async product(principal: Principal, rawGuid: string, action: Action): Promise<ProductRef> {
    const guid = rawGuid.toLowerCase();
    if (!GUID.test(guid)) throw errors.productNotFound(rawGuid);
    let known = this.#byGuid.get(guid);
    if (!known || !principal.grants.has(known.publisherId)) {
      await this.products(principal);
      known = this.#byGuid.get(guid);
    }
    const role = known ? principal.grants.get(known.publisherId) : undefined;
    const offer = known && role ? await this.#store.getOffer(known.publisherId, known.offerId) : null;
    if (!known || !role || !offer || !servedOfferType(offer.offerTypeId)) throw errors.productNotFound(`product/${rawGuid}`);
    if (!roleAllows(role, action)) throw errors.forbiddenAction(known.publisherId, role, action);
    return { publisherId: known.publisherId, offer, guid };
  }

  async definition(publisherId: string, offerId: string, version: number): Promise<Json> {
    const document = await this.#store.getOfferVersion(publisherId, offerId, version);
    if (!document) throw errors.versionNotFound(offerId, version, version);
    return JSON.parse(document.definitionJson) as Json;
  }

  async view(ref: ProductRef, version: number): Promise<OfferView> {
    return {
      publisherId: ref.publisherId,
      offerId: ref.offer.id,
      offerTypeId: ref.offer.offerTypeId,
      definition: await this.definition(ref.publisherId, ref.offer.id, version),
    };
  }

  /** Which version a target reads (404 for a target never published). */
  versionOf(ref: ProductRef, target: TargetType): number {
    const version = target === 'draft' ? ref.offer.version : target === 'preview' ? ref.offer.previewVersion : ref.offer.productionVersion;
    if (version === null)
      throw errors.resourceNotFound(`product/${ref.guid}`, message(target === 'preview' ? 'resource.notInPreview' : 'resource.notLive', { target }));
    return version;
  }

  /** E5: every resource of the product for a target, its submission included. */
  async tree(principal: Principal, durableId: string, target: TargetType): Promise<Json> {
    const parsed = parseDurableId(durableId);
    if (!parsed || parsed.type !== 'product' || parsed.rest.length > 0) throw errors.resourceNotFound(durableId, message('resource.treeByProductId'));
    const ref = await this.product(principal, parsed.productGuid, 'read');
    if (target === 'draft') {
      let tree = this.#draftTrees.get(ref.offer);
      if (!tree) this.#draftTrees.set(ref.offer, (tree = await this.#deriveTree(ref, target)));
      return tree;
    }
    return this.#deriveTree(ref, target);
  }

  async #deriveTree(ref: ProductRef, target: TargetType): Promise<Json> {
    const version = this.versionOf(ref, target);
    const lifecycle = await this.#lifecycle(ref);
    const submission = target === 'draft' ? draftSubmission(ref.guid) : await this.#slotSubmission(ref, target, version, lifecycle);
    const resources = deriveResources(await this.view(ref, version), submission);
    if (target !== 'draft') {
      // A product's lifecycle is the product's, not a version's: every target reads it from the draft (D94).
      const product = resources.find((resource) => resource['id'] === durableIds.product(ref.guid))!;
      delete product['deprecationSchedule'];
      Object.assign(product, lifecycle ?? { lifecycleState: 'generallyAvailable' });
    }
    return { $schema: schemaUri('resource-tree'), root: durableIds.product(ref.guid), target: { targetType: target }, resources };
  }

  /** The product's deprecation (kept in the draft, D94), or undefined while it is generally available. */
  async #lifecycle(ref: ProductRef): Promise<Lifecycle | undefined> {
    const product = extrasOf(await this.definition(ref.publisherId, ref.offer.id, ref.offer.version)).product;
    if (product?.lifecycleState !== 'deprecated') return undefined;
    return { lifecycleState: 'deprecated', ...(product.deprecationSchedule ? { deprecationSchedule: product.deprecationSchedule } : {}) };
  }

  /** E6: one resource of the draft, by its durable id. */
  async resource(principal: Principal, durableId: string): Promise<Json> {
    const parsed = parseDurableId(durableId);
    if (!parsed) throw errors.resourceNotFound(durableId, message('resource.unknownDurableId'));
    const ref = await this.product(principal, parsed.productGuid, 'read');
    const wanted = durableId.replace(/^\/+|\/+$/g, '').toLowerCase();
    if (parsed.type === 'submission') {
      const [id] = parsed.rest;
      const submission = (await this.submissions(principal, ref.guid)).find((entry) => entry['id'] === wanted);
      if (!submission || id === undefined) throw errors.resourceNotFound(durableId);
      return submission;
    }
    const resources = deriveResources(await this.view(ref, ref.offer.version), draftSubmission(ref.guid));
    const found = resources.find((resource) => resource['id'] === wanted);
    if (!found) throw errors.resourceNotFound(durableId, message('resource.notInDraft'));
    return found;
  }

  /** E7: products, filtered (externalId, type), in a stable order. */
  async queryProducts(principal: Principal, filter: { externalId?: string; type?: string }): Promise<Json[]> {
    const refs = await this.products(principal);
    const views: Json[] = [];
    for (const ref of refs) {
      if (filter.externalId !== undefined && ref.offer.id !== filter.externalId.toLowerCase()) continue;
      if (filter.type !== undefined && PRODUCT_TYPES[ref.offer.offerTypeId] !== filter.type) continue;
      views.push(productResource(await this.view(ref, ref.offer.version)));
    }
    return views;
  }

  /** E8: the plans of one product's draft, filtered by externalId. */
  async queryPlans(principal: Principal, product: string, externalId: string | undefined): Promise<Json[]> {
    const guid = product.replace(/^\/*product\//i, '').replace(/\/+$/, '');
    const ref = await this.product(principal, guid, 'read');
    const view = await this.view(ref, ref.offer.version);
    const plans = Array.isArray(view.definition['plans']) ? (view.definition['plans'] as Json[]) : [];
    return plans
      .filter((plan) => plan !== null && typeof plan === 'object' && typeof plan['planId'] === 'string')
      .filter((plan) => externalId === undefined || plan['planId'] === externalId.toLowerCase())
      .map((plan) => planResource(view, plan));
  }

  /** E9: the product's active submissions: the draft, the preview in progress or ready, the live one(s). */
  async submissions(principal: Principal, rawGuid: string): Promise<Json[]> {
    const ref = await this.product(principal, rawGuid, 'read');
    return submissionsOf(ref, await this.#store.listOperations(ref.publisherId, ref.offer.id), await this.#lifecycle(ref));
  }

  async #slotSubmission(ref: ProductRef, target: 'preview' | 'live', version: number, lifecycle: Lifecycle | undefined): Promise<Json> {
    const history = await this.#store.listOperations(ref.publisherId, ref.offer.id);
    const operation = [...history]
      .reverse()
      .find((candidate) => candidate.publishingVersion === version && candidate.type === (target === 'preview' ? 'publish' : 'golive'));
    return {
      $schema: schemaUri('submission'),
      id: durableIds.submission(ref.guid, submissionId(version)),
      product: durableIds.product(ref.guid),
      target: { targetType: target },
      lifecycleState: 'generallyAvailable',
      ...(target === 'live' ? lifecycle : {}),
      status: 'completed',
      result: 'succeeded',
      created: (operation?.createdTime ?? ref.offer.changedTime).replace(/Z$/, 'Z'),
    };
  }

  /** The submission a durable id or a bare submission id names, for the submission routes. */
  async submission(principal: Principal, rawGuid: string, id: string): Promise<Json> {
    const list = await this.submissions(principal, rawGuid);
    const wanted = durableIds.submission(rawGuid.toLowerCase(), id);
    const found = list.filter((entry) => entry['id'] === wanted);
    if (found.length === 0)
      throw errors.resourceNotFound(wanted, message(submissionVersion(id) === undefined ? 'resource.notSubmissionId' : 'resource.noActiveSubmission'));
    // While a go-live runs, the running entry is the one asked about.
    return found.find((entry) => entry['status'] === 'running') ?? found[0]!;
  }
}

/** A deprecated product's state, as its live submission and product resource read it. */
export interface Lifecycle {
  lifecycleState: 'deprecated';
  deprecationSchedule?: Json;
}

export function draftSubmission(guid: string): Json {
  return {
    $schema: schemaUri('submission'),
    id: durableIds.submission(guid, '0'),
    product: durableIds.product(guid),
    target: { targetType: 'draft' },
    lifecycleState: 'generallyAvailable',
  };
}

function stateOf(operation: OperationRecord): { status: string; result: string } {
  if (operation.status === 'running') return { status: 'running', result: 'pending' };
  if (operation.status === 'completed') return { status: 'completed', result: 'succeeded' };
  return { status: 'completed', result: 'failed' };
}

/**
 * The submissions list, derived from the offer's slots and publishing history (reference §2):
 * the draft; the latest publish as `preview` unless it has gone live since (or is going live);
 * the live version, completed; a running go-live as a second `live` entry.
 */
export function submissionsOf(ref: ProductRef, history: readonly OperationRecord[], lifecycle?: Lifecycle): Json[] {
  const { guid, offer } = ref;
  const entry = (version: number, target: TargetType, operation: OperationRecord | undefined, state: { status: string; result: string }) => ({
    $schema: schemaUri('submission'),
    id: durableIds.submission(guid, submissionId(version)),
    product: durableIds.product(guid),
    target: { targetType: target },
    lifecycleState: 'generallyAvailable',
    ...(target === 'live' ? lifecycle : {}),
    ...state,
    created: operation?.createdTime ?? offer.changedTime,
  });
  const list: Json[] = [draftSubmission(guid)];
  const publishes = history.filter((operation) => operation.type === 'publish' && operation.status !== 'canceled');
  const latestPublish = publishes.at(-1);
  const runningGoLive = history.find((operation) => operation.type === 'golive' && operation.status === 'running');
  if (latestPublish && latestPublish.publishingVersion !== offer.productionVersion && latestPublish.publishingVersion !== runningGoLive?.publishingVersion) {
    list.push(entry(latestPublish.publishingVersion, 'preview', latestPublish, stateOf(latestPublish)));
  }
  if (offer.productionVersion !== null) {
    const wentLive = [...history].reverse().find((operation) => operation.type === 'golive' && operation.publishingVersion === offer.productionVersion);
    list.push(entry(offer.productionVersion, 'live', wentLive, { status: 'completed', result: 'succeeded' }));
  }
  if (runningGoLive) list.push(entry(runningGoLive.publishingVersion, 'live', runningGoLive, stateOf(runningGoLive)));
  return list;
}

export { planGuid };
