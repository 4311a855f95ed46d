/**
 * The PostgreSQL read cache across instances (D85): two app instances in this process, each with
 * its own store and pool, on one PostgreSQL database, called over real sockets. Whatever one
 * instance (or psql) commits, the other serves on the next request — the draft, the list,
 * versions, slots, status and tokens — with its connections killed too; and a burst of
 * interleaved writes and reads through both never answers an older ETag than one already
 * acknowledged. No outcome depends on timing: waits poll for a condition.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/http/app.ts';
import { createAccessToken, hashOf } from '../../src/identity/access-tokens.ts';
import { loadDemoData } from '../../src/demo/demo-data.ts';
import { openStore } from '../../src/store/open.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { fixedDurations } from '../../src/workflow/durations.ts';
import { API, makeDataDir } from '../helpers/harness.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/wait.ts';

interface Instance {
  name: string;
  url: string;
  store: Store;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  etag: string | null;
  location: string | null;
  body: string;
}

describe('PostgreSQL read cache: two instances on one database', () => {
  let database: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  let a: Instance;
  let b: Instance;
  let token: string;
  const dirs: string[] = [];
  const secretKey = randomBytes(32).toString('base64');

  const startInstance = async (name: string): Promise<Instance> => {
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    const url = `${database.url}${database.url.includes('?') ? '&' : '?'}application_name=${name}`;
    const store = await openStore({ dataDir, databaseUrl: url, secretKey });
    const app = await buildApp({ store, stepDurations: fixedDurations(10), workflowPollMs: 20 });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      name,
      url: base,
      store,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  };

  const call = async (instance: Instance, path: string, init: { method?: string; body?: unknown; ifMatch?: string; token?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? token}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.ifMatch !== undefined) headers['if-match'] = init.ifMatch;
    const res = await fetch(instance.url + path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, etag: res.headers.get('etag'), location: res.headers.get('location'), body: await res.text() };
  };
  const offer = (id: string, suffix = '') => `/api/publishers/contoso/offers/${id}${suffix}?${API}`;
  const list = `/api/publishers/contoso/offers?${API}`;
  const titled = (id: string, title: string) => {
    const document = publishableOffer(id);
    document['definition'].displayText = title;
    return document;
  };
  const titleIn = (body: string, id: string): string | undefined => {
    const parsed = JSON.parse(body) as { id?: string; definition: { displayText: string } } | Array<{ id: string; definition: { displayText: string } }>;
    return Array.isArray(parsed) ? parsed.find((entry) => entry.id === id)?.definition.displayText : parsed.definition.displayText;
  };

  before(async () => {
    database = await createDatabase(await startPostgres());
    a = await startInstance('cloudpartner-a');
    b = await startInstance('cloudpartner-b');
    await loadDemoData(a.store);
    token = (await createAccessToken(a.store, { publisherIds: ['contoso'], role: 'Owner' })).token;
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a write on A is served by B on the next request: the draft, the list, the ETag — and B had them cached', async () => {
    const id = 'cache-ryw';
    let etag = (await call(a, offer(id), { method: 'PUT', body: titled(id, 'first') })).etag!;
    for (let round = 0; round < 6; round++) {
      const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
      // the reader has the current state cached (read twice: the second is a hit)
      for (let i = 0; i < 2; i++) {
        await call(reader, offer(id));
        await call(reader, list);
      }
      const written = await call(writer, offer(id), { method: 'PUT', body: titled(id, `round ${round}`), ifMatch: etag });
      assert.equal(written.status, 200, written.body);
      etag = written.etag!;
      const read = await call(reader, offer(id));
      assert.equal(read.etag, etag);
      assert.equal(titleIn(read.body, id), `round ${round}`);
      assert.equal(titleIn((await call(reader, list)).body, id), `round ${round}`, 'the list too');
    }
    const stats = (b.store as PostgresStore).cacheStats;
    assert.ok(stats.hits > 0 && stats.validations > 0 && stats.drops > 0, JSON.stringify(stats));
  });

  it('publish and go-live observed on one instance are seen by the other at once: status, versions, slots', async () => {
    const id = 'cache-publish';
    assert.equal((await call(a, offer(id), { method: 'PUT', body: titled(id, 'to publish') })).status, 200);
    const same = async (path: string, first: Instance, second: Instance, what: string) => {
      const seen = await call(first, path);
      const then = await call(second, path);
      assert.equal(then.status, seen.status, `${what}: status on ${second.name}`);
      assert.equal(then.body, seen.body, `${what}: body on ${second.name}`);
      assert.equal(then.etag, seen.etag, `${what}: ETag on ${second.name}`);
    };
    const warm = async (instance: Instance) => {
      for (let i = 0; i < 2; i++)
        for (const suffix of ['', '/slot/Preview', '/slot/Production', '/versions/1', '/status']) await call(instance, offer(id, suffix));
    };
    const statusOf = async (instance: Instance) => (JSON.parse((await call(instance, offer(id))).body) as { status: string }).status;

    for (const [action, slot, observer, other] of [
      ['publish', '/slot/Preview', a, b],
      ['golive', '/slot/Production', b, a],
    ] as const) {
      await warm(other);
      const before = await statusOf(other);
      const started = await call(observer, offer(id, `/${action}`), { method: 'POST' });
      assert.equal(started.status, 202, started.body);
      // the workflow runs on either instance; poll the observer until the operation is over …
      const location = new URL(started.location!, observer.url);
      await until(
        `${action} on ${observer.name}`,
        async () => JSON.parse((await call(observer, location.pathname + location.search)).body) as { status: string },
        (operation) => operation.status !== 'running',
      );
      assert.equal((await call(observer, offer(id, slot))).status, 200);
      // … and the other instance, which had the old state cached, agrees on its next request
      for (const suffix of [slot, '', '/versions/1', '/versions/2']) await same(offer(id, suffix), observer, other, `${action} ${suffix || 'draft'}`);
      assert.deepEqual(await statusOf(other), await statusOf(observer));
      assert.notEqual(await statusOf(other), before);
      assert.equal(titleIn((await call(other, list)).body, id), 'to publish');
    }
  });

  it("B's connections killed (pg_terminate_backend): B's next read is still fresh", async () => {
    const id = 'cache-killed';
    let etag = (await call(a, offer(id), { method: 'PUT', body: titled(id, 'before') })).etag!;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) await call(b, offer(id)); // cached on B
      const pids = (await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'cloudpartner-b'")).rows.map(
        (row) => row.pid,
      );
      assert.ok(pids.length > 0, 'B had connections');
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      await until(
        "B's killed connections gone",
        async () => (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)', [pids])).rows[0].n as number,
        (n) => n === 0,
      );
      const written = await call(a, offer(id), { method: 'PUT', body: titled(id, `after ${round}`), ifMatch: etag });
      assert.equal(written.status, 200, written.body);
      etag = written.etag!;
      const read = await call(b, offer(id));
      assert.equal(read.status, 200, read.body);
      assert.equal(read.etag, etag);
      assert.equal(titleIn(read.body, id), `after ${round}`);
    }
  });

  it('a commit made outside any instance (psql revoking a token) is seen by both on the next request', async () => {
    const revocable = (await createAccessToken(a.store, { publisherIds: ['contoso'], role: 'Reader' })).token;
    for (const instance of [a, b, a, b]) assert.equal((await call(instance, list, { token: revocable })).status, 200);
    const revoked = await admin.query("UPDATE access_tokens SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE token_hash = $1", [hashOf(revocable)]);
    assert.equal(revoked.rowCount, 1);
    for (const instance of [a, b]) assert.equal((await call(instance, list, { token: revocable })).status, 401, `revoked on ${instance.name}`);
  });

  it('a burst of writes and reads through both instances never answers an older ETag after a newer one was acknowledged', async () => {
    const id = 'cache-burst';
    const WRITES = 120;
    const first = await call(a, offer(id), { method: 'PUT', body: titled(id, 'write 0') });
    /** ETag of write k → k, and when write k was acknowledged (performance.now()). */
    const order = new Map<string, number>([[first.etag!, 0]]);
    const acknowledgedAt: number[] = [performance.now()];
    const reads: Array<{ loop: number; instance: string; path: string; startedAt: number; seen: number }> = [];
    let writing = true;

    const writer = async () => {
      let etag = first.etag!;
      for (let k = 1; k <= WRITES; k++) {
        const written = await call(k % 2 === 0 ? a : b, offer(id), { method: 'PUT', body: titled(id, `write ${k}`), ifMatch: etag });
        assert.equal(written.status, 200, written.body);
        etag = written.etag!;
        order.set(etag, k);
        acknowledgedAt[k] = performance.now();
      }
      writing = false;
    };
    const reader = async (loop: number, instance: Instance, path: string) => {
      while (writing) {
        const startedAt = performance.now();
        const read = await call(instance, path);
        assert.equal(read.status, 200, read.body);
        const title = titleIn(read.body, id)!;
        const seen = Number(/^write (\d+)$/.exec(title)![1]);
        if (path !== list) assert.equal(order.get(read.etag!) ?? seen, seen, 'the ETag is the one of the document served');
        reads.push({ loop, instance: instance.name, path, startedAt, seen });
      }
    };
    await Promise.all([writer(), reader(1, a, offer(id)), reader(2, b, offer(id)), reader(3, a, list), reader(4, b, list), reader(5, b, offer(id))]);

    assert.ok(reads.length > WRITES, `${reads.length} reads`);
    for (const read of reads) {
      // the newest write acknowledged before this read began
      let newest = 0;
      while (newest + 1 < acknowledgedAt.length && acknowledgedAt[newest + 1]! < read.startedAt) newest++;
      assert.ok(read.seen >= newest, `${read.instance} ${read.path} began after write ${newest} was acknowledged and answered write ${read.seen}`);
    }
    // and no reader, one read after another, ever went backwards
    for (let loop = 1; loop <= 5; loop++) {
      const seen = reads.filter((read) => read.loop === loop).map((read) => read.seen);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `reader ${loop}: write ${seen[i - 1]} then write ${seen[i]}`);
    }
  });
});
