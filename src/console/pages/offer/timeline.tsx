/**
 * The status of the offer's latest publish and go-live, step by step, refreshed every second while
 * anything is moving; a step's messages (certification findings among them) are shown with it.
 */
import { useState } from 'preact/hooks';
import type { CloudPartnerClient, OfferStatus } from '../../../client/index.ts';
import { ErrorMessage, StatusBadge, Time, useInterval, useLoad } from '../../components.tsx';

const MOVING = new Set(['notStarted', 'running', 'inProgress']);
const REFRESH_MS = 1000;

export function Timeline({ client, offerId, onEnded }: { client: CloudPartnerClient; offerId: string; onEnded: () => void }) {
  const [tick, setTick] = useState(0);
  const status = useLoad(() => client.getStatus(offerId), [client, offerId, tick]);
  const [wasMoving, setWasMoving] = useState(false);
  const moving = isMoving(status.data);
  useInterval(() => setTick((n) => n + 1), REFRESH_MS, moving && !status.error);
  if (wasMoving !== moving) {
    setWasMoving(moving);
    if (!moving) onEnded();
  }
  const data = status.data;
  return (
    <section class="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">
        Status {data && <StatusBadge status={data.status} />} {moving && <span class="live">updating</span>}
      </h2>
      <ErrorMessage error={status.error} />
      {data && (
        <>
          <Messages messages={data.messages} />
          {data.steps.length === 0 ? (
            <p class="muted">No publish has run yet.</p>
          ) : (
            <ol class="steps">
              {data.steps.map((step, index) => (
                <li key={`${step.id}-${index}`} class={`step ${step.status}`} data-step={step.id}>
                  <div class="step-head">
                    <strong>{step.stepName}</strong> <StatusBadge status={step.status} />
                    <progress max={100} value={step.progressPercentage} aria-label={`${step.stepName} progress`}>
                      {step.progressPercentage}%
                    </progress>
                    <span class="muted">{step.estimatedTimeFrame}</span>
                  </div>
                  <p class="muted">{step.description}</p>
                  <Messages messages={step.messages} />
                </li>
              ))}
            </ol>
          )}
          {data.previewLinks.length > 0 && <Links title="Preview" links={data.previewLinks} />}
          {data.liveLinks.length > 0 && <Links title="Live" links={data.liveLinks} />}
        </>
      )}
    </section>
  );
}

function isMoving(status: OfferStatus | undefined): boolean {
  if (!status) return true;
  return MOVING.has(status.status) || status.steps.some((step) => step.status === 'inProgress');
}

/** Step messages come as HTML on the wire; they are shown as text here, never interpreted. */
export function Messages({ messages }: { messages: { messageHtml: string; level: string; timestamp: string }[] }) {
  if (messages.length === 0) return null;
  return (
    <ul class="messages">
      {messages.map((message, index) => (
        <li key={index} class={message.level}>
          <span class="level">{message.level}</span> {message.messageHtml.replace(/<[^>]*>/g, '')} <Time value={message.timestamp} />
        </li>
      ))}
    </ul>
  );
}

function Links({ title, links }: { title: string; links: string[] }) {
  return (
    <p>
      {title}:{' '}
      {links.map((link) => (
        <code key={link} class="link-text">
          {link}
        </code>
      ))}
    </p>
  );
}
