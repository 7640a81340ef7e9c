// Helpers for grammar tests: parse and assert no diagnostics, and strip spans for comparison.
import * as assert from 'uvu/assert';
import type { Expr, Module, Stmt } from '../../grammar/ast.ts';
import { formatDiagnostic, parse, type Diagnostic } from '../../grammar/index.ts';

/** Parses `source`, failing the test with every diagnostic if there is any. */
export function parseOk(source: string, file = 'test.jac'): Module {
  const { module, diagnostics } = parse(source, file);
  if (diagnostics.length > 0 || !module) {
    assert.unreachable('unexpected diagnostics:\n' + diagnostics.map((d) => formatDiagnostic(d, source)).join('\n'));
  }
  return module!;
}

/** The diagnostics of a source that must not parse. */
export function parseErrors(source: string, file = 'test.jac'): Diagnostic[] {
  const { module, diagnostics } = parse(source, file);
  assert.is(module, null, 'a source with errors has no AST');
  assert.ok(diagnostics.length > 0, 'expected at least one diagnostic');
  return diagnostics;
}

/** The statements of one `with entry { ... }` block around `body`. */
export function stmtsOf(body: string): Stmt[] {
  const m = parseOk(`with entry {\n${body}\n}\n`);
  const entry = m.body[0];
  assert.is(entry.kind, 'ModuleEntry');
  return (entry as Extract<Stmt, { kind: 'ModuleEntry' }>).body;
}

/** The expression `source` as parsed in `x = <source>;`, without spans. */
export function exprOf(source: string): unknown {
  const [stmt] = stmtsOf(`x = ${source};`);
  assert.is(stmt.kind, 'Assign');
  return strip((stmt as Extract<Stmt, { kind: 'Assign' }>).value as Expr);
}

/** A deep copy without `span` fields and with bigints as `123n` strings, for deepEqual. */
export function strip<T>(node: T): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === 'span' ? undefined : typeof value === 'bigint' ? `${value}n` : value)));
}
