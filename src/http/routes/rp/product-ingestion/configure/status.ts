/** GET /rp/product-ingestion/configure/{jobId}/status — configure-status: a submission job reads as its operation. */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { type PublishJob, renderJobStatus } from '../../../../../product-ingestion/configure.ts';
import type { RoutePlugin } from '../../../context.ts';
import { CONFIG, PREFIX, TAGS, checkJobAccess } from '../shared.ts';
import type { Store } from '../../../../../store/store.ts';
import type { IngestionJobRecord } from '../../../../../store/store.ts';

export async function jobStatus(store: Store, job: IngestionJobRecord, publishJob: PublishJob) {
  const operation = job.operationId && job.offerId ? await store.getOperation(job.publisherId, job.offerId, job.operationId) : null;
  return renderJobStatus(job, operation, publishJob);
}

const getJobStatus: RoutePlugin = async (app, { store }) => {
  app.get(
    `${PREFIX}/configure/:jobId/status`,
    { config: CONFIG, schema: { summary: 'Read a configure job’s status', tags: TAGS, params: Type.Object({ jobId: Type.String() }) } },
    async (request) => {
      const { jobId } = request.params;
      if (!/^[0-9a-fA-F-]{36}$/.test(jobId)) throw errors.jobNotFound(jobId);
      const job = checkJobAccess(request, await store.getIngestionJob(jobId.toLowerCase()), jobId, 'read');
      return jobStatus(store, job, app.ingestion.publishJob);
    },
  );
};
export default getJobStatus;
