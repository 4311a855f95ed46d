/**
 * The audit trail (D95–D97): what each write records, decided once here. A record names the
 * action (a closed list), when, who (the caller's identity — never its token), the request, the
 * publisher and offer, and the offer's ETag before and after. It never holds a document or a
 * value: ids, ETags and names only, so no secret-type value can enter it.
 */
import { errors } from './errors.ts';
import { message } from './messages/index.ts';

export const AUDIT_ACTIONS = [
  // the catalog
  'offer.create',
  'offer.update',
  'offer.publish',
  'offer.golive',
  'offer.cancel',
  // the worker ending an operation (principal `system`)
  'operation.end',
  // access
  'member.put',
  'member.remove',
  'application.create',
  'application.remove',
  'token.create',
  // webhooks
  'webhook.create',
  'webhook.delete',
  // the product-ingestion face
  'configure.create',
  'configure.cancel',
  // the sandbox
  'sandbox.fault.add',
  'sandbox.fault.remove',
  'sandbox.clock.set',
  'sandbox.clock.advance',
  'sandbox.reset',
  'sandbox.snapshot.save',
  'sandbox.snapshot.restore',
  'sandbox.snapshot.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who made a write. `token`: an opaque access token, by its id; `servicePrincipal`: a JWT's
 * tenant and object id; `sandboxAdmin`: the sandbox admin token, by its id; `system`: the server's
 * own workers (a publish's steps, a configure job's runner, retention); `local`: the command line
 * run on the server's machine against its database.
 */
export const PRINCIPAL_KINDS = ['token', 'servicePrincipal', 'sandboxAdmin', 'system', 'local'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface AuditPrincipal {
  kind: PrincipalKind;
  /** The token's id, `<tenantId>/<objectId>`, or `system` / `local`. Never a token. */
  id: string;
  /** The token's description or the member's display name, when known. */
  displayName: string | null;
}

export const SYSTEM_PRINCIPAL: AuditPrincipal = { kind: 'system', id: 'system', displayName: null };
export const LOCAL_PRINCIPAL: AuditPrincipal = { kind: 'local', id: 'local', displayName: null };

/** Who writes, in which request, at what time (epoch ms on the workflow clock: the sandbox's clock moves it). */
export interface AuditContext {
  principal: AuditPrincipal;
  requestId: string | null;
  timeMs: number;
}

/** A write by the server's own workers, at `timeMs`. */
export function systemAudit(timeMs: number): AuditContext {
  return { principal: SYSTEM_PRINCIPAL, requestId: null, timeMs };
}

/** A write made by the command line on the server's machine. */
export function localAudit(timeMs = Date.now()): AuditContext {
  return { principal: LOCAL_PRINCIPAL, requestId: null, timeMs };
}

/** The caller as an audit record names it: from the request's principal, which holds no token. */
export function auditPrincipalOf(principal: { id: string; sandboxAdmin?: boolean; displayName?: string | null; servicePrincipal?: boolean }): AuditPrincipal {
  const kind: PrincipalKind = principal.sandboxAdmin ? 'sandboxAdmin' : principal.servicePrincipal ? 'servicePrincipal' : 'token';
  return { kind, id: principal.id, displayName: principal.displayName ?? null };
}

/** What a write records besides who and when. */
export interface AuditEntry {
  action: AuditAction;
  publisherId: string | null;
  offerId: string | null;
  etagBefore: string | null;
  etagAfter: string | null;
  /** The operation started, canceled or ended. */
  operationId: string | null;
  /**
   * What else the write was about: a member's object id, an application's client id, a token's id,
   * a webhook's or fault's id, a snapshot's name, a configure job's id (also on the offer writes a
   * job's runner makes).
   */
  target: string | null;
}

export function auditEntry(action: AuditAction, about: Partial<Omit<AuditEntry, 'action'>>): AuditEntry {
  return {
    action,
    publisherId: about.publisherId ?? null,
    offerId: about.offerId ?? null,
    etagBefore: about.etagBefore ?? null,
    etagAfter: about.etagAfter ?? null,
    operationId: about.operationId ?? null,
    target: about.target ?? null,
  };
}

/** A write's records, with who made it: what an identity, webhook or sandbox write hands its store. */
export interface AuditWrite {
  context: AuditContext;
  entries: readonly AuditEntry[];
}

/** A record as it is read back. */
export interface AuditRecord extends AuditEntry {
  id: string;
  time: string;
  principal: AuditPrincipal;
  requestId: string | null;
}

// ---- reading it: filters, pages, retention ----

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

/** `since`: an ISO 8601 date-time (or date); records at or after it. */
export function parseSince(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(raw);
  const ms = iso ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw errors.invalidQueryParameter('since', message('error.querySinceDateTime'));
  return ms;
}

export function parseAuditLimit(raw: string | undefined): number {
  const limit = raw === undefined ? AUDIT_DEFAULT_LIMIT : /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= AUDIT_MAX_LIMIT)) throw errors.invalidQueryParameter('limit', message('error.queryLimitRange', { max: AUDIT_MAX_LIMIT }));
  return limit;
}

/**
 * The continuation token: the sequence number of the last record of the page, base64url — the next
 * page starts below it, so records written meanwhile neither repeat nor shift the pages.
 */
export function encodeAuditToken(lastSeq: number): string {
  return Buffer.from(`a${lastSeq}`).toString('base64url');
}

export function decodeAuditToken(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const match = /^a(\d{1,15})$/.exec(text);
  if (!match) throw errors.invalidQueryParameter('continuationToken', message('error.queryContinuationToken'));
  return Number(match[1]);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** How long records are kept unless configured (`--audit-retention-days`). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/** Records older than this (epoch ms) are pruned; none are when retention is 0 (keep forever). */
export function auditCutoffMs(nowMs: number, retentionDays: number): number | null {
  return retentionDays > 0 ? nowMs - retentionDays * DAY_MS : null;
}
