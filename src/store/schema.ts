/** Table shapes, shared by every backend (Kysely's view of the schema the migrations create). */
export interface PublishersTable {
  id: string;
  display_text: string;
  offer_type_categories: string; // JSON array text
  seller_id: number;
  version: number;
  created_at: string;
}

export interface OffersTable {
  publisher_id: string;
  id: string;
  offer_type_id: string;
  status: string;
  /** The draft's version number (the Draft slot). */
  version: number;
  preview_version: number | null;
  production_version: number | null;
  etag: string;
  display_text: string;
  changed_time: string;
  created_time: string;
  /** The operation now running on the offer, if any: at most one at a time. */
  running_operation_id: string | null;
  /** Notification e-mails of the last publish; go-live reuses them. */
  notification_emails: string | null;
}

export interface OperationsTable {
  id: string;
  publisher_id: string;
  offer_id: string;
  /** publish | golive | cancel */
  type: string;
  /** running | completed | failed | canceled */
  status: string;
  publishing_version: number;
  offer_version: number;
  /** preview | production */
  slot: string;
  notification_emails: string | null;
  /** For publish: the draft's ETag right after the publish started (idempotent re-publish). */
  draft_etag: string | null;
  /** For cancel: the operation being canceled. */
  target_operation_id: string | null;
  error: string | null;
  created_time: string;
  changed_time: string;
}

export interface OperationStepsTable {
  operation_id: string;
  position: number;
  step_id: string;
  /** notStarted | inProgress | waitingForPublisherReview | complete | blocked | canceled */
  status: string;
  progress: number;
  messages_json: string;
  started_time: string | null;
  /** Epoch ms at which the step's work is due to finish. */
  due_ms: number | null;
  /** Instance holding the step; the lease lets another instance take over after a crash. */
  lease_owner: string | null;
  lease_expires_ms: number | null;
}

export interface OfferVersionsTable {
  publisher_id: string;
  offer_id: string;
  version: number;
  /** Exact JSON text of `definition` as served (no secret values). */
  definition_json: string;
  changed_time: string;
  /** 1 once published (immutable from then on), 0 for the draft. */
  frozen: number;
}

export interface OfferSecretsTable {
  publisher_id: string;
  offer_id: string;
  version: number;
  /** JSON pointer into the definition. */
  pointer: string;
  /** SecretBox-sealed JSON text of the value. */
  sealed_value: string;
}

export interface AccessTokensTable {
  id: string;
  token_hash: string;
  description: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** 1 for the sandbox admin token (no publisher grants; the sandbox controls only). */
  sandbox_admin: number;
}

export interface TokenGrantsTable {
  token_id: string;
  publisher_id: string;
  role: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  public_jwk: string;
  /** SecretBox-sealed private JWK. */
  sealed_private_jwk: string;
  created_at: string;
}

export interface ApplicationsTable {
  client_id: string;
  tenant_id: string;
  object_id: string;
  display_name: string;
  /** scrypt hash of the client secret. */
  secret_hash: string;
  created_at: string;
}

export interface MembersTable {
  publisher_id: string;
  tenant_id: string;
  object_id: string;
  role: string;
  display_name: string;
  created_at: string;
}

export interface SandboxSnapshotsTable {
  name: string;
  created_time: string;
  /** Bytes of `data`. */
  size: number;
  /** The catalog's rows: {"publishers": [...], "offers": [...], …} as JSON text (secret values stay sealed). */
  data: string;
}

export interface Database {
  publishers: PublishersTable;
  offers: OffersTable;
  offer_versions: OfferVersionsTable;
  offer_secrets: OfferSecretsTable;
  operations: OperationsTable;
  operation_steps: OperationStepsTable;
  access_tokens: AccessTokensTable;
  token_grants: TokenGrantsTable;
  settings: SettingsTable;
  signing_keys: SigningKeysTable;
  applications: ApplicationsTable;
  members: MembersTable;
  sandbox_snapshots: SandboxSnapshotsTable;
}
