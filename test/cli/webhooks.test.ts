/** `cloudpartner webhooks …` as real processes against a real `cloudpartner serve --demo` process. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDataDir } from '../helpers/harness.ts';
import { apiEnv, cli, oneErrorLine } from '../helpers/cli.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { BIN, cleanEnv, startProcess, type ServerProcess } from '../helpers/processes.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

describe('webhooks from the command line', () => {
  let dir: string;
  let server: ServerProcess;
  let receiver: Receiver;
  let env: NodeJS.ProcessEnv;
  let token: string;

  before(async () => {
    dir = makeDataDir();
    receiver = await startReceiver();
    server = await startProcess(process.execPath, [BIN, 'serve', '--demo', '--data-dir', join(dir, 'data'), '--port', '0', '--log-level', 'warn'], cleanEnv());
    token = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
    env = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token });
  });
  after(async () => {
    await server.stop('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a webhook, shows its deliveries, and removes it', async () => {
    const added = await cli(['webhooks', 'add', '--url', receiver.url, '--event', 'offer.updated', '--secret', 'a-secret-of-sixteen-chars', '-o', 'json'], env);
    assert.equal(added.status, 0, added.stderr);
    const webhook = JSON.parse(added.stdout);
    assert.equal(webhook.publisherId, 'contoso');
    assert.ok(!added.stdout.includes('a-secret-of-sixteen-chars'));

    const put = await fetch(`${server.url}/api/publishers/contoso/offers/cli-hooked?api-version=2017-10-31`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(publishableOffer('cli-hooked')),
    });
    assert.equal(put.status, 200);
    const deadline = Date.now() + 15_000;
    while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(receiver.received[0]?.event.type, 'offer.updated');

    const listed = await cli(['webhooks', 'list'], env);
    assert.match(listed.stdout, new RegExp(`^${webhook.id}\\s+contoso\\s+${receiver.url.replace(/[./]/g, '\\$&')}\\s+offer\\.updated$`, 'm'));
    const log = await cli(['webhooks', 'deliveries', webhook.id], env);
    assert.match(log.stdout, /^OFFER\s+SEQ\s+EVENT\s+STATE\s+ATTEMPTS\s+LAST\ncli-hooked\s+1\s+offer\.updated\s+delivered\s+1\s+200$/m);
    assert.equal((await cli(['webhooks', 'rm', webhook.id], env)).stdout, `removed ${webhook.id}\n`);
    assert.match(oneErrorLine(await cli(['webhooks', 'rm', webhook.id], env)), /404 WebhookNotFound/);
    const invalid = await cli(['webhooks', 'add', '--url', 'ftp://x', '--event', 'offer.updated', '--secret', 'short'], env);
    assert.match(oneErrorLine(invalid), /400 InvalidRequest: The webhook is not valid: \$\.url/);
  });
});
