// Bundles the CLI into dist/jac-serve.js, and the run worker it starts into dist/jac-worker.js:
// files that start in half the time of loading the TypeScript sources through tsx. Run by
// `npm install` (prepare) and before `npm test`.
import { build } from 'esbuild';

await build({
  entryPoints: { 'jac-serve': 'cli/jac-serve.ts', 'jac-worker': 'server/workers/run-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Bundled CommonJS code may call require(); give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // @fastify/swagger-ui serves files that sit beside its own code: load it from node_modules.
  external: ['@fastify/swagger-ui'],
  logLevel: 'warning',
});
