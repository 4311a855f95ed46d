/**
 * The API commands of the `cloudpartner` binary (offers, operations, publishers) as real
 * processes against a real `cloudpartner serve` process: the whole life of an offer from the
 * command line, the live progress display (lines in logs, redrawn in place on a terminal), and
 * failures as one clear line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { makeDataDir } from '../helpers/harness.ts';
import { apiEnv, cli, oneErrorLine, type CliResult } from '../helpers/cli.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { BIN, ROOT, cleanEnv, runCli, startProcess, type ServerProcess, startServe } from '../helpers/processes.ts';
import { closedPort } from '../helpers/proxy.ts';

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PUBLISH_STEPS = ['displaydummycertify', 'displaycertify', 'displayprovision', 'displaypackage', 'publisher-signoff'];

/** The progress lines of a non-terminal run: "+0.3s  Step name (step-id)  status  NN%". */
function progressLines(stdout: string): Array<{ step: string; status: string; percent: number }> {
  return stdout
    .split('\n')
    .map((line) => /^\s+\+\d+(?:\.\d)?[smhd][\dsmh]*\s+.+ \(([a-z-]+)\)\s+(\w+)\s+(\d+)%/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ step: match[1]!, status: match[2]!, percent: Number(match[3]) }));
}

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.status, 0, `${what}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.equal(result.stderr, '', `${what}: nothing on stderr`);
  return result;
}

describe('the cloudpartner command line against a real server', () => {
  let dir: string;
  let server: ServerProcess;
  let token: string;
  /** Endpoint and token from the environment; the publisher is found from the token (it sees one). */
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const result = await cli(args, options.env ?? env, options);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  before(async () => {
    dir = makeDataDir();
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--data-dir', join(dir, 'data'), '--port', '0', '--step-duration-ms', '60', '--log-level', 'warn'],
      cleanEnv(),
    );
    token = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
    env = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token });
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes an offer through its whole life: put, publish --wait, status, golive --wait, history, diff, operations', async () => {
    const publishers = ok(await run(['publishers', 'list']), 'publishers list');
    assert.match(publishers.stdout, /^ID\s+NAME\s+SELLER ID\s+OFFER TYPES\ncontoso\s+Contoso\s+10034567\s+microsoft-azure-virtualmachines\n$/);
    assert.deepEqual(
      JSON.parse(ok(await run(['publishers', 'list', '-o', 'json']), 'publishers json').stdout).map((p: { id: string }) => p.id),
      ['contoso'],
    );

    // create from a file (the id comes from the document)
    const file = join(dir, 'offer.json');
    writeFileSync(file, JSON.stringify(publishableOffer('cli-vm'), null, 2));
    assert.equal(ok(await run(['offers', 'put', '--file', file]), 'put create').stdout, 'Created cli-vm: version 1, status neverPublished.\n');
    const listed = ok(await run(['offers', 'list']), 'offers list').stdout;
    assert.match(listed, /^cli-vm\s+microsoft-azure-virtualmachines\s+neverPublished\s+1\s+/m);
    assert.ok(JSON.parse(ok(await run(['offers', 'list', '--output', 'json']), 'list json').stdout).some((o: { id: string }) => o.id === 'cli-vm'));

    // a document without the offer's eTag does not overwrite it, unless --force
    const unguarded = await run(['offers', 'put', 'cli-vm', '--file', file]);
    assert.equal(unguarded.status, 1);
    assert.match(oneErrorLine(unguarded), /^cloudpartner: cli-vm already exists, and the document from .*offer\.json does not carry its eTag.*--force/);
    assert.equal(
      ok(await run(['offers', 'put', 'cli-vm', '--file', file, '--force']), 'put --force').stdout,
      'Updated the draft of cli-vm: version 1, status neverPublished.\n',
    );

    // show -o json carries the eTag; edited and piped back on stdin, it is written once — then it is stale
    const shown = JSON.parse(ok(await run(['offers', 'show', 'cli-vm', '-o', 'json']), 'show json').stdout);
    assert.match(shown.eTag, /^W\/"datetime'/);
    shown.definition.offer['microsoft-azure-marketplace.title'] = 'Contoso App 2';
    const edited = JSON.stringify(shown);
    assert.equal(
      ok(await run(['offers', 'put'], { input: edited }), 'put from stdin').stdout,
      'Updated the draft of cli-vm: version 1, status neverPublished.\n',
    );
    const stale = await run(['offers', 'put', '--file', '-'], { input: edited });
    assert.equal(stale.status, 1);
    assert.match(oneErrorLine(stale), /^cloudpartner: cli-vm has changed since the document from stdin was read \(its eTag is stale\)/);
    const table = ok(await run(['offers', 'show', 'cli-vm']), 'show').stdout;
    assert.match(table, /^title:\s+Contoso App 2$/m);
    assert.match(table, /^contososkuidentifier\s+Contoso App\s+1\.0\.1\s+2$/m);

    // publish and wait: every step, line by line, then what to do next
    const published = ok(
      await run(['offers', 'publish', 'cli-vm', '--wait', '--interval', '40', '--notification-emails', 'jdoe@contoso.com']),
      'publish --wait',
    );
    const lines = published.stdout.split('\n');
    assert.match(lines[0]!, new RegExp(`^Publishing cli-vm version 1: operation ${GUID}$`));
    const progress = progressLines(published.stdout);
    assert.deepEqual([...new Set(progress.map((p) => p.step))], PUBLISH_STEPS, 'each step is shown, in order');
    assert.deepEqual(
      progress.slice(0, 5).map((p) => p.status),
      ['inProgress', 'notStarted', 'notStarted', 'notStarted', 'notStarted'],
      'first the plan',
    );
    for (const step of PUBLISH_STEPS) {
      const mine = progress.filter((p) => p.step === step);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.percent >= mine[i - 1]!.percent, `${step} never goes backwards`);
      assert.deepEqual(mine.at(-1), { step, status: step === 'publisher-signoff' ? 'waitingForPublisherReview' : 'complete', percent: 100 });
    }
    assert.equal(lines.at(-2), 'Version 1 of cli-vm is in Preview, waiting for your review. Take it live with: cloudpartner offers golive cli-vm --wait');

    const status = ok(await run(['offers', 'status', 'cli-vm']), 'status').stdout;
    assert.match(status, /^cli-vm: waitingForPublisherReview  \(notifications to jdoe@contoso\.com\)$/m);
    assert.match(status, /^publisher-signoff\s+Publisher signoff\s+waitingForPublisherReview\s+100%/m);
    assert.match(status, /^live\s+Live\s+notStarted\s+0%/m);
    assert.equal(JSON.parse(ok(await run(['offers', 'status', 'cli-vm', '-o', 'json']), 'status json').stdout).status, 'waitingForPublisherReview');

    // go live and wait
    const live = ok(await run(['offers', 'golive', 'cli-vm', '--wait', '--interval', '40']), 'golive --wait');
    assert.match(live.stdout, new RegExp(`^Taking cli-vm version 1 live: operation ${GUID}\n`));
    assert.deepEqual(progressLines(live.stdout).at(-1), { step: 'live', status: 'complete', percent: 100 });
    assert.match(live.stdout, /\nVersion 1 of cli-vm is live\.\n$/);

    const history = ok(await run(['offers', 'history', 'cli-vm']), 'history').stdout;
    assert.match(history, /^cli-vm: succeeded\. Draft: version 2, Preview: version 1, Production: version 1$/m);
    assert.match(history, new RegExp(`^\\S+ \\S+Z\\s+golive\\s+1\\s+completed\\s+${GUID}$`, 'm'));
    assert.match(history, new RegExp(`^\\S+ \\S+Z\\s+publish\\s+1\\s+completed\\s+${GUID}$`, 'm'));
    const historyJson = JSON.parse(ok(await run(['offers', 'history', 'cli-vm', '-o', 'json']), 'history json').stdout);
    assert.deepEqual(historyJson.slots, { Draft: 2, Preview: 1, Production: 1 });
    assert.deepEqual(
      historyJson.submissions.map((s: { submissionType: string }) => s.submissionType),
      ['golive', 'publish'],
    );

    // diff: production against the draft, after an edit of the draft
    assert.match(
      ok(await run(['offers', 'diff', 'cli-vm', 'Preview', 'production']), 'diff same').stdout,
      /^--- cli-vm Preview \(version 1\)\n\+\+\+ cli-vm Production \(version 1\)\nNo differences\.\n$/,
    );
    const draft = JSON.parse(ok(await run(['offers', 'show', 'cli-vm', '-o', 'json']), 'show draft').stdout);
    draft.definition.offer['microsoft-azure-marketplace.title'] = 'Contoso App 3';
    draft.definition.plans[0].regions.push('DE');
    ok(await run(['offers', 'put', 'cli-vm'], { input: JSON.stringify(draft) }), 'put edit');
    const diff = ok(await run(['offers', 'diff', 'cli-vm']), 'diff').stdout;
    assert.equal(
      diff,
      '--- cli-vm Production (version 1)\n+++ cli-vm Draft (version 2)\n' +
        '~ $.definition.offer["microsoft-azure-marketplace.title"]: "Contoso App 2" → "Contoso App 3"\n' +
        '+ $.definition.plans[planId=contososkuidentifier].regions[2]: "DE"\n' +
        '2 differences.\n',
    );
    const diffJson = JSON.parse(ok(await run(['offers', 'diff', 'cli-vm', 'v1', '2', '-o', 'json']), 'diff json').stdout);
    assert.deepEqual(diffJson.from, { version: 1 });
    assert.equal(diffJson.changes.length, 2);

    // operations: list, show by id, by either location form, and --wait on a location
    const operations = ok(await run(['operations', 'list', 'cli-vm']), 'operations list')
      .stdout.trim()
      .split('\n');
    assert.equal(operations.length, 3);
    const publishId = new RegExp(`^(${GUID})\\s+publish\\s+1\\s+completed`).exec(operations[2]!)![1]!;
    assert.equal(ok(await run(['operations', 'list', 'cli-vm', '--status', 'failed']), 'list failed').stdout, 'No failed operations on cli-vm.\n');
    const shownOperation = ok(await run(['operations', 'show', 'cli-vm', publishId]), 'operations show').stdout;
    assert.match(shownOperation, new RegExp(`^operation:\\s+${publishId}\\noffer:\\s+cli-vm\\ntype:\\s+publish\\n`));
    assert.match(shownOperation, /^status:\s+succeeded$/m);
    assert.match(shownOperation, /^publisher-signoff\s+Publisher signoff\s+waitingForPublisherReview\s+100%/m);
    assert.equal(
      JSON.parse(
        ok(await run(['operations', 'show', `/api/operations/contoso$cli-vm$1$preview?api-version=2017-10-31`, '-o', 'json']), 'legacy location').stdout,
      ).id,
      publishId,
    );

    const started = JSON.parse(ok(await run(['offers', 'publish', 'cli-vm', '-o', 'json']), 'publish json').stdout);
    assert.match(started.location, new RegExp(`^/api/publishers/contoso/offers/cli-vm/operations/${started.operationId}\\?api-version=2017-10-31$`));
    const followed = ok(await run(['operations', 'show', started.location, '--wait', '--interval', '40']), 'operations show --wait');
    assert.match(followed.stdout, /\nVersion 2 of cli-vm is in Preview, waiting for your review\./);
    const waitedJson = await run(['operations', 'show', 'cli-vm', started.operationId, '--wait', '-o', 'json']);
    assert.equal(waitedJson.status, 0);
    assert.equal(JSON.parse(waitedJson.stdout).status, 'succeeded', 'with -o json, stdout is the operation alone');

    for (const text of outputs) assert.ok(!text.includes(token), 'the token is never printed');
  });

  it('fails a publish at certification with the step and what to do, in one line, exit 1', async () => {
    const demo = ok(await run(['offers', 'show', DEMO_OFFER_ID, '-o', 'json']), 'show demo').stdout;
    // the demo's data under a new id: its eTag belongs to the demo offer, so this creates a new offer
    assert.equal(ok(await run(['offers', 'put', 'demo-copy'], { input: demo }), 'put copy').stdout, 'Created demo-copy: version 1, status neverPublished.\n');
    const failed = await run(['offers', 'publish', 'demo-copy', '--wait', '--interval', '40']);
    assert.equal(failed.status, 1, failed.stderr);
    assert.equal(
      oneErrorLine(failed),
      'cloudpartner: the publish of demo-copy (version 1) failed at Certification (displaycertify): The SAS URL of the image 1.0.1 of the plan contososkuidentifier expired on 2017-06-25T18:30:00Z: generate a new SAS URL for the VHD with read and list permissions, valid for at least three weeks, and set it as the osVhdUrl.',
    );
    const progress = progressLines(failed.stdout);
    assert.deepEqual(progress.filter((p) => p.step === 'displaycertify').at(-1), { step: 'displaycertify', status: 'blocked', percent: 0 });
    assert.ok(!progress.some((p) => p.step === 'displayprovision' && p.status !== 'notStarted'), 'nothing ran after the blocked step');

    const status = ok(await run(['offers', 'status', 'demo-copy']), 'status after failure').stdout;
    assert.match(status, /^demo-copy: failed/);
    assert.match(status, /^Messages:\n  Certification: The SAS URL of the image 1\.0\.1 .* expired on 2017-06-25T18:30:00Z/m);
    assert.match(ok(await run(['operations', 'list', 'demo-copy']), 'list after failure').stdout, /publish\s+1\s+failed\s+.*The SAS URL of the image 1\.0\.1/);
  });

  it('validates a document or the draft, changing nothing: exit 0 when valid, 1 with every problem', async () => {
    const valid = ok(await run(['offers', 'validate', DEMO_OFFER_ID]), 'validate the demo draft');
    assert.equal(valid.stdout, `The draft of ${DEMO_OFFER_ID} is valid: a publish of it would pass validation and certification.\n`);

    // The demo's document under a new id: its SAS expired, and no certified version vouches for the image.
    const demo = JSON.parse(ok(await run(['offers', 'show', DEMO_OFFER_ID, '-o', 'json']), 'show demo').stdout);
    demo.definition.offer['microsoft-azure-marketplace.title'] = '';
    const file = join(dir, 'validate.json');
    writeFileSync(file, JSON.stringify(demo));
    const invalid = await run(['offers', 'validate', 'cli-validate', '--file', file]);
    assert.equal(invalid.status, 1, invalid.stderr);
    assert.equal(invalid.stderr, '');
    assert.equal(
      invalid.stdout,
      `The document from ${file} (as cli-validate) is not valid: 2 problems.\n` +
        "  publish        $.definition.offer['microsoft-azure-marketplace.title']: The offer title is missing: set microsoft-azure-marketplace.title to the offer's name as shown in the Marketplace.\n" +
        "  certification  $.definition.plans[0]['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl: The SAS URL of the image 1.0.1 of the plan contososkuidentifier expired on 2017-06-25T18:30:00Z: generate a new SAS URL for the VHD with read and list permissions, valid for at least three weeks, and set it as the osVhdUrl.\n",
    );
    const json = await run(['offers', 'validate', 'cli-validate', '--file', file, '-o', 'json']);
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout);
    assert.equal(report.valid, false);
    assert.deepEqual(
      report.problems.map((problem: { stage: string }) => problem.stage),
      ['publish', 'certification'],
    );

    const fixed = publishableOffer('some-other-id');
    assert.equal(
      ok(await run(['offers', 'validate', 'cli-validate', '--file', '-'], { input: JSON.stringify(fixed) }), 'validate stdin').stdout,
      'The document from stdin (as cli-validate) is valid: a put would store it, and a publish of it would pass validation and certification.\n',
    );
    const schema = await run(['offers', 'validate', 'cli-validate', '-f', '-'], {
      input: '{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"plans":"x"}}',
    });
    assert.equal(schema.status, 1);
    assert.match(schema.stdout, /^The document from stdin \(as cli-validate\) is not valid: 1 problem\.\n  document  \$\.definition\.plans: must be an array/);

    const missing = await run(['offers', 'validate', 'cli-validate']);
    assert.equal(missing.status, 1, 'nothing was created');
    assert.match(oneErrorLine(missing), /^cloudpartner: 404 OfferNotFound: The offer 'cli-validate' does not exist/);
    const usage = await run(['offers', 'validate']);
    assert.equal(usage.status, 2);
    assert.match(oneErrorLine(usage), /^cloudpartner: usage: cloudpartner offers validate <offer>/);
  });

  it('says what went wrong in one line: a wrong token, an unreachable endpoint, 4xx answers (exit 1)', async () => {
    const incomplete = publishableOffer('cli-incomplete');
    incomplete['definition'].offer['microsoft-azure-marketplace.engineeringContactEmail'] = '';
    const port = await closedPort();
    const cases: Array<[string[], RegExp, { input?: string; env?: NodeJS.ProcessEnv }?]> = [
      [
        ['offers', 'list', '--token', 'cpat_wrong-token-value'],
        /^cloudpartner: 401 InvalidToken: The access token is not valid: it is unknown, revoked or expired\. Check the token \(from the flags\)/,
      ],
      [
        ['offers', 'list', '--publisher', 'contoso'],
        /^cloudpartner: 401 InvalidToken: .*\(from the environment\)/,
        { env: { ...env, CLOUDPARTNER_TOKEN: 'cpat_revoked-or-never-issued' } },
      ],
      [
        ['offers', 'list', '--endpoint', `http://127.0.0.1:${port}`],
        new RegExp(
          `^cloudpartner: Cannot reach http://127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)\\. Is the server running and the URL right\\? Set it with --endpoint or CLOUDPARTNER_ENDPOINT\\.$`,
        ),
      ],
      [
        ['offers', 'show', 'no-such-offer'],
        /^cloudpartner: 404 OfferNotFound: The offer 'no-such-offer' does not exist in the publisher namespace 'contoso'\.$/,
      ],
      [
        ['offers', 'show', DEMO_OFFER_ID, '--version', '99'],
        /^cloudpartner: 404 VersionNotFound: The offer '059afc24-07de-4126-b004-4e42a51816fe' has no version 99; its versions are 1 to 5\.$/,
      ],
      [['offers', 'list', '--publisher', 'fabrikam'], /^cloudpartner: 403 Forbidden: .*'fabrikam'\. Check --publisher/],
      [['offers', 'golive', 'cli-never-published'], /^cloudpartner: 404 OfferNotFound/],
      [
        ['offers', 'put', 'cli-bad'],
        /^cloudpartner: 400 InvalidDocument: The offer document is not valid: .*plans/,
        { input: '{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"plans":"x"}}' },
      ],
    ];
    const results = await Promise.all(cases.map(([args, , options]) => run(args, options)));
    results.forEach((result, i) => {
      assert.equal(result.status, 1, `${cases[i]![0].join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(oneErrorLine(result), cases[i]![1]);
      assert.ok(!result.stderr.includes('cpat_'), 'no token in the message');
    });

    ok(await run(['offers', 'put'], { input: JSON.stringify(incomplete) }), 'put incomplete');
    const unpublishable = await run(['offers', 'publish', 'cli-incomplete', '--wait']);
    assert.equal(unpublishable.status, 1);
    assert.match(
      oneErrorLine(unpublishable),
      /^cloudpartner: 422 OfferValidationFailed: The offer 'cli-incomplete' cannot be published: \$\.definition\.offer\['microsoft-azure-marketplace\.engineeringContactEmail'\]: /,
    );
    const notReady = await run(['offers', 'golive', 'cli-incomplete']);
    assert.equal(notReady.status, 1);
    assert.match(
      oneErrorLine(notReady),
      /^cloudpartner: 409 NotReadyToGoLive: The offer 'cli-incomplete' cannot go live: nothing has been published to preview yet/,
    );
  });

  it('refuses a wrong command line with exit 2 and one line', async () => {
    const noCredentials = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url });
    const cases: Array<[string[], RegExp, { input?: string; env?: NodeJS.ProcessEnv }?]> = [
      [['offers', 'show'], /^cloudpartner: usage: cloudpartner offers show <offer>/],
      [['offers', 'frobnicate'], /^cloudpartner: unknown command 'offers frobnicate'\. Run 'cloudpartner offers --help'\.$/],
      [['operations'], /^cloudpartner: which command\? Run 'cloudpartner operations --help'\.$/],
      [['offers', 'list', '--output', 'yaml'], /^cloudpartner: --output must be table or json, not 'yaml'$/],
      [['offers', 'list', '--frobnicate'], /^cloudpartner: Unknown option '--frobnicate'.*Run with --help for the options\.$/],
      [['offers', 'put', 'x', '--file', join(dir, 'missing.json')], /^cloudpartner: cannot read .*missing\.json: no such file$/],
      [['offers', 'put', 'x'], /^cloudpartner: the document from stdin is not JSON: /, { input: 'not json' }],
      [['offers', 'diff', 'x', 'Staging'], /^cloudpartner: from 'Staging' is neither a slot \(Draft, Preview, Production\) nor a version number$/],
      [['offers', 'show', 'x', '--slot', 'Draft', '--version', '2'], /^cloudpartner: give --slot or --version, not both$/],
      [['offers', 'publish', 'x', '--wait', '--interval', 'soon'], /^cloudpartner: --interval must be a whole number above 0, not 'soon'$/],
      [['operations', 'list', 'x', '--status', 'done'], /^cloudpartner: --status must be one of running, succeeded, completed, failed, canceled, not 'done'$/],
      [['operations', 'show', 'not-a-location'], /^cloudpartner: 'not-a-location' is not an operation location/],
      [['offers', 'list', '--profile', 'ci'], /^cloudpartner: no profile file at .*no-profiles\.json \(for --profile ci\)/],
      [['offers', 'list'], /^cloudpartner: no credentials: pass --token/, { env: noCredentials }],
      [['offers', 'list', '--client-id', 'x'], /^cloudpartner: client credentials from the flags lack --tenant-id, --client-secret$/, { env: noCredentials }],
      [['offers', 'list', '--endpoint', 'localhost:8080'], /^cloudpartner: the endpoint 'localhost:8080' is not an http\(s\) URL/],
    ];
    const results = await Promise.all(cases.map(([args, , options]) => run(args, options)));
    results.forEach((result, i) => {
      assert.equal(result.status, 2, `${cases[i]![0].join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(oneErrorLine(result), cases[i]![1]);
    });
    const help = ok(await run(['offers', '--help']), 'offers --help').stdout;
    for (const command of ['list', 'show', 'put', 'validate', 'publish', 'golive', 'cancel', 'status', 'history', 'diff'])
      assert.match(help, new RegExp(`^  ${command} `, 'm'));
    assert.match(ok(await run(['offers', 'publish', '--help']), 'publish --help').stdout, /--wait/);
    assert.match(ok(await run(['--help']), '--help').stdout, /cloudpartner offers list\|show\|put\|validate\|publish\|golive\|cancel\|status\|history\|diff/);
  });

  it('takes client credentials from the environment, flags or a profile, and never prints the secret', async () => {
    const created = runCli(['app', 'create', '--publisher', 'contoso', '--role', 'Contributor', '--json', '--data-dir', join(dir, 'data')], cleanEnv());
    assert.equal(created.status, 0, created.stderr);
    const app = JSON.parse(created.stdout) as { clientId: string; clientSecret: string; tenantId: string };
    const profiles = join(dir, 'profiles.json');
    writeFileSync(
      profiles,
      JSON.stringify({
        local: { endpoint: server.url, token, publisher: 'contoso' },
        ci: { endpoint: server.url, tenantId: app.tenantId, clientId: app.clientId, clientSecret: app.clientSecret },
        default: { endpoint: server.url, token: 'cpat_the-default-profile-token', output: 'json' },
        typo: { endpoint: server.url, clientsecret: 'x' },
      }),
    );
    const bare = apiEnv(profiles);
    const viaEnv = apiEnv(join(dir, 'no-profiles.json'), {
      CLOUDPARTNER_ENDPOINT: server.url,
      CLOUDPARTNER_TENANT_ID: app.tenantId,
      CLOUDPARTNER_CLIENT_ID: app.clientId,
      CLOUDPARTNER_CLIENT_SECRET: app.clientSecret,
    });
    const flags = ['--tenant-id', app.tenantId, '--client-id', app.clientId];
    const [fromEnv, fromProfile, fromProfileEnv, localProfile, flagWins, defaultProfile, wrongSecret, unknownProfile, typo] = await Promise.all([
      run(['offers', 'list'], { env: viaEnv }),
      run(['offers', 'list', '--profile', 'ci'], { env: bare }),
      run(['publishers', 'list', '-o', 'table'], { env: { ...bare, CLOUDPARTNER_PROFILE: 'ci' } }),
      run(['offers', 'list', '--profile', 'local', '-o', 'json'], { env: bare }),
      run(['offers', 'list', '--profile', 'local', '--token', 'cpat_a-flag-beats-the-profile'], { env: bare }),
      run(['publishers', 'list'], { env: bare }),
      run(['offers', 'list', '--endpoint', server.url, ...flags, '--client-secret', 'not-the-secret-9876543210'], { env: bare }),
      run(['offers', 'list', '--profile', 'prod'], { env: bare }),
      run(['offers', 'list', '--profile', 'typo'], { env: bare }),
    ]);
    assert.match(ok(fromEnv, 'client credentials from the environment').stdout, new RegExp(`^${DEMO_OFFER_ID}\\s+`, 'm'));
    assert.match(ok(fromProfile, 'client credentials from --profile').stdout, new RegExp(`^${DEMO_OFFER_ID}\\s+`, 'm'));
    assert.match(ok(fromProfileEnv, 'CLOUDPARTNER_PROFILE').stdout, /^contoso\s+Contoso/m);
    assert.ok(JSON.parse(ok(localProfile, 'token profile').stdout).some((o: { id: string }) => o.id === DEMO_OFFER_ID));
    assert.equal(flagWins.status, 1);
    assert.match(oneErrorLine(flagWins), /401 InvalidToken: .*\(from the flags\)/);
    assert.equal(defaultProfile.status, 1, 'the default profile applies when no other is named');
    assert.match(oneErrorLine(defaultProfile), /401 InvalidToken: .*\(from the profile 'default'\)/);
    assert.equal(wrongSecret.status, 1);
    assert.match(
      oneErrorLine(wrongSecret),
      /^cloudpartner: 401 invalid_client: The token service at http:\/\/127\.0\.0\.1:\d+ refused the client credentials: AADSTS7000215: Invalid client secret provided/,
    );
    assert.equal(unknownProfile.status, 2);
    assert.match(oneErrorLine(unknownProfile), /^cloudpartner: no profile 'prod' in .*profiles\.json \(it has: local, ci, default, typo\)$/);
    assert.equal(typo.status, 2);
    assert.match(
      oneErrorLine(typo),
      /^cloudpartner: profile 'typo' in .*has an unknown key 'clientsecret' \(known: endpoint, token, tenantId, clientId, clientSecret, authority, publisher, output\)$/,
    );
    for (const result of [fromEnv, fromProfile, fromProfileEnv, localProfile, flagWins, defaultProfile, wrongSecret, unknownProfile, typo]) {
      for (const secret of [app.clientSecret, 'not-the-secret-9876543210', token, 'cpat_a-flag-beats-the-profile']) {
        assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'no secret or token is printed');
      }
    }
  });

  it('redraws the progress in place on a terminal', () => {
    const file = join(dir, 'tty-offer.json');
    writeFileSync(file, JSON.stringify(publishableOffer('cli-tty')));
    const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
    const command =
      [process.execPath, BIN, 'offers', 'put', '--file', file].map(quote).join(' ') +
      ' && ' +
      [process.execPath, BIN, 'offers', 'publish', 'cli-tty', '--wait', '--interval', '30'].map(quote).join(' ');
    // `script` runs the command on a pseudo-terminal: stdout is a TTY, as in a person's shell
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...env, TERM: 'xterm' }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const output = result.stdout;
    assert.ok(output.includes('\x1b[?25l') && output.includes('\x1b[?25h'), 'the cursor is hidden while drawing, and comes back');
    assert.ok(output.includes('\x1b[6F\x1b[0J'), 'the six lines (title and five steps) are redrawn in place');
    assert.match(output, /\x1b\[32m✔\x1b\[0m Certification\s+complete\s+100%/);
    assert.match(output, /\x1b\[33m◆\x1b\[0m Publisher signoff\s+waitingForPublisherReview\s+100%/);
    assert.match(output, /Version 1 of cli-tty is in Preview, waiting for your review\./);
    assert.doesNotMatch(output, /^\s+\+\d/m, 'no log-style lines on a terminal');
  });
});

describe('the cloudpartner command line and a slow publish', () => {
  let dir: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = makeDataDir();
    server = await startServe({ dataDir: join(dir, 'data'), demo: true, flags: ['--step-duration-ms', '600000'] });
    const token = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
    env = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token, CLOUDPARTNER_PUBLISHER: 'contoso' });
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops waiting at --timeout (exit 1, the operation goes on), and cancels the publish', async () => {
    ok(await cli(['offers', 'put', 'slow-vm'], env, { input: JSON.stringify(publishableOffer('slow-vm')) }), 'put');
    const started = ok(await cli(['offers', 'publish', 'slow-vm'], env), 'publish');
    const [, operationId] = new RegExp(
      `^Publishing version 1 of slow-vm: operation (${GUID})\nFollow it with: cloudpartner operations show slow-vm (${GUID}) --wait\n$`,
    )
      .exec(started.stdout)!
      .slice(1);
    assert.ok(operationId);

    const waited = await cli(['operations', 'show', 'slow-vm', operationId, '--wait', '--timeout', '1', '--interval', '200'], env);
    assert.equal(waited.status, 1);
    assert.match(
      oneErrorLine(waited),
      new RegExp(`^cloudpartner: The operation at /api/publishers/contoso/offers/slow-vm/operations/${operationId} was still running after 1000 ms\\.$`),
    );
    assert.match(waited.stdout, /Validate Pre-Requisites \(displaydummycertify\)\s+inProgress/);

    const again = await cli(['offers', 'golive', 'slow-vm'], env);
    assert.equal(again.status, 1);
    assert.match(oneErrorLine(again), /^cloudpartner: 409 OperationInProgress: A publish operation is running on the offer 'slow-vm'/);

    assert.equal(
      ok(await cli(['offers', 'cancel', 'slow-vm'], env), 'cancel').stdout,
      `Canceled the publish of slow-vm (version 1, operation ${operationId}).\n`,
    );
    const canceled = JSON.parse(ok(await cli(['operations', 'list', 'slow-vm', '--status', 'canceled', '-o', 'json'], env), 'list canceled').stdout);
    assert.deepEqual(
      canceled.map((s: { id: string }) => s.id),
      [operationId],
    );
    const nothing = await cli(['offers', 'cancel', 'slow-vm'], env);
    assert.equal(nothing.status, 1);
    assert.match(oneErrorLine(nothing), /^cloudpartner: 409 NoOperationToCancel: No operation is running on the offer 'slow-vm'\.$/);
  });
});
