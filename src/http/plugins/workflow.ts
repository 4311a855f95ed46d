/** Runs the durable publishing engine, and the audit trail's retention, alongside the app: started when ready, stopped on close. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type StepInterventions, WorkflowEngine } from '../../workflow/engine.ts';
import type { StepDurations } from '../../workflow/durations.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import type { Store } from '../../store/store.ts';
import { AuditRetention } from '../../workflow/audit-retention.ts';

declare module 'fastify' {
  interface FastifyInstance {
    workflow: WorkflowEngine;
    auditRetention: AuditRetention;
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
  /** Days audit records are kept, in workflow time; 0: forever. */
  auditRetentionDays: number;
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
    // Counted in workflow time: the sandbox's clock, advanced, ages the records too.
    const retention = new AuditRetention(options.store, {
      retentionDays: options.auditRetentionDays,
      clock: options.clock ?? systemClock,
      logger: options.logger,
    });
    app.decorate('auditRetention', retention);
    app.addHook('onReady', async () => retention.start());
    app.addHook('preClose', async () => retention.stop());
  },
  { name: 'workflow' },
);
