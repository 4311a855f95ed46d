#!/usr/bin/env node
// Entry point of the `cloudpartner` command: runs the bundle of the TypeScript sources (bin/bundle.js).
import { importBundled } from './bundle.js';

const { run } = await importBundled('src/cli/main.ts');
await run(process.argv.slice(2));
