// Whole programs: every conformance case and every example in the language spec parses, and
// every case that jaclang 0.8.0 refuses to compile is refused here too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDiagnostic, parse } from '../../grammar/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const casesDir = join(root, 'test/cases');

function jacFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jacFiles(join(dir, e.name)) : e.name.endsWith('.jac') ? [join(dir, e.name)] : [],
  );
}

/** The reference fails to compile these (their `.err` names the compiler's failure). */
const compileFailure = /^(ImportError: No bytecode found|VisitError)/;

/** Reference compile failures that are compiler bugs jac-serve does not copy, with the reason. */
const acceptedDeliberately: Record<string, string> = {
  'lexical/fstring_empty_error.jac': 'f"" crashes the 0.8.0 compiler ("Empty kid"); it is an empty string',
};

const cases = jacFiles(casesDir);

test('the corpus is there', () => {
  assert.ok(cases.length >= 80, `${cases.length} cases`);
});

test('every case the reference compiles parses without diagnostics', () => {
  const failures: string[] = [];
  for (const file of cases) {
    const rel = file.slice(casesDir.length + 1);
    const errFile = file.replace(/\.jac$/, '.err');
    const refused = existsSync(errFile) && compileFailure.test(readFileSync(errFile, 'utf8'));
    if (refused && !(rel in acceptedDeliberately)) continue;
    const source = readFileSync(file, 'utf8');
    const { diagnostics } = parse(source, rel);
    if (diagnostics.length > 0) failures.push(formatDiagnostic(diagnostics[0], source));
  }
  assert.equal(failures, []);
});

test('every case the reference refuses to compile gets a syntax diagnostic', () => {
  let refusedCount = 0;
  for (const file of cases) {
    const rel = file.slice(casesDir.length + 1);
    const errFile = file.replace(/\.jac$/, '.err');
    if (!existsSync(errFile) || !compileFailure.test(readFileSync(errFile, 'utf8')) || rel in acceptedDeliberately) continue;
    refusedCount++;
    const { module, diagnostics } = parse(readFileSync(file, 'utf8'), rel);
    assert.is(module, null, rel);
    assert.ok(diagnostics[0].code.startsWith('JAC_SYNTAX_'), rel);
  }
  assert.ok(refusedCount >= 5, `${refusedCount} compile-failure cases`);
});

test('every example program in the language spec parses', () => {
  const spec = readFileSync(join(root, '../shared/spec/jac-language.md'), 'utf8');
  const blocks = [...spec.matchAll(/```jac\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 8, `${blocks.length} examples`);
  for (const [i, block] of blocks.entries()) {
    // §3's statement gallery is a list of statements with `{ ... }` placeholders, not a module.
    const isGallery = /^if x > 1 \{ \.\.\. \}/.test(block);
    const source = isGallery ? `with entry {\n${block.replaceAll('{ ... }', '{ }')}\n}\n` : block;
    const { diagnostics } = parse(source, `spec-example-${i}.jac`);
    assert.equal(diagnostics.map((d) => formatDiagnostic(d, source)), [], `spec example ${i}`);
  }
});

test.run();
