/**
 * GET …/offers/{offerId}/submissions — the offer's operations, newest first: its publishing
 * history. Filtered by `status=` or `submissionState=` (clients send either; §11.3).
 */
import { Type } from 'typebox';
import { errors } from '../../../../../domain/errors.ts';
import { parseId } from '../../../../../domain/ids.ts';
import { renderSubmission } from '../../../../../domain/operations.ts';
import { OPERATION_STATUSES, parseOperationStatusFilter } from '../../../../../domain/workflow.ts';
import { ApiVersionQuery, OfferParams, apiErrorResponses } from '../../../../schemas/common.ts';
import { JSON_TYPE, type RoutePlugin } from '../../../context.ts';
import { message } from '../../../../../domain/messages/index.ts';
import { answerLanguage } from '../../../../language.ts';

const filterDescription = `Only operations in this state: ${OPERATION_STATUSES.join(', ')} (any letter case; succeeded is completed).`;
const Query = Type.Object({
  ...ApiVersionQuery.properties,
  status: Type.Optional(Type.String({ description: filterDescription })),
  submissionState: Type.Optional(Type.String({ description: filterDescription })),
  filteredStatus: Type.Optional(Type.String({ description: 'Older name of the same filter.' })),
});

const listSubmissions: RoutePlugin = async (app, { store, expensiveReads }) => {
  app.get(
    '/api/publishers/:publisherId/offers/:offerId/submissions',
    {
      config: { action: 'read' },
      schema: {
        summary: 'Retrieve operations (submissions)',
        tags: ['workflow'],
        params: OfferParams,
        querystring: Query,
        response: { 200: Type.Array(Type.Ref('Submission')), ...apiErrorResponses },
      },
    },
    async (request, reply) => {
      const offerId = parseId('offerId', request.params.offerId);
      const raw = request.query.status ?? request.query.submissionState ?? request.query.filteredStatus;
      const wanted = raw === undefined || raw === '' ? undefined : parseOperationStatusFilter(raw);
      if (raw && wanted === undefined) {
        throw errors.invalidQueryParameter(
          'status',
          message('error.queryNotOperationState', { value: raw.slice(0, 40), allowed: OPERATION_STATUSES.join(', ') }),
        );
      }
      if (!(await store.getOffer(request.publisherId, offerId))) throw errors.offerNotFound(request.publisherId, offerId);
      const language = answerLanguage(reply);
      const answer = async () =>
        reply.serialize((await store.listSubmissions(request.publisherId, offerId, wanted)).map((operation) => renderSubmission(operation, language)));
      // A state's operations are found by index; the whole history is as long as it is.
      const body = wanted === undefined ? await expensiveReads.run(answer) : await answer();
      return reply.type(JSON_TYPE).send(body);
    },
  );
};
export default listSubmissions;
