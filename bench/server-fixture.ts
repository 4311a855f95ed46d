/**
 * The full-stack server for the bench, in its own process:
 *   node --import tsx bench/server-fixture.ts <dataDir> [port]
 *
 * Runs `startServer` from src/server.ts — the function `cloudpartner serve` runs — so the bench
 * measures exactly what serve does: the real Fastify app, the SQLite store on <dataDir>, bearer
 * auth, and the pino logger at level info writing one access-log line per request to stdout
 * (which bench/run.ts points at a file). The startup banner goes to stderr so the log stays
 * clean. When started with an IPC channel, reports `{ type: 'ready', url }` and exits when the
 * channel closes (the bench died).
 *
 * The store is chosen as for serve, from the environment: DATABASE_URL selects PostgreSQL (empty
 * or unset: SQLite on <dataDir>), and CLOUDPARTNER_SECRET_KEY is the key the seed sealed secret
 * values with; CLOUDPARTNER_SANDBOX and CLOUDPARTNER_METRICS turn those on or off for an A/B;
 * CLOUDPARTNER_STEP_DURATION_MS replaces the step duration of 0 (bench/scale.ts keeps publishes
 * running with `realistic`, to cancel them). Only these are read: nothing else of the caller's
 * environment (PORT, HOST, LOG_LEVEL…) may change what is measured.
 *
 * The ready message also says where startup went: `modulesLoadedMs` (process start → this
 * module's body: node, the tsx loader, compiling and loading the server's modules) and
 * `startServerMs` (startServer itself: opening and migrating the store, building the app,
 * listening), both by this process's clock.
 */
import { Writable } from 'node:stream';
import { resolveServeConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

// performance.now() counts from this process's start: what came before this line is loading.
const modulesLoadedMs = performance.now();

const [dataDir, portArg = '0'] = process.argv.slice(2);
if (!dataDir || !/^\d{1,5}$/.test(portArg)) {
  process.stderr.write('usage: node --import tsx bench/server-fixture.ts <dataDir> [port]\n');
  process.exit(2);
}

const bannerToStderr = new Writable({
  write(chunk, _encoding, callback) {
    process.stderr.write(chunk, callback);
  },
});

const startServerBegan = performance.now();
const server = await startServer(
  resolveServeConfig(
    { port: portArg, host: '127.0.0.1', 'data-dir': dataDir, 'log-level': 'info', 'step-duration-ms': process.env['CLOUDPARTNER_STEP_DURATION_MS'] || '0' },
    {
      DATABASE_URL: process.env['DATABASE_URL'],
      CLOUDPARTNER_SECRET_KEY: process.env['CLOUDPARTNER_SECRET_KEY'],
      // CLOUDPARTNER_SANDBOX=true npm run bench: the same scenarios with the sandbox on (its journal and fault hooks).
      CLOUDPARTNER_SANDBOX: process.env['CLOUDPARTNER_SANDBOX'],
      // CLOUDPARTNER_METRICS=off npm run bench: the same scenarios without the metrics (on by default, as in serve).
      CLOUDPARTNER_METRICS: process.env['CLOUDPARTNER_METRICS'],
    },
  ),
  bannerToStderr,
);
const startServerMs = performance.now() - startServerBegan;

// Same shutdown as `cloudpartner serve`: close the app, the store, flush the log.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (process.send) {
  process.on('disconnect', stop);
  process.send({ type: 'ready', url: server.url, modulesLoadedMs, startServerMs });
}
