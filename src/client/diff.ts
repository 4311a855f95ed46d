/**
 * What differs between two offer documents (two slots or versions of one offer), as a list of
 * changes with JSON paths, and as readable text.
 *
 * Objects are compared key by key. Arrays whose elements are all objects with a `planId` (or all
 * with an `id`) are matched by that key — a plan removed from the middle is one removal, not a
 * change of every plan after it — and appear as `plans[planId=contoso-sku]`; other arrays are
 * compared position by position. The fields the server owns (`version`, `status`,
 * `changedTime`, `eTag`) are left out: they differ between any two versions.
 */

export type Change =
  | { kind: 'added'; path: string; after: unknown }
  | { kind: 'removed'; path: string; before: unknown }
  | { kind: 'changed'; path: string; before: unknown; after: unknown };

const SERVER_OWNED = new Set(['version', 'status', 'changedTime', 'eTag']);

/** The changes that turn `before` into `after`, in document order. */
export function diffOffers(before: unknown, after: unknown): Change[] {
  const strip = (document: unknown) => (isObject(document) ? Object.fromEntries(Object.entries(document).filter(([key]) => !SERVER_OWNED.has(key))) : document);
  const changes: Change[] = [];
  walk(strip(before), strip(after), '$', changes);
  return changes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function member(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The key arrays of this kind are matched by, if every element of both sides has it. */
function identityKey(a: unknown[], b: unknown[]): 'planId' | 'id' | undefined {
  const all = [...a, ...b];
  if (all.length === 0) return undefined;
  for (const key of ['planId', 'id'] as const) {
    const ids = (list: unknown[]) => list.map((item) => (isObject(item) ? item[key] : undefined));
    const left = ids(a);
    const right = ids(b);
    const usable = (list: unknown[]) => list.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(list).size === list.length;
    if (usable(left) && usable(right)) return key;
  }
  return undefined;
}

function walk(before: unknown, after: unknown, path: string, changes: Change[]): void {
  if (Object.is(before, after)) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !(key in before))];
    for (const key of keys) {
      const at = member(path, key);
      if (!(key in after)) changes.push({ kind: 'removed', path: at, before: before[key] });
      else if (!(key in before)) changes.push({ kind: 'added', path: at, after: after[key] });
      else walk(before[key], after[key], at, changes);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = identityKey(before, after);
    if (key) {
      const index = (list: unknown[]) => new Map(list.map((item) => [(item as Record<string, unknown>)[key], item]));
      const left = index(before);
      const right = index(after);
      for (const [id, item] of left) {
        const at = `${path}[${key}=${String(id)}]`;
        if (!right.has(id)) changes.push({ kind: 'removed', path: at, before: item });
        else walk(item, right.get(id), at, changes);
      }
      for (const [id, item] of right) if (!left.has(id)) changes.push({ kind: 'added', path: `${path}[${key}=${String(id)}]`, after: item });
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      if (i >= after.length) changes.push({ kind: 'removed', path: `${path}[${i}]`, before: before[i] });
      else if (i >= before.length) changes.push({ kind: 'added', path: `${path}[${i}]`, after: after[i] });
      else walk(before[i], after[i], `${path}[${i}]`, changes);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({ kind: 'changed', path, before, after });
}

export interface FormatOptions {
  /** ANSI colours (red removals, green additions). */
  color?: boolean;
  /** Longest rendering of one value before it is cut (default 200 characters). */
  maxValueLength?: number;
}

/** The changes as text, one per line: `~ path: before → after`, `+ path: value`, `- path: value`. */
export function formatChanges(changes: readonly Change[], options: FormatOptions = {}): string {
  const max = options.maxValueLength ?? 200;
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > max ? `${text.slice(0, max)}…` : text;
  };
  return changes
    .map((change) => {
      switch (change.kind) {
        case 'added':
          return paint(32, `+ ${change.path}: ${show(change.after)}`);
        case 'removed':
          return paint(31, `- ${change.path}: ${show(change.before)}`);
        case 'changed':
          return paint(33, `~ ${change.path}: ${show(change.before)} → ${show(change.after)}`);
      }
    })
    .join('\n');
}
