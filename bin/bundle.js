/**
 * The command line and the server run from a bundle of the TypeScript sources: esbuild builds it at
 * the first start after a change, into node_modules/.cache/cloudpartner-bundle/ (named by a hash
 * of the sources, never committed), and every later start imports it. Transpiling some 300 modules
 * through tsx at every start cost about 35 MB of memory and a good part of the start (D103).
 *
 * Where a bundle cannot be built or kept (a read-only install, `CLOUDPARTNER_BUNDLE=off` for
 * debugging with the sources' own line numbers), the sources run through tsx as before.
 *
 * Plain JavaScript: it runs before anything can load TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'cloudpartner-bundle');

/** Every file under `dir`, as paths relative to the package root, sorted. */
function filesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found.sort();
}

/** Where the bundle of `entry` is, as the sources are now: their contents and esbuild's version name it. */
function bundleDirFor(entry) {
  const hash = createHash('sha256');
  hash.update(`${entry}\0${JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version}\0`);
  // How it is built (this file), and everything the entry can import: the sources, and the entry's own folder.
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const dir of new Set(['src', dirname(entry)])) {
    for (const file of filesUnder(dir)) hash.update(`${file}\0`).update(readFileSync(join(ROOT, file))).update('\0');
  }
  return join(CACHE_DIR, `${basename(entry, '.ts')}-${hash.digest('hex').slice(0, 20)}`);
}

/** The entry module inside a bundle directory. */
const entryFile = (dir, entry) => join(dir, `${basename(entry, '.ts')}.js`);

async function build(entry, dir) {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE_DIR, { recursive: true });
  // Built aside and renamed: processes starting at once never import a half-written bundle.
  const temporary = `${dir}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    outdir: temporary,
    bundle: true,
    // What the sources import lazily (a command's own modules) stays a chunk loaded on use.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay imports, resolved from the package's node_modules as from the sources.
    packages: 'external',
    // No keepNames: it names every function created, per request too, and cost the hot GET 15 %.
    // Nothing here reads a function's or class's name (plugins are named explicitly).
    logLevel: 'silent',
  });
  try {
    renameSync(temporary, dir);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(entryFile(dir, entry))) throw error; // else another process got there first
  }
  const prefix = `${basename(entry, '.ts')}-`;
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith(prefix) && old !== basename(dir) && !old.endsWith('.tmp')) rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
  }
}

/** The path of an up-to-date bundle of `entry` (relative to the package root), built if needed; undefined when none can be had. */
export async function bundleOf(entry) {
  if (process.env['CLOUDPARTNER_BUNDLE'] === 'off') return undefined;
  try {
    const dir = bundleDirFor(entry);
    if (!existsSync(entryFile(dir, entry))) await build(entry, dir);
    return entryFile(dir, entry);
  } catch (error) {
    process.stderr.write(`cloudpartner: running the sources through tsx (no bundle: ${error instanceof Error ? error.message.split('\n')[0] : error})\n`);
    return undefined;
  }
}

/** Imports `entry` (relative to the package root) from its bundle, else from its sources through tsx. */
export async function importBundled(entry) {
  const file = await bundleOf(entry);
  if (file !== undefined) return import(pathToFileURL(file).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, entry)).href);
}
