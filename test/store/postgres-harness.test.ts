/**
 * The PostgreSQL test harness itself (test/helpers/postgres.ts): a real server, a database per
 * suite, and no server left behind, whether stopped, exited early or killed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabase, startPostgres, type ClusterInfo, type PostgresServer } from '../helpers/postgres.ts';

const HELPER = new URL('../helpers/postgres.ts', import.meta.url).pathname;

// This suite tests the throwaway cluster itself, so it starts one even where the run provides a
// server through DATABASE_URL (as `npm test`'s PostgreSQL pass does); that mode is tested below.
delete process.env.DATABASE_URL;

/** Live (not zombie) processes of a cluster: the postmaster, its children, anything naming its directory. */
function clusterProcesses(info: ClusterInfo): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // exited while we looked
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || Number(entry) === process.pid) continue;
    if (Number(entry) === info.pid || Number(ppid) === info.pid || cmdline.includes(info.dir)) found.push(`${entry}: ${cmdline}`);
  }
  return found;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function query(url: string, sql: string): Promise<any[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL test harness', () => {
  let server: PostgresServer;

  before(async () => {
    const started = Date.now();
    server = await startPostgres();
    const { source, bin, user } = server.cluster!;
    console.log(`# postgres: ${source} binaries in ${bin}, as ${user}, ready in ${Date.now() - started} ms at ${server.url}`);
  });
  after(() => server?.stop());

  it('gives each suite its own empty database on a real PostgreSQL 15', async () => {
    const [first, second] = await Promise.all([createDatabase(server), createDatabase(server)]);
    assert.notEqual(first.url, second.url);
    for (const [db, label] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      const [{ version }] = await query(db.url, 'select version()');
      assert.match(version, /^PostgreSQL 15\./);
      assert.deepEqual(await query(db.url, "select count(*)::int as n from pg_tables where schemaname = 'public'"), [{ n: 0 }]);
      await query(db.url, 'create table item (id serial primary key, label text not null)');
      await query(db.url, `insert into item (label) values ('${label}'), ('${label} again')`);
      assert.deepEqual(await query(db.url, 'select label from item order by id'), [{ label }, { label: `${label} again` }]);
    }
    const names = [first.url, second.url].map((url) => new URL(url).pathname.slice(1));
    await Promise.all([first.drop(), second.drop()]);
    const left = await query(server.url, `select datname from pg_database where datname in ('${names.join("', '")}')`);
    assert.deepEqual(left, []);
  });

  it('uses DATABASE_URL as it is when set, and never stops that server', async () => {
    process.env.DATABASE_URL = server.url;
    try {
      const external = await startPostgres();
      assert.equal(external.url, server.url);
      assert.equal(external.cluster, undefined);
      const db = await createDatabase(external);
      await external.stop();
      assert.deepEqual(await query(db.url, 'select 1 as one'), [{ one: 1 }]);
      await db.drop();
    } finally {
      delete process.env.DATABASE_URL;
    }
  });

  it('shares one cluster per process and stops it with its last user', async () => {
    assert.ok(server.cluster, 'a cluster of our own');
    const again = await startPostgres();
    assert.equal(again.url, server.url);
    await again.stop();
    assert.deepEqual(await query(server.url, 'select 1 as one'), [{ one: 1 }], 'still up for the first user');

    const info = server.cluster;
    assert.ok(
      clusterProcesses(info).some((line) => line.startsWith(`${info.pid}: `)),
      'the postmaster runs before stop',
    );
    await server.stop();
    assert.deepEqual(clusterProcesses(info), [], 'no postgres process of ours remains');
    assert.equal(existsSync(info.dir), false, 'its temp dir is removed');

    // A later start gets a fresh cluster.
    const next = await startPostgres();
    assert.notEqual(next.cluster!.dir, info.dir);
    await next.stop();
    assert.deepEqual(clusterProcesses(next.cluster!), []);
  });

  // A process that ends without stop(): by exit() (the 'exit' handler), by SIGTERM outside the
  // test runner (the signal handler) and by SIGKILL (the watchdog). Run side by side to save time.
  it('takes the cluster down when its process dies without stop()', async () => {
    const endings = ['exit', 'SIGTERM', 'SIGKILL'] as const;
    await Promise.all(
      endings.map(async (ending) => {
        const script = `
          import { startPostgres } from ${JSON.stringify(HELPER)};
          const server = await startPostgres();
          console.log(JSON.stringify(server.cluster));
          ${ending === 'exit' ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}`;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const exited = new Promise((resolve) => child.on('exit', resolve));
        assert.ok(await eventually(() => stdout.includes('\n'), 30_000), `${ending}: no cluster started\n${stderr}`);
        const info = JSON.parse(stdout) as ClusterInfo;
        if (ending !== 'exit') child.kill(ending);
        await exited;
        // The watchdog polls once a second, then gives the server up to 5 s to go.
        const gone = await eventually(() => clusterProcesses(info).length === 0 && !existsSync(info.dir), 10_000);
        assert.ok(gone, `${ending}: left behind ${clusterProcesses(info).join('; ')} ${existsSync(info.dir) ? info.dir : ''}`);
      }),
    );
  });
});
