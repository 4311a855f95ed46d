/**
 * What a store's read cache may hold (D101): at most MAX_CACHED_ENTRIES values and, by estimate,
 * CACHE_BYTES bytes; past either it starts over empty. The bytes bound is the one that matters on
 * a large catalog: a client reading every offer of a 20,000-offer publisher once would otherwise
 * keep 10,000 documents (and the encoded bodies the HTTP layer keeps beside them) in memory.
 */
export const MAX_CACHED_ENTRIES = 20_000;
export const CACHE_BYTES = 32 * 1024 * 1024;

/** Assumed size of a cached row (a header, a grant, a publisher) and of what is kept beside it. */
const ROW_BYTES = 512;

/**
 * Bytes a cached value is assumed to hold: a document's JSON text twice (the text, and the encoded
 * body GET keeps while the value is cached), a flat size per row otherwise. An estimate: it only
 * has to grow with what the value really holds.
 */
export function cachedBytes(value: unknown): number {
  if (Array.isArray(value)) return ROW_BYTES * (value.length + 1);
  const json = (value as { definitionJson?: unknown } | null)?.definitionJson;
  return typeof json === 'string' ? 2 * json.length + ROW_BYTES : ROW_BYTES;
}

/** The entries and bytes a cache holds; `admit` says whether it must start over before keeping one more value. */
export class CacheBudget {
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(maxBytes = CACHE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Counts `value` in; true when the cache must be emptied first (then the count restarts with
   * `value` alone). `entries` is how many the cache holds now.
   */
  admit(entries: number, value: unknown): boolean {
    const bytes = cachedBytes(value);
    const full = entries >= MAX_CACHED_ENTRIES || (entries > 0 && this.#bytes + bytes > this.#maxBytes);
    this.#bytes = (full ? 0 : this.#bytes) + bytes;
    return full;
  }

  /** The cache was emptied for another reason (a write, a new epoch). */
  reset(): void {
    this.#bytes = 0;
  }
}
