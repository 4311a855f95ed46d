/**
 * `cloudpartner token create --sandbox-admin` and `cloudpartner sandbox …` as real processes
 * against a real `cloudpartner serve --sandbox` process.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/commands/sandbox.ts';
import { makeDataDir } from '../helpers/harness.ts';
import { apiEnv, cli, oneErrorLine, type CliResult } from '../helpers/cli.ts';
import { BIN, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';

const DAY = 86_400_000;

function ok(result: CliResult | ReturnType<typeof runCli>, what: string) {
  assert.equal(result.status, 0, `${what}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

describe('the sandbox from the command line', () => {
  let dir: string;
  let server: ServerProcess;
  let admin: NodeJS.ProcessEnv;
  let unknown: NodeJS.ProcessEnv;

  before(async () => {
    dir = makeDataDir();
    const dataDir = join(dir, 'data');
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--sandbox', '--data-dir', dataDir, '--port', '0', '--step-duration-ms', '30', '--log-level', 'warn'],
      cleanEnv(),
    );
    const created = JSON.parse(ok(runCli(['token', 'create', '--sandbox-admin', '--data-dir', dataDir, '-o', 'json'], cleanEnv()), 'token create').stdout);
    assert.equal(created.sandboxAdmin, true);
    assert.match(created.token, /^cpat_/);
    admin = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: created.token });
    const seeded = runCli(['token', 'create', '--sandbox-admin', '--publisher', 'contoso', '--data-dir', dataDir], cleanEnv());
    assert.equal(seeded.status, 2, 'the admin token grants no publisher');
    unknown = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: 'cpat_not-an-admin' });
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, lists and removes fault rules', async () => {
    const id = ok(
      await cli(['sandbox', 'faults', 'add', '--fail', 'The VHD is not generalized.', '--offer', 'cli-vm', '--times', '1'], admin),
      'add',
    ).stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const file = join(dir, 'rule.json');
    writeFileSync(file, JSON.stringify({ match: { path: '/api/publishers/*/offers' }, effect: { status: 429, retryAfter: 5 } }));
    const second = JSON.parse(ok(await cli(['sandbox', 'faults', 'add', file, '-o', 'json'], admin), 'add from a file').stdout);
    assert.equal(second.kind, 'http');

    const listed = JSON.parse(ok(await cli(['sandbox', 'faults', 'list', '-o', 'json'], admin), 'list').stdout);
    assert.deepEqual(listed.map((rule: { id: string }) => rule.id).sort(), [id, second.id].sort());
    const table = ok(await cli(['sandbox', 'faults', 'list'], admin), 'list table').stdout;
    assert.match(table, /^ID\s+KIND\s+MATCH\s+EFFECT\s+TIMES LEFT\s+HITS$/m);
    assert.match(table, new RegExp(`^${id}\\s+step\\s+offerId=cli-vm\\s+\\{"fail"`, 'm'));

    assert.equal(ok(await cli(['sandbox', 'faults', 'rm', second.id], admin), 'rm').stdout, `removed ${second.id}\n`);
    const missing = await cli(['sandbox', 'faults', 'rm', second.id], admin);
    assert.equal(missing.status, 1);
    assert.match(oneErrorLine(missing), /404 FaultNotFound/);
    const invalid = await cli(['sandbox', 'faults', 'add', '-'], admin, { input: '{"effect":{"status":418}}' });
    assert.match(oneErrorLine(invalid), /400 InvalidRequest: The fault rule is not valid: \$\.effect\.status/);
  });

  it('sets step durations and moves workflow time ahead', async () => {
    const realistic = JSON.parse(ok(await cli(['sandbox', 'clock', '--durations', 'realistic', '-o', 'json'], admin), 'clock realistic').stdout);
    assert.equal(realistic.stepDurations.displaycertify, 2 * DAY);
    const mixed = JSON.parse(ok(await cli(['sandbox', 'clock', '--durations', 'displaycertify=90s,live=0', '-o', 'json'], admin), 'clock by step').stdout);
    assert.equal(mixed.stepDurations.displaycertify, 90_000);
    assert.equal(mixed.stepDurations.live, 0);
    const before = JSON.parse(ok(await cli(['sandbox', 'clock', '-o', 'json'], admin), 'clock').stdout);
    const advanced = JSON.parse(ok(await cli(['sandbox', 'advance', '7d', '-o', 'json'], admin), 'advance').stdout);
    assert.equal(advanced.offsetMs, before.offsetMs + 7 * DAY);
    assert.match(ok(await cli(['sandbox', 'clock'], admin), 'clock text').stdout, /^workflow time \S+ \(\d+ s ahead of real time\)\nSTEP\s+DURATION \(ms\)\n/);
    assert.equal((await cli(['sandbox', 'advance', 'soon'], admin)).status, 2);
  });

  it('saves, lists, restores and removes snapshots, and resets', async () => {
    const saved = ok(await cli(['sandbox', 'snapshot', 'empty'], admin), 'snapshot').stdout;
    assert.match(saved, /^saved empty \(\d+ bytes\)\n$/);
    const listed = JSON.parse(ok(await cli(['sandbox', 'snapshots', '-o', 'json'], admin), 'snapshots').stdout);
    assert.deepEqual(
      listed.map((snapshot: { name: string }) => snapshot.name),
      ['empty'],
    );
    assert.equal(ok(await cli(['sandbox', 'restore', 'empty'], admin), 'restore').stdout, 'restored empty\n');
    assert.match(oneErrorLine(await cli(['sandbox', 'restore', 'missing'], admin)), /404 SnapshotNotFound/);
    assert.equal(ok(await cli(['sandbox', 'snapshots', 'rm', 'empty'], admin), 'rm').stdout, 'removed empty\n');
    assert.equal(ok(await cli(['sandbox', 'snapshots'], admin), 'none').stdout, 'No snapshots.\n');
    assert.deepEqual(JSON.parse(ok(await cli(['sandbox', 'reset', '--demo', '-o', 'json'], admin), 'reset').stdout), { demo: true, identities: false });
  });

  it('shows the journal of API requests', async () => {
    await fetch(`${server.url}/api/publishers?api-version=2017-10-31`, { headers: { authorization: 'Bearer cpat_journal-probe' } });
    const entries = JSON.parse(ok(await cli(['sandbox', 'journal', '--limit', '5', '-o', 'json'], admin), 'journal').stdout);
    assert.deepEqual([entries[0].method, entries[0].path, entries[0].status], ['GET', '/api/publishers', 401]);
    assert.match(
      ok(await cli(['sandbox', 'journal'], admin), 'journal table').stdout,
      /^TIME\s+METHOD\s+PATH\s+STATUS\s+MS\n\S+\s+GET\s+\/api\/publishers\s+401/,
    );
  });

  it('are refused to a token the server does not know, in one line', async () => {
    const refused = await cli(['sandbox', 'faults', 'list'], unknown);
    assert.equal(refused.status, 1);
    assert.match(oneErrorLine(refused), /401 InvalidToken/);
  });

  it('reads times as a person writes them', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('7d'), 7 * DAY);
    assert.throws(() => parseDuration('0'));
    assert.throws(() => parseDuration('1w'));
  });
});
