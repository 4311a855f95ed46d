/**
 * Test harness: a real store on a throwaway data directory, the real Fastify app, and a client
 * that reaches it either in-process (inject) or over a real socket (fetch to a listening server).
 * Suites take a Transport and run once per transport.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';
import { createDatabase, startPostgres } from './postgres.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AppOptions, type IdentityOptions, buildApp } from '../../src/http/app.ts';
import { createAccessToken } from '../../src/identity/access-tokens.ts';
import { loadDemoData } from '../../src/demo/demo-data.ts';
import type { Role } from '../../src/domain/roles.ts';
import { openStore } from '../../src/store/open.ts';
import { createLogger } from '../../src/server.ts';
import { captureLogStream, recordAcknowledgedDocument, recordAuthorization, recordRequestBody, recordResponse } from './capture.ts';
import type { Store } from '../../src/store/store.ts';
import { type StepDurations, fixedDurations } from '../../src/workflow/durations.ts';
import { wireChecker } from './wire.ts';

export const API = 'api-version=2017-10-31';

/**
 * The backend this test run uses: `npm test` runs the suites once on SQLite and once on
 * PostgreSQL (CLOUDPARTNER_TEST_STORE=postgres, a throwaway cluster the runner starts).
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env['CLOUDPARTNER_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';

export interface TestStore {
  store: Store;
  dataDir: string;
  /** The PostgreSQL database of this store, when on PostgreSQL. */
  databaseUrl?: string;
  /** Everything the backend has persisted, as text (to check what is and is not stored). */
  storedText(): Promise<string>;
  close(): Promise<void>;
}

/** A fresh, empty store of the run's backend: a new SQLite directory, or a new PostgreSQL database. */
export async function openTestStore(): Promise<TestStore> {
  const dataDir = makeDataDir();
  if (TEST_STORE === 'sqlite') {
    const store = await openStore({ dataDir });
    return {
      store,
      dataDir,
      storedText: async () =>
        ['cloudpartner.db', 'cloudpartner.db-wal']
          .map((name) => (existsSync(join(dataDir, name)) ? readFileSync(join(dataDir, name)).toString('latin1') : ''))
          .join('\n'),
      close: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = await createDatabase(await startPostgres());
  const store = await openStore({ dataDir, databaseUrl: database.url });
  return {
    store,
    dataDir,
    databaseUrl: database.url,
    storedText: async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
        const dumps = [];
        for (const { tablename } of tables.rows) dumps.push(JSON.stringify((await client.query(`SELECT * FROM "${tablename}"`)).rows));
        return dumps.join('\n');
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await store.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export const TRANSPORTS = ['inject', 'http'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface Response {
  status: number;
  headers: Record<string, string>;
  text: string;
  json(): any;
}

export interface CallOptions {
  method?: string;
  token?: string | null;
  headers?: Record<string, string>;
  body?: string;
}

export interface TestServer {
  store: Store;
  app: FastifyInstance;
  dataDir: string;
  /** The PostgreSQL database, when on PostgreSQL (the SQLite file is cloudpartner.db in dataDir). */
  databaseUrl?: string;
  /** Everything the backend has persisted, as text. */
  storedText(): Promise<string>;
  /** Owner token on contoso (the demo publisher). */
  ownerToken: string;
  /** Base URL of the listening server (http transport), '' in-process. */
  baseUrl: string;
  call(path: string, options?: CallOptions): Promise<Response>;
  tokenFor(publisherIds: string[], role: Role): Promise<string>;
  /** A new sandbox admin token. */
  sandboxAdminToken(): Promise<string>;
  close(): Promise<void>;
}

/** With the leak scan recording (capture.ts), in-process servers log everything, into the record. */
function captureLogger(): { logger: Logger } | Record<string, never> {
  const stream = captureLogStream();
  return stream ? { logger: createLogger('trace', stream) } : {};
}

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cloudpartner-test-'));
}

export interface TestServerOptions {
  demo?: boolean;
  logger?: Logger;
  /** Publishing step duration, ms (default 20: a publish completes in well under a second). */
  stepMs?: number;
  stepDurations?: StepDurations;
  identity?: IdentityOptions;
  /** More options for buildApp (connection limits, rate limit…). */
  app?: Partial<Omit<AppOptions, 'store'>>;
  /** Wraps the store the app uses (to slow it down or make it fail). */
  wrapStore?: (store: Store) => Store;
}

export async function startTestServer(transport: Transport, options: TestServerOptions = {}): Promise<TestServer> {
  const backend = await openTestStore();
  const { store, dataDir } = backend;
  if (options.demo !== false) await loadDemoData(store);
  const app = await buildApp({
    store: options.wrapStore ? options.wrapStore(store) : store,
    stepDurations: options.stepDurations ?? fixedDurations(options.stepMs ?? 20),
    workflowPollMs: 50,
    ...(options.identity ? { identity: options.identity } : {}),
    ...options.app,
    ...(options.logger ? { logger: options.logger } : captureLogger()),
  });
  let baseUrl = '';
  if (transport === 'http') {
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    if (!options.identity?.publicUrl) app.tokens.setPublicUrl(baseUrl);
  } else await app.ready();

  // Every answer is checked against what its route declares (status and body schema).
  const checkWire = wireChecker(app);
  const declared = (method: string, path: string, res: Response): Response => {
    const problem = checkWire(method, path, res.status, res.text);
    if (problem) throw new Error(`wire check: ${problem}\n${res.text.slice(0, 2000)}`);
    return res;
  };

  const tokenFor = async (publisherIds: string[], role: Role) => (await createAccessToken(store, { publisherIds, role })).token;
  const ownerToken = options.demo === false ? '' : await tokenFor(['contoso'], 'Owner');

  const call = async (path: string, callOptions: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...callOptions.headers };
    const token = callOptions.token === undefined ? ownerToken : callOptions.token;
    if (token !== null && token !== '' && headers['authorization'] === undefined) headers['authorization'] = `Bearer ${token}`;
    const method = callOptions.method ?? 'GET';
    if (transport === 'inject') {
      const res = await app.inject({ method: method as 'GET', url: path, headers, ...(callOptions.body !== undefined ? { payload: callOptions.body } : {}) });
      recordAuthorization(headers['authorization'], res.statusCode);
      recordRequestBody(callOptions.body, res.statusCode);
      recordResponse('inject', method, path, res.statusCode, res.body);
      if (method === 'PUT' && res.statusCode < 300) recordAcknowledgedDocument(callOptions.body);
      return declared(method, path, response(res.statusCode, res.headers as Record<string, string | string[] | number | undefined>, res.body));
    }
    const res = await fetch(baseUrl + path, { method, headers, ...(callOptions.body !== undefined ? { body: callOptions.body } : {}) });
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => (out[key] = value));
    return declared(method, path, response(res.status, out, await res.text()));
  };

  return {
    store,
    app,
    dataDir,
    ...(backend.databaseUrl ? { databaseUrl: backend.databaseUrl } : {}),
    storedText: backend.storedText,
    ownerToken,
    baseUrl,
    call,
    tokenFor,
    sandboxAdminToken: async () => (await createAccessToken(store, { sandboxAdmin: true })).token,
    async close() {
      await app.close();
      await backend.close();
    },
  };
}

function response(status: number, rawHeaders: Record<string, string | string[] | number | undefined>, text: string): Response {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawHeaders)) if (value !== undefined) headers[key.toLowerCase()] = String(value);
  return {
    status,
    headers,
    text,
    json: () => JSON.parse(text),
  };
}

/** Asserts the error shape every error response must have, and returns the code. */
export function errorCode(res: Response): string {
  const body = res.json();
  if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string' || Object.keys(body).length !== 1) {
    throw new Error(`not an error body: ${res.text}`);
  }
  if (!res.headers['content-type']?.startsWith('application/json')) throw new Error(`error without JSON content type: ${res.headers['content-type']}`);
  return body.error.code;
}
