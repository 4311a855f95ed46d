/**
 * Who may manage a publisher's webhooks: its Owners, and the sandbox admin token. The webhook
 * routes exist with or without `--sandbox` (they are part of operating a catalog).
 */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import { roleAllows } from '../../../../domain/roles.ts';
import type { Principal, Webhook } from '../../../../store/store.ts';

export const WEBHOOK_CONFIG = { noApiVersion: true } as const;
export const WEBHOOK_TAGS = ['webhooks'];

export function mayManage(principal: Principal, publisherId: string): boolean {
  if (principal.sandboxAdmin) return true;
  const role = principal.grants.get(publisherId);
  return role !== undefined && roleAllows(role, 'manageAccess');
}

export function checkManages(principal: Principal, publisherId: string): void {
  if (mayManage(principal, publisherId)) return;
  const role = principal.grants.get(publisherId);
  throw role ? errors.forbiddenAction(publisherId, role, 'manageAccess') : errors.forbiddenPublisher(publisherId);
}

export const WebhookParams = Type.Object({ id: Type.String() });

/** A webhook as answered: its secret is never shown, only that it is set. */
export function renderWebhook(webhook: Webhook) {
  return { ...webhook, secretSet: true };
}
