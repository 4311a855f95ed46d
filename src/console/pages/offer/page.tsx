/**
 * One offer: its draft in the editor's tabs (saved with If-Match; a conflict shows what the other
 * writer changed), publish / go live / cancel, the live status timeline, compare and history.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { CloudPartnerError, type Change, type Offer, diffOffers } from '../../../client/index.ts';
import { apiClient, type Session } from '../../session.ts';
import { ErrorMessage, StatusBadge, useLoad } from '../../components.tsx';
import { href } from '../../router.ts';
import { EDITOR_TABS, type OfferTabId, type PathSegment, type Problem, setIn } from './fields.ts';
import { Editor } from './editor.tsx';
import { Timeline } from './timeline.tsx';
import { Compare } from './compare.tsx';
import { History } from './history.tsx';
import { ProductFace } from './product.tsx';
import { ChangeList } from './change-list.tsx';

const TABS = [
  ...EDITOR_TABS,
  { id: 'status', label: 'Status' },
  { id: 'compare', label: 'Compare' },
  { id: 'history', label: 'History' },
  { id: 'product', label: 'Product ingestion' },
];
const VALIDATE_DELAY_MS = 400;

interface Conflict {
  /** What the other writer changed, from the version this editor read to the one stored now. */
  theirs: Change[];
  current: { offer: Offer; etag: string };
}

export function OfferPage({ session, publisherId, offerId, tab }: { session: Session; publisherId: string; offerId: string; tab: string }) {
  const client = useMemo(() => apiClient(session.token, publisherId), [session.token, publisherId]);
  const loaded = useLoad(() => client.getOffer(offerId), [client, offerId]);
  const [base, setBase] = useState<{ offer: Offer; etag: string }>();
  // Which secret fields hold a value, read again after every save (the document never says).
  const secrets = useLoad(() => client.listSecretFields(offerId).catch(() => undefined), [client, offerId, base?.etag]);
  const [draft, setDraft] = useState<Offer>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saving, setSaving] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [conflict, setConflict] = useState<Conflict>();
  const [timelineKey, setTimelineKey] = useState(0);

  useEffect(() => {
    if (!loaded.data) return;
    setBase(loaded.data);
    setDraft(loaded.data.offer);
    setProblems([]);
    setConflict(undefined);
  }, [loaded.data]);

  const dirty = useMemo(() => (draft && base ? JSON.stringify(draft) !== JSON.stringify(base.offer) : false), [draft, base]);

  // Validation as you type: the server's own report on the draft being edited (nothing is saved):
  // what a save would refuse, and what a publish or certification would.
  // The stored draft is checked as soon as it is read (no body: the server validates its draft), so
  // what a publish or certification would find shows on its field before any edit.
  const validation = useRef(0);
  useEffect(() => {
    if (!draft) return;
    const mine = ++validation.current;
    const timer = setTimeout(
      () => {
        client.validateOffer(offerId, dirty ? draft : undefined).then(
          (report) => mine === validation.current && setProblems(report.problems),
          (error: unknown) => mine === validation.current && error instanceof CloudPartnerError && setProblems(error.problems ?? []),
        );
      },
      dirty ? VALIDATE_DELAY_MS : 0,
    );
    return () => clearTimeout(timer);
  }, [draft, dirty, client, offerId]);

  const change = (segments: PathSegment[], value: unknown) => setDraft((current) => setIn(current, segments, value) as Offer);

  const save = async (overwrite?: { etag: string }) => {
    if (!draft || !base) return;
    setSaving(true);
    setActionError(undefined);
    setNotice(undefined);
    try {
      const saved = await client.putOffer(draft, { etag: overwrite?.etag ?? base.etag });
      setBase({ offer: saved.offer, etag: saved.etag });
      setDraft(saved.offer);
      setProblems([]);
      setConflict(undefined);
      setNotice('Saved.');
    } catch (error) {
      if (error instanceof CloudPartnerError && error.status === 412) {
        const current = await client.getOffer(offerId);
        setConflict({ theirs: diffOffers(base.offer, current.offer), current });
      } else {
        if (error instanceof CloudPartnerError && error.problems) setProblems(error.problems);
        setActionError(error);
      }
    } finally {
      setSaving(false);
    }
  };

  const act = async (action: 'publish' | 'golive' | 'cancel') => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      if (action === 'publish') await client.publish(offerId);
      else if (action === 'golive') await client.goLive(offerId);
      else await client.cancel(offerId);
      setTimelineKey((key) => key + 1);
      location.hash = href({ page: 'offer', publisherId, offerId, tab: 'status' });
      loaded.reload();
    } catch (error) {
      if (error instanceof CloudPartnerError && error.problems) setProblems(error.problems);
      setActionError(error);
    }
  };

  if (!draft || !base) {
    return (
      <>
        <h1>{offerId}</h1>
        <ErrorMessage error={loaded.error} />
        {loaded.loading && <p aria-busy="true">Loading the offer…</p>}
      </>
    );
  }
  const editorTab = EDITOR_TABS.some((t) => t.id === tab) ? (tab as OfferTabId | 'json') : undefined;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/offers">All offers</a> › {publisherId}
      </nav>
      <header class="offer-head">
        <div>
          <h1>{draft.definition?.displayText || offerId}</h1>
          <p class="meta">
            <code>
              {publisherId}/{offerId}
            </code>{' '}
            · {draft.offerTypeId} · version {base.offer.version} · <StatusBadge status={base.offer.status} /> · ETag <code class="etag">{base.etag}</code>
          </p>
        </div>
        <div class="actions">
          <button type="button" class="primary" disabled={!dirty || saving} onClick={() => save()}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" disabled={!dirty} onClick={() => (setDraft(base.offer), setProblems([]))}>
            Discard changes
          </button>
          <button type="button" disabled={dirty} onClick={() => act('publish')}>
            Publish
          </button>
          <button type="button" disabled={dirty} onClick={() => act('golive')}>
            Go live
          </button>
          <button type="button" class="danger" onClick={() => act('cancel')}>
            Cancel operation
          </button>
        </div>
      </header>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorMessage error={actionError} />
      {conflict && (
        <div class="conflict" role="alert">
          <h2>Someone else saved this offer since you opened it</h2>
          <p>What they changed (ETag now {conflict.current.etag}):</p>
          <ChangeList changes={conflict.theirs} />
          <div class="actions">
            <button type="button" onClick={() => loaded.reload()}>
              Reload (discard my changes)
            </button>
            <button type="button" class="danger" onClick={() => save({ etag: conflict.current.etag })}>
              Overwrite with mine
            </button>
          </div>
        </div>
      )}
      <nav class="tabs" aria-label="Offer">
        {TABS.map((t) => (
          <a key={t.id} href={href({ page: 'offer', publisherId, offerId, tab: t.id })} aria-current={t.id === tab ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {problems.length > 0 && editorTab && (
        <p class="problems-summary" role="status">
          {problems.length} problem{problems.length === 1 ? '' : 's'} in the draft (
          {problems.filter((problem) => problem.stage === 'document' || !problem.stage).length} a save would refuse)
        </p>
      )}
      {editorTab && (
        <Editor
          tab={editorTab}
          draft={draft}
          problems={problems}
          onChange={change}
          secretsSet={secrets.data ? new Set(secrets.data.filter((field) => field.set).map((field) => field.pointer)) : undefined}
        />
      )}
      {tab === 'status' && <Timeline key={timelineKey} client={client} offerId={offerId} onEnded={() => loaded.reload()} />}
      {tab === 'compare' && <Compare client={client} offerId={offerId} draftVersion={base.offer.version} />}
      {tab === 'history' && <History client={client} offerId={offerId} />}
      {tab === 'product' && <ProductFace client={client} offerId={offerId} />}
    </>
  );
}
