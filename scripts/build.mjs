// Bundles the CLI into dist/jac-serve.js: one file that starts in half the time of loading the
// TypeScript sources through tsx. Run by `npm install` (prepare) and before `npm test`.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/jac-serve.ts'],
  outfile: 'dist/jac-serve.js',
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
