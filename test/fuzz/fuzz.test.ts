/**
 * A bounded fuzzing run (`npm run fuzz` runs as many as you like): a few thousand generated and
 * mutated requests against every endpoint, over raw sockets. Never a 5xx, never a hang, the error
 * shape on every error, no internal detail in any body; afterwards the server is healthy, every
 * stored offer is readable and consistent, and no stored secret or token reached an answer or
 * the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_STORE } from '../helpers/harness.ts';
import { formatFailures, formatStatuses, runFuzz, runLanguagePairs } from './fuzzer.ts';
import { type FuzzServer, startFuzzServer } from './setup.ts';
import { verdictAfterFuzz, watchAnswers } from './verdict.ts';

const SEED = Number(process.env['CLOUDPARTNER_FUZZ_SEED'] ?? 20261121);
const REQUESTS = Number(process.env['CLOUDPARTNER_FUZZ_REQUESTS'] ?? 3000);
const LANGUAGE_PAIRS = Number(process.env['CLOUDPARTNER_FUZZ_LANGUAGE_PAIRS'] ?? 400);

describe(`fuzzing (${TEST_STORE})`, () => {
  let fuzz: FuzzServer;
  before(async () => (fuzz = await startFuzzServer(SEED)));
  after(async () => fuzz?.close());

  it(`${REQUESTS} generated and mutated requests: no 5xx, no hang, the error shape on every error, a healthy and consistent store afterwards`, async (t) => {
    const watch = watchAnswers(fuzz);
    const report = await runFuzz(fuzz.port, fuzz.state, { seed: SEED, requests: REQUESTS, concurrency: 8, timeoutMs: 15_000, onExchange: watch.onExchange });
    t.diagnostic(
      `fuzz (seed ${SEED}): ${report.requests} requests, ${report.responses} responses in ${Math.round(report.durationMs)} ms; slowest ${Math.round(report.slowestMs)} ms`,
    );
    t.diagnostic(`statuses: ${formatStatuses(report.statuses)}`);
    t.diagnostic(`kinds: ${JSON.stringify(report.kinds)}`);
    assert.equal(report.failureCount, 0, `${report.failureCount} bad answers (seed ${SEED}):\n${formatFailures(report)}`);
    assert.equal(report.requests, REQUESTS);
    // The run reached deep: documents were stored, operations started, and every guard answered.
    for (const status of ['200', '201', '202', '400', '401', '403', '404', '409', '412', '413', '415', '431']) {
      assert.ok((report.statuses[status] ?? 0) > 0, `no ${status} in ${formatStatuses(report.statuses)}`);
    }

    const verdict = await verdictAfterFuzz(fuzz, watch, { idleTimeoutMs: 30_000 });
    t.diagnostic(
      `afterwards: ${verdict.consistency.offers} offers, ${verdict.consistency.versions} versions, ${verdict.consistency.operations} operations consistent; ${verdict.storedSecrets} planted secrets stored; ${verdict.logLines} log lines`,
    );
    assert.deepEqual(verdict.problems, []);
    assert.ok(
      verdict.consistency.offers >= 4 && verdict.consistency.operations > 6,
      `the fuzz created offers and operations: ${JSON.stringify(verdict.consistency)}`,
    );
    assert.ok(verdict.storedSecrets > 20, `only ${verdict.storedSecrets} planted secrets were stored: the secret check checked little`);
    assert.ok(verdict.logLines >= REQUESTS / 2, `only ${verdict.logLines} log lines: the log check checked little`);
  });

  it(`${LANGUAGE_PAIRS} requests sent with and without a random Accept-Language: no 5xx, and the same status, codes and paths either way`, async (t) => {
    // The workflow stands still meanwhile: an operation ending between the two sends would change the answer, not the language.
    const admin = await fuzz.server.sandboxAdminToken();
    const clock = await fuzz.server.call('/_cloudpartner/clock', {
      method: 'PUT',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stepDurations: 'realistic' }),
    });
    assert.equal(clock.status, 200, clock.text);
    const outcome = await runLanguagePairs(fuzz.port, fuzz.state, { seed: SEED, requests: LANGUAGE_PAIRS, timeoutMs: 15_000 });
    t.diagnostic(`languages: ${outcome.pairs} pairs, ${outcome.compared} error answers compared; Content-Language ${JSON.stringify(outcome.languages)}`);
    assert.deepEqual(outcome.failures, []);
    assert.ok(outcome.compared > LANGUAGE_PAIRS / 4, `only ${outcome.compared} error answers were compared`);
    for (const language of ['en', 'ru', 'nl', 'zh'])
      assert.ok((outcome.languages[language] ?? 0) > 0, `no answer in ${language}: ${JSON.stringify(outcome.languages)}`);
  });
});
