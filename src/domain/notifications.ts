/**
 * The e-mails the hosted service sends about an operation — to the notification-emails given at
 * publish (go-live and cancel reuse them) — written once: who gets one, its subject and text.
 * cloudpartner never sends them; it keeps them in an outbox to read (src/store/notifications/).
 */
import type { EventType } from './events.ts';
import type { OperationType } from './workflow.ts';

export interface Notification {
  recipients: string[];
  subject: string;
  text: string;
}

const NAMES: Record<OperationType, string> = { publish: 'publish', golive: 'go-live', cancel: 'cancellation of the go-live' };

/** The e-mail an operation event makes, or none (no recipients, or an event no e-mail tells of). */
export function notificationFor(
  type: EventType,
  offer: { publisherId: string; offerId: string },
  operation: { id: string; type: OperationType; publishingVersion: number; notificationEmails: string | null; error?: string | null },
): Notification | undefined {
  const recipients = (operation.notificationEmails ?? '')
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter(Boolean);
  if (recipients.length === 0 || type === 'offer.updated') return undefined;
  const what = `the ${NAMES[operation.type]} of version ${operation.publishingVersion} of the offer '${offer.offerId}' (publisher '${offer.publisherId}')`;
  const reference = `Operation ${operation.id}.`;
  switch (type) {
    case 'operation.started':
      return { recipients, subject: `Started: ${NAMES[operation.type]} of ${offer.offerId}`, text: `We have started ${what}. ${reference}` };
    case 'operation.succeeded':
      return {
        recipients,
        subject: operation.type === 'publish' ? `Ready for your review: ${offer.offerId}` : `Completed: ${NAMES[operation.type]} of ${offer.offerId}`,
        text:
          operation.type === 'publish'
            ? `${capitalised(what)} is available in preview. Check it, then go live. ${reference}`
            : `${capitalised(what)} has completed. ${reference}`,
      };
    case 'operation.failed':
      return {
        recipients,
        subject: `Action needed: ${NAMES[operation.type]} of ${offer.offerId} failed`,
        text: `${capitalised(what)} failed: ${operation.error ?? 'see the status of the offer'}. Correct the offer and publish again. ${reference}`,
      };
    case 'operation.canceled':
      return { recipients, subject: `Canceled: ${NAMES[operation.type]} of ${offer.offerId}`, text: `${capitalised(what)} was canceled. ${reference}` };
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
