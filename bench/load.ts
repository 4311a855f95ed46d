/**
 * Load generators: wrk (preferred; C, multi-threaded, HdrHistogram latencies) and autocannon
 * (npm, JavaScript) as the fallback when wrk is not installed and cannot be installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT, makeTempDir, track } from './processes.ts';

export interface LoadOptions {
  /** What to GET; with `requests`, only its origin is used. */
  url: string;
  headers: Record<string, string>;
  connections: number;
  threads: number;
  durationSec: number;
  /** Send these instead of GET `url`: every request is one of them, picked at random. */
  requests?: RequestMix;
}

/** Requests with a body (the write scenarios). */
export interface RequestMix {
  method: 'PUT' | 'POST';
  /** Path + query and one-line body (JSON.stringify output has no newline) of each variant. */
  variants: ReadonlyArray<{ path: string; body: string }>;
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses completed during the run. */
  requests: number;
  /** Responses that were not 2xx/3xx: any makes the run invalid. */
  non2xx: number;
  /** Connect/read/write errors and timeouts. */
  socketErrors: number;
  /** Responses by status code, when the generator counts them (always with `requests`). */
  statusCounts?: Record<string, number>;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  version: string;
  /** Why this one was chosen, when it is not the default. */
  note?: string;
  run(options: LoadOptions): Promise<LoadResult>;
}

export async function chooseLoadGenerator(forced: 'wrk' | 'autocannon' | undefined, log: (line: string) => void): Promise<LoadGenerator> {
  if (forced === 'autocannon') return autocannon('forced with --load-generator autocannon');
  if (wrkVersion() === undefined && forced !== 'wrk') installWrk(log);
  const version = wrkVersion();
  if (version !== undefined) return wrk(version);
  if (forced === 'wrk') throw new Error('wrk is not installed (apt-get install -y wrk)');
  return autocannon('FALLBACK: wrk is not on PATH and could not be installed; autocannon numbers are not comparable with wrk runs');
}

// ---- wrk -------------------------------------------------------------------------------------

function wrkVersion(): string | undefined {
  // `wrk -v` prints its version and usage, and exits non-zero; only a spawn error means "missing".
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (result.error) return undefined;
  return /wrk\s+(\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

/** `apt-get install -y wrk`, with `apt-get update` first if the plain install fails. Root only. */
function installWrk(log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    log('wrk is not on PATH and this is not root: not trying apt-get');
    return;
  }
  const aptGet = (...args: string[]) => {
    const result = spawnSync('apt-get', args, {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
    if (result.status !== 0)
      log(`apt-get ${args.join(' ')} failed: ${(result.error?.message ?? result.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return result.status === 0;
  };
  log('wrk is not on PATH: apt-get install -y wrk');
  if (aptGet('install', '-y', 'wrk')) return;
  log('retrying after apt-get update');
  if (aptGet('update')) aptGet('install', '-y', 'wrk');
}

function wrk(version: string): LoadGenerator {
  return {
    name: 'wrk',
    version,
    async run(options) {
      const args = ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.durationSec}s`, '--latency', '--timeout', '10s'];
      for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
      if (options.requests) {
        // bench/put.lua reads the variants from a file and sends a random one per request.
        args.push('-s', join(REPO_ROOT, 'bench', 'put.lua'), new URL(options.url).origin, '--', options.requests.method, writeRequestsFile(options.requests));
      } else {
        args.push(options.url);
      }
      const output = await runCommand('wrk', args);
      return parseWrk(output);
    },
  };
}

let requestsDir: string | undefined;
let requestsFileCount = 0;
const requestsFiles = new WeakMap<RequestMix, string>();

/** The variants as bench/put.lua reads them: a path line, then a body line. Written once per mix. */
function writeRequestsFile(mix: RequestMix): string {
  let file = requestsFiles.get(mix);
  if (file === undefined) {
    for (const { path, body } of mix.variants) {
      if (/[\r\n]/.test(path) || /[\r\n]/.test(body)) throw new Error(`a request of the mix spans several lines: ${path}`);
    }
    requestsDir ??= makeTempDir('cloudpartner-bench-wrk-');
    file = join(requestsDir, `requests-${++requestsFileCount}.txt`);
    writeFileSync(file, mix.variants.map(({ path, body }) => `${path}\n${body}\n`).join(''));
    requestsFiles.set(mix, file);
  }
  return file;
}

function runCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited with ${code ?? signal}: ${stderr || stdout}`));
    });
  });
}

const TO_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses wrk's report (with --latency). Throws if a line we need is missing. */
export function parseWrk(output: string): LoadResult {
  const need = (pattern: RegExp, what: string) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`wrk output has no ${what}:\n${output}`);
    return match;
  };
  const percentile = (p: string) => {
    const match = need(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm'), `${p}% latency line`);
    return Number(match[1]) * TO_MS[match[2]!]!;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: Number(need(/^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec line')[1]),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    requests: Number(need(/(\d+) requests in /, 'request count')[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    ...statusCounts(output),
  };
}

/** The "Status codes: 200=123 412=4" line bench/put.lua prints, if present. */
function statusCounts(output: string): { statusCounts?: Record<string, number> } {
  const line = /^Status codes:(.*)$/m.exec(output);
  if (!line) return {};
  const counts: Record<string, number> = {};
  for (const [, status, count] of line[1]!.matchAll(/(\d+)=(\d+)/g)) counts[status!] = Number(count);
  return { statusCounts: counts };
}

// ---- autocannon (fallback) -------------------------------------------------------------------

/** The part of autocannon's result this bench reads (autocannon ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

function autocannon(note: string): LoadGenerator {
  let version = 'not installed';
  try {
    version = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
  } catch {
    throw new Error(`${note}; and autocannon is not installed either (npm install -D autocannon)`);
  }
  return {
    name: 'autocannon',
    version,
    note,
    async run(options) {
      // A computed specifier: autocannon has no type declarations, and this keeps it optional.
      const specifier: string = 'autocannon';
      const run = (await import(specifier)).default as (options: object) => Promise<AutocannonResult>;
      // Runs in this process, which is otherwise idle during a run: the servers have their own.
      const mix = options.requests;
      const result = await run({
        url: options.url,
        connections: options.connections,
        duration: options.durationSec,
        headers: options.headers,
        // The same random pick per request as bench/put.lua.
        ...(mix
          ? {
              requests: [
                {
                  setupRequest: (request: object) => {
                    const variant = mix.variants[Math.floor(Math.random() * mix.variants.length)]!;
                    return { ...request, method: mix.method, path: variant.path, body: variant.body };
                  },
                },
              ],
            }
          : {}),
      });
      return {
        requestsPerSec: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result['2xx'] + result.non2xx,
        non2xx: result.non2xx,
        socketErrors: result.errors + result.timeouts,
        statusCounts: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count])),
      };
    },
  };
}
