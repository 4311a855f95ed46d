/**
 * `cloudpartner migrate-store --from <data dir> --to postgres://…`, as a real process: afterwards
 * PostgreSQL serves every document, version, slot, operation and token exactly as the embedded
 * store did, secret values included.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID, loadDemoData } from '../../src/demo/demo-data.ts';
import { buildApp } from '../../src/http/app.ts';
import { createAccessToken, hashToken } from '../../src/identity/access-tokens.ts';
import { loadSecretKey, openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { fixedDurations } from '../../src/workflow/durations.ts';
import { API, makeDataDir } from '../helpers/harness.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { cleanEnv, runCli } from '../helpers/processes.ts';

const MARKETO = 'microsoft-azure-marketplace.marketoLeadConfiguration';

/** Every GET a client can make of an offer, as served by an app on `store`. */
async function everything(store: Store, token: string, offerIds: string[]): Promise<Record<string, string>> {
  const app = await buildApp({ store, stepDurations: fixedDurations(10) });
  await app.ready();
  const bodies: Record<string, string> = {};
  const get = async (path: string) => {
    const res = await app.inject({ method: 'GET', url: `${path}?${API}`, headers: { authorization: `Bearer ${token}` } });
    bodies[path] = `${res.statusCode} ${res.headers['etag'] ?? ''} ${res.body}`;
    return res;
  };
  await get('/api/publishers');
  await get('/api/publishers/contoso/offers');
  for (const id of offerIds) {
    const base = `/api/publishers/contoso/offers/${id}`;
    const draft = JSON.parse((await get(base)).body);
    for (let version = 1; version <= draft.version; version++) await get(`${base}/versions/${version}`);
    for (const slot of ['Draft', 'Preview', 'Production']) await get(`${base}/slot/${slot}`);
    await get(`${base}/submissions`);
    await get(`${base}/status`);
  }
  await app.close();
  // progressPercentage of finished steps is stable; nothing here is time-dependent
  return bodies;
}

describe('migrate-store: embedded database → PostgreSQL', () => {
  let dir: string;
  let database: { url: string; drop(): Promise<void> };
  let token: string;
  let before_: Record<string, string>;
  const offers = [DEMO_OFFER_ID, 'migrated-offer'];

  before(async () => {
    dir = join(makeDataDir(), 'data');
    database = await createDatabase(await startPostgres());
    const source = await openStore({ dataDir: dir });
    await loadDemoData(source);
    token = (await createAccessToken(source, { publisherIds: ['contoso'], role: 'Owner' })).token;
    // an offer of our own, with a secret, published once through the real workflow
    const app = await buildApp({ store: source, stepDurations: fixedDurations(5), workflowPollMs: 20 });
    await app.ready();
    const document = publishableOffer('migrated-offer');
    document['definition'].offer[MARKETO] = { clientId: 'cid', clientSecret: 'MIGRATED-SECRET' };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const put = await app.inject({ method: 'PUT', url: `/api/publishers/contoso/offers/migrated-offer?${API}`, headers, payload: JSON.stringify(document) });
    assert.equal(put.statusCode, 200);
    const publish = await app.inject({ method: 'POST', url: `/api/publishers/contoso/offers/migrated-offer/publish?${API}`, headers });
    for (let i = 0; i < 200; i++) {
      const operation = JSON.parse((await app.inject({ method: 'GET', url: publish.headers['location'] as string, headers })).body);
      if (operation.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await app.close();
    before_ = await everything(source, token, offers);
    await source.close();
  });
  after(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies everything, and PostgreSQL serves it byte for byte as the embedded store did', async () => {
    const result = runCli(['migrate-store', '--from', dir, '--to', database.url], cleanEnv());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /copied 1 publishers, 2 offers \(7 versions, 7 operations\) and 1 access tokens/);
    assert.match(result.stderr, /CLOUDPARTNER_SECRET_KEY/);

    const target = await openStore({ dataDir: makeDataDir(), databaseUrl: database.url, secretKey: loadSecretKey({ dataDir: dir }).toString('base64') });
    try {
      assert.equal(target.kind, 'postgres');
      const after_ = await everything(target, token, offers);
      assert.deepEqual(Object.keys(after_), Object.keys(before_));
      for (const path of Object.keys(before_)) assert.equal(after_[path], before_[path], path);
      const secrets = await target.getVersionSecrets('contoso', 'migrated-offer', 2);
      assert.deepEqual(secrets, [{ pointer: `/offer/${MARKETO}/clientSecret`, value: 'MIGRATED-SECRET' }]);
      assert.equal((await target.findPrincipalByTokenHash(hashToken(token)))?.grants.get('contoso'), 'Owner');
    } finally {
      await target.close();
    }
  });

  it('refuses to copy onto offers the destination already has, and changes nothing', () => {
    const again = runCli(['migrate-store', '--from', dir, '--to', database.url], cleanEnv());
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already has the offer/);
    assert.equal(again.stdout, '');
  });

  it('explains its usage', () => {
    const result = runCli(['migrate-store', '--from', dir], cleanEnv());
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: cloudpartner migrate-store/);
  });
});
