/**
 * Rows as every backend reads them, and their mapping to domain records. The column lists are
 * plain SQL that SQLite and PostgreSQL both accept.
 */
import type { OfferHeader } from '../domain/offers.ts';
import type { OfferStatus } from '../domain/offer-status.ts';
import type { OperationRecord, OperationSummary, StepMessage, StepRecord } from '../domain/operations.ts';
import type { Publisher } from '../domain/publishers.ts';
import type { Role } from '../domain/roles.ts';
import type { Application, ApplicationMember, Member, NewAccessToken, SigningKey } from './store.ts';
import type { SecretBox } from './secret-box.ts';
import type { ApplicationsTable, MembersTable, OffersTable, OperationStepsTable, OperationsTable, PublishersTable, SigningKeysTable } from './schema.ts';
import type { OperationStatus, OperationType, StepStatus } from '../domain/workflow.ts';

export type OfferRow = Omit<OffersTable, 'created_time'>;

/** An operation joined with its offer's type. */
export type OperationRow = Omit<OperationsTable, 'slot'> & { offer_type_id: string };

export type StepRow = Omit<OperationStepsTable, 'lease_owner' | 'lease_expires_ms'>;

export const OFFER_COLUMNS =
  'publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text, changed_time, running_operation_id, notification_emails';
export const OPERATION_COLUMNS = `o.id, o.publisher_id, o.offer_id, f.offer_type_id, o.type, o.status, o.publishing_version, o.offer_version,
  o.notification_emails, o.draft_etag, o.target_operation_id, o.error, o.created_time, o.changed_time`;

export type PublisherRow = Omit<PublishersTable, 'created_at'>;

export function toOfferHeader(row: OfferRow): OfferHeader {
  return {
    publisherId: row.publisher_id,
    id: row.id,
    offerTypeId: row.offer_type_id,
    status: row.status as OfferStatus,
    version: row.version,
    previewVersion: row.preview_version,
    productionVersion: row.production_version,
    etag: row.etag,
    displayText: row.display_text,
    changedTime: row.changed_time,
    runningOperationId: row.running_operation_id,
    notificationEmails: row.notification_emails,
  };
}

export function toOperationSummary(row: OperationRow): OperationSummary {
  return {
    id: row.id,
    publisherId: row.publisher_id,
    offerId: row.offer_id,
    offerTypeId: row.offer_type_id,
    type: row.type as OperationType,
    status: row.status as OperationStatus,
    publishingVersion: row.publishing_version,
    offerVersion: row.offer_version,
    notificationEmails: row.notification_emails,
    error: row.error,
    createdTime: row.created_time,
    changedTime: row.changed_time,
  };
}

export function toOperation(row: OperationRow, steps: StepRow[]): OperationRecord {
  return {
    ...toOperationSummary(row),
    steps: steps.map((step): StepRecord => ({
      position: step.position,
      stepId: step.step_id,
      status: step.status as StepStatus,
      progress: step.progress,
      messages: JSON.parse(step.messages_json) as StepMessage[],
      startedTime: step.started_time,
      dueMs: step.due_ms,
    })),
  };
}

export function toPublisher(row: PublisherRow): Publisher {
  return {
    id: row.id,
    displayText: row.display_text,
    offerTypeCategories: JSON.parse(row.offer_type_categories) as string[],
    sellerId: row.seller_id,
    version: row.version,
  };
}

/** Token rows (one per grant) folded into tokens. */
export function foldTokens(
  rows: ReadonlyArray<{
    id: string;
    token_hash: string;
    description: string;
    created_at: string;
    expires_at: string | null;
    sandbox_admin: number;
    publisher_id: string | null;
    role: string | null;
  }>,
): NewAccessToken[] {
  const tokens = new Map<string, NewAccessToken & { grants: Array<{ publisherId: string; role: Role }> }>();
  for (const row of rows) {
    let token = tokens.get(row.id);
    if (!token) {
      token = {
        id: row.id,
        tokenHash: row.token_hash,
        description: row.description,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        grants: [],
        ...(row.sandbox_admin === 1 ? { sandboxAdmin: true } : {}),
      };
      tokens.set(row.id, token);
    }
    if (row.publisher_id && row.role) token.grants.push({ publisherId: row.publisher_id, role: row.role as Role });
  }
  return [...tokens.values()];
}

export type MemberRow = MembersTable;

export function toMember(row: MemberRow): Member {
  return {
    publisherId: row.publisher_id,
    tenantId: row.tenant_id,
    objectId: row.object_id,
    role: row.role as Role,
    displayName: row.display_name,
    createdAt: row.created_at,
  };
}

export type ApplicationRow = ApplicationsTable;

export function toApplication(row: ApplicationRow): Application {
  return {
    clientId: row.client_id,
    tenantId: row.tenant_id,
    objectId: row.object_id,
    displayName: row.display_name,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
  };
}

/** An application joined with its service principal's membership of one publisher (no secret hash). */
export type ApplicationMemberRow = Omit<ApplicationsTable, 'secret_hash'> & Pick<MembersTable, 'role'>;

export function toApplicationMember(row: ApplicationMemberRow): ApplicationMember {
  return {
    clientId: row.client_id,
    tenantId: row.tenant_id,
    objectId: row.object_id,
    displayName: row.display_name,
    role: row.role as Role,
    createdAt: row.created_at,
  };
}

export type SigningKeyRow = SigningKeysTable;

export function toSigningKey(row: SigningKeyRow, secrets: SecretBox): SigningKey {
  return {
    kid: row.kid,
    algorithm: row.algorithm as SigningKey['algorithm'],
    publicJwk: row.public_jwk,
    privateJwk: secrets.open(row.sealed_private_jwk),
    createdAt: row.created_at,
  };
}
