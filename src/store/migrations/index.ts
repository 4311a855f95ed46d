/**
 * Schema migrations, one list for every backend. Written with Kysely's schema builder using only
 * portable column types (text, integer), so SQLite and PostgreSQL stay in step.
 */
import { type Kysely, type Migration, type MigrationProvider, PostgresAdapter, sql } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('publishers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_text', 'text', (c) => c.notNull())
      .addColumn('offer_type_categories', 'text', (c) => c.notNull())
      .addColumn('seller_id', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('offers')
      .addColumn('publisher_id', 'text', (c) => c.notNull().references('publishers.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('offer_type_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('preview_version', 'integer')
      .addColumn('production_version', 'integer')
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('display_text', 'text', (c) => c.notNull())
      .addColumn('changed_time', 'text', (c) => c.notNull())
      .addColumn('created_time', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('offers_pk', ['publisher_id', 'id'])
      .execute();
    await db.schema.createIndex('offers_by_type').on('offers').columns(['publisher_id', 'offer_type_id']).execute();

    await db.schema
      .createTable('offer_versions')
      .addColumn('publisher_id', 'text', (c) => c.notNull())
      .addColumn('offer_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('definition_json', 'text', (c) => c.notNull())
      .addColumn('changed_time', 'text', (c) => c.notNull())
      .addColumn('frozen', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('offer_versions_pk', ['publisher_id', 'offer_id', 'version'])
      .addForeignKeyConstraint('offer_versions_offer_fk', ['publisher_id', 'offer_id'], 'offers', ['publisher_id', 'id'])
      .execute();

    await db.schema
      .createTable('offer_secrets')
      .addColumn('publisher_id', 'text', (c) => c.notNull())
      .addColumn('offer_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('pointer', 'text', (c) => c.notNull())
      .addColumn('sealed_value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('offer_secrets_pk', ['publisher_id', 'offer_id', 'version', 'pointer'])
      .addForeignKeyConstraint('offer_secrets_version_fk', ['publisher_id', 'offer_id', 'version'], 'offer_versions', ['publisher_id', 'offer_id', 'version'])
      .execute();

    await db.schema
      .createTable('access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('token_grants')
      .addColumn('token_id', 'text', (c) => c.notNull().references('access_tokens.id'))
      .addColumn('publisher_id', 'text', (c) => c.notNull().references('publishers.id'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('token_grants_pk', ['token_id', 'publisher_id'])
      .execute();
  },
};

/**
 * The publishing workflow: operations (publish, golive, cancel), their steps, and the offer's
 * pointer to its one running operation (the one-running-operation rule as a compare-and-set).
 */
const operations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('offers').addColumn('running_operation_id', 'text').execute();
    await db.schema.alterTable('offers').addColumn('notification_emails', 'text').execute();

    await db.schema
      .createTable('operations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('publisher_id', 'text', (c) => c.notNull())
      .addColumn('offer_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('publishing_version', 'integer', (c) => c.notNull())
      .addColumn('offer_version', 'integer', (c) => c.notNull())
      .addColumn('slot', 'text', (c) => c.notNull())
      .addColumn('notification_emails', 'text')
      .addColumn('draft_etag', 'text')
      .addColumn('target_operation_id', 'text')
      .addColumn('error', 'text')
      .addColumn('created_time', 'text', (c) => c.notNull())
      .addColumn('changed_time', 'text', (c) => c.notNull())
      .addForeignKeyConstraint('operations_offer_fk', ['publisher_id', 'offer_id'], 'offers', ['publisher_id', 'id'])
      .execute();
    await db.schema.createIndex('operations_by_offer').on('operations').columns(['publisher_id', 'offer_id', 'created_time']).execute();

    await db.schema
      .createTable('operation_steps')
      .addColumn('operation_id', 'text', (c) => c.notNull().references('operations.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('progress', 'integer', (c) => c.notNull())
      .addColumn('messages_json', 'text', (c) => c.notNull())
      .addColumn('started_time', 'text')
      .addColumn('due_ms', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_ms', 'bigint')
      .addPrimaryKeyConstraint('operation_steps_pk', ['operation_id', 'position'])
      .execute();
    await db.schema.createIndex('operation_steps_runnable').on('operation_steps').columns(['status', 'due_ms']).execute();
  },
};

/**
 * Identity: the built-in token service's signing keys and registered applications, the members
 * (service principals) of each publisher, and settings such as the default tenant.
 */
const identity: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('sealed_private_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('applications')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('members')
      .addColumn('publisher_id', 'text', (c) => c.notNull().references('publishers.id'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('members_pk', ['publisher_id', 'tenant_id', 'object_id'])
      .execute();
    await db.schema.createIndex('members_by_principal').on('members').columns(['tenant_id', 'object_id']).execute();
  },
};

/** The sandbox: an access token may be the sandbox admin token, which holds no publisher grants. */
const sandbox: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('access_tokens')
      .addColumn('sandbox_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/** Sandbox snapshots: the catalog's rows as JSON text, by name. */
const snapshots: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sandbox_snapshots')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('created_time', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Webhooks, and their deliveries: a durable outbox written in the same transaction as the change it tells of. */
const webhooks: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('publisher_id', 'text', (c) => c.notNull().references('publishers.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('events_json', 'text', (c) => c.notNull())
      .addColumn('sealed_secret', 'text', (c) => c.notNull())
      .addColumn('created_time', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addColumn('offer_key', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_ms', 'bigint', (c) => c.notNull())
      .addColumn('first_attempt_ms', 'bigint')
      .addColumn('delivered_ms', 'bigint')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_ms', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_ms']).execute();
    await db.schema.createIndex('webhook_deliveries_order').on('webhook_deliveries').columns(['webhook_id', 'offer_key', 'seq']).execute();
  },
};

/** The notifications outbox: the e-mails the hosted service would send, kept instead. */
const notifications: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('publisher_id', 'text', (c) => c.notNull())
      .addColumn('offer_id', 'text', (c) => c.notNull())
      .addColumn('operation_id', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_time', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notifications_by_seq').on('notifications').columns(['seq']).execute();
    await db.schema.createIndex('notifications_by_offer').on('notifications').columns(['offer_id', 'seq']).execute();
  },
};

/** Stripes of the change counter: writers bump one at random, so writers rarely wait on one another. */
export const CACHE_EPOCH_STRIPES = 16;
/** The tables PostgreSQL instances cache reads of (src/store/postgres/read-cache.ts). */
const CACHED_TABLES = ['publishers', 'offers', 'offer_versions', 'access_tokens', 'token_grants', 'members'];

/**
 * PostgreSQL only (D85): a change counter every commit that touches a cached table bumps, by
 * deferred triggers — whoever writes (this code, the CLI, a person with psql) — once per
 * transaction, at commit. An instance serves its cache only after reading the counter's sum
 * unchanged. SQLite needs none of this (its data_version is that counter); there it does nothing.
 */
const cacheEpoch: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`CREATE TABLE cache_epochs (stripe integer PRIMARY KEY, n bigint NOT NULL)`.execute(db);
    await sql`INSERT INTO cache_epochs (stripe, n) SELECT s, 0 FROM generate_series(0, ${sql.lit(CACHE_EPOCH_STRIPES - 1)}) AS s`.execute(db);
    await sql
      .raw(
        `CREATE FUNCTION bump_cache_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE
           chosen integer := floor(random() * ${CACHE_EPOCH_STRIPES})::integer; -- once: in the WHERE clause random() would be drawn per row
         BEGIN
           IF current_setting('cloudpartner.cache_epoch_bumped', true) IS DISTINCT FROM 'on' THEN
             PERFORM set_config('cloudpartner.cache_epoch_bumped', 'on', true);
             UPDATE cache_epochs SET n = n + 1 WHERE stripe = chosen;
           END IF;
           RETURN NULL;
         END $$`,
      )
      .execute(db);
    for (const table of CACHED_TABLES) {
      // At commit (deferred), so the stripe's row lock is held only while the commit itself runs.
      await sql
        .raw(
          `CREATE CONSTRAINT TRIGGER ${table}_cache_epoch AFTER INSERT OR UPDATE OR DELETE ON ${table}
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epoch()`,
        )
        .execute(db);
      await sql
        .raw(`CREATE TRIGGER ${table}_cache_epoch_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epoch()`)
        .execute(db);
    }
  },
};

/** Configure jobs of the product-ingestion face (D74), leased like workflow steps. */
const ingestionJobs: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('ingestion_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('publisher_id', 'text', (c) => c.notNull())
      .addColumn('offer_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('request_json', 'text', (c) => c.notNull())
      .addColumn('errors_json', 'text', (c) => c.notNull())
      .addColumn('detail_json', 'text')
      .addColumn('job_start', 'text', (c) => c.notNull())
      .addColumn('job_end', 'text')
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_ms', 'bigint')
      .addColumn('operation_id', 'text')
      .execute();
    await db.schema.createIndex('ingestion_jobs_waiting').on('ingestion_jobs').columns(['status', 'created_ms']).execute();
    await db.schema.createIndex('ingestion_jobs_by_operation').on('ingestion_jobs').columns(['operation_id']).execute();
  },
};

/**
 * What the offer's status and the submissions list read, found by index from the newest end:
 * their cost no longer grows with the offer's history (the latest publish by type, a filtered list
 * by state).
 */
const operationIndexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('operations_by_offer_type').on('operations').columns(['publisher_id', 'offer_id', 'type', 'created_time']).execute();
    await db.schema.createIndex('operations_by_offer_state').on('operations').columns(['publisher_id', 'offer_id', 'status', 'created_time']).execute();
  },
};

/**
 * The audit trail (D95): one row per write, in the write's transaction. `seq` is the database's
 * own counter (pages continue below a sequence number); `time_ms` is what retention prunes by.
 */
const audit: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('audit_records')
      .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('time_ms', 'bigint', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('principal_kind', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('principal_name', 'text')
      .addColumn('request_id', 'text')
      .addColumn('publisher_id', 'text')
      .addColumn('offer_id', 'text')
      .addColumn('etag_before', 'text')
      .addColumn('etag_after', 'text')
      .addColumn('operation_id', 'text')
      .addColumn('target', 'text')
      .execute();
    await db.schema.createIndex('audit_records_by_publisher').on('audit_records').columns(['publisher_id', 'seq']).execute();
    await db.schema.createIndex('audit_records_by_offer').on('audit_records').columns(['publisher_id', 'offer_id', 'seq']).execute();
    await db.schema.createIndex('audit_records_by_time').on('audit_records').columns(['time_ms']).execute();
  },
};

/**
 * The offer's operation indexes end with the operation's id (D108), as every list of operations is
 * ordered (time, then id). PostgreSQL costed operations_by_offer and operations_by_offer_state
 * alike for the steps of the operations since the latest publish, and through the state index it
 * read every operation the offer ever had; with the id, operations_by_offer answers that join on
 * its own. A state-filtered list, ordered by time and id, must then find the same order in the
 * state index, or SQLite would walk the offer's whole history in operations_by_offer's order.
 */
const operationIndexesWithIds: Migration = {
  async up(db: Kysely<any>) {
    for (const [name, columns] of [
      ['operations_by_offer', ['publisher_id', 'offer_id', 'created_time', 'id']],
      ['operations_by_offer_type', ['publisher_id', 'offer_id', 'type', 'created_time', 'id']],
      ['operations_by_offer_state', ['publisher_id', 'offer_id', 'status', 'created_time', 'id']],
    ] as const) {
      await db.schema.dropIndex(name).execute();
      await db.schema
        .createIndex(name)
        .on('operations')
        .columns([...columns])
        .execute();
    }
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_operations': operations,
      '0003_identity': identity,
      '0004_sandbox': sandbox,
      '0005_snapshots': snapshots,
      '0006_webhooks': webhooks,
      '0007_notifications': notifications,
      '0008_cache_epoch': cacheEpoch,
      '0009_ingestion_jobs': ingestionJobs,
      '0010_operation_indexes': operationIndexes,
      '0011_audit': audit,
      '0012_operation_indexes_with_ids': operationIndexesWithIds,
    };
  },
};
