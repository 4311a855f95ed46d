/**
 * Per-principal rate limiting (src/http/plugins/rate-limit.ts): off by default; with
 * `--rate-limit <requests per minute>` a caller may burst a minute's worth, then gets 429
 * TooManyRequests with Retry-After, in the error shape, until its bucket refills — without
 * touching any other caller.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConfigError, resolveServeConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { API, TEST_STORE, errorCode, makeDataDir, startTestServer, type TestServer } from '../helpers/harness.ts';
import { BIN, cleanEnv, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';

const LIST = `/api/publishers/contoso/offers?${API}`;

describe(`rate limiting (${TEST_STORE})`, () => {
  describe('off by default', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer('http')));
    after(async () => server.close());

    it('a burst of 300 requests from one caller is served in full', async () => {
      const results = await Promise.all(Array.from({ length: 300 }, () => server.call(LIST)));
      assert.deepEqual([...new Set(results.map((res) => res.status))], [200]);
    });
  });

  describe('120 requests a minute', () => {
    let server: TestServer;
    // The server's clock stands still unless moved: no refill can land between two calls, however busy the machine.
    const clock = new ManualClock();
    before(async () => (server = await startTestServer('http', { app: { rateLimit: 120, clock } })));
    after(async () => server.close());

    it('a caller bursts 120, then gets 429 with Retry-After; it refills at 2 a second; others are not touched', async () => {
      const burst = await Promise.all(Array.from({ length: 130 }, () => server.call(LIST)));
      const statuses = burst.map((res) => res.status);
      assert.equal(statuses.filter((status) => status === 200).length, 120, statuses.join(','));
      const limited = burst.filter((res) => res.status === 429);
      assert.equal(limited.length, 10);
      for (const res of limited) {
        assert.equal(errorCode(res), 'TooManyRequests');
        assert.equal(res.headers['retry-after'], '1');
        assert.match(res.json().error.message, /try again in 1 second\./);
      }
      // Another caller, and what needs no caller, are served as before.
      const reader = await server.tokenFor(['contoso'], 'Reader');
      assert.equal((await server.call(LIST, { token: reader })).status, 200);
      assert.equal((await server.call('/healthz')).status, 200);
      assert.equal((await server.call('/openapi.json', { token: null })).status, 200);
      // Refused requests are not counted against anyone: a bad token is 401, never 429.
      for (let i = 0; i < 5; i++) assert.equal((await server.call(LIST, { token: 'cpat_not-a-token' })).status, 401);
      // Still limited; half a second later one more request passes, and the next is limited again.
      assert.equal((await server.call(LIST)).status, 429);
      clock.advance(499);
      assert.equal((await server.call(LIST)).status, 429, 'not yet: a whole request has not refilled');
      clock.advance(1);
      assert.equal((await server.call(LIST)).status, 200);
      const again = await server.call(LIST);
      assert.equal(again.status, 429);
      assert.ok(Number(again.headers['retry-after']) >= 1);
    });
  });

  describe('configuration', () => {
    it('--rate-limit and CLOUDPARTNER_RATE_LIMIT: a number of requests per minute; absent, 0 or off = no limit; --max-connections and --step-lease-ms', () => {
      assert.equal(resolveServeConfig({}, {}).rateLimit, undefined);
      assert.equal(resolveServeConfig({ 'rate-limit': '600' }, {}).rateLimit, 600);
      assert.equal(resolveServeConfig({}, { CLOUDPARTNER_RATE_LIMIT: '30' }).rateLimit, 30);
      assert.equal(resolveServeConfig({ 'rate-limit': 'off' }, { CLOUDPARTNER_RATE_LIMIT: '30' }).rateLimit, undefined);
      assert.equal(resolveServeConfig({ 'rate-limit': '0' }, {}).rateLimit, undefined);
      for (const bad of ['-1', 'fast', '1.5', '99999999999']) assert.throws(() => resolveServeConfig({ 'rate-limit': bad }, {}), ConfigError);
      assert.equal(resolveServeConfig({}, {}).maxConnections, 1024);
      assert.equal(resolveServeConfig({ 'max-connections': '50' }, {}).maxConnections, 50);
      assert.throws(() => resolveServeConfig({}, { CLOUDPARTNER_MAX_CONNECTIONS: '0' }), ConfigError);
      // The step lease (how soon another instance takes over a dead one's step; the crash test shortens it).
      assert.equal(resolveServeConfig({}, {}).stepLeaseMs, 10_000);
      assert.equal(resolveServeConfig({ 'step-lease-ms': '1000' }, { CLOUDPARTNER_STEP_LEASE_MS: '5000' }).stepLeaseMs, 1000);
      assert.throws(() => resolveServeConfig({ 'step-lease-ms': '0' }, {}), ConfigError);
    });

    describe('cloudpartner serve --rate-limit 5', () => {
      const dataDir = makeDataDir();
      let child: ServerProcess | undefined;
      after(async () => {
        await child?.stop('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      });

      it('limits a real server: the sixth request of a burst is 429 with Retry-After 12', async () => {
        child = await startProcess(
          process.execPath,
          [BIN, 'serve', '--demo', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--rate-limit', '5'],
          cleanEnv(),
        );
        const created = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Reader', '--data-dir', dataDir], cleanEnv());
        assert.equal(created.status, 0, created.stderr);
        const headers = { authorization: `Bearer ${created.stdout.trim()}` };
        const statuses: number[] = [];
        let last: globalThis.Response | undefined;
        for (let i = 0; i < 6; i++) {
          last = await fetch(child.url + LIST, { headers });
          statuses.push(last.status);
          if (i < 5) await last.text();
        }
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
        assert.equal(last!.headers.get('retry-after'), '12');
        assert.equal((await last!.json()).error.code, 'TooManyRequests');
      });
    });
  });
});
