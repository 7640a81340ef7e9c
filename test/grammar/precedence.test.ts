// Jac's operator precedence, which differs from Python's (shared/spec/jac-language.md §1.4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exprOf } from '../helpers/ast.ts';

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number) => ({ kind: 'Int', value: `${v}n` });

test('bitwise or binds looser than comparison: 1 | 2 == 3 is 1 | (2 == 3)', () => {
  assert.equal(exprOf('1 | 2 == 3'), {
    kind: 'Binary', op: '|', left: i(1),
    right: { kind: 'Compare', left: i(2), ops: ['=='], comparators: [i(3)] },
  });
});

test('bitwise and binds looser than and/or', () => {
  assert.equal(exprOf('a and b & c'), {
    kind: 'Binary', op: '&', left: { kind: 'BoolOp', op: 'and', values: [n('a'), n('b')] }, right: n('c'),
  });
});

test('unary minus binds tighter than **: -2 ** 2 is (-2) ** 2', () => {
  assert.equal(exprOf('-2 ** 2'), {
    kind: 'Binary', op: '**', left: { kind: 'Unary', op: '-', operand: i(2) }, right: i(2),
  });
});

test('** is left-associative: 2 ** 3 ** 2 is (2 ** 3) ** 2', () => {
  assert.equal(exprOf('2 ** 3 ** 2'), {
    kind: 'Binary', op: '**', left: { kind: 'Binary', op: '**', left: i(2), right: i(3) }, right: i(2),
  });
});

test('comparisons chain into one Compare', () => {
  assert.equal(exprOf('a < b <= c != d'), {
    kind: 'Compare', left: n('a'), ops: ['<', '<=', '!='], comparators: [n('b'), n('c'), n('d')],
  });
});

test('not binds looser than comparison and tighter than and', () => {
  assert.equal(exprOf('not a in b and c'), {
    kind: 'BoolOp', op: 'and',
    values: [{ kind: 'Unary', op: 'not', operand: { kind: 'Compare', left: n('a'), ops: ['in'], comparators: [n('b')] } }, n('c')],
  });
});

test('and/or chains flatten into one BoolOp per operator', () => {
  assert.equal(exprOf('a or b or c and d and e'), {
    kind: 'BoolOp', op: 'or',
    values: [n('a'), n('b'), { kind: 'BoolOp', op: 'and', values: [n('c'), n('d'), n('e')] }],
  });
});

test('spawn binds tighter than connect: root ++> a spawn W()', () => {
  assert.equal(exprOf('root ++> a spawn W()'), {
    kind: 'Connect', dir: 'out', edge: null, assigns: [],
    left: { kind: 'Special', name: 'root' },
    right: { kind: 'Spawn', left: n('a'), right: { kind: 'Call', func: n('W'), args: [], keywords: [], by: null } },
  });
});

test('connect binds tighter than arithmetic and comparison', () => {
  assert.equal(exprOf('a + b ++> c == d'), {
    kind: 'Compare',
    left: { kind: 'Binary', op: '+', left: n('a'), right: { kind: 'Connect', dir: 'out', edge: null, assigns: [], left: n('b'), right: n('c') } },
    ops: ['=='],
    comparators: [n('d')],
  });
});

test('pipes are the loosest binary operators, |> below <|', () => {
  assert.equal(exprOf('a |> f <| b or c'), {
    kind: 'Pipe', op: '|>', left: n('a'),
    right: { kind: 'Pipe', op: '<|', left: n('f'), right: { kind: 'BoolOp', op: 'or', values: [n('b'), n('c')] } },
  });
});

test('multiplicative before additive, left to right', () => {
  assert.equal(exprOf('a - b * c % d - e'), {
    kind: 'Binary', op: '-',
    left: {
      kind: 'Binary', op: '-', left: n('a'),
      right: { kind: 'Binary', op: '%', left: { kind: 'Binary', op: '*', left: n('b'), right: n('c') }, right: n('d') },
    },
    right: n('e'),
  });
});

test('ternary and walrus sit above all binary operators', () => {
  assert.equal(exprOf('(y := a or b) if c else d'), {
    kind: 'Ternary',
    test: n('c'),
    body: { kind: 'Walrus', target: 'y', value: { kind: 'BoolOp', op: 'or', values: [n('a'), n('b')] } },
    orelse: n('d'),
  });
});

test.run();
