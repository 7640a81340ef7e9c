// Mutation fuzzing: thousands of broken variants of valid programs must each give diagnostics
// or an AST, never a throw or a hang (a hang fails the test through the worker's timeout).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));

function jacFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jacFiles(join(dir, e.name)) : e.name.endsWith('.jac') ? [join(dir, e.name)] : [],
  );
}

function fuzz(files: string[], mutations: number, seed: number, timeoutMs: number): Promise<{ ok: boolean; problem?: string; withErrors?: number }> {
  return new Promise((resolve, reject) => {
    // Workers do not inherit tsx's loader: the worker registers it before loading the script.
    const tsx = import.meta.resolve('tsx/esm/api');
    const script = new URL('./fuzz-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { files, mutations, seed } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`fuzzing did not finish within ${timeoutMs / 1000} s: the parser hangs on some input (seed ${seed})`));
    }, timeoutMs);
    worker.once('message', (m) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('3,000 mutated programs each give an AST or diagnostics, never a throw or a hang', async () => {
  const files = [...jacFiles(join(root, 'test/cases')), ...jacFiles(join(root, 'examples'))];
  assert.ok(files.length >= 50, `a corpus to mutate (${files.length} files)`);
  const seed = Number(process.env.FUZZ_SEED ?? 20261129);
  const result = await fuzz(files, 3000, seed, 240_000);
  assert.ok(result.ok, result.problem);
  assert.ok(result.withErrors! > 1000, `most mutations break the program (${result.withErrors} did)`);
});

test.run();
