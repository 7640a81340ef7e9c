// Data-spatial expressions (shared/spec/jac-language.md §1.5, §1.6): connect, disconnect, edge
// references with filters and hops, filter/assign comprehensions, spawn, and special names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stmt } from '../../grammar/ast.ts';
import { exprOf, parseErrors, parseOk, strip } from '../helpers/ast.ts';

type Archetype = Extract<Stmt, { kind: 'Archetype' }>;
type Ability = Extract<Stmt, { kind: 'Ability' }>;

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number) => ({ kind: 'Int', value: `${v}n` });
const s = (value: string) => ({ kind: 'Str', value, isBytes: false });
const sp = (name: string) => ({ kind: 'Special', name });
const call = (func: unknown, args: unknown[] = [], keywords: unknown[] = []) => ({ kind: 'Call', func, args, keywords, by: null });
const kw = (name: string | null, value: unknown) => ({ name, value });
const attr = (object: unknown, name: string) => ({ kind: 'Attribute', object, name, nullSafe: false, op: '.' });
const cond = (field: string, op: string, value: unknown) => ({ field, op, value });

const connect = (left: unknown, dir: string, right: unknown, edge: unknown = null, assigns: unknown[] = []) => ({ kind: 'Connect', left, right, dir, edge, assigns });
const op = (dir: string, type: unknown = null, conds: unknown[] = []) => ({ dir, type, conds });
const hop = (edgeOp: unknown, filter: unknown = null) => ({ op: edgeOp, filter });
const filter = (type: unknown, conds: unknown[] = []) => ({ kind: 'Filter', type, conds });
const ref = (origin: unknown, hops: unknown[], returns = 'node', explicitReturns = false) => ({ kind: 'EdgeRef', returns, explicitReturns, origin, hops });

/** The statements of a walker ability body, where `[-->]` has an implicit origin. */
function abilityBody(body: string): Stmt[] {
  const w = parseOk(`walker W { can go with entry {\n${body}\n} }`).body[0] as Archetype;
  return ((w.body![0] as Ability).body as { stmts: Stmt[] }).stmts;
}

/** The value of `x = <src>;` inside a walker ability. */
function inAbility(src: string): unknown {
  const [st] = abilityBody(`x = ${src};`);
  assert.is(st.kind, 'Assign');
  return strip((st as Extract<Stmt, { kind: 'Assign' }>).value);
}

// ---- connect ----------------------------------------------------------------------------

test('a ++> b connects out', () => {
  assert.equal(exprOf('a ++> b'), connect(n('a'), 'out', n('b')));
});

test('a <++ b connects in', () => {
  assert.equal(exprOf('a <++ b'), connect(n('a'), 'in', n('b')));
});

test('a <++> b connects any', () => {
  assert.equal(exprOf('a <++> b'), connect(n('a'), 'any', n('b')));
});

test('a +>:E:+> b carries the edge type; +>:E():+> an edge instance', () => {
  assert.equal(exprOf('a +>:E:+> b'), connect(n('a'), 'out', n('b'), n('E')));
  assert.equal(exprOf('a +>:E(w=1):+> b'), connect(n('a'), 'out', n('b'), call(n('E'), [], [kw('w', i(1))])));
});

test('a +>:E:w=1, k="x":+> b carries field assignments', () => {
  assert.equal(exprOf('a +>:E:w=1, k="x":+> b'), connect(n('a'), 'out', n('b'), n('E'), [kw('w', i(1)), kw('k', s('x'))]));
});

test('a <+:E:<+ b connects in with a type', () => {
  assert.equal(exprOf('a <+:E:<+ b'), connect(n('a'), 'in', n('b'), n('E')));
});

test('a <+:E:+> b connects any with a type', () => {
  assert.equal(exprOf('a <+:E:+> b'), connect(n('a'), 'any', n('b'), n('E')));
});

test('a <+:E:w=1:<+ b connects in with field assignments', () => {
  assert.equal(exprOf('a <+:E:w=1:<+ b'), connect(n('a'), 'in', n('b'), n('E'), [kw('w', i(1))]));
});

test('a +>:e := E(w=1):+> b binds the edge with a walrus', () => {
  assert.equal(exprOf('a +>:e := E(w=1):+> b'), connect(n('a'), 'out', n('b'), { kind: 'Walrus', target: 'e', value: call(n('E'), [], [kw('w', i(1))]) }));
});

test('lists connect to lists', () => {
  assert.equal(exprOf('[a, b] ++> [N(), N()]'), connect({ kind: 'List', elts: [n('a'), n('b')] }, 'out', { kind: 'List', elts: [call(n('N')), call(n('N'))] }));
});

test('connect chains are left-associative: a ++> b ++> c', () => {
  assert.equal(exprOf('a ++> b ++> c'), connect(connect(n('a'), 'out', n('b')), 'out', n('c')));
});

test('a walrus inside a connect needs parentheses: end ++> (end := N())', () => {
  assert.equal(exprOf('end ++> (end := N())'), connect(n('end'), 'out', { kind: 'Walrus', target: 'end', value: call(n('N')) }));
});

test('a connect can start from here and root', () => {
  assert.equal(exprOf('here ++> Todo(title=self.title)'), connect(sp('here'), 'out', call(n('Todo'), [], [kw('title', attr(sp('self'), 'title'))])));
  assert.equal(exprOf('root +>:Door:width=2:+> hall'), connect(sp('root'), 'out', n('hall'), n('Door'), [kw('width', i(2))]));
});

// ---- disconnect -------------------------------------------------------------------------

test('a del --> b disconnects outgoing edges', () => {
  assert.equal(exprOf('a del --> b'), { kind: 'Disconnect', left: n('a'), right: n('b'), op: op('out') });
});

test('a del ->:E:-> b disconnects typed edges, optionally filtered', () => {
  assert.equal(exprOf('a del ->:E:-> b'), { kind: 'Disconnect', left: n('a'), right: n('b'), op: op('out', n('E')) });
  assert.equal(exprOf('a del ->:E:w > 1:-> b'), { kind: 'Disconnect', left: n('a'), right: n('b'), op: op('out', n('E'), [cond('w', '>', i(1))]) });
});

test('a del <-- b parses as an incoming disconnect', () => {
  assert.equal(exprOf('a del <-- b'), { kind: 'Disconnect', left: n('a'), right: n('b'), op: op('in') });
});

// ---- edge references --------------------------------------------------------------------

test('[-->], [<--] and [<-->] have no origin', () => {
  assert.equal(inAbility('[-->]'), ref(null, [hop(op('out'))]));
  assert.equal(inAbility('[<--]'), ref(null, [hop(op('in'))]));
  assert.equal(inAbility('[<-->]'), ref(null, [hop(op('any'))]));
});

test('[n -->], [root <--], [here <-->] and [self -->] have an origin', () => {
  assert.equal(exprOf('[n -->]'), ref(n('n'), [hop(op('out'))]));
  assert.equal(exprOf('[root <--]'), ref(sp('root'), [hop(op('in'))]));
  assert.equal(inAbility('[here <-->]'), ref(sp('here'), [hop(op('any'))]));
  assert.equal(inAbility('[self -->]'), ref(sp('self'), [hop(op('out'))]));
});

test('a parenthesized origin: [(n) -->]', () => {
  assert.equal(exprOf('[(n) -->]'), ref(n('n'), [hop(op('out'))]));
});

test('typed edge references [->:E:->], [<-:E:<-], [<-:E:->]', () => {
  assert.equal(inAbility('[->:E:->]'), ref(null, [hop(op('out', n('E')))]));
  assert.equal(inAbility('[<-:E:<-]'), ref(null, [hop(op('in', n('E')))]));
  assert.equal(inAbility('[<-:E:->]'), ref(null, [hop(op('any', n('E')))]));
});

test('edge field conditions [->:E:w > 1, k == "x":->]', () => {
  assert.equal(inAbility('[->:E:w > 1, k == "x":->]'), ref(null, [hop(op('out', n('E'), [cond('w', '>', i(1)), cond('k', '==', s('x'))]))]));
});

test('edge conditions with in, is not and >=; incoming with conditions', () => {
  assert.equal(exprOf('[n ->:E:w in [1, 2]:->]'), ref(n('n'), [hop(op('out', n('E'), [cond('w', 'in', { kind: 'List', elts: [i(1), i(2)] })]))]));
  assert.equal(exprOf('[root ->:E:w is not None:->]'), ref(sp('root'), [hop(op('out', n('E'), [cond('w', 'is not', { kind: 'Constant', value: null })]))]));
  assert.equal(inAbility('[->:Door:width >= 2:->]'), ref(null, [hop(op('out', n('Door'), [cond('width', '>=', i(2))]))]));
  assert.equal(inAbility('[<-:E:w==1:<-]'), ref(null, [hop(op('in', n('E'), [cond('w', '==', i(1))]))]));
});

test('[n --> m] filters by target node; the target may be a list', () => {
  assert.equal(exprOf('[n --> m]'), ref(n('n'), [hop(op('out'), { kind: 'Target', expr: n('m') })]));
  assert.equal(exprOf('[a <--> b]'), ref(n('a'), [hop(op('any'), { kind: 'Target', expr: n('b') })]));
  assert.equal(exprOf('[n --> [m, o]]'), ref(n('n'), [hop(op('out'), { kind: 'Target', expr: { kind: 'List', elts: [n('m'), n('o')] } })]));
});

test('multi-hop chains: [n --> -->] and [n ->:A:-> ->:B:->]', () => {
  assert.equal(exprOf('[n --> -->]'), ref(n('n'), [hop(op('out')), hop(op('out'))]));
  assert.equal(exprOf('[n ->:A:-> ->:B:->]'), ref(n('n'), [hop(op('out', n('A'))), hop(op('out', n('B')))]));
});

test('[edge n ->:E:->] and [edge -->] return edges', () => {
  assert.equal(exprOf('[edge n ->:E:->]'), ref(n('n'), [hop(op('out', n('E')))], 'edge', true));
  assert.equal(inAbility('[edge -->]'), ref(null, [hop(op('out'))], 'edge', true));
});

test('[node -->] and [node n -->] return nodes explicitly', () => {
  assert.equal(inAbility('[node -->]'), ref(null, [hop(op('out'))], 'node', true));
  assert.equal(exprOf('[node n -->]'), ref(n('n'), [hop(op('out'))], 'node', true));
});

test('a type filter on a hop: [-->(`?T)]', () => {
  assert.equal(inAbility('[-->(`?T)]'), ref(null, [hop(op('out'), filter(n('T')))]));
});

test('a type filter with conditions: [-->(`?T: v > 1)]', () => {
  assert.equal(inAbility('[-->(`?T: v > 1)]'), ref(null, [hop(op('out'), filter(n('T'), [cond('v', '>', i(1))]))]));
});

test('an untyped filter on a hop: [-->(?v == 2)]', () => {
  assert.equal(inAbility('[-->(?v == 2)]'), ref(null, [hop(op('out'), filter(null, [cond('v', '==', i(2))]))]));
});

test('a filter between hops: [n --> (`?T) -->]', () => {
  assert.equal(exprOf('[n --> (`?T) -->]'), ref(n('n'), [hop(op('out'), filter(n('T'))), hop(op('out'))]));
  assert.equal(exprOf('[n ->:E:-> (`?N) ->:E:->]'), ref(n('n'), [hop(op('out', n('E')), filter(n('N'))), hop(op('out', n('E')))]));
});

test('two filters in a row on one hop are an error', () => {
  parseErrors('with entry { x = [n -->(`?N)(?v == 1)]; }');
});

test('an edge reference takes postfix operators: [n -->][0].v', () => {
  assert.equal(exprOf('[n -->][0].v'), attr({ kind: 'Index', object: ref(n('n'), [hop(op('out'))]), index: i(0), nullSafe: false }, 'v'));
});

// ---- filter and assign comprehensions ---------------------------------------------------

test('filter comprehension xs(?f == 1, g < 3)', () => {
  assert.equal(exprOf('xs(?f == 1, g < 3)'), {
    kind: 'FilterCompr', object: n('xs'), nullSafe: false, type: null, conds: [cond('f', '==', i(1)), cond('g', '<', i(3))],
  });
});

test('typed filter comprehensions xs(`?T) and xs(`?T: f == 1)', () => {
  assert.equal(exprOf('xs(`?T)'), { kind: 'FilterCompr', object: n('xs'), nullSafe: false, type: n('T'), conds: [] });
  assert.equal(exprOf('xs(`?T: f == 1)'), { kind: 'FilterCompr', object: n('xs'), nullSafe: false, type: n('T'), conds: [cond('f', '==', i(1))] });
});

test('a null-safe filter comprehension xs?(?f == 1)', () => {
  assert.equal(exprOf('xs?(?f == 1)'), { kind: 'FilterCompr', object: n('xs'), nullSafe: true, type: null, conds: [cond('f', '==', i(1))] });
});

test('assign comprehension xs(=f=1, g=2)', () => {
  assert.equal(exprOf('xs(=f=1, g=2)'), { kind: 'AssignCompr', object: n('xs'), nullSafe: false, assigns: [kw('f', i(1)), kw('g', i(2))] });
});

test('a filter comprehension on an edge reference: [root -->](`?N)', () => {
  assert.equal(exprOf('[root -->](`?N)'), { kind: 'FilterCompr', object: ref(sp('root'), [hop(op('out'))]), nullSafe: false, type: n('N'), conds: [] });
});

// ---- spawn ------------------------------------------------------------------------------

test('spawn in either operand order', () => {
  assert.equal(exprOf('W() spawn n'), { kind: 'Spawn', left: call(n('W')), right: n('n') });
  assert.equal(exprOf('n spawn W()'), { kind: 'Spawn', left: n('n'), right: call(n('W')) });
  assert.equal(exprOf('root spawn W(a=1)'), { kind: 'Spawn', left: sp('root'), right: call(n('W'), [], [kw('a', i(1))]) });
});

test('root spawn :> W and root spawn |> W', () => {
  assert.equal(exprOf('root spawn :> W'), { kind: 'Spawn', left: sp('root'), right: { kind: 'PrefixPipe', op: ':>', operand: n('W') } });
  assert.equal(exprOf('root spawn |> W'), { kind: 'Spawn', left: sp('root'), right: { kind: 'PrefixPipe', op: '|>', operand: n('W') } });
});

test('prefix spawn W() is a PrefixPipe', () => {
  assert.equal(exprOf('spawn W()'), { kind: 'PrefixPipe', op: 'spawn', operand: call(n('W')) });
});

// ---- walker statements with data-spatial targets ----------------------------------------

test('visit [-->(`?Todo: title == self.title)] else { ... }', () => {
  assert.equal(strip(abilityBody('visit [-->(`?Todo: title == self.title)] else { report {"error": "not found"}; disengage; }')), [{
    kind: 'Visit', index: null,
    target: ref(null, [hop(op('out'), filter(n('Todo'), [cond('title', '==', attr(sp('self'), 'title'))]))]),
    orelse: [
      { kind: 'Report', value: { kind: 'Dict', entries: [{ key: s('error'), value: s('not found') }] } },
      { kind: 'Control', control: 'disengage' },
    ],
  }]);
});

test('here, self, visitor, root and super are Special names', () => {
  const m = parseOk('node N { can f with W entry { print(here, self, visitor, root, super); } } walker W {}');
  const f = (m.body[0] as Archetype).body![0] as Ability;
  const [st] = (f.body as { stmts: Stmt[] }).stmts;
  assert.equal(strip(st), { kind: 'ExprStmt', expr: call(n('print'), ['here', 'self', 'visitor', 'root', 'super'].map(sp)) });
});

test('realistic program (§6.2): Stop nodes and a Bus walker', () => {
  const m = parseOk(`node Stop { has name: str;
    can hello with Bus entry { print("  stop greets", visitor.line); } }
walker Bus {
    has line: str = "7";
    can depart with entry { print("depart at", here); }
    can at_root with \`root entry { visit [-->]; }
    can at_stop with Stop entry { print("at", here.name); visit [-->]; }
    can arrive with exit { print("end at", here.name); }
}
with entry {
    a = Stop("A"); root ++> a; a ++> Stop("B"); root ++> Stop("C");
    root spawn Bus();
}
`);
  const [stop, bus, entry] = m.body;
  const hello = (stop as Archetype).body![1] as Ability;
  assert.equal(strip(hello.event), { type: n('Bus'), event: 'entry', returns: null });
  assert.equal(strip((hello.body as { stmts: Stmt[] }).stmts[0]), {
    kind: 'ExprStmt', expr: call(n('print'), [s('  stop greets'), attr(sp('visitor'), 'line')]),
  });
  const abilities = (bus as Archetype).body!.slice(1) as Ability[];
  assert.equal(abilities.map((a) => [a.name, strip(a.event.type), a.event.event]), [
    ['depart', null, 'entry'],
    ['at_root', { kind: 'TypeRef', name: 'root' }, 'entry'],
    ['at_stop', n('Stop'), 'entry'],
    ['arrive', null, 'exit'],
  ]);
  assert.equal(strip((abilities[1].body as { stmts: Stmt[] }).stmts), [{ kind: 'Visit', index: null, target: ref(null, [hop(op('out'))]), orelse: null }]);
  assert.equal(strip((entry as Extract<Stmt, { kind: 'ModuleEntry' }>).body), [
    { kind: 'Assign', isLet: false, targets: [n('a')], value: call(n('Stop'), [s('A')]) },
    { kind: 'ExprStmt', expr: connect(sp('root'), 'out', n('a')) },
    { kind: 'ExprStmt', expr: connect(n('a'), 'out', call(n('Stop'), [s('B')])) },
    { kind: 'ExprStmt', expr: connect(sp('root'), 'out', call(n('Stop'), [s('C')])) },
    { kind: 'ExprStmt', expr: { kind: 'Spawn', left: sp('root'), right: call(n('Bus')) } },
  ]);
});

test.run();
