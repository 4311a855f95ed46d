/**
 * Two real cloudpartner processes on one PostgreSQL database: what one instance writes, the other
 * serves at once; conditional writers through both → exactly one wins per ETag; concurrent
 * publishes through both → one operation; a publish started on one, that instance killed with
 * SIGKILL, the other finishes it once the step's lease expires.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API, makeDataDir } from '../helpers/harness.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { BIN, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';

describe('two instances on one PostgreSQL database', () => {
  let dir: string;
  let database: { url: string; drop(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;

  const start = (name: string) =>
    startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--port', '0', '--data-dir', join(dir, name), '--step-duration-ms', '1500', '--log-level', 'warn'],
      env,
    );
  const call = async (server: ServerProcess, path: string, init: RequestInit = {}) => {
    const res = await fetch(server.url + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const offer = (id: string, suffix = '') => `/api/publishers/contoso/offers/${id}${suffix}?${API}`;

  before(async () => {
    dir = makeDataDir();
    database = await createDatabase(await startPostgres());
    env = cleanEnv({ DATABASE_URL: database.url, CLOUDPARTNER_SECRET_KEY: randomBytes(32).toString('base64') });
    [a, b] = await Promise.all([start('a'), start('b')]);
    const created = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Owner'], env);
    assert.equal(created.status, 0, created.stderr);
    token = created.stdout.trim();
  });
  after(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both started on one empty database: migrated once, demo data loaded once', async () => {
    const fromA = JSON.parse((await call(a, `/api/publishers/contoso/offers?${API}`)).body);
    const fromB = JSON.parse((await call(b, `/api/publishers/contoso/offers?${API}`)).body);
    assert.equal(fromA.length, 1);
    assert.deepEqual(fromB, fromA);
  });

  it('a write through one instance is served by the other at once', async () => {
    const id = 'scale-read-your-writes';
    const created = await call(a, offer(id), { method: 'PUT', body: JSON.stringify(publishableOffer(id)) });
    assert.equal(created.status, 200);
    let etag = created.headers.get('etag')!;
    for (let round = 0; round < 10; round++) {
      const document = publishableOffer(id);
      document['definition'].displayText = `round ${round}`;
      const writer = round % 2 === 0 ? a : b;
      const reader = round % 2 === 0 ? b : a;
      const written = await call(writer, offer(id), { method: 'PUT', body: JSON.stringify(document), headers: { 'if-match': etag } });
      assert.equal(written.status, 200, written.body);
      etag = written.headers.get('etag')!;
      const read = await call(reader, offer(id));
      assert.equal(JSON.parse(read.body).definition.displayText, `round ${round}`);
      assert.equal(read.headers.get('etag'), etag);
      const list = JSON.parse((await call(reader, `/api/publishers/contoso/offers?${API}`)).body) as Array<{ id: string; definition: { displayText: string } }>;
      assert.equal(list.find((entry) => entry.id === id)?.definition.displayText, `round ${round}`, 'the list too');
    }
  });

  it('conditional writers on both instances with one ETag: exactly one wins', async () => {
    const id = 'scale-cas';
    const created = await call(a, offer(id), { method: 'PUT', body: JSON.stringify(publishableOffer(id)) });
    const etag = created.headers.get('etag')!;
    const attempts = Array.from({ length: 40 }, (_, index) => {
      const document = publishableOffer(id);
      document['definition'].displayText = `writer ${index}`;
      return call(index % 2 === 0 ? a : b, offer(id), { method: 'PUT', body: JSON.stringify(document), headers: { 'if-match': etag } });
    });
    const results = await Promise.all(attempts);
    const winners = results.filter((result) => result.status === 200);
    assert.equal(winners.length, 1, results.map((result) => result.status).join(','));
    assert.equal(results.filter((result) => result.status === 412).length, 39);
    const stored = JSON.parse((await call(b, offer(id))).body);
    assert.equal(stored.definition.displayText, JSON.parse(winners[0]!.body).definition.displayText);
  });

  it('concurrent publishes through both instances start one operation', async () => {
    const id = 'scale-one-operation';
    await call(b, offer(id), { method: 'PUT', body: JSON.stringify(publishableOffer(id)) });
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => call(index % 2 === 0 ? a : b, offer(id, '/publish'), { method: 'POST' })));
    assert.deepEqual(
      results.map((result) => result.status),
      Array(10).fill(202),
    );
    assert.equal(new Set(results.map((result) => result.headers.get('location'))).size, 1);
    assert.equal(JSON.parse((await call(a, offer(id, '/submissions'))).body).length, 1);
  });

  it('a publish started on one instance, killed with SIGKILL mid-step, is finished by the other', async () => {
    const id = 'scale-takeover';
    await call(a, offer(id), { method: 'PUT', body: JSON.stringify(publishableOffer(id)) });
    const publish = await call(a, offer(id, '/publish'), { method: 'POST' });
    assert.equal(publish.status, 202);
    const location = publish.headers.get('location')!;
    // wait until instance A (or B) is inside a step, then kill A
    const deadline = Date.now() + 20_000;
    while (
      !JSON.parse((await call(b, location)).body).steps.some(
        (step: { status: string; id: string }) => step.id === 'displaycertify' && step.status === 'inProgress',
      )
    ) {
      assert.ok(Date.now() < deadline, 'the publish never reached certification');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await a.stop('SIGKILL');
    let operation;
    const finish = Date.now() + 40_000;
    for (;;) {
      operation = JSON.parse((await call(b, location)).body);
      if (operation.status !== 'running') break;
      assert.ok(Date.now() < finish, 'instance B did not finish the operation');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(operation.status, 'succeeded');
    assert.equal(JSON.parse((await call(b, offer(id, '/status'))).body).status, 'waitingForPublisherReview');
    assert.equal(JSON.parse((await call(b, offer(id, '/slot/Preview'))).body).version, 1);
  });
});
