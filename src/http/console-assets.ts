/**
 * The console's files: the front end in src/console/ bundled by esbuild into one script and one
 * stylesheet, named by their content hash so browsers may keep them for a year. The build runs
 * on the first start after the sources change and is cached in node_modules/.cache; each file is
 * held in memory with its gzip form, so serving one is a map lookup.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../package-root.ts';

export interface ConsoleFile {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
  /** Named by content hash: cached for a year, never revalidated. */
  immutable: boolean;
}

export interface ConsoleAssets {
  /** By name under /console/: `index.html`, `assets/app-<hash>.js`, … */
  files: ReadonlyMap<string, ConsoleFile>;
  /** What the build reports: bytes of the script and stylesheet, raw and gzipped. */
  size: { bytes: number; gzipBytes: number };
  /** Whether this start built the bundle (false: it came from the cache). */
  built: boolean;
}

const ROOT = PACKAGE_ROOT;
/** The front end and what it bundles from the rest of the code (the SDK, its types). */
const SOURCE_DIRS = ['src/console', 'src/client'];
const ENTRY = 'src/console/main.tsx';
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'cloudpartner-console');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The built console: from the cache when the sources are unchanged, else built now (and cached). */
export async function loadConsoleAssets(): Promise<ConsoleAssets> {
  const key = sourceHash();
  const cached = join(CACHE_DIR, key);
  let built = false;
  if (!existsSync(join(cached, 'index.html'))) {
    await build(cached);
    built = true;
  }
  const files = new Map<string, ConsoleFile>();
  let bytes = 0;
  let gzipBytes = 0;
  for (const name of listFiles(cached)) {
    const body = readFileSync(join(cached, name));
    const gzip = gzipSync(body, { level: 9 });
    const extension = name.slice(name.lastIndexOf('.'));
    const immutable = name.startsWith('assets/');
    files.set(name, { body, gzip, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream', immutable });
    if (immutable) {
      bytes += body.length;
      gzipBytes += gzip.length;
    }
  }
  return { files, size: { bytes, gzipBytes }, built };
}

/** A hash of every source file the bundle is made of, and of the bundler's version. */
function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(esbuildVersion());
  for (const dir of SOURCE_DIRS) {
    for (const name of listFiles(join(ROOT, dir)).sort()) {
      hash.update(`${dir}/${name}\0`);
      hash.update(readFileSync(join(ROOT, dir, name)));
    }
  }
  for (const name of ['src/http/schemas', 'package-lock.json']) hash.update(statSignature(join(ROOT, name)));
  return hash.digest('hex').slice(0, 16);
}

function statSignature(path: string): string {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? listFiles(path).join(',') : String(stat.size);
  } catch {
    return '';
  }
}

function esbuildVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')) as { version: string }).version;
}

async function build(target: string): Promise<void> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(ROOT, ENTRY)],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'assets/app-[hash]',
    outdir: 'out',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const outputs = new Map(result.outputFiles.map((file) => [relative(join(process.cwd(), 'out'), file.path).replaceAll('\\', '/'), file.contents]));
  const script = [...outputs.keys()].find((name) => name.endsWith('.js'));
  const style = [...outputs.keys()].find((name) => name.endsWith('.css'));
  if (!script) throw new Error('the console build produced no script');
  const page = readFileSync(join(ROOT, 'src/console/index.html'), 'utf8')
    .replace('%SCRIPT%', script)
    .replace('%STYLE%', style ?? '');
  // Written beside, then renamed: two servers starting at once never see half a build.
  const temporary = `${target}.${process.pid}.${Date.now()}`;
  for (const [name, contents] of outputs) {
    mkdirSync(dirname(join(temporary, name)), { recursive: true });
    writeFileSync(join(temporary, name), contents);
  }
  writeFileSync(join(temporary, 'index.html'), page);
  mkdirSync(dirname(target), { recursive: true });
  try {
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(join(target, 'index.html'))) throw error;
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...listFiles(join(dir, entry.name), name));
    else names.push(name);
  }
  return names;
}
