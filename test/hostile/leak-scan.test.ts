/**
 * Secrets and tokens never leave: every answer and every log line that the whole test run
 * produced — every suite of this pass, in-process servers and real server processes alike — is
 * scanned for every stored secret-type value and every bearer token and client secret the run
 * used. Zero hits.
 *
 * `npm test` records while the other suites run (test/helpers/capture.ts) and runs this scan after
 * them (scripts/run-tests.ts). Run alone, it has nothing to scan and fails saying so.
 *
 * The audit trail's answers are among them (test/http/audit.test.ts writes a secret value and
 * reads the trail): it names callers and ETags, never a token or a value.
 *
 * The one place a token may appear is the answer of the token service that issues it; the one
 * place an application's client secret may appear is the answer that registers it (201 to POST
 * /api/publishers/{p}/applications), which test/helpers/capture.ts records it from — never a
 * list of applications, the sandbox's journal or a log line.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ISSUES_CLIENT_SECRET } from '../helpers/capture.ts';
import { TEST_STORE } from '../helpers/harness.ts';

const DIR = process.env['CLOUDPARTNER_TEST_CAPTURE_DIR'];

/** Needle shapes found with one regex pass each, then looked up; every other needle is searched as is. */
const SHAPES = [/cpat_[A-Za-z0-9_-]{43}/g, /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, /FZS\d+x\d+/g, /CRASH-SECRET-[A-Za-z0-9-]+/g];
const TOKEN_SERVICE = /\/oauth2\/(v2\.0\/)?token(\?|$)/;

function lines(kind: string): string[] {
  return readdirSync(DIR!)
    .filter((name) => name.startsWith(`${kind}-`))
    .flatMap((name) => readFileSync(join(DIR!, name), 'utf8').split('\n'))
    .filter((line) => line !== '');
}

interface Answer {
  method: string;
  url: string;
  status: number;
  body: string;
}

/** What an answer may show of the tokens and client secrets: all (the token service), its own new client secret, or none. */
function issuedBy(answer: Answer): (needle: string) => boolean {
  if (TOKEN_SERVICE.test(answer.url)) return () => true;
  if (answer.method.toUpperCase() === 'POST' && answer.status === 201 && ISSUES_CLIENT_SECRET.test(answer.url)) {
    let secret: unknown;
    try {
      secret = (JSON.parse(answer.body) as { clientSecret?: unknown }).clientSecret;
    } catch {
      // not a registration's answer: it shows nothing
    }
    return (needle) => needle === secret;
  }
  return () => false;
}

/** Every stored secret value and every token or client secret in an answer or a log line. */
export function findLeaks(answers: readonly Answer[], logLines: readonly string[], tokens: ReadonlySet<string>, secrets: ReadonlySet<string>): string[] {
  const needles = new Map<string, string>();
  for (const token of tokens) needles.set(token, 'a token or client secret');
  for (const secret of secrets) needles.set(secret, 'a stored secret value');
  const whole = SHAPES.map((shape) => new RegExp(`^${shape.source}$`));
  const plain = [...needles.keys()].filter((needle) => !whole.some((shape) => shape.test(needle)));
  const hits: string[] = [];
  const scan = (text: string, where: string, issued: (needle: string) => boolean) => {
    const report = (needle: string, what: string) => {
      if (!(what.startsWith('a token') && issued(needle))) hits.push(`${what} (${needle.slice(0, 12)}…) in ${where}`);
    };
    for (const shape of SHAPES) {
      for (const found of text.match(shape) ?? []) {
        const what = needles.get(found);
        if (what) report(found, what);
      }
    }
    for (const needle of plain) if (text.includes(needle)) report(needle, needles.get(needle)!);
  };
  for (const answer of answers) scan(answer.body, `the ${answer.status} answer to ${answer.method} ${answer.url.slice(0, 120)}`, issuedBy(answer));
  for (const line of logLines) scan(line, `the log line ${line.slice(0, 160)}`, () => false);
  return hits;
}

describe(`leak scan of the whole run (${TEST_STORE})`, () => {
  it('finds a planted leak (the scan itself works)', () => {
    const token = `cpat_${'A'.repeat(43)}`;
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const tokens = new Set([token, jwt, 'client-secret-value-1234']);
    const secrets = new Set(['FZS1x2', 'DefaultEndpointsProtocol=https;AccountKey=abc==']);
    const clean = [{ method: 'GET', url: '/x', status: 200, body: '{"ok":true}' }];
    assert.deepEqual(findLeaks(clean, ['{"msg":"request"}'], tokens, secrets), []);
    assert.deepEqual(
      findLeaks([{ method: 'POST', url: '/t/oauth2/v2.0/token', status: 200, body: `{"access_token":"${jwt}"}` }], [], tokens, secrets),
      [],
      'the token service issues tokens',
    );
    for (const leak of [token, jwt, 'client-secret-value-1234', 'FZS1x2', 'DefaultEndpointsProtocol=https;AccountKey=abc==']) {
      assert.equal(findLeaks([{ method: 'GET', url: '/x', status: 200, body: `{"v":"${leak}"}` }], [], tokens, secrets).length, 1, `${leak} in an answer`);
      assert.equal(findLeaks([], [`{"msg":"${leak}"}`], tokens, secrets).length, 1, `${leak} in the log`);
    }
    assert.equal(
      findLeaks([{ method: 'GET', url: '/x', status: 200, body: '{"v":"FZS1x23"}' }], [], tokens, secrets).length,
      0,
      'a longer value is another value',
    );
  });

  it("finds an application's client secret anywhere but the answer that registers it", () => {
    const secret = 'app-client-secret-0123456789abcdef';
    const other = 'client-secret-value-1234';
    const tokens = new Set([secret, other]);
    const registration = (body: string, status = 201, url = 'http://127.0.0.1:1/api/publishers/contoso/applications?api-version=2017-10-31') => ({
      method: 'POST',
      url,
      status,
      body,
    });
    assert.deepEqual(findLeaks([registration(`{"clientId":"c","clientSecret":"${secret}"}`)], [], tokens, new Set()), [], 'its own answer shows it');
    assert.deepEqual(
      findLeaks([registration(`{"clientSecret":"${secret}"}`, 201, '/api/publishers/contoso/applications/?api-version=x')], [], tokens, new Set()),
      [],
    );
    for (const [answer, why] of [
      [registration(`{"clientSecret":"${secret}","v":"${other}"}`), 'another credential in that answer'],
      [registration(`{"clientSecret":"${secret}"}`, 200), 'an answer that registered nothing'],
      [{ method: 'GET', url: '/api/publishers/contoso/applications?api-version=x', status: 200, body: `[{"v":"${secret}"}]` }, 'the list'],
      [{ method: 'GET', url: '/_cloudpartner/journal', status: 200, body: `{"value":[{"responseBody":"${secret}"}]}` }, 'the journal'],
      [{ method: 'POST', url: '/api/publishers/contoso/offers/x/publish', status: 201, body: `{"clientSecret":"${secret}"}` }, 'another route'],
    ] as const) {
      assert.equal(findLeaks([answer], [], tokens, new Set()).length, 1, why);
    }
    assert.equal(findLeaks([], [`{"msg":"${secret}"}`], tokens, new Set()).length, 1, 'a log line');
  });

  it('no stored secret value, bearer token or client secret in any answer or log line', (t) => {
    assert.ok(DIR, 'nothing recorded: run through npm test, which records while the other suites run (scripts/run-tests.ts)');
    const tokens = new Set(lines('tokens'));
    const secrets = new Set(lines('secrets'));
    const answers = lines('responses').map((line) => JSON.parse(line) as Answer);
    const logLines = lines('logs').map((line) => JSON.parse(line) as string);
    t.diagnostic(
      `scanning ${answers.length} distinct answers and ${logLines.length} log lines for ${tokens.size} tokens and client secrets and ${secrets.size} stored secret values`,
    );
    // The scan looked at something: the suites that store secrets and use tokens ran and recorded.
    assert.ok(tokens.size >= 3, `only ${tokens.size} tokens recorded`);
    assert.ok(secrets.size >= 10, `only ${secrets.size} secret values recorded`);
    assert.ok(answers.length >= 200, `only ${answers.length} answers recorded`);
    assert.ok(logLines.length >= 200, `only ${logLines.length} log lines recorded`);
    // The audit trail's answers were scanned too: test/http/audit.test.ts stores a secret value by a PUT and reads the trail.
    const audits = answers.filter((answer) => answer.url.includes('/_cloudpartner/audit') && answer.status === 200 && answer.body.includes('"offer.update"'));
    assert.ok(audits.length >= 3, `only ${audits.length} audit answers recorded`);
    const hits = findLeaks(answers, logLines, tokens, secrets);
    assert.deepEqual(hits.slice(0, 20), [], `${hits.length} hits`);
  });
});
