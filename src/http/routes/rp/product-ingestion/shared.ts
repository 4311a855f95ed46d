/**
 * What the product-ingestion routes share: their prefix, the query as clients send it (names in
 * any letter case, values maybe quoted), the route options (no api-version), the `$version` a
 * read is served in (D92), and who may see a job.
 */
import type { FastifyRequest } from 'fastify';
import { errors } from '../../../../domain/errors.ts';
import { roleAllows } from '../../../../domain/roles.ts';
import type { IngestionJobRecord } from '../../../../store/store.ts';
import { INGESTION_PREFIX } from '../../../../product-ingestion/errors.ts';
import { requestedVersion } from '../../../../product-ingestion/versions.ts';

export const PREFIX = INGESTION_PREFIX;
export const TAGS = ['product ingestion'];
export const CONFIG = { noApiVersion: true } as const;

/** The query with lower-case names; a value in double quotes loses them; a repeated name keeps its first value. */
export function queryOf(request: FastifyRequest): Map<string, string> {
  const query = new Map<string, string>();
  for (const [name, raw] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string') continue;
    const key = name.toLowerCase();
    if (!query.has(key)) query.set(key, value.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1'));
  }
  return query;
}

/** The `$version` a read asks for (a maximum: each resource in its newest version not above it), or undefined. */
export function versionOf(request: FastifyRequest): string | undefined {
  return requestedVersion(queryOf(request).get('$version'));
}

/** A job is seen by the principals with a role on its publisher; cancelled by those who may write there. */
export function checkJobAccess(request: FastifyRequest, job: IngestionJobRecord | null, id: string, action: 'read' | 'write'): IngestionJobRecord {
  const role = job ? request.principal.grants.get(job.publisherId) : undefined;
  if (!job || !role) throw errors.jobNotFound(id);
  if (!roleAllows(role, action)) throw errors.forbiddenAction(job.publisherId, role, action);
  return job;
}

/** The absolute URL of this face's `path`, as the request reached it (for `@nextLink`). */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${PREFIX}/${path}`;
}
