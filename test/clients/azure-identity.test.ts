/**
 * The real MSAL-based libraries — `@azure/identity` and `@azure/msal-node`, unmodified, from npm —
 * get tokens from a real cloudpartner over HTTPS and read and write offers with them, configured
 * as a user would: the README's own snippets, run as written, with Node trusting a throwaway CA
 * through NODE_EXTRA_CA_CERTS. On the run's store (SQLite, or PostgreSQL in that pass).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { API, TEST_STORE, makeDataDir } from '../helpers/harness.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { BIN, ROOT, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';
import { makeCertificates } from '../helpers/tls.ts';

function readmeBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const found = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(readme);
  assert.ok(found, `README.md has the ${name} block`);
  return found[1]!;
}

describe(`MSAL-based clients get tokens over HTTPS and use them (${TEST_STORE})`, () => {
  let dir: string;
  let project: string;
  let server: ServerProcess;
  let ca: string;
  let store: string[];
  let dropDatabase: (() => Promise<void>) | undefined;
  let application: { clientId: string; clientSecret: string; tenantId: string; objectId: string };
  let owner: string;

  before(async () => {
    dir = makeDataDir();
    const certificates = makeCertificates(dir);
    ca = certificates.ca;
    store = ['--data-dir', join(dir, 'data')];
    if (TEST_STORE === 'postgres') {
      const database = await createDatabase(await startPostgres());
      dropDatabase = database.drop;
      store.push('--database-url', database.url);
    }
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', ...store, '--port', '0', '--log-level', 'warn', '--cert', certificates.cert, '--key', certificates.key],
      cleanEnv(),
    );
    owner = /^\s+(cpat_\S+)$/m.exec(server.output())![1]!;
    const created = runCli(['app', 'create', '--publisher', 'contoso', '--role', 'Contributor', '--name', 'msal pipeline', '-o', 'json', ...store], cleanEnv());
    assert.equal(created.status, 0, created.stderr);
    application = JSON.parse(created.stdout);
    // A project of the user's own: the libraries resolve from it as `npm install` placed them.
    project = join(dir, 'project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(ROOT, 'node_modules', '@azure'), join(project, 'node_modules', '@azure'));
    symlinkSync(join(ROOT, 'node_modules', 'tsx'), join(project, 'node_modules', 'tsx'));
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await dropDatabase?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a program of the user's project, as the user would: trusting the CA, the application's credentials in the environment. */
  function runInProject(file: string, source: string, env: Record<string, string> = {}) {
    writeFileSync(join(project, file), source);
    return spawnSync(process.execPath, file.endsWith('.ts') ? ['--import', 'tsx', file] : [file], {
      cwd: project,
      env: {
        ...cleanEnv(),
        NODE_EXTRA_CA_CERTS: ca,
        CLOUDPARTNER_ENDPOINT: server.url,
        TENANT_ID: application.tenantId,
        CLIENT_ID: application.clientId,
        CLIENT_SECRET: application.clientSecret,
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  function runSnippet(name: string): string {
    const result = runInProject(`${name}.ts`, readmeBlock(name));
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  it('an https server starts without the plain-http warning', () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(server.output(), /Warning:/);
  });

  it("@azure/identity's ClientSecretCredential (authorityHost = the server) gets a token that reads the offers", () => {
    const out = runSnippet('azure-identity');
    assert.match(out, /^offers 200 059afc24-07de-4126-b004-4e42a51816fe$/m);
  });

  it("@azure/msal-node's ConfidentialClientApplication (authority = the server/tenant) gets a token that writes an offer", async () => {
    const out = runSnippet('msal-node');
    const match = /^put 200 (W\/"datetime'.+'")$/m.exec(out);
    assert.ok(match, out);
    // This process does not trust the throwaway CA (TLS is verified for real): read back through a child that does.
    const untrusted = await fetch(`${server.url}/healthz`).catch((error: Error) => error);
    assert.ok(untrusted instanceof Error, 'without NODE_EXTRA_CA_CERTS the certificate is refused');
    const check = spawnSync(
      process.execPath,
      [
        '-e',
        `fetch(process.argv[1], { headers: { authorization: 'Bearer ' + process.argv[2] } }).then(async (r) => console.log(r.status, r.headers.get('etag'), (await r.json()).definition.displayText))`,
        `${server.url}/api/publishers/contoso/offers/msal-offer?${API}`,
        owner,
      ],
      { env: { ...cleanEnv(), NODE_EXTRA_CA_CERTS: ca }, encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(check.stdout.trim(), `200 ${match[1]} Written with an MSAL token`, check.stderr);
  });

  it('the tokens are the v2 tokens of the built-in issuer at the https address, for the application', () => {
    const script = `
      import { ClientSecretCredential } from '@azure/identity';
      const credential = new ClientSecretCredential(process.env.TENANT_ID, process.env.CLIENT_ID, process.env.CLIENT_SECRET, { authorityHost: process.env.CLOUDPARTNER_ENDPOINT, disableInstanceDiscovery: true });
      console.log((await credential.getToken('https://cloudpartner.azure.com/.default')).token);
    `;
    const result = runInProject('token.mjs', script);
    assert.equal(result.status, 0, result.stderr);
    const claims = decodeJwt(result.stdout.trim());
    assert.equal(claims.iss, `${server.url}/${application.tenantId}/v2.0`);
    assert.equal(claims.aud, 'https://cloudpartner.azure.com');
    assert.equal(claims['azp'], application.clientId);
    assert.equal(claims['oid'], application.objectId);
  });

  it('a wrong client secret is refused by the server, and the library says so (AADSTS7000215)', () => {
    const result = runInProject(
      'wrong.mjs',
      `
      import { ClientSecretCredential } from '@azure/identity';
      const credential = new ClientSecretCredential(process.env.TENANT_ID, process.env.CLIENT_ID, process.env.CLIENT_SECRET, { authorityHost: process.env.CLOUDPARTNER_ENDPOINT, disableInstanceDiscovery: true });
      try { await credential.getToken('https://cloudpartner.azure.com/.default'); console.log('got a token'); } catch (error) { console.log(error.name, error.message.includes('AADSTS7000215')); }
    `,
      { CLIENT_SECRET: 'not-the-secret' },
    );
    assert.equal(result.stdout.trim(), 'AuthenticationRequiredError true', `${result.stdout}\n${result.stderr}`);
  });
});
