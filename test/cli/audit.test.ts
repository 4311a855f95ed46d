/** `cloudpartner audit` as real processes against a real `cloudpartner serve --demo` process. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDataDir } from '../helpers/harness.ts';
import { type CliResult, apiEnv, cli, oneErrorLine } from '../helpers/cli.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { type ServerProcess, startServe } from '../helpers/processes.ts';

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.status, 0, `${what}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

describe('cloudpartner audit against a real server', () => {
  let dir: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let adminEnv: NodeJS.ProcessEnv;
  let token: string;
  before(async () => {
    dir = makeDataDir();
    server = await startServe({ dataDir: join(dir, 'data'), demo: true });
    const [owner, admin] = [...server.output().matchAll(/^\s+(cpat_\S+)$/gm)].map((match) => match[1]!);
    token = owner!;
    env = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token });
    adminEnv = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: admin! });
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints an offer's writes newest first, pages them, and reads every publisher's with the sandbox admin token", async () => {
    for (let i = 0; i < 2; i++) {
      const put = await fetch(`${server.url}/api/publishers/contoso/offers/cli-audited?api-version=2017-10-31`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(publishableOffer('cli-audited')),
      });
      assert.equal(put.status, 200);
    }
    const printed = ok(await cli(['audit', '--offer', 'cli-audited'], env), 'audit').stdout;
    assert.match(printed, /^TIME\s+ACTION\s+BY\s+OFFER\s+ETAG BEFORE → AFTER\s+OPERATION \/ TARGET\s+REQUEST$/m);
    const rows = printed.split('\n').filter((line) => line.includes('cli-audited'));
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^\S+ \S+Z\s+offer\.update\s+demo token printed by serve --demo \(token\)\s+cli-audited\s+\S+ → \S+\s+req-\d+$/);
    assert.match(rows[1]!, /^\S+ \S+Z\s+offer\.create\s+.*cli-audited\s+— → \S+\s+req-\d+$/);
    assert.ok(!printed.includes(token));

    const first = JSON.parse(ok(await cli(['audit', '--offer', 'cli-audited', '--limit', '1', '-o', 'json'], env), 'page 1').stdout);
    assert.equal(first.value.length, 1);
    assert.equal(first.value[0].action, 'offer.update');
    const second = JSON.parse(
      ok(await cli(['audit', '--offer', 'cli-audited', '--limit', '1', '--continuation', first.continuationToken, '-o', 'json'], env), 'page 2').stdout,
    );
    assert.deepEqual(
      second.value.map((record: { action: string }) => record.action),
      ['offer.create'],
    );
    assert.equal(second.continuationToken, undefined);
    assert.equal(second.value[0].etagAfter, first.value[0].etagBefore);

    const every = JSON.parse(ok(await cli(['audit', '--every-publisher', '-o', 'json'], adminEnv), 'every').stdout);
    assert.equal(every.value[0].action, 'offer.update');
    assert.match(oneErrorLine(await cli(['audit', '--every-publisher'], env)), /403 Forbidden: Name the publisher/);
    assert.match(oneErrorLine(await cli(['audit', '--since', 'yesterday'], env)), /400 InvalidQueryParameter: The query parameter 'since'/);
  });
});
