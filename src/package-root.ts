/**
 * The directory of this package (where package.json is), for the files the server reads at run
 * time: the console's sources, the demo offer, the version. Found by walking up from this module,
 * because the code runs from two places — its sources (through tsx) and a bundle of them in
 * node_modules/.cache (bin/bundle.js) — and a path relative to one would be wrong from the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cloudpartner') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of cloudpartner above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
