/**
 * Counts every answer for the metrics (src/http/metrics.ts): one onResponse hook, one histogram
 * observation through a child handle made once per route, method and status. The route label
 * is the route's template, never the URL asked for.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { type Metrics, RouteSeries } from '../metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics, when served (--metrics on). */
    metrics: Metrics | undefined;
  }
}

/** Where a route's series are kept: on its own config object (one per route and method, HEAD included). */
const SERIES = Symbol('metrics series');

interface RouteConfigWithSeries {
  url?: string;
  method?: string | string[];
  [SERIES]?: RouteSeries;
}

export default fp(
  async function metricsPlugin(app: FastifyInstance, options: { metrics: Metrics }) {
    const { metrics } = options;
    app.decorate('metrics', metrics);
    // A callback hook, not an async one: it runs on every request and needs no promise.
    app.addHook('onResponse', (request, reply, done) => {
      const config = request.routeOptions.config as RouteConfigWithSeries;
      let series = config[SERIES];
      if (series === undefined) {
        if (config.url === undefined) series = metrics.unmatched(request.method);
        else if (typeof config.method !== 'string') series = metrics.series(config.url, request.method);
        else series = config[SERIES] = new RouteSeries(metrics.requests, config.url, config.method);
      }
      series.observe(reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  },
  { name: 'metrics' },
);
