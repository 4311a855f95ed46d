/** Opens the configured backend, migrated and ready. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from './secret-box.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface StoreConfig {
  dataDir: string;
  /** base64 of 32 bytes; when absent, a key generated into `<dataDir>/secret.key` on first start. */
  secretKey?: string | undefined;
}

export const DATABASE_FILE = 'cloudpartner.db';

export async function openStore(config: StoreConfig): Promise<Store> {
  const store = new SqliteStore({ file: join(config.dataDir, DATABASE_FILE), secrets: new SecretBox(loadSecretKey(config)) });
  await store.migrate();
  return store;
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
