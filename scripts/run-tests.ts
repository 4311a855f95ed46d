/**
 * `npm test`: the whole suite, twice — once on the embedded SQLite store, once on PostgreSQL.
 *
 * The PostgreSQL pass runs every suite that goes through the storage interface (HTTP, workflow,
 * store) against a throwaway PostgreSQL cluster this runner starts once (or DATABASE_URL when
 * set); each suite gets a database of its own. Suites about the embedded store itself, the CLI's
 * data directory and the README run in the SQLite pass. Nothing is skipped: if PostgreSQL cannot
 * be started, the run fails.
 *
 *   npm test                      the type and format checks, then both passes
 *   npm test -- http/put          only files whose path contains 'http/put' (both passes)
 *   CLOUDPARTNER_TEST_STORES=sqlite npm test    one pass
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startPostgres } from '../test/helpers/postgres.ts';
import { ensureChromium } from '../test/helpers/browser.ts';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

/** Suites that run against each backend; the rest are about the embedded store, the CLI, the README. */
const ON_EVERY_STORE = [/^test\/http\//, /^test\/clients\//, /^test\/workflow\//, /^test\/client\//, /^test\/fuzz\//, /^test\/crash\//, /^test\/hostile\//];
/** Suites only meaningful on PostgreSQL. */
const POSTGRES_ONLY = [/^test\/store\/postgres/, /^test\/scale\//];

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const all = findTests(join(root, 'test'))
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (all.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

function run(files: string[], env: NodeJS.ProcessEnv, imports: string[] = []): number {
  if (files.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', ...imports.flatMap((file) => ['--import', file]), '--test', '--test-reporter=spec', '--test-timeout=180000', ...files],
    {
      cwd: root,
      stdio: 'inherit',
      env,
    },
  );
  return result.status ?? 1;
}

/**
 * The leak scan (test/hostile/leak-scan.test.ts) reads what every other suite of the pass
 * recorded — answers, log lines, tokens and secret values (test/helpers/capture.ts) — so it runs
 * after them, on the pass's record.
 */
const LEAK_SCAN = /leak-scan\.test\.ts$/;

function runPass(files: string[], env: NodeJS.ProcessEnv): number {
  const captureDir = mkdtempSync(join(tmpdir(), 'cloudpartner-capture-'));
  try {
    const recorded = { ...env, CLOUDPARTNER_TEST_CAPTURE_DIR: captureDir };
    const suites = run(
      files.filter((file) => !LEAK_SCAN.test(file)),
      recorded,
      ['./test/helpers/capture-install.ts'],
    );
    const scan = run(
      files.filter((file) => LEAK_SCAN.test(file)),
      recorded,
    );
    return suites !== 0 ? suites : scan;
  } finally {
    rmSync(captureDir, { recursive: true, force: true });
  }
}

const stores = (process.env['CLOUDPARTNER_TEST_STORES'] ?? 'sqlite,postgres').split(',');
let failed = false;

// The checks first: the type checker (strict, no unused code) — among what it checks, that the
// SDK's types accept every wire document the server declares (test/client/wire-types.test.ts) —
// and the formatter (`npm run format` fixes what it finds).
if (filter.length === 0) {
  console.log('\n=== type check and format ===\n');
  const checks = [
    ['the type check', join(root, 'node_modules/typescript/bin/tsc'), ['--noEmit', '-p', root]],
    ['the console type check', join(root, 'node_modules/typescript/bin/tsc'), ['--noEmit', '-p', join(root, 'src/console')]],
    [
      'the format check',
      join(root, 'node_modules/prettier/bin/prettier.cjs'),
      ['--check', '--log-level', 'warn', 'src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ],
  ] as const;
  for (const [name, bin, args] of checks) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`${name} failed`);
      failed = true;
    } else console.log(`${name}: clean`);
  }
}

// The console's suites drive Debian's Chromium: installed here when missing, so a fresh machine has it.
if (all.some((file) => file.startsWith('test/console/'))) ensureChromium();

if (stores.includes('sqlite')) {
  console.log('\n=== store: sqlite ===\n');
  const files = all.filter((file) => !POSTGRES_ONLY.some((pattern) => pattern.test(file)));
  failed = runPass(files, { ...process.env, CLOUDPARTNER_TEST_STORE: 'sqlite' }) !== 0 || failed;
}

if (stores.includes('postgres')) {
  const files = all.filter((file) => [...ON_EVERY_STORE, ...POSTGRES_ONLY].some((pattern) => pattern.test(file)));
  if (files.length > 0) {
    console.log('\n=== store: postgres ===\n');
    const server = await startPostgres();
    try {
      failed = runPass(files, { ...process.env, CLOUDPARTNER_TEST_STORE: 'postgres', DATABASE_URL: server.url }) !== 0 || failed;
    } finally {
      await server.stop();
    }
  }
}

process.exit(failed ? 1 : 0);
