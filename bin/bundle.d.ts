/** Types of bin/bundle.js, for the TypeScript that starts bundled processes (bench/processes.ts). */
export function bundleOf(entry: string): Promise<string | undefined>;
export function importBundled(entry: string): Promise<Record<string, unknown>>;
