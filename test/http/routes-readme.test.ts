/** src/http/routes/README.md stays true: every route the server has is listed, every file it names exists. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/harness.ts';
import { ROOT } from '../helpers/processes.ts';

const ROUTES = join(ROOT, 'src/http/routes');

describe('the routes README', () => {
  let server: TestServer;
  let readme: string;
  before(async () => {
    server = await startTestServer('inject', { app: { sandbox: true } });
    readme = readFileSync(join(ROUTES, 'README.md'), 'utf8');
  });
  after(async () => server.close());

  it('lists every route the server has, and no other', () => {
    const served = new Set<string>();
    const document = server.app.swagger() as unknown as { paths: Record<string, Record<string, unknown>> };
    for (const [path, operations] of Object.entries(document.paths))
      for (const method of Object.keys(operations)) served.add(`${method.toUpperCase()} ${path}`);
    const listed = new Set([...readme.matchAll(/^\| `([A-Z]+ \/[^`]*)` \|/gm)].map((match) => match[1]!));
    assert.ok(served.size >= 25);
    assert.deepEqual(
      [...served].filter((route) => !listed.has(route)),
      [],
      'routes missing from the README',
    );
    assert.deepEqual(
      [...listed].filter((route) => !served.has(route)),
      [],
      'the README lists routes the server does not have',
    );
  });

  it('every file it names exists', () => {
    const files = [...readme.matchAll(/`((?:src|test)\/[^`]+|[a-z0-9/-]+\.ts|\.\.\/[^`]+)`/g)].map((match) => match[1]!);
    assert.ok(files.length > 50);
    for (const file of files) {
      const path = file.startsWith('src/') || file.startsWith('test/') ? join(ROOT, file) : join(ROUTES, file);
      assert.ok(existsSync(path), `${file} does not exist`);
    }
  });
});
