/**
 * The nesting-depth limit, checked before anything else looks at a document.
 *
 * Every later step (schema validation, secret extraction, JSON serialisation, the store) may
 * walk the document recursively, and a body of 10,000 nested arrays is small enough to pass any
 * size limit yet deep enough to overflow the stack. So the depth is measured first, with an
 * explicit stack instead of recursion, and the walk stops at the first container that is too
 * deep. Real offer documents are about 7 levels deep (document → definition → plans → plan →
 * vmImages → version → lunVhdDetails).
 */
import type { PathSegment } from './problems.ts';

/** Objects and arrays may be nested this many levels deep (the document itself is level 1). */
export const MAX_NESTING_DEPTH = 32;

interface Frame {
  value: object;
  depth: number;
  key: PathSegment | undefined;
  parent: Frame | undefined;
}

/**
 * Returns the path of the first object or array nested deeper than `max` levels, or undefined
 * when the value is within the limit. Cycles (possible only for in-process callers, never for
 * parsed JSON) also end here, since they are infinitely deep.
 */
export function findTooDeep(value: unknown, max = MAX_NESTING_DEPTH): PathSegment[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (frame.depth > max) return pathOf(frame);
    const entries: [PathSegment, unknown][] = Array.isArray(frame.value) ? frame.value.map((item, index) => [index, item]) : Object.entries(frame.value);
    // Pushed last-to-first so the walk visits children in document order.
    for (const [key, child] of entries.reverse()) {
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
      }
    }
  }
  return undefined;
}

function pathOf(frame: Frame): PathSegment[] {
  const segments: PathSegment[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) segments.push(at.key);
  return segments.reverse();
}
