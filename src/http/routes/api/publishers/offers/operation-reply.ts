/** How publish, golive and an asynchronous cancel answer: 202, with the operation's relative path in both headers (§11.1). */
import type { FastifyReply } from 'fastify';
import { type OperationRecord, operationLocation, renderOperation } from '../../../../../domain/operations.ts';
import { JSON_TYPE } from '../../../context.ts';
import { answerLanguage } from '../../../../language.ts';

export function acceptedOperation(reply: FastifyReply, operation: OperationRecord, nowMs: number) {
  const location = operationLocation(operation);
  return reply
    .code(202)
    .header('location', location)
    .header('operation-location', location)
    .type(JSON_TYPE)
    .send(JSON.stringify(renderOperation(operation, nowMs, answerLanguage(reply))));
}

export const OperationResponse = { $ref: 'Operation' } as const;
