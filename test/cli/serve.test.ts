/**
 * The first-start experience and the CLI, as real processes: `npm start` prints a token and
 * curl lines that work when pasted; a restart keeps the data; `token create` works beside a
 * running server; configuration comes from flags and environment.
 */
import assert from 'node:assert/strict';
import { execSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedOfferDocument } from '../../src/demo/demo-data.ts';
import { API, makeDataDir } from '../helpers/harness.ts';
import { BIN, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';

const TOKEN_LINE = /^\s+(cpat_[A-Za-z0-9_-]{43})$/m;

/** The banner's curl lines for the seed calls (the API's GETs; the sandbox example is another). */
function seedCalls(output: string): string[] {
  return output.split('\n').filter((line) => line.trim().startsWith('curl ') && line.includes('/api/publishers/'));
}

describe('first start with npm start', () => {
  let dataDir: string;
  let server: ServerProcess;
  let firstToken: string;

  before(async () => {
    dataDir = join(makeDataDir(), 'data');
    server = await startProcess('npm', ['start', '--silent', '--', '--data-dir', dataDir, '--port', '0'], cleanEnv());
  });
  after(async () => {
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the data directory, prints a token and a curl line for each seed call', () => {
    assert.ok(existsSync(join(dataDir, 'cloudpartner.db')));
    const match = TOKEN_LINE.exec(server.output());
    assert.ok(match, server.output());
    firstToken = match[1]!;
    const curls = seedCalls(server.output());
    assert.equal(curls.length, 6);
    for (const slot of ['Draft', 'Preview', 'Production']) assert.ok(curls.some((line) => line.includes(`/slot/${slot}?`)));
    // The demo turns the sandbox on: its admin token and a first control are printed too.
    const tokens = [...server.output().matchAll(/^\s+(cpat_[A-Za-z0-9_-]{43})$/gm)].map((found) => found[1]);
    assert.equal(tokens.length, 2);
    assert.match(server.output(), /Sandbox controls at http:\/\/127\.0\.0\.1:\d+\/_cloudpartner\/ — the sandbox admin token, shown only now:/);
    assert.match(server.output(), /curl -s -X POST -H "Authorization: Bearer cpat_[A-Za-z0-9_-]{43}" .*\/_cloudpartner\/faults/s);
  });

  it('prints the console sign-in link with both tokens in the fragment, never in a query string', async () => {
    const link = /^\s+(http:\/\/127\.0\.0\.1:\d+\/console\/#\S+)$/m.exec(server.output());
    assert.ok(link, server.output());
    const url = new URL(link[1]!);
    assert.equal(url.search, '');
    const fragment = new URLSearchParams(url.hash.slice(1));
    const tokens = [...server.output().matchAll(/^\s+(cpat_[A-Za-z0-9_-]{43})$/gm)].map((found) => found[1]);
    assert.deepEqual([fragment.get('token'), fragment.get('sandboxToken')], tokens);
    const page = await fetch(`${url.origin}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('every printed curl line, pasted into a shell, returns the seed documents', () => {
    const curls = seedCalls(server.output());
    const bodies = curls.map((line) => JSON.parse(execSync(`${line.trim()} -f`, { encoding: 'utf8', shell: '/bin/sh' })));
    assert.equal(bodies[0][0].id, seedOfferDocument().id);
    assert.deepEqual(bodies[1], seedOfferDocument());
    assert.equal(bodies[2].version, 3);
    assert.deepEqual(bodies[3], seedOfferDocument());
    assert.equal(bodies[4].version, 3);
    assert.equal(bodies[5].version, 2);
  });

  it('token create works while the server runs, prints the token alone, and the server accepts it', async () => {
    const result = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Reader', '--data-dir', dataDir], cleanEnv());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^cpat_[A-Za-z0-9_-]{43}\n$/);
    const res = await fetch(`${server.url}/api/publishers/contoso/offers?${API}`, { headers: { authorization: `Bearer ${result.stdout.trim()}` } });
    assert.equal(res.status, 200);
  });

  it('token create reads the data directory from the environment too', () => {
    const result = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Contributor'], cleanEnv({ CLOUDPARTNER_DATA_DIR: dataDir }));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^cpat_/);
  });

  it('token create explains mistakes on stderr and exits 2', () => {
    const cases = [
      ['token', 'create', '--publisher', 'nobody', '--role', 'Reader', '--data-dir', dataDir],
      ['token', 'create', '--publisher', 'contoso', '--role', 'Admin', '--data-dir', dataDir],
      ['token', 'create', '--role', 'Reader', '--data-dir', dataDir],
      ['token', 'create', '--publisher', 'contoso', '--role', 'Reader', '--bogus', '--data-dir', dataDir],
      ['token', 'list'],
    ];
    for (const args of cases) {
      const result = runCli(args, cleanEnv());
      assert.equal(result.status, 2, args.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^cloudpartner: /);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('a second start keeps the data and prints no new token; SIGTERM stops it cleanly', async () => {
    await server.stop('SIGTERM');
    server = await startProcess(process.execPath, [BIN, 'serve', '--demo', '--data-dir', dataDir, '--port', '0'], cleanEnv());
    assert.doesNotMatch(server.output(), TOKEN_LINE);
    assert.match(server.output(), /\$TOKEN/);
    const res = await fetch(`${server.url}/api/publishers/contoso/offers?${API}`, { headers: { authorization: `Bearer ${firstToken}` } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).length, 1);
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  it('--new-demo-token prints a new token on a later start', async () => {
    server = await startProcess(process.execPath, [BIN, 'serve', '--demo', '--new-demo-token', '--data-dir', dataDir, '--port', '0'], cleanEnv());
    const match = TOKEN_LINE.exec(server.output());
    assert.ok(match);
    assert.notEqual(match[1], firstToken);
  });
});

describe('serve configuration', () => {
  let dataDir: string;
  before(() => (dataDir = makeDataDir()));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads PORT, HOST, CLOUDPARTNER_DATA_DIR and LOG_LEVEL from the environment', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await startProcess(
      process.execPath,
      [BIN, 'serve'],
      cleanEnv({ PORT: String(port), HOST: '127.0.0.1', CLOUDPARTNER_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    );
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      assert.ok(existsSync(join(dataDir, 'cloudpartner.db')));
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.doesNotMatch(server.output(), /"level"/, 'LOG_LEVEL=silent writes no log lines');
    } finally {
      await server.stop();
    }
  });

  it('flags win over the environment', async () => {
    const server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--log-level', 'info', '--data-dir', dataDir],
      cleanEnv({ PORT: '1', LOG_LEVEL: 'silent', CLOUDPARTNER_DATA_DIR: '/nonexistent/never' }),
    );
    try {
      assert.notEqual(server.url.split(':').at(-1), '1');
      await fetch(`${server.url}/api/offerTypes?${API}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.match(server.output(), /"level":30/, '--log-level info wins over LOG_LEVEL=silent');
    } finally {
      await server.stop();
    }
  });

  it('warns at start when the token service would name plain-http endpoints, which MSAL-based clients refuse', async () => {
    const plain = await startProcess(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], cleanEnv());
    try {
      assert.match(
        plain.output(),
        new RegExp(
          `^Warning: the token service's endpoints are at ${plain.url.replaceAll('.', '\\.')}, plain http\\. MSAL-based clients .* --cert and --key`,
          'm',
        ),
      );
    } finally {
      await plain.stop();
    }
    const proxied = await startProcess(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent', '--public-url', 'https://cloudpartner.example.com'],
      cleanEnv(),
    );
    try {
      assert.doesNotMatch(proxied.output(), /Warning/, 'an https public URL (a TLS proxy in front) needs no warning');
      const metadata = (await (await fetch(`${proxied.url}/common/v2.0/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
      assert.match(metadata.token_endpoint, /^https:\/\/cloudpartner\.example\.com\/[0-9a-f-]{36}\/oauth2\/v2\.0\/token$/);
    } finally {
      await proxied.stop();
    }
  });

  it('serve -o json announces itself in one JSON document: address, store, demo token, warnings', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--demo', '--port', '0', '--data-dir', join(dataDir, 'json'), '--log-level', 'silent', '-o', 'json'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const started = JSON.parse(first);
      assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(started.store, /^embedded database /);
      assert.equal(started.openapi, `${started.url}/openapi.json`);
      assert.equal(started.demo.publisherId, 'contoso');
      assert.match(started.demo.token, /^cpat_/);
      assert.equal(started.warnings.length, 1);
      assert.equal(started.console.url, `${started.url}/console/`);
      assert.ok(
        started.console.bundleGzipBytes > 1000 && started.console.bundleGzipBytes <= 250 * 1024,
        `bundle ${started.console.bundleGzipBytes} bytes gzipped`,
      );
      assert.ok(started.console.signIn.startsWith(`${started.url}/console/#token=${started.demo.token}`));
      const res = await fetch(`${started.url}/api/publishers/contoso/offers?${API}`, { headers: { authorization: `Bearer ${started.demo.token}` } });
      assert.equal(res.status, 200);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--put-mode documented (or CLOUDPARTNER_PUT_MODE) answers PUT as the documentation describes: 201, then 409 without If-Match', async () => {
    const server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--port', '0', '--data-dir', join(dataDir, 'documented'), '--log-level', 'silent'],
      cleanEnv({ CLOUDPARTNER_PUT_MODE: 'documented' }),
    );
    try {
      const token = TOKEN_LINE.exec(server.output())![1]!;
      const put = () =>
        fetch(`${server.url}/api/publishers/contoso/offers/documented-offer?${API}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ offerTypeId: 'microsoft-azure-virtualmachines', definition: { displayText: 'x' } }),
        });
      assert.equal((await put()).status, 201);
      assert.equal((await put()).status, 409);
    } finally {
      await server.stop();
    }
  });

  it('--console off (or CLOUDPARTNER_CONSOLE=off) serves no console and prints no link', async () => {
    const server = await startProcess(
      process.execPath,
      [BIN, 'serve', '--demo', '--port', '0', '--data-dir', join(dataDir, 'no-console'), '--console', 'off'],
      cleanEnv(),
    );
    try {
      assert.doesNotMatch(server.output(), /\/console\//);
      assert.equal((await fetch(`${server.url}/console/`)).status, 404);
    } finally {
      await server.stop();
    }
  });

  it('rejects bad configuration with one clear line', () => {
    for (const [args, env] of [
      [['serve', '--port', 'eighty'], {}],
      [['serve'], { PORT: '70000' }],
      [['serve', '--log-level', 'loud'], {}],
      [['serve', '--unknown-flag'], {}],
      [['serve', '--put-mode', 'strict'], {}],
      [['serve'], { CLOUDPARTNER_PUT_MODE: 'lenient' }],
      [['serve', '-o', 'xml'], {}],
      [['frobnicate'], {}],
    ] as const) {
      const result = runCli([...args], cleanEnv({ ...env, CLOUDPARTNER_DATA_DIR: dataDir }));
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^cloudpartner: .+\n$/);
    }
  });
});
