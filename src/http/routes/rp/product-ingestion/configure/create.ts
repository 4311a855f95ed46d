/**
 * POST /rp/product-ingestion/configure — check the request (400 with every problem, no job made),
 * find the publisher whose products it writes, and make the job (202, configure-status). The job
 * runner takes it at once: it leaves `notStarted` within moments.
 */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { ApiError, errors } from '../../../../../domain/errors.ts';
import { roleAllows } from '../../../../../domain/roles.ts';
import { publishersFor } from '../../../../../product-ingestion/catalog.ts';
import { parseConfigureRequest, productReferences, renderJobStatus, ticksOf } from '../../../../../product-ingestion/configure.ts';
import type { RoutePlugin } from '../../../context.ts';
import { CONFIG, PREFIX, TAGS } from '../shared.ts';
import { auditEntry } from '../../../../../domain/audit.ts';
import { auditWrite } from '../../../../audit-context.ts';
import { message } from '../../../../../domain/messages/index.ts';
import { problemAt } from '../../../../../domain/offer-validation/problems.ts';

const createJob: RoutePlugin = async (app, { store }) => {
  app.post(
    `${PREFIX}/configure`,
    {
      config: CONFIG,
      schema: {
        summary: 'Create a configure job (product ingestion)',
        tags: TAGS,
        body: Type.Unknown({ description: 'A configure request: {$schema, resources[]}.' }),
      },
    },
    async (request, reply) => {
      const parsed = parseConfigureRequest(request.body, app.ingestion.profile);
      const principal = request.principal;
      const { guids, externalIds } = productReferences(parsed);
      const publishers = new Set<string>();
      // A product the caller cannot see is the job's error to report (resourceNotFound), with every other.
      for (const guid of guids) {
        const ref = await app.ingestion.catalog.product(principal, guid, 'read').catch((error: unknown) => {
          if (error instanceof ApiError && error.code === 'ProductNotFound') return undefined;
          throw error;
        });
        if (ref) publishers.add(ref.publisherId);
      }
      const writable = publishersFor(principal, 'write');
      if (externalIds.length > 0) {
        const visible = await app.ingestion.catalog.products(principal);
        for (const externalId of externalIds) {
          const owner = visible.find((ref) => ref.offer.id === externalId.toLowerCase());
          if (owner) publishers.add(owner.publisherId);
        }
      }
      // A request naming only new products writes them to the caller's first publisher it may write to.
      if (publishers.size === 0 && writable[0] !== undefined) publishers.add(writable[0]);
      if (publishers.size === 0) {
        const [first] = [...principal.grants].sort(([a], [b]) => (a < b ? -1 : 1));
        throw first ? errors.forbiddenAction(first[0], first[1], 'write') : errors.forbiddenPublisher('(none)');
      }
      if (publishers.size > 1)
        throw errors.invalidConfigureRequest([problemAt('$.resources', message('configure.severalPublishers', { publishers: [...publishers].join(', ') }))]);
      const publisherId = [...publishers][0]!;
      const role = principal.grants.get(publisherId);
      if (!role) throw errors.forbiddenPublisher(publisherId);
      if (!roleAllows(role, 'write')) throw errors.forbiddenAction(publisherId, role, 'write');
      const now = app.workflow.now();
      const id = randomUUID();
      await store.createIngestionJob(
        { id, publisherId, requestJson: JSON.stringify(parsed), jobStart: ticksOf(now), createdMs: now },
        auditWrite(request, auditEntry('configure.create', { publisherId, target: id })),
      );
      app.ingestion.jobs.wake();
      const job = (await store.getIngestionJob(id))!;
      return reply.code(202).send(renderJobStatus(job, null));
    },
  );
};
export default createJob;
