import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenService } from '../../identity/token-service.ts';
import type { Clock } from '../../domain/clock.ts';
import type { PutMode } from '../../domain/drafts.ts';
import type { Store } from '../../store/store.ts';
import type { ReadGate } from '../read-gate.ts';

/** What every route module receives. */
export interface RouteOptions {
  store: Store;
  tokens: TokenService;
  /** How PUT answers without If-Match, and with which status (--put-mode). */
  putMode: PutMode;
  /** The server's time (token issue). Workflow time — progress, steps due — is the engine's: `app.workflow.now()`. */
  clock: Clock;
  /** GET /metrics only to `Authorization: Bearer <this>`; undefined: open. */
  metricsToken?: string | undefined;
  /** Reads built from a whole history: a few at once (D106). */
  expensiveReads: ReadGate;
}

export type RoutePlugin = FastifyPluginAsyncTypebox<RouteOptions>;

export const JSON_TYPE = 'application/json; charset=utf-8';
