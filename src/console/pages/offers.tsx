/** All offers of the publishers the token can see: filter by type and status, search by id or name. */
import { useMemo, useState } from 'preact/hooks';
import type { OfferSummary } from '../../client/index.ts';
import { apiClient, type Session } from '../session.ts';
import { ErrorMessage, Select, TableHead, StatusBadge, Time, useLoad } from '../components.tsx';
import { href } from '../router.ts';

const PAGE_SIZE = 100;

export function OffersPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => {
    const client = apiClient(session.token);
    const publishers = await client.listPublishers();
    const lists = await Promise.all(publishers.map((publisher) => client.withPublisher(publisher.id).listOffers()));
    return { publishers, offers: lists.flat() };
  }, [session.token]);
  const [type, setType] = useState('');
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);

  const offers = loaded.data?.offers ?? [];
  const types = useMemo(() => [...new Set(offers.map((offer) => offer.offerTypeId))].sort(), [offers]);
  const statuses = useMemo(() => [...new Set(offers.map((offer) => offer.status))].sort(), [offers]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return offers.filter(
      (offer) =>
        (!type || offer.offerTypeId === type) &&
        (!status || offer.status === status) &&
        (!needle || offer.id.toLowerCase().includes(needle) || (offer.definition?.displayText ?? '').toLowerCase().includes(needle)),
    );
  }, [offers, type, status, search]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);

  return (
    <>
      <h1>All offers</h1>
      {loaded.data && (
        <p class="publishers">
          Publishers:{' '}
          {loaded.data.publishers.map((publisher) => (
            <a key={publisher.id} href={href({ page: 'members', publisherId: publisher.id })} class="chip">
              {publisher.id} · members
            </a>
          ))}
        </p>
      )}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" name="search" placeholder="id or name" value={search} onInput={(e) => (setSearch(e.currentTarget.value), setPage(0))} />
        </label>
        <Select label="Type" name="type" value={type} options={[['', 'all'], ...types]} onChange={(value) => (setType(value), setPage(0))} />
        <Select label="Status" name="status" value={status} options={[['', 'all'], ...statuses]} onChange={(value) => (setStatus(value), setPage(0))} />
        <button type="button" onClick={loaded.reload}>
          Refresh
        </button>
      </form>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !loaded.data ? <p aria-busy="true">Loading offers…</p> : null}
      {loaded.data && (
        <>
          <p class="count" aria-live="polite">
            {shown.length} of {offers.length} offers
          </p>
          <div class="scroll">
            <table class="offers">
              <TableHead columns={['Offer', 'Name', 'Type', 'Status', 'Version', 'Last change']} />
              <tbody>
                {shown.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE).map((offer) => (
                  <OfferRow key={`${offer.publisherId}/${offer.id}`} offer={offer} />
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
                Previous
              </button>
              <span>
                Page {current + 1} of {pages}
              </span>
              <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                Next
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}

function OfferRow({ offer }: { offer: OfferSummary }) {
  return (
    <tr>
      <td>
        <a href={href({ page: 'offer', publisherId: offer.publisherId, offerId: offer.id, tab: 'settings' })}>
          {offer.publisherId}/{offer.id}
        </a>
      </td>
      <td>{offer.definition?.displayText}</td>
      <td>{offer.offerTypeId}</td>
      <td>
        <StatusBadge status={offer.status} />
      </td>
      <td>{offer.version}</td>
      <td>
        <Time value={offer.changedTime} />
      </td>
    </tr>
  );
}
