/**
 * Races test/http/concurrency.test.ts does not cover: sustained optimistic concurrency (100
 * writers that retry until each has won once: exactly one winner per ETag, no lost update),
 * concurrent creates of one new offer (one winner when create-only; one after another otherwise), and publishes racing draft edits (the frozen
 * version is exactly one acknowledged draft, with its own secret).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, TEST_STORE, errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put } from '../helpers/offers.ts';

const MARKETO = 'microsoft-azure-marketplace.marketoLeadConfiguration';

function document(id: string, text: string, secret?: string): Record<string, any> {
  const result = publishableOffer(id);
  result['definition'].displayText = text;
  if (secret) result['definition'].offer[MARKETO] = { clientId: 'race', clientSecret: secret, munchkinId: '1' };
  return result;
}

describe(`races (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http', { stepMs: 60_000 })));
  after(async () => server.close());

  it('100 writers, each retrying GET → PUT If-Match until it wins once: every ETag has exactly one winner, and no update is lost', async () => {
    const id = 'etag-chain';
    const created = await put(server, id, document(id, 'start'));
    assert.equal(created.status, 200);
    const wins: Array<{ writer: number; ifMatch: string; etag: string; attempts: number }> = [];
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 100 }, async (_, writer) => {
        for (let attempts = 1; ; attempts++) {
          const current = await server.call(offerPath(id));
          const ifMatch = current.headers['etag']!;
          const res = await put(server, id, document(id, `writer ${writer}`), ifMatch);
          if (res.status === 200) {
            wins.push({ writer, ifMatch, etag: res.headers['etag']!, attempts });
            return;
          }
          assert.equal(res.status, 412, res.text);
          assert.equal(errorCode(res), 'PreconditionFailed');
          conflicts++;
          assert.ok(attempts < 500, `writer ${writer} never won`);
        }
      }),
    );
    assert.equal(wins.length, 100);
    // Exactly one winner per ETag: no two writes were accepted against the same ETag.
    assert.equal(new Set(wins.map((win) => win.ifMatch)).size, 100, 'two writers won with one ETag: an update was lost');
    // The wins form one chain from the created offer's ETag: each built on the one before.
    const byIfMatch = new Map(wins.map((win) => [win.ifMatch, win]));
    let at = created.headers['etag']!;
    const chain: number[] = [];
    while (byIfMatch.has(at)) {
      const win = byIfMatch.get(at)!;
      chain.push(win.writer);
      at = win.etag;
    }
    assert.equal(chain.length, 100, 'the accepted writes form one chain, each on its predecessor');
    const stored = await server.call(offerPath(id));
    assert.equal(stored.headers['etag'], at, 'the stored ETag is the last link');
    assert.equal(stored.json().definition.displayText, `writer ${chain.at(-1)}`, 'the stored draft is the last winner');
    assert.ok(conflicts > 0, 'the writers did race');
  });

  it('50 concurrent creates of one new offer: with If-None-Match: * one 200 and 49 × 412; without a condition (or If-Match: *) 50 × 200, one after another', async () => {
    const createOnly = 'create-race-only';
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.call(offerPath(createOnly), {
          method: 'PUT',
          body: JSON.stringify(document(createOnly, `creator ${i}`)),
          headers: { 'content-type': 'application/json', 'if-none-match': '*' },
        }),
      ),
    );
    const statuses = results.map((res) => res.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 412).length, 49, statuses.join(','));
    const winner = results.find((res) => res.status === 200)!;
    assert.deepEqual((await server.call(offerPath(createOnly))).json(), winner.json(), 'the offer is the one created');

    for (const [id, ifMatch] of [
      ['create-race', undefined],
      ['create-race-star', '*'],
    ] as const) {
      const writes = await Promise.all(Array.from({ length: 50 }, (_, i) => put(server, id, document(id, `creator ${i}`), ifMatch)));
      assert.deepEqual([...new Set(writes.map((res) => res.status))], [200], writes.map((res) => res.status).join(','));
      assert.equal(new Set(writes.map((res) => res.headers['etag'])).size, 50, 'each write applied whole, one after another: 50 ETags');
      const stored = await server.call(offerPath(id));
      assert.equal(stored.json().version, 1);
      const last = writes.find((res) => res.headers['etag'] === stored.headers['etag']);
      assert.ok(last, 'the stored draft is one acknowledged write');
      assert.deepEqual(stored.json(), last.json(), 'the last writer won');
      const list = (await server.call(`/api/publishers/contoso/offers?${API}`)).json().filter((offer: any) => offer.id === id);
      assert.equal(list.length, 1, 'one offer');
    }
  });

  it('--put-mode documented: 50 concurrent creates → one 201 and 49 × 409 InvalidResourceId; with If-Match: * one 201 and 49 × 200', async () => {
    const documented = await startTestServer('http', { stepMs: 60_000, demo: true, app: { putMode: 'documented' } });
    try {
      for (const [id, ifMatch, others] of [
        ['create-race', undefined, 409],
        ['create-race-star', '*', 200],
      ] as const) {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => put(documented, id, document(id, `creator ${i}`), ifMatch)));
        const statuses = results.map((res) => res.status);
        assert.equal(statuses.filter((status) => status === 201).length, 1, statuses.join(','));
        assert.equal(statuses.filter((status) => status === others).length, 49, statuses.join(','));
        if (others === 409) for (const res of results.filter((r) => r.status === 409)) assert.equal(errorCode(res), 'InvalidResourceId');
        const stored = await documented.call(offerPath(id));
        assert.equal(stored.json().version, 1);
        const winner = results.find((res) => res.status === 201)!;
        if (others === 409) assert.deepEqual(stored.json(), winner.json(), 'the offer is the one created');
        const list = (await documented.call(`/api/publishers/contoso/offers?${API}`)).json().filter((offer: any) => offer.id === id);
        assert.equal(list.length, 1, 'one offer');
      }
    } finally {
      await documented.close();
    }
  });

  it("publishes racing draft edits: each frozen version is exactly one acknowledged draft, with that draft's secret", async () => {
    for (let round = 0; round < 5; round++) {
      const id = `publish-vs-edit-${round}`;
      assert.equal((await put(server, id, document(id, 'v0', 'secret-0'))).status, 200);
      const acknowledged = new Map<string, string>([['v0', 'secret-0']]);
      const writes: Array<Promise<Response>> = [];
      let publish: Promise<Response> | undefined;
      for (let i = 1; i <= 20; i++) {
        writes.push(
          put(server, id, document(id, `v${i}`, `secret-${i}`), '*').then((res) => {
            if (res.status === 200) acknowledged.set(`v${i}`, `secret-${i}`);
            return res;
          }),
        );
        if (i === 10) publish = post(server, id, 'publish');
      }
      const results = await Promise.all(writes);
      for (const res of results) assert.equal(res.status, 200, res.text);
      const published = await publish!;
      assert.equal(published.status, 202, published.text);
      const frozenVersion = published.json().publishingVersion;
      assert.equal(frozenVersion, 1);
      const frozen = (await server.call(offerPath(id, `/versions/${frozenVersion}`))).json();
      const text = frozen.definition.displayText as string;
      assert.ok(acknowledged.has(text), `the frozen version holds ${text}, which no PUT was acknowledged for`);
      const secrets = await server.store.getVersionSecrets('contoso', id, frozenVersion);
      assert.deepEqual(
        secrets.map((secret) => secret.value),
        [acknowledged.get(text)],
        `version ${frozenVersion} (${text}) has another draft's secret`,
      );
      // The draft went on as version 2 and holds the last write.
      const draft = (await server.call(offerPath(id))).json();
      assert.equal(draft.version, 2);
      const draftSecrets = await server.store.getVersionSecrets('contoso', id, 2);
      assert.deepEqual(
        draftSecrets.map((secret) => secret.value),
        [acknowledged.get(draft.definition.displayText)],
      );
      assert.equal((await post(server, id, 'cancel')).status, 200);
    }
  });
});
