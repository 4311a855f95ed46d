/** cloudpartner serve — start the API server (the settings: src/config.ts). */
import { parseArgs } from 'node:util';
import { resolveServeConfig, serveFlagOptions } from '../../config.ts';
import { OUTPUT_OPTIONS, wantsJson } from './local.ts';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...serveFlagOptions(), ...OUTPUT_OPTIONS }, strict: true });
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
