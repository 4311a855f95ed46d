/** Opens the configured backend, migrated and ready. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from './secret-box.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import type { Store } from './store.ts';

export interface StoreConfig {
  dataDir: string;
  /** base64 of 32 bytes; when absent, a key generated into `<dataDir>/secret.key` on first start. */
  secretKey?: string | undefined;
  /** postgres://… selects PostgreSQL; without it, the embedded SQLite file in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PostgreSQL connections per instance. */
  poolSize?: number | undefined;
  /** Longest a PostgreSQL statement may run, ms. */
  statementTimeoutMs?: number | undefined;
}

export const DATABASE_FILE = 'cloudpartner.db';

export async function openStore(config: StoreConfig): Promise<Store> {
  const secrets = new SecretBox(loadSecretKey(config));
  const store = config.databaseUrl
    ? new PostgresStore({
        url: config.databaseUrl,
        secrets,
        ...(config.poolSize ? { poolSize: config.poolSize } : {}),
        ...(config.statementTimeoutMs ? { statementTimeoutMs: config.statementTimeoutMs } : {}),
      })
    : new SqliteStore({ file: join(config.dataDir, DATABASE_FILE), secrets });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

/** Where the store lives, for people: the file, or the database URL without its password. */
export function describeStore(config: StoreConfig): string {
  if (!config.databaseUrl) return `embedded database ${join(config.dataDir, DATABASE_FILE)}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    return `PostgreSQL ${url.toString()}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** The key that seals secret-type field values at rest. */
export function loadSecretKey(config: StoreConfig): Buffer {
  if (config.secretKey) {
    const key = Buffer.from(config.secretKey, 'base64');
    if (key.length !== 32) throw new Error('CLOUDPARTNER_SECRET_KEY must be the base64 encoding of 32 bytes');
    return key;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'secret.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  try {
    // 'wx' fails if another process created the key first; then use theirs.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
}
