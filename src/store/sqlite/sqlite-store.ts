/**
 * The embedded backend: one SQLite file in WAL mode.
 *
 * Two connections to the same file: `reader` serves the hot read path with prepared statements
 * (Kysely re-prepares every query, which halves read throughput), `writer` runs migrations and
 * writes through Kysely. Keeping them apart means a read never sees a write transaction that is
 * still open on the writer.
 *
 * Reads are cached in memory and the cache is dropped whenever SQLite's `data_version` changes
 * on the reader: that counter moves on every commit made by any other connection — our writer,
 * a `cloudpartner token create` in another process, a second server on the same file — so a
 * cached value is never older than the last commit before the read.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../../domain/offers.ts';
import type { OfferStatus } from '../../domain/offer-status.ts';
import type { Publisher } from '../../domain/publishers.ts';
import type { Role } from '../../domain/roles.ts';
import { extractSecrets, type SecretValue } from '../../domain/secret-fields.ts';
import { etagFor } from '../../domain/time.ts';
import { migrationProvider } from '../migrations/index.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import type { NewAccessToken, OfferSnapshot, Principal, Store } from '../store.ts';

const MAX_CACHED_ENTRIES = 20_000;

/**
 * Migrations of one file within this process run one after another: better-sqlite3 waits for a
 * lock synchronously, so a second store waiting on the first would block the event loop the
 * first needs to finish.
 */
const migrationsInProcess = new Map<string, Promise<unknown>>();

interface OfferRow {
  publisher_id: string;
  id: string;
  offer_type_id: string;
  status: string;
  version: number;
  preview_version: number | null;
  production_version: number | null;
  etag: string;
  display_text: string;
  changed_time: string;
}

interface PublisherRow {
  id: string;
  display_text: string;
  offer_type_categories: string;
  seller_id: number;
  version: number;
}

export interface SqliteStoreOptions {
  /** Path of the database file; created with its directory if missing. */
  file: string;
  secrets: SecretBox;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #reader: BetterSqlite3.Database;
  readonly #writer: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  readonly #secrets: SecretBox;
  readonly #file: string;
  #statements: ReturnType<SqliteStore['prepareReads']> | undefined;
  readonly #cache = new Map<string, unknown>();
  #seenDataVersion = -1;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.#file = resolve(options.file);
    this.#writer = openConnection(options.file);
    this.#reader = openConnection(options.file);
    this.#db = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.#writer }) });
    this.#secrets = options.secrets;
  }

  async migrate(): Promise<void> {
    const previous = migrationsInProcess.get(this.#file) ?? Promise.resolve();
    const run = previous.then(
      () => this.migrateHoldingWriteLock(),
      () => this.migrateHoldingWriteLock(),
    );
    migrationsInProcess.set(this.#file, run);
    try {
      await run;
    } finally {
      if (migrationsInProcess.get(this.#file) === run) migrationsInProcess.delete(this.#file);
    }
    this.#statements = this.prepareReads();
  }

  private async migrateHoldingWriteLock(): Promise<void> {
    // Several processes may start on one file at once, and Kysely's SQLite adapter takes no
    // migration lock. Holding SQLite's write lock for the whole run (DDL is transactional in
    // SQLite) serialises them: the second waits (busy_timeout), then finds nothing to do.
    this.#writer.exec('BEGIN IMMEDIATE');
    try {
      const { error } = await new Migrator({ db: this.#db, provider: migrationProvider }).migrateToLatest();
      if (error) throw error;
      this.#writer.exec('COMMIT');
    } catch (error) {
      if (this.#writer.inTransaction) this.#writer.exec('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    this.#reader.close();
  }

  private prepareReads() {
    const r = this.#reader;
    return {
      dataVersion: r.prepare('PRAGMA data_version').pluck(),
      publisher: r.prepare<[string], PublisherRow>(
        'SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = ?',
      ),
      offer: r.prepare<[string, string], OfferRow>(
        `SELECT publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text, changed_time
           FROM offers WHERE publisher_id = ? AND id = ?`,
      ),
      offers: r.prepare<[string], OfferRow>(
        `SELECT publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text, changed_time
           FROM offers WHERE publisher_id = ? ORDER BY id`,
      ),
      offersOfType: r.prepare<[string, string], OfferRow>(
        `SELECT publisher_id, id, offer_type_id, status, version, preview_version, production_version, etag, display_text, changed_time
           FROM offers WHERE publisher_id = ? AND offer_type_id = ? ORDER BY id`,
      ),
      version: r.prepare<[string, string, number], { version: number; definition_json: string; changed_time: string }>(
        'SELECT version, definition_json, changed_time FROM offer_versions WHERE publisher_id = ? AND offer_id = ? AND version = ?',
      ),
      secrets: r.prepare<[string, string, number], { pointer: string; sealed_value: string }>(
        'SELECT pointer, sealed_value FROM offer_secrets WHERE publisher_id = ? AND offer_id = ? AND version = ? ORDER BY pointer',
      ),
      principal: r.prepare<[string, string], { id: string; expires_at: string | null; publisher_id: string | null; role: string | null }>(
        `SELECT t.id, t.expires_at, g.publisher_id, g.role
           FROM access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id
          WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`,
      ),
    };
  }

  /** Prepared read statements, after dropping the cache if any connection committed since the last read. */
  private reads() {
    const statements = this.#statements;
    if (!statements) throw new Error('the store is not migrated yet: call migrate() first');
    const dataVersion = statements.dataVersion.get() as number;
    if (dataVersion !== this.#seenDataVersion) {
      this.#seenDataVersion = dataVersion;
      this.#cache.clear();
    }
    return statements;
  }

  private cached<T>(key: string, load: () => T): T {
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const value = load();
    if (this.#cache.size >= MAX_CACHED_ENTRIES) this.#cache.clear();
    this.#cache.set(key, value);
    return value;
  }

  // ---- publishers -------------------------------------------------------------------------

  async createPublisher(publisher: Publisher): Promise<boolean> {
    const result = await this.#db
      .insertInto('publishers')
      .values({
        id: publisher.id,
        display_text: publisher.displayText,
        offer_type_categories: JSON.stringify(publisher.offerTypeCategories),
        seller_id: publisher.sellerId,
        version: publisher.version,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getPublisher(id: string): Promise<Publisher | null> {
    const reads = this.reads();
    return this.cached(`p:${id}`, () => {
      const row = reads.publisher.get(id);
      return row ? toPublisher(row) : null;
    });
  }

  async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    const publishers: Publisher[] = [];
    for (const id of [...ids].sort()) {
      const publisher = await this.getPublisher(id);
      if (publisher) publishers.push(publisher);
    }
    return publishers;
  }

  // ---- offers -----------------------------------------------------------------------------

  async getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    const reads = this.reads();
    return this.cached(`o:${publisherId}/${offerId}`, () => {
      const row = reads.offer.get(publisherId, offerId);
      return row ? toOfferHeader(row) : null;
    });
  }

  async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    const reads = this.reads();
    return this.cached(`v:${publisherId}/${offerId}/${version}`, () => {
      const row = reads.version.get(publisherId, offerId, version);
      return row ? { version: row.version, definitionJson: row.definition_json, changedTime: row.changed_time } : null;
    });
  }

  async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const reads = this.reads();
    const type = filter.offerTypeId;
    return this.cached(`l:${publisherId}/${type ?? ''}`, () =>
      (type === undefined ? reads.offers.all(publisherId) : reads.offersOfType.all(publisherId, type)).map(toOfferHeader),
    );
  }

  async getVersionSecrets(publisherId: string, offerId: string, version: number): Promise<SecretValue[]> {
    // Deliberately not cached: decrypted secrets do not linger in memory.
    return this.reads()
      .secrets.all(publisherId, offerId, version)
      .map((row) => ({ pointer: row.pointer, value: JSON.parse(this.#secrets.open(row.sealed_value)) }));
  }

  async importOffer(snapshot: OfferSnapshot): Promise<void> {
    const draft = snapshot.versions.at(-1);
    if (!draft) throw new Error('an offer needs at least one version');
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('offers')
        .values({
          publisher_id: snapshot.publisherId,
          id: snapshot.id,
          offer_type_id: snapshot.offerTypeId,
          status: snapshot.status,
          version: draft.version,
          preview_version: snapshot.previewVersion,
          production_version: snapshot.productionVersion,
          etag: etagFor(snapshot.changedTime),
          display_text: String(draft.definition['displayText'] ?? ''),
          changed_time: snapshot.changedTime,
          created_time: snapshot.createdTime,
        })
        .execute();
      for (const entry of snapshot.versions) {
        const definition = structuredClone(entry.definition);
        const secrets = extractSecrets(definition, snapshot.offerTypeId);
        await tx
          .insertInto('offer_versions')
          .values({
            publisher_id: snapshot.publisherId,
            offer_id: snapshot.id,
            version: entry.version,
            definition_json: JSON.stringify(definition),
            changed_time: entry.changedTime,
            frozen: entry === draft ? 0 : 1,
          })
          .execute();
        for (const secret of secrets) {
          await tx
            .insertInto('offer_secrets')
            .values({
              publisher_id: snapshot.publisherId,
              offer_id: snapshot.id,
              version: entry.version,
              pointer: secret.pointer,
              sealed_value: this.#secrets.seal(JSON.stringify(secret.value)),
            })
            .execute();
        }
      }
    });
  }

  // ---- access tokens ----------------------------------------------------------------------

  async createAccessToken(token: NewAccessToken): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('access_tokens')
        .values({
          id: token.id,
          token_hash: token.tokenHash,
          description: token.description,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          revoked_at: null,
        })
        .execute();
      for (const grant of token.grants) {
        await tx.insertInto('token_grants').values({ token_id: token.id, publisher_id: grant.publisherId, role: grant.role }).execute();
      }
    });
  }

  async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    const reads = this.reads();
    const key = `t:${tokenHash}`;
    const cachedPrincipal = this.#cache.get(key) as Principal | undefined;
    if (cachedPrincipal && (cachedPrincipal.expiresAt === null || cachedPrincipal.expiresAt > Date.now())) return cachedPrincipal;
    const rows = reads.principal.all(tokenHash, new Date().toISOString());
    const first = rows[0];
    if (!first) return null; // unknown tokens are not cached: a flood of them must not evict real entries
    const grants = new Map<string, Role>();
    for (const row of rows) if (row.publisher_id && row.role) grants.set(row.publisher_id, row.role as Role);
    const principal: Principal = { id: first.id, grants, expiresAt: first.expires_at ? Date.parse(first.expires_at) : null };
    return this.cached(key, () => principal);
  }
}

function openConnection(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { timeout: 10_000 });
  // busy_timeout first: switching a fresh file to WAL takes a lock another process may hold.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged, so acknowledged writes survive power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

function toOfferHeader(row: OfferRow): OfferHeader {
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
  };
}

function toPublisher(row: PublisherRow): Publisher {
  return {
    id: row.id,
    displayText: row.display_text,
    offerTypeCategories: JSON.parse(row.offer_type_categories) as string[],
    sellerId: row.seller_id,
    version: row.version,
  };
}
