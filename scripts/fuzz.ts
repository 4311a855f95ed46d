/**
 * `npm run fuzz`: as many generated and mutated requests as you like against a real server (the
 * app over a real socket, on SQLite or a throwaway PostgreSQL), with the checks of the bounded
 * run in `npm test` (test/fuzz/fuzz.test.ts). Seeded and repeatable:
 *
 *   npm run fuzz                                  20,000 requests, a random seed (printed)
 *   npm run fuzz -- --seed 42 --requests 100000   a long run
 *   npm run fuzz -- --store postgres              on PostgreSQL (a throwaway cluster, or DATABASE_URL)
 *   npm run fuzz -- --seed 42 --index 1234        replay one request of a run (prints what it sent)
 *   npm run fuzz -- --only json                   one kind: valid document json path query headers method framing
 *
 * Exit status 0 when every answer and every check passed, 1 otherwise.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    store: { type: 'string', default: 'sqlite' },
    'timeout-ms': { type: 'string', default: '15000' },
    only: { type: 'string' },
    index: { type: 'string' },
  },
  strict: true,
});
if (values.store !== 'sqlite' && values.store !== 'postgres') throw new Error('--store is sqlite or postgres');
// The harness reads the store to use when it loads.
process.env['CLOUDPARTNER_TEST_STORE'] = values.store;

const { KINDS, generate } = await import('../test/fuzz/generators.ts');
const { Rng } = await import('../test/fuzz/rng.ts');
const { formatFailures, formatStatuses, runFuzz } = await import('../test/fuzz/fuzzer.ts');
const { verdictAfterFuzz, watchAnswers } = await import('../test/fuzz/verdict.ts');
const { startFuzzServer } = await import('../test/fuzz/setup.ts');
const { startPostgres } = await import('../test/helpers/postgres.ts');

const seed = values.seed !== undefined ? Number(values.seed) : randomInt(1, 2 ** 31);
const only = values.only as (typeof KINDS)[number] | undefined;
if (only !== undefined && !KINDS.includes(only)) throw new Error(`--only is one of ${KINDS.join(', ')}`);
const index = values.index !== undefined ? Number(values.index) : undefined;

// One PostgreSQL cluster for the run (the harness creates a database in it).
const postgres = values.store === 'postgres' ? await startPostgres() : undefined;
if (postgres) process.env['DATABASE_URL'] = postgres.url;

const fuzz = await startFuzzServer(seed);
let failed = false;
try {
  const requests = Number(values.requests);
  process.stdout.write(
    `fuzzing ${values.store}: seed ${seed}, ${index !== undefined ? `request #${index}` : `${requests} requests`}, concurrency ${values.concurrency}\n`,
  );
  if (index !== undefined) {
    const fuzzCase = generate(Rng.forItem(seed, index), index, fuzz.state, only);
    const bytes = fuzzCase.bytes.toString('latin1');
    process.stdout.write(
      `#${index} (${fuzzCase.kind}) ${fuzzCase.summary}\n--- request (${fuzzCase.bytes.length} bytes) ---\n${bytes.length > 4000 ? `${bytes.slice(0, 4000)}…` : bytes}\n---\n`,
    );
  }
  const watch = watchAnswers(fuzz);
  const progress = setInterval(() => process.stdout.write('.'), 5_000);
  const report = await runFuzz(fuzz.port, fuzz.state, {
    seed,
    requests,
    concurrency: Number(values.concurrency),
    timeoutMs: Number(values['timeout-ms']),
    onExchange: watch.onExchange,
    ...(only ? { only } : {}),
    ...(index !== undefined ? { index } : {}),
  });
  clearInterval(progress);
  const rate = Math.round(report.requests / (report.durationMs / 1000));
  process.stdout.write(
    `\n${report.requests} requests, ${report.responses} responses in ${(report.durationMs / 1000).toFixed(1)} s (${rate}/s); slowest answer ${Math.round(report.slowestMs)} ms\n` +
      `statuses: ${formatStatuses(report.statuses)}\nkinds: ${JSON.stringify(report.kinds)}\n`,
  );
  if (report.failureCount > 0) {
    failed = true;
    process.stdout.write(`\n${report.failureCount} bad answers (first ${report.failures.length}):\n${formatFailures(report)}\n`);
  }
  const verdict = await verdictAfterFuzz(fuzz, watch, { idleTimeoutMs: 60_000 });
  process.stdout.write(
    `afterwards: ${verdict.consistency.offers} offers, ${verdict.consistency.versions} versions, ${verdict.consistency.operations} operations checked; ` +
      `${verdict.storedSecrets} planted secrets stored; ${verdict.logLines} log lines; ${verdict.problems.length} problems\n`,
  );
  for (const problem of verdict.problems) process.stdout.write(`  ${problem}\n`);
  if (verdict.problems.length > 0) failed = true;
  process.stdout.write(failed ? `FAILED (seed ${seed})\n` : `OK (seed ${seed})\n`);
} finally {
  await fuzz.close();
  await postgres?.stop();
}
process.exit(failed ? 1 : 0);
