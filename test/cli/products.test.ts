/**
 * `cloudpartner products` as a real process against a real `cloudpartner serve`: find a product,
 * read its tree and plans, configure it from a file, publish and go live through configure jobs,
 * and a failed job as exit 1 with its errors.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { makeDataDir } from '../helpers/harness.ts';
import { apiEnv, cli, type CliResult } from '../helpers/cli.ts';
import { MP } from '../helpers/ingestion.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { type ServerProcess, startServe } from '../helpers/processes.ts';

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.status, 0, `${what}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

describe('cloudpartner products against a real server', () => {
  let dir: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = makeDataDir();
    server = await startServe({ dataDir: join(dir, 'data'), demo: true, flags: ['--step-duration-ms', '20'] });
    const token = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
    env = apiEnv(join(dir, 'no-profiles.json'), { CLOUDPARTNER_ENDPOINT: server.url, CLOUDPARTNER_TOKEN: token });
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, reads, configures, publishes and takes a product live', async () => {
    const listed = ok(await cli(['products', 'list'], env), 'list').stdout;
    assert.match(listed, new RegExp(`^product/[0-9a-f-]{36}\\s+${DEMO_OFFER_ID}\\s+azureVirtualMachine\\s+Contoso Virtual Machine Offer$`, 'm'));
    const tree = ok(await cli(['products', 'tree', DEMO_OFFER_ID, '--target', 'live'], env), 'tree').stdout;
    assert.match(
      tree,
      /^virtual-machine-plan-technical-configuration\/\S+\s+https:\/\/schema\.mp\.microsoft\.com\/schema\/virtual-machine-plan-technical-configuration\//m,
    );
    assert.match(ok(await cli(['products', 'plans', DEMO_OFFER_ID], env), 'plans').stdout, /contososkuidentifier\s+Contoso App/);

    // --schema-version: every resource in its newest version not above the one asked for ($version).
    const schemasOf = async (args: string[]) =>
      JSON.parse(ok(await cli(['products', ...args, '-o', 'json'], env), args.join(' ')).stdout) as { resources?: unknown[] } | unknown[] as any;
    const current = (await schemasOf(['tree', DEMO_OFFER_ID])).resources.map((resource: { $schema: string }) => resource.$schema);
    assert.ok(
      current.some((schema: string) => !schema.endsWith('/2022-03-01-preview2')),
      'some resources are newer than preview2',
    );
    const older = (await schemasOf(['tree', DEMO_OFFER_ID, '--schema-version', '2022-03-01-preview2'])).resources;
    assert.equal(older.length, current.length);
    assert.ok(
      older.every((resource: { $schema: string }) => resource.$schema.endsWith('/2022-03-01-preview2')),
      older.map((resource: { $schema: string }) => resource.$schema).join(' '),
    );
    const olderPlans = await schemasOf(['plans', DEMO_OFFER_ID, '--schema-version', '2022-03-01-preview2']);
    assert.ok(olderPlans.length > 0 && olderPlans.every((plan: { $schema: string }) => plan.$schema.endsWith('/plan/2022-03-01-preview2')));

    // A new offer through the CPP face, then edited through configure from a file.
    const put = await fetch(`${server.url}/api/publishers/contoso/offers/cli-product?api-version=2017-10-31`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${env['CLOUDPARTNER_TOKEN']}`, 'content-type': 'application/json' },
      body: JSON.stringify(publishableOffer('cli-product')),
    });
    assert.equal(put.status, 200);
    const product = JSON.parse(ok(await cli(['products', 'list', '--external-id', 'cli-product', '-o', 'json'], env), 'list json').stdout)[0].id;
    const file = join(dir, 'configure.json');
    writeFileSync(
      file,
      JSON.stringify([{ $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product, languageId: 'en-us', title: 'Titled from the CLI' }]),
    );
    assert.match(ok(await cli(['products', 'configure', '--file', file], env), 'configure').stdout, /^job [0-9a-f-]{36}: completed, succeeded$/m);
    const shown = JSON.parse(ok(await cli(['products', 'tree', 'cli-product', '-o', 'json'], env), 'tree json').stdout);
    assert.equal(shown.resources.find((resource: { id: string }) => resource.id.startsWith('listing/')).title, 'Titled from the CLI');

    assert.match(ok(await cli(['products', 'publish', 'cli-product'], env), 'publish').stdout, /completed, succeeded/);
    assert.match(ok(await cli(['products', 'golive', 'cli-product'], env), 'golive').stdout, /completed, succeeded/);
    assert.match(
      ok(await cli(['products', 'submissions', 'cli-product'], env), 'submissions').stdout,
      /submission\/\S+\/1152921504606846977\s+live\s+completed\s+succeeded/,
    );

    // A job that fails: exit 1, its errors printed.
    writeFileSync(
      file,
      JSON.stringify([{ $schema: `${MP}/plan-listing/2022-03-01-preview5`, kind: 'azureVM-plan', product, plan: { externalId: 'nope' }, languageId: 'en-us' }]),
    );
    const failed = await cli(['products', 'configure', '-f', file], env);
    assert.equal(failed.status, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /completed, failed\n\s+badRequest: Invalid resource \(resources\[0\]\)\n\s+resourceNotFound: \$\.plan: the plan/);
  });
});
