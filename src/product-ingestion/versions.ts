/**
 * `$version` on reads (reference §4.5, D92): a maximum. Each resource comes back in the newest
 * schema version of its type that is not above the one asked for — its `$schema` names that
 * version (on the host it already reads on), and the fields the reference says a later version
 * added are left out. Without `$version`, every type reads in its current version.
 */
import { errors } from '../domain/errors.ts';
import { message } from '../domain/messages/index.ts';
import type { Json } from './mapping.ts';
import { CURRENT_VERSIONS, parseSchemaUri, type SchemaType } from './schemas.ts';

const p = (n: number) => `2022-03-01-preview${n}`;

/** The versions of each type this server can serve, oldest first; the last is the current one. */
export const KNOWN_VERSIONS: Record<SchemaType, readonly string[]> = {
  configure: [p(2)],
  'configure-status': [p(2)],
  'configure-detail': [p(2)],
  'resource-tree': [p(2)],
  product: [p(2), p(3)],
  plan: [p(2)],
  listing: [p(2), p(3), p(5)],
  'listing-asset': [p(2), p(3), p(5)],
  'listing-trailer': [p(2), p(3), p(5)],
  'plan-listing': [p(2), p(3), p(5)],
  property: [p(2), p(3), p(5)],
  'price-and-availability-offer': [p(2), p(3)],
  'price-and-availability-plan': [p(2), p(4)],
  'virtual-machine-plan-technical-configuration': [p(2), p(3), p(5), p(6)],
  'core-virtual-machine-plan-technical-configuration': [p(5)],
  'customer-leads': [p(2), p(3)],
  'test-drive': [p(2)],
  reseller: [p(2)],
  submission: [p(2)],
};

const VERSION = /^(\d{4}-\d{2}-\d{2})(?:-(preview)(\d{1,2})|-(dev))?$/;

/** A `$version` value as clients send it, or undefined when it is none. */
export function isSchemaVersion(raw: string): boolean {
  return VERSION.test(raw);
}

/**
 * Orders two versions: by date first; on one date a `-dev` below every preview, previews by
 * number, the plain date above them all (inferred, §4.5).
 */
export function compareVersions(a: string, b: string): number {
  const rank = (version: string): [string, number] => {
    const match = VERSION.exec(version)!;
    if (match[4]) return [match[1]!, -1];
    if (match[2]) return [match[1]!, Number(match[3])];
    return [match[1]!, Number.MAX_SAFE_INTEGER];
  };
  const [dateA, stageA] = rank(a);
  const [dateB, stageB] = rank(b);
  return dateA < dateB ? -1 : dateA > dateB ? 1 : stageA - stageB;
}

/** The `$version` of a read's query: undefined when absent, 400 when it is no version. */
export function requestedVersion(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const version = raw.toLowerCase();
  if (!isSchemaVersion(version))
    throw errors.invalidQueryParameter('$version', message('error.querySchemaVersion', { value: raw.slice(0, 40), example: p(2) }));
  return version;
}

/** The version a type is served in under a maximum: the newest known not above it (the oldest known when all are). */
export function servedVersion(type: SchemaType, max: string | undefined): string {
  if (max === undefined) return CURRENT_VERSIONS[type];
  const known = KNOWN_VERSIONS[type];
  const fitting = known.filter((version) => compareVersions(version, max) <= 0);
  return fitting.at(-1) ?? known[0]!;
}

/** What a later version added, as the reference states it (§3), for the versions before it. */
const ADDED_LATER: Partial<Record<SchemaType, Array<{ since: string; drop: (resource: Json) => void }>>> = {
  'virtual-machine-plan-technical-configuration': [
    {
      since: p(3),
      drop: (resource) => {
        for (const sku of Array.isArray(resource['skus']) ? (resource['skus'] as Json[]) : []) delete sku['securityType'];
        const properties = resource['vmProperties'];
        if (properties && typeof properties === 'object') {
          delete properties['supportsSriov'];
          delete properties['networkVirtualAppliance'];
        }
      },
    },
  ],
  'customer-leads': [
    {
      since: p(3),
      drop: (resource) => {
        const marketo = resource['marketoLeadConfiguration'];
        if (marketo && typeof marketo === 'object') {
          delete marketo['clientId'];
          delete marketo['clientSecret'];
        }
      },
    },
  ],
};

/** One resource in the shape `max` asks for (a copy); unchanged without a maximum or for what is no resource. */
export function inVersion(resource: Json, max: string | undefined): Json {
  if (max === undefined) return resource;
  const named = parseSchemaUri(resource['$schema']);
  if (!named || !(named.type in KNOWN_VERSIONS)) return resource;
  const type = named.type as SchemaType;
  const version = servedVersion(type, max);
  const shaped = structuredClone(resource);
  shaped['$schema'] = String(resource['$schema']).replace(/\/[^/]+\/?$/, `/${version}`);
  for (const change of ADDED_LATER[type] ?? []) if (compareVersions(version, change.since) < 0) change.drop(shaped);
  return shaped;
}

export function allInVersion(resources: readonly Json[], max: string | undefined): Json[] {
  return resources.map((resource) => inVersion(resource, max));
}
