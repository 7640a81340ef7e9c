// The commands' functions called directly (the process tests run the bundle, which coverage
// cannot attribute to these sources).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check } from '../../cli/check.ts';
import { UsageError } from '../../cli/files.ts';
import { runFile } from '../../cli/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'jac-serve-cli-'));
const collect = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, streams: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
};

test('check counts files and errors and writes each diagnostic', () => {
  writeFileSync(join(dir, 'a.jac'), 'with entry { x = ; }\n');
  writeFileSync(join(dir, 'b.jac'), 'with entry { x = 1; }\n');
  const written: string[] = [];
  const result = check([join(dir, 'a.jac'), join(dir, 'b.jac')], (t) => written.push(t));
  assert.is(result.files, 2);
  assert.is(result.errors, 1);
  assert.match(written.join(''), /a\.jac:1:18: error\[JAC_SYNTAX_UNEXPECTED\]: expected an expression, found ';'/);
  assert.is(written[written.length - 1], 'checked 2 files: 1 error\n');
});

test('runFile: output, an uncaught error with its trace, and the exit status', () => {
  writeFileSync(join(dir, 'ok.jac'), 'with entry { print("hi"); }\n');
  const ok = collect();
  assert.is(runFile(join(dir, 'ok.jac'), ok.streams), 0);
  assert.equal(ok.out, ['hi\n']);
  writeFileSync(join(dir, 'err.jac'), 'def f() { raise ValueError("no"); }\nwith entry { f(); }\n');
  const bad = collect();
  assert.is(runFile(join(dir, 'err.jac'), bad.streams), 1);
  assert.match(bad.err[0], /err\.jac:1:11: ValueError: no\n$/);
  assert.is(bad.err[bad.err.length - 1], '  in f\n');
});

test('runFile: syntax errors and unsupported programs do not run; a missing file is a usage error', () => {
  writeFileSync(join(dir, 'syn.jac'), 'with entry { print(1) }\n');
  const syn = collect();
  assert.is(runFile(join(dir, 'syn.jac'), syn.streams), 1);
  assert.equal(syn.out, []);
  writeFileSync(join(dir, 'm.jac'), 'with entry { t = (a=1); }\n');
  const m = collect();
  assert.is(runFile(join(dir, 'm.jac'), m.streams), 1);
  assert.match(m.err[0], /JAC_RUNTIME_UNSUPPORTED/);
  assert.throws(() => runFile(join(dir, 'missing.jac'), m.streams), (e: unknown) => e instanceof UsageError);
});

test('runFile: a budget stop names the statement where the run was', () => {
  writeFileSync(join(dir, 'loop.jac'), 'with entry { while True { } }\n');
  const r = collect();
  assert.is(runFile(join(dir, 'loop.jac'), r.streams, { maxSteps: 100 }), 1);
  assert.match(r.err.join(''), /loop\.jac:1:14: BudgetExhausted: step budget exhausted after 100 steps\n1 \| with entry/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
