/**
 * `npm run crashtest`: rounds of concurrent PUTs, publishes, go-lives and cancels against a real
 * server, SIGKILLed at a random moment and restarted, on each store; after every restart every
 * acknowledged write must be there exactly as acknowledged, nothing in flight half-applied, and
 * every operation must end (test/crash/driver.ts; `npm test` runs a few rounds).
 *
 *   npm run crashtest                                 20 rounds on SQLite, then 20 on PostgreSQL
 *   npm run crashtest -- --iterations 100 --store sqlite --seed 42
 *   npm run crashtest -- --clients 16 --kill-after-ms 100-3000
 *
 * PostgreSQL is a throwaway cluster (or DATABASE_URL). Exit status 0 when every check passed.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runCrashTest } from '../test/crash/driver.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20' },
    store: { type: 'string', default: 'both' },
    seed: { type: 'string' },
    clients: { type: 'string', default: '8' },
    'offers-per-client': { type: 'string', default: '2' },
    'step-duration-ms': { type: 'string', default: '25' },
    'kill-after-ms': { type: 'string', default: '200-2000' },
  },
  strict: true,
});
const stores = values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store];
for (const store of stores) if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store is sqlite, postgres or both');
const seed = values.seed !== undefined ? Number(values.seed) : randomInt(1, 2 ** 31);
const [min, max] = values['kill-after-ms'].split('-').map(Number);
if (!(min! >= 0 && max! >= min!)) throw new Error('--kill-after-ms is <min>-<max>, e.g. 200-2000');

let failed = false;
for (const store of stores as Array<'sqlite' | 'postgres'>) {
  process.stdout.write(`\ncrash test on ${store}: ${values.iterations} rounds, seed ${seed}, ${values.clients} clients\n`);
  const report = await runCrashTest({
    store,
    iterations: Number(values.iterations),
    seed,
    clients: Number(values.clients),
    offersPerClient: Number(values['offers-per-client']),
    stepMs: Number(values['step-duration-ms']),
    killAfterMs: [min!, max!],
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  const acknowledged = Object.values(report.acknowledged).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${store}: ${report.iterations} rounds, ${report.kills} SIGKILLs in ${(report.durationMs / 1000).toFixed(0)} s; ` +
      `${acknowledged} writes acknowledged (${Object.entries(report.acknowledged)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ')}); ` +
      `${report.inDoubt.applied + report.inDoubt.notApplied} in flight at a kill (${report.inDoubt.applied} applied whole, ${report.inDoubt.notApplied} not at all); ` +
      `${report.verified} acknowledged facts verified after restarts; ${report.operations} operations, all terminal: ${report.problems.every((p) => !p.includes('still running'))}; ` +
      `${report.problems.length} problems\n`,
  );
  for (const problem of report.problems) process.stdout.write(`  PROBLEM ${problem}\n`);
  if (report.problems.length > 0) failed = true;
}
process.stdout.write(failed ? `FAILED (seed ${seed})\n` : `OK (seed ${seed})\n`);
process.exit(failed ? 1 : 0);
