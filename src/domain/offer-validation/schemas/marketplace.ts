/**
 * The shared listing namespace `microsoft-azure-marketplace.*` (api-reference §6.1), used in
 * `definition.offer` by every offer type except Core VM, and the test-drive namespace
 * `microsoft-azure-marketplace-testdrive.*` that VM offers add to it.
 *
 * Keys beyond the documented ones (`cspOfferOptIn`, `useEnterpriseContract`) are typed because
 * public clients send them with these types; any other key is accepted untyped.
 */
import type { SchemaObject } from 'ajv';
import { array, boolean, categoryMap, guidArray, leadConfigurations, links, namespaced, object, string, stringArray } from './common.ts';

export const MARKETPLACE = 'microsoft-azure-marketplace';
export const TEST_DRIVE = 'microsoft-azure-marketplace-testdrive';

/** Listing keys (without the namespace prefix) whose values are URLs, checked for form at publish. */
export const LISTING_URL_KEYS = [
  'smallLogo',
  'mediumLogo',
  'largeLogo',
  'wideLogo',
  'heroLogo',
  'privacyURL',
  'publicAzureSupportUrl',
  'fairfaxSupportUrl',
] as const;

export const listingProperties: Record<string, SchemaObject> = namespaced(MARKETPLACE, {
  title: string,
  summary: string,
  longSummary: string,
  description: string,
  offerMarketingUrlIdentifier: string,
  cspOfferOptIn: boolean,
  useEnterpriseContract: boolean,
  allowedSubscriptions: guidArray,
  usefulLinks: links,
  categoryMap,
  categories: stringArray,
  ...Object.fromEntries(LISTING_URL_KEYS.map((key) => [key, string])),
  screenshots: array,
  videos: array,
  leadDestination: string,
  ...leadConfigurations,
  termsOfUse: string,
  engineeringContactName: string,
  engineeringContactEmail: string,
  engineeringContactPhone: string,
  supportContactName: string,
  supportContactEmail: string,
  supportContactPhone: string,
});

export const testDriveProperties: Record<string, SchemaObject> = namespaced(TEST_DRIVE, {
  enabled: boolean,
  videos: array,
});

/** `definition.offer` for offer types that use only the shared listing. */
export const listingOffer: SchemaObject = { ...object, properties: listingProperties };
