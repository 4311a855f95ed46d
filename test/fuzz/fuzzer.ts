/**
 * The fuzzer: sends generated and mutated requests (generators.ts) over raw sockets to a running
 * server and checks every answer — never a 5xx, never a hang, the error shape on every error, no
 * stack trace or internal detail in any body — and counts what it got.
 */
import { type RawResponse, type RawResult, rawRequest } from '../helpers/raw-http.ts';
import { languageOf } from '../../src/domain/messages/index.ts';
import { acceptLanguage, type FuzzCase, type FuzzState, type Kind, generate } from './generators.ts';
import { Rng } from './rng.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency: number;
  /** An answer slower than this is a hang. */
  timeoutMs: number;
  /** Only this kind of request. */
  only?: Kind;
  /** Only request number `index` (to replay one failure). */
  index?: number;
  /** Sees every exchange (the leak scan records them). */
  onExchange?: (fuzzCase: FuzzCase, result: RawResult) => void;
}

export interface FuzzFailure {
  index: number;
  kind: string;
  summary: string;
  problem: string;
  answer: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  /** Responses received (pipelined requests get several). */
  responses: number;
  /** Status code → count; `closed` for a connection closed without a complete answer. */
  statuses: Record<string, number>;
  kinds: Record<string, number>;
  failures: FuzzFailure[];
  failureCount: number;
  slowestMs: number;
  durationMs: number;
}

/** What an answer body must never contain: stack frames, source paths, database internals. */
export const INTERNAL_DETAIL: readonly RegExp[] = [
  /\bat [\w$.<>]+ \(/,
  /\bat (file|node):/,
  /node_modules/,
  /\.ts:\d+/,
  /[\\/]src[\\/]/,
  /"stack"\s*:/,
  /SqliteError|SQLITE_[A-Z]|better-sqlite3/,
  /syntax error at or near|duplicate key value|violates [a-z ]+constraint|relation "[a-z_]+"|invalid byte sequence/i,
  /ECONNREFUSED|EADDRINUSE|ENOENT/,
];

function describeAnswer(result: RawResult): string {
  const first = result.responses[0];
  if (first) return `${first.status} ${first.text.slice(0, 300)}`;
  if (result.kind === 'error') return `error: ${result.error.message}`;
  return `${result.kind}${'partial' in result && result.partial.length ? `: ${result.partial.toString('latin1').slice(0, 200)}` : ''}`;
}

/** Everything wrong with one answer. */
export function checkResponse(response: RawResponse, head: boolean, oauth: boolean): string[] {
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  for (const pattern of INTERNAL_DETAIL) if (pattern.test(response.text)) problems.push(`internal detail in the body (${pattern})`);
  if (head) return problems;
  const contentType = response.headers['content-type'] ?? '';
  if (response.status >= 400) {
    if (!contentType.startsWith('application/json')) problems.push(`error without a JSON content type (${contentType || 'none'})`);
    let body: any;
    try {
      body = JSON.parse(response.text);
    } catch {
      problems.push('error body is not JSON');
      return problems;
    }
    const apiShape =
      body !== null &&
      typeof body === 'object' &&
      Object.keys(body).length === 1 &&
      typeof body.error?.code === 'string' &&
      typeof body.error?.message === 'string' &&
      body.error.code.length > 0 &&
      body.error.message.length > 0;
    const oauthShape = oauth && typeof body?.error === 'string' && typeof body?.error_description === 'string';
    if (!apiShape && !oauthShape) problems.push('error body is not {"error":{"code","message"}}');
  } else if (response.status >= 200 && response.body.length > 0 && contentType.startsWith('application/json')) {
    try {
      JSON.parse(response.text);
    } catch {
      problems.push('a JSON answer that does not parse');
    }
  }
  return problems;
}

/** Everything wrong with one exchange. */
export function checkExchange(fuzzCase: FuzzCase, result: RawResult, timeoutMs: number): string[] {
  const problems: string[] = [];
  if (result.kind === 'timeout') problems.push(`no complete answer within ${timeoutMs} ms (a hang)`);
  if (result.kind === 'error') problems.push(`unreadable answer: ${result.error.message}`);
  if (result.kind === 'closed') {
    // Pipelined requests: the server may say it closes (Connection: close) after an answer.
    const last = result.responses.at(-1);
    if (!last || !/close/i.test(last.headers['connection'] ?? '')) problems.push('connection closed without an answer');
  }
  result.responses.forEach((response, i) => {
    const found = checkResponse(response, fuzzCase.head[i] ?? false, fuzzCase.oauth[i] ?? false);
    if (found.length > 0)
      problems.push(
        `${result.responses.length > 1 ? `answer ${i + 1}: ` : ''}${found.join('; ')}${result.responses.length > 1 ? ` (${response.status} ${response.text.slice(0, 200)})` : ''}`,
      );
  });
  return problems;
}

/** Learns ETags and operation ids from answers, so later requests reach deeper. */
function learn(state: FuzzState, fuzzCase: FuzzCase, result: RawResult): void {
  for (const response of result.responses) {
    if (fuzzCase.offerId && response.status >= 200 && response.status < 300 && response.headers['etag'])
      state.etags.set(fuzzCase.offerId, response.headers['etag']);
    const operation = /\/operations\/([0-9a-f-]{36})/.exec(response.headers['location'] ?? '')?.[1];
    if (operation && !state.operations.includes(operation)) {
      state.operations.push(operation);
      if (state.operations.length > 200) state.operations.shift();
    }
  }
}

export async function runFuzz(port: number, state: FuzzState, options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = {
    seed: options.seed,
    requests: 0,
    responses: 0,
    statuses: {},
    kinds: {},
    failures: [],
    failureCount: 0,
    slowestMs: 0,
    durationMs: 0,
  };
  const indexes = options.index !== undefined ? [options.index] : Array.from({ length: options.requests }, (_, i) => i);
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < indexes.length; at = next++) {
      const index = indexes[at]!;
      const fuzzCase = generate(Rng.forItem(options.seed, index), index, state, options.only);
      const result = await rawRequest(port, fuzzCase.bytes, {
        timeoutMs: options.timeoutMs,
        responses: fuzzCase.responses,
        head: fuzzCase.head,
        ...(fuzzCase.endAfterWrite ? { endAfterWrite: true } : {}),
      });
      report.requests++;
      report.kinds[fuzzCase.kind] = (report.kinds[fuzzCase.kind] ?? 0) + 1;
      report.slowestMs = Math.max(report.slowestMs, result.ms);
      for (const response of result.responses) {
        report.responses++;
        report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
      }
      if (result.kind !== 'responses') report.statuses[result.kind] = (report.statuses[result.kind] ?? 0) + 1;
      learn(state, fuzzCase, result);
      options.onExchange?.(fuzzCase, result);
      const problems = checkExchange(fuzzCase, result, options.timeoutMs);
      if (problems.length > 0) {
        report.failureCount++;
        if (report.failures.length < 25) {
          report.failures.push({ index, kind: fuzzCase.kind, summary: fuzzCase.summary, problem: problems.join('; '), answer: describeAnswer(result) });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  report.durationMs = performance.now() - started;
  return report;
}

/**
 * The same requests with and without an Accept-Language header (D98), one after the other: the
 * language changes the words only. Every error answer must keep its status, its code, and the
 * paths of its problems (the codes of the product-ingestion face's details); an answer that
 * carries Content-Language names the language the header chose. Run while the workflow stands
 * still, so that only these requests change anything — and an error changes nothing.
 */
export async function runLanguagePairs(
  port: number,
  state: FuzzState,
  options: { seed: number; requests: number; timeoutMs: number },
): Promise<{ pairs: number; compared: number; languages: Record<string, number>; failures: string[] }> {
  const outcome = { pairs: 0, compared: 0, languages: {} as Record<string, number>, failures: [] as string[] };
  for (let index = 0; index < options.requests; index++) {
    const rng = Rng.forItem(options.seed ^ 0x5a5a5a5a, index);
    const fuzzCase = generate(rng, index, state, rng.pick(['valid', 'document', 'json', 'path', 'query', 'headers', 'method'] as const));
    // The request without any Accept-Language, and with one inserted after the request line.
    const plain = fuzzCase.bytes.toString('latin1').replace(/\r\nAccept-Language:[^\r]*(?=\r\n)/gi, '');
    const header = acceptLanguage(rng);
    const lineEnd = plain.indexOf('\r\n');
    if (lineEnd < 0) continue;
    const asked = `${plain.slice(0, lineEnd)}\r\nAccept-Language: ${header}${plain.slice(lineEnd)}`;
    const send = (text: string) =>
      rawRequest(port, Buffer.from(text, 'latin1'), {
        timeoutMs: options.timeoutMs,
        responses: fuzzCase.responses,
        head: fuzzCase.head,
        ...(fuzzCase.endAfterWrite ? { endAfterWrite: true } : {}),
      });
    const first = await send(plain);
    learn(state, fuzzCase, first);
    const second = await send(asked);
    outcome.pairs++;
    const [a, b] = [first.responses[0], second.responses[0]];
    const problems = checkExchange(fuzzCase, second, options.timeoutMs);
    const fail = (problem: string) => {
      if (outcome.failures.length < 25) outcome.failures.push(`#${index} ${fuzzCase.summary} with Accept-Language: ${header.slice(0, 80)}\n    → ${problem}`);
    };
    if (problems.length > 0) fail(problems.join('; '));
    if (!a || !b || a.status < 400 || fuzzCase.head[0]) continue;
    // A long header can take a request over the 16 KiB the request line and headers may have: that is its size, not its language.
    if (b.status === 431 && a.status !== 431) continue;
    outcome.compared++;
    const language = b.headers['content-language'];
    if (language !== undefined) {
      outcome.languages[language] = (outcome.languages[language] ?? 0) + 1;
      if (language !== languageOf(header)) fail(`Content-Language ${language}, but the header asks for ${languageOf(header)}`);
    }
    if (a.status !== b.status) fail(`status ${a.status} without the header, ${b.status} with it`);
    else if (invariantOf(a.text) !== invariantOf(b.text)) fail(`what must not change did: ${invariantOf(a.text)} / ${invariantOf(b.text)}`);
  }
  return outcome;
}

/** What an error answer says that no language may change: its codes and the paths of its problems. */
function invariantOf(text: string): string {
  try {
    const { error } = JSON.parse(text) as { error: any };
    if (typeof error === 'string') return error; // OAuth 2.0: `error` is the code
    const node = (item: any): unknown => ({ code: item?.code, resourceId: item?.resourceId, details: (item?.details ?? []).map(node) });
    return JSON.stringify({ ...(node(error) as object), problems: (error?.problems ?? []).map((problem: any) => [problem.path, problem.stage]) });
  } catch {
    return `not JSON: ${text.slice(0, 60)}`;
  }
}

/** The status histogram as one line: `200×812 201×40 400×1093 …`. */
export function formatStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}

export function formatFailures(report: FuzzReport): string {
  return report.failures
    .map((failure) => `#${failure.index} (${failure.kind}) ${failure.summary}\n    → ${failure.problem}\n    answer: ${failure.answer}`)
    .join('\n');
}
