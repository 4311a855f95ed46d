/** Every operation of the offer, newest first; open one to see its steps and messages. */
import { useState } from 'preact/hooks';
import type { CloudPartnerClient } from '../../../client/index.ts';
import { ErrorMessage, StatusBadge, Time, useLoad } from '../../components.tsx';
import { Messages } from './timeline.tsx';

export function History({ client, offerId }: { client: CloudPartnerClient; offerId: string }) {
  const submissions = useLoad(() => client.listSubmissions(offerId), [client, offerId]);
  const [open, setOpen] = useState<string>();
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
