/**
 * Runs the webhook dispatcher alongside the app (started when ready, stopped on close), and wakes
 * it after every write: the write's events are committed by then, and go out at once.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { WebhookStore } from '../../store/store.ts';
import { type DispatcherOptions, WebhookDispatcher } from '../../webhooks/dispatcher.ts';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookDispatcher;
  }
}

export default fp(
  async function webhooksPlugin(app: FastifyInstance, options: { store: WebhookStore; dispatcher: DispatcherOptions }) {
    const dispatcher = new WebhookDispatcher(options.store, options.dispatcher);
    app.decorate('webhooks', dispatcher);
    app.addHook('onReady', async () => dispatcher.start());
    app.addHook('preClose', async () => dispatcher.stop());
    app.addHook('onResponse', (request, _reply, done) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') dispatcher.wake();
      done();
    });
  },
  { name: 'webhooks' },
);
