/**
 * Webhook deliveries survive SIGKILL: a server killed while a delivery is in flight makes it again
 * after a restart (at least once), signed, and the offer's later events follow in order.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TEST_STORE, makeDataDir } from '../helpers/harness.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { type ServerProcess, startServe } from '../helpers/processes.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const SECRET = 'crash-test-webhook-secret-42';
const API = 'api-version=2017-10-31';

describe(`webhooks across a SIGKILL (${TEST_STORE})`, () => {
  it('a delivery in flight when the server is killed is made again after the restart, and the rest follow in order', async () => {
    const dataDir = makeDataDir();
    const database = TEST_STORE === 'postgres' ? await createDatabase(await startPostgres()) : undefined;
    const receiver = await startReceiver();
    let server: ServerProcess | undefined;
    const start = (demo: boolean) =>
      startServe({ dataDir, databaseUrl: database?.url, demo, flags: ['--step-duration-ms', '50', '--step-lease-ms', '1000', '--webhook-timeout-ms', '500'] });
    try {
      server = await start(true);
      const token = /cpat_[A-Za-z0-9_-]{43}/.exec(server.output())![0];
      const call = (url: string, method: string, body?: unknown) =>
        fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const subscribed = await call(`${server.url}/_cloudpartner/webhooks`, 'POST', {
        url: receiver.url,
        events: ['offer.updated', 'operation.started', 'operation.succeeded'],
        publisherId: 'contoso',
        secret: SECRET,
      });
      assert.equal(subscribed.status, 201);

      // The receiver takes the first delivery and never answers: the server is killed while it waits.
      receiver.answer = () => (receiver.received.length === 1 ? 'hang' : 200);
      assert.equal((await call(`${server.url}/api/publishers/contoso/offers/killed?${API}`, 'PUT', publishableOffer('killed'))).status, 200);
      assert.equal((await call(`${server.url}/api/publishers/contoso/offers/killed/publish?${API}`, 'POST')).status, 202);
      await until(
        'the first delivery',
        () => receiver.received.length,
        (count) => count >= 1,
      );
      await server.stop('SIGKILL');

      server = await start(false);
      const events = await until(
        'every event',
        () => receiver.received.map((received) => received.event.type),
        (types) => types.includes('operation.succeeded'),
        30_000,
      );
      assert.deepEqual(
        events,
        ['offer.updated', 'offer.updated', 'operation.started', 'operation.succeeded'],
        'the killed delivery made again, then the rest in order',
      );
      assert.equal(receiver.received[0]!.event.id, receiver.received[1]!.event.id, 'the same event: delivered at least once');
      assert.equal(receiver.received[0]!.headers['x-cloudpartner-delivery'], receiver.received[1]!.headers['x-cloudpartner-delivery']);
      for (const received of receiver.received)
        assert.equal(received.headers['x-cloudpartner-signature'], `sha256=${createHmac('sha256', SECRET).update(received.body).digest('hex')}`);
    } finally {
      await server?.stop('SIGKILL');
      await receiver.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
