/**
 * The checks after a fuzzing run, shared by the bounded run in `npm test` and `npm run fuzz`:
 * the server is healthy, finishes what was started, every offer is consistent, and no stored
 * secret or token reached an answer or the log, and nothing was logged as an error.
 */
import type { RawResult } from '../helpers/raw-http.ts';
import { recordAcknowledgedDocument, recordResponse } from '../helpers/capture.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { type ConsistencyReport, checkAuditTrail, checkOffers, waitForIdle } from './consistency.ts';
import { FUZZ_WEBHOOK_SECRET, type FuzzCase } from './generators.ts';
import type { FuzzServer } from './setup.ts';

export interface Watch {
  onExchange(fuzzCase: FuzzCase, result: RawResult): void;
  /** Planted secret value → the request whose answer carried it. */
  markersSeen: Map<string, string>;
}

/** Watches the answers: records them for the leak scan and notes every planted secret value in one. */
export function watchAnswers(fuzz: FuzzServer): Watch {
  const markersSeen = new Map<string, string>();
  const pattern = new RegExp(`${fuzz.state.markerPrefix}\\d+`, 'g');
  return {
    markersSeen,
    onExchange(fuzzCase, result) {
      const [method = '', target = ''] = fuzzCase.summary.split(' ');
      for (const response of result.responses) {
        recordResponse('fuzz', method, target, response.status, response.body);
        if (method === 'PUT' && response.status < 300 && fuzzCase.responses === 1)
          recordAcknowledgedDocument(fuzzCase.bytes.subarray(fuzzCase.bytes.indexOf('\r\n\r\n') + 4));
        for (const marker of response.text.match(pattern) ?? []) markersSeen.set(marker, `#${fuzzCase.index} ${fuzzCase.summary}`);
      }
    },
  };
}

export interface Verdict {
  problems: string[];
  consistency: ConsistencyReport;
  storedSecrets: number;
  logLines: number;
}

export async function verdictAfterFuzz(fuzz: FuzzServer, watch: Watch, options: { idleTimeoutMs: number }): Promise<Verdict> {
  const problems: string[] = [];
  const health = await fuzz.server.call('/healthz');
  if (health.status !== 200) problems.push(`health afterwards: ${health.status} ${health.text}`);

  const get = (path: string, method = 'GET') => fuzz.server.call(path, { method });
  const running = await waitForIdle(get, 'contoso', options.idleTimeoutMs);
  if (running.length > 0) problems.push(`operations still running ${options.idleTimeoutMs} ms after the run: ${running.join(', ')}`);
  const consistency = await checkOffers(get, 'contoso');
  problems.push(...consistency.problems);
  problems.push(...(await checkAuditTrail(get, 'contoso', [DEMO_OFFER_ID])));

  // Secret-type field values are sealed as JSON text; webhook secrets are sealed as they are.
  const planted = [...fuzz.sealed]
    .flatMap((text) => {
      try {
        return [JSON.parse(text) as unknown];
      } catch {
        return [];
      }
    })
    .filter((value): value is string => typeof value === 'string' && value.startsWith(fuzz.state.markerPrefix));
  for (const marker of planted) {
    const where = watch.markersSeen.get(marker);
    if (where) problems.push(`stored secret ${marker} in the answer to ${where}`);
  }
  const log = fuzz.logLines.join('\n');
  for (const [name, token] of Object.entries(fuzz.state.tokens)) if (token && log.includes(token)) problems.push(`the ${name} token in the log`);
  if (log.includes(fuzz.state.client.secret)) problems.push('the client secret in the log');
  if (log.includes(FUZZ_WEBHOOK_SECRET)) problems.push('a webhook secret in the log');
  for (const marker of planted) if (log.includes(marker)) problems.push(`stored secret ${marker} in the log`);
  for (const line of fuzz.logLines.filter((each) => /"level":(50|60)/.test(each)).slice(0, 10)) problems.push(`logged as an error: ${line.slice(0, 500)}`);
  return { problems, consistency, storedSecrets: planted.length, logLines: fuzz.logLines.length };
}
