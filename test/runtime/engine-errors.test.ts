// Errors the JS engine raises under a running program are the Python errors the same program
// raises under CPython: running out of stack is a RecursionError, an allocation too large a
// MemoryError; any other engine error is the interpreter's own fault and is not disguised.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runModule } from '../../runtime/interpreter/run.ts';
import { engineErrorAsPy } from '../../runtime/values/errors.ts';
import { parseOk } from '../helpers/ast.ts';

function run(source: string): { out: string; error: string | null } {
  let out = '';
  const result = runModule(parseOk(source, 'prog.jac'), (text) => (out += text));
  return { out, error: result.error };
}

test('only running out of stack is a RecursionError; V8 allocation failures are MemoryErrors; other errors are not Python errors', () => {
  const py = (e: unknown) => {
    const x = engineErrorAsPy(e);
    return x && [x.pyType, x.message];
  };
  assert.equal(py(new RangeError('Maximum call stack size exceeded')), ['RecursionError', 'maximum recursion depth exceeded']);
  for (const m of ['Invalid string length', 'Invalid array length', 'Invalid typed array length: 4294967297', 'Array buffer allocation failed', 'Maximum BigInt size exceeded']) {
    assert.equal(py(new RangeError(m)), ['MemoryError', ''], m);
  }
  assert.is(py(new RangeError('Invalid time value')), null);
  assert.is(py(new RangeError('toFixed() digits argument must be between 0 and 100')), null);
  assert.is(py(new TypeError('Maximum call stack size exceeded')), null);
});

test('an allocation that fails outside any function or try ends the run with MemoryError, not RecursionError', () => {
  const padded = run('with entry { print(1); x = "x".ljust(2 ** 40); print(2); }');
  assert.equal(padded, { out: '1\n', error: 'MemoryError' });
  const power = run('with entry { x = 2 ** (2 ** 40); }');
  assert.equal(power, { out: '', error: 'MemoryError' });
  const deep = run('def down(n: int) -> int { return down(n + 1); }\nwith entry { down(0); }');
  assert.equal(deep, { out: '', error: 'RecursionError: maximum recursion depth exceeded' });
});

test('a bigint too large for JS is a MemoryError a program can catch, in a function or at the top level', () => {
  const { out, error } = run(`
def grow(n: int) -> int { return n ** (2 ** 40); }
with entry {
    try { grow(3); } except MemoryError { print("in a function"); }
    try { x = 10 ** (2 ** 40); } except MemoryError { print("at the top"); }
    try { x = "x".ljust(2 ** 40); } except MemoryError as e { print("padding", repr(e)); }
    print(2 ** 100, 1 << 100);
}`);
  assert.is(error, null);
  assert.is(out, 'in a function\nat the top\npadding MemoryError()\n1267650600228229401496703205376 1267650600228229401496703205376\n');
});

test('a list of 2^31 items is refused before it exhausts the heap', () => {
  const { out, error } = run('with entry { try { x = [0] * (2 ** 31); print(len(x)); } except MemoryError { print("refused"); } }');
  assert.equal([out, error], ['refused\n', null]);
});

test('a list longer than the interpreter allows is refused by every way of building one, before its items are allocated', () => {
  const ways = ['list(range(2 ** 27))', 'tuple(range(2 ** 27))', 'sorted(range(2 ** 27))', '[*range(2 ** 27)]', 'list(reversed(range(2 ** 27)))', '[].extend(range(2 ** 27))'];
  const { out, error } = run(`with entry {\n${ways.map((w) => `    try { x = ${w}; print("built"); } except MemoryError { print("refused"); }`).join('\n')}\n}`);
  assert.equal([out, error], [ways.map(() => 'refused\n').join(''), null]);
});

test('long lists sort in place and take long slices (no spread of their items into one call)', () => {
  const { out, error } = run(`with entry {
    x = list(range(200000));
    x.sort(reverse=True);
    print(x[0], x[-1]);
    x[0:10] = list(range(50000));
    print(x[0], x[49999], x[50000], len(x));
}`);
  assert.equal([out, error], ['199999 0\n0 49999 199989 249990\n', null]);
});

test.run();
