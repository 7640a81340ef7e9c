// Bundles the CLI into dist/jac-serve.js, and the run worker it starts into dist/jac-worker.js
// (with chunks of the code they share or load lazily beside them): files that start in half the
// time of loading the TypeScript sources through tsx. Run by `npm install` (prepare) and before
// `npm test`.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a hash of their content: remove the previous build's, which nothing loads.
if (existsSync('dist')) {
  for (const name of readdirSync('dist')) if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(`dist/${name}`);
}

await build({
  entryPoints: { 'jac-serve': 'cli/jac-serve.ts', 'jac-worker': 'server/workers/run-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Shared code and what the CLI imports lazily (the server) go to chunks of their own, so
  // `run` and `check` do not load Fastify.
  splitting: true,
  sourcemap: true,
  // The grammar is checked by the tests; a start of the CLI need not check it again.
  define: { JAC_SKIP_GRAMMAR_CHECKS: 'true' },
  // Bundled CommonJS code may call require(); give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // @fastify/swagger-ui serves files that sit beside its own code: load it from node_modules.
  external: ['@fastify/swagger-ui'],
  logLevel: 'warning',
});
