/**
 * Per-principal rate limiting, off unless configured (`--rate-limit <requests per minute>`).
 *
 * Each caller (the principal the auth plugin resolved: one access token, or one service
 * principal) has a bucket of `requestsPerMinute` requests that refills continuously at that
 * rate, so a caller may burst up to a minute's worth and then keeps the configured pace. A request
 * with an empty bucket is answered 429 TooManyRequests with `Retry-After` (whole seconds until
 * the next request would pass). Requests without a principal (health, OpenAPI document, token
 * service, unknown routes, and those already refused with 401) are not counted.
 *
 * Buckets live in memory, per instance: behind a load balancer over n instances a caller gets up
 * to n times the limit. A bucket idle for a minute is full again, so it is dropped.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimitOptions {
  /** Requests per minute per principal; undefined or 0 turns the limit off. */
  requestsPerMinute: number | undefined;
  /** The server's time, epoch ms (default: the system clock). */
  now?: () => number;
}

export default fp(
  async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions) {
    const limit = options.requestsPerMinute;
    if (!limit) return;
    const now = options.now ?? Date.now;
    const perMs = limit / 60_000;
    const buckets = new Map<string, Bucket>();

    // Runs after the auth plugin's onRequest hook (registered later), which sets the principal.
    app.addHook('onRequest', (request, _reply, done) => {
      const principal = request.principal;
      if (!principal) return done();
      const at = now();
      let bucket = buckets.get(principal.id);
      if (bucket) {
        bucket.tokens = Math.min(limit, bucket.tokens + (at - bucket.at) * perMs);
        bucket.at = at;
      } else {
        bucket = { tokens: limit, at };
        buckets.set(principal.id, bucket);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return done();
      }
      done(errors.tooManyRequests(Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))));
    });

    const sweep = setInterval(() => {
      const at = now();
      for (const [id, bucket] of buckets) if (at - bucket.at >= 60_000) buckets.delete(id);
    }, 60_000);
    sweep.unref();
    app.addHook('onClose', (_app, done) => {
      clearInterval(sweep);
      done();
    });
  },
  { name: 'rate-limit', dependencies: ['auth'] },
);
