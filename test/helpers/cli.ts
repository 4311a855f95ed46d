/** The `cloudpartner` API commands as real processes: run asynchronously (several at once), with stdin. */
import { spawn } from 'node:child_process';
import { BIN, ROOT, cleanEnv } from './processes.ts';

const CLIENT_VARIABLES = [
  'CLOUDPARTNER_ENDPOINT',
  'CLOUDPARTNER_TOKEN',
  'CLOUDPARTNER_TENANT_ID',
  'CLOUDPARTNER_CLIENT_ID',
  'CLOUDPARTNER_CLIENT_SECRET',
  'CLOUDPARTNER_AUTHORITY',
  'CLOUDPARTNER_PUBLISHER',
  'CLOUDPARTNER_OUTPUT',
  'CLOUDPARTNER_PROFILE',
  'CLOUDPARTNER_PROFILE_FILE',
  'NO_COLOR',
];

/**
 * The environment of an API command in a test: nothing of the developer's own configuration (no
 * CLOUDPARTNER_* client variable, a profile file that does not exist unless given), plus `extra`.
 */
export function apiEnv(profileFile: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const key of CLIENT_VARIABLES) delete env[key];
  return { ...env, CLOUDPARTNER_PROFILE_FILE: profileFile, ...extra };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cloudpartner ${args.join(' ')} did not finish in time\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Asserts what every failure of an API command looks like: exactly one line on stderr, no stack trace. */
export function oneErrorLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  if (lines.length !== 1 || !lines[0]!.startsWith('cloudpartner: ') || /\n\s+at /.test(result.stderr)) {
    throw new Error(`expected one error line, got:\n${result.stderr}`);
  }
  return lines[0]!;
}
