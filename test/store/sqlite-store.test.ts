/** The SQLite store against real files: caching across connections and processes, migrations, sealing. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { hashToken } from '../../src/identity/access-tokens.ts';
import { SecretBox } from '../../src/store/secret-box.ts';
import { loadSecretKey, openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { makeDataDir } from '../helpers/harness.ts';

const publisher = (id: string) => ({ id, version: 1, displayText: id, offerTypeCategories: [], sellerId: 1 });
const snapshot = (id: string, displayText: string) => ({
  publisherId: 'acme',
  id,
  offerTypeId: 'microsoft-azure-corevm',
  status: 'neverPublished' as const,
  previewVersion: null,
  productionVersion: null,
  createdTime: '2020-01-01T00:00:00.0000000Z',
  changedTime: '2020-01-01T00:00:00.0000000Z',
  versions: [{ version: 1, definition: { displayText }, changedTime: '2020-01-01T00:00:00.0000000Z' }],
});

describe('SQLite store', () => {
  let dataDir: string;
  let first: Store;
  let second: Store;

  before(async () => {
    dataDir = makeDataDir();
    [first, second] = await Promise.all([openStore({ dataDir }), openStore({ dataDir })]);
  });
  after(async () => {
    await first.close();
    await second.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrating again, from several stores at once, is harmless', async () => {
    await Promise.all([first.migrate(), second.migrate(), first.migrate()]);
    assert.equal(await first.createPublisher(publisher('acme')), true);
    assert.equal(await second.createPublisher(publisher('acme')), false);
  });

  it('a cached read sees a write committed through another connection', async () => {
    assert.deepEqual(await first.listOffers('acme', {}), []);
    assert.equal(await first.getOffer('acme', 'one'), null);
    await second.importOffer(snapshot('one', 'One'));
    assert.deepEqual(
      (await first.listOffers('acme', {})).map((offer) => offer.id),
      ['one'],
    );
    assert.equal((await first.getOffer('acme', 'one'))?.displayText, 'One');
  });

  it('a cached read sees a write committed by another process', async () => {
    assert.equal(await first.findPrincipalByTokenHash(hashToken('cpat_from-another-process')), null);
    const script = `
      import { openStore } from './src/store/open.ts';
      import { hashToken } from './src/identity/access-tokens.ts';
      const store = await openStore({ dataDir: ${JSON.stringify(dataDir)} });
      await store.createAccessToken({ id: 'other-process', tokenHash: hashToken('cpat_from-another-process'), description: '',
        grants: [{ publisherId: 'acme', role: 'Reader' }], createdAt: new Date().toISOString(), expiresAt: null });
      await store.close();`;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname });
    const principal = await first.findPrincipalByTokenHash(hashToken('cpat_from-another-process'));
    assert.equal(principal?.id, 'other-process');
    assert.equal(principal?.grants.get('acme'), 'Reader');
  });

  it('importing an offer that exists fails and changes nothing', async () => {
    await assert.rejects(first.importOffer(snapshot('one', 'Changed')));
    assert.equal((await second.getOffer('acme', 'one'))?.displayText, 'One');
  });

  it("a token's expiry comes back with it, cached or not (whether it has expired, the authenticator decides on the server clock)", async () => {
    const expiresAt = '2030-01-01T00:00:00.000Z';
    await first.createAccessToken({
      id: 'short',
      tokenHash: hashToken('cpat_short'),
      description: '',
      grants: [],
      createdAt: '2029-12-31T00:00:00.000Z',
      expiresAt,
    });
    for (const store of [first, first, second]) assert.equal((await store.findPrincipalByTokenHash(hashToken('cpat_short')))?.expiresAt, Date.parse(expiresAt));
  });
});

describe('secret sealing', () => {
  it('round-trips, uses a fresh nonce each time, and detects tampering', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('hunter2');
    assert.equal(box.open(sealed), 'hunter2');
    assert.notEqual(box.seal('hunter2'), sealed);
    const parts = sealed.split(':');
    parts[3] = Buffer.from('hunter3').toString('base64');
    assert.throws(() => box.open(parts.join(':')));
    assert.throws(() => new SecretBox(randomBytes(32)).open(sealed));
  });

  it('generates a key into the data directory once and reuses it', () => {
    const dataDir = makeDataDir();
    try {
      const key = loadSecretKey({ dataDir });
      assert.equal(key.length, 32);
      assert.deepEqual(loadSecretKey({ dataDir }), key);
      const configured = randomBytes(32);
      assert.deepEqual(loadSecretKey({ dataDir, secretKey: configured.toString('base64') }), configured);
      assert.throws(() => loadSecretKey({ dataDir, secretKey: 'c2hvcnQ=' }), /32 bytes/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
