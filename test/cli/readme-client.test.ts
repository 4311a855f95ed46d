/**
 * The README's command-line quick start (bash, `npx cloudpartner`) and its SDK example (TypeScript
 * importing the package by name), run as written against a real server process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDataDir } from '../helpers/harness.ts';
import { apiEnv } from '../helpers/cli.ts';
import { BIN, ROOT, cleanEnv, startProcess, type ServerProcess } from '../helpers/processes.ts';

function block(name: string, language: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const found = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`${language}\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(readme);
  assert.ok(found, `README.md has the ${name} block`);
  return found[1]!;
}

/**
 * A project of its own that depends on cloudpartner, linked to this checkout as `npm install`
 * would place it: `npx cloudpartner` and `import … from 'cloudpartner'` resolve to it.
 */
function userProject(dir: string): string {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true, dependencies: { cloudpartner: '*' } }));
  symlinkSync(ROOT.replace(/\/$/, ''), join(project, 'node_modules', 'cloudpartner'));
  symlinkSync(join('..', 'cloudpartner', 'bin', 'cloudpartner.js'), join(project, 'node_modules', '.bin', 'cloudpartner'));
  symlinkSync(join(ROOT, 'node_modules', 'tsx'), join(project, 'node_modules', 'tsx'));
  return project;
}

describe('README: command line and SDK', () => {
  let dir: string;
  let project: string;
  let server: ServerProcess;
  let token: string;
  before(async () => {
    dir = makeDataDir();
    project = userProject(dir);
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--data-dir', join(dir, 'data'), '--port', '0', '--step-duration-ms', '50', '--log-level', 'warn'],
      cleanEnv(),
    );
    token = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the command-line quick start runs from end to end', () => {
    const result = spawnSync('bash', ['-c', `set -euo pipefail\n${block('cli-quickstart', 'sh')}`], {
      cwd: project,
      // offline: npx must find the project's own cloudpartner, never ask a registry
      env: { ...apiEnv(join(dir, 'no-profiles.json')), TOKEN: token, BASE: server.url, npm_config_offline: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const out = result.stdout;
    assert.match(out, /^contoso\s+Contoso\s+10034567/m);
    assert.match(out, /^Created contoso-cli: version 1, status neverPublished\.$/m);
    assert.match(out, /^Version 1 of contoso-cli is in Preview, waiting for your review\./m);
    assert.match(out, /^Version 1 of contoso-cli is live\.$/m);
    assert.match(out, /^Updated the draft of contoso-cli: version 2, status succeeded\.$/m);
    assert.match(out, /^~ \$\.definition\.offer\["microsoft-azure-marketplace\.title"\]: "Contoso App" → "Contoso App 2"$/m);
    assert.match(out, /^contoso-cli: succeeded\. Draft: version 2, Preview: version 1, Production: version 1$/m);
  });

  it('the SDK example runs as written, importing the package by its name', () => {
    writeFileSync(join(project, 'example.ts'), block('sdk-example', 'ts'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'example.ts'], {
      cwd: project,
      env: apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, /^displaydummycertify inProgress \d+%, displaycertify notStarted 0%/);
    assert.match(lines.at(-3)!, /publisher-signoff waitingForPublisherReview 100%$/);
    assert.equal(lines.at(-2), 'version 2 is in Preview');
    assert.match(lines.at(-1)!, /^404 OfferNotFound: The offer 'no-such-offer' does not exist/);

    // …and it did change the offer
    const check = spawnSync(process.execPath, [BIN, 'offers', 'show', 'contoso-cli', '--slot', 'Preview', '-o', 'json'], {
      env: apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token }),
      encoding: 'utf8',
    });
    assert.equal(JSON.parse(check.stdout).definition.offer['microsoft-azure-marketplace.summary'], 'Dev ops, made a breeze');
  });
});
