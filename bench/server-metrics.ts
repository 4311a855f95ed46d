/** What the bench reads of a server's own `/metrics` (prom-client's default process metrics). */

/** The longest event-loop delay since the last scrape (prom-client's monitor resets on each), in ms; undefined when absent. */
export function eventLoopLagMaxMs(metricsText: string): number | undefined {
  const match = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(metricsText);
  return match ? Number(match[1]) * 1000 : undefined;
}

/** Scrapes `serverUrl`'s /metrics for eventLoopLagMaxMs (the scrape itself starts the next period). */
export async function scrapeEventLoopLagMaxMs(serverUrl: string): Promise<number | undefined> {
  return eventLoopLagMaxMs(await (await fetch(`${serverUrl}/metrics`)).text());
}
