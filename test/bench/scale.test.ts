/**
 * bench/scale.ts runs end to end at a tiny size: it seeds both catalogs, starts the servers,
 * measures every scenario and prints every target with a verdict, and writes its results. No
 * figure is asserted (figures belong to the bench, not to tests); only that each is there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run bench:scale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudpartner-scale-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs at a tiny size and reports every target with PASS or MISS', () => {
    const resultsFile = join(dir, 'scale.json');
    const args = ['--offers', '199', '--duration', '1', '--warmup', '0', '--rounds', '1', '--startups', '1', '--history', '3', '--connections', '4'];
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale.ts', ...args, '--threads', '1', '--skip-postgres', '--results', resultsFile], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const out = result.stdout;
    const verdictOf = (pattern: RegExp) => {
      const line = out.split('\n').find((l) => pattern.test(l));
      assert.ok(line, `no line matching ${pattern} in:\n${out}`);
      return line;
    };
    for (const target of [
      /startup at 199: spawn → ready ≤ 2000 ms\s+\d+ ms\s+(PASS|MISS)/,
      /GET offer \(.*\): 199 \/ 1k ≥ 0\.9\s+[\d.]+\s+(PASS|MISS)/,
      /GET list of 100 offers \(.*\): 199 \/ 1k ≥ 0\.9\s+[\d.]+\s+(PASS|MISS)/,
      /GET …\/status: 3 ops \/ 1 op ≥ 0\.9\s+[\d.]+\s+(PASS|MISS)/,
      /GET …\/submissions\?status=running: 3 ops \/ 1 op ≥ 0\.9\s+[\d.]+\s+(PASS|MISS)/,
      /GET …\/submissions \(whole history\): 3 ops \/ 1 op\s+[\d.]+\s+info/,
      /server peak RSS at 199 ≤ 300 MB\s+\d+ MB\s+(PASS|MISS)/,
    ]) {
      verdictOf(target);
    }
    assert.doesNotMatch(out, /!!/, 'no run had errors');

    const saved = JSON.parse(readFileSync(resultsFile, 'utf8'));
    const [sqlite] = saved.stores;
    assert.equal(saved.stores.length, 1);
    assert.equal(sqlite.store, 'sqlite');
    assert.deepEqual([sqlite.catalogs.small.offers, sqlite.catalogs.large.offers, sqlite.catalogs.large.bigPublisherOffers], [1200, 238, 39]);
    assert.deepEqual(
      [...sqlite.reads, ...sqlite.history.comparisons].map((c: { key: string }) => c.key),
      ['offer', 'list', 'status', 'submissions-running', 'submissions'],
    );
    assert.equal(sqlite.history.operationsMade, 4);
  });
});
