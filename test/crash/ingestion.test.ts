/**
 * Configure jobs survive SIGKILL: a server killed while jobs are waiting or running is restarted,
 * and every job that was accepted (202) ends; none is half-applied. Each job adds one plan to each
 * of two products in one request, so a job is visible whole (both plans), or not at all.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TEST_STORE, makeDataDir } from '../helpers/harness.ts';
import { createDatabase, startPostgres } from '../helpers/postgres.ts';
import { type ServerProcess, startServe } from '../helpers/processes.ts';
import { until } from '../helpers/wait.ts';
import { CONFIGURE_SCHEMA, MP, PI } from '../helpers/ingestion.ts';

const API = 'api-version=2017-10-31';
const JOBS = 60;

describe(`configure jobs across a SIGKILL (${TEST_STORE})`, () => {
  it('every accepted job ends after the restart, and every job is applied whole or not at all', async () => {
    const dataDir = makeDataDir();
    const database = TEST_STORE === 'postgres' ? await createDatabase(await startPostgres()) : undefined;
    let server: ServerProcess | undefined;
    const start = (demo: boolean) => startServe({ dataDir, databaseUrl: database?.url, demo, flags: ['--step-lease-ms', '1000'] });
    try {
      server = await start(true);
      const token = /cpat_[A-Za-z0-9_-]{43}/.exec(server.output())![0];
      const call = async (url: string, method = 'GET', body?: unknown) =>
        fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const products: string[] = [];
      for (const name of ['crash-a', 'crash-b']) {
        const created = await call(`${server.url}${PI}/configure`, 'POST', {
          $schema: CONFIGURE_SCHEMA,
          resources: [{ $schema: `${MP}/product/2022-03-01-preview3`, identity: { externalId: name }, type: 'azureVirtualMachine', alias: name }],
        });
        assert.equal(created.status, 202);
        const url = server.url;
        const id = await until(
          `${name} created`,
          async () => ((await (await call(`${url}${PI}/product?externalId=${name}`)).json()) as any).value[0]?.id as string | undefined,
          (found) => found !== undefined,
        );
        products.push(id!);
      }

      // A flood of jobs; the server is killed while they are in flight.
      const accepted: Array<{ n: number; jobId: string }> = [];
      const sent: number[] = [];
      const url = server.url;
      const flood = (async () => {
        for (let n = 0; n < JOBS; n++) {
          sent.push(n);
          try {
            const res = await call(`${url}${PI}/configure`, 'POST', {
              $schema: CONFIGURE_SCHEMA,
              resources: products.map((product) => ({
                $schema: `${MP}/plan/2022-03-01-preview2`,
                product,
                identity: { externalId: `plan-${n}` },
                alias: `Plan ${n}`,
              })),
            });
            if (res.status === 202) accepted.push({ n, jobId: ((await res.json()) as any).jobId });
          } catch {
            return; // the server is gone
          }
        }
      })();
      await until(
        'some jobs accepted',
        () => accepted.length,
        (count) => count >= 10,
      );
      await server.stop('SIGKILL');
      await flood;

      server = await start(false);
      const restarted = server.url;
      for (const { jobId } of accepted) {
        const status = await until(
          `job ${jobId} ends`,
          async () => (await (await call(`${restarted}${PI}/configure/${jobId}/status`)).json()) as any,
          (body) => body.jobStatus === 'completed',
          30_000,
        );
        assert.equal(status.jobResult, 'succeeded', JSON.stringify(status));
      }
      const plansOf = async (offerId: string) =>
        new Set(
          ((await (await call(`${restarted}/api/publishers/contoso/offers/${offerId}?${API}`)).json()) as any).definition.plans.map((plan: any) => plan.planId),
        );
      // A job sent but not acknowledged may still be applied by the restarted server while the two
      // offers are read: read them again until crash-a did not change around the read of crash-b
      // (every job changes both), so the two reads see the same moment.
      let a: Set<unknown>;
      let b: Set<unknown>;
      for (;;) {
        a = await plansOf('crash-a');
        b = await plansOf('crash-b');
        const again = await plansOf('crash-a');
        if (again.size === a.size) break;
      }
      for (const n of sent) assert.equal(a.has(`plan-${n}`), b.has(`plan-${n}`), `job ${n} half-applied`);
      for (const { n } of accepted) assert.ok(a.has(`plan-${n}`), `accepted job ${n} lost`);
    } finally {
      await server?.stop('SIGKILL');
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
