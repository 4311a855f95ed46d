/**
 * The scale-out backend: PostgreSQL (./database.ts), shared by any number of stateless API
 * instances. Writes and most reads are the shared SQL code's (src/store/sql-store.ts).
 *
 * Documents are `text` columns holding the exact JSON that is served (jsonb would be slower on
 * the read path and would change the bytes). Hot reads — publishers, offers, versions, lists,
 * grants, tokens — are cached per instance (./read-cache.ts, D85): every commit that changes
 * those tables bumps a change counter (deferred triggers), and a cached value is served only
 * after one tiny query, shared by all the reads waiting on it and sent after the read began,
 * shows the counter unchanged. So no instance serves a read older than a write any instance
 * acknowledged before that read began.
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
import type { Role } from '../../domain/roles.ts';
import { toPrincipal } from '../identity/identity-store.ts';
import { identitySql, type PrincipalRow } from '../identity/statements.ts';
import { migrationProvider } from '../migrations/index.ts';
import { toVersionDocument } from '../offers/offer-store.ts';
import { offerSql, type VersionRow } from '../offers/statements.ts';
import { type OfferRow, type PublisherRow, toOfferHeader, toPublisher } from '../rows.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import { SqlStore } from '../sql-store.ts';
import { postgresOnly, type SqlValue, type Statement } from '../sql/statement.ts';
import type { Principal, ReadMark } from '../store.ts';
import type { CacheCount, PoolStats } from '../telemetry.ts';
import { PostgresDatabase, type PostgresDatabaseOptions } from './database.ts';
import { connectionLost, ReadCache } from './read-cache.ts';

export interface PostgresStoreOptions extends PostgresDatabaseOptions {
  secrets: SecretBox;
}

const EPOCH = '(SELECT sum(n) FROM cache_epochs)::text';

/** The same statement, also answering the epoch its snapshot saw (in the same statement: the same snapshot). */
function withEpoch(statement: Statement): Statement {
  if (!/^SELECT /.test(statement.postgres)) throw new Error(`${statement.name}: not a SELECT`);
  return postgresOnly(`${statement.name}+epoch`, statement.postgres.replace(/^SELECT /, `SELECT ${EPOCH} AS cache_epoch, `));
}

const pgSql = {
  epoch: postgresOnly('cache-epoch', `SELECT ${EPOCH} AS epoch`),
  publisher: withEpoch(offerSql.publisher),
  publishers: withEpoch(
    postgresOnly('publishers', 'SELECT id, display_text, offer_type_categories, seller_id, version FROM publishers WHERE id = ANY(?) ORDER BY id'),
  ),
  offer: withEpoch(offerSql.offer),
  version: withEpoch(offerSql.version),
  offers: withEpoch(offerSql.offers),
  offersOfType: withEpoch(offerSql.offersOfType),
  memberGrants: withEpoch(identitySql.memberGrants),
  principal: withEpoch(identitySql.principal),
};

type WithEpoch<R> = R & { cache_epoch: string };

export class PostgresStore extends SqlStore {
  readonly kind = 'postgres' as const;
  readonly #database: PostgresDatabase;
  readonly #kysely: Kysely<Database>;
  readonly #cache: ReadCache;

  constructor(options: PostgresStoreOptions) {
    const database = new PostgresDatabase(options);
    super(database, options.secrets);
    this.#database = database;
    this.#kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: database.pool }) });
    this.#cache = new ReadCache(async () => (await database.get<{ epoch: string }>(pgSql.epoch))!.epoch);
  }

  readMark(): ReadMark {
    return this.#cache.mark();
  }

  /** The read cache's counters (tests, the bench). */
  get cacheStats(): Readonly<ReadCache['stats']> {
    return this.#cache.stats;
  }

  cacheCounts(): CacheCount[] {
    return [{ cache: 'postgres-read', hits: this.#cache.stats.hits, misses: this.#cache.stats.misses }];
  }

  override poolStats(): PoolStats {
    const pool = this.#database.pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  async migrate(): Promise<void> {
    // Kysely takes a PostgreSQL advisory lock: instances starting together migrate once.
    const { error } = await new Migrator({ db: this.#kysely, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.#kysely.destroy(); // ends the pool
  }

  /** A reset or a restore through this instance: forget at once (other instances see the epoch move). */
  override dropCaches(): void {
    this.#cache.drop();
  }

  /**
   * A cached read: the value when the cache holds it and it is current, else one query that
   * returns the rows with their epoch. No rows (not found) is never cached.
   */
  async #read<R, T>(key: string, mark: ReadMark | undefined, statement: Statement, values: SqlValue[], map: (rows: R[]) => T, empty: T): Promise<T> {
    const cached = await this.#cache.get<T>(key, mark);
    if (cached !== undefined) return cached;
    let rows: Array<WithEpoch<R>>;
    try {
      rows = await this.#database.all<WithEpoch<R>>(statement, ...values);
    } catch (error) {
      if (!connectionLost(error)) throw error;
      rows = await this.#database.all<WithEpoch<R>>(statement, ...values); // a read is safe to send again on a new connection
    }
    if (rows.length === 0) return empty;
    return this.#cache.store(rows[0]!.cache_epoch, key, map(rows));
  }

  override getPublisher(id: string): Promise<Publisher | null> {
    return this.#read<PublisherRow, Publisher | null>(`p:${id}`, undefined, pgSql.publisher, [id], (rows) => toPublisher(rows[0]!), null);
  }

  override async listPublishers(ids: readonly string[]): Promise<Publisher[]> {
    if (ids.length === 0) return [];
    const sorted = [...ids].sort();
    return this.#read<PublisherRow, Publisher[]>(`ps:${JSON.stringify(sorted)}`, undefined, pgSql.publishers, [sorted], (rows) => rows.map(toPublisher), []);
  }

  override getOffer(publisherId: string, offerId: string, mark?: ReadMark): Promise<OfferHeader | null> {
    return this.#read<OfferRow, OfferHeader | null>(
      `o:${publisherId}/${offerId}`,
      mark,
      pgSql.offer,
      [publisherId, offerId],
      (rows) => toOfferHeader(rows[0]!),
      null,
    );
  }

  override getOfferVersion(publisherId: string, offerId: string, version: number, mark?: ReadMark): Promise<OfferVersionDocument | null> {
    return this.#read<VersionRow, OfferVersionDocument | null>(
      `v:${publisherId}/${offerId}/${version}`,
      mark,
      pgSql.version,
      [publisherId, offerId, version],
      (rows) => toVersionDocument(rows[0]!),
      null,
    );
  }

  override listOffers(publisherId: string, filter: OfferListFilter, mark?: ReadMark): Promise<OfferHeader[]> {
    const type = filter.offerTypeId;
    const key = `l:${publisherId}/${type ?? ''}`;
    const toHeaders = (rows: OfferRow[]) => rows.map(toOfferHeader);
    if (type === undefined) return this.#read(key, mark, pgSql.offers, [publisherId], toHeaders, []);
    return this.#read(key, mark, pgSql.offersOfType, [publisherId, type], toHeaders, []);
  }

  override findMemberGrants(tenantId: string, objectId: string, mark?: ReadMark): Promise<ReadonlyMap<string, Role>> {
    const toGrants = (rows: Array<{ publisher_id: string; role: string }>): ReadonlyMap<string, Role> =>
      new Map(rows.map((row) => [row.publisher_id, row.role as Role]));
    return this.#read(`m:${tenantId}/${objectId}`, mark, pgSql.memberGrants, [tenantId, objectId], toGrants, new Map<string, Role>());
  }

  override findPrincipalByTokenHash(tokenHash: string, mark?: ReadMark): Promise<Principal | null> {
    return this.#read<PrincipalRow, Principal | null>(`t:${tokenHash}`, mark, pgSql.principal, [tokenHash], toPrincipal, null);
  }
}
