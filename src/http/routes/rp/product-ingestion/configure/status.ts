/** GET /rp/product-ingestion/configure/{jobId}/status — configure-status: a submission job reads as its operation. */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { type PublishJob, renderJobStatus } from '../../../../../product-ingestion/configure.ts';
import type { RoutePlugin } from '../../../context.ts';
import { CONFIG, PREFIX, TAGS, checkJobAccess } from '../shared.ts';
import type { Store } from '../../../../../store/store.ts';
import type { IngestionJobRecord } from '../../../../../store/store.ts';
import type { Language } from '../../../../../domain/messages/index.ts';
import { answerLanguage } from '../../../../language.ts';

/** The job's status; the messages of a submission's operation in `language` (the job's own errors are kept in English). */
export async function jobStatus(store: Store, job: IngestionJobRecord, publishJob: PublishJob, language: Language = 'en') {
  const operation = job.operationId && job.offerId ? await store.getOperation(job.publisherId, job.offerId, job.operationId) : null;
  return renderJobStatus(job, operation, publishJob, language);
}

const getJobStatus: RoutePlugin = async (app, { store }) => {
  app.get(
    `${PREFIX}/configure/:jobId/status`,
    { config: CONFIG, schema: { summary: 'Read a configure job’s status', tags: TAGS, params: Type.Object({ jobId: Type.String() }) } },
    async (request, reply) => {
      const { jobId } = request.params;
      if (!/^[0-9a-fA-F-]{36}$/.test(jobId)) throw errors.jobNotFound(jobId);
      const job = checkJobAccess(request, await store.getIngestionJob(jobId.toLowerCase()), jobId, 'read');
      return jobStatus(store, job, app.ingestion.publishJob, answerLanguage(reply));
    },
  );
};
export default getJobStatus;
