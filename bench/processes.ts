/**
 * Child processes and temp dirs of a bench run, and their cleanup.
 *
 * Every server runs in its own process (as `cloudpartner serve` does) so that neither shares an
 * event loop with the load generator. Everything started here is registered and torn down on
 * normal exit, on error and on SIGINT/SIGTERM; the children also exit by themselves when their
 * IPC channel to this process closes, so a hard-killed bench leaves no servers behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleOf } from '../bin/bundle.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
/** Async cleanups of things that are not child processes (the PostgreSQL cluster), newest first. */
const cleanups: Array<() => Promise<void>> = [];

/**
 * Registers `stop` to run in cleanup(), after the child processes have stopped (servers hold
 * database connections), newest first. `stop` may run twice: after a normal stop, and again here.
 */
export function onCleanup(stop: () => Promise<void>): void {
  cleanups.unshift(stop);
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Registers a process started elsewhere (e.g. wrk) so that cleanup kills it too. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface ServerChild {
  child: ChildProcess;
  url: string;
  /** The child's ready message as it sent it (bench/server-fixture.ts adds its startup timings). */
  ready: Record<string, unknown>;
  /** Sends SIGTERM and waits for the process to end (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `<script> ...args` (bundled as the command line is, bin/bundle.js) and waits for its `{ type: 'ready', url }` IPC
 * message. stdout goes to `stdoutFd` (the access log) or is dropped; stderr is kept for errors.
 */
export async function startServerChild(
  script: string,
  args: string[],
  options: { stdoutFd?: number; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ServerChild> {
  // As `cloudpartner` runs: from the bundle of the sources (bin/bundle.js), else through tsx
  // (cwd = repo root so that `--import tsx` resolves from this project's node_modules).
  const bundle = await bundleOf(script);
  const command = bundle === undefined ? ['--import', 'tsx', join(REPO_ROOT, script)] : [bundle];
  const child = track(
    spawn(process.execPath, [...command, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', options.stdoutFd ?? 'ignore', 'pipe', 'ipc'],
    }),
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not report ready within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    const onMessage = (message: unknown) => {
      const m = message as { type?: string; url?: string };
      if (m?.type === 'ready' && typeof m.url === 'string') {
        done();
        resolve(m as Record<string, unknown>);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})\n${stderr}`));
    const fail = (error: Error) => {
      done();
      reject(error);
    };
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });

  return { child, url: ready['url'] as string, ready, stop: (graceMs) => stopChild(child, graceMs) };
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; undefined where
 * there is no /proc. CPU per request does not depend on how the 2 cores are shared with the
 * load generator, so it is steadier than req/s on a small VM.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return procStat(String(pid)).cpuMs;
  } catch {
    return undefined;
  }
}

/** Parent pid and CPU time (user + system, ms) of a process, from /proc/<pid>/stat. Throws if absent. */
function procStat(pid: string): { ppid: number; cpuMs: number } {
  // Fields after the ")" that closes the command name: state is field 3, ppid 4, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond() };
}

/**
 * CPU time (ms) of a process and its direct children so far: for the PostgreSQL postmaster, that
 * is the whole server (every backend is its child). The connection pools keep their backends for
 * the whole run, so none of the CPU measured between two readings is lost to a backend exiting.
 */
export function processTreeCpuMs(rootPid: number | undefined): number | undefined {
  const own = processCpuMs(rootPid);
  if (own === undefined) return undefined;
  let total = own;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = procStat(entry);
      if (stat.ppid === rootPid) total += stat.cpuMs;
    } catch {
      // exited while we looked
    }
  }
  return total;
}

/**
 * CPU time (ms) all cores have spent busy since boot, from /proc/stat (undefined elsewhere). Over
 * a run, 100 % per core means the machine had no idle CPU left: servers, database and load
 * generator together.
 */
export function machineBusyMs(): number | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    const values = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((sum, n) => sum + n, 0);
    const idle = values[3]! + (values[4] ?? 0);
    return ((total - idle) * 1000) / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(result.stdout?.trim()) || 100;
  }
  return clockTicks;
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Graceful cleanup: stops every child, then the registered cleanups, then removes the temp dirs. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
  for (const stop of cleanups) {
    try {
      await stop();
    } catch (error) {
      process.stderr.write(`[bench] cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  removeTempDirs();
}

/** Last-resort synchronous cleanup for process 'exit' (no awaiting possible there). */
function cleanupSync(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  removeTempDirs();
}

function removeTempDirs(): void {
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

let installed = false;
let interruptedBy: NodeJS.Signals | undefined;

/** The signal that is stopping the bench, if any (failures it causes are not worth reporting). */
export function interrupted(): NodeJS.Signals | undefined {
  return interruptedBy;
}

/**
 * Cleans up on exit and on SIGINT/SIGTERM (exit status 128 + signal number, as shells do); a
 * second signal exits at once, with only the synchronous cleanup.
 *
 * The handlers stay installed (process.on, not once): test/helpers/postgres.ts kills its cluster
 * and re-raises the signal, killing this process mid-cleanup, unless another handler is listening.
 * With ours listening it stands aside; cleanup() stops the cluster, and its 'exit' hook is the
 * last resort.
 */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
  ] as const) {
    process.on(signal, () => {
      if (interruptedBy) process.exit(128 + number);
      interruptedBy = signal;
      process.stderr.write(`\n${signal}: stopping servers, PostgreSQL and removing temp files\n`);
      cleanup().finally(() => process.exit(128 + number));
    });
  }
}
