/**
 * Who writes, in which request, and when — as a request's audit records name it (D95): the
 * caller's identity (never its token), Fastify's request id (the one on the access log's line),
 * and the workflow clock's time (the sandbox's clock moves it, and retention counts by it).
 */
import type { FastifyRequest } from 'fastify';
import { type AuditContext, type AuditEntry, type AuditWrite, auditPrincipalOf } from '../domain/audit.ts';

export function auditContext(request: FastifyRequest): AuditContext {
  return { principal: auditPrincipalOf(request.principal), requestId: request.id, timeMs: request.server.workflow.now() };
}

/** A request's write with its records. */
export function auditWrite(request: FastifyRequest, ...entries: AuditEntry[]): AuditWrite {
  return { context: auditContext(request), entries };
}
