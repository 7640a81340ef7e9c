// Generators under the run's budget: an endless generator is stopped by the step budget however
// it is consumed (a list, a sum, `yield from`, iter(f, sentinel)), while a bounded consumer of
// one finishes; its errors carry the line they were raised on and the generator's name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runModule } from '../../runtime/interpreter/run.ts';
import { parseOk } from '../helpers/ast.ts';

function run(source: string, maxSteps = 10_000) {
  let out = '';
  const result = runModule(parseOk(source, 'prog.jac'), (text) => (out += text), { maxSteps });
  return { out, error: result.error, detail: result.errorDetail, unsupported: result.unsupported };
}

const naturals = 'def naturals() {\n    n = 0;\n    while True {\n        yield n;\n        n += 1;\n    }\n}\n';
const budgetStop = 'BudgetExhausted: step budget exhausted after 10,000 steps';

test('an endless generator consumed by a bounded loop or next() finishes within the budget', () => {
  const r = run(`${naturals}with entry {
    for n in naturals() { if n == 3 { break; } print(n); }
    g = naturals();
    print(next(g), next(g), next(g));
    odd_squares = (n * n for n in naturals() if n % 2 == 1);
    print(next(odd_squares), next(odd_squares));
}`);
  assert.equal([r.out, r.error], ['0\n1\n2\n0 1 2\n1 9\n', null]);
});

test('an endless generator consumed whole is stopped by the step budget, whatever consumes it', () => {
  const consumers = ['list(naturals())', 'sum(naturals())', 'sum((n for n in naturals()))', 'max((n for n in naturals()))', 'sorted(naturals())', '[n for n in naturals()]'];
  for (const consumer of consumers) {
    const r = run(`${naturals}with entry {\n    print(${consumer});\n}\n`);
    assert.equal([r.out, r.error], ['', budgetStop], consumer);
  }
});

test('a generator expression over a huge range, `yield from` one, and iter(f, sentinel) count their steps', () => {
  const programs = [
    'with entry {\n    print(sum((x for x in range(10**12))));\n}\n',
    'def g() {\n    yield from range(10**12);\n}\nwith entry {\n    print(sum(g()));\n}\n',
    'with entry {\n    print(sum(iter(lambda: 1, None)));\n}\n',
  ];
  for (const source of programs) assert.equal(run(source).error, budgetStop, source);
});

test('an error raised inside a generator has the line it was raised on and names the generator', () => {
  const r = run('def parse(xs: list) {\n    for x in xs {\n        yield int(x);\n    }\n}\nwith entry {\n    print(list(parse(["1", "x"])));\n}\n');
  assert.is(r.error, "ValueError: invalid literal for int() with base 10: 'x'");
  assert.is(r.detail?.span?.line, 3);
  assert.equal(r.detail?.trace, ['parse']);
});

test('a yield where the interpreter cannot suspend is refused before the program runs', () => {
  const r = run('def g() {\n    print({"a": (yield 1)});\n}\nwith entry {\n    print("never");\n}\n');
  assert.is(r.out, '');
  assert.match(r.unsupported?.message ?? '', /yield inside Dict/);
  assert.is(r.unsupported?.span.line, 2);
});

test.run();
