/**
 * The read caches hold a bounded amount (D101): past the bytes budget — documents weigh their
 * JSON text — they start over, so reading every offer of a large catalog once cannot keep them
 * all in memory. Checked on the rule itself, on the PostgreSQL read cache and on the SQLite store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CacheBudget, MAX_CACHED_ENTRIES, cachedBytes } from '../../src/store/cache-budget.ts';
import { ReadCache } from '../../src/store/postgres/read-cache.ts';
import { DATABASE_FILE } from '../../src/store/open.ts';
import { SecretBox } from '../../src/store/secret-box.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { makeDataDir } from '../helpers/harness.ts';

const document = (bytes: number) => ({ version: 1, definitionJson: `"${'x'.repeat(bytes - 2)}"`, changedTime: '2020-01-01T00:00:00.0000000Z' });

describe('read cache budget', () => {
  it('weighs a document by its JSON text, kept twice, and a list by its rows', () => {
    assert.ok(cachedBytes(document(10_000)) >= 20_000);
    assert.ok(cachedBytes(document(10_000)) < cachedBytes(document(20_000)));
    assert.ok(cachedBytes([{}, {}, {}]) > cachedBytes([{}]));
    assert.ok(cachedBytes(null) > 0);
  });

  it('asks to start over when one more value would pass the bytes or the entries bound, never for the first', () => {
    const budget = new CacheBudget(50_000);
    assert.equal(budget.admit(0, document(30_000)), false, 'a value larger than the budget is still kept alone');
    assert.equal(budget.admit(1, document(10_000)), true);
    // The cache now holds that value alone, and the count restarted with it.
    assert.equal(budget.admit(1, document(10_000)), false);
    assert.equal(budget.admit(2, document(10_000)), true);
    budget.reset();
    assert.equal(budget.admit(0, null), false);
    assert.equal(budget.admit(MAX_CACHED_ENTRIES, null), true, 'the entries bound still holds');
  });

  it('the PostgreSQL read cache forgets everything once its budget is spent', () => {
    const cache = new ReadCache(async () => '1', 50_000);
    cache.store('1', 'a', document(10_000));
    cache.store('1', 'b', document(10_000));
    assert.ok(cache.has('a') && cache.has('b'));
    cache.store('1', 'c', document(10_000));
    assert.deepEqual([cache.has('a'), cache.has('b'), cache.has('c')], [false, false, true]);
  });

  describe('the SQLite store', () => {
    let dataDir: string;
    let store: SqliteStore;
    before(async () => {
      dataDir = makeDataDir();
      store = new SqliteStore({ file: join(dataDir, DATABASE_FILE), secrets: new SecretBox(randomBytes(32)), cacheBytes: 50_000 });
      await store.migrate();
      await store.createPublisher({ id: 'acme', version: 1, displayText: 'acme', offerTypeCategories: [], sellerId: 1 });
      for (const id of ['a', 'b', 'c']) {
        await store.importOffer({
          publisherId: 'acme',
          id,
          offerTypeId: 'microsoft-azure-corevm',
          status: 'neverPublished',
          previewVersion: null,
          productionVersion: null,
          createdTime: '2020-01-01T00:00:00.0000000Z',
          changedTime: '2020-01-01T00:00:00.0000000Z',
          versions: [{ version: 1, definition: { displayText: id, long: 'x'.repeat(10_000) }, changedTime: '2020-01-01T00:00:00.0000000Z' }],
        });
      }
    });
    after(async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves a document from the cache until reading others spends the budget, then reads it again', async () => {
      const misses = () => store.cacheCounts()[0]!.misses;
      await store.getOfferVersion('acme', 'a', 1);
      const afterFirst = misses();
      await store.getOfferVersion('acme', 'a', 1);
      assert.equal(misses(), afterFirst, 'the second read is a hit');
      await store.getOfferVersion('acme', 'b', 1); // 2 × ~20 KB: within 50 KB
      await store.getOfferVersion('acme', 'a', 1);
      assert.equal(misses(), afterFirst + 1, 'a is still cached beside b');
      await store.getOfferVersion('acme', 'c', 1); // a third document passes the budget: the cache starts over
      await store.getOfferVersion('acme', 'a', 1);
      assert.equal(misses(), afterFirst + 3, 'a was read again');
      assert.equal((await store.getOfferVersion('acme', 'a', 1))?.version, 1);
    });
  });
});
