// The interpreter's contract beyond the corpus: what it does with programs it cannot run yet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunOptions, runModule } from '../../runtime/interpreter/run.ts';
import { parseOk } from '../helpers/ast.ts';

function run(source: string, options: RunOptions = {}): { out: string; result: ReturnType<typeof runModule> } {
  let out = '';
  const result = runModule(parseOk(source, 'prog.jac'), (text) => (out += text), options);
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

test("with collectReturns, a walker's `returns` hold each ability run's return value in run order, reset per spawn", () => {
  const program = [
    'node A { has v: int; can greet with W entry { return f"A{self.v}"; } }',
    'walker W {',
    '    can start with `root entry { visit [-->]; return "start"; }',
    '    can at with A entry { if here.v == 2 { skip; } return here.v; }',
    '    can done with exit { return ["done"]; }',
    '}',
    'with entry { root ++> A(v=1); root ++> A(v=2); once = root spawn W(); twice = W(); root spawn twice; root spawn twice; }',
  ].join('\n');
  const { result } = run(program, { collectReturns: true });
  assert.is(result.error, null);
  const returns = (name: string) => (result.globals.get(name) as unknown as { returns: unknown[] }).returns;
  assert.equal(returns('once'), ['start', 1, 'A1', null, 'A2', ['done']]);
  assert.equal(returns('twice'), ['start', 1, 'A1', null, 'A2', ['done']], 'a second spawn starts a new list');
  const { result: plain } = run(program);
  assert.is((plain.globals.get('once') as unknown as { returns: unknown }).returns, null, 'collected only when asked for');
});

test.run();
