// The interpreter's contract beyond the corpus: what it does with programs it cannot run yet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runModule } from '../../runtime/interpreter/run.ts';
import { parseOk } from '../helpers/ast.ts';

function run(source: string): { out: string; result: ReturnType<typeof runModule> } {
  let out = '';
  const result = runModule(parseOk(source, 'prog.jac'), (text) => (out += text));
  return { out, result };
}

test('a program using what cannot run yet is refused before it prints anything, with where and why', () => {
  const { out, result } = run('with entry { print("before"); }\nwith entry {\n    t = (a=1, b=2);\n}\n');
  assert.is(out, '');
  assert.is(result.error, null);
  assert.ok(result.unsupported);
  assert.is(result.unsupported!.code, 'JAC_RUNTIME_UNSUPPORTED');
  assert.is(result.unsupported!.span.line, 3);
  assert.match(result.unsupported!.message, /^not supported yet: keyword tuples/);
});

test("`here` outside a walker ability is the reference's NameError", () => {
  const { result } = run('def f() -> any {\n    return here;\n}\nwith entry { f(); }\n');
  assert.is(result.error, "NameError: name 'here' is not defined");
});

test('an uncaught exception ends the run with its Python name and message', () => {
  const { out, result } = run('with entry { print(1); x = {}["k"]; print(2); }');
  assert.is(out, '1\n');
  assert.is(result.error, "KeyError: 'k'");
  assert.is(run('with entry { raise ValueError; }').result.error, 'ValueError');
});

test('each run has its own globals', () => {
  const program = 'glob n = 0;\nwith entry { n += 1; print(n); }\n';
  assert.is(run(program).out, '1\n');
  assert.is(run(program).out, '1\n');
});

test.run();
