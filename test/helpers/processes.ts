/** Real `cloudpartner` processes for tests: spawn, wait for the banner, stop. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SETTING_ENVIRONMENT } from '../../src/config.ts';
import { captureChildOutput } from './capture.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const BIN = `${ROOT}bin/cloudpartner.js`;

/** The environment of a test process: the real one minus anything that configures cloudpartner. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of SETTING_ENVIRONMENT) delete env[key];
  return { ...env, ...extra };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything printed on stdout so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command args…` and resolves once it prints its banner's last line. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<ServerProcess> {
  // Its own process group, so that stopping `npm start` also stops the server npm started.
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  captureChildOutput(child.stdout);
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before its banner\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
    child.stdout!.on('data', () => {
      const match = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (!match || !stdout.includes('Stop with Ctrl+C')) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1]!,
        output: () => stdout,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(-child.pid!, signal);
            } catch {
              // already gone
            }
          }
          return exited;
        },
      });
    });
  });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether a process with this id exists (a reaped child no longer does). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `cloudpartner serve` on a data directory (and a PostgreSQL database when given), quiet, on a free
 * port, with `--demo` when asked and any other flags: the crash suites' server, started again after
 * each kill.
 */
export function startServe(options: { dataDir: string; databaseUrl?: string | undefined; demo: boolean; flags?: string[] }): Promise<ServerProcess> {
  return startProcess(
    process.execPath,
    [
      BIN,
      'serve',
      ...(options.demo ? ['--demo'] : []),
      '--port',
      '0',
      '--log-level',
      'warn',
      ...(options.flags ?? []),
      '--data-dir',
      options.dataDir,
      ...(options.databaseUrl ? ['--database-url', options.databaseUrl] : []),
    ],
    cleanEnv(),
  );
}
