/**
 * POST /rp/product-ingestion/configure/{jobId}/cancel — a job that has applied nothing ends
 * `cancelled`; a submission job cancels its operation by the CPP rule (a publish stops at once, a
 * go-live is withdrawn); a job that has completed — a publish from publisher sign-off on — is 400.
 */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { ticksOf } from '../../../../../product-ingestion/configure.ts';
import type { RoutePlugin } from '../../../context.ts';
import { CONFIG, PREFIX, TAGS, checkJobAccess } from '../shared.ts';
import { jobStatus } from './status.ts';
import { auditEntry } from '../../../../../domain/audit.ts';
import { auditContext, auditWrite } from '../../../../audit-context.ts';

const cancelJob: RoutePlugin = async (app, { store }) => {
  app.post(
    `${PREFIX}/configure/:jobId/cancel`,
    { config: CONFIG, schema: { summary: 'Cancel a configure job', tags: TAGS, params: Type.Object({ jobId: Type.String() }) } },
    async (request) => {
      const { jobId } = request.params;
      if (!/^[0-9a-fA-F-]{36}$/.test(jobId)) throw errors.jobNotFound(jobId);
      let job = checkJobAccess(request, await store.getIngestionJob(jobId.toLowerCase()), jobId, 'write');
      if (job.operationId && app.ingestion.publishJob === 'short') throw errors.jobAlreadyCompleted();
      if (job.operationId && job.offerId) {
        const offer = await store.getOffer(job.publisherId, job.offerId);
        if (offer?.runningOperationId !== job.operationId) throw errors.jobAlreadyCompleted();
        const operationId = randomUUID();
        await store.cancelOperation(
          job.publisherId,
          job.offerId,
          { operationId, notificationEmails: null, firstStep: app.workflow.firstStep('cancel', job.publisherId, job.offerId, operationId) },
          auditContext(request),
        );
        app.workflow.wake();
      } else if (
        job.status === 'completed' ||
        !(await store.cancelIngestionJob(
          job.id,
          ticksOf(app.workflow.now()),
          auditWrite(request, auditEntry('configure.cancel', { publisherId: job.publisherId, target: job.id })),
        ))
      ) {
        throw errors.jobAlreadyCompleted();
      }
      job = (await store.getIngestionJob(job.id))!;
      return jobStatus(store, job, app.ingestion.publishJob);
    },
  );
};
export default cancelJob;
