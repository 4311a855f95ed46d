/**
 * GET /rp/product-ingestion/product?externalId=&type=&$maxpagesize=&continuationToken= — the
 * products the caller sees, a page at a time (a filter that matches nothing: 200 with `value: []`).
 * GET /rp/product-ingestion/plan?product=product/<g>&externalId= — the plans of one product.
 */
import { errors } from '../../../../domain/errors.ts';
import type { RoutePlugin } from '../../context.ts';
import { CONFIG, PREFIX, TAGS, absoluteUrl, queryOf, versionOf } from './shared.ts';
import { allInVersion } from '../../../../product-ingestion/versions.ts';
import { pageOf } from '../../../../product-ingestion/paging.ts';
import { message } from '../../../../domain/messages/index.ts';

const queries: RoutePlugin = async (app) => {
  app.get(`${PREFIX}/product`, { config: CONFIG, schema: { summary: 'Query products', tags: TAGS } }, async (request) => {
    const query = queryOf(request);
    const version = versionOf(request);
    const externalId = query.get('externalid');
    const type = query.get('type');
    const products = await app.ingestion.catalog.queryProducts(request.principal, {
      ...(externalId !== undefined ? { externalId } : {}),
      ...(type !== undefined ? { type } : {}),
    });
    return pageOf(allInVersion(products, version), query, (next) => absoluteUrl(request, `product?${next}`));
  });

  app.get(`${PREFIX}/plan`, { config: CONFIG, schema: { summary: 'Query the plans of a product', tags: TAGS } }, async (request) => {
    const query = queryOf(request);
    const version = versionOf(request);
    const product = query.get('product');
    if (!product) throw errors.invalidQueryParameter('product', message('error.queryProductRequired'));
    const plans = await app.ingestion.catalog.queryPlans(request.principal, product, query.get('externalid'));
    return pageOf(allInVersion(plans, version), query, (next) => absoluteUrl(request, `plan?${next}`));
  });
};
export default queries;
