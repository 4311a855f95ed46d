/**
 * The embedded backend: one SQLite file in WAL mode (./database.ts). Writes and cold reads are
 * the shared SQL code's (src/store/sql-store.ts); this adds the hot read path.
 *
 * Hot reads — publishers, offers, versions, lists, grants, tokens — run synchronously on prepared
 * statements and are cached in memory. The cache is dropped whenever SQLite's `data_version`
 * changes on the reader: that counter moves on every commit made by any other connection — our
 * writer, a `cloudpartner token create` in another process, a second server on the same file — so
 * a cached value is never older than the last commit before the read. The counter is read at most
 * once per event-loop turn (a request's reads happen in one turn; each check costs ~2 µs), and
 * every commit through this process's writer forces the next read to check again.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
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
import type { SqlValue, Statement } from '../sql/statement.ts';
import type { Principal } from '../store.ts';
import type { CacheCount } from '../telemetry.ts';
import { SqliteDatabase } from './database.ts';
import { CacheBudget } from '../cache-budget.ts';

/**
 * Migrations of one file within this process run one after another: better-sqlite3 waits for a
 * lock synchronously, so a second store waiting on the first would block the event loop the
 * first needs to finish.
 */
const migrationsInProcess = new Map<string, Promise<unknown>>();

export interface SqliteStoreOptions {
  /** Path of the database file; created with its directory if missing. */
  file: string;
  secrets: SecretBox;
  /** Bytes the read cache may hold, by estimate (default CACHE_BYTES; tests make it small). */
  cacheBytes?: number;
}

export class SqliteStore extends SqlStore {
  readonly kind = 'sqlite' as const;
  readonly #database: SqliteDatabase;
  readonly #kysely: Kysely<Database>;
  readonly #cache = new Map<string, unknown>();
  readonly #budget: CacheBudget;
  /** Hits and misses of #cache, for the metrics (plain numbers: the hot path pays an increment). */
  readonly #counts: CacheCount = { cache: 'sqlite-read', hits: 0, misses: 0 };
  readonly #dataVersion: BetterSqlite3.Statement<[], number>;
  #seenDataVersion = -1;
  #seenCommits = -1;
  /** True from a data_version check until the end of the current event-loop turn. */
  #checkedThisTurn = false;
  readonly #endTurn = () => {
    this.#checkedThisTurn = false;
  };

  constructor(options: SqliteStoreOptions) {
    const database = new SqliteDatabase(options.file);
    super(database, options.secrets);
    this.#database = database;
    this.#kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: database.writer }) });
    this.#dataVersion = database.reader.prepare<[], number>('PRAGMA data_version').pluck();
    this.#budget = new CacheBudget(options.cacheBytes);
  }

  async migrate(): Promise<void> {
    const file = this.#database.file;
    const previous = migrationsInProcess.get(file) ?? Promise.resolve();
    const run = previous.then(
      () => this.migrateHoldingWriteLock(),
      () => this.migrateHoldingWriteLock(),
    );
    migrationsInProcess.set(file, run);
    try {
      await run;
    } finally {
      if (migrationsInProcess.get(file) === run) migrationsInProcess.delete(file);
    }
  }

  private async migrateHoldingWriteLock(): Promise<void> {
    // Several processes may start on one file at once, and Kysely's SQLite adapter takes no
    // migration lock. Holding SQLite's write lock for the whole run (DDL is transactional in
    // SQLite) serialises them: the second waits (busy_timeout), then finds nothing to do.
    await this.#database.transact(async () => {
      const { error } = await new Migrator({ db: this.#kysely, provider: migrationProvider }).migrateToLatest();
      if (error) throw error;
    });
    await this.#database.syncNow(); // DDL changes no row: the commit's own wait did not sync
  }

  async close(): Promise<void> {
    await this.#database.flush(); // every commit durable; then the writer closes syncing (FULL)
    this.#database.writer.pragma('synchronous = FULL');
    await this.#kysely.destroy(); // closes the writer
    this.#database.close();
  }

  cacheCounts(): CacheCount[] {
    return [{ ...this.#counts }];
  }

  // ---- the hot read path: synchronous, cached -------------------------------------------------

  /** Runs a read on the reader, after dropping the cache if any connection committed since the last check. */
  private read(statement: Statement): BetterSqlite3.Statement<SqlValue[]> {
    const commits = this.#database.commits.count;
    if (!this.#checkedThisTurn || this.#seenCommits !== commits) {
      this.#seenCommits = commits;
      const dataVersion = this.#dataVersion.get()!;
      if (dataVersion !== this.#seenDataVersion) {
        this.#seenDataVersion = dataVersion;
        this.#cache.clear();
        this.#budget.reset();
      }
      if (!this.#checkedThisTurn) {
        this.#checkedThisTurn = true;
        setImmediate(this.#endTurn);
      }
    }
    return this.#database.prepareRead(statement);
  }

  private cached<T>(key: string, statement: Statement, load: (prepared: BetterSqlite3.Statement<SqlValue[]>) => T): T {
    const prepared = this.read(statement);
    if (this.#cache.has(key)) {
      this.#counts.hits++;
      return this.#cache.get(key) as T;
    }
    this.#counts.misses++;
    const observer = this.#database.observer;
    const started = observer ? performance.now() : 0;
    const value = load(prepared);
    if (observer) observer.statement(statement.name, (performance.now() - started) / 1000);
    if (this.#budget.admit(this.#cache.size, value)) this.#cache.clear();
    this.#cache.set(key, value);
    return value;
  }

  override async getPublisher(id: string): Promise<Publisher | null> {
    return this.cached(`p:${id}`, offerSql.publisher, (s) => {
      const row = s.get(id) as PublisherRow | undefined;
      return row ? toPublisher(row) : null;
    });
  }

  override async getOffer(publisherId: string, offerId: string): Promise<OfferHeader | null> {
    return this.cached(`o:${publisherId}/${offerId}`, offerSql.offer, (s) => {
      const row = s.get(publisherId, offerId) as OfferRow | undefined;
      return row ? toOfferHeader(row) : null;
    });
  }

  override async getOfferVersion(publisherId: string, offerId: string, version: number): Promise<OfferVersionDocument | null> {
    return this.cached(`v:${publisherId}/${offerId}/${version}`, offerSql.version, (s) => {
      const row = s.get(publisherId, offerId, version) as VersionRow | undefined;
      return row ? toVersionDocument(row) : null;
    });
  }

  override async listOffers(publisherId: string, filter: OfferListFilter): Promise<OfferHeader[]> {
    const type = filter.offerTypeId;
    if (type === undefined) return this.cached(`l:${publisherId}/`, offerSql.offers, (s) => (s.all(publisherId) as OfferRow[]).map(toOfferHeader));
    return this.cached(`l:${publisherId}/${type}`, offerSql.offersOfType, (s) => (s.all(publisherId, type) as OfferRow[]).map(toOfferHeader));
  }

  override async findMemberGrants(tenantId: string, objectId: string): Promise<ReadonlyMap<string, Role>> {
    return this.cached(`m:${tenantId}/${objectId}`, identitySql.memberGrants, (s) => {
      const rows = s.all(tenantId, objectId) as Array<{ publisher_id: string; role: string }>;
      return new Map(rows.map((row) => [row.publisher_id, row.role as Role]));
    });
  }

  override async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    const key = `t:${tokenHash}`;
    const prepared = this.read(identitySql.principal);
    const cachedPrincipal = this.#cache.get(key) as Principal | undefined;
    if (cachedPrincipal) {
      this.#counts.hits++;
      return cachedPrincipal;
    }
    const principal = toPrincipal(prepared.all(tokenHash) as PrincipalRow[]);
    if (!principal) {
      this.#counts.misses++;
      return null; // unknown tokens are not cached: a flood of them must not evict real entries
    }
    return this.cached(key, identitySql.principal, () => principal);
  }
}
