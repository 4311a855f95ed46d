/**
 * Building blocks shared by the offer-type schemas.
 *
 * The schemas are plain JSON Schema objects compiled once by ajv. They check structure and
 * types only: a PUT stores work in progress, so nothing beyond the envelope and plan ids is
 * required, and completeness is left to the publish check. Unknown keys are allowed everywhere
 * (no `additionalProperties: false`): typed clients send subsets and supersets of the schema,
 * and the hosted service's documents carry keys no documentation lists.
 *
 * `description` is more than documentation here: the validator quotes it to tell a publisher
 * what a rejected value should look like, so it is written as the completion of
 * "expected …".
 */
import type { SchemaObject } from 'ajv';

export const string: SchemaObject = { type: 'string' };
export const boolean: SchemaObject = { type: 'boolean' };
export const object: SchemaObject = { type: 'object' };
/** An array whose elements' shape the documentation never shows (videos, openPorts, …). */
export const array: SchemaObject = { type: 'array' };
export const stringArray: SchemaObject = { type: 'array', items: string };

export const GUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const guidArray: SchemaObject = {
  type: 'array',
  items: {
    type: 'string',
    pattern: GUID_PATTERN,
    description: 'an Azure subscription id, a GUID such as 59160c40-2e25-4dcf-a2fd-6514cb08bf08',
  },
};

/** Marketplace plan (SKU) ids, like offer ids: lowercase letters, digits, '-' and '_', at most 50. */
export const PLAN_ID_PATTERN = '^[a-z0-9_-]{1,50}$';
export const planId: SchemaObject = {
  type: 'string',
  pattern: PLAN_ID_PATTERN,
  description: "a plan id of 1 to 50 lowercase letters, digits, '-' and '_', such as contososkuidentifier",
};

/**
 * Image versions are keys of the images object: three dot-separated numbers. Leading zeros are
 * accepted because public clients use dates as versions (`2019.07.15`).
 */
export const IMAGE_VERSION_PATTERN = '^[0-9]{1,9}\\.[0-9]{1,9}\\.[0-9]{1,9}$';

/** One image version: the VHD and its metadata (the last five keys come from public clients). */
export const vmImage: SchemaObject = {
  type: 'object',
  properties: {
    osVhdUrl: string,
    lunVhdDetails: array,
    label: string,
    mediaName: string,
    publishedDate: string,
    description: string,
    showInGui: boolean,
  },
};

/** The images of a plan, keyed by image version. */
export const vmImages: SchemaObject = {
  type: 'object',
  propertyNames: {
    pattern: IMAGE_VERSION_PATTERN,
    description: 'an image version of three dot-separated numbers (major.minor.patch), such as 1.0.1',
  },
  additionalProperties: vmImage,
};

/**
 * Country codes in `regions`: two upper-case letters. Whether the code exists is a publish
 * check (with the full ISO list), so a draft is not rejected for a code that is merely unknown.
 */
export const regions: SchemaObject = {
  type: 'array',
  items: {
    type: 'string',
    pattern: '^[A-Z]{2}$',
    description: 'a two-letter upper-case ISO 3166-1 country code, such as US',
  },
};

/** A `{linkTitle, linkUrl}` list. URLs are checked for form at publish, since a draft may hold "". */
export const links: SchemaObject = {
  type: 'array',
  items: { type: 'object', properties: { linkTitle: string, linkUrl: string } },
};

/** `[{categoryL1: "analytics", "categoryL2-analytics": ["…"]}]` */
export const categoryMap: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    properties: { categoryL1: string },
    patternProperties: { '^categoryL2-': stringArray },
  },
};

/** Prefixes every key of `properties` with a schema namespace (`title` → `microsoft-azure-marketplace.title`). */
export function namespaced(namespace: string, properties: Record<string, SchemaObject>): Record<string, SchemaObject> {
  return Object.fromEntries(Object.entries(properties).map(([key, schema]) => [`${namespace}.${key}`, schema]));
}

/** A plan that only has to carry a valid id; used by offer types with no plan schema of their own. */
export function planSchema(properties: Record<string, SchemaObject> = {}): SchemaObject {
  return { type: 'object', required: ['planId'], properties: { planId, ...properties } };
}

/** The six lead-destination configuration objects; their contents are mostly secrets (see secret-fields.ts). */
export const LEAD_CONFIGURATIONS = [
  'tableLeadConfiguration',
  'blobLeadConfiguration',
  'salesForceLeadConfiguration',
  'crmLeadConfiguration',
  'httpsEndpointLeadConfiguration',
  'marketoLeadConfiguration',
] as const;

export const leadConfigurations: Record<string, SchemaObject> = Object.fromEntries(LEAD_CONFIGURATIONS.map((key) => [key, object]));
