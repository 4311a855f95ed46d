/**
 * The one catalogue of messages: every entry in every language of LANGUAGES. `satisfies` makes a
 * missing language a type error; test/domain/messages.test.ts checks that the placeholders agree.
 */
import { ERROR_MESSAGES } from './errors.ts';
import type { Language } from './language.ts';
import { VALIDATION_MESSAGES } from './validation.ts';

export const CATALOGUE = { ...ERROR_MESSAGES, ...VALIDATION_MESSAGES } as const satisfies Record<string, Record<Language, string>>;
export type MessageId = keyof typeof CATALOGUE;
