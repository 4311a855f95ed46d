/**
 * The JSON-path notation of a problem's `path` (see ./problems.ts), with no other import: the
 * console bundles it, and must not pull the message catalogue in with it.
 */

/** A step into a document: an object key (string) or an array index (number). */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a list of segments as a JSON path starting at `$`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `['${segment.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
  }
  return path;
}

/**
 * Turns an ajv `instancePath` (a JSON pointer such as `/definition/plans/0/planId`) into path
 * segments. A pointer cannot say whether `0` is an array index or an object key named "0" (an
 * image version key could be), so the document itself is walked alongside to decide.
 */
export function pointerSegments(pointer: string, document: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}
