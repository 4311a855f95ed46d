/** The bench reads the server's longest event-loop stall from its /metrics (D102): the metric is there and reads as milliseconds. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventLoopLagMaxMs, scrapeEventLoopLagMaxMs } from '../../bench/server-metrics.ts';
import { TEST_STORE, startTestServer, type TestServer } from '../helpers/harness.ts';

describe(`the bench's reading of a server's event-loop stall (${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  it('finds nodejs_eventloop_lag_max_seconds in a real /metrics, in ms', async () => {
    const stall = await scrapeEventLoopLagMaxMs(server.baseUrl);
    assert.equal(typeof stall, 'number');
    assert.ok(Number.isFinite(stall) && stall! >= 0 && stall! < 60_000, String(stall));
  });

  it('reads the value with or without labels, and nothing from other metrics', () => {
    assert.equal(eventLoopLagMaxMs('nodejs_eventloop_lag_max_seconds 0.0385\n'), 38.5);
    assert.equal(eventLoopLagMaxMs('# TYPE x gauge\nnodejs_eventloop_lag_max_seconds{instance="a"} 1.5e-2\n'), 15);
    assert.equal(eventLoopLagMaxMs('nodejs_eventloop_lag_seconds 0.2\nnodejs_eventloop_lag_p99_seconds 0.1\n'), undefined);
  });
});
