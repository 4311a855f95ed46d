/** GET /rp/product-ingestion/{durableId} — one resource of a product's draft (e.g. product/<g>, plan/<g>/<p>). */
import type { RoutePlugin } from '../../context.ts';
import { inVersion } from '../../../../product-ingestion/versions.ts';
import { CONFIG, PREFIX, TAGS, versionOf } from './shared.ts';

const getResource: RoutePlugin = async (app) => {
  app.get(`${PREFIX}/*`, { config: CONFIG, schema: { summary: 'Read a resource by its durable id', tags: TAGS } }, async (request) => {
    const version = versionOf(request);
    return inVersion(await app.ingestion.catalog.resource(request.principal, (request.params as { '*': string })['*']), version);
  });
};
export default getResource;
