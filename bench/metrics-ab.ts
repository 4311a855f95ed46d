/**
 * `npm run bench:metrics [-- --rounds <n>=4 --duration <s>=8]`: what the metrics cost the hot GET.
 *
 * Two full-stack servers (bench/server-fixture.ts, what `serve` runs) on one seeded SQLite file,
 * one with the metrics on (the default) and one with CLOUDPARTNER_METRICS=off, both logging
 * their access lines to a file. GET one 10 KB offer is loaded on each in turn, round after round
 * (the order alternating), so both are measured in the same minutes on whatever else the machine
 * is doing; each run follows a warm-up. Reports req/s and server CPU µs per request per run and
 * their medians: CPU per request is the steadier figure on a shared machine.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseLoadGenerator } from './load.ts';
import { cleanup, installCleanupHandlers, makeTempDir, processCpuMs, startServerChild, type ServerChild } from './processes.ts';
import { seed } from './seed.ts';

const log = (line: string) => process.stderr.write(`[bench:metrics] ${line}\n`);

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '4' }, duration: { type: 'string', default: '8' }, warmup: { type: 'string', default: '2' } },
});
const rounds = Number(values.rounds);
const durationSec = Number(values.duration);
const warmupSec = Number(values.warmup);

installCleanupHandlers();
try {
  const generator = await chooseLoadGenerator(undefined, log);
  const tempDir = makeTempDir('cloudpartner-bench-metrics-');
  const dataDir = join(tempDir, 'data');
  const secretKey = randomBytes(32).toString('base64');
  const data = await seed({ dataDir, secretKey });
  const start = async (metrics: 'on' | 'off'): Promise<ServerChild> => {
    const logFd = openSync(join(tempDir, `access-${metrics}.log`), 'a');
    return startServerChild('bench/server-fixture.ts', [dataDir, '0'], {
      stdoutFd: logFd,
      env: { DATABASE_URL: '', CLOUDPARTNER_SECRET_KEY: secretKey, CLOUDPARTNER_METRICS: metrics },
    }).finally(() => closeSync(logFd));
  };
  const servers = { on: await start('on'), off: await start('off') };
  for (const [name, server] of Object.entries(servers)) {
    const status = (await fetch(`${server.url}/metrics`)).status;
    if (status !== (name === 'on' ? 200 : 404)) throw new Error(`metrics ${name}: /metrics answered ${status}`);
  }
  const runs: Record<'on' | 'off', Array<{ rps: number; cpuUs: number | undefined; p99: number }>> = { on: [], off: [] };
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const server = servers[which];
      const target = { url: server.url + data.offerPath, headers: { authorization: `Bearer ${data.token}` }, connections: 50, threads: 2 };
      await generator.run({ ...target, durationSec: warmupSec });
      const cpuBefore = processCpuMs(server.child.pid);
      const result = await generator.run({ ...target, durationSec });
      const cpuAfter = processCpuMs(server.child.pid);
      if (result.non2xx > 0) throw new Error(`metrics ${which}: ${result.non2xx} answers were not 2xx`);
      const cpuUs = cpuBefore === undefined || cpuAfter === undefined ? undefined : (1000 * (cpuAfter - cpuBefore)) / result.requests;
      runs[which].push({ rps: result.requestsPerSec, cpuUs, p99: result.p99Ms });
      log(`round ${round + 1} metrics ${which}: ${Math.round(result.requestsPerSec)} req/s, p99 ${result.p99Ms} ms, ${cpuUs?.toFixed(1)} CPU µs/req`);
    }
  }
  const median = (numbers: number[]) => {
    const sorted = [...numbers].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const summary = (which: 'on' | 'off') => ({
    rps: median(runs[which].map((run) => run.rps)),
    cpuUs: median(runs[which].flatMap((run) => (run.cpuUs === undefined ? [] : [run.cpuUs]))),
  });
  const on = summary('on');
  const off = summary('off');
  const lines = [
    `GET one 10 KB offer, full stack, ${generator.name} 50 connections, ${rounds} alternating rounds of ${durationSec} s`,
    `metrics on : ${runs.on.map((run) => Math.round(run.rps)).join(', ')} req/s — median ${Math.round(on.rps)}; ${on.cpuUs.toFixed(1)} CPU µs/req`,
    `metrics off: ${runs.off.map((run) => Math.round(run.rps)).join(', ')} req/s — median ${Math.round(off.rps)}; ${off.cpuUs.toFixed(1)} CPU µs/req`,
    `on / off: ${(on.rps / off.rps).toFixed(3)} × the req/s, ${(on.cpuUs / off.cpuUs).toFixed(3)} × the CPU per request`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await cleanup();
}
