/**
 * How the draft is laid out in the editor's tabs: by the namespace of each key of `definition.offer`
 * (the same namespaces the CPP document uses), plans on their own tab, the whole document as JSON.
 * Problems from the API carry JSON paths; each field claims the ones at or under its path.
 */
import { jsonPath, type PathSegment } from '../../../domain/offer-validation/json-path.ts';

export type OfferTabId = 'settings' | 'plans' | 'testdrive' | 'marketplace' | 'support';

export const EDITOR_TABS: { id: OfferTabId | 'json'; label: string }[] = [
  { id: 'settings', label: 'Offer settings' },
  { id: 'plans', label: 'Plans' },
  { id: 'testdrive', label: 'Test drive' },
  { id: 'marketplace', label: 'Marketplace' },
  { id: 'support', label: 'Support & leads' },
  { id: 'json', label: 'JSON' },
];

export function tabOfOfferKey(key: string): OfferTabId {
  if (key.includes('-testdrive.')) return 'testdrive';
  const name = key.slice(key.lastIndexOf('.') + 1);
  if (/lead|contact|supporturl/i.test(name)) return 'support';
  if (key.startsWith('microsoft-azure-marketplace.')) return 'marketplace';
  return 'settings';
}

/** The part of a key after its namespace, for a label: `microsoft-azure-marketplace.title` → `title`. */
export function shortName(key: string): string {
  return key.includes('.') ? key.slice(key.lastIndexOf('.') + 1) : key;
}

export { jsonPath, type PathSegment };

export interface Problem {
  path: string;
  message: string;
  /** From a dry run: `document` (a save refuses it), `publish` or `certification` (a publish would). */
  stage?: string;
}

/** How a problem reads beside its field: what it blocks, when it is not the save itself. */
export function problemText(problem: Problem): string {
  if (problem.stage === 'publish') return `To publish: ${problem.message}`;
  if (problem.stage === 'certification') return `Certification: ${problem.message}`;
  return problem.message;
}

/** Whether a problem is about this path or something inside it. */
export function concerns(problem: Problem, path: string): boolean {
  return problem.path === path || problem.path.startsWith(`${path}[`) || problem.path.startsWith(`${path}.`);
}

/** Sets a value deep in a copy-on-write document: returns a new root with the path replaced. */
export function setIn(root: unknown, segments: readonly PathSegment[], value: unknown): unknown {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments as [PathSegment, ...PathSegment[]];
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[head as number] = setIn(root[head as number], rest, value);
    return copy;
  }
  const record = (root && typeof root === 'object' ? root : {}) as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...record };
  if (value === undefined && rest.length === 0) delete copy[head as string];
  else copy[head as string] = setIn(record[head as string], rest, value);
  return copy;
}

export function getIn(root: unknown, segments: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
