/**
 * A bounded crash-consistency run (`npm run crashtest` runs as many rounds as you like): a real
 * server under concurrent PUTs, publishes, go-lives and cancels, killed with SIGKILL at a random
 * moment and restarted, round after round; every acknowledged write is there exactly as
 * acknowledged, nothing in flight is half-applied, every operation ends (test/crash/driver.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_STORE } from '../helpers/harness.ts';
import { runCrashTest } from './driver.ts';

const SEED = Number(process.env['CLOUDPARTNER_CRASH_SEED'] ?? 7);
const ITERATIONS = Number(process.env['CLOUDPARTNER_CRASH_ITERATIONS'] ?? 4);

describe(`crash consistency (${TEST_STORE})`, () => {
  it(`${ITERATIONS} rounds of load, SIGKILL at a random moment, restart: every acknowledged write intact, nothing half-applied, every operation terminal`, async (t) => {
    const report = await runCrashTest({
      store: TEST_STORE,
      iterations: ITERATIONS,
      seed: SEED,
      clients: 6,
      offersPerClient: 2,
      stepMs: 25,
      killAfterMs: [300, 1_500],
      log: (line) => t.diagnostic(line),
    });
    t.diagnostic(
      `crash (seed ${SEED}): ${report.iterations} rounds, ${report.kills} kills; acknowledged ${JSON.stringify(report.acknowledged)}; ` +
        `in flight at a kill: ${report.inDoubt.applied} applied whole, ${report.inDoubt.notApplied} not at all; ${report.verified} facts verified; ${report.operations} operations`,
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.kills, ITERATIONS);
    // It checked something: writes of every kind were acknowledged and verified after kills.
    for (const kind of ['create', 'edit', 'publish'])
      assert.ok(report.acknowledged[kind]! > 0, `no ${kind} acknowledged: ${JSON.stringify(report.acknowledged)}`);
    assert.ok(report.verified > 50, `only ${report.verified} facts verified`);
    assert.ok(report.operations > 10, `only ${report.operations} operations`);
  });
});
