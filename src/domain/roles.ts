/**
 * Roles a principal holds on a publisher namespace, and what each allows.
 * Owner ⊃ Contributor ⊃ Reader.
 */
export const ROLES = ['Owner', 'Contributor', 'Reader'] as const;
export type Role = (typeof ROLES)[number];

export type Action = 'read' | 'write' | 'manageAccess';

const ALLOWED: Record<Role, ReadonlySet<Action>> = {
  Owner: new Set<Action>(['read', 'write', 'manageAccess']),
  Contributor: new Set<Action>(['read', 'write']),
  Reader: new Set<Action>(['read']),
};

export function roleAllows(role: Role, action: Action): boolean {
  return ALLOWED[role].has(action);
}

export function parseRole(raw: string): Role | undefined {
  return ROLES.find((role) => role.toLowerCase() === raw.toLowerCase());
}
