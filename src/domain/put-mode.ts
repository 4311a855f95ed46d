/** The PUT mode, apart from the rule that uses it (drafts.ts), so that the settings can name it without loading validation. */
/**
 * How PUT answers, as one setting (`--put-mode`):
 * - `service` (default): as the Partner-Center-integrated live service answered — a PUT without
 *   If-Match creates or replaces (last writer wins), and every successful PUT is 200;
 * - `documented`: as the CPP documentation describes — 201 on create, and a PUT without If-Match
 *   to an existing offer is 409 InvalidResourceId.
 */
export const PUT_MODES = ['service', 'documented'] as const;
export type PutMode = (typeof PUT_MODES)[number];
