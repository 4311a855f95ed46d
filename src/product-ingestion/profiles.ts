/** The product-ingestion face's write profiles (D74), apart so that the settings can name them without loading the face. */
export const PROFILES = ['compat', 'strict'] as const;
export type Profile = (typeof PROFILES)[number];

/** How long a submission's job runs: `long` through the whole publish (or go-live), `short` until the submission is accepted. */
export const PUBLISH_JOBS = ['long', 'short'] as const;
export type PublishJob = (typeof PUBLISH_JOBS)[number];
