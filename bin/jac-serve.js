#!/usr/bin/env node
// Entry point of the `jac-serve` command: the bundled CLI that `npm run build` writes.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/jac-serve.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('jac-serve: dist/jac-serve.js is missing: run `npm run build` (npm install does it)\n');
  process.exit(1);
}
await import(bundle.href);
