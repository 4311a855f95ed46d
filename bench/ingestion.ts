/**
 * Configure-job throughput of the product-ingestion face: `jobs` configure requests (each a
 * listing change of one product), `concurrency` at a time, each polled until its job has
 * completed. Measures jobs per second and the time from POST to completed.
 */
export interface IngestionOptions {
  origin: string;
  token: string;
  jobs: number;
  concurrency: number;
  pollIntervalMs: number;
}

export interface IngestionResult {
  jobs: number;
  concurrency: number;
  completed: number;
  failures: number;
  failureSamples: string[];
  wallMs: number;
  jobsPerSecond: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  requests: number;
}

const MP = 'https://schema.mp.microsoft.com/schema';
const CONFIGURE = `${MP}/configure/2022-03-01-preview2`;

export async function runConfigureJobs(options: IngestionOptions): Promise<IngestionResult> {
  const { origin, token } = options;
  let requests = 0;
  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    requests++;
    const res = await fetch(`${origin}/rp/product-ingestion/${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const wait = async (jobId: string) => {
    for (;;) {
      const { body } = await call(`configure/${jobId}/status`);
      if (body.jobStatus === 'completed') return body;
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs));
    }
  };
  // The product every job edits: made by a configure job of its own.
  const created = await call('configure', {
    method: 'POST',
    body: {
      $schema: CONFIGURE,
      resources: [
        { $schema: `${MP}/product/2022-03-01-preview3`, identity: { externalId: `bench-pi-${Date.now()}` }, type: 'azureVirtualMachine', alias: 'bench' },
      ],
    },
  });
  if (created.status !== 202) throw new Error(`configure answered ${created.status}: ${JSON.stringify(created.body)}`);
  await wait(created.body.jobId);
  const product = (await call(`configure/${created.body.jobId}`)).body.resources[0].id as string;

  const times: number[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.jobs) {
      const n = next++;
      const begun = performance.now();
      const posted = await call('configure', {
        method: 'POST',
        body: {
          $schema: CONFIGURE,
          resources: [{ $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product, languageId: 'en-us', title: `Job ${n}` }],
        },
      });
      const status = posted.status === 202 ? await wait(posted.body.jobId) : undefined;
      if (status?.jobResult === 'succeeded') times.push(performance.now() - begun);
      else {
        failures++;
        if (failureSamples.length < 3) failureSamples.push(JSON.stringify(status ?? posted.body).slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const wallMs = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number) => (times.length === 0 ? undefined : times[Math.min(times.length - 1, Math.floor(q * times.length))]);
  return {
    jobs: options.jobs,
    concurrency: options.concurrency,
    completed: times.length,
    failures,
    failureSamples,
    wallMs,
    jobsPerSecond: (times.length * 1000) / wallMs,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests,
  };
}
