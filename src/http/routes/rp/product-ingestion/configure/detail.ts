/**
 * GET /rp/product-ingestion/configure/{jobId} — configure-detail: the resources the job wrote,
 * ids filled in, in the request's order. Only a job that succeeded has one (404 otherwise).
 */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { schemaUri } from '../../../../../product-ingestion/schemas.ts';
import type { RoutePlugin } from '../../../context.ts';
import { allInVersion } from '../../../../../product-ingestion/versions.ts';
import { CONFIG, PREFIX, TAGS, checkJobAccess, versionOf } from '../shared.ts';
import { jobStatus } from './status.ts';
import { message } from '../../../../../domain/messages/index.ts';

const getJobDetail: RoutePlugin = async (app, { store }) => {
  app.get(
    `${PREFIX}/configure/:jobId`,
    { config: CONFIG, schema: { summary: 'Read what a configure job wrote', tags: TAGS, params: Type.Object({ jobId: Type.String() }) } },
    async (request) => {
      const { jobId } = request.params;
      const version = versionOf(request);
      if (!/^[0-9a-fA-F-]{36}$/.test(jobId)) throw errors.jobNotFound(jobId);
      const job = checkJobAccess(request, await store.getIngestionJob(jobId.toLowerCase()), jobId, 'read');
      const status = await jobStatus(store, job, app.ingestion.publishJob);
      if (status['jobStatus'] !== 'completed') throw errors.jobDetailUnavailable(jobId, message('job.notCompleted'));
      if (status['jobResult'] !== 'succeeded') throw errors.jobDetailUnavailable(jobId, message('job.endedAs', { result: String(status['jobResult']) }));
      return { $schema: schemaUri('configure-detail'), resources: allInVersion(JSON.parse(job.detailJson ?? '[]') as never[], version) };
    },
  );
};
export default getJobDetail;
