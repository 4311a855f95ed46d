/** Defaults of identity, apart from the code that uses them so that the settings can name them without loading it. */

/** The resource (audience) tokens are issued for and accepted with, as the hosted service's was. */
export const DEFAULT_AUDIENCE = 'https://cloudpartner.azure.com';

/** Tolerance for `exp` and `nbf`, seconds. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;
