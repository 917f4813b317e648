#!/usr/bin/env node
// Entry point of the `vigil` command. The TypeScript sources are compiled to dist/
// by `npm ci` (the `prepare` script) and by `npm start`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('vigil: the compiled daemon is missing (dist/). Run `npm run build` first.');
  process.exit(2);
}
await import(main);
