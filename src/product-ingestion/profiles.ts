/** The product-ingestion face's write profiles (D74), apart so that the settings can name them without loading the face. */
export const PROFILES = ['compat', 'strict'] as const;
export type Profile = (typeof PROFILES)[number];
