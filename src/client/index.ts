/** The typed client of the Cloud Partner Portal offer publishing API. */
export { API_VERSION, CloudPartnerClient, isSucceeded, isTerminal } from './client.ts';
export type {
  CloudPartnerClientOptions,
  OfferMutation,
  OperationTarget,
  ProductIngestionControls,
  PutOptions,
  SandboxControls,
  WaitOptions,
  WebhookControls,
} from './client.ts';
export { CLOUD_PARTNER_RESOURCE, ClientCredentialsToken, StaticToken } from './credentials.ts';
export type { ClientCredentialsOptions, TokenProvider } from './credentials.ts';
export { CloudPartnerError, CloudPartnerNetworkError, CloudPartnerTimeoutError } from './errors.ts';
export type { RetryEvent } from './http.ts';
export { DEFAULT_RETRY } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { diffOffers, formatChanges } from './diff.ts';
export type { Change } from './diff.ts';
export type * from './types.ts';
