/**
 * How far the JavaScript heap may grow past what the last full collection kept (D107).
 *
 * V8 picks that factor itself, up to 4× while the process allocates fast, and a server answering
 * thousands of requests a second always allocates fast: the 100,000-offer bench's server peaked at
 * 288–320 MB with under 50 MB of its heap live after a full collection. At 1.5× it peaks at
 * 189–212 MB, at −3 % req/s for the most allocating read (a 250-operation history) and no change
 * for the GET offer.
 *
 * The flag is read at each collection, so setting it once the process runs takes effect (the
 * young generation's size is fixed at start and stays V8's). An operator's own
 * `node --heap-growing-percent=<n>` wins.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this percent of what the last full collection kept before the next one. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = '--heap-growing-percent';

/** Sets the heap's growth unless node was started with its own; answers the flag it set, if any. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): string | undefined {
  // V8 spells its flags with dashes or underscores alike.
  if (execArgv.some((arg) => arg.replaceAll('_', '-').split('=')[0] === FLAG)) return undefined;
  const flag = `${FLAG}=${HEAP_GROWING_PERCENT}`;
  setFlagsFromString(flag);
  return flag;
}
