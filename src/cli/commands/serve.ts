/** cloudpartner serve — start the API server (the settings: src/config.ts). */
import { parseArgs } from 'node:util';
import { resolveServeConfig } from '../../config.ts';
import { OUTPUT_OPTIONS, wantsJson } from './local.ts';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean' },
      'new-demo-token': { type: 'boolean' },
      'step-duration-ms': { type: 'string' },
      'database-url': { type: 'string' },
      'db-pool-size': { type: 'string' },
      'db-statement-timeout-ms': { type: 'string' },
      'shutdown-timeout-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'max-connections': { type: 'string' },
      'step-lease-ms': { type: 'string' },
      'public-url': { type: 'string' },
      audience: { type: 'string' },
      'clock-skew-seconds': { type: 'string' },
      'trusted-issuers': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'put-mode': { type: 'string' },
      ...OUTPUT_OPTIONS,
    },
    strict: true,
  });
  const json = wantsJson(values);
  const config = resolveServeConfig(values, process.env);
  // The server, the stores and the identity code load only for the commands that need them,
  // so the API client commands start fast.
  const { startServer } = await import('../../server.ts');
  const server = await startServer(config, process.stdout, { json });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
