/**
 * Durable ids of the product-ingestion face (D74). A product's GUID is a UUIDv5 of
 * `{publisherId}/{offerId}`, a plan's of `{publisherId}/{offerId}/{planId}`: computed, never
 * stored, so both faces, every instance and every restart agree on them. Submission ids are
 * 2^60 + the CPP version the submission published (kept as strings: they exceed 2^53).
 */
import { createHash } from 'node:crypto';

/** The namespace of every durable GUID this server makes (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1c2a4e9b3d4c8a8e5f0d7b1a2c3e4f', 'hex');

/** RFC 9562 UUID version 5 of `name` in the server's namespace, lowercase. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function productGuid(publisherId: string, offerId: string): string {
  return uuidV5(`${publisherId}/${offerId}`);
}

export function planGuid(publisherId: string, offerId: string, planId: string): string {
  return uuidV5(`${publisherId}/${offerId}/${planId}`);
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 2^60: submission ids are this plus the CPP version they published. */
const SUBMISSION_BASE = 1n << 60n;

export function submissionId(version: number): string {
  return (SUBMISSION_BASE + BigInt(version)).toString();
}

/** The CPP version a submission id stands for; 0 for the draft; undefined when it is none. */
export function submissionVersion(id: string): number | undefined {
  if (id === '0') return 0;
  if (!/^[0-9]{19}$/.test(id)) return undefined;
  const version = BigInt(id) - SUBMISSION_BASE;
  return version >= 1n && version <= 2_147_483_647n ? Number(version) : undefined;
}

/** The resource types this face serves (VM and Core VM offers), as the first segment of their durable ids. */
export const RESOURCE_TYPES = [
  'product',
  'plan',
  'listing',
  'listing-asset',
  'listing-trailer',
  'plan-listing',
  'property',
  'price-and-availability-offer',
  'price-and-availability-plan',
  'virtual-machine-plan-technical-configuration',
  'core-virtual-machine-plan-technical-configuration',
  'customer-leads',
  'test-drive',
  'reseller',
  'submission',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}

export const durableIds = {
  product: (g: string) => `product/${g}`,
  plan: (g: string, p: string) => `plan/${g}/${p}`,
  listing: (g: string) => `listing/${g}/public/main/default/en-us`,
  listingAsset: (g: string, type: string, n: number) => `listing-asset/${g}/public/main/default/en-us/${type.toLowerCase()}/${n}`,
  listingTrailer: (g: string, n: number) => `listing-trailer/${g}/public/main/default/${n}`,
  planListing: (g: string, p: string) => `plan-listing/${g}/public/main/${p}/en-us`,
  property: (g: string) => `property/${g}/public/main`,
  priceAndAvailabilityOffer: (g: string) => `price-and-availability-offer/${g}`,
  priceAndAvailabilityPlan: (g: string, p: string) => `price-and-availability-plan/${g}/${p}`,
  techConfig: (core: boolean, g: string, p: string) => `${core ? 'core-' : ''}virtual-machine-plan-technical-configuration/${g}/${p}`,
  customerLeads: (g: string) => `customer-leads/${g}`,
  testDrive: (g: string) => `test-drive/${g}`,
  reseller: (g: string) => `reseller/${g}`,
  submission: (g: string, id: string) => `submission/${g}/${id}`,
};

/** `{type}/{productGuid}/…`: the type and the product GUID a durable id names, or undefined. */
export function parseDurableId(raw: string): { type: ResourceType; productGuid: string; rest: string[] } | undefined {
  const parts = raw.replace(/^\/+|\/+$/g, '').split('/');
  const [type, guid, ...rest] = parts;
  if (!type || !guid || !isResourceType(type) || !GUID.test(guid.toLowerCase())) return undefined;
  return { type, productGuid: guid.toLowerCase(), rest };
}
