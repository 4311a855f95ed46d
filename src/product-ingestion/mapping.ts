/**
 * One catalog, two faces: the product-ingestion resources of a VM or Core VM offer, derived from
 * the CPP offer document (`derive…`), and a resource's changes written back into that document
 * (`apply…`). Nothing of a resource is stored apart from the offer: what the CPP document has no
 * key for (SKU image types, VM properties, reseller state, an image's extra images) is kept in
 * the same draft under `definition.productIngestion`, so it is versioned, published and read with
 * the offer (D74). Reference §7 is the mapping table.
 */
import { CORE_VM } from '../domain/offer-validation/schemas/corevm.ts';
import { VIRTUAL_MACHINES } from '../domain/offer-validation/schemas/virtualmachines.ts';
import { MARKETPLACE, TEST_DRIVE } from '../domain/offer-validation/schemas/marketplace.ts';
import { type Message, type MessageId, message, render } from '../domain/messages/index.ts';
import { durableIds, planGuid, productGuid } from './ids.ts';
import { CURRENT_HOST, schemaUri, type SchemaType } from './schemas.ts';

export type Json = Record<string, any>;

/** The offer types this face serves, and the product `type` each is. */
export const PRODUCT_TYPES: Record<string, 'azureVirtualMachine' | 'coreVirtualMachine'> = {
  [VIRTUAL_MACHINES]: 'azureVirtualMachine',
  [CORE_VM]: 'coreVirtualMachine',
};
export const OFFER_TYPE_OF: Record<string, string> = { azureVirtualMachine: VIRTUAL_MACHINES, coreVirtualMachine: CORE_VM };

export function servedOfferType(offerTypeId: string): boolean {
  return offerTypeId in PRODUCT_TYPES;
}

/** Where each offer type keeps what a resource maps to. */
interface Keys {
  core: boolean;
  /** Prefix of the offer-level listing keys. */
  listing: string;
  /** Prefix of the plan keys. */
  plan: string;
  images: string;
  friendlyName: string;
}
function keysOf(offerTypeId: string): Keys {
  return offerTypeId === CORE_VM
    ? { core: true, listing: `${CORE_VM}.`, plan: `${CORE_VM}.`, images: `${CORE_VM}.vmImagesPublicAzure`, friendlyName: `${CORE_VM}.osFriendlyName` }
    : {
        core: false,
        listing: `${MARKETPLACE}.`,
        plan: `${VIRTUAL_MACHINES}.`,
        images: `${VIRTUAL_MACHINES}.vmImages`,
        friendlyName: `${VIRTUAL_MACHINES}.operationSystem`,
      };
}

/** The offer as the mapping needs it. */
export interface OfferView {
  publisherId: string;
  offerId: string;
  offerTypeId: string;
  definition: Json;
}

/** The part of the draft only this face has words for. */
export interface Extras {
  /** The product's lifecycle: `deprecated` (with its schedule) after a deprecating live submission (D94). */
  product?: { lifecycleState?: string; deprecationSchedule?: Json };
  /** The listing's PDF documents (listing-asset `pdfDocument`): the CPP listing has no key for them. */
  documents?: Json[];
  /** The test drive's type while it is enabled (the CPP face keeps only `enabled`). */
  testDrive?: { type?: string };
  reseller?: Json;
  propertyExtras?: Json;
  plans?: Record<string, PlanExtras>;
  /** The schema host each resource was last written with, when not the current one (`type` or `type/planId`). */
  hosts?: Record<string, string>;
}
interface PlanExtras {
  lifecycleState?: string;
  deprecationSchedule?: Json;
  displayRank?: number;
  audience?: string;
  privateAudiences?: unknown;
  customerMarkets?: string;
  vmProperties?: Record<string, boolean>;
  skus?: Json[];
  softwareType?: string;
  /** Per image version: its lifecycle state and the images beyond the first. */
  versions?: Record<string, { lifecycleState?: string; moreImages?: Json[]; imageType?: string }>;
}
export const EXTRAS_KEY = 'productIngestion';

const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function extrasOf(definition: Json): Extras {
  return isRecord(definition[EXTRAS_KEY]) ? (definition[EXTRAS_KEY] as Extras) : {};
}
function planExtras(definition: Json, planId: string): PlanExtras {
  return extrasOf(definition).plans?.[planId] ?? {};
}
function plansOf(definition: Json): Json[] {
  return Array.isArray(definition['plans']) ? definition['plans'].filter(isRecord) : [];
}

const CLOUDS: Array<[string, string]> = [
  ['PublicAzure', 'azureGlobal'],
  ['Fairfax', 'azureGovernment'],
  ['AzureGovernment', 'azureGovernment'],
  ['Blackforest', 'azureGermany'],
  ['Mooncake', 'azureChina'],
];
const LOGOS: Array<[string, string]> = [
  ['smallLogo', 'azureLogoSmall'],
  ['mediumLogo', 'azureLogoMedium'],
  ['largeLogo', 'azureLogoLarge'],
  ['wideLogo', 'azureLogoWide'],
  ['heroLogo', 'azureLogoHero'],
];
/** The most of each listing media a listing holds (Partner Center's listing page, D91). */
export const MEDIA_LIMITS = { azureLogoScreenshot: 5, pdfDocument: 3, trailer: 4 } as const;

const LEADS: Array<[string, string, string]> = [
  // PI destination, CPP leadDestination value, CPP configuration key
  ['none', 'None', ''],
  ['blob', 'AzureBlob', 'blobLeadConfiguration'],
  ['table', 'AzureTable', 'tableLeadConfiguration'],
  ['dynamics', 'Dynamics', 'crmLeadConfiguration'],
  ['httpsEndpoint', 'HttpsEndpoint', 'httpsEndpointLeadConfiguration'],
  ['marketo', 'Marketo', 'marketoLeadConfiguration'],
  ['salesforce', 'SalesForce', 'salesForceLeadConfiguration'],
  ['email', 'Email', 'emailLeadConfiguration'],
];

/**
 * A resource's `$schema` on reads: its type's current version, on the host it was last written
 * with (clients find resources by the host prefix they wrote them with); the current host for
 * what the CPP face wrote.
 */
function schemaFor(definition: Json, type: SchemaType, planId?: string): string {
  const host = extrasOf(definition).hosts?.[planId === undefined ? type : `${type}/${planId}`];
  return schemaUri(type, host);
}

/** Remembers the host a resource was written with (only when it is not the current one). */
export function rememberHost(definition: Json, type: string, planId: string | undefined, host: string): void {
  const key = planId === undefined ? type : `${type}/${planId}`;
  const extras = ensureExtras(definition);
  if (host === CURRENT_HOST) {
    if (extras.hosts) delete extras.hosts[key];
    return;
  }
  (extras.hosts ??= {})[key] = host;
}

// ---------------------------------------------------------------------------------------------
// Reads: the resources of one version of an offer

export function productResource(view: OfferView): Json {
  const g = productGuid(view.publisherId, view.offerId);
  return {
    $schema: schemaFor(view.definition, 'product'),
    id: durableIds.product(g),
    identity: { externalId: view.offerId },
    type: PRODUCT_TYPES[view.offerTypeId],
    alias: typeof view.definition['displayText'] === 'string' ? view.definition['displayText'] : '',
    lifecycleState: extrasOf(view.definition).product?.lifecycleState ?? 'generallyAvailable',
    ...optional({ deprecationSchedule: extrasOf(view.definition).product?.deprecationSchedule }),
  };
}

export function planResource(view: OfferView, plan: Json): Json {
  const g = productGuid(view.publisherId, view.offerId);
  const planId = String(plan['planId']);
  const keys = keysOf(view.offerTypeId);
  const extras = planExtras(view.definition, planId);
  const clouds = Array.isArray(plan[`${keys.plan}cloudAvailability`]) ? (plan[`${keys.plan}cloudAvailability`] as unknown[]) : ['PublicAzure'];
  const regions = [...new Set(clouds.map((cloud) => CLOUDS.find(([cpp]) => cpp === cloud)?.[1]).filter((region): region is string => !!region))];
  const certifications = Array.isArray(plan[`${keys.plan}certificationsFairfax`]) ? (plan[`${keys.plan}certificationsFairfax`] as unknown[]) : [];
  return {
    $schema: schemaFor(view.definition, 'plan', planId),
    id: durableIds.plan(g, planGuid(view.publisherId, view.offerId, planId)),
    product: durableIds.product(g),
    identity: { externalId: planId },
    alias: text(plan[`${keys.plan}skuTitle`]) ?? planId,
    azureRegions: regions.length > 0 ? regions : ['azureGlobal'],
    azureGovernmentCertifications: certifications.filter(isRecord).map((item) => ({ name: String(item['name'] ?? ''), link: String(item['link'] ?? '') })),
    displayRank: extras.displayRank ?? 2147483647,
    lifecycleState: extras.lifecycleState ?? 'generallyAvailable',
    ...optional({ deprecationSchedule: extras.deprecationSchedule }),
  };
}

/** Every resource of one version of the offer, in the order a tree lists them; `submission` last. */
export function deriveResources(view: OfferView, submission: Json): Json[] {
  const { definition } = view;
  const g = productGuid(view.publisherId, view.offerId);
  const product = durableIds.product(g);
  const keys = keysOf(view.offerTypeId);
  const offer = isRecord(definition['offer']) ? definition['offer'] : {};
  const at = (key: string) => offer[`${keys.listing}${key}`];
  const extras = extrasOf(definition);
  const resources: Json[] = [productResource(view)];

  // customer-leads
  const leadValue = text(at('leadDestination')) ?? 'None';
  const lead = LEADS.find(([, cpp]) => cpp.toLowerCase() === leadValue.toLowerCase()) ?? LEADS[0]!;
  const leads: Json = { $schema: schemaFor(definition, 'customer-leads'), id: durableIds.customerLeads(g), product, leadDestination: lead[0] };
  if (lead[2] && isRecord(at(lead[2]))) leads[`${lead[0]}LeadConfiguration`] = at(lead[2]);
  resources.push(leads);
  if (!keys.core) {
    const enabled = offer[`${TEST_DRIVE}.enabled`] === true;
    resources.push({
      $schema: schemaFor(definition, 'test-drive'),
      id: durableIds.testDrive(g),
      product,
      enabled,
      ...(enabled ? { type: extras.testDrive?.type ?? 'azureResourceManager' } : {}),
    });
  }

  // listing and its assets
  const listingId = durableIds.listing(g);
  const contact = (prefix: string) =>
    text(at(`${prefix}ContactName`)) === undefined
      ? undefined
      : { name: at(`${prefix}ContactName`), ...optional({ email: text(at(`${prefix}ContactEmail`)), phone: text(at(`${prefix}ContactPhone`)) }) };
  const links = Array.isArray(at('usefulLinks')) ? (at('usefulLinks') as unknown[]).filter(isRecord) : [];
  resources.push({
    $schema: schemaFor(definition, 'listing'),
    id: listingId,
    product,
    kind: 'azureVM',
    languageId: 'en-us',
    ...optional({
      title: typeof at('title') === 'string' ? at('title') : undefined,
      description: typeof at('description') === 'string' ? at('description') : undefined,
      shortDescription: typeof at('longSummary') === 'string' ? at('longSummary') : undefined,
      searchResultSummary: typeof at('summary') === 'string' ? at('summary') : undefined,
      privacyPolicyLink: text(at('privacyURL')),
      globalSupportWebsite: text(at('publicAzureSupportUrl')),
      governmentSupportWebsite: text(at('fairfaxSupportUrl')),
      supportContact: contact('supportContact'),
      engineeringContact: contact('engineeringContact'),
    }),
    generalLinks: links.map((link) => ({ displayText: String(link['linkTitle'] ?? ''), link: String(link['linkUrl'] ?? '') })),
    lifecycleState: 'generallyAvailable',
  });
  if (!keys.core) {
    for (const [cppKey, type] of LOGOS) {
      const url = text(at(cppKey));
      if (!url) continue;
      resources.push({
        $schema: schemaFor(definition, 'listing-asset'),
        id: durableIds.listingAsset(g, type, 1),
        product,
        listing: listingId,
        kind: 'azure',
        languageId: 'en-us',
        type,
        url,
        fileName: `${type}.png`,
        displayOrder: 0,
        lifecycleState: 'generallyAvailable',
      });
    }
    const asset = (type: string, n: number, item: Json): Json => ({
      $schema: schemaFor(definition, 'listing-asset'),
      id: durableIds.listingAsset(g, type, n),
      product,
      listing: listingId,
      kind: 'azure',
      languageId: 'en-us',
      type,
      url: String(item['url'] ?? ''),
      ...optional({ fileName: text(item['fileName']), friendlyName: text(item['friendlyName']), description: text(item['description']) }),
      displayOrder: typeof item['displayOrder'] === 'number' ? item['displayOrder'] : n - 1,
      lifecycleState: 'generallyAvailable',
    });
    mediaOf(at('screenshots')).forEach((item, index) => resources.push(asset('azureLogoScreenshot', index + 1, item)));
    (extras.documents ?? []).forEach((item, index) => resources.push(asset('pdfDocument', index + 1, item)));
    mediaOf(at('videos')).forEach((item, index) =>
      resources.push({
        $schema: schemaFor(definition, 'listing-trailer'),
        id: durableIds.listingTrailer(g, index + 1),
        product,
        listing: listingId,
        kind: 'azure',
        streamingUrl: String(item['streamingUrl'] ?? item['url'] ?? ''),
        assets: { 'en-us': { title: String(item['title'] ?? ''), imageList: [{ url: String(item['thumbnailUrl'] ?? '') }] } },
        lifecycleState: 'generallyAvailable',
      }),
    );
  }

  // property and price-and-availability-offer
  const categoryMap = Array.isArray(at('categoryMap')) ? (at('categoryMap') as unknown[]).filter(isRecord) : [];
  const categories: Record<string, string[]> = {};
  for (const entry of categoryMap) {
    const l1 = text(entry['categoryL1']);
    if (!l1) continue;
    const l2 = entry[`categoryL2-${l1}`];
    categories[l1] = Array.isArray(l2) ? l2.filter((item): item is string => typeof item === 'string') : [];
  }
  resources.push({
    $schema: schemaFor(definition, 'property'),
    id: durableIds.property(g),
    product,
    kind: 'azureVM',
    categories,
    termsConditions: extras.propertyExtras?.['termsConditions'] ?? 'custom',
    ...optional({ termsOfUse: typeof at('termsOfUse') === 'string' ? at('termsOfUse') : undefined }),
  });
  const subscriptions = Array.isArray(at('allowedSubscriptions')) ? (at('allowedSubscriptions') as unknown[]) : [];
  resources.push({
    $schema: schemaFor(definition, 'price-and-availability-offer'),
    id: durableIds.priceAndAvailabilityOffer(g),
    product,
    previewAudiences: subscriptions.filter((id): id is string => typeof id === 'string').map((id) => ({ type: 'subscription', id, label: '' })),
  });
  resources.push({
    $schema: schemaFor(definition, 'reseller'),
    id: durableIds.reseller(g),
    product,
    resellerChannelState: 'notSet',
    audiences: [],
    ...(extras.reseller ?? {}),
  });

  // per plan
  for (const plan of plansOf(definition)) {
    const planId = String(plan['planId']);
    const planResourceJson = planResource(view, plan);
    const planRef = planResourceJson['id'] as string;
    const p = planGuid(view.publisherId, view.offerId, planId);
    const extra = planExtras(definition, planId);
    const pk = (key: string) => plan[`${keys.plan}${key}`];
    resources.push(planResourceJson);
    resources.push({
      $schema: schemaFor(definition, 'plan-listing', planId),
      id: durableIds.planListing(g, p),
      product,
      plan: planRef,
      kind: 'azureVM-plan',
      languageId: 'en-us',
      name: typeof pk('skuTitle') === 'string' ? pk('skuTitle') : '',
      summary: typeof pk('skuSummary') === 'string' ? pk('skuSummary') : '',
      description: typeof pk('skuDescription') === 'string' ? pk('skuDescription') : '',
      lifecycleState: 'generallyAvailable',
    });
    const pricing = isRecord(plan['virtualMachinePricing']) ? plan['virtualMachinePricing'] : {};
    const months = typeof pricing['freeTrialDurationInMonths'] === 'number' ? pricing['freeTrialDurationInMonths'] : 0;
    const regions = Array.isArray(plan['regions']) ? (plan['regions'] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
    resources.push({
      $schema: schemaFor(definition, 'price-and-availability-plan', planId),
      id: durableIds.priceAndAvailabilityPlan(g, p),
      product,
      plan: planRef,
      visibility: pk('hideSKUForSolutionTemplate') === true ? 'hidden' : 'visible',
      audience: extra.audience ?? 'public',
      privateAudiences: extra.privateAudiences ?? [],
      customerMarkets: extra.customerMarkets ?? 'customMarkets',
      markets: regions.map((region) => region.toLowerCase()),
      pricing: { licenseModel: pricing['isByol'] === false ? 'payAsYouGo' : 'byol' },
      trial: months > 0 ? { type: 'month', value: months } : null,
    });
    resources.push(techConfigResource(view, plan, planRef));
  }
  resources.push(submission);
  return resources;
}

/** The technical configuration of one plan of the offer, as a read shows it. */
export function techConfigOf(view: OfferView, plan: Json): Json {
  return techConfigResource(
    view,
    plan,
    durableIds.plan(productGuid(view.publisherId, view.offerId), planGuid(view.publisherId, view.offerId, String(plan['planId']))),
  );
}

function techConfigResource(view: OfferView, plan: Json, planRef: string): Json {
  const keys = keysOf(view.offerTypeId);
  const g = productGuid(view.publisherId, view.offerId);
  const planId = String(plan['planId']);
  const extra = planExtras(view.definition, planId);
  const pk = (key: string) => plan[`${keys.plan}${key}`];
  const family = pk('operatingSystemFamily') === 'Windows' ? 'windows' : 'linux';
  const rawType = text(pk(family === 'windows' ? 'windowsOSType' : 'linuxOSType')) ?? text(pk('osType')) ?? 'other';
  const skus = extra.skus ?? [{ imageType: 'x64Gen1', skuId: planId }];
  const primaryType = String(skus[0]?.['imageType'] ?? 'x64Gen1');
  const images = isRecord(plan[keys.images]) ? plan[keys.images] : {};
  const ports = Array.isArray(pk('openPorts')) ? (pk('openPorts') as unknown[]).filter(isRecord) : [];
  return {
    $schema: schemaFor(
      view.definition,
      keys.core ? 'core-virtual-machine-plan-technical-configuration' : 'virtual-machine-plan-technical-configuration',
      planId,
    ),
    id: durableIds.techConfig(keys.core, g, planGuid(view.publisherId, view.offerId, planId)),
    product: durableIds.product(g),
    plan: planRef,
    ...(keys.core ? { softwareType: extra.softwareType ?? 'operatingSystem' } : {}),
    operatingSystem: {
      family,
      type: rawType.charAt(0).toLowerCase() + rawType.slice(1),
      friendlyName: text(plan[keys.friendlyName]) ?? planId,
    },
    recommendedVmSizes: Array.isArray(pk('recommendedVMSizes')) ? pk('recommendedVMSizes') : [],
    openPorts: ports.map((port) => ({
      label: String(port['label'] ?? port['name'] ?? ''),
      portRange: String(port['portRange'] ?? port['port'] ?? ''),
      protocol: String(port['protocol'] ?? 'tcp').toLowerCase(),
    })),
    vmProperties: extra.vmProperties ?? {
      supportsExtensions: true,
      supportsBackup: false,
      supportsAcceleratedNetworking: pk('supportsAcceleratedNetworking') === true,
      isNetworkVirtualAppliance: false,
      supportsNVMe: false,
      supportsCloudInit: false,
      supportsAadLogin: false,
      supportsHibernation: false,
      supportsRemoteConnection: true,
      requiresCustomArmTemplate: pk('requiresCustomARMTemplateForDeployment') === true,
    },
    skus,
    vmImageVersions: Object.entries(images as Record<string, unknown>)
      .filter((entry): entry is [string, Json] => isRecord(entry[1]))
      .map(([version, image]) => {
        const versionExtras = extra.versions?.[version] ?? {};
        const disks = Array.isArray(image['lunVhdDetails']) ? (image['lunVhdDetails'] as unknown[]).filter(isRecord) : [];
        return {
          versionNumber: version,
          lifecycleState: versionExtras.lifecycleState ?? (image['showInGui'] === false ? 'deprecated' : 'generallyAvailable'),
          vmImages: [
            {
              imageType: versionExtras.imageType ?? primaryType,
              source: {
                sourceType: 'sasUri',
                osDisk: { uri: String(image['osVhdUrl'] ?? '') },
                dataDisks: disks.map((disk) => ({ lunNumber: Number(disk['lun'] ?? 0), uri: String(disk['lunVhdUrl'] ?? disk['uri'] ?? '') })),
              },
            },
            ...(versionExtras.moreImages ?? []),
          ],
        };
      }),
  };
}

/**
 * The elements of a CPP listing media array (screenshots, videos): objects as this face writes
 * them (D91); a bare URL string, as a CPP client may have put, reads as `{url}`.
 */
function mediaOf(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Json[] => (isRecord(item) ? [item] : typeof item === 'string' ? [{ url: item }] : []));
}

function optional(values: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Writes: a resource's changes applied to a draft definition

/** A problem with one resource of a configure request, for the job's `errors[]`. */
export class ResourceProblem extends Error {
  constructor(
    readonly code:
      'businessValidationError' | 'collectionLimitExceeded' | 'invalidResource' | 'invalidState' | 'resourceNotFound' | 'notSupported' | 'invalidId',
    /** The catalogue form of the message (D99): the job stores it and renders it for each reader. */
    readonly text: Message,
    readonly path = '$',
  ) {
    super(render(text));
  }
}

/** The versions an offer has published (Preview, Production): their plans and images are locked. */
export interface Published {
  planIds: Set<string>;
  /** `planId/version` → osVhdUrl of every published image. */
  images: Map<string, string>;
}

export function publishedOf(definitions: readonly Json[]): Published {
  const published: Published = { planIds: new Set(), images: new Map() };
  for (const definition of definitions) {
    for (const plan of plansOf(definition)) {
      published.planIds.add(String(plan['planId']));
      for (const key of [`${VIRTUAL_MACHINES}.vmImages`, `${CORE_VM}.vmImagesPublicAzure`]) {
        const images = isRecord(plan[key]) ? plan[key] : {};
        for (const [version, image] of Object.entries(images)) {
          if (isRecord(image)) published.images.set(`${plan['planId']}/${version}`, String(image['osVhdUrl'] ?? ''));
        }
      }
    }
  }
  return published;
}

function ensureExtras(definition: Json): Extras {
  if (!isRecord(definition[EXTRAS_KEY])) definition[EXTRAS_KEY] = {};
  return definition[EXTRAS_KEY] as Extras;
}
export function ensureProductExtras(definition: Json): NonNullable<Extras['product']> {
  const extras = ensureExtras(definition);
  return (extras.product ??= {});
}
function ensurePlanExtras(definition: Json, planId: string): PlanExtras {
  const extras = ensureExtras(definition);
  extras.plans ??= {};
  return (extras.plans[planId] ??= {});
}
function ensureOffer(definition: Json): Json {
  if (!isRecord(definition['offer'])) definition['offer'] = {};
  return definition['offer'] as Json;
}

/** A new offer's definition, as the product resource creates it. */
export function newDefinition(alias: string): Json {
  return { displayText: alias, offer: {}, plans: [] };
}

export function findPlan(definition: Json, planId: string): Json | undefined {
  return plansOf(definition).find((plan) => plan['planId'] === planId);
}

/** What applying a resource needs besides the resource. */
export interface ApplyContext {
  planId?: string;
  published: Published;
  /** The durable id the request echoed (compat drops it from the body): which listing asset or trailer it names. */
  echoedId?: string;
  /** The job's time (ms), for a deprecation schedule's date. */
  now?: number;
}

/**
 * Applies one resource (references already resolved to this offer, and `planId` for plan-level
 * resources) to the definition, in place. Absent properties keep their stored value (merge at
 * top-level property granularity, D74). Returns the number in the durable id of the listing
 * asset or trailer it wrote (they are numbered by their place in the listing).
 */
export function applyResource(offerTypeId: string, definition: Json, type: string, resource: Json, context: ApplyContext): number | undefined {
  const keys = keysOf(offerTypeId);
  const has = (key: string) => resource[key] !== undefined;
  const offer = ensureOffer(definition);
  const setListing = (key: string, value: unknown) => {
    offer[`${keys.listing}${key}`] = value;
  };
  const plan = () => {
    const found = context.planId === undefined ? undefined : findPlan(definition, context.planId);
    if (!found) throw new ResourceProblem('resourceNotFound', message('mapping.planNotInDraft', { planId: String(context.planId) }), '$.plan');
    return found;
  };
  const setPlan = (key: string, value: unknown) => {
    plan()[`${keys.plan}${key}`] = value;
  };

  switch (type) {
    case 'product': {
      if (has('alias')) definition['displayText'] = resource['alias'];
      if (has('lifecycleState')) {
        const current = extrasOf(definition).product?.lifecycleState ?? 'generallyAvailable';
        const wanted = resource['lifecycleState'];
        if (wanted === 'deleted') throw new ResourceProblem('notSupported', message('mapping.productNotDeletable'), '$.lifecycleState');
        if (wanted === 'deprecated' && current !== 'deprecated') {
          throw new ResourceProblem('invalidState', message('mapping.productDeprecatedBySubmission'), '$.lifecycleState');
        }
        // generallyAvailable on a deprecated product withdraws the deprecation (D94); the same state is an echo.
        if (wanted === 'generallyAvailable' && current === 'deprecated') delete ensureExtras(definition).product;
      }
      return undefined;
    }
    case 'plan': {
      const planId = context.planId!;
      let entry = findPlan(definition, planId);
      if (resource['lifecycleState'] === 'deleted') {
        if (context.published.planIds.has(planId)) {
          throw new ResourceProblem('invalidState', message('mapping.planLocked', { planId }), '$.lifecycleState');
        }
        definition['plans'] = plansOf(definition).filter((candidate) => candidate['planId'] !== planId);
        const extras = ensureExtras(definition);
        if (extras.plans) delete extras.plans[planId];
        for (const key of Object.keys(extras.hosts ?? {})) if (key.endsWith(`/${planId}`)) delete extras.hosts![key];
        return undefined;
      }
      if (!entry) {
        entry = { planId };
        definition['plans'] = [...plansOf(definition), entry];
      }
      if (has('alias')) entry[`${keys.plan}skuTitle`] = resource['alias'];
      if (has('azureRegions')) {
        entry[`${keys.plan}cloudAvailability`] = (resource['azureRegions'] as string[]).map(
          (region) => CLOUDS.find(([cpp, pi]) => pi === region && cpp !== 'AzureGovernment')?.[0] ?? 'PublicAzure',
        );
      }
      if (has('azureGovernmentCertifications')) entry[`${keys.plan}certificationsFairfax`] = resource['azureGovernmentCertifications'];
      const extras = ensurePlanExtras(definition, planId);
      if (has('displayRank')) extras.displayRank = resource['displayRank'];
      if (has('lifecycleState')) {
        if (resource['lifecycleState'] === 'deprecated' && !context.published.planIds.has(planId)) {
          throw new ResourceProblem('invalidState', message('mapping.planNeverPublished', { planId }), '$.lifecycleState');
        }
        extras.lifecycleState = resource['lifecycleState'];
        if (resource['lifecycleState'] === 'deprecated') {
          extras.deprecationSchedule = deprecationScheduleOf(resource['deprecationSchedule'], context.now ?? Date.now(), extras.deprecationSchedule);
        } else delete extras.deprecationSchedule;
      }
      return undefined;
    }
    case 'listing': {
      const copy: Array<[string, string]> = [
        ['title', 'title'],
        ['description', 'description'],
        ['shortDescription', 'longSummary'],
        ['searchResultSummary', 'summary'],
        ['privacyPolicyLink', 'privacyURL'],
        ['globalSupportWebsite', 'publicAzureSupportUrl'],
        ['governmentSupportWebsite', 'fairfaxSupportUrl'],
      ];
      for (const [pi, cpp] of copy) if (has(pi)) setListing(cpp, resource[pi]);
      if (has('generalLinks'))
        setListing(
          'usefulLinks',
          (resource['generalLinks'] as Json[]).map((link) => ({ linkTitle: link['displayText'], linkUrl: link['link'] })),
        );
      for (const prefix of ['supportContact', 'engineeringContact']) {
        if (!has(prefix)) continue;
        const value = resource[prefix] as Json;
        setListing(`${prefix}Name`, value['name']);
        setListing(`${prefix}Email`, value['email'] ?? '');
        setListing(`${prefix}Phone`, value['phone'] ?? '');
      }
      return undefined;
    }
    case 'listing-asset': {
      const assetType = String(resource['type']);
      if (keys.core) throw new ResourceProblem('notSupported', message('mapping.assetTypeCoreVm', { type: String(assetType) }), '$.type');
      const logo = LOGOS.find(([, pi]) => pi === assetType);
      if (logo) {
        if (resource['lifecycleState'] === 'deleted') setListing(logo[0], '');
        else if (has('url')) setListing(logo[0], resource['url']);
        return 1;
      }
      if (assetType === 'azureLogoScreenshot') {
        const list = mediaOf(offer[`${keys.listing}screenshots`]);
        const n = applyMedia(list, resource, context.echoedId, ['fileName', 'url'], MEDIA_LIMITS.azureLogoScreenshot, 'screenshots');
        setListing('screenshots', list);
        return n;
      }
      if (assetType === 'pdfDocument') {
        const extras = ensureExtras(definition);
        const list = extras.documents ?? [];
        const n = applyMedia(list, resource, context.echoedId, ['fileName', 'url'], MEDIA_LIMITS.pdfDocument, 'PDF documents');
        const name = text(list[n - 1]?.['fileName']) ?? text(list[n - 1]?.['url'])?.split('?')[0];
        if (resource['lifecycleState'] !== 'deleted' && name !== undefined && !/\.pdf$/i.test(name)) {
          throw new ResourceProblem('businessValidationError', message('mapping.documentNotPdf', { name: name.slice(0, 200) }), '$.fileName');
        }
        extras.documents = list;
        return n;
      }
      throw new ResourceProblem('notSupported', message('mapping.assetTypeUnsupported', { type: String(assetType) }), '$.type');
    }
    case 'listing-trailer': {
      if (keys.core) throw new ResourceProblem('notSupported', message('mapping.trailersCoreVm'), '$');
      const list = mediaOf(offer[`${keys.listing}videos`]);
      const fields: Json = { ...resource };
      const thumbnail = resource['assets']?.['en-us'];
      if (thumbnail) {
        fields['title'] = thumbnail['title'];
        fields['thumbnailUrl'] = thumbnail['imageList'][0]['url'];
      }
      delete fields['assets'];
      const n = applyMedia(list, fields, context.echoedId, ['streamingUrl'], MEDIA_LIMITS.trailer, 'trailers');
      const written = list[n - 1];
      if (resource['lifecycleState'] !== 'deleted' && (!text(written?.['title']) || !text(written?.['thumbnailUrl']))) {
        throw new ResourceProblem('businessValidationError', message('mapping.trailerThumbnail'), '$.assets');
      }
      setListing('videos', list);
      return n;
    }
    case 'test-drive': {
      if (keys.core) throw new ResourceProblem('notSupported', message('mapping.testDriveCoreVm'), '$');
      offer[`${TEST_DRIVE}.enabled`] = resource['enabled'] === true;
      if (resource['enabled'] === true) ensureExtras(definition).testDrive = { type: resource['type'] };
      else delete ensureExtras(definition).testDrive;
      return undefined;
    }
    case 'plan-listing': {
      if (has('name')) setPlan('skuTitle', resource['name']);
      if (has('summary')) setPlan('skuSummary', resource['summary']);
      if (has('description')) setPlan('skuDescription', resource['description']);
      return undefined;
    }
    case 'property': {
      if (has('categories')) {
        setListing(
          'categoryMap',
          Object.entries(resource['categories'] as Record<string, string[]>).map(([l1, l2]) => ({ categoryL1: l1, [`categoryL2-${l1}`]: l2 })),
        );
      }
      if (has('termsOfUse')) setListing('termsOfUse', resource['termsOfUse']);
      if (has('termsConditions')) ensureExtras(definition).propertyExtras = { termsConditions: resource['termsConditions'] };
      return undefined;
    }
    case 'price-and-availability-offer': {
      const audiences = (resource['previewAudiences'] ?? []) as Json[];
      const other = audiences.find((audience) => audience['type'] !== 'subscription');
      if (other) throw new ResourceProblem('notSupported', message('mapping.previewAudienceType', { type: String(other['type']) }), '$.previewAudiences');
      setListing(
        'allowedSubscriptions',
        audiences.map((audience) => String(audience['id']).toLowerCase()),
      );
      return undefined;
    }
    case 'price-and-availability-plan': {
      const entry = plan();
      const extras = ensurePlanExtras(definition, context.planId!);
      if (has('visibility')) setPlan('hideSKUForSolutionTemplate', resource['visibility'] === 'hidden');
      if (has('audience')) extras.audience = resource['audience'];
      if (has('privateAudiences')) extras.privateAudiences = resource['privateAudiences'];
      if (has('customerMarkets')) extras.customerMarkets = resource['customerMarkets'];
      if (has('markets')) entry['regions'] = (resource['markets'] as string[]).map((market) => market.toUpperCase());
      const pricing: Json = isRecord(entry['virtualMachinePricing']) ? entry['virtualMachinePricing'] : {};
      if (has('pricing') && isRecord(resource['pricing']) && resource['pricing']['licenseModel'] !== undefined) {
        pricing['isByol'] = resource['pricing']['licenseModel'] === 'byol';
      }
      if (has('trial')) {
        const trial = resource['trial'] as Json | null;
        if (trial !== null && trial['type'] !== 'month') {
          throw new ResourceProblem('notSupported', message('mapping.freeTrialMonths', { type: String(trial['type']) }), '$.trial.type');
        }
        pricing['freeTrialDurationInMonths'] = trial === null ? 0 : trial['value'];
      }
      entry['virtualMachinePricing'] = pricing;
      return undefined;
    }
    case 'virtual-machine-plan-technical-configuration':
    case 'core-virtual-machine-plan-technical-configuration': {
      applyTechConfig(keys, definition, plan(), context.planId!, resource, context.published);
      return undefined;
    }
    case 'customer-leads': {
      const lead = LEADS.find(([pi]) => pi === resource['leadDestination'])!;
      setListing('leadDestination', lead[1]);
      const configuration = resource[`${lead[0]}LeadConfiguration`];
      if (lead[2] && isRecord(configuration)) {
        // The mask of a secret posted back means "unchanged": leaving it out keeps the stored value.
        const kept = Object.fromEntries(
          Object.entries(configuration).filter(([, value]) => value !== SECRET_MASK && !(typeof value === 'string' && /^\*+$/.test(value))),
        );
        setListing(lead[2], kept);
      }
      return undefined;
    }
    case 'reseller': {
      ensureExtras(definition).reseller = optional({
        resellerChannelState: resource['resellerChannelState'],
        audiences: resource['audiences'] ?? resource['previewAudiences'],
      });
      return undefined;
    }
  }
}

/**
 * A deprecation schedule as stored: the date (server-owned) from `dateOffset` after `now`, or now;
 * the stored one when the same schedule is given again.
 */
export function deprecationScheduleOf(given: unknown, now: number, stored?: Json): Json {
  const schedule: Json = isRecord(given) ? { ...given } : {};
  delete schedule['date'];
  if (!isRecord(given) && stored) return stored;
  // A client re-posting what it read (the date dropped as read-only) keeps the schedule it has: the date does not move.
  if (stored) {
    const { date: _date, ...kept } = stored;
    if (JSON.stringify(kept) === JSON.stringify(schedule)) return stored;
  }
  let date = now;
  if (schedule['dateOffset'] !== undefined) {
    const offset = durationMs(String(schedule['dateOffset']));
    if (offset === undefined) {
      throw new ResourceProblem(
        'businessValidationError',
        message('mapping.durationInvalid', { value: String(schedule['dateOffset']).slice(0, 40) }),
        '$.deprecationSchedule.dateOffset',
      );
    }
    date += offset;
  }
  return { date: new Date(date).toISOString(), ...schedule };
}

/** An ISO 8601 duration (years and months counted as 365 and 30 days), in ms; undefined when it is none. */
function durationMs(raw: string): number | undefined {
  const match = /^P(?:(\d{1,4})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,8})S)?)?$/.exec(raw);
  if (!match || raw === 'P' || raw.endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, se] = match.map((part) => Number(part ?? 0));
  const day = 86_400_000;
  return y! * 365 * day + mo! * 30 * day + w! * 7 * day + d! * day + h! * 3_600_000 + mi! * 60_000 + se! * 1000;
}

/** The listing media lists, and their messages (each its own sentence: the words decline differently per language). */
type MediaKind = 'screenshots' | 'PDF documents' | 'trailers';
const MEDIA_MESSAGES: Record<MediaKind, { noneToDelete: MessageId; limit: MessageId }> = {
  screenshots: { noneToDelete: 'mapping.noScreenshotToDelete', limit: 'mapping.screenshotLimit' },
  'PDF documents': { noneToDelete: 'mapping.noDocumentToDelete', limit: 'mapping.documentLimit' },
  trailers: { noneToDelete: 'mapping.noTrailerToDelete', limit: 'mapping.trailerLimit' },
};

/**
 * Writes a listing media item (screenshot, PDF, trailer) into its list, in place: the one the
 * echoed id numbers, else the one with the same value of the first `matchBy` key the resource
 * gives (idempotent re-posts without ids, §3), else a new one at the end. `deleted` removes it.
 * Returns the item's number (its place, from 1).
 */
function applyMedia(list: Json[], resource: Json, echoedId: string | undefined, matchBy: string[], limit: number, what: MediaKind): number {
  const numbered = echoedId === undefined ? undefined : Number(/\/(\d{1,4})$/.exec(echoedId)?.[1]);
  let index = numbered !== undefined && numbered >= 1 && numbered <= list.length ? numbered - 1 : -1;
  if (index < 0) {
    const key = matchBy.find((candidate) => text(resource[candidate]) !== undefined);
    if (key !== undefined) index = list.findIndex((item) => item[key] === resource[key]);
  }
  if (resource['lifecycleState'] === 'deleted') {
    if (index < 0) throw new ResourceProblem('resourceNotFound', message(MEDIA_MESSAGES[what].noneToDelete), '$');
    list.splice(index, 1);
    return index + 1;
  }
  const fields = optional(
    Object.fromEntries(
      ['url', 'fileName', 'friendlyName', 'description', 'displayOrder', 'streamingUrl', 'title', 'thumbnailUrl'].map((key) => [key, resource[key]]),
    ),
  );
  if (index >= 0) {
    list[index] = { ...list[index], ...fields };
    return index + 1;
  }
  if (list.length >= limit) {
    throw new ResourceProblem('collectionLimitExceeded', message(MEDIA_MESSAGES[what].limit, { limit }), '$');
  }
  if (!text(fields['url']) && !text(fields['streamingUrl'])) {
    throw new ResourceProblem(
      'businessValidationError',
      message('mapping.itemNeedsUrl', { field: matchBy.includes('streamingUrl') ? 'streamingUrl' : 'url' }),
      '$',
    );
  }
  list.push(fields);
  return list.length;
}

function applyTechConfig(keys: Keys, definition: Json, plan: Json, planId: string, resource: Json, published: Published): void {
  const has = (key: string) => resource[key] !== undefined;
  const extras = ensurePlanExtras(definition, planId);
  const set = (key: string, value: unknown) => {
    plan[`${keys.plan}${key}`] = value;
  };
  if (has('operatingSystem')) {
    const os = resource['operatingSystem'] as Json;
    const family = os['family'] === 'windows' ? 'Windows' : 'Linux';
    set('operatingSystemFamily', family);
    const type = String(os['type']);
    set(family === 'Windows' ? 'windowsOSType' : keys.core ? 'osType' : 'linuxOSType', type.charAt(0).toUpperCase() + type.slice(1));
    if (os['friendlyName'] !== undefined) plan[keys.friendlyName] = os['friendlyName'];
  }
  if (has('recommendedVmSizes')) set('recommendedVMSizes', resource['recommendedVmSizes']);
  if (has('openPorts')) set('openPorts', resource['openPorts']);
  if (has('vmProperties')) extras.vmProperties = resource['vmProperties'];
  if (has('softwareType')) extras.softwareType = resource['softwareType'];
  const skus = (has('skus') ? resource['skus'] : (extras.skus ?? [{ imageType: 'x64Gen1', skuId: planId }])) as Json[];
  if (has('skus')) {
    if (skus.length === 0) throw new ResourceProblem('businessValidationError', message('mapping.skuRequired'), '$.skus');
    if (!skus.some((sku) => sku['skuId'] === planId)) {
      throw new ResourceProblem('businessValidationError', message('mapping.skuMatchesPlan', { planId }), '$.skus');
    }
    const seen = new Set<string>();
    skus.forEach((sku, index) => {
      const key = `${sku['imageType']}/${sku['skuId']}`;
      if (seen.has(key)) throw new ResourceProblem('businessValidationError', message('mapping.skuTwice', { sku: key }), `$.skus[${index}]`);
      seen.add(key);
    });
    extras.skus = skus;
  }
  if (!has('vmImageVersions')) return;
  const imageTypes = new Set(skus.map((sku) => String(sku['imageType'])));
  const current: Json = isRecord(plan[keys.images]) ? plan[keys.images] : {};
  const next: Json = {};
  const versionExtras: NonNullable<PlanExtras['versions']> = {};
  (resource['vmImageVersions'] as Json[]).forEach((version, index) => {
    const number = String(version['versionNumber']);
    const at = `$.vmImageVersions[${index}]`;
    const publishedUrl = published.images.get(`${planId}/${number}`);
    if (version['lifecycleState'] === 'deleted') {
      if (publishedUrl !== undefined) {
        throw new ResourceProblem('invalidState', message('mapping.imageLockedDelete', { version: number }), `${at}.lifecycleState`);
      }
      return;
    }
    if (next[number] !== undefined)
      throw new ResourceProblem('businessValidationError', message('mapping.imageTwice', { version: number }), `${at}.versionNumber`);
    const images = (version['vmImages'] as Json[]).filter(isRecord);
    images.forEach((image, imageIndex) => {
      if (!imageTypes.has(String(image['imageType']))) {
        throw new ResourceProblem(
          'businessValidationError',
          message('mapping.imageTypeNoSku', { imageType: String(image['imageType']) }),
          `${at}.vmImages[${imageIndex}].imageType`,
        );
      }
    });
    const primary = images[0]!;
    const source = isRecord(primary['source']) ? primary['source'] : {};
    const osUri = isRecord(source['osDisk']) ? text(source['osDisk']['uri']) : undefined;
    const stored = isRecord(current[number]) ? current[number] : undefined;
    let entry: Json;
    if (publishedUrl !== undefined) {
      // Published images are immutable; a degraded echo (no osDisk) of one means "unchanged".
      if (osUri !== undefined && osUri !== publishedUrl) {
        throw new ResourceProblem('invalidState', message('mapping.imageLockedChange', { version: number }), `${at}.vmImages[0].source`);
      }
      entry = { ...(stored ?? {}), osVhdUrl: publishedUrl };
    } else {
      if (source['sourceType'] === 'sharedImageGallery') {
        throw new ResourceProblem('notSupported', message('mapping.galleryUnsupported'), `${at}.vmImages[0].source.sourceType`);
      }
      if (osUri === undefined)
        throw new ResourceProblem('businessValidationError', message('mapping.imageNoOsDisk', { version: number }), `${at}.vmImages[0].source.osDisk`);
      const disks = Array.isArray(source['dataDisks']) ? (source['dataDisks'] as unknown[]).filter(isRecord) : [];
      entry = { ...(stored ?? {}), osVhdUrl: osUri, lunVhdDetails: disks.map((disk) => ({ lun: disk['lunNumber'], lunVhdUrl: disk['uri'] })) };
    }
    const state = String(version['lifecycleState'] ?? 'generallyAvailable');
    if (state === 'deprecated') entry['showInGui'] = false;
    else delete entry['showInGui'];
    next[number] = entry;
    versionExtras[number] = optional({
      lifecycleState: state === 'generallyAvailable' ? undefined : state,
      imageType: primary['imageType'] === skus[0]?.['imageType'] ? undefined : primary['imageType'],
      moreImages: images.length > 1 ? images.slice(1) : undefined,
    });
  });
  // Published versions the request left out stay: they cannot be removed.
  for (const [number, image] of Object.entries(current)) {
    if (next[number] === undefined && published.images.has(`${planId}/${number}`)) next[number] = image;
  }
  plan[keys.images] = next;
  extras.versions = Object.fromEntries(Object.entries({ ...(extras.versions ?? {}), ...versionExtras }).filter(([number]) => next[number] !== undefined));
}

/** Drops what the extras hold of nothing (empty objects), and the extras themselves when empty: a CPP reader sees no noise. */
export function pruneExtras(definition: Json): void {
  const prune = (value: unknown): boolean => {
    if (!isRecord(value)) return value === undefined;
    for (const key of Object.keys(value)) if (prune(value[key])) delete value[key];
    return Object.keys(value).length === 0;
  };
  if (isRecord(definition[EXTRAS_KEY]) && prune(definition[EXTRAS_KEY])) delete definition[EXTRAS_KEY];
}

/** The mask a secret value reads as (and means "unchanged" when posted back). */
export const SECRET_MASK = '*********';

/**
 * A configure request as it may be kept where secrets must not be (the sandbox's journal): every
 * value of a lead configuration masked, in place.
 */
export function maskConfigureRequest(request: Json): void {
  if (!Array.isArray(request['resources'])) return;
  for (const resource of request['resources'] as unknown[]) {
    if (!isRecord(resource)) continue;
    for (const [key, configuration] of Object.entries(resource)) {
      if (!key.endsWith('LeadConfiguration') || !isRecord(configuration)) continue;
      for (const field of Object.keys(configuration)) configuration[field] = SECRET_MASK;
    }
  }
}
