/**
 * The scale-out backend: PostgreSQL (./database.ts), shared by any number of stateless API
 * instances. Writes and most reads are the shared SQL code's (src/store/sql-store.ts).
 *
 * Documents are `text` columns holding the exact JSON that is served (jsonb would be slower on
 * the read path and would change the bytes). An instance caches only what cannot go stale —
 * published (frozen) versions, which never change — and revalidates a cached offer list with a
 * one-row fingerprint of the offers' ETags on every request; everything else is read from the
 * database each time, so no instance serves a document another instance has since changed.
 *
 * Every write is one transaction that first locks the offer's row (`SELECT … FOR UPDATE`), so
 * the If-Match compare-and-set and the one-running-operation rule hold across instances, and
 * locks are always taken offer first, steps second (no deadlock between a cancel and a step
 * finishing). Workflow steps are claimed with `FOR UPDATE SKIP LOCKED` and a lease: an instance
 * killed mid-step has its step taken over by another once the lease expires.
 */
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import type { OfferHeader, OfferListFilter, OfferVersionDocument } from '../../domain/offers.ts';
import type { Publisher } from '../../domain/publishers.ts';
import { migrationProvider } from '../migrations/index.ts';
import { toVersionDocument } from '../offers/offer-store.ts';
import { offerSql, type VersionRow } from '../offers/statements.ts';
import { type OfferRow, type PublisherRow, toOfferHeader, toPublisher } from '../rows.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import { SqlStore } from '../sql-store.ts';
import { postgresOnly } from '../sql/statement.ts';
import type { CacheCount, PoolStats } from '../telemetry.ts';
import { PostgresDatabase, type PostgresDatabaseOptions } from './database.ts';

export interface PostgresStoreOptions extends PostgresDatabaseOptions {
  secrets: SecretBox;
}

const MAX_CACHED = 20_000;

/** Adds to a bounded cache: when full, it starts over (simple, and a flood cannot grow it). */
function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

/** Every change to an offer row gives it a new ETag: the ETags in order fingerprint a list. */
const fingerprintOf = (where: string) => `SELECT COALESCE(md5(string_agg(id || ' ' || etag, ',' ORDER BY id)), '') AS fingerprint FROM offers WHERE ${where}`;
const pgSql = {
  publishers: postgresOnly('publishers', 'SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = ANY(?) ORDER BY id'),
  offersFingerprint: postgresOnly('offers-fingerprint', fingerprintOf('publisher_id = ?')),
  offersOfTypeFingerprint: postgresOnly('offers-of-type-fingerprint', fingerprintOf('publisher_id = ? AND offer_type_id = ?')),
};

export class PostgresStore extends SqlStore {
  readonly kind = 'postgres' as const;
  readonly #database: PostgresDatabase;
  readonly #kysely: Kysely<Database>;
  /** Frozen (published) versions: immutable, so they can be kept. */
  readonly #frozenVersions = new Map<string, OfferVersionDocument>();
  /** Offer lists with the fingerprint they were read at. */
  readonly #lists = new Map<string, { fingerprint: string; offers: OfferHeader[] }>();
  /** Hits and misses of the two caches, for the metrics. */
  readonly #frozenCounts: CacheCount = { cache: 'postgres-frozen-version', hits: 0, misses: 0 };
  readonly #listCounts: CacheCount = { cache: 'postgres-offer-list', hits: 0, misses: 0 };

  constructor(options: PostgresStoreOptions) {
    const database = new PostgresDatabase(options);
    super(database, options.secrets);
    this.#database = database;
    this.#kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: database.pool }) });
  }

  async migrate(): Promise<void> {
    // Kysely takes a PostgreSQL advisory lock: instances starting together migrate once.
    const { error } = await new Migrator({ db: this.#kysely, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.#kysely.destroy(); // ends the pool
  }

  /** Published versions are immutable — until a sandbox reset or restore replaces the catalog. */
  override dropCaches(): void {
    this.#frozenVersions.clear();
    this.#lists.clear();
  }

  cacheCounts(): CacheCount[] {
    return [{ ...this.#frozenCounts }, { ...this.#listCounts }];
  }

  override poolStats(): PoolStats {
    const pool = this.#database.pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  override async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    if (ids.length === 0) return [];
    return (await this.#database.all<PublisherRow>(pgSql.publishers, [...ids])).map(toPublisher);
  }

  override async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    const key = `${publisherId}/${offerId}/${version}`;
    const frozen = this.#frozenVersions.get(key);
    if (frozen) {
      this.#frozenCounts.hits++;
      return frozen;
    }
    this.#frozenCounts.misses++;
    const row = await this.#database.get<VersionRow>(offerSql.version, publisherId, offerId, version);
    if (!row) return null;
    const document = toVersionDocument(row);
    return row.frozen === 1 ? remember(this.#frozenVersions, key, document) : document;
  }

  override async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const type = filter.offerTypeId;
    const values = type === undefined ? [publisherId] : [publisherId, type];
    const row = await this.#database.get<{ fingerprint: string | null }>(
      type === undefined ? pgSql.offersFingerprint : pgSql.offersOfTypeFingerprint,
      ...values,
    );
    const fingerprint = row?.fingerprint ?? '';
    const key = `${publisherId}/${type ?? ''}`;
    const cached = this.#lists.get(key);
    if (cached && cached.fingerprint === fingerprint) {
      this.#listCounts.hits++;
      return cached.offers;
    }
    this.#listCounts.misses++;
    const rows = await this.#database.all<OfferRow>(type === undefined ? offerSql.offers : offerSql.offersOfType, ...values);
    return remember(this.#lists, key, { fingerprint, offers: rows.map(toOfferHeader) }).offers;
  }
}
