/** Defaults of identity, apart from the code that uses them so that the settings can name them without loading it. */

/** The resource (audience) tokens are issued for and accepted with, as the hosted service's was. */
export const DEFAULT_AUDIENCE = 'https://cloudpartner.azure.com';

/** Tolerance for `exp` and `nbf`, seconds. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/** The resource the product-ingestion face's clients ask tokens for (Microsoft Graph's), v1 `resource` and v2 `scope` alike. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** The `aud` values accepted besides the configured audiences: Graph's URL (with or without the slash) and its application id. */
export const GRAPH_AUDIENCES = [GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, '00000003-0000-0000-c000-000000000000'] as const;
