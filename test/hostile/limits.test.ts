/**
 * Limits on what a request may carry, and the answers at the edges of HTTP: each is a 4xx with
 * the error shape, quick and small. Most of these were found by the fuzzer; each test names what
 * used to happen.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { MAX_LISTED_PROBLEMS } from '../../src/domain/errors.ts';
import { answerClientError } from '../../src/http/plugins/errors.ts';
import { createLogger } from '../../src/server.ts';
import type { Store } from '../../src/store/store.ts';
import { API, TEST_STORE, errorCode, startTestServer, type TestServer } from '../helpers/harness.ts';
import { offerPath, post, publishableOffer, put } from '../helpers/offers.ts';
import { buildRequest, rawRequest } from '../helpers/raw-http.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portOf(server: TestServer): number {
  return (server.app.server.address() as import('node:net').AddressInfo).port;
}

function errorOf(text: string): { code: string; message: string; problems?: unknown[] } {
  const body = JSON.parse(text);
  assert.equal(Object.keys(body).length, 1, text.slice(0, 300));
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

describe(`request limits (${TEST_STORE})`, () => {
  let server: TestServer;
  let port = 0;
  before(async () => {
    server = await startTestServer('http');
    port = portOf(server);
  });
  after(async () => server.close());

  it('a document with 400,000 bad plan entries is answered at once with one problem, not a 100 MB list (it took 16 s and 137 MB)', async () => {
    for (const item of [true, {}]) {
      const document = publishableOffer('huge-plans');
      document['definition'].plans = new Array(400_000).fill(item);
      const body = JSON.stringify(document);
      const started = performance.now();
      const res = await put(server, 'huge-plans', document);
      const ms = performance.now() - started;
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.equal(errorCode(res), 'InvalidDocument');
      assert.ok(res.text.length < 10_000, `a ${body.length}-byte request got a ${res.text.length}-byte answer`);
      assert.ok(ms < 3_000, `answered in ${Math.round(ms)} ms`);
      const { problems } = res.json().error;
      assert.equal(problems.length, 1, 'a document that large gets its first problem');
      assert.match(problems[0].path, /^\$\.definition\.plans\[0\]/);
    }
  });

  it(`a document with many problems lists the first ${MAX_LISTED_PROBLEMS} and says how many more there are`, async () => {
    const document = publishableOffer('many-problems');
    document['definition'].plans = new Array(2_500).fill(true);
    const res = await put(server, 'many-problems', document);
    assert.equal(res.status, 400);
    const error = errorOf(res.text);
    assert.equal(error.code, 'InvalidDocument');
    assert.equal(error.problems!.length, MAX_LISTED_PROBLEMS);
    assert.match(error.message, /and 2400 more problems \(the first 100 are listed\)$/);
    assert.ok(res.text.length < 50_000, `${res.text.length} bytes`);
  });

  it('a problem path with a 20,000-character key is shortened in the answer', async () => {
    const document = publishableOffer('long-key');
    document['definition'].plans[0] = { planId: 'p1', ['k'.repeat(20_000)]: 1, 'microsoft-azure-virtualmachines.vmImages': { ['v'.repeat(20_000)]: {} } };
    const res = await put(server, 'long-key', document);
    assert.equal(res.status, 400, res.text.slice(0, 300));
    assert.ok(res.text.length < 5_000, `${res.text.length} bytes`);
  });

  it('text no store holds exactly — U+0000, an unpaired surrogate — is a 400 wherever it comes in (PostgreSQL answered 500; the list showed U+FFFD)', async () => {
    assert.equal((await put(server, 'text-offer', publishableOffer('text-offer'))).status, 200);
    for (const [text, why] of [
      ['Contoso\u0000App', /U\+0000/],
      ['Contoso \ud800 App', /unpaired surrogate/],
      ['\udc00', /unpaired surrogate/],
    ] as const) {
      const document = publishableOffer('text-offer');
      document['definition'].displayText = text;
      const res = await put(server, 'text-offer', document, '*');
      assert.equal(res.status, 400, `${JSON.stringify(text)}: ${res.text.slice(0, 300)}`);
      const error = errorOf(res.text);
      assert.equal(error.code, 'InvalidDocument');
      assert.deepEqual(
        (error.problems as any[]).map((p) => p.path),
        ['$.definition.displayText'],
      );
      assert.match(error.message, why);
      // In a key too.
      const keyed = publishableOffer('text-offer');
      keyed['definition'].offer[`x${text}`] = 1;
      const keyRes = await put(server, 'text-offer', keyed, '*');
      assert.equal(keyRes.status, 400, keyRes.text.slice(0, 300));
      assert.equal(errorCode(keyRes), 'InvalidDocument');
    }
    // A surrogate pair is a character like any other: stored, and the list shows the same text.
    const emoji = publishableOffer('text-offer');
    emoji['definition'].displayText = 'Contoso \ud83d\ude00 App';
    assert.equal((await put(server, 'text-offer', emoji, '*')).status, 200);
    const listed = (await server.call(`/api/publishers/contoso/offers?${API}`)).json().find((offer: any) => offer.id === 'text-offer');
    assert.equal(listed.definition.displayText, 'Contoso \ud83d\ude00 App');
    assert.equal((await server.call(offerPath('text-offer'))).json().definition.displayText, 'Contoso \ud83d\ude00 App');

    const publish = await post(server, 'text-offer', 'publish', { metadata: { 'notification-emails': 'jdoe\u0000@contoso.com' } });
    assert.equal(publish.status, 400, publish.text);
    assert.equal(errorCode(publish), 'InvalidRequest');
    const filtered = await server.call(`/api/publishers/contoso/offers?${API}&$filter=${encodeURIComponent("offerTypeId eq 'a\u0000b'")}`);
    assert.equal(filtered.status, 400, filtered.text);
    assert.equal(errorCode(filtered), 'InvalidFilter');
  });

  it('text PostgreSQL cannot hold that reaches a store anyway (a member name with U+0000) is never a 500 (PostgreSQL answered 500)', async () => {
    const res = await server.call(`/api/publishers/contoso/members/${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}?${API}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: `${'2'.repeat(8)}-2222-4222-8222-${'2'.repeat(12)}`, role: 'Reader', displayName: 'Nul\u0000Name' }),
    });
    assert.ok(res.status < 500, `${res.status} ${res.text}`);
    if (res.status >= 400) assert.equal(errorCode(res), 'InvalidRequest');
  });

  it('a body over 4 MiB → 413 naming the limit, with Content-Length or chunked (the message said "limit of 0 bytes")', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 10, 0x20);
    const withLength = await put(server, 'big', big.toString());
    assert.equal(withLength.status, 413);
    assert.equal(errorCode(withLength), 'PayloadTooLarge');
    assert.match(withLength.json().error.message, /limit of 4194304 bytes/);

    const chunks = Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
    const chunked = await rawRequest(
      port,
      buildRequest({
        method: 'PUT',
        target: offerPath('big'),
        headers: [
          ['Host', 'x'],
          ['Authorization', `Bearer ${server.ownerToken}`],
          ['Content-Type', 'application/json'],
          ['Transfer-Encoding', 'chunked'],
          ['Connection', 'close'],
        ],
        body: chunks,
        contentLength: 'none',
      }),
    );
    assert.equal(chunked.kind, 'responses');
    assert.equal(chunked.responses[0]!.status, 413);
    assert.equal(errorOf(chunked.responses[0]!.text).code, 'PayloadTooLarge');
  });

  it('HTTP/1.1 without Host → 400 MissingHost in the error shape (Node answered an empty 400); HTTP/1.0 needs none', async () => {
    const missing = await rawRequest(
      port,
      buildRequest({
        method: 'GET',
        target: `/api/publishers?${API}`,
        headers: [
          ['Authorization', `Bearer ${server.ownerToken}`],
          ['Connection', 'close'],
        ],
      }),
    );
    assert.equal(missing.kind, 'responses');
    assert.equal(missing.responses[0]!.status, 400);
    assert.equal(errorOf(missing.responses[0]!.text).code, 'MissingHost');
    const old = await rawRequest(
      port,
      buildRequest({ method: 'GET', target: `/api/publishers?${API}`, version: 'HTTP/1.0', headers: [['Authorization', `Bearer ${server.ownerToken}`]] }),
    );
    assert.equal(old.responses[0]?.status, 200, old.responses[0]?.text);
  });

  it('an Expect other than 100-continue → 417 ExpectationFailed in the error shape (Node answered an empty 417); 100-continue works', async () => {
    const odd = await rawRequest(
      port,
      buildRequest({
        method: 'GET',
        target: `/api/publishers?${API}`,
        headers: [
          ['Host', 'x'],
          ['Authorization', `Bearer ${server.ownerToken}`],
          ['Expect', 'the-unexpected'],
        ],
      }),
    );
    assert.equal(odd.kind, 'responses');
    assert.equal(odd.responses[0]!.status, 417);
    assert.equal(errorOf(odd.responses[0]!.text).code, 'ExpectationFailed');
    const body = JSON.stringify(publishableOffer('expecting'));
    const continued = await rawRequest(
      port,
      buildRequest({
        method: 'PUT',
        target: offerPath('expecting'),
        headers: [
          ['Host', 'x'],
          ['Authorization', `Bearer ${server.ownerToken}`],
          ['Content-Type', 'application/json'],
          ['Expect', '100-continue'],
          ['Connection', 'close'],
        ],
        body,
      }),
    );
    assert.equal(continued.responses[0]?.status, 200, continued.responses[0]?.text.slice(0, 200));
  });

  it('CONNECT → 405 MethodNotAllowed in the error shape (the connection was closed without a word)', async () => {
    const res = await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(res.kind, 'responses');
    assert.equal(res.responses[0]!.status, 405);
    assert.equal(errorOf(res.responses[0]!.text).code, 'MethodNotAllowed');
  });
});

describe(`a client that half-closes after its request (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => {
    // Every read of an offer takes 100 ms, as on a busy database: the answer is not ready when the client's FIN arrives.
    const slow = (store: Store): Store =>
      new Proxy(store, {
        get(target, property) {
          const value = Reflect.get(target, property) as unknown;
          if (typeof value !== 'function') return value;
          if (property === 'getOffer') return async (...args: Parameters<Store['getOffer']>) => (await sleep(100), target.getOffer(...args));
          return value.bind(target);
        },
      });
    server = await startTestServer('http', { wrapStore: slow });
  });
  after(async () => server.close());

  it('still gets the answer (the connection was closed with the answer still being computed)', async () => {
    const port = portOf(server);
    const request = buildRequest({
      method: 'GET',
      target: offerPath('059afc24-07de-4126-b004-4e42a51816fe'),
      headers: [
        ['Host', 'x'],
        ['Authorization', `Bearer ${server.ownerToken}`],
      ],
    });
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(port, request, { endAfterWrite: true, timeoutMs: 5_000 });
      assert.equal(res.kind, 'responses', `round ${i}: ${res.kind}`);
      assert.equal(res.responses[0]!.status, 200);
      assert.equal(JSON.parse(res.responses[0]!.text).id, '059afc24-07de-4126-b004-4e42a51816fe');
    }
    // A half-closed incomplete request is still a 400, not silence.
    const partial = await rawRequest(
      port,
      `PUT ${offerPath('partial')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.ownerToken}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      { endAfterWrite: true, timeoutMs: 5_000 },
    );
    assert.equal(partial.responses[0]?.status, 400, partial.kind);
    assert.equal(errorOf(partial.responses[0]!.text).code, 'MalformedRequest');
  });
});

describe(`a client that goes away mid-request (${TEST_STORE})`, () => {
  let server: TestServer;
  const logLines: any[] = [];
  before(async () => {
    const sink = new Writable({
      write: (chunk, _encoding, done) => (
        logLines.push(
          ...String(chunk)
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        ),
        done()
      ),
    });
    server = await startTestServer('http', { logger: createLogger('info', sink) });
  });
  after(async () => server.close());

  it("mid-body is the client's doing: nothing is logged as an error (a non-Fastify error with a 4xx status would be a 500)", async () => {
    const port = portOf(server);
    for (let i = 0; i < 5; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(
        `PUT ${offerPath('going-away')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.ownerToken}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"offerTypeId":`,
      );
      await sleep(50);
      socket.destroy();
    }
    await sleep(200);
    assert.ok(logLines.length > 0, 'the server logs');
    assert.deepEqual(
      logLines.filter((line) => line.level >= 50),
      [],
    );
    assert.equal((await server.call('/healthz')).status, 200);
  });
});

describe('answers on the raw socket', () => {
  it('a malformed request after an answer has started on the connection closes it, rather than splicing a second answer into the first', () => {
    const written: string[] = [];
    let destroyed = false;
    const socket = {
      writable: true,
      _httpMessage: { headersSent: true },
      end: (data: string) => written.push(data),
      destroy: () => (destroyed = true),
    } as unknown as import('node:net').Socket;
    answerClientError(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), socket);
    assert.equal(written.length, 0, 'nothing written');
    assert.equal(destroyed, true);

    const idle = { writable: true, end: (data: string) => written.push(data), destroy: () => (destroyed = true) } as unknown as import('node:net').Socket;
    answerClientError(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), idle);
    assert.equal(written.length, 1);
    assert.match(written[0]!, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(JSON.parse(written[0]!.split('\r\n\r\n')[1]!).error.code, 'MalformedRequest');
  });
});
