/**
 * Paging of the query endpoints: `$maxpagesize` (or `$top`) items a page, `$skip` to start later,
 * and `@nextLink` on every page but the last. The continuation token is the offset in base64url
 * (`[A-Za-z0-9_-]` only: a client splits the query on `&` and `=` without decoding it).
 */
import { errors } from '../domain/errors.ts';
import { message } from '../domain/messages/index.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

function count(query: Map<string, string>, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= max)) throw errors.invalidQueryParameter(name, message('error.queryRange', { max }));
  return value;
}

export function encodeToken(offset: number): string {
  return Buffer.from(`o${offset}`).toString('base64url');
}

function decodeToken(raw: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const match = /^o(\d{1,9})$/.exec(text);
  if (!match) throw errors.invalidQueryParameter('continuationToken', message('error.queryContinuationToken'));
  return Number(match[1]);
}

/** One page of `items` for the query, with `@nextLink` (made by `link` from the next page's query) when more follow. */
export function pageOf<T>(items: readonly T[], query: Map<string, string>, link: (nextQuery: string) => string): { value: T[]; '@nextLink'?: string } {
  const size = Math.max(1, count(query, '$maxpagesize', count(query, '$top', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), MAX_PAGE_SIZE));
  const token = query.get('continuationtoken');
  const start = token !== undefined ? decodeToken(token) : count(query, '$skip', 0, 10_000_000);
  const value = items.slice(start, start + size);
  if (start + size >= items.length) return { value };
  const kept = [...query].filter(([name]) => ['externalid', 'type', 'product'].includes(name));
  const next = [
    ...kept.map(([name, v]) => `${name === 'externalid' ? 'externalId' : name}=${encodeURIComponent(v)}`),
    `$maxpagesize=${size}`,
    `continuationToken=${encodeToken(start + size)}`,
  ].join('&');
  return { value, '@nextLink': link(next) };
}
