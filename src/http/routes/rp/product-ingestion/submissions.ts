/**
 * GET /rp/product-ingestion/submission/{productGuid} — the product's active submissions (the draft
 * `…/0`, the preview, the live one(s)), derived from its slots and publishing history.
 * GET /rp/product-ingestion/submission/{productGuid}/{submissionId} — one of them.
 */
import { Type } from 'typebox';
import type { RoutePlugin } from '../../context.ts';
import { CONFIG, PREFIX, TAGS, absoluteUrl, queryOf, versionOf } from './shared.ts';
import { allInVersion, inVersion } from '../../../../product-ingestion/versions.ts';
import { pageOf } from '../../../../product-ingestion/paging.ts';

const submissions: RoutePlugin = async (app, { expensiveReads }) => {
  // Both read the product's whole publishing history (D106).
  app.get(
    `${PREFIX}/submission/:productId`,
    { config: CONFIG, schema: { summary: 'List a product’s submissions', tags: TAGS, params: Type.Object({ productId: Type.String() }) } },
    async (request) => {
      const query = queryOf(request);
      const target = query.get('targettype');
      const version = versionOf(request);
      const list = await expensiveReads.run(() => app.ingestion.catalog.submissions(request.principal, request.params.productId));
      const filtered = target === undefined ? list : list.filter((entry) => entry['target']?.['targetType'] === target);
      return pageOf(allInVersion(filtered, version), query, (next) => absoluteUrl(request, `submission/${request.params.productId}?${next}`));
    },
  );
  app.get(
    `${PREFIX}/submission/:productId/:submissionId`,
    {
      config: CONFIG,
      schema: { summary: 'Read one submission', tags: TAGS, params: Type.Object({ productId: Type.String(), submissionId: Type.String() }) },
    },
    async (request) => {
      const version = versionOf(request);
      const submission = await expensiveReads.run(() =>
        app.ingestion.catalog.submission(request.principal, request.params.productId, request.params.submissionId),
      );
      return inVersion(submission, version);
    },
  );
};
export default submissions;
