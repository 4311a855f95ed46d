/** The api-version values this server answers. The CPP API has one live version. */
export const SUPPORTED_API_VERSIONS = ['2017-10-31'] as const;
export const CURRENT_API_VERSION = SUPPORTED_API_VERSIONS[0];

export function isSupportedApiVersion(value: unknown): boolean {
  return typeof value === 'string' && (SUPPORTED_API_VERSIONS as readonly string[]).includes(value);
}
