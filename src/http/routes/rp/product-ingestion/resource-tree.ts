/** GET /rp/product-ingestion/resource-tree/{productDurableId}?targetType=draft|preview|live — every resource of the product for a target. */
import { errors } from '../../../../domain/errors.ts';
import { TARGET_TYPES, type TargetType } from '../../../../product-ingestion/catalog.ts';
import { JSON_TYPE, type RoutePlugin } from '../../context.ts';
import { allInVersion } from '../../../../product-ingestion/versions.ts';
import { CONFIG, PREFIX, TAGS, queryOf, versionOf } from './shared.ts';
import { message } from '../../../../domain/messages/index.ts';

const resourceTree: RoutePlugin = async (app, { expensiveReads }) => {
  // The encoded answer of a tree the catalog hands out again (a draft that has not changed): a
  // repeated read then costs no serialising of its ~20 KB.
  const encoded = new WeakMap<object, Buffer>();

  app.get(`${PREFIX}/resource-tree/*`, { config: CONFIG, schema: { summary: 'Read a product’s resource tree', tags: TAGS } }, async (request, reply) => {
    const target = queryOf(request).get('targettype') ?? 'draft';
    if (!(TARGET_TYPES as readonly string[]).includes(target)) {
      throw errors.invalidQueryParameter('targetType', message('error.queryTargetType', { value: target.slice(0, 40), allowed: TARGET_TYPES.join(', ') }));
    }
    const version = versionOf(request);
    const durableId = (request.params as { '*': string })['*'];
    const read = () => app.ingestion.catalog.tree(request.principal, durableId, target as TargetType);
    // A draft tree is kept (D105); a preview or live one reads the publishing history (D106).
    const tree = target === 'draft' ? await read() : await expensiveReads.run(read);
    if (version !== undefined) return { ...tree, resources: allInVersion(tree['resources'] as never[], version) };
    let body = encoded.get(tree);
    if (!body) encoded.set(tree, (body = Buffer.from(JSON.stringify(tree))));
    return reply.type(JSON_TYPE).send(body);
  });
};
export default resourceTree;
