/** Value formats shared by the publish and certification checks, and small readers of untyped JSON. */
export { isGuid } from '../ids.ts';

/**
 * A well-formed absolute http or https URL with a host. `new URL` alone also accepts
 * `mailto:` and `javascript:`, and silently trims surrounding spaces, so both are ruled out.
 */
export function isHttpUrl(value: string): boolean {
  if (value !== value.trim() || /\s/.test(value)) return false;
  const url = parseUrl(value);
  return url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * An email address as a publisher would type it: local part, '@', and a domain with a dot.
 * Deliberately simpler than RFC 5322, which allows forms no mail system delivers to.
 */
export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value);
}

export type JsonRecord = Record<string, unknown>;

export function asRecord(value: unknown): JsonRecord | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** The value as a string with content, or undefined when it is absent, not a string, or blank. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** How a message names a plan: by its planId (unquoted, like the hosted service's messages), or by position. */
export function planName(plan: JsonRecord | undefined, index: number): string {
  const id = plan?.['planId'];
  return typeof id === 'string' && id !== '' ? id : `number ${index + 1} (it has no planId)`;
}
