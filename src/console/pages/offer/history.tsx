/**
 * Every operation of the offer, newest first (open one to see its steps and messages), and beside
 * them the offer's audit trail: every write, who made it, and the ETag before and after — read by
 * the publisher's Owners (others are told it is theirs to read).
 */
import { useState } from 'preact/hooks';
import { CloudPartnerError, type AuditRecord, type CloudPartnerClient } from '../../../client/index.ts';
import { ErrorMessage, StatusBadge, Time, useLoad } from '../../components.tsx';
import { Messages } from './timeline.tsx';

const AUDIT_PAGE = 50;

export function History({ client, offerId }: { client: CloudPartnerClient; offerId: string }) {
  const submissions = useLoad(() => client.listSubmissions(offerId), [client, offerId]);
  const [open, setOpen] = useState<string>();
  return (
    <div class="history-columns">
      <Operations client={client} offerId={offerId} submissions={submissions} open={open} setOpen={setOpen} />
      <AuditTrail client={client} offerId={offerId} />
    </div>
  );
}

function Operations({
  client,
  offerId,
  submissions,
  open,
  setOpen,
}: {
  client: CloudPartnerClient;
  offerId: string;
  submissions: ReturnType<typeof useLoad<Awaited<ReturnType<CloudPartnerClient['listSubmissions']>>>>;
  open: string | undefined;
  setOpen: (id: string | undefined) => void;
}) {
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ErrorMessage error={submissions.error} />
      {submissions.data?.length === 0 && <p class="muted">No operation yet.</p>}
      <ol class="operations">
        {submissions.data?.map((submission) => (
          <li key={submission.id}>
            <button
              type="button"
              class="row"
              aria-expanded={open === submission.id}
              onClick={() => setOpen(open === submission.id ? undefined : submission.id)}
            >
              <span class="op-type">{submission.submissionType}</span> <StatusBadge status={submission.status} /> version {submission.offerVersion} ·{' '}
              <Time value={submission.createdDateTime} />
            </button>
            {open === submission.id && <OperationSteps client={client} offerId={offerId} operationId={submission.id} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

function OperationSteps({ client, offerId, operationId }: { client: CloudPartnerClient; offerId: string; operationId: string }) {
  const operation = useLoad(() => client.getOperation(offerId, operationId), [client, offerId, operationId]);
  if (operation.error) return <ErrorMessage error={operation.error} />;
  if (!operation.data) return <p aria-busy="true">Loading…</p>;
  return (
    <div class="operation">
      <Messages messages={operation.data.messages} />
      <ol class="steps">
        {operation.data.steps.map((step, index) => (
          <li key={`${step.id}-${index}`} class={`step ${step.status}`}>
            <strong>{step.stepName}</strong> <StatusBadge status={step.status} />
            <Messages messages={step.messages} />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The offer's audit records, newest first, a page at a time. */
function AuditTrail({ client, offerId }: { client: CloudPartnerClient; offerId: string }) {
  const [pages, setPages] = useState<{ records: AuditRecord[]; next: string | undefined; error: unknown }>();
  const first = useLoad(() => client.listAudit({ offerId, limit: AUDIT_PAGE }), [client, offerId]);
  const records = [...(first.data?.value ?? []), ...(pages?.records ?? [])];
  const next = pages ? pages.next : first.data?.continuationToken;
  const more = async () => {
    try {
      const page = await client.listAudit({ offerId, limit: AUDIT_PAGE, continuationToken: next! });
      setPages({ records: [...(pages?.records ?? []), ...page.value], next: page.continuationToken, error: undefined });
    } catch (error) {
      setPages({ records: pages?.records ?? [], next, error });
    }
  };
  const ownersOnly = first.error instanceof CloudPartnerError && first.error.status === 403;
  return (
    <section class="audit" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      {ownersOnly ? <p class="muted">The audit trail is read by the publisher's Owners.</p> : <ErrorMessage error={first.error} />}
      {first.data?.value.length === 0 && <p class="muted">No write recorded.</p>}
      {records.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Audit records">
          <table class="audit-records">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">ETag before → after</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr key={record.id}>
                  <td>
                    <Time value={record.time} />
                  </td>
                  <td>
                    <span class="op-type">{record.action}</span>
                    {record.operationId ? <div class="muted">operation {record.operationId}</div> : null}
                    {record.target ? <div class="muted">{record.target}</div> : null}
                  </td>
                  <td>
                    {record.principal.displayName ?? record.principal.id}
                    <div class="muted">{record.principal.kind}</div>
                  </td>
                  <td>
                    <code>{record.etagBefore ?? '—'}</code> → <code>{record.etagAfter ?? '—'}</code>
                  </td>
                  <td>{record.requestId ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={pages?.error} />
      {next && (
        <div class="pager">
          <button type="button" onClick={() => void more()}>
            Older records
          </button>
        </div>
      )}
    </section>
  );
}
