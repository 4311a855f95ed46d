/** app create, members and HTTPS, as real processes. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API, makeDataDir } from '../helpers/harness.ts';
import { BIN, ROOT, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';
import { readFileSync } from 'node:fs';

function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('app create, members, and HTTPS', () => {
  let dir: string;
  let server: ServerProcess;
  let ca: Buffer;

  before(async () => {
    dir = makeDataDir();
    // a self-signed certificate for 127.0.0.1, as the README shows
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--data-dir', join(dir, 'data'), '--port', '0', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')],
      cleanEnv(),
    );
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the given certificate', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await httpsGet(`${server.url}/healthz`, ca);
    assert.equal(res.status, 200);
  });

  it('app create registers an application whose client credentials get a token that works', async () => {
    const created = runCli(
      ['app', 'create', '--publisher', 'contoso', '--role', 'Contributor', '--name', 'ci pipeline', '-o', 'json', '--data-dir', join(dir, 'data')],
      cleanEnv(),
    );
    assert.equal(created.status, 0, created.stderr);
    const app = JSON.parse(created.stdout) as { clientId: string; clientSecret: string; tenantId: string; objectId: string };
    const tokenResponse = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        resource: 'https://cloudpartner.azure.com',
      }).toString();
      const req = request(
        `${server.url}/${app.tenantId}/oauth2/token`,
        { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(tokenResponse.status, 200, tokenResponse.body);
    const token = JSON.parse(tokenResponse.body).access_token as string;
    const offers = await httpsGet(`${server.url}/api/publishers/contoso/offers?${API}`, ca, { authorization: `Bearer ${token}` });
    assert.equal(offers.status, 200);

    const list = runCli(['members', 'list', '--publisher', 'contoso', '--output', 'json', '--data-dir', join(dir, 'data')], cleanEnv());
    assert.equal(list.status, 0, list.stderr);
    const members = JSON.parse(list.stdout) as Array<{ objectId: string; role: string; displayName: string }>;
    assert.ok(members.some((member) => member.objectId === app.objectId && member.role === 'Contributor' && member.displayName === 'ci pipeline'));

    const removed = runCli(['members', 'remove', '--publisher', 'contoso', '--object-id', app.objectId, '--data-dir', join(dir, 'data')], cleanEnv());
    assert.equal(removed.status, 0, removed.stderr);
    const denied = await httpsGet(`${server.url}/api/publishers/contoso/offers?${API}`, ca, { authorization: `Bearer ${token}` });
    assert.equal(denied.status, 403, 'a removed member loses access on the running server');
  });

  it('every command speaks JSON with -o json: one document a script can read, nothing else on stdout', () => {
    const data = ['--data-dir', join(dir, 'data')];
    const json = (args: string[]) => {
      const result = runCli([...args, '-o', 'json', ...data], cleanEnv());
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout);
    };
    const token = json(['token', 'create', '--publisher', 'contoso', '--role', 'Reader', '--expires-in-days', '2']);
    assert.match(token.token, /^cpat_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([token.publishers, token.role], [['contoso'], 'Reader']);
    assert.ok(Date.parse(token.expiresAt) > Date.now());
    const objectId = '22222222-2222-2222-2222-222222222222';
    const member = ['--publisher', 'contoso', '--object-id', objectId];
    assert.equal(
      json(['members', 'add', ...member, '--tenant-id', '33333333-3333-3333-3333-333333333333', '--role', 'Reader', '--name', 'auditor']).result,
      'added',
    );
    assert.equal(
      json(['members', 'add', ...member, '--tenant-id', '33333333-3333-3333-3333-333333333333', '--role', 'Contributor']).member.role,
      'Contributor',
    );
    assert.ok(json(['members', 'list', '--publisher', 'contoso']).some((m: { objectId: string }) => m.objectId === objectId));
    assert.deepEqual(json(['members', 'remove', ...member]), {
      result: 'removed',
      objectId,
      tenantId: '33333333-3333-3333-3333-333333333333',
      publisherId: 'contoso',
    });
    // Members and the members API share one rule: an object id that is a member in two tenants needs its tenant named.
    json(['members', 'add', ...member, '--tenant-id', '44444444-4444-4444-4444-444444444444', '--role', 'Reader']);
    json(['members', 'add', ...member, '--tenant-id', '55555555-5555-5555-5555-555555555555', '--role', 'Reader']);
    const ambiguous = runCli(['members', 'remove', ...member, ...data], cleanEnv());
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /several tenants: name the tenant/);
    assert.equal(
      json(['members', 'remove', ...member, '--tenant-id', '44444444-4444-4444-4444-444444444444']).tenantId,
      '44444444-4444-4444-4444-444444444444',
    );
    assert.equal(json(['members', 'remove', ...member]).tenantId, '55555555-5555-5555-5555-555555555555');
    const version = runCli(['--version', '-o', 'json'], cleanEnv());
    assert.deepEqual(JSON.parse(version.stdout), { version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version });
    const wrong = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Reader', '-o', 'yaml', ...data], cleanEnv());
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^cloudpartner: -o\/--output must be json or table, not 'yaml'\n$/);
  });

  it('explains mistakes in one line', () => {
    for (const args of [
      ['app', 'create', '--publisher', 'nobody', '--role', 'Reader'],
      ['app', 'create', '--publisher', 'contoso', '--role', 'Boss'],
      ['members', 'add', '--publisher', 'contoso', '--object-id', 'x', '--tenant-id', 'y', '--role', 'Reader'],
      ['members', 'remove', '--publisher', 'contoso', '--object-id', '11111111-1111-1111-1111-111111111111'],
      ['serve', '--cert', join(dir, 'cert.pem')],
      ['serve', '--cert', '/nonexistent.pem', '--key', '/nonexistent.pem'],
      ['serve', '--trusted-issuers', '[{"nope":1}]'],
    ]) {
      const result = runCli([...args, '--data-dir', join(dir, 'data')], cleanEnv());
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^cloudpartner: .+\n$/);
    }
  });
});
