/**
 * The storage interface. Every backend (embedded SQLite, PostgreSQL) implements it, and the
 * same test suite runs against each. Reads return what the wire needs — document text exactly
 * as served — so the HTTP layer never re-serialises documents.
 *
 * A backend may cache reads, but a read must never return data older than the last write
 * committed before the read began, whichever process or instance made that write.
 */
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../domain/offers.ts';
import type { OfferStatus } from '../domain/offer-status.ts';
import type { Publisher } from '../domain/publishers.ts';
import type { Role } from '../domain/roles.ts';
import type { SecretValue } from '../domain/secret-fields.ts';

export interface Principal {
  /** Stable id of the caller (the access token's id). Never the token itself. */
  id: string;
  /** Publisher id → role on that publisher. */
  grants: ReadonlyMap<string, Role>;
  /** Epoch milliseconds after which the principal must be looked up again (token expiry). */
  expiresAt: number | null;
}

export interface NewAccessToken {
  id: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  tokenHash: string;
  description: string;
  grants: ReadonlyArray<{ publisherId: string; role: Role }>;
  createdAt: string;
  expiresAt: string | null;
}

/** A whole offer with its history, as loaded by the demo data and store migration. */
export interface OfferSnapshot {
  publisherId: string;
  id: string;
  offerTypeId: string;
  status: OfferStatus;
  previewVersion: number | null;
  productionVersion: number | null;
  changedTime: string;
  createdTime: string;
  /** Versions 1..n in order; the last one is the draft. Definitions may still hold secret values. */
  versions: ReadonlyArray<{ version: number; definition: Record<string, unknown>; changedTime: string }>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Brings the schema up to date. Safe to call on every start, from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // publishers
  createPublisher(publisher: Publisher): Promise<boolean>;
  getPublisher(id: string): Promise<Publisher | null>;
  /** Publishers with the given ids (those that exist), ordered by id. */
  listPublishers(ids: readonly string[]): Promise<Publisher[]>;

  // offers
  getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null>;
  getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null>;
  listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]>;
  /** Secret values of one version, decrypted. Never served; used to carry secrets across edits. */
  getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]>;
  /** Writes a complete offer with its versions; fails if the offer exists. */
  importOffer(snapshot: OfferSnapshot): Promise<void>;

  // access tokens
  createAccessToken(token: NewAccessToken): Promise<void>;
  findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null>;
}
