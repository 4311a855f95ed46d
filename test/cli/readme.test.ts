/** The README's walk-through, run as written (bash + curl) against a real server process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDataDir } from '../helpers/harness.ts';
import { BIN, ROOT, cleanEnv, startProcess, type ServerProcess } from '../helpers/processes.ts';

function walkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  assert.ok(block, 'README.md has the walk-through block');
  return block[1]!;
}

/** A demo server process of its own, for the suite it is called in. */
function demoServerFor(): { dir: () => string; server: () => ServerProcess } {
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = makeDataDir();
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--data-dir', join(dir, 'data'), '--port', '0', '--step-duration-ms', '50', '--log-level', 'warn'],
      cleanEnv(),
    );
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, server: () => server };
}

describe('README walk-through', () => {
  const demo = demoServerFor();

  it('runs from end to end and shows each stage of the life of the offer', () => {
    const token = /^\s+(cpat_\S+)$/m.exec(demo.server().output())![1]!;
    const result = spawnSync('bash', ['-c', `set -euo pipefail\n${walkthrough()}`], {
      cwd: demo.dir(),
      env: { ...cleanEnv(), TOKEN: token, BASE: demo.server().url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.split('\n');
    assert.ok(
      lines.indexOf('200') >= 0 && lines.indexOf('200') < lines.findIndex((line) => line.startsWith('/api/publishers/')),
      'the PUT created the offer (200) before the publish',
    );
    assert.ok(lines.some((line) => /^\/api\/publishers\/contoso\/offers\/contoso-vm\/operations\/[0-9a-f-]{36}\?api-version=2017-10-31$/.test(line)));
    assert.match(result.stdout, /"status":"waitingForPublisherReview"/);
    assert.match(result.stdout, /"status":"succeeded"/);
    assert.ok(lines.includes('200'), 'the If-Match PUT succeeded');
    assert.deepEqual(
      lines.filter((line) => /^"version":\d+$/.test(line)),
      ['"version":1', '"version":2'],
      'production stayed at 1 while 2 was published to preview',
    );
    assert.match(result.stdout, /"submissionType":"publish","submissionState":"completed"/);
  });
});

describe('README: testing your automation against failures', () => {
  const demo = demoServerFor();

  it('makes certification fail once, takes a two-day go-live in a second, and rides out an injected 503', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- sandbox:start -->\s*```sh\n([\s\S]*?)```\s*<!-- sandbox:end -->/.exec(readme);
    assert.ok(block, 'README.md has the sandbox block');
    const [token, sandboxToken] = [
      ...demo
        .server()
        .output()
        .matchAll(/^\s+(cpat_\S+)$/gm),
    ].map((match) => match[1]!);
    assert.ok(token && sandboxToken && token !== sandboxToken, 'the demo prints a publisher token and a sandbox admin token');
    const result = spawnSync('bash', ['-c', `set -euo pipefail\n${block[1]}`], {
      cwd: demo.dir(),
      env: { ...cleanEnv(), TOKEN: token, SANDBOX_TOKEN: sandboxToken, BASE: demo.server().url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      '200',
      '201',
      '"status":"failed"',
      'The OS disk is not generalized.',
      '"status":"succeeded"',
      '200',
      '"status":"running"',
      '200',
      '"status":"succeeded"',
      '201',
      '503',
      '200',
    ]);
  });
});

describe('README: the product ingestion API', () => {
  const demo = demoServerFor();

  it('finds the demo product, edits it in a configure job, reads it through the CPP face, publishes it and takes it live', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- ingestion:start -->\s*```sh\n([\s\S]*?)```\s*<!-- ingestion:end -->/.exec(readme);
    assert.ok(block, 'README.md has the product ingestion block');
    const token = /^\s+(cpat_\S+)$/m.exec(demo.server().output())![1]!;
    const result = spawnSync('bash', ['-c', `set -euo pipefail\n${block[1]}`], {
      cwd: demo.dir(),
      env: { ...cleanEnv(), TOKEN: token, BASE: demo.server().url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, /^product\/[0-9a-f-]{36}$/);
    assert.match(lines[1]!, /^"id":"virtual-machine-plan-technical-configuration\/[0-9a-f-]{36}\/[0-9a-f-]{36}"$/);
    assert.deepEqual(lines.slice(2), [
      '"jobResult":"succeeded"',
      '"microsoft-azure-marketplace.title":"Contoso App, from Partner Center"',
      '"jobResult":"succeeded"',
      '"targetType":"live"',
      '"status":"succeeded"',
    ]);
  });
});
