/** The product-ingestion face's catalog view and its configure-job runner: started when ready, stopped on close. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/store.ts';
import { IngestionCatalog } from '../../product-ingestion/catalog.ts';
import type { Profile, PublishJob } from '../../product-ingestion/configure.ts';
import { IngestionJobRunner } from '../../product-ingestion/jobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ingestion: { catalog: IngestionCatalog; jobs: IngestionJobRunner; profile: Profile; publishJob: PublishJob };
  }
}

export interface IngestionPluginOptions {
  store: Store;
  profile: Profile;
  publishJob: PublishJob;
  clock: Clock;
  logger?: Logger | undefined;
  leaseMs?: number | undefined;
  pollMs?: number | undefined;
}

export default fp(
  async function ingestionPlugin(app: FastifyInstance, options: IngestionPluginOptions) {
    const jobs = new IngestionJobRunner(options.store, {
      workflow: app.workflow,
      clock: options.clock,
      logger: options.logger,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    });
    app.decorate('ingestion', { catalog: new IngestionCatalog(options.store), jobs, profile: options.profile, publishJob: options.publishJob });
    app.addHook('onReady', async () => jobs.start());
    app.addHook('preClose', async () => jobs.stop());
  },
  { name: 'ingestion', dependencies: ['workflow'] },
);
