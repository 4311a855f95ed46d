/**
 * Group commit on the embedded database (src/store/sqlite/database.ts): a write transaction is
 * acknowledged only after an fsync of the WAL that began after its COMMIT, fsyncs run off the
 * event loop and cover every commit before them, and the writer checkpoints a large WAL itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteDatabase } from '../../src/store/sqlite/database.ts';
import { sql } from '../../src/store/sql/statement.ts';

const CREATE = sql('test-create', 'CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const INSERT = sql('test-insert', 'INSERT INTO items (body) VALUES (?)');
const COUNT = sql('test-count', 'SELECT count(*) AS n FROM items');

describe('SQLite group commit', () => {
  let dir: string;
  let database: SqliteDatabase;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudpartner-group-commit-'));
    database = new SqliteDatabase(join(dir, 'test.db'));
    await database.run(CREATE);
  });
  after(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a commit only once an fsync begun after it has finished, and one fsync serves many commits', async () => {
    const before = database.durability;
    const acknowledged: { commit: number; durable: number }[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        await database.transact((tx) => tx.run(INSERT, `item ${index}`));
        const now = database.durability;
        acknowledged.push({ commit: now.commits, durable: now.durable });
      }),
    );
    const afterAll = database.durability;
    assert.equal(afterAll.commits - before.commits, 200);
    assert.equal(afterAll.durable, afterAll.commits, 'every acknowledged commit is durable');
    // Each transaction resolved with every commit up to its own durable (its own number is at most
    // the commits counted when it resolved, and the durable mark covers it).
    for (const seen of acknowledged) assert.ok(seen.durable >= before.commits + 1 && seen.durable <= seen.commit);
    const syncs = afterAll.syncs - before.syncs;
    assert.ok(syncs >= 1, 'at least one fsync');
    assert.ok(syncs < 200, `${syncs} fsyncs for 200 concurrent commits: they are grouped`);
    assert.equal((await database.get<{ n: number }>(COUNT))?.n, 200);
  });

  it('a failed transaction is rolled back and waits for no fsync', async () => {
    const before = database.durability;
    await assert.rejects(
      database.transact(async (tx) => {
        await tx.run(INSERT, 'rolled back');
        throw new Error('no');
      }),
      /no/,
    );
    assert.equal(database.durability.commits, before.commits);
    assert.equal((await database.get<{ n: number }>(COUNT))?.n, 200);
  });

  it('a write no client waits for (waitForDurability: false) resolves at COMMIT, and its sync starts without a waiter', async () => {
    await database.flush();
    const before = database.durability;
    await database.transact((tx) => tx.run(INSERT, 'step'), { waitForDurability: false });
    const atCommit = database.durability;
    assert.equal(atCommit.commits, before.commits + 1);
    // Resolved before its fsync finished (the fsync runs on the thread pool, after this turn)…
    assert.equal(atCommit.durable, before.durable, 'not yet durable when it resolved');
    assert.equal(atCommit.syncs, before.syncs + 1, 'but its fsync has begun');
    // …and that fsync makes it durable with nobody waiting for it.
    while (database.durability.durable < atCommit.commits) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(database.durability.syncs, atCommit.syncs, 'no second fsync was needed');
    await database.run(sql('test-delete-step', "DELETE FROM items WHERE body = 'step'"));
  });

  it('keeps the WAL bounded: the writer checkpoints it every 500 writing commits', async () => {
    const body = 'x'.repeat(16 * 1024);
    for (let batch = 0; batch < 120; batch++) {
      await Promise.all(Array.from({ length: 10 }, () => database.transact((tx) => tx.run(INSERT, body))));
    }
    // 1,200 commits of about 21 KB of frames each (25 MB): checkpoints every 500 keep the WAL to about 500 commits' worth.
    const wal = statSync(join(dir, 'test.db-wal')).size;
    assert.ok(wal < 16 * 1024 * 1024, `WAL is ${wal} bytes`);
    assert.equal((await database.get<{ n: number }>(COUNT))?.n, 1400);
  });
});
