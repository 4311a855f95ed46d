/**
 * The recorder behind the leak scan (test/hostile/leak-scan.test.ts). When `npm test` sets
 * CLOUDPARTNER_TEST_CAPTURE_DIR, every test process writes into that directory, one file per kind
 * and process:
 *
 *   responses-<pid>.jsonl  every response body a test client received (fetch, inject, raw sockets)
 *   logs-<pid>.jsonl       every log line of the servers (in-process loggers, child processes' stdout)
 *   tokens-<pid>.txt       every bearer token and client secret a test sent, and every client
 *                          secret an application registration (POST …/applications) answered with
 *   secrets-<pid>.txt      every secret-type field value stored (sealed) or acknowledged by a server
 *
 * and the scan, run after every other suite, looks for the last two in the first two.
 * `installCapture()` (loaded with --import by scripts/run-tests.ts) hooks fetch and the secret
 * sealing of in-process stores; the harness and the raw-socket suites record the rest.
 * Without the variable every function here does nothing.
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { extractSecrets } from '../../src/domain/secret-fields.ts';

const DIR = process.env['CLOUDPARTNER_TEST_CAPTURE_DIR'];

export const capturing = DIR !== undefined && DIR !== '';

const seenTokens = new Set<string>();
const seenSecrets = new Set<string>();
const seenBodies = new Set<string>();

function append(kind: string, line: string): void {
  if (!capturing) return;
  appendFileSync(join(DIR!, `${kind}-${process.pid}.${kind === 'tokens' || kind === 'secrets' ? 'txt' : 'jsonl'}`), `${line}\n`);
}

export function recordToken(token: string | undefined): void {
  if (!capturing || !token || token.length < 8 || seenTokens.has(token) || /[\r\n]/.test(token)) return;
  seenTokens.add(token);
  append('tokens', token);
}

export function recordSecret(value: unknown): void {
  if (!capturing || typeof value !== 'string' || value.length < 8 || seenSecrets.has(value) || /[\r\n]/.test(value)) return;
  seenSecrets.add(value);
  append('secrets', value);
}

/**
 * Credentials in request headers: bearer tokens, and Basic client id/secret pairs — when the
 * server took them (`status` is not 401): what was refused was no credential, just input.
 */
export function recordAuthorization(header: string | undefined | null, status: number): void {
  if (!capturing || !header || status === 401) return;
  const bearer = /^Bearer +(\S+)/i.exec(header);
  if (bearer) return recordToken(bearer[1]);
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) recordToken(decoded.slice(colon + 1));
  }
}

/** Client secrets in a token request's form body, when the token service took them (`status` 200). */
export function recordRequestBody(body: string | undefined, status: number): void {
  if (!capturing || !body || status !== 200 || !body.includes('client_secret=')) return;
  try {
    recordToken(new URLSearchParams(body).get('client_secret') ?? undefined);
  } catch {
    // not a form
  }
}

/** The secret values of an offer document a server acknowledged storing (a PUT answered 2xx). */
export function recordAcknowledgedDocument(body: string | Buffer | undefined): void {
  if (!capturing || body === undefined) return;
  try {
    const document = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as { offerTypeId?: unknown; definition?: unknown };
    if (typeof document.offerTypeId !== 'string') return;
    for (const secret of extractSecrets(structuredClone(document.definition), document.offerTypeId)) recordSecret(secret.value);
  } catch {
    // not an offer document
  }
}

/** The answer that registers an application (POST /api/publishers/{p}/applications): the one place its client secret is shown. */
export const ISSUES_CLIENT_SECRET = /^(?:https?:\/\/[^/]+)?\/api\/publishers\/[^/?]+\/applications\/?(?:\?|$)/i;

/** The client secret an application registration answered with: a credential, like the ones tests send. */
function recordIssuedSecret(method: string, url: string, status: number, text: string): void {
  if (method.toUpperCase() !== 'POST' || status !== 201 || !ISSUES_CLIENT_SECRET.test(url)) return;
  try {
    const secret = (JSON.parse(text) as { clientSecret?: unknown }).clientSecret;
    if (typeof secret === 'string') recordToken(secret);
  } catch {
    // not the answer expected
  }
}

export function recordResponse(source: string, method: string, url: string, status: number, body: string | Buffer): void {
  if (!capturing) return;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length === 0) return;
  recordIssuedSecret(method, url, status, text);
  // Many answers are identical (the same error, the same list): each distinct body once.
  const hash = createHash('sha1')
    .update(`${url.split('?')[0]}\u0000${text}`)
    .digest('hex');
  if (seenBodies.has(hash)) return;
  seenBodies.add(hash);
  append('responses', JSON.stringify({ source, method, url: url.slice(0, 2000), status, body: text }));
}

export function recordLogLine(line: string): void {
  if (!capturing || line.trim() === '') return;
  append('logs', JSON.stringify(line));
}

/** A stream for a pino logger that records every line; undefined when not capturing. */
export function captureLogStream(): Writable | undefined {
  if (!capturing) return undefined;
  let pending = '';
  return new Writable({
    write(chunk, _encoding, done) {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) recordLogLine(line);
      done();
    },
    final(done) {
      recordLogLine(pending);
      done();
    },
  });
}

/** Records the JSON lines a child process writes (its log); other lines (a banner) are not log lines. */
export function captureChildOutput(stream: NodeJS.ReadableStream | null | undefined): void {
  if (!capturing || !stream) return;
  let pending = '';
  stream.on('data', (chunk) => {
    pending += String(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) recordLogLine(line);
  });
}

let installed = false;

/**
 * Hooks this process: fetch records each request's credentials and each response body; every
 * value an in-process store seals is recorded as a secret.
 */
export async function installCapture(): Promise<void> {
  if (!capturing || installed) return;
  installed = true;
  const { SecretBox } = await import('../../src/store/secret-box.ts');
  const seal = SecretBox.prototype.seal;
  SecretBox.prototype.seal = function sealAndRecord(this: InstanceType<typeof SecretBox>, plaintext: string): string {
    try {
      recordSecret(JSON.parse(plaintext));
    } catch {
      recordSecret(plaintext);
    }
    return seal.call(this, plaintext);
  };

  const original = globalThis.fetch;
  globalThis.fetch = async function fetchAndRecord(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const response = await original(input, init);
    recordAuthorization(headers.get('authorization'), response.status);
    if (typeof init?.body === 'string') recordRequestBody(init.body, response.status);
    if (method.toUpperCase() === 'PUT' && response.ok && typeof init?.body === 'string') recordAcknowledgedDocument(init.body);
    response
      .clone()
      .text()
      .then(
        (text) => recordResponse('fetch', method, url, response.status, text),
        () => {},
      );
    return response;
  };
}
