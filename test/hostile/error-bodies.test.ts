/**
 * No error body carries a stack trace or internal detail: whatever fails inside — a database
 * error, a bug of ours, even `throw null` — the client gets the one generic 500 in the error
 * shape, and the operator gets the details in the log. (The fuzzer checks every error body of its
 * run against the same patterns; this drives the failures it cannot cause.)
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { createLogger } from '../../src/server.ts';
import type { Store } from '../../src/store/store.ts';
import { API, TEST_STORE, TRANSPORTS, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { INTERNAL_DETAIL } from '../fuzz/fuzzer.ts';

const INTERNAL = { error: { code: 'InternalError', message: 'An internal error occurred. It has been logged.' } };

/** What a failing store might throw. */
const FAILURES: ReadonlyArray<[string, () => unknown]> = [
  [
    'a database error with a file path',
    () => Object.assign(new Error('SQLITE_CORRUPT: database disk image is malformed (/var/lib/cloudpartner/cloudpartner.db)'), { code: 'SQLITE_CORRUPT' }),
  ],
  [
    'a PostgreSQL error quoting SQL',
    () => Object.assign(new Error('syntax error at or near "FROM" in SELECT token_hash FROM access_tokens'), { code: '42601', severity: 'ERROR' }),
  ],
  // Used to be answered 400 InvalidJson with the parser's message: a JSON.parse of ours failing is our fault.
  ['a SyntaxError of ours', () => new SyntaxError('Unexpected token } in JSON at position 3')],
  // Used to be passed through as a 4xx with its message: only Fastify's own (FST_…) client errors are.
  ['an error carrying a 4xx status', () => Object.assign(new Error('ENOENT: /work/main/src/store/sqlite/sqlite-store.ts:42'), { statusCode: 404 })],
  ['a string', () => 'boom'],
  // Used to crash the error handler: Fastify answered {"statusCode":500,…,"message":"Cannot read properties of null…"}.
  ['null', () => null],
  ['undefined', () => undefined],
];

for (const transport of TRANSPORTS) {
  describe(`internal failures (${transport}, ${TEST_STORE})`, () => {
    let server: TestServer;
    let failure: () => unknown = () => null;
    const logLines: string[] = [];
    before(async () => {
      const sink = new Writable({ write: (chunk, _encoding, done) => (logLines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
      const failing = (store: Store): Store =>
        new Proxy(store, {
          get(target, property) {
            const value = Reflect.get(target, property) as unknown;
            if (typeof value !== 'function') return value;
            if (property === 'getOffer' || property === 'listOffers') {
              return async () => {
                throw failure();
              };
            }
            return value.bind(target);
          },
        });
      server = await startTestServer(transport, { wrapStore: failing, logger: createLogger('info', sink) });
    });
    after(async () => server.close());

    for (const [name, make] of FAILURES) {
      it(`${name} → the generic 500, nothing more; the log has it`, async () => {
        failure = make;
        logLines.length = 0;
        for (const path of [`/api/publishers/contoso/offers/${DEMO_OFFER_ID}?${API}`, `/api/publishers/contoso/offers?${API}`]) {
          const res = await server.call(path);
          assert.equal(res.status, 500, res.text);
          assert.equal(errorCode(res), 'InternalError');
          assert.deepEqual(res.json(), INTERNAL);
          for (const pattern of INTERNAL_DETAIL) assert.doesNotMatch(res.text, pattern);
        }
        const logged = logLines.filter((line) => JSON.parse(line).level === 50);
        assert.ok(logged.length >= 2, `the failures are logged for the operator: ${logLines.join('\n')}`);
        assert.equal(logLines.join('\n').includes(server.ownerToken), false, 'never the token');
      });
    }
  });
}
