/** A snapshot's name in the path: what it may be, and the answer when it is not. */
import { Type } from 'typebox';
import { errors } from '../../../../domain/errors.ts';
import { message } from '../../../../domain/messages/index.ts';

export const SnapshotParams = Type.Object({ name: Type.String({ description: 'Letters, digits, ., _ and -; at most 64.' }) });

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function parseSnapshotName(raw: string): string {
  if (!NAME.test(raw)) throw errors.invalidRequest(message('error.snapshotNameInvalid', { name: raw.slice(0, 80) }));
  return raw;
}
