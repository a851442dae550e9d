#!/usr/bin/env node
// The `hearth` command: runs the built CLI (npm install builds it through the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('hearth: the app is not built yet; run `npm install` (or `npm run build`) in the Hearth folder first.\n');
  process.exit(1);
}
await import(cli.href);
