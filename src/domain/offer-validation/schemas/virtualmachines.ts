/**
 * The `microsoft-azure-virtualmachines` offer type (api-reference §6.1–§6.3): the shared
 * listing plus test drive in `definition.offer`, and VM plans.
 *
 * `virtualMachinePricing` and `regions` are plan keys without a namespace prefix, exactly as in
 * the seed document. `osType`, `operatingSystem`, `supportsAcceleratedNetworking`,
 * `requiresCustomARMTemplateForDeployment`, `virtualMachinePricingV2` and the offer-level
 * manager contact keys come from public clients, not the documentation.
 */
import type { SchemaObject } from 'ajv';
import { array, boolean, namespaced, object, planSchema, regions, string, stringArray, vmImages } from './common.ts';
import { listingProperties, testDriveProperties } from './marketplace.ts';

export const VIRTUAL_MACHINES = 'microsoft-azure-virtualmachines';

export const OPERATING_SYSTEM_FAMILIES = ['Windows', 'Linux'] as const;

const number: SchemaObject = { type: 'number' };

/** §6.3: BYOL flag, free trial, and one of three ways to price (per core, per size, spreadsheet). */
const pricing: SchemaObject = {
  type: 'object',
  properties: {
    isByol: boolean,
    freeTrialDurationInMonths: {
      type: 'integer',
      minimum: 0,
      maximum: 12,
      description: 'a whole number of months from 0 (no free trial) to 12',
    },
    coreMultiplier: {
      type: 'object',
      properties: {
        currency: string,
        single: number,
        individually: { type: 'object', additionalProperties: number },
      },
    },
    regionPrices: object,
    spreadSheetPricing: { type: 'object', properties: { uri: string } },
  },
};

const offer: SchemaObject = {
  ...object,
  properties: {
    ...listingProperties,
    ...testDriveProperties,
    ...namespaced(VIRTUAL_MACHINES, {
      gtmMaterials: string,
      managerContactName: string,
      managerContactEmail: string,
      managerContactPhone: string,
    }),
  },
};

const plan: SchemaObject = planSchema({
  ...namespaced(VIRTUAL_MACHINES, {
    skuTitle: string,
    skuSummary: string,
    skuDescription: string,
    hideSKUForSolutionTemplate: boolean,
    cloudAvailability: stringArray,
    certificationsFairfax: array,
    supportsAcceleratedNetworking: boolean,
    requiresCustomARMTemplateForDeployment: boolean,
    operatingSystemFamily: {
      type: 'string',
      enum: [...OPERATING_SYSTEM_FAMILIES],
      description: `one of ${OPERATING_SYSTEM_FAMILIES.join(', ')}`,
    },
    windowsOSType: string,
    osType: string,
    operationSystem: string,
    operatingSystem: string,
    recommendedVMSizes: stringArray,
    openPorts: array,
    vmImages,
  }),
  virtualMachinePricing: pricing,
  virtualMachinePricingV2: pricing,
  regions,
});

export const virtualMachinesDefinition = { offer, plan };
