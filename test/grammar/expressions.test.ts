// Expressions (shared/spec/jac-language.md §1.3-§1.5, §4): literals, collections and
// comprehensions, calls, subscripts, attributes, ternary, lambda, walrus, pipes and prefixes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stmt } from '../../grammar/ast.ts';
import { exprOf, parseErrors, parseOk, stmtsOf, strip } from '../helpers/ast.ts';

type Archetype = Extract<Stmt, { kind: 'Archetype' }>;
type FunctionDef = Extract<Stmt, { kind: 'Function' }>;

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number) => ({ kind: 'Int', value: `${v}n` });
const s = (value: string) => ({ kind: 'Str', value, isBytes: false });
const c = (value: null | boolean | 'Ellipsis') => ({ kind: 'Constant', value });
const call = (func: unknown, args: unknown[] = [], keywords: unknown[] = []) => ({ kind: 'Call', func, args, keywords, by: null });
const kw = (name: string | null, value: unknown) => ({ name, value });
const attr = (object: unknown, name: string, nullSafe = false) => ({ kind: 'Attribute', object, name, nullSafe, op: '.' });
const index = (object: unknown, idx: unknown, nullSafe = false) => ({ kind: 'Index', object, index: idx, nullSafe });
const slice = (lower: unknown, upper: unknown, step: unknown) => ({ kind: 'Slice', lower, upper, step });
const tuple = (elts: unknown[], keywords: unknown[] = []) => ({ kind: 'Tuple', elts, keywords });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'Binary', op, left, right });
const cmp = (left: unknown, op: string, right: unknown) => ({ kind: 'Compare', left, ops: [op], comparators: [right] });
const gen = (target: unknown, iter: unknown, conds: unknown[] = []) => ({ isAsync: false, target, iter, conds });
const param = (name: string, type: unknown, dflt: unknown = null) => ({ name, variadic: null, type, default: dflt });

// ---- literals ---------------------------------------------------------------------------

test('atoms: int, float, string, None, True, False and ...', () => {
  assert.equal(exprOf('[1, 1.5, "s", None, True, False, ...]'), {
    kind: 'List', elts: [i(1), { kind: 'Float', value: 1.5 }, s('s'), c(null), c(true), c(false), c('Ellipsis')],
  });
});

test('a backtick type reference: `root and `Any', () => {
  assert.equal(exprOf('`root'), { kind: 'TypeRef', name: 'root' });
  assert.equal(exprOf('`Any'), { kind: 'TypeRef', name: 'Any' });
});

// ---- collections ------------------------------------------------------------------------

test('lists: empty, with elements, and with a trailing comma', () => {
  assert.equal(exprOf('[]'), { kind: 'List', elts: [] });
  assert.equal(exprOf('[1, 2,]'), { kind: 'List', elts: [i(1), i(2)] });
});

test('tuples: (1,), (), (1, 2); a parenthesized expression is not a tuple', () => {
  assert.equal(exprOf('(1,)'), tuple([i(1)]));
  assert.equal(exprOf('()'), tuple([]));
  assert.equal(exprOf('(1, 2)'), tuple([i(1), i(2)]));
  assert.equal(exprOf('(x)'), n('x'));
  assert.equal(exprOf('(1 + 2) * 3'), bin('*', bin('+', i(1), i(2)), i(3)));
});

// jaclang 0.8.0 parses keyword tuples; its Python code generation then fails on them.
test('keyword tuples (a=1, b=2) and (1, x=2)', () => {
  assert.equal(exprOf('(a=1, b=2)'), tuple([], [kw('a', i(1)), kw('b', i(2))]));
  assert.equal(exprOf('(1, x=2)'), tuple([i(1)], [kw('x', i(2))]));
});

test('sets and dicts; {} is an empty dict', () => {
  assert.equal(exprOf('{1, 2}'), { kind: 'Set', elts: [i(1), i(2)] });
  assert.equal(exprOf('{}'), { kind: 'Dict', entries: [] });
  assert.equal(exprOf('{"k": 1, 2: "v",}'), { kind: 'Dict', entries: [{ key: s('k'), value: i(1) }, { key: i(2), value: s('v') }] });
});

test('dict **spread entries have key null', () => {
  assert.equal(exprOf('{"k": 1, **d}'), { kind: 'Dict', entries: [{ key: s('k'), value: i(1) }, { key: null, value: n('d') }] });
  assert.equal(exprOf('{**a, **b}'), { kind: 'Dict', entries: [{ key: null, value: n('a') }, { key: null, value: n('b') }] });
});

test('a {...} literal mixing dict entries and set elements is an error', () => {
  parseErrors('with entry { x = {1: 2, 3}; }');
});

test('*x in a list is Starred', () => {
  assert.equal(exprOf('[*xs, 1]'), { kind: 'List', elts: [{ kind: 'Starred', value: n('xs') }, i(1)] });
});

// ---- comprehensions ---------------------------------------------------------------------

test('list comprehension with a condition', () => {
  assert.equal(exprOf('[x * 2 for x in xs if x > 1]'), {
    kind: 'ListComp', elt: bin('*', n('x'), i(2)), generators: [gen(n('x'), n('xs'), [cmp(n('x'), '>', i(1))])],
  });
});

test('set comprehension and generator expression', () => {
  assert.equal(exprOf('{x for x in xs}'), { kind: 'SetComp', elt: n('x'), generators: [gen(n('x'), n('xs'))] });
  assert.equal(exprOf('(x for x in xs)'), { kind: 'GenExp', elt: n('x'), generators: [gen(n('x'), n('xs'))] });
});

test('dict comprehension with a tuple target', () => {
  assert.equal(exprOf('{k: v for (k, v) in d.items()}'), {
    kind: 'DictComp', key: n('k'), value: n('v'), generators: [gen(tuple([n('k'), n('v')]), call(attr(n('d'), 'items')))],
  });
});

test('several for clauses, each with several if conditions', () => {
  assert.equal(exprOf('[x + y for x in xs if x if x > 0 for y in range(3) if y]'), {
    kind: 'ListComp',
    elt: bin('+', n('x'), n('y')),
    generators: [gen(n('x'), n('xs'), [n('x'), cmp(n('x'), '>', i(0))]), gen(n('y'), call(n('range'), [i(3)]), [n('y')])],
  });
});

test('a generator needs its own parentheses as a call argument', () => {
  assert.equal(exprOf('sum((x for x in xs))'), call(n('sum'), [{ kind: 'GenExp', elt: n('x'), generators: [gen(n('x'), n('xs'))] }]));
  parseErrors('with entry { x = sum(x for x in xs); }');
});

// ---- calls ------------------------------------------------------------------------------

test('calls with positional, *args, keyword and **kw arguments', () => {
  assert.equal(exprOf('f(1, *args, k=2, **kw)'), call(n('f'), [i(1), { kind: 'Starred', value: n('args') }], [kw('k', i(2)), kw(null, n('kw'))]));
});

test('empty calls, trailing commas and chained calls', () => {
  assert.equal(exprOf('f()'), call(n('f')));
  assert.equal(exprOf('f(1,)'), call(n('f'), [i(1)]));
  assert.equal(exprOf('g(a)(b)'), call(call(n('g'), [n('a')]), [n('b')]));
});

test('several *args and **kw', () => {
  assert.equal(exprOf('f(*a, *b, k=1, **c, **d)'), call(n('f'), [{ kind: 'Starred', value: n('a') }, { kind: 'Starred', value: n('b') }], [
    kw('k', i(1)), kw(null, n('c')), kw(null, n('d')),
  ]));
});

test('a positional argument after a keyword argument is an error', () => {
  parseErrors('with entry { x = f(a=1, 2); }');
});

// ---- subscripts and attributes ----------------------------------------------------------

test('slices: a[1:2:3], a[::2], a[:], a[1:], a[:2], a[::]', () => {
  assert.equal(exprOf('a[1:2:3]'), index(n('a'), slice(i(1), i(2), i(3))));
  assert.equal(exprOf('a[::2]'), index(n('a'), slice(null, null, i(2))));
  assert.equal(exprOf('a[:]'), index(n('a'), slice(null, null, null)));
  assert.equal(exprOf('a[1:]'), index(n('a'), slice(i(1), null, null)));
  assert.equal(exprOf('a[:2]'), index(n('a'), slice(null, i(2), null)));
  assert.equal(exprOf('a[::]'), index(n('a'), slice(null, null, null)));
});

test('a[1, 2] indexes with a tuple; slices may be tuple items', () => {
  assert.equal(exprOf('a[1, 2]'), index(n('a'), tuple([i(1), i(2)])));
  assert.equal(exprOf('a[1:2, ::3]'), index(n('a'), tuple([slice(i(1), i(2), null), slice(null, null, i(3))])));
});

test('attribute chains', () => {
  assert.equal(exprOf('a.b.c'), attr(attr(n('a'), 'b'), 'c'));
});

test('null-safe a?.b, a?[0] and a?.b?.c', () => {
  assert.equal(exprOf('a?.b'), attr(n('a'), 'b', true));
  assert.equal(exprOf('a?[0]'), index(n('a'), i(0), true));
  assert.equal(exprOf('a?.b?.c'), attr(attr(n('a'), 'b', true), 'c', true));
});

test('postfix operators chain: f(x)[0].y(z)', () => {
  assert.equal(exprOf('f(x)[0].y(z)'), call(attr(index(call(n('f'), [n('x')]), i(0)), 'y'), [n('z')]));
});

// ---- operators --------------------------------------------------------------------------

test('ternary a if c else b', () => {
  assert.equal(exprOf('a if c else b'), { kind: 'Ternary', test: n('c'), body: n('a'), orelse: n('b') });
});

test('nested ternary in the else branch', () => {
  assert.equal(exprOf('a if c else b if d else e'), {
    kind: 'Ternary', test: n('c'), body: n('a'), orelse: { kind: 'Ternary', test: n('d'), body: n('b'), orelse: n('e') },
  });
});

test('lambda with typed parameters', () => {
  assert.equal(exprOf('lambda a: int, b: int : a + b'), {
    kind: 'Lambda', params: [param('a', n('int')), param('b', n('int'))], returns: null, body: bin('+', n('a'), n('b')),
  });
});

test('lambda without parameters, with a return type, and with a default', () => {
  assert.equal(exprOf('lambda : 7'), { kind: 'Lambda', params: [], returns: null, body: i(7) });
  assert.equal(exprOf('lambda x: int -> int : x'), { kind: 'Lambda', params: [param('x', n('int'))], returns: n('int'), body: n('x') });
  assert.equal(exprOf('lambda a: int = 1 : a'), { kind: 'Lambda', params: [param('a', n('int'), i(1))], returns: null, body: n('a') });
});

test('walrus in a condition and as a value', () => {
  assert.equal(strip(stmtsOf('if (m := 10) > 5 { }')), [{
    kind: 'If', test: cmp({ kind: 'Walrus', target: 'm', value: i(10) }, '>', i(5)), body: [], orelse: null,
  }]);
  assert.equal(exprOf('(a := 1)'), { kind: 'Walrus', target: 'a', value: i(1) });
});

test('pipes |> <| :> <:', () => {
  assert.equal(exprOf('a |> f'), { kind: 'Pipe', op: '|>', left: n('a'), right: n('f') });
  assert.equal(exprOf('f <| a'), { kind: 'Pipe', op: '<|', left: n('f'), right: n('a') });
  assert.equal(exprOf('a :> f'), { kind: 'Pipe', op: ':>', left: n('a'), right: n('f') });
  assert.equal(exprOf('f <: a'), { kind: 'Pipe', op: '<:', left: n('f'), right: n('a') });
});

test('a tuple piped into a function: (a, b) |> f', () => {
  assert.equal(exprOf('(a, b) |> f'), { kind: 'Pipe', op: '|>', left: tuple([n('a'), n('b')]), right: n('f') });
});

test('prefix pipes :> W and |> W', () => {
  assert.equal(exprOf(':> W'), { kind: 'PrefixPipe', op: ':>', operand: n('W') });
  assert.equal(exprOf('|> W'), { kind: 'PrefixPipe', op: '|>', operand: n('W') });
});

test('await x is a PrefixPipe', () => {
  const fn = parseOk('async def f { y = await x; }').body[0] as FunctionDef;
  assert.equal(strip((fn.body as { stmts: Stmt[] }).stmts), [{
    kind: 'Assign', isLet: false, targets: [n('y')], value: { kind: 'PrefixPipe', op: 'await', operand: n('x') },
  }]);
});

test('unary - + ~ not, and nesting', () => {
  assert.equal(exprOf('-x'), { kind: 'Unary', op: '-', operand: n('x') });
  assert.equal(exprOf('+x'), { kind: 'Unary', op: '+', operand: n('x') });
  assert.equal(exprOf('~x'), { kind: 'Unary', op: '~', operand: n('x') });
  assert.equal(exprOf('not x'), { kind: 'Unary', op: 'not', operand: n('x') });
  assert.equal(exprOf('- - x'), { kind: 'Unary', op: '-', operand: { kind: 'Unary', op: '-', operand: n('x') } });
  assert.equal(exprOf('not not x'), { kind: 'Unary', op: 'not', operand: { kind: 'Unary', op: 'not', operand: n('x') } });
});

test('*x in a call argument is Starred', () => {
  assert.equal(exprOf('f(*xs)'), call(n('f'), [{ kind: 'Starred', value: n('xs') }]));
});

test('every binary arithmetic and bitwise operator', () => {
  for (const op of ['+', '-', '*', '/', '//', '%', '@', '**', '|', '^', '&', '<<', '>>']) {
    assert.equal(exprOf(`a ${op} b`), bin(op, n('a'), n('b')), op);
  }
});

test('every comparison operator', () => {
  for (const op of ['==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is', 'is not']) {
    assert.equal(exprOf(`a ${op} b`), cmp(n('a'), op, n('b')), op);
  }
});

test('spans: a binary expression covers both operands; a call its parentheses; a string run all its pieces', () => {
  const src = 'with entry {\nx = f(a, b) + "s" "t";\n}';
  const st = (parseOk(src).body[0] as Extract<Stmt, { kind: 'ModuleEntry' }>).body[0] as Extract<Stmt, { kind: 'Assign' }>;
  const text = (node: { span: { offset: number; endOffset: number } }) => src.slice(node.span.offset, node.span.endOffset);
  const value = st.value as Extract<typeof st.value, { kind: 'Binary' }>;
  assert.is(text(st), 'x = f(a, b) + "s" "t";');
  assert.is(text(value), 'f(a, b) + "s" "t"');
  assert.is(text(value.left), 'f(a, b)');
  assert.is(text(value.right), '"s" "t"');
  assert.equal([value.span.line, value.span.col, value.span.endLine, value.span.endCol], [2, 5, 2, 21]);
});

test('realistic program (§2.4, §2.5): has fields, functions and methods', () => {
  const m = parseOk(`node Account {
    has owner: str;                    # required (no default)
    has balance: float = 0.0,          # several per statement, comma separated
        tags: list[str] = [];          # a fresh [] per instance (non-constant default → factory)
    has score: int by postinit;        # excluded from the constructor; set in postinit
    static has count: int = 0;         # class-level variable
    def postinit { self.score = len(self.owner); }
}
def add(a: int, b: int = 1) -> int { return a + b; }
def banner { print("no params: parentheses optional"); }
obj Counter {
    has n: int = 0;
    def bump(by_: int) -> int { self.n += by_; return self.n; }   # \`self\` is implicit
    static def zero -> Counter { return Counter(); }
    def area -> float abs;                                        # abstract
}
`);
  assert.equal(m.body.map((x) => x.kind), ['Archetype', 'Function', 'Function', 'Archetype']);
  const account = (m.body[0] as Archetype).body!;
  const postinit = account[4] as FunctionDef;
  const self = { kind: 'Special', name: 'self' };
  assert.equal(strip((postinit.body as { stmts: Stmt[] }).stmts), [{
    kind: 'Assign', isLet: false, targets: [attr(self, 'score')], value: call(n('len'), [attr(self, 'owner')]),
  }]);
  const add = m.body[1] as FunctionDef;
  assert.equal(strip((add.body as { stmts: Stmt[] }).stmts), [{ kind: 'Return', value: bin('+', n('a'), n('b')) }]);
  const counter = (m.body[3] as Archetype).body!;
  const bump = counter[1] as FunctionDef;
  assert.equal(strip((bump.body as { stmts: Stmt[] }).stmts), [
    { kind: 'AugAssign', target: attr(self, 'n'), op: '+=', value: n('by_') },
    { kind: 'Return', value: attr(self, 'n') },
  ]);
  const zero = counter[2] as FunctionDef;
  assert.equal(strip((zero.body as { stmts: Stmt[] }).stmts), [{ kind: 'Return', value: call(n('Counter')) }]);
});

test.run();
