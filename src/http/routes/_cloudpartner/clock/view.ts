/** The sandbox clock as the clock routes answer it. */
import type { FastifyInstance } from 'fastify';
import { ALL_STEP_IDS } from '../../../../domain/workflow.ts';
import { durationTable } from '../../../../workflow/durations.ts';
import type { SandboxClock } from '../../../schemas/sandbox.ts';
import { sandboxOf } from '../sandbox-route.ts';

export function clockView(app: FastifyInstance): SandboxClock {
  const { clock } = sandboxOf(app);
  return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offsetMs, stepDurations: durationTable(app.workflow.durations, ALL_STEP_IDS) };
}
