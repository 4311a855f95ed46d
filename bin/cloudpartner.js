#!/usr/bin/env node
// Entry point of the `cloudpartner` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const argv = process.argv.slice(2);
if (['offers', 'operations', 'publishers'].includes(argv[0])) {
  // API client commands: started without loading the server (see src/cli/commands/index.ts).
  const { runApiCommand } = await import('../src/cli/commands/index.ts');
  await runApiCommand(argv);
} else {
  const { run } = await import('../src/cli/main.ts');
  await run(argv);
}
