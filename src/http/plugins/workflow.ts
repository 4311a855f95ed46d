/** Runs the durable publishing engine alongside the app: started when ready, stopped on close. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type StepInterventions, WorkflowEngine } from '../../workflow/engine.ts';
import type { StepDurations } from '../../workflow/durations.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    workflow: WorkflowEngine;
  }
}

export interface WorkflowPluginOptions {
  store: Store;
  durations: StepDurations;
  logger?: Logger | undefined;
  leaseMs?: number | undefined;
  pollMs?: number | undefined;
  clock?: Clock | undefined;
  interventions?: StepInterventions | undefined;
}

export default fp(
  async function workflowPlugin(app: FastifyInstance, options: WorkflowPluginOptions) {
    const engine = new WorkflowEngine(options.store, {
      durations: options.durations,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.interventions ? { interventions: options.interventions } : {}),
    });
    app.decorate('workflow', engine);
    app.addHook('onReady', async () => engine.start());
    app.addHook('preClose', async () => engine.stop());
  },
  { name: 'workflow' },
);
