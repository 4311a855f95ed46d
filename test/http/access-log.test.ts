/**
 * The access log (D109): a request that went well gets the very line pino would write for it,
 * written straight to the logger's destination; the log level still decides; the line of every
 * request, found or not, is valid JSON with its request id, method, path, status and duration.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { accessLine } from '../../src/http/access-log.ts';
import { createLogger } from '../../src/server.ts';
import { type TestServer, startTestServer } from '../helpers/harness.ts';
import { offerPath } from '../helpers/offers.ts';

/** A logger as serve makes it (createLogger), writing into `lines`. */
function capturingLogger(level: string, lines: string[]) {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(line);
      callback();
    },
  });
  return createLogger(level, sink);
}

describe('access log', () => {
  it('writes the line pino writes for the same request, byte for byte, whatever the path holds', () => {
    const lines: string[] = [];
    const logger = capturingLogger('info', lines);
    const requests = [
      { reqId: 'req-1', method: 'GET', url: '/api/publishers/contoso/offers/contoso-vm?api-version=2017-10-31', status: 200, ms: 0.42 },
      { reqId: 'req-2z', method: 'PUT', url: '/api/publishers/contoso/offers/a"b\\c?x=%22&y=ü€😀', status: 412, ms: 12 },
      { reqId: 'req-3', method: 'POST', url: '/x\u0001\u007f\u2028?q=\t', status: 202, ms: 1234.5 },
      { reqId: 'req-4', method: 'DELETE', url: '/', status: 404, ms: 0 },
    ];
    for (const { reqId, method, url, status, ms } of requests) logger.info({ reqId, method, url, status, ms }, 'request');
    assert.equal(lines.length, requests.length);
    requests.forEach(({ reqId, method, url, status, ms }, i) => {
      const time = (JSON.parse(lines[i]!) as { time: number }).time;
      assert.equal(accessLine(time, reqId, method, url, status, ms), `${lines[i]}\n`);
    });
  });

  describe('on a server', () => {
    const lines: string[] = [];
    const quiet: string[] = [];
    let server: TestServer;
    let quietServer: TestServer;
    before(async () => {
      server = await startTestServer('http', { logger: capturingLogger('info', lines) });
      quietServer = await startTestServer('http', { logger: capturingLogger('warn', quiet) });
    });
    after(async () => {
      await server.close();
      await quietServer.close();
    });

    it('logs every request once, found or not, as JSON with its id, method, path, status and duration', async () => {
      const found = await server.call(offerPath(DEMO_OFFER_ID));
      assert.equal(found.status, 200, found.text);
      const missing = await server.call(offerPath('no-such-offer'));
      assert.equal(missing.status, 404, missing.text);
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request');
      for (const [path, status] of [
        [offerPath(DEMO_OFFER_ID), 200],
        [offerPath('no-such-offer'), 404],
      ] as const) {
        const mine = logged.filter((line) => line['url'] === path);
        assert.equal(mine.length, 1, path);
        assert.equal(mine[0]!['level'], 30);
        assert.equal(mine[0]!['method'], 'GET');
        assert.equal(mine[0]!['status'], status);
        assert.match(String(mine[0]!['reqId']), /^req-/);
        assert.equal(typeof mine[0]!['ms'], 'number');
        assert.ok(Math.abs(Number(mine[0]!['time']) - Date.now()) < 60_000);
      }
      assert.equal(new Set(logged.map((line) => line['reqId'])).size, logged.length, 'one line per request');
    });

    it('writes no access line below its level', async () => {
      const answer = await quietServer.call(offerPath(DEMO_OFFER_ID));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        quiet.filter((line) => line.includes('"msg":"request"')),
        [],
      );
    });
  });
});
