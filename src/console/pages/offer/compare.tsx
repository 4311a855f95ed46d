/** Any two of draft, preview, production and the numbered versions, and what differs between them. */
import { useState } from 'preact/hooks';
import type { CloudPartnerClient, OfferWithETag } from '../../../client/index.ts';
import { diffOffers } from '../../../client/index.ts';
import { ErrorMessage, Select, useLoad } from '../../components.tsx';
import { ChangeList } from './change-list.tsx';

async function read(client: CloudPartnerClient, offerId: string, which: string): Promise<OfferWithETag | undefined> {
  try {
    if (which === 'draft') return await client.getOffer(offerId);
    if (which === 'preview' || which === 'production') return await client.getOffer(offerId, { slot: which });
    return await client.getOffer(offerId, { version: Number(which) });
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

export function Compare({ client, offerId, draftVersion }: { client: CloudPartnerClient; offerId: string; draftVersion: number }) {
  const choices = ['draft', 'preview', 'production', ...Array.from({ length: Math.max(0, draftVersion - 1) }, (_, i) => String(draftVersion - 1 - i))];
  const [left, setLeft] = useState(choices.includes('production') && draftVersion > 1 ? 'production' : 'draft');
  const [right, setRight] = useState('draft');
  const loaded = useLoad(async () => {
    const [a, b] = await Promise.all([read(client, offerId, left), read(client, offerId, right)]);
    return { a, b };
  }, [client, offerId, left, right]);
  const label = (which: string) => (/^\d+$/.test(which) ? `version ${which}` : which);
  const options = choices.map((choice): [string, string] => [choice, label(choice)]);
  return (
    <section class="compare" aria-labelledby="compare-title">
      <h2 id="compare-title">Compare</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select label="From" name="left" value={left} options={options} onChange={setLeft} />
        <Select label="To" name="right" value={right} options={options} onChange={setRight} />
      </form>
      <ErrorMessage error={loaded.error} />
      {loaded.data && (
        <>
          {!loaded.data.a && <p class="muted">{label(left)}: nothing there yet.</p>}
          {!loaded.data.b && <p class="muted">{label(right)}: nothing there yet.</p>}
          {loaded.data.a && loaded.data.b && (
            <>
              <p class="muted">
                {label(left)} (version {loaded.data.a.offer.version}) → {label(right)} (version {loaded.data.b.offer.version})
              </p>
              <ChangeList changes={diffOffers(loaded.data.a.offer, loaded.data.b.offer)} />
            </>
          )}
        </>
      )}
    </section>
  );
}
