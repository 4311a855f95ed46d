/** Public entry points of the package. */
export { buildApp, type AppOptions } from './http/app.ts';
export { startServer, type RunningServer } from './server.ts';
export { openStore } from './store/open.ts';
export type { Store } from './store/store.ts';
export { ApiError, errors } from './domain/errors.ts';
export * from './client/index.ts';
