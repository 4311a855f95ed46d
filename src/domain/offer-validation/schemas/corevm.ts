/**
 * The `microsoft-azure-corevm` offer type (api-reference §3.5). Undocumented: the keys are
 * those public clients read and write (and the documents they were tested against).
 *
 * Unlike the other types, Core VM keeps everything in its own namespace, and most listing keys
 * (logos, links, privacy URL) are per plan, not per offer. Generation-2 variants of a plan are
 * `diskGenerations[]`, each with its own `planId` and images.
 */
import type { SchemaObject } from 'ajv';
import {
  array,
  boolean,
  categoryMap,
  guidArray,
  leadConfigurations,
  links,
  namespaced,
  object,
  planSchema,
  regions,
  string,
  stringArray,
  vmImages,
} from './common.ts';
import { OPERATING_SYSTEM_FAMILIES } from './virtualmachines.ts';

export const CORE_VM = 'microsoft-azure-corevm';

/** The hosted service returns `null` for the per-cloud descriptions it has no value for. */
const nullableString: SchemaObject = { type: ['string', 'null'] };

/** Plan keys (without the namespace prefix) whose values are URLs, checked for form at publish. */
export const CORE_VM_PLAN_URL_KEYS = ['smallLogo', 'mediumLogo', 'largeLogo', 'wideLogo', 'privacyURL', 'termsOfUseURL', 'pricingDetailsUrl'] as const;

const offer: SchemaObject = {
  ...object,
  properties: namespaced(CORE_VM, {
    title: string,
    summary: string,
    description: string,
    legacyOfferId: string,
    legacyPublisherId: string,
    allowedSubscriptions: guidArray,
    leadDestination: string,
    leadNotificationEmails: string,
    ...leadConfigurations,
  }),
};

const BOOLEAN_PLAN_KEYS = [
  'hideSKUForSolutionTemplate',
  'hardened',
  'imageVisibility',
  'freeTierEligible',
  'isPremiumThirdParty',
  'supportsAADLogin',
  'supportsBackup',
  'supportsClientHub',
  'supportsCloudInit',
  'supportsHub',
  'supportsHubOnOffSwitch',
  'supportsSriov',
  'supportsExtensions',
  'supportsHibernation',
  'supportsNVMe',
  'isNetworkVirtualAppliance',
  'isLockedDown',
  'isCustomArmTemplateRequired',
  'allowOnlyManagedDiskDeployments',
  'migratedOffer',
];

const planProperties: Record<string, SchemaObject> = {
  ...namespaced(CORE_VM, {
    skuTitle: string,
    skuSummary: string,
    skuLongSummary: string,
    skuDescription: string,
    skuDescriptionPublicAzure: nullableString,
    skuDescriptionFairfax: nullableString,
    skuDescriptionMooncake: nullableString,
    skuDescriptionBlackforest: nullableString,
    ...Object.fromEntries(BOOLEAN_PLAN_KEYS.map((key) => [key, boolean])),
    cloudAvailability: stringArray,
    deploymentModels: stringArray,
    certificationsFairfax: array,
    imageType: string,
    generation: string,
    operatingSystemFamily: {
      type: 'string',
      enum: [...OPERATING_SYSTEM_FAMILIES],
      description: `one of ${OPERATING_SYSTEM_FAMILIES.join(', ')}`,
    },
    osType: string,
    osFriendlyName: string,
    recommendedVMSizes: stringArray,
    openPorts: array,
    supportedExtensions: array,
    patchOptions: object,
    defaultImageSizeGB: string,
    vmImagesArchitecture: string,
    vmImagesPublicAzure: vmImages,
    usefulLinksPublicAzure: links,
    usefulLinksFairfax: links,
    usefulLinksMooncake: links,
    usefulLinksBlackforest: links,
    categories: stringArray,
    categoryMap,
    ...Object.fromEntries(CORE_VM_PLAN_URL_KEYS.map((key) => [key, string])),
    screenshots: array,
    videos: array,
    leadGenerationId: string,
  }),
  regions,
};

const plan: SchemaObject = planSchema({
  ...planProperties,
  diskGenerations: { type: 'array', items: planSchema(planProperties) },
});

export const coreVmDefinition = { offer, plan };
