/**
 * The `$schema` URIs of the product-ingestion face and the JSON Schemas of the resources it
 * accepts (reference §3): each resource type closed (`additionalProperties: false`), checked
 * with every problem and its JSON path. Which hosts and versions a write may name, and which
 * echoed read-only fields are dropped before the check, is the profile's (compat or strict, D74).
 */
import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import { toProblems } from '../domain/offer-validation/document.ts';
import type { Problem } from '../domain/offer-validation/problems.ts';
import type { ResourceType } from './ids.ts';

export const SCHEMA_HOSTS = ['schema.mp.microsoft.com', 'product-ingestion.azureedge.net', 'product-ingestion-int.azureedge.net'] as const;
export const CURRENT_HOST = 'schema.mp.microsoft.com';

/** The version each type is written in on reads (and the only one the strict profile accepts on writes). */
export const CURRENT_VERSIONS: Record<ResourceType | 'configure' | 'configure-status' | 'configure-detail' | 'resource-tree', string> = {
  configure: '2022-03-01-preview2',
  'configure-status': '2022-03-01-preview2',
  'configure-detail': '2022-03-01-preview2',
  'resource-tree': '2022-03-01-preview2',
  product: '2022-03-01-preview3',
  plan: '2022-03-01-preview2',
  listing: '2022-03-01-preview5',
  'listing-asset': '2022-03-01-preview5',
  'listing-trailer': '2022-03-01-preview5',
  'plan-listing': '2022-03-01-preview5',
  property: '2022-03-01-preview5',
  'price-and-availability-offer': '2022-03-01-preview3',
  'price-and-availability-plan': '2022-03-01-preview4',
  'virtual-machine-plan-technical-configuration': '2022-03-01-preview6',
  'core-virtual-machine-plan-technical-configuration': '2022-03-01-preview5',
  'customer-leads': '2022-03-01-preview3',
  'test-drive': '2022-03-01-preview2',
  reseller: '2022-03-01-preview2',
  submission: '2022-03-01-preview2',
};

export type SchemaType = keyof typeof CURRENT_VERSIONS;

export function schemaUri(type: SchemaType, host: string = CURRENT_HOST): string {
  return `https://${host}/schema/${type}/${CURRENT_VERSIONS[type]}`;
}

/** What a `$schema` names: its host, type and version; undefined when it is no schema URI of this API. */
export function parseSchemaUri(raw: unknown): { host: string; type: string; version: string } | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = /^https?:\/\/([a-z0-9.-]+)\/schema\/([a-z-]+)\/(\d{4}-\d{2}-\d{2}(?:-preview\d{1,2}|-dev)?)\/?$/i.exec(raw);
  if (!match) return undefined;
  const host = match[1]!.toLowerCase();
  if (!(SCHEMA_HOSTS as readonly string[]).includes(host)) return undefined;
  return { host, type: match[2]!.toLowerCase(), version: match[3]!.toLowerCase() };
}

// ---- building blocks ----
const str = (limits: { min?: number; max?: number; pattern?: string } = {}): SchemaObject => ({
  type: 'string',
  ...(limits.min !== undefined ? { minLength: limits.min } : {}),
  ...(limits.max !== undefined ? { maxLength: limits.max } : {}),
  ...(limits.pattern ? { pattern: limits.pattern } : {}),
});
const bool: SchemaObject = { type: 'boolean' };
const enumOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values, description: `one of ${values.join(', ')}` });
const closed = (properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const arrayOf = (items: SchemaObject, limits: { min?: number; max?: number; unique?: boolean } = {}): SchemaObject => ({
  type: 'array',
  items,
  ...(limits.min !== undefined ? { minItems: limits.min } : {}),
  ...(limits.max !== undefined ? { maxItems: limits.max } : {}),
  ...(limits.unique ? { uniqueItems: true } : {}),
});

const EXTERNAL_ID = '^[a-z0-9][a-z0-9-_]{2,49}$';
const DURABLE_ID = '^[a-z](-?[a-z0-9]+)*/[a-z0-9-]+(/?[a-z0-9-])*$';

/** A reference: a durable-id string, `{externalId}` (product and plan only) or `{resourceName}` (same request). */
const reference = (withExternalId: boolean): SchemaObject => ({
  description: `a durable id such as product/<guid>${withExternalId ? ', {"externalId": "…"}' : ''} or {"resourceName": "…"}`,
  oneOf: [
    str({ pattern: DURABLE_ID, max: 300 }),
    ...(withExternalId ? [closed({ externalId: str({ pattern: EXTERNAL_ID }) }, ['externalId'])] : []),
    closed({ resourceName: str({ pattern: '^[a-zA-Z0-9-_]+$', min: 1, max: 50 }) }, ['resourceName']),
  ],
});
const productRef = reference(true);
const planRef = reference(true);
const listingRef = reference(false);

const deprecationSchedule = closed({
  date: str({ max: 40 }),
  dateOffset: str({ max: 40 }),
  reason: enumOf('criticalSecurityIssue', 'endOfSupport', 'other'),
  alternative: { type: 'object', properties: { product: productRef, plan: planRef }, additionalProperties: false },
});
const base = (type: ResourceType, lifecycles: string[]) => ({
  $schema: str({ max: 200 }),
  id: str({ pattern: DURABLE_ID, max: 300 }),
  resourceName: str({ pattern: '^[a-zA-Z0-9-_]+$', min: 1, max: 50 }),
  validations: { type: 'array' },
  ...(lifecycles.length > 0 ? { lifecycleState: enumOf(...lifecycles) } : {}),
  ...(type === 'submission' || type === 'product' || type === 'plan' ? { deprecationSchedule } : {}),
});
const contact = closed({ name: str({ max: 200 }), email: str({ max: 200 }), phone: str({ max: 50 }), url: str({ pattern: '^https?://', max: 2000 }) }, [
  'name',
]);
const LINUX_TYPES = ['debian', 'centos', 'openSolaris', 'redHat', 'ubuntu', 'suse', 'cblMariner', 'oracleLinux', 'other'];
const audienceItem = closed({ type: enumOf('none', 'subscription', 'ea', 'msdn', 'tenant'), id: str({ min: 1, max: 50 }), label: str({ max: 1000 }) }, [
  'type',
  'id',
]);
const vmImageSource: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['sourceType'],
  properties: {
    sourceType: enumOf('sasUri', 'sharedImageGallery'),
    osDisk: closed({ uri: str({ min: 1, max: 4000 }) }, ['uri']),
    dataDisks: arrayOf(closed({ lunNumber: { type: 'integer', minimum: 0, maximum: 15 }, uri: str({ min: 1, max: 4000 }) }, ['lunNumber', 'uri']), { max: 16 }),
    sharedImage: closed({ tenantId: str({ max: 100 }), resourceId: str({ max: 1000 }) }, ['tenantId', 'resourceId']),
  },
};
const techConfig = (core: boolean): SchemaObject =>
  closed(
    {
      ...base(core ? 'core-virtual-machine-plan-technical-configuration' : 'virtual-machine-plan-technical-configuration', []),
      product: productRef,
      plan: planRef,
      ...(core ? { softwareType: enumOf('operatingSystem', 'solution') } : {}),
      operatingSystem: closed(
        {
          family: enumOf('windows', 'linux'),
          type: str({ pattern: '^[A-Za-z0-9]{1,60}$' }),
          friendlyName: str({ min: 1, max: 100 }),
        },
        ['family', 'type'],
      ),
      recommendedVmSizes: arrayOf(str({ max: 100 }), { max: 6, unique: true }),
      openPorts: arrayOf(
        closed({ label: str({ min: 3, max: 20 }), portRange: str({ pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$' }), protocol: enumOf('tcp', 'udp', 'both') }, [
          'label',
          'portRange',
          'protocol',
        ]),
        { max: 100 },
      ),
      vmProperties: { type: 'object', additionalProperties: bool },
      skus: arrayOf(
        closed(
          {
            imageType: enumOf('x64Gen1', 'x64Gen2', 'arm64Gen1', 'arm64Gen2'),
            skuId: str({ pattern: '^[a-z0-9-_]+$', max: 50 }),
            securityType: arrayOf(enumOf('trusted', 'confidential', 'standard')),
          },
          ['imageType', 'skuId'],
        ),
        { max: 3 },
      ),
      vmImageVersions: arrayOf(
        closed(
          {
            versionNumber: str({ pattern: '^[0-9]{1,9}\\.[0-9]{1,9}\\.[0-9]{1,9}$', max: 32 }),
            lifecycleState: enumOf('generallyAvailable', 'deprecated', 'deleted'),
            deprecationSchedule,
            vmImages: arrayOf(closed({ imageType: enumOf('x64Gen1', 'x64Gen2', 'arm64Gen1', 'arm64Gen2'), source: vmImageSource }, ['imageType', 'source']), {
              min: 1,
              max: 3,
            }),
          },
          ['versionNumber', 'vmImages'],
        ),
        { max: 100 },
      ),
      basePlan: planRef,
      reuseTechnicalConfigurationState: enumOf('enable', 'detach'),
    },
    ['$schema', 'product', 'plan'],
  );

const leadConfig = { type: 'object' };
export const RESOURCE_SCHEMAS: Record<ResourceType, SchemaObject> = {
  product: closed(
    {
      ...base('product', ['generallyAvailable', 'deprecated', 'deleted']),
      identity: closed({ externalId: str({ pattern: EXTERNAL_ID }) }, ['externalId']),
      type: enumOf('azureVirtualMachine', 'coreVirtualMachine'),
      alias: str({ min: 1, max: 120 }),
      productGroup: str({ max: 300 }),
    },
    ['$schema', 'identity', 'type', 'alias'],
  ),
  plan: closed(
    {
      ...base('plan', ['generallyAvailable', 'deprecated', 'deleted']),
      product: productRef,
      identity: closed({ externalId: str({ pattern: '^[a-z0-9-_]{1,50}$' }) }, ['externalId']),
      alias: str({ min: 1, max: 125 }),
      azureRegions: arrayOf(enumOf('azureGlobal', 'azureGovernment', 'azureGermany', 'azureChina'), { unique: true }),
      azureGovernmentCertifications: arrayOf(closed({ name: str({ min: 1, max: 255 }), link: str({ max: 1000 }) }, ['name', 'link']), { max: 100 }),
      displayRank: { type: 'number' },
    },
    ['$schema', 'product', 'identity', 'alias'],
  ),
  listing: closed(
    {
      ...base('listing', ['generallyAvailable', 'deleted']),
      kind: enumOf('azureVM'),
      product: productRef,
      languageId: enumOf('en-us'),
      title: str({ max: 200 }),
      description: str({ max: 10000 }),
      shortDescription: str({ max: 10000 }),
      searchResultSummary: str({ max: 1000 }),
      privacyPolicyLink: str({ max: 2000 }),
      globalSupportWebsite: str({ max: 2000 }),
      governmentSupportWebsite: str({ max: 2000 }),
      cloudSolutionProviderMarketingMaterials: str({ max: 2000 }),
      generalLinks: arrayOf(closed({ displayText: str({ max: 255 }), link: str({ pattern: '^(http|https)://', max: 2000 }) }, ['displayText', 'link']), {
        max: 25,
      }),
      supportContact: contact,
      engineeringContact: contact,
      cloudSolutionProviderContact: contact,
    },
    ['$schema', 'kind', 'product', 'languageId'],
  ),
  'listing-asset': closed(
    {
      ...base('listing-asset', ['generallyAvailable', 'deleted']),
      kind: enumOf('azure'),
      product: productRef,
      listing: listingRef,
      languageId: enumOf('en-us'),
      type: enumOf('azureLogoSmall', 'azureLogoMedium', 'azureLogoLarge', 'azureLogoWide', 'azureLogoScreenshot', 'azureLogoHero', 'pdfDocument'),
      url: str({ pattern: '^https?://', max: 4000 }),
      fileName: str({ max: 300 }),
      friendlyName: str({ max: 300 }),
      description: str({ max: 1000 }),
      displayOrder: { type: 'integer', minimum: 0 },
    },
    ['$schema', 'kind', 'product', 'listing', 'languageId', 'type'],
  ),
  'listing-trailer': closed(
    {
      ...base('listing-trailer', ['generallyAvailable', 'deleted']),
      kind: enumOf('azure'),
      product: productRef,
      listing: listingRef,
      streamingUrl: str({ pattern: '^https?://', max: 4000 }),
      assets: closed(
        {
          'en-us': closed(
            { title: str({ max: 200 }), imageList: arrayOf(closed({ url: str({ pattern: '^https?://', max: 4000 }) }, ['url']), { min: 1, max: 1 }) },
            ['title', 'imageList'],
          ),
        },
        ['en-us'],
      ),
    },
    ['$schema', 'kind', 'product', 'listing'],
  ),
  'plan-listing': closed(
    {
      ...base('plan-listing', ['generallyAvailable', 'deleted']),
      kind: enumOf('azureVM-plan'),
      product: productRef,
      plan: planRef,
      languageId: enumOf('en-us'),
      name: str({ max: 100 }),
      summary: str({ max: 100 }),
      description: str({ max: 2000 }),
    },
    ['$schema', 'kind', 'product', 'plan', 'languageId'],
  ),
  property: closed(
    {
      ...base('property', []),
      kind: enumOf('azureVM'),
      product: productRef,
      categories: { type: 'object', additionalProperties: arrayOf(str({ max: 100 }), { max: 10 }) },
      termsConditions: enumOf('custom', 'standardMicrosoft'),
      termsOfUse: str({ max: 100000 }),
      termsOfUseUrl: str({ max: 2000 }),
      standardContractAmendment: str({ max: 100000 }),
      customAmendments: { type: 'array' },
    },
    ['$schema', 'kind', 'product'],
  ),
  'price-and-availability-offer': closed(
    {
      ...base('price-and-availability-offer', []),
      product: productRef,
      previewAudiences: { anyOf: [arrayOf(audienceItem, { max: 1000 }), { type: 'null' }] },
    },
    ['$schema', 'product'],
  ),
  'price-and-availability-plan': closed(
    {
      ...base('price-and-availability-plan', []),
      product: productRef,
      plan: planRef,
      visibility: enumOf('visible', 'hidden'),
      audience: enumOf('public', 'private'),
      customerMarkets: enumOf('customMarkets', 'allMarkets', 'allTaxRemittedMarkets'),
      markets: arrayOf(str({ pattern: '^[a-z]{2,3}$' }), { unique: true, max: 300 }),
      pricing: {
        type: 'object',
        additionalProperties: false,
        properties: { licenseModel: enumOf('byol', 'payAsYouGo'), corePricing: { type: 'object' }, systemMeterPricing: { type: 'object' } },
      },
      trial: {
        anyOf: [
          closed({ type: enumOf('day', 'week', 'month', 'year'), value: { type: 'integer', minimum: 0, maximum: 12 } }, ['type', 'value']),
          { type: 'null' },
        ],
      },
      softwareReservation: { anyOf: [{ type: 'array' }, { type: 'null' }] },
      privateAudiences: { anyOf: [arrayOf(audienceItem, { max: 1000 }), { type: 'null' }] },
      billingTag: str({ max: 100 }),
    },
    ['$schema', 'product', 'plan'],
  ),
  'virtual-machine-plan-technical-configuration': techConfig(false),
  'core-virtual-machine-plan-technical-configuration': techConfig(true),
  'customer-leads': closed(
    {
      ...base('customer-leads', []),
      product: productRef,
      leadDestination: enumOf('none', 'blob', 'dynamics', 'email', 'httpsEndpoint', 'marketo', 'salesforce', 'table'),
      blobLeadConfiguration: leadConfig,
      dynamicsLeadConfiguration: leadConfig,
      emailLeadConfiguration: leadConfig,
      httpsEndpointLeadConfiguration: leadConfig,
      marketoLeadConfiguration: leadConfig,
      salesforceLeadConfiguration: leadConfig,
      tableLeadConfiguration: leadConfig,
    },
    ['$schema', 'product', 'leadDestination'],
  ),
  'test-drive': {
    ...closed(
      {
        ...base('test-drive', []),
        product: productRef,
        enabled: bool,
        type: enumOf('azureResourceManager', 'dynamicsForBusinessCentral', 'dynamicsForCustomerEngagement', 'dynamicsForOperations', 'logicApp', 'powerBi'),
      },
      ['$schema', 'product', 'enabled'],
    ),
    // The type is given exactly when the test drive is enabled.
    if: { properties: { enabled: { const: true } }, required: ['enabled'] },
    then: { required: ['type'] },
    else: { not: { required: ['type'], description: 'no type while the test drive is disabled' } },
  },
  reseller: closed(
    {
      ...base('reseller', []),
      product: productRef,
      resellerChannelState: enumOf('notSet', 'none', 'some', 'all', 'terminated'),
      audiences: { type: 'array' },
      previewAudiences: { type: 'array' },
    },
    ['$schema', 'product', 'resellerChannelState'],
  ),
  submission: closed(
    {
      ...base('submission', ['generallyAvailable', 'deprecated']),
      product: productRef,
      target: closed({ targetType: enumOf('draft', 'preview', 'live') }, ['targetType']),
      status: enumOf('notStarted', 'running', 'completed'),
      result: enumOf('pending', 'succeeded', 'failed'),
      created: str({ max: 40 }),
    },
    ['$schema', 'product', 'target'],
  ),
};

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const VALIDATORS = new Map<string, ValidateFunction>(Object.entries(RESOURCE_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]));

/** Every problem of a resource of `type`, with JSON paths from the resource. */
export function validateResource(type: ResourceType, resource: unknown): Problem[] {
  const validate = VALIDATORS.get(type)!;
  if (validate(resource)) return [];
  // oneOf failures repeat themselves once per branch: one problem per path and message.
  const seen = new Set<string>();
  return toProblems(validate.errors ?? [], resource).filter((problem) => {
    const key = `${problem.path} ${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { LINUX_TYPES };
