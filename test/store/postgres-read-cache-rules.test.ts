/**
 * The rules of the PostgreSQL read cache (src/store/postgres/read-cache.ts, D85), with the
 * validation query replaced by a function the test answers by hand: which reads share a
 * validation, which must wait for a new one, and which results are kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadCache } from '../../src/store/postgres/read-cache.ts';

/** A validation query the test answers: each call is one query on the wire. */
function manualEpoch() {
  const pending: Array<{ resolve: (epoch: string) => void; reject: (error: unknown) => void }> = [];
  return {
    pending,
    read: () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
    answer(epoch: string) {
      pending.shift()!.resolve(epoch);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PostgreSQL read cache rules', () => {
  it('a hit waits for a validation sent after it began; reads that began while one was on the wire share the next', async () => {
    const epoch = manualEpoch();
    const cache = new ReadCache(epoch.read);
    cache.store('5', 'k', 'value');

    const first = cache.get<string>('k');
    await settle();
    assert.equal(epoch.pending.length, 1, 'one validation on the wire');
    // three reads begin while it is on the wire: none may use it
    const later = [cache.get<string>('k'), cache.get<string>('k'), cache.get<string>('k')];
    await settle();
    assert.equal(epoch.pending.length, 1, 'they wait, not send');
    epoch.answer('5');
    assert.equal(await first, 'value');
    await settle();
    assert.equal(epoch.pending.length, 1, 'the next validation went out for the three of them');
    epoch.answer('5');
    assert.deepEqual(await Promise.all(later), ['value', 'value', 'value']);
    assert.equal(cache.stats.validations, 2);
  });

  it('a moved epoch drops everything before the waiting reads go on', async () => {
    const epoch = manualEpoch();
    const cache = new ReadCache(epoch.read);
    cache.store('5', 'a', 'A');
    cache.store('5', 'b', 'B');
    const read = cache.get<string>('a');
    await settle();
    epoch.answer('6');
    assert.equal(await read, undefined, 'a miss: read the database');
    assert.equal(cache.has('b'), false);
    // an epoch going back (a restored database) drops it too
    cache.store('6', 'a', 'A6');
    const again = cache.get<string>('a');
    await settle();
    epoch.answer('3');
    assert.equal(await again, undefined);
  });

  it('a read mark: one validation sent after the mark serves every read of the request, none sent before it does', async () => {
    const epoch = manualEpoch();
    const cache = new ReadCache(epoch.read);
    cache.store('1', 'k', 'value');
    // a validation goes out before the request arrives
    const earlier = cache.validated();
    await settle();
    const mark = cache.mark();
    const read = cache.get<string>('k', mark);
    epoch.answer('1');
    await earlier;
    await settle();
    assert.equal(epoch.pending.length, 1, 'the earlier validation does not vouch for the request: another goes out');
    epoch.answer('1');
    assert.equal(await read, 'value');
    // later reads of the same request need no query
    assert.equal(await cache.get<string>('k', mark), 'value');
    assert.equal(await cache.get<string>('k', mark), 'value');
    assert.equal(epoch.pending.length, 0);
    // a new request does
    const next = cache.get<string>('k', cache.mark());
    await settle();
    assert.equal(epoch.pending.length, 1);
    epoch.answer('1');
    assert.equal(await next, 'value');
  });

  it('a result read at an older epoch than the cache is served but not kept; a newer one replaces the cache', () => {
    const cache = new ReadCache(async () => '0');
    cache.store('10', 'a', 'A10');
    assert.equal(cache.store('9', 'b', 'B9'), 'B9');
    assert.equal(cache.has('b'), false);
    assert.equal(cache.has('a'), true);
    cache.store('11', 'b', 'B11');
    assert.equal(cache.has('a'), false, 'entries of the older epoch are gone');
    assert.equal(cache.has('b'), true);
  });

  it('drop() forgets what was validated: the next read of a request marked before it validates again', async () => {
    const epoch = manualEpoch();
    const cache = new ReadCache(epoch.read);
    const mark = cache.mark();
    const validated = cache.validated();
    await settle();
    epoch.answer('2');
    await validated;
    cache.store('2', 'k', 'value');
    cache.drop();
    cache.store('2', 'k', 'value');
    const read = cache.get<string>('k', mark);
    await settle();
    assert.equal(epoch.pending.length, 1);
    epoch.answer('3');
    assert.equal(await read, undefined);
  });

  it('a validation that lost its connection is tried again; a statement error is not', async () => {
    let calls = 0;
    const lost = new ReadCache(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      return '1';
    });
    await lost.validated();
    assert.equal(calls, 2);
    const broken = new ReadCache(async () => {
      throw Object.assign(new Error('relation "cache_epochs" does not exist'), { code: '42P01' });
    });
    await assert.rejects(broken.validated(), /does not exist/);
  });
});
