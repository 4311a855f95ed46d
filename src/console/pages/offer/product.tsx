/**
 * The same offer through Partner Center's product ingestion face: its resource tree for a target
 * (draft, preview, live), beside the CPP document of the matching slot. Both are reads of the one
 * catalog entry (D74); nothing here is stored apart.
 */
import { useState } from 'preact/hooks';
import type { CloudPartnerClient } from '../../../client/index.ts';
import { ErrorMessage, Select, useLoad } from '../../components.tsx';

const SLOT_OF_TARGET = { draft: undefined, preview: 'preview', live: 'production' } as const;
type Target = keyof typeof SLOT_OF_TARGET;

export function ProductFace({ client, offerId }: { client: CloudPartnerClient; offerId: string }) {
  const [target, setTarget] = useState<Target>('draft');
  const loaded = useLoad(async () => {
    const product = await client.productIngestion.findProduct(offerId);
    if (!product?.id) return { product: undefined, tree: undefined, cpp: undefined };
    const slot = SLOT_OF_TARGET[target];
    const [tree, cpp] = await Promise.all([
      client.productIngestion.getResourceTree(product.id, target).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error))),
      client.getOffer(offerId, slot ? { slot } : {}).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error))),
    ]);
    return { product, tree, cpp };
  }, [client, offerId, target]);
  const data = loaded.data;
  return (
    <section class="product-face" aria-labelledby="product-title">
      <h2 id="product-title">Product ingestion</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select label="Target" name="targetType" value={target} options={['draft', 'preview', 'live']} onChange={(value) => setTarget(value as Target)} />
      </form>
      <ErrorMessage error={loaded.error} />
      {data && !data.product && <p class="muted">No product: the product ingestion face does not serve this offer type.</p>}
      {data?.product && (
        <p class="meta">
          Product <code>{data.product.id}</code> · external id <code>{offerId}</code>
        </p>
      )}
      {data?.product && (
        <div class="side-by-side">
          <div>
            <h3>Resource tree ({target})</h3>
            {data.tree ? (
              <ol class="resources">
                {data.tree.resources.map((resource, index) => (
                  <li key={resource.id ?? index}>
                    <details>
                      <summary>
                        <strong>{schemaName(resource.$schema)}</strong> <code>{resource.id ?? resource.resourceName ?? ''}</code>
                      </summary>
                      <pre class="json" tabIndex={0}>
                        {JSON.stringify(resource, null, 2)}
                      </pre>
                    </details>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">Nothing in {target} yet.</p>
            )}
          </div>
          <div>
            <h3>CPP document ({SLOT_OF_TARGET[target] ?? 'draft'})</h3>
            {data.cpp ? (
              <pre class="json" tabIndex={0} aria-label="The CPP document">
                {JSON.stringify(data.cpp.offer, null, 2)}
              </pre>
            ) : (
              <p class="muted">Nothing in this slot yet.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

/** `https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview2` → `plan`. */
function schemaName(schema: string): string {
  const parts = schema.split('/');
  return parts.at(-2) ?? schema;
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: number })?.status === 404;
}
