/**
 * Configure requests and jobs (reference §2, §4): the synchronous check of a request (400, no
 * job is made), the job's work — resolve every reference, apply every resource to the drafts it
 * concerns through the mapping, check the results with the CPP draft rule — and how a job reads.
 * The work runs inside the store's one transaction (src/store/ingestion/job-store.ts): a problem
 * anywhere throws, and nothing of the job is applied.
 */
import { prepareDraft } from '../domain/drafts.ts';
import { ApiError, errors } from '../domain/errors.ts';
import { validateForPublish } from '../domain/offer-validation/index.ts';
import { findTooDeep, MAX_NESTING_DEPTH } from '../domain/offer-validation/depth.ts';
import { jsonPath, problemAt, type Problem } from '../domain/offer-validation/problems.ts';
import { formatTicks } from '../domain/time.ts';
import { extractSecrets } from '../domain/secret-fields.ts';
import { errorIn, messagesIn, type OperationRecord } from '../domain/operations.ts';
import { type Language, type Message, message, render } from '../domain/messages/index.ts';
import type { IngestionJobRecord, JobCatalog, JobChanges, StartOperationOptions } from '../store/store.ts';
import { type ErrorNode, type InnerCode, jobError, problemNode, renderJobErrors, type TopCode } from './errors.ts';
import { durableIds, isResourceType, planGuid, productGuid, type ResourceType, submissionVersion } from './ids.ts';
import {
  applyResource,
  deprecationScheduleOf,
  deriveResources,
  ensureProductExtras,
  findPlan,
  type Json,
  newDefinition,
  OFFER_TYPE_OF,
  type OfferView,
  PRODUCT_TYPES,
  pruneExtras,
  publishedOf,
  rememberHost,
  type Published,
  ResourceProblem,
  servedOfferType,
  techConfigOf,
} from './mapping.ts';
import { factsOf, MAX_PLANS, technicalConfigurationBreaches } from './rules.ts';
import { draftSubmission } from './catalog.ts';
import { CURRENT_HOST, CURRENT_VERSIONS, parseSchemaUri, schemaUri, validateResource } from './schemas.ts';

import { type Profile, type PublishJob } from './profiles.ts';
export { PROFILES, PUBLISH_JOBS, type Profile, type PublishJob } from './profiles.ts';

/** `0001-01-01T00:00:00`: the end of a job that has not ended. */
export const JOB_END_SENTINEL = '0001-01-01T00:00:00';

/** A resource of a stored request: as sent, less what the profile drops, with what the job needs to know of it. */
export interface RequestResource {
  type: ResourceType;
  /** The resource, normalised (read-only fields and nulls dropped in compat). */
  body: Json;
  /** Its place in the request (`$.resources[i]`). */
  index: number;
  /** The id it echoed, if any. */
  echoedId?: string;
  /** The `$schema` version is not the current one (strict refuses it in the job). */
  olderVersion: boolean;
}

export interface StoredRequest {
  profile: Profile;
  resources: RequestResource[];
}

const READ_ONLY: Partial<Record<ResourceType, string[]>> = { submission: ['status', 'result', 'created'] };

/** The configure body, checked: 400 InvalidConfigureRequest with every problem, or the request the job will run. */
export function parseConfigureRequest(body: unknown, profile: Profile): StoredRequest {
  const problems: Array<Problem & { resourceId?: string }> = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw errors.invalidConfigureRequest([problemAt('$', message('configure.bodyShape', { example: '{"$schema", "resources": [...]}' }))]);
  // Nothing walks a body nested deeper than documents may be (the schema check would recurse through it).
  const tooDeep = findTooDeep(body, MAX_NESTING_DEPTH);
  if (tooDeep !== undefined) throw errors.invalidConfigureRequest([problemAt(jsonPath(tooDeep), message('document.tooDeep', { max: MAX_NESTING_DEPTH }))]);
  const request = body as Json;
  const schema = parseSchemaUri(request['$schema']);
  if (!schema || schema.type !== 'configure') {
    problems.push(problemAt('$.$schema', message('configure.schemaExpected', { example: schemaUri('configure') })));
  } else if (profile === 'strict' && schema.host !== CURRENT_HOST) {
    problems.push(problemAt('$.$schema', message('configure.schemaUnreachable', { schema: String(request['$schema']).slice(0, 200), host: CURRENT_HOST })));
  }
  for (const key of Object.keys(request)) {
    if (key !== '$schema' && key !== 'resources' && profile === 'strict') problems.push(problemAt(`$.${key}`, message('configure.notProperty')));
  }
  const raw = request['resources'];
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(problemAt('$.resources', message('configure.resourcesCount')));
    throw errors.invalidConfigureRequest(problems);
  }
  if (raw.length > 1000) throw errors.invalidConfigureRequest([problemAt('$.resources', message('configure.tooManyResources'))]);
  const resources: RequestResource[] = [];
  raw.forEach((item: unknown, index) => {
    const at = `$.resources[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(problemAt(at, message('configure.resourceObject')));
      return;
    }
    const resource = structuredClone(item) as Json;
    const resourceId =
      typeof resource['resourceName'] === 'string' ? resource['resourceName'] : typeof resource['id'] === 'string' ? resource['id'] : `resources[${index}]`;
    const named = parseSchemaUri(resource['$schema']);
    if (!named || !isResourceType(named.type)) {
      problems.push({
        ...problemAt(`${at}.$schema`, message('configure.unknownResourceSchema', { schema: String(resource['$schema']).slice(0, 200) })),
        resourceId,
      });
      return;
    }
    const type = named.type;
    if (profile === 'strict' && named.host !== CURRENT_HOST) {
      problems.push({
        ...problemAt(`${at}.$schema`, message('configure.schemaUnreachable', { schema: String(resource['$schema']).slice(0, 200), host: CURRENT_HOST })),
        resourceId,
      });
      return;
    }
    const echoedId = typeof resource['id'] === 'string' ? resource['id'].toLowerCase() : undefined;
    if (profile === 'compat') normalise(type, resource);
    else delete resource['id'];
    for (const problem of validateResource(type, resource)) problems.push({ ...problem, path: `${at}${problem.path.slice(1)}`, resourceId });
    resources.push({ type, body: resource, index, ...(echoedId ? { echoedId } : {}), olderVersion: named.version !== CURRENT_VERSIONS[type] });
  });
  if (resources.filter((resource) => resource.type === 'submission' && resource.body['target']?.['targetType'] !== 'draft').length > 1) {
    problems.push(problemAt('$.resources', message('configure.oneSubmission')));
  }
  if (problems.length > 0) throw errors.invalidConfigureRequest(problems);
  return { profile, resources };
}

/** compat: what a client echoes from a read, or sends as null for "absent", is dropped before the schema check. */
function normalise(type: ResourceType, resource: Json): void {
  delete resource['id'];
  delete resource['validations'];
  for (const key of READ_ONLY[type] ?? []) delete resource[key];
  if (resource['deprecationSchedule'] && typeof resource['deprecationSchedule'] === 'object') delete resource['deprecationSchedule']['date'];
  for (const [key, value] of Object.entries(resource))
    if (value === null && key !== 'trial' && key !== 'previewAudiences' && key !== 'privateAudiences') delete resource[key];
  const fixExternalId = (value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'externalID' in value) {
      const record = value as Json;
      record['externalId'] ??= record['externalID'];
      delete record['externalID'];
    }
  };
  for (const key of ['identity', 'product', 'plan']) fixExternalId(resource[key]);
  // Data disks re-posted as [null] (a client that does not model them) mean none were given.
  if (Array.isArray(resource['vmImageVersions'])) {
    for (const version of resource['vmImageVersions'] as Json[]) {
      if (!version || typeof version !== 'object') continue;
      for (const key of Object.keys(version)) if (version[key] === null) delete version[key];
      for (const image of Array.isArray(version['vmImages']) ? (version['vmImages'] as Json[]) : []) {
        const source = image?.['source'];
        if (!source || typeof source !== 'object') continue;
        if (Array.isArray(source['dataDisks'])) source['dataDisks'] = source['dataDisks'].filter((disk: unknown) => disk !== null);
        for (const key of Object.keys(source)) if (source[key] === null) delete source[key];
      }
    }
  }
}

/** The products a request names, to find the publisher its job belongs to before it is made. */
export function productReferences(request: StoredRequest): { guids: string[]; externalIds: string[] } {
  const guids = new Set<string>();
  const externalIds = new Set<string>();
  for (const { type, body, echoedId } of request.resources) {
    if (type === 'product') {
      if (typeof body['identity']?.['externalId'] === 'string') externalIds.add(body['identity']['externalId']);
      if (echoedId?.startsWith('product/')) guids.add(echoedId.slice('product/'.length));
      continue;
    }
    const product = body['product'];
    if (typeof product === 'string') guids.add(product.replace(/^product\//, '').toLowerCase());
    else if (product && typeof product['externalId'] === 'string') externalIds.add(product['externalId']);
  }
  return { guids: [...guids], externalIds: [...externalIds] };
}

// ---------------------------------------------------------------------------------------------
// The job's work

/** A job's refusal: the errors it ends `failed` with. */
export class JobFailure extends Error {
  constructor(readonly errors: ErrorNode[]) {
    super('the configure job failed');
  }
}

interface OfferState {
  publisherId: string;
  offerId: string;
  offerTypeId: string;
  guid: string;
  definition: Json;
  published: Published;
  /** The offer has a live (Production) version. */
  live: boolean;
  touched: boolean;
  /** Plans whose technical configuration this job wrote, with the resource that wrote it (the rules check them). */
  techConfigs: Map<string, RequestResource>;
  /** A plan resource this job wrote (the plan count rule blames it). */
  planWriter?: RequestResource;
}

export interface JobContext {
  jobId: string;
  publisherId: string;
  /** The job's time (ms). */
  now: number;
  /** When the job's operation (a submission's) starts. */
  firstStep: (kind: 'publish' | 'golive', offerId: string) => StartOperationOptions['firstStep'];
}

const ORDER: ResourceType[] = ['product', 'plan'];
/** Resource types there is one of per plan (the others, one per product). */
const PER_PLAN = new Set<string>([
  'plan',
  'plan-listing',
  'price-and-availability-plan',
  'virtual-machine-plan-technical-configuration',
  'core-virtual-machine-plan-technical-configuration',
]);
const hostOf = (body: Json) => parseSchemaUri(body['$schema'])?.host ?? CURRENT_HOST;
const rank = (type: ResourceType) => (ORDER.includes(type) ? ORDER.indexOf(type) : type === 'submission' ? 9 : 5);

/** Decides a job's changes inside the store's transaction; throws JobFailure (nothing applied) on any problem. */
export async function planJob(request: StoredRequest, context: JobContext, catalog: JobCatalog): Promise<JobChanges> {
  const { publisherId } = context;
  const failures: ErrorNode[] = [];
  const fail = (resource: RequestResource, code: InnerCode, text: Message, path = '$', top: TopCode = 'badRequest') => {
    failures.push(jobError(top, 'Invalid resource', resourceIdOf(resource), [problemNode(code, problemAt(path, text))]));
  };

  const offers = new Map<string, OfferState>();
  const headers = await catalog.offers(publisherId);
  const byGuid = new Map(headers.filter((header) => servedOfferType(header.offerTypeId)).map((header) => [productGuid(publisherId, header.id), header.id]));
  const load = async (offerId: string): Promise<OfferState | undefined> => {
    const known = offers.get(offerId);
    if (known) return known;
    const found = await catalog.offer(publisherId, offerId);
    if (!found || !servedOfferType(found.header.offerTypeId)) return undefined;
    const state: OfferState = {
      publisherId,
      offerId,
      offerTypeId: found.header.offerTypeId,
      guid: productGuid(publisherId, offerId),
      definition: JSON.parse(found.draft) as Json,
      published: publishedOf([found.preview, found.production].filter((text): text is string => text !== null).map((text) => JSON.parse(text) as Json)),
      live: found.production !== null,
      touched: false,
      techConfigs: new Map(),
    };
    offers.set(offerId, state);
    return state;
  };
  const names = new Map<string, { offerId: string; planId?: string }>();

  /** The product a reference names (durable id, {externalId}, {resourceName}). */
  const productOf = async (resource: RequestResource, reference: unknown): Promise<OfferState | undefined> => {
    let offerId: string | undefined;
    if (typeof reference === 'string') offerId = byGuid.get(reference.replace(/^product\//, '').toLowerCase());
    else if (reference && typeof reference === 'object') {
      const record = reference as Json;
      if (typeof record['externalId'] === 'string') offerId = record['externalId'].toLowerCase();
      else if (typeof record['resourceName'] === 'string') offerId = names.get(record['resourceName'])?.offerId;
    }
    const state = offerId === undefined ? undefined : await load(offerId);
    if (!state) fail(resource, 'resourceNotFound', message('configure.productMissing', { reference: JSON.stringify(reference).slice(0, 200) }), '$.product');
    return state;
  };
  const planOf = (resource: RequestResource, state: OfferState, reference: unknown): string | undefined => {
    let planId: string | undefined;
    if (typeof reference === 'string') {
      const [, guid, planGuidPart] = reference.toLowerCase().split('/');
      if (guid === state.guid) {
        const plans = Array.isArray(state.definition['plans']) ? (state.definition['plans'] as Json[]) : [];
        planId = plans.map((plan) => String(plan?.['planId'])).find((id) => planGuid(publisherId, state.offerId, id) === planGuidPart);
      }
    } else if (reference && typeof reference === 'object') {
      const record = reference as Json;
      if (typeof record['externalId'] === 'string') planId = record['externalId'].toLowerCase();
      else if (typeof record['resourceName'] === 'string') planId = names.get(record['resourceName'])?.planId;
    }
    if (planId === undefined || !findPlan(state.definition, planId)) {
      fail(resource, 'resourceNotFound', message('configure.planMissing', { reference: JSON.stringify(reference).slice(0, 200) }), '$.plan');
      return undefined;
    }
    return planId;
  };

  let submission: JobChanges['submission'];
  const targets = new Map<number, { state: OfferState; planId?: string; n?: number }>();
  const sorted = [...request.resources].sort((a, b) => rank(a.type) - rank(b.type) || a.index - b.index);
  for (const resource of sorted) {
    const { type, body } = resource;
    if (request.profile === 'strict' && resource.olderVersion) {
      fail(resource, 'invalidResource', message('configure.strictSchemaVersion', { type, version: CURRENT_VERSIONS[type] }), '$.$schema');
      continue;
    }
    if (request.profile === 'strict' && resource.echoedId !== undefined) {
      fail(resource, 'invalidResource', message('configure.idServerOwned'), '$.id');
      continue;
    }
    try {
      if (type === 'product') {
        const offerId = String(body['identity']['externalId']).toLowerCase();
        let state = await load(offerId);
        const offerTypeId = OFFER_TYPE_OF[String(body['type'])]!;
        if (!state) {
          if (headers.some((header) => header.id === offerId)) {
            fail(resource, 'invalidResource', message('configure.notVmOffer', { offerId }), '$.identity.externalId');
            continue;
          }
          state = {
            publisherId,
            offerId,
            offerTypeId,
            guid: productGuid(publisherId, offerId),
            definition: newDefinition(String(body['alias'])),
            published: { planIds: new Set(), images: new Map() },
            live: false,
            touched: true,
            techConfigs: new Map(),
          };
          offers.set(offerId, state);
          byGuid.set(state.guid, offerId);
        } else if (state.offerTypeId !== offerTypeId) {
          fail(resource, 'invalidResource', message('configure.productTypeFixed', { type: String(PRODUCT_TYPES[state.offerTypeId]) }), '$.type');
          continue;
        }
        checkEcho(resource, durableIds.product(state.guid));
        applyResource(state.offerTypeId, state.definition, type, body, { published: state.published });
        rememberHost(state.definition, type, undefined, hostOf(body));
        state.touched = true;
        if (typeof body['resourceName'] === 'string') names.set(body['resourceName'], { offerId });
        targets.set(resource.index, { state });
        continue;
      }
      const state = await productOf(resource, body['product']);
      if (!state) continue;
      if (type === 'submission') {
        const targetType = body['target']['targetType'];
        checkEcho(resource, undefined, state.guid);
        targets.set(resource.index, { state });
        if (targetType === 'draft') continue;
        if (targetType === 'live' && body['lifecycleState'] === 'deprecated') {
          // Deprecating a product: a live submission that runs no pipeline (D94).
          if (!state.live) {
            fail(resource, 'invalidState', message('configure.deprecateNeverLive'), '$.lifecycleState');
            continue;
          }
          const lifecycle = ensureProductExtras(state.definition);
          lifecycle.deprecationSchedule = deprecationScheduleOf(
            body['deprecationSchedule'],
            context.now,
            lifecycle.lifecycleState === 'deprecated' ? lifecycle.deprecationSchedule : undefined,
          );
          lifecycle.lifecycleState = 'deprecated';
          state.touched = true;
          continue;
        }
        if (targetType === 'live' && resource.echoedId !== undefined) {
          const version = submissionVersion(resource.echoedId.split('/')[2] ?? '');
          if (version === undefined || version === 0) {
            fail(resource, 'invalidId', message('configure.liveSubmissionId'), '$.id');
            continue;
          }
        }
        const kind = targetType === 'preview' ? 'publish' : 'golive';
        submission = {
          kind,
          publisherId,
          offerId: state.offerId,
          options: { operationId: context.jobId, notificationEmails: null, firstStep: context.firstStep(kind, state.offerId) },
          validate: (offer, definitionJson) => {
            const problems = validateForPublish(offer.offerTypeId, JSON.parse(definitionJson) as Json);
            if (problems.length > 0) throw errors.validationFailed(offer.id, problems);
          },
        };
        continue;
      }
      let planId: string | undefined;
      if (type === 'plan') {
        planId = String(body['identity']['externalId']).toLowerCase();
        if (typeof body['resourceName'] === 'string') names.set(body['resourceName'], { offerId: state.offerId, planId });
      } else if (body['plan'] !== undefined) {
        planId = planOf(resource, state, body['plan']);
        if (planId === undefined) continue;
      }
      const n = applyResource(state.offerTypeId, state.definition, type, body, {
        ...(planId !== undefined ? { planId } : {}),
        ...(resource.echoedId !== undefined ? { echoedId: resource.echoedId } : {}),
        published: state.published,
        now: context.now,
      });
      if (type !== 'plan' || findPlan(state.definition, planId!)) rememberHost(state.definition, type, PER_PLAN.has(type) ? planId : undefined, hostOf(body));
      state.touched = true;
      if (type.endsWith('virtual-machine-plan-technical-configuration') && planId !== undefined) state.techConfigs.set(planId, resource);
      if (type === 'plan' && body['lifecycleState'] !== 'deleted') state.planWriter = resource;
      targets.set(resource.index, { state, ...(planId !== undefined ? { planId } : {}), ...(n !== undefined ? { n } : {}) });
      const expected = expectedId(resource, state, planId, n);
      if (expected) checkEcho(resource, expected);
    } catch (error) {
      if (error instanceof ResourceProblem) fail(resource, error.code, error.text, error.path);
      else throw error;
    }
  }

  // The business rules of technical configurations and plans (reference §3), on what this job wrote.
  for (const state of offers.values()) {
    const plans = Array.isArray(state.definition['plans']) ? (state.definition['plans'] as Json[]) : [];
    if (state.planWriter && plans.length > MAX_PLANS) {
      fail(state.planWriter, 'collectionLimitExceeded', message('rules.planLimit', { max: MAX_PLANS }), '$.identity.externalId');
    }
    if (state.techConfigs.size === 0) continue;
    const view: OfferView = { publisherId, offerId: state.offerId, offerTypeId: state.offerTypeId, definition: state.definition };
    const configs = plans
      .filter((plan) => plan !== null && typeof plan === 'object' && typeof plan['planId'] === 'string')
      .map((plan) => factsOf(String(plan['planId']), techConfigOf(view, plan)));
    for (const breach of technicalConfigurationBreaches(configs, state.published, new Set(state.techConfigs.keys()))) {
      fail(state.techConfigs.get(breach.planId)!, breach.code, breach.text, breach.path);
    }
  }

  // Every touched draft must be one a PUT would store (the CPP rule, written once).
  const drafts: JobChanges['drafts'] = [];
  for (const state of offers.values()) {
    if (!state.touched) continue;
    pruneExtras(state.definition);
    try {
      const build = prepareDraft({ offerTypeId: state.offerTypeId, id: state.offerId, definition: state.definition }, publisherId, state.offerId);
      drafts.push({ publisherId, offerId: state.offerId, build });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const problems = (error.details['problems'] as Problem[] | undefined) ?? [];
      failures.push(
        jobError(
          'badRequest',
          'Invalid resource',
          durableIds.product(state.guid),
          problems.map((problem) => problemNode('businessValidationError', problem)),
        ),
      );
    }
  }
  if (failures.length > 0) throw new JobFailure(failures);

  return {
    drafts,
    ...(submission ? { submission } : {}),
    detail: () =>
      request.resources.map((resource) => {
        const target = targets.get(resource.index);
        if (!target) return resource.body;
        const { state } = target;
        // What the job wrote, as a read would show it: secret values never come back.
        const definition = structuredClone(state.definition);
        extractSecrets(definition, state.offerTypeId);
        const view: OfferView = { publisherId, offerId: state.offerId, offerTypeId: state.offerTypeId, definition };
        const id = resource.type === 'submission' ? undefined : expectedId(resource, state, target.planId, target.n);
        const derived = id ? deriveResources(view, draftSubmission(state.guid)).find((candidate) => candidate['id'] === id) : undefined;
        return derived ?? (resource.type === 'submission' ? resource.body : { $schema: resource.body['$schema'], ...(id ? { id } : {}) });
      }),
  };
}

function resourceIdOf(resource: RequestResource): string {
  if (typeof resource.body['resourceName'] === 'string') return resource.body['resourceName'];
  if (resource.echoedId) return resource.echoedId;
  return `resources[${resource.index}]`;
}

/** An echoed id must name the resource being written (compat ignores one that does). */
function checkEcho(resource: RequestResource, expected: string | undefined, productGuidOfSubmission?: string): void {
  if (resource.echoedId === undefined) return;
  if (productGuidOfSubmission !== undefined) {
    if (!resource.echoedId.startsWith(`submission/${productGuidOfSubmission}/`))
      throw new ResourceProblem('invalidId', message('configure.idOtherSubmission', { id: resource.echoedId }), '$.id');
    return;
  }
  if (expected !== undefined && resource.echoedId !== expected)
    throw new ResourceProblem('invalidId', message('configure.idOtherResource', { id: resource.echoedId, expected }), '$.id');
}

/** The durable id the resource has once written. */
function expectedId(
  resource: RequestResource,
  state: { guid: string; publisherId: string; offerId: string; offerTypeId: string },
  planId: string | undefined,
  n = 1,
): string | undefined {
  const g = state.guid;
  const p = planId === undefined ? undefined : planGuid(state.publisherId, state.offerId, planId);
  switch (resource.type) {
    case 'product':
      return durableIds.product(g);
    case 'plan':
      return p && durableIds.plan(g, p);
    case 'listing':
      return durableIds.listing(g);
    case 'listing-asset':
      return durableIds.listingAsset(g, String(resource.body['type']), n);
    case 'listing-trailer':
      return durableIds.listingTrailer(g, n);
    case 'test-drive':
      return durableIds.testDrive(g);
    case 'plan-listing':
      return p && durableIds.planListing(g, p);
    case 'property':
      return durableIds.property(g);
    case 'price-and-availability-offer':
      return durableIds.priceAndAvailabilityOffer(g);
    case 'price-and-availability-plan':
      return p && durableIds.priceAndAvailabilityPlan(g, p);
    case 'virtual-machine-plan-technical-configuration':
    case 'core-virtual-machine-plan-technical-configuration':
      return p && durableIds.techConfig(resource.type.startsWith('core-'), g, p);
    case 'customer-leads':
      return durableIds.customerLeads(g);
    case 'reseller':
      return durableIds.reseller(g);
    case 'submission':
      return undefined;
  }
}

/** A store's refusal of the job's changes (a publish already running, a draft a publish refuses…) as the job's errors. */
export function jobErrorsOf(error: ApiError, resourceId: string | undefined): ErrorNode[] {
  const problems = (error.details['problems'] as Problem[] | undefined) ?? [];
  const inner: InnerCode =
    error.code === 'OperationInProgress'
      ? 'productLocked'
      : error.code === 'OfferValidationFailed'
        ? 'businessValidationError'
        : error.code === 'OfferTypeChange'
          ? 'invalidResource'
          : 'invalidState';
  const text = typeof error.text === 'string' ? {} : { text: error.text };
  const details: ErrorNode[] =
    problems.length > 0 ? problems.map((problem) => problemNode(inner, problem)) : [{ code: inner, message: error.message, details: [], ...text }];
  if (error.status === 409) return [{ ...jobError('conflict', error.message, resourceId, details), ...text }];
  return [jobError('badRequest', 'Invalid resource', resourceId, details)];
}

// ---------------------------------------------------------------------------------------------
// How a job reads

export function ticksOf(ms: number): string {
  return formatTicks(BigInt(ms) * 10_000n);
}

/** The errors of a submission job whose operation failed: certification findings as cloudpub detects them (§5). */
function operationErrors(operation: OperationRecord, guid: string, language: Language): ErrorNode[] {
  const failed = operation.steps.find((step) => step.status === 'blocked');
  const certification = failed?.stepId === 'displaycertify';
  const findings = messagesIn(failed?.messages ?? [], language).map((message) => message.messageHtml);
  const inner: ErrorNode = certification
    ? {
        code: 'invalidState',
        message: 'Certification',
        details: [
          {
            code: 'invalidState',
            message: 'Issues found during Certification.',
            details: findings.map((message) => ({ code: 'invalidState', message, details: [] })),
          },
        ],
      }
    : {
        code: 'businessValidationError',
        message: errorIn(operation, language) ?? render(message('job.submissionFailed'), language),
        details: findings.map((message) => ({ code: 'businessValidationError', message, details: [] })),
      };
  const submission =
    operation.type === 'publish'
      ? durableIds.submission(guid, String(BigInt(operation.publishingVersion) + (1n << 60n)))
      : durableIds.submission(guid, String(BigInt(operation.publishingVersion) + (1n << 60n)));
  return [jobError('internalServerError', 'Operation failed', submission, [inner])];
}

/**
 * configure-status (E1, E2): exactly the documented keys. A submission's job reads as its
 * operation (`long`), or — `short` — completes once the submission was accepted, its progress then
 * only in the submissions list.
 */
export function renderJobStatus(job: IngestionJobRecord, operation: OperationRecord | null, publishJob: PublishJob = 'long', language: Language = 'en'): Json {
  let status = job.status as string;
  let result = job.result as string;
  let end = job.jobEnd;
  let jobErrors = JSON.parse(job.errorsJson) as ErrorNode[];
  if (job.operationId && operation && publishJob === 'short') {
    status = 'completed';
    result = 'succeeded';
    end = operation.createdTime;
  } else if (job.operationId && operation) {
    if (operation.status === 'running') {
      status = 'running';
      result = 'pending';
      end = null;
    } else {
      status = 'completed';
      result = operation.status === 'completed' ? 'succeeded' : operation.status === 'canceled' ? 'cancelled' : 'failed';
      end = operation.changedTime;
      if (result === 'failed') jobErrors = operationErrors(operation, productGuid(operation.publisherId, operation.offerId), language);
    }
  }
  return {
    $schema: schemaUri('configure-status'),
    jobId: job.id,
    jobStatus: status,
    jobResult: result,
    jobStart: job.jobStart,
    jobEnd: end ?? JOB_END_SENTINEL,
    errors: renderJobErrors(jobErrors, language),
  };
}
